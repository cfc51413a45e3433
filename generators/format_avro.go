package generators

import (
	_ "embed" // the Avro schemas ship inside the binary
	"encoding/binary"
	"math"

	"github.com/hamba/avro/v2"

	"github.com/kbench/kbench/envelope"
)

// The Avro schemas of the records, shipped in generators/schemas.
var (
	//go:embed schemas/payment.avsc
	PaymentAvroSchema string
	//go:embed schemas/reading.avsc
	ReadingAvroSchema string
)

// avroHeaderSize is the single-object encoding's header: the marker C3 01
// and the schema's CRC-64-AVRO fingerprint, little-endian.
const avroHeaderSize = 10

// Each record's header, made once from its schema.
var (
	paymentAvroHeader = avroHeader(PaymentAvroSchema)
	readingAvroHeader = avroHeader(ReadingAvroSchema)
)

// avroSlot is where the format's records carry the envelope.
var avroSlot = envelope.Slot{Offset: avroHeaderSize + 1}

var avroFormat = FormatKind{
	Name: "avro",
	Doc: "Avro single-object encoding (C3 01, the schema fingerprint, the binary record) with the schemas in " +
		"generators/schemas; the envelope is the first field, _kb, of type bytes.",
	// The header, then the length of _kb (40, zigzag 0x50), then its bytes.
	Slot:    avroSlot,
	Inside:  true,
	Find:    findAvro,
	payment: appendPaymentAvro,
	reading: appendReadingAvro,
}

// avroHeader returns the single-object header of the schema, or zeros if it
// does not parse (a test checks that both do).
func avroHeader(schema string) [avroHeaderSize]byte {
	var h [avroHeaderSize]byte
	s, err := avro.Parse(schema)
	if err != nil {
		return h
	}
	fp, err := s.FingerprintUsing(avro.CRC64AvroLE)
	if err != nil || len(fp) != 8 {
		return h
	}
	h[0], h[1] = 0xC3, 0x01
	copy(h[2:], fp)
	return h
}

// findAvro finds the _kb field of a single-object-encoded record whose
// first field it is.
func findAvro(rec []byte) (envelope.Slot, bool) {
	if len(rec) <= avroSlot.Offset || rec[0] != 0xC3 || rec[1] != 0x01 || rec[avroHeaderSize] != 2*envelope.Size {
		return envelope.Slot{}, false
	}
	return avroSlot, true
}

// appendAvroLong appends v as an Avro long (or int): zigzag, then varint.
func appendAvroLong(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

// appendAvroString appends s as an Avro string: its length, then its bytes.
func appendAvroString(dst []byte, s string) []byte {
	return append(appendAvroLong(dst, int64(len(s))), s...)
}

// appendAvroDouble appends v as an Avro double: IEEE 754, little-endian.
func appendAvroDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// appendAvroEnvelope appends the header and the room for _kb.
func appendAvroEnvelope(dst []byte, header *[avroHeaderSize]byte) []byte {
	dst = append(append(dst, header[:]...), 2*envelope.Size)
	return appendSlot(dst, envelope.Slot{})
}

// unixMillis converts Unix ns to ms, rounding down.
func unixMillis(ns int64) int64 {
	ms := ns / 1e6
	if ns%1e6 < 0 {
		ms--
	}
	return ms
}

// round2 and round6 round to the decimals the text formats print.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func appendPaymentAvro(dst []byte, p *payment, _ *tsCache) []byte {
	dst = appendAvroEnvelope(dst, &paymentAvroHeader)
	dst = appendHex(append(dst, 2*19, 't', 'x', '_'), p.txn, 16) // "tx_" and 16 digits
	dst = appendAvroLong(dst, unixMillis(p.at))
	dst = appendAvroString(dst, p.card)
	dst = appendAvroString(dst, p.merchant)
	dst = appendAvroString(dst, p.mcc)
	dst = appendAvroDouble(dst, float64(p.cents)/100)
	dst = appendAvroString(dst, p.currency)
	dst = appendAvroString(dst, p.country)
	dst = appendAvroString(dst, p.channel)
	return appendAvroString(dst, p.label())
}

func appendReadingAvro(dst []byte, rd *reading, _ *tsCache) []byte {
	dst = appendAvroEnvelope(dst, &readingAvroHeader)
	dst = appendAvroString(dst, rd.device)
	dst = appendAvroString(dst, rd.model)
	dst = appendAvroString(dst, rd.fw)
	dst = appendAvroLong(dst, int64(rd.seq))
	dst = appendAvroLong(dst, unixMillis(rd.at))
	dst = appendAvroDouble(dst, round2(rd.temp))
	dst = appendAvroDouble(dst, round2(rd.hum))
	dst = appendAvroDouble(dst, round2(rd.battery))
	dst = appendAvroLong(dst, rd.rssi)
	dst = appendAvroDouble(dst, round6(rd.lat))
	dst = appendAvroDouble(dst, round6(rd.lon))
	return appendAvroString(dst, rd.status)
}
