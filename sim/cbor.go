package sim

// CBOR (application/x-amz-cbor-1.1) is what the AWS SDK for Java, and so the
// KCL and KPL, send by default. It carries the same members as awsJson1.1,
// except that blobs (record Data) are CBOR byte strings and timestamps are
// CBOR tag 1 holding epoch milliseconds, as the Java SDK writes them (RFC
// 8949 says seconds; tag-1 values of 10^11 and more are read as
// milliseconds, smaller ones as seconds, so both kinds of writer work).
// A CBOR request is transcoded to JSON for the operation's handler, and its
// JSON answer, errors included, back to CBOR; the JSON path is untouched.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

const contentTypeCBOR = "application/x-amz-cbor-1.1"

// millisFrom is the smallest tag-1 value read as epoch milliseconds: 10^11
// seconds is the year 5138, 10^11 milliseconds March 1973.
const millisFrom = 1e11

var (
	cborDec = mustDecMode(cbor.DecOptions{
		DefaultMapType:   reflect.TypeOf(map[string]any(nil)),
		MaxNestedLevels:  32,
		MaxArrayElements: 10000,
		MaxMapPairs:      10000,
		TimeTagToAny:     cbor.TimeTagToTime,
		IntDec:           cbor.IntDecConvertSignedOrFail,
	})
	cborEnc = mustEncMode(cbor.EncOptions{Sort: cbor.SortNone})
)

func mustDecMode(o cbor.DecOptions) cbor.DecMode {
	m, err := o.DecMode()
	if err != nil {
		panic(err) // fixed options above; a failure is a programming error
	}
	return m
}

func mustEncMode(o cbor.EncOptions) cbor.EncMode {
	m, err := o.EncMode()
	if err != nil {
		panic(err) // fixed options above; a failure is a programming error
	}
	return m
}

// timestampMembers are the members that hold timestamps, in requests and
// responses alike.
var timestampMembers = map[string]bool{
	"Timestamp":                   true,
	"ApproximateArrivalTimestamp": true,
	"StreamCreationTimestamp":     true,
	"ConsumerCreationTimestamp":   true,
}

// blobMembers are the members that hold blobs.
var blobMembers = map[string]bool{"Data": true}

// cborToJSON transcodes a CBOR request body into the JSON the handlers
// read: byte strings become base64 text and tag-1 timestamps epoch
// seconds. An empty body stays empty.
func cborToJSON(body []byte) ([]byte, *apiError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var v any
	if err := cborDec.Unmarshal(body, &v); err != nil {
		return nil, errSerial("cannot decode CBOR request: %s", echo(err.Error()))
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errSerial("the CBOR request body is not a map")
	}
	v, err := toJSONValue(v)
	if err != nil {
		return nil, errSerial("cannot decode CBOR request: %s", echo(err.Error()))
	}
	out, merr := json.Marshal(v)
	if merr != nil {
		return nil, errSerial("cannot decode CBOR request: %s", echo(merr.Error()))
	}
	return out, nil
}

// toJSONValue turns a decoded CBOR value into one encoding/json writes as
// the JSON protocol has it.
func toJSONValue(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			c, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	case []any:
		for i, e := range x {
			c, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case time.Time:
		sec := float64(x.Unix()) + float64(x.Nanosecond())/1e9
		if math.Abs(sec) >= millisFrom {
			sec /= 1000
		}
		return json.Number(strconv.FormatFloat(sec, 'f', 3, 64)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(x, 'g', -1, 64)}
		}
		return x, nil
	default:
		return v, nil
	}
}

// jsonToCBOR transcodes a JSON response body to CBOR: Data members become
// byte strings and timestamp members tag 1 with epoch milliseconds.
func jsonToCBOR(body []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	v, err := toCBORValue("", v)
	if err != nil {
		return nil, err
	}
	return cborEnc.Marshal(v)
}

func toCBORValue(member string, v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			c, err := toCBORValue(k, e)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	case []any:
		for i, e := range x {
			c, err := toCBORValue(member, e)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case string:
		if blobMembers[member] {
			return base64.StdEncoding.DecodeString(x)
		}
		return x, nil
	case json.Number:
		if timestampMembers[member] {
			f, err := x.Float64()
			if err != nil {
				return nil, err
			}
			return cbor.Tag{Number: 1, Content: int64(math.Round(f * 1000))}, nil
		}
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	default:
		return v, nil
	}
}

// cborWriter answers a CBOR request: it collects the handler's JSON answer
// and writes it as CBOR when the handler returns (finish). An event stream
// (SubscribeToShard) passes through; its events are encoded by eventSender.
type cborWriter struct {
	http.ResponseWriter
	op      string // the operation, once known
	status  int
	buf     []byte
	passing bool // writing an event stream straight through
}

// WriteHeader holds the status until finish, unless the response is an
// event stream.
func (cw *cborWriter) WriteHeader(status int) {
	if cw.status != 0 || cw.passing {
		return
	}
	if cw.Header().Get("Content-Type") == contentTypeEventStream {
		cw.passing = true
		cw.ResponseWriter.WriteHeader(status)
		return
	}
	cw.status = status
}

// Write collects the JSON answer, or passes event stream bytes through.
func (cw *cborWriter) Write(b []byte) (int, error) {
	if cw.status == 0 && !cw.passing {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.passing {
		return cw.ResponseWriter.Write(b)
	}
	cw.buf = append(cw.buf, b...)
	return len(b), nil
}

// Flush flushes an event stream.
func (cw *cborWriter) Flush() {
	if f, ok := cw.ResponseWriter.(http.Flusher); cw.passing && ok {
		f.Flush()
	}
}

// finish writes the collected answer in CBOR.
func (cw *cborWriter) finish() {
	if cw.passing || cw.status == 0 {
		return
	}
	out, err := jsonToCBOR(cw.buf)
	status := cw.status
	h := cw.Header()
	if err != nil {
		status = http.StatusInternalServerError
		h.Set("X-Amzn-ErrorType", errInternalFailure)
		out, _ = cborEnc.Marshal(map[string]string{"__type": errInternalFailure, "message": "encoding CBOR response: " + err.Error()})
	}
	h.Set("Content-Type", contentTypeCBOR)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	cw.ResponseWriter.WriteHeader(status)
	_, _ = cw.ResponseWriter.Write(out)
}
