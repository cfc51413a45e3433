package sim

import (
	"net/http"
	"strconv"
	"strings"
)

// handler serves one operation. body is the request body; the handler
// either writes a response and returns nil, or returns the error to write.
type handler func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) *apiError

type operation struct {
	fn        handler
	dataPlane bool // held by the stall window
}

// operations maps X-Amz-Target operation names to handlers.
var operations = map[string]operation{
	"CreateStream":             {fn: (*Server).createStream},
	"DeleteStream":             {fn: (*Server).deleteStream},
	"DescribeStream":           {fn: (*Server).describeStream},
	"DescribeStreamSummary":    {fn: (*Server).describeStreamSummary},
	"ListStreams":              {fn: (*Server).listStreamsOp},
	"ListShards":               {fn: (*Server).listShards},
	"PutRecord":                {fn: (*Server).putRecord, dataPlane: true},
	"PutRecords":               {fn: (*Server).putRecords, dataPlane: true},
	"GetShardIterator":         {fn: (*Server).getShardIterator, dataPlane: true},
	"GetRecords":               {fn: (*Server).getRecords, dataPlane: true},
	"RegisterStreamConsumer":   {fn: (*Server).registerStreamConsumer},
	"DescribeStreamConsumer":   {fn: (*Server).describeStreamConsumer},
	"ListStreamConsumers":      {fn: (*Server).listStreamConsumers},
	"DeregisterStreamConsumer": {fn: (*Server).deregisterStreamConsumer},
	"SubscribeToShard":         {fn: (*Server).subscribeToShard, dataPlane: true},
	"UpdateShardCount":         {fn: (*Server).updateShardCount},
	"AddTagsToStream":          {fn: (*Server).addTagsToStream},
	"ListTagsForStream":        {fn: (*Server).listTagsForStream},
}

// ServeHTTP dispatches a Kinesis awsJson1.1 request on its X-Amz-Target
// header. Signatures are accepted without checking unless Config.Auth is set
// (auth.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", "sim-"+strconv.FormatUint(s.requestID.Add(1), 36))
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if e := s.checkAuth(r, name); e != nil {
		writeError(w, e)
		return
	}
	op, known := operations[name]
	if !ok || !known || r.Method != http.MethodPost {
		writeError(w, newError(errUnknownOperation, "Unknown operation %q.", r.Header.Get("X-Amz-Target")))
		return
	}
	bp, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	defer putBuf(bp)
	if op.dataPlane {
		s.stall(r.Context())
	}
	if e := op.fn(s, w, r, *bp); e != nil {
		writeError(w, e)
	}
}
