package generators

import (
	_ "embed" // the .proto ships inside the binary
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/kbench/kbench/envelope"
)

// ProtoFile is the protobuf definition of the records (messages
// kbench.v1.Payment and kbench.v1.Reading), shipped in generators/schemas.
//
//go:embed schemas/kbench.proto
var ProtoFile string

// protobufSlot is where the format's records carry the envelope.
var protobufSlot = envelope.Slot{Offset: 2}

var protobufFormat = FormatKind{
	Name: "protobuf",
	Doc: "One protobuf message per record (kbench.v1.Payment or kbench.v1.Reading in generators/schemas/kbench.proto); " +
		"the envelope is field 1, _kb, of type bytes.",
	// Field 1's tag (0x0A) and length (40), then its bytes.
	Slot:    protobufSlot,
	Inside:  true,
	Find:    findProtobuf,
	payment: appendPaymentProto,
	reading: appendReadingProto,
}

// findProtobuf finds field 1 of 40 bytes: first, where kbench writes it,
// then among the record's fields (another writer may order them
// differently).
func findProtobuf(rec []byte) (envelope.Slot, bool) {
	if len(rec) > 2 && rec[0] == 0x0A && rec[1] == envelope.Size {
		return protobufSlot, true
	}
	for off := 0; off < len(rec); {
		num, typ, n := protowire.ConsumeTag(rec[off:])
		if n < 0 {
			return envelope.Slot{}, false
		}
		if num == 1 && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(rec[off+n:])
			if m < 0 || len(v) != envelope.Size {
				return envelope.Slot{}, false
			}
			return envelope.Slot{Offset: off + m - len(v) + n}, true
		}
		m := protowire.ConsumeFieldValue(num, typ, rec[off+n:])
		if m < 0 {
			return envelope.Slot{}, false
		}
		off += n + m
	}
	return envelope.Slot{}, false
}

// appendProtoEnvelope appends field 1 with room for the envelope.
func appendProtoEnvelope(dst []byte) []byte {
	dst = protowire.AppendTag(dst, 1, protowire.BytesType)
	dst = protowire.AppendVarint(dst, envelope.Size)
	return appendSlot(dst, envelope.Slot{})
}

func appendProtoString(dst []byte, num protowire.Number, s string) []byte {
	return protowire.AppendString(protowire.AppendTag(dst, num, protowire.BytesType), s)
}

func appendProtoDouble(dst []byte, num protowire.Number, v float64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(dst, num, protowire.Fixed64Type), math.Float64bits(v))
}

func appendProtoVarint(dst []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(dst, num, protowire.VarintType), v)
}

func appendPaymentProto(dst []byte, p *payment, _ *tsCache) []byte {
	dst = appendProtoEnvelope(dst)
	dst = protowire.AppendTag(dst, 2, protowire.BytesType)
	dst = appendHex(append(dst, 19, 't', 'x', '_'), p.txn, 16) // "tx_" and 16 digits
	dst = appendProtoVarint(dst, 3, uint64(unixMillis(p.at)))
	dst = appendProtoString(dst, 4, p.card)
	dst = appendProtoString(dst, 5, p.merchant)
	dst = appendProtoString(dst, 6, p.mcc)
	dst = appendProtoDouble(dst, 7, float64(p.cents)/100)
	dst = appendProtoString(dst, 8, p.currency)
	dst = appendProtoString(dst, 9, p.country)
	dst = appendProtoString(dst, 10, p.channel)
	return appendProtoString(dst, 11, p.label())
}

func appendReadingProto(dst []byte, rd *reading, _ *tsCache) []byte {
	dst = appendProtoEnvelope(dst)
	dst = appendProtoString(dst, 2, rd.device)
	dst = appendProtoString(dst, 3, rd.model)
	dst = appendProtoString(dst, 4, rd.fw)
	dst = appendProtoVarint(dst, 5, rd.seq)
	dst = appendProtoVarint(dst, 6, uint64(unixMillis(rd.at)))
	dst = appendProtoDouble(dst, 7, round2(rd.temp))
	dst = appendProtoDouble(dst, 8, round2(rd.hum))
	dst = appendProtoDouble(dst, 9, round2(rd.battery))
	dst = appendProtoVarint(dst, 10, protowire.EncodeZigZag(rd.rssi))
	dst = appendProtoDouble(dst, 11, round6(rd.lat))
	dst = appendProtoDouble(dst, 12, round6(rd.lon))
	return appendProtoString(dst, 13, rd.status)
}
