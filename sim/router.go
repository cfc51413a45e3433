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
	"RemoveTagsFromStream":     {fn: (*Server).removeTagsFromStream},
	"TagResource":              {fn: (*Server).tagResource},
	"UntagResource":            {fn: (*Server).untagResource},
	"ListTagsForResource":      {fn: (*Server).listTagsForResource},
	"SplitShard":               {fn: (*Server).splitShard},
	"MergeShards":              {fn: (*Server).mergeShards},
	"UpdateStreamMode":         {fn: (*Server).updateStreamMode},

	"IncreaseStreamRetentionPeriod": {fn: (*Server).increaseStreamRetentionPeriod},
	"DecreaseStreamRetentionPeriod": {fn: (*Server).decreaseStreamRetentionPeriod},
	"DescribeLimits":                {fn: (*Server).describeLimits},
	"EnableEnhancedMonitoring":      {fn: (*Server).enableEnhancedMonitoring},
	"DisableEnhancedMonitoring":     {fn: (*Server).disableEnhancedMonitoring},
	"StartStreamEncryption":         {fn: (*Server).startStreamEncryption},
	"StopStreamEncryption":          {fn: (*Server).stopStreamEncryption},
}

// ServeHTTP dispatches a Kinesis request on its X-Amz-Target header. The
// body is awsJson1.1, or CBOR (application/x-amz-cbor-1.1, as the AWS SDK
// for Java sends by default), which is answered in CBOR (cbor.go).
// Signatures are accepted without checking unless Config.Auth is set
// (auth.go).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") == contentTypeCBOR {
		cw := &cborWriter{ResponseWriter: w}
		defer cw.finish()
		w = cw
	}
	w.Header().Set("x-amzn-RequestId", "sim-"+strconv.FormatUint(s.requestID.Add(1), 36))
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if e := s.checkAuth(r, name); e != nil {
		writeError(w, e)
		return
	}
	op, known := operations[name]
	if !ok || !known || r.Method != http.MethodPost {
		writeError(w, newError(errUnknownOperation, "Unknown operation %q.", echo(r.Header.Get("X-Amz-Target"))))
		return
	}
	bp, held, e := readBody(r, &s.inFlight)
	defer s.inFlight.give(held)
	if e != nil {
		writeError(w, e)
		return
	}
	defer putBuf(bp)
	body := *bp
	if cw, isCBOR := w.(*cborWriter); isCBOR {
		if body, e = cborToJSON(body); e != nil {
			writeError(w, e)
			return
		}
		cw.op = name
	}
	if op.dataPlane {
		s.stall(r.Context())
	}
	if e := op.fn(s, w, r, body); e != nil {
		writeError(w, e)
	}
}
