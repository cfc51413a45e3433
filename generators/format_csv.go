package generators

import (
	"strconv"

	"github.com/kbench/kbench/envelope"
)

// csvSlot is where the format's records carry the envelope.
var csvSlot = envelope.Slot{Base64: true}

var csvFormat = FormatKind{
	Name: "csv",
	Doc: "One CSV line per record, no header, ending in a newline; the first column is the envelope in base64, " +
		"the others the JSON fields in the same order.",
	Slot:    csvSlot,
	Inside:  true,
	Find:    findCSV,
	payment: appendPaymentCSV,
	reading: appendReadingCSV,
}

// csvEnvelopeStart is how every envelope starts in base64: the magic "KB"
// and version 1.
const csvEnvelopeStart = "S0IB"

// findCSV finds the envelope column at the start of a CSV line.
func findCSV(rec []byte) (envelope.Slot, bool) {
	if len(rec) <= envelope.B64Size || string(rec[:len(csvEnvelopeStart)]) != csvEnvelopeStart || rec[envelope.B64Size] != ',' {
		return envelope.Slot{}, false
	}
	return csvSlot, true
}

// The values the generators write hold no comma, quote or line break, so
// no field needs quoting.

func appendPaymentCSV(dst []byte, p *payment, ts *tsCache) []byte {
	dst = appendSlot(dst, csvSlot)
	dst = append(dst, ",tx_"...)
	dst = appendHex(dst, p.txn, 16)
	dst = append(dst, ',')
	dst = ts.append(dst, p.at)
	for _, s := range [...]string{p.card, p.merchant, p.mcc} {
		dst = append(append(dst, ','), s...)
	}
	dst = appendCents(append(dst, ','), p.cents)
	for _, s := range [...]string{p.currency, p.country, p.channel, p.label()} {
		dst = append(append(dst, ','), s...)
	}
	return append(dst, '\n')
}

func appendReadingCSV(dst []byte, rd *reading, ts *tsCache) []byte {
	dst = appendSlot(dst, csvSlot)
	for _, s := range [...]string{rd.device, rd.model, rd.fw} {
		dst = append(append(dst, ','), s...)
	}
	dst = strconv.AppendUint(append(dst, ','), rd.seq, 10)
	dst = ts.append(append(dst, ','), rd.at)
	dst = appendFixed(append(dst, ','), rd.temp, 2)
	dst = appendFixed(append(dst, ','), rd.hum, 2)
	dst = appendFixed(append(dst, ','), rd.battery, 2)
	dst = strconv.AppendInt(append(dst, ','), rd.rssi, 10)
	dst = appendFixed(append(dst, ','), rd.lat, 6)
	dst = appendFixed(append(dst, ','), rd.lon, 6)
	dst = append(append(dst, ','), rd.status...)
	return append(dst, '\n')
}
