package generators

import "time"

// Pacer is an open-model rate profile: a pure function of time since the run
// started that says when each record is due, whatever happened to the records
// before it. Producers send record n at Due(n) and never wait for a reply.
type Pacer interface {
	// Due returns when record n (counting from 0) is due, as an offset from
	// the start of the run. ok is false when the profile sends no record n.
	// Poisson pacers draw their gaps from a seeded source and expect n to
	// increase by one per call.
	Due(n uint64) (at time.Duration, ok bool)
	// Rate returns the target rate in records per second at elapsed.
	Rate(elapsed time.Duration) float64
}
