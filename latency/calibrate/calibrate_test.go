package calibrate

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// writeHlog writes values (one interval) as dir/name.
func writeHlog(t *testing.T, dir, name string, values []time.Duration) {
	t.Helper()
	h := metrics.NewHistogram()
	for _, v := range values {
		if err := h.RecordValue(int64(v)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Unix(1_800_000_000, 0)
	w, err := results.NewHlogWriter(f, start)
	if err == nil {
		err = w.Write(h, start, start.Add(time.Second))
	}
	if err != nil {
		t.Fatal(err)
	}
}

func draws(d latency.Dist, n int, extra func(r *rand.Rand) time.Duration) []time.Duration {
	r := rand.New(rand.NewPCG(9, 9))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d.Sample(r)
		if extra != nil {
			out[i] += extra(r)
		}
	}
	return out
}

func quantiles(vs []time.Duration) results.LatencyStats {
	h := metrics.NewHistogram()
	for _, v := range vs {
		_ = h.RecordValue(int64(v))
	}
	return results.LatencyFrom(h)
}

// TestCalibrateFanOutPrimaryPollingSecond builds a results directory by
// hand: a fan-out primary consumer (its histogram in the .hlog), a polling
// application beside it (only its summary percentiles), one with simulated
// processing, and arrival stamps ahead of the client's clock.
func TestCalibrateFanOutPrimaryPollingSecond(t *testing.T) {
	put, _ := latency.LogNormal(20*ms, 80*ms)
	fan, _ := latency.LogNormal(60*ms, 180*ms)
	prop, _ := latency.LogNormal(150*ms, 400*ms)
	const wait = 500 * time.Millisecond
	dir := t.TempDir()
	writeHlog(t, dir, "put.hlog", draws(put, 20000, nil))
	writeHlog(t, dir, "send_to_arrival.hlog", draws(put, 20000, func(*rand.Rand) time.Duration { return 40 * ms }))
	writeHlog(t, dir, "arrival_to_consumed.hlog", draws(fan, 20000, nil))
	polled := quantiles(draws(prop, 20000, func(r *rand.Rand) time.Duration { return time.Duration(r.Float64() * float64(wait)) }))
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion, RunID: "r1", Target: results.TargetInfo{Kind: "aws"},
		Config: results.RunInfo{Name: "eu"},
		Scenario: map[string]any{"consumers": []any{
			map[string]any{"name": "slow", "poll_interval": "200ms", "processing": map[string]any{"fixed": "5ms", "median": "0s", "p99": "0s"}},
			map[string]any{"name": "f"},
			map[string]any{"name": "p", "poll_interval": "500ms", "processing": map[string]any{"fixed": "0s"}},
		}},
		Consumers: []results.ConsumerStats{
			{Name: "slow", Kind: "polling", Latency: map[string]results.LatencyStats{"arrival_to_consumed": polled}},
			{Name: "f", Kind: "fanout", Primary: true},
			{Name: "p", Kind: "polling", Latency: map[string]results.LatencyStats{"arrival_to_consumed": polled}},
		},
	}
	if err := results.WriteSummary(dir, s); err != nil {
		t.Fatal(err)
	}
	cal, err := Calibrate(dir, latency.AWS())
	if err != nil {
		t.Fatal(err)
	}
	p := cal.Profile
	t.Logf("%v\nwarnings: %q", p, cal.Warnings)
	if p.Name != "calibrated-eu" || p.Put.Kind() != latency.KindTable || p.FanOut.Kind() != latency.KindTable || p.Propagation.Kind() != latency.KindLogNormal {
		t.Errorf("profile %v", p)
	}
	for _, c := range []struct {
		what      string
		got, want latency.Dist
		q, tol    float64
	}{
		{"put", p.Put, put, 0.5, 0.02}, {"put", p.Put, put, 0.99, 0.04},
		{"fan-out", p.FanOut, fan, 0.5, 0.02}, {"fan-out", p.FanOut, fan, 0.99, 0.04},
		// three percentiles only, and a wait of 500 ms beside a 150 ms median
		{"propagation", p.Propagation, prop, 0.5, 0.1}, {"propagation", p.Propagation, prop, 0.99, 0.15},
	} {
		near(t, fmt.Sprintf("%s p%v", c.what, c.q*100), c.got.Quantile(c.q), c.want.Quantile(c.q), c.tol)
	}
	warnings := strings.Join(cal.Warnings, "\n")
	for _, w := range []string{"consumer slow simulated processing (fixed 5ms)", "the service's clock runs ahead of the client's by at least 40ms"} {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings %q lack %q", cal.Warnings, w)
		}
	}
	if got := strings.Join(p.Assumptions, "\n"); strings.Contains(got, "from profile aws") {
		t.Errorf("every part was measured, yet aws's assumptions were copied: %q", p.Assumptions)
	}
	// The profile written by Encode reads back the same.
	back, err := latency.Decode("p.yaml", latency.Encode(p, "calibrated"))
	if err != nil || back.String() != p.String() {
		t.Errorf("round trip: %v, %v", back, err)
	}
}

func TestCalibrateMissingInput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		setup func()
		want  string
	}{
		{func() {}, "summary.json"},
		{func() { _ = results.WriteSummary(dir, &results.Summary{SchemaVersion: results.SchemaVersion}) }, filepath.Join(dir, "put.hlog") + " is missing"},
		{func() { writeHlog(t, dir, "put.hlog", nil) }, filepath.Join(dir, "send_to_arrival.hlog") + " is missing"},
		{func() {
			writeHlog(t, dir, "send_to_arrival.hlog", nil)
			writeHlog(t, dir, "arrival_to_consumed.hlog", nil)
		}, "holds no PutRecords calls"},
	} {
		c.setup()
		_, err := Calibrate(dir, latency.None())
		var ie *InputError
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.As(err, &ie) {
			t.Errorf("got %v, want an InputError containing %q", err, c.want)
		}
	}
	if _, err := Calibrate(filepath.Join(dir, "nope"), latency.None()); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing directory: %v", err)
	}
}

const ms = time.Millisecond

func near(t *testing.T, what string, got, want time.Duration, rel float64) {
	t.Helper()
	if math.Abs(float64(got-want)) > rel*float64(want) {
		t.Errorf("%s = %v, want %v ± %.1f%%", what, got, want, rel*100)
	}
}
