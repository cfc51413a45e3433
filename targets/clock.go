package targets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"
)

// ClockOffset is this host's clock measured against a common reference: the
// endpoint's clock, as its HTTP Date header shows it. The reference's time
// is local time + Offset, give or take Uncertainty.
type ClockOffset struct {
	Offset      time.Duration
	Uncertainty time.Duration
	// Reference says what the clock was measured against.
	Reference string
	// Probes is how many requests the measurement took.
	Probes int
}

// Clock measurement: probes per round, rounds at most, and the width at
// which the bound is good enough.
const (
	clockProbes    = 8
	clockRounds    = 4
	clockGoodWidth = 2 * time.Millisecond
)

// MeasureClock measures the local clock's offset from the endpoint's, with
// plain HTTP requests to url (any path: only the response's Date header is
// read, whatever its status). A Date header has whole seconds, so one
// answer bounds the offset to a second: the endpoint's time when it
// answered lies in [Date, Date+1s) and was taken between sending and
// receiving. MeasureClock narrows the bound by timing probes around the
// moment the endpoint's second turns over, a few rounds of eight, each
// round a second apart: it takes about four seconds, and on a network with
// round trips of r the uncertainty ends near r/2. It blocks; cancelling ctx
// stops it with ctx's error.
func MeasureClock(ctx context.Context, url string) (ClockOffset, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	m := &clockBound{lo: math.MinInt64, hi: math.MaxInt64}
	if err := m.probe(ctx, hc, url); err != nil {
		return ClockOffset{}, err
	}
	for round := 0; round < clockRounds && m.width() > clockGoodWidth; round++ {
		// The next turn of the endpoint's second at least 100 ms away, and
		// the local interval it falls in.
		now := time.Now().UnixNano()
		boundary := (now+m.hi)/int64(time.Second)*int64(time.Second) + int64(time.Second)
		if boundary-m.hi-now < int64(100*time.Millisecond) {
			boundary += int64(time.Second)
		}
		from, to := boundary-m.hi, boundary-m.lo
		var wg sync.WaitGroup
		errs := make([]error, clockProbes)
		for k := range clockProbes {
			at := from + (to-from)*int64(k)/int64(clockProbes-1)
			wg.Go(func() {
				if d := time.Until(time.Unix(0, at)); d > 0 {
					t := time.NewTimer(d)
					defer t.Stop()
					select {
					case <-ctx.Done():
						errs[k] = ctx.Err()
						return
					case <-t.C:
					}
				}
				errs[k] = m.probe(ctx, hc, url)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return ClockOffset{}, err
		}
	}
	return m.result(url), nil
}

// clockBound is the interval [lo, hi] (ns) the offset is known to lie in.
type clockBound struct {
	mu     sync.Mutex
	lo, hi int64
	probes int
}

// probe makes one request and narrows the bound by its Date header.
func (m *clockBound) probe(ctx context.Context, hc *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("targets: clock probe: %w", err)
	}
	t1 := time.Now().UnixNano()
	resp, err := hc.Do(req)
	t2 := time.Now().UnixNano()
	if err != nil {
		return fmt.Errorf("targets: clock probe: %w", err)
	}
	_ = resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return fmt.Errorf("targets: clock probe: %s answered without a usable Date header: %w", url, err)
	}
	d := date.UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.probes++
	// The endpoint's time s, in [d, d+1s), was read at a local time in
	// [t1, t2]: s - local lies in [d - t2, d + 1s - t1].
	m.lo = max(m.lo, d-t2)
	m.hi = min(m.hi, d+int64(time.Second)-t1)
	return nil
}

func (m *clockBound) width() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Duration(m.hi - m.lo)
}

func (m *clockBound) result(url string) ClockOffset {
	m.mu.Lock()
	defer m.mu.Unlock()
	lo, hi := m.lo, m.hi
	if lo > hi { // answers that disagree: a clock that stepped, or a fleet out of step
		lo, hi = hi, lo
	}
	return ClockOffset{
		Offset:      time.Duration(lo + (hi-lo)/2),
		Uncertainty: time.Duration((hi - lo + 1) / 2),
		Reference:   "Date header of " + url,
		Probes:      m.probes,
	}
}
