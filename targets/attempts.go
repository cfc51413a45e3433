package targets

import (
	"context"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

// Attempts counts every HTTP attempt an SDK client makes, retries included,
// so callers can report real request counts. Set it in
// ClientOptions.Attempts, or add Option to any Kinesis call or client. It is
// safe for concurrent use; the zero value is ready.
type Attempts struct {
	n atomic.Int64
}

// Count returns the attempts counted so far.
func (a *Attempts) Count() int64 { return a.n.Load() }

// Option returns an APIOptions entry that makes a client (kinesis.Options
// APIOptions) count its attempts into a.
func (a *Attempts) Option() func(*middleware.Stack) error { return a.addMiddleware }

// addMiddleware puts the counter at the end of the deserialize step, which
// runs once per HTTP attempt, inside the retry loop.
func (a *Attempts) addMiddleware(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("kbenchAttempts",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			a.n.Add(1)
			return next.HandleDeserialize(ctx, in)
		}), middleware.After)
}
