package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/kind"
)

// Limits of how a producer sends. The runner checks its producers against
// them too (through SendProblems), so there is one rule for each.
const (
	// MaxBatchRecords is the most records one PutRecords call may carry.
	MaxBatchRecords = 500
	// MaxBatchBytes is the most bytes (data + partition keys) one
	// PutRecords request may carry.
	MaxBatchBytes = 5 << 20
	// MaxLinger is the longest a partial batch may wait for more records.
	MaxLinger = 10 * time.Second
	// MaxInFlight is the most PutRecords calls one producer instance may
	// have in flight.
	MaxInFlight = 256
	// MaxAttempts is the most times a record may be sent.
	MaxAttempts = 100
	// MaxCallTimeout is the longest timeout a PutRecords call may have.
	MaxCallTimeout = 5 * time.Minute
)

// Problems returns every problem with b, each at its yaml field name.
func (b Batch) Problems() []*kind.FieldError {
	var out []*kind.FieldError
	out = appendRange(out, "max_records", b.MaxRecords, 1, MaxBatchRecords)
	out = appendRange(out, "max_bytes", b.MaxBytes, 1, MaxBatchBytes)
	if b.Linger < 0 || b.Linger > MaxLinger {
		out = append(out, &kind.FieldError{Field: "linger",
			Problem: fmt.Sprintf("must be between 0s and %s, got %s", MaxLinger, b.Linger)})
	}
	return out
}

// Problems returns every problem with r, each at its yaml field name. Base
// may be 0 only when records are never resent (max_attempts 1).
func (r Retry) Problems() []*kind.FieldError {
	out := appendRange(nil, "max_attempts", r.MaxAttempts, 1, MaxAttempts)
	bad := func(field, format string, args ...any) {
		out = append(out, &kind.FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	switch {
	case r.Base < 0:
		bad("base", "must not be negative, got %s", r.Base)
	case r.Base == 0 && r.MaxAttempts > 1:
		bad("base", "must be positive when max_attempts > 1, got %s", r.Base)
	}
	if r.Cap < r.Base {
		bad("cap", "must be at least retry.base (%s), got %s", r.Base, r.Cap)
	}
	return out
}

// SendProblems returns every problem with how p sends (batch, in_flight,
// timeout, retry, ordering, aggregation and compression), each at its yaml
// field name within the producer, such as "batch.max_records".
func (p *Producer) SendProblems() []*kind.FieldError {
	var out []*kind.FieldError
	for _, fe := range p.Batch.Problems() {
		out = append(out, &kind.FieldError{Field: "batch." + fe.Field, Problem: fe.Problem})
	}
	out = appendRange(out, "in_flight", p.InFlight, 1, MaxInFlight)
	if p.Timeout < 0 || p.Timeout > MaxCallTimeout {
		out = append(out, &kind.FieldError{Field: "timeout",
			Problem: fmt.Sprintf("must be between 0s and %s, got %s", MaxCallTimeout, p.Timeout)})
	}
	for _, fe := range p.Retry.Problems() {
		out = append(out, &kind.FieldError{Field: "retry." + fe.Field, Problem: fe.Problem})
	}
	if p.Ordering != "" && !slices.Contains(orderings, p.Ordering) { // "" is the default, none
		out = append(out, &kind.FieldError{Field: "ordering",
			Problem: fmt.Sprintf("unknown ordering %q; want %s", p.Ordering, strings.Join(orderings, ", "))})
	}
	return append(out, p.packingProblems()...)
}

// appendRange appends a problem at field to out unless lo ≤ v ≤ hi.
func appendRange(out []*kind.FieldError, field string, v, lo, hi int) []*kind.FieldError {
	if v < lo || v > hi {
		out = append(out, &kind.FieldError{Field: field, Problem: fmt.Sprintf("must be between %d and %d, got %d", lo, hi, v)})
	}
	return out
}
