package runner

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// Failure reasons kbench gives records it gives up on, beside the error codes
// Kinesis returns (for example "ProvisionedThroughputExceededException" or
// "InternalFailure"). They are the keys of metrics.Run.FailReasons.
const (
	// ReasonTooLarge is a record whose data and partition key exceed
	// MaxRecordSize; it is never sent.
	ReasonTooLarge = "too_large"
	// ReasonBadKey is a record whose partition key is empty or longer than
	// 256 characters; it is never sent, since Kinesis would reject the
	// whole request.
	ReasonBadKey = "bad_key"
	// ReasonTransport is a call that failed without an answer from the
	// service: a network error, a closed connection, a timeout or an
	// unreadable response. It is never counted as throttling.
	ReasonTransport = "transport"
	// ReasonBadResponse is a PutRecords answer whose result list does not
	// match the request one to one.
	ReasonBadResponse = "bad_response"
)

// codeThroughput is the error code of a record or call rejected for the
// shard's write throughput.
const codeThroughput = "ProvisionedThroughputExceededException"

// errBadResponse stands for a PutRecords answer whose result list does not
// match the request; the whole call is then treated as failed.
var errBadResponse = errors.New("runner: PutRecords returned a result count unlike the request's")

// classify names the reason a whole PutRecords call failed and says whether
// it was throttling. Throttling is ProvisionedThroughputExceededException or
// LimitExceededException (typed, or by code from a non-AWS endpoint); any
// other service answer is its error code; everything else is "transport".
func classify(err error) (reason string, throttled bool) {
	if errors.Is(err, errBadResponse) {
		return ReasonBadResponse, false
	}
	var pte *types.ProvisionedThroughputExceededException
	if errors.As(err, &pte) {
		return pte.ErrorCode(), true
	}
	var lee *types.LimitExceededException
	if errors.As(err, &lee) {
		return lee.ErrorCode(), true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		switch code {
		case codeThroughput, "LimitExceededException", "ThrottlingException":
			return code, true
		case "":
			return "unknown_api_error", false
		}
		return code, false
	}
	return ReasonTransport, false
}
