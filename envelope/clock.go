package envelope

import "time"

// processStart anchors the process clock: wall time read once, advanced by
// the monotonic clock, so stamps never jump when the wall clock is adjusted.
var processStart = time.Now()

// Now returns the process clock in Unix nanoseconds: the wall time at process
// start plus the monotonic time elapsed since. Producers and collectors in
// one process stamp and measure with it, so their differences are exact.
func Now() int64 {
	return processStart.UnixNano() + int64(time.Since(processStart))
}
