package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

func TestClassify(t *testing.T) {
	op := func(err error) error {
		return &smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords", Err: err}
	}
	for _, tc := range []struct {
		name      string
		err       error
		reason    string
		throttled bool
	}{
		{"throughput", op(&types.ProvisionedThroughputExceededException{}), codeThroughput, true},
		{"limit", op(&types.LimitExceededException{}), "LimitExceededException", true},
		{"throughput by code", &smithy.GenericAPIError{Code: codeThroughput}, codeThroughput, true},
		{"throttling by code", &smithy.GenericAPIError{Code: "ThrottlingException"}, "ThrottlingException", true},
		{"kms throttling", op(&types.KMSThrottlingException{}), "KMSThrottlingException", false},
		{"not found", op(&types.ResourceNotFoundException{}), "ResourceNotFoundException", false},
		{"internal", op(&types.InternalFailureException{}), "InternalFailureException", false},
		{"api without code", &smithy.GenericAPIError{}, "unknown_api_error", false},
		{"closed conn", op(&smithy.DeserializationError{Err: &net.OpError{Op: "read", Err: errors.New("use of closed network connection")}}), ReasonTransport, false},
		{"deadline", op(context.DeadlineExceeded), ReasonTransport, false},
		{"dial", op(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), ReasonTransport, false},
		{"bad response", fmt.Errorf("x: %w", errBadResponse), ReasonBadResponse, false},
	} {
		reason, throttled := classify(tc.err)
		if reason != tc.reason || throttled != tc.throttled {
			t.Errorf("%s: classify = %q, %v; want %q, %v", tc.name, reason, throttled, tc.reason, tc.throttled)
		}
	}
}
