package scenarios

import (
	"encoding/json"
	"github.com/kbench/kbench/generators"
	"math"
	"testing"
	"time"
)

func TestPacers(t *testing.T) {
	tests := []struct {
		name      string
		rate      Rate
		peak      float64
		at        time.Duration
		wantRate  float64 // whole producer's rate at `at`
		instances int
	}{
		{"constant", Rate{Profile: "constant", Options: &generators.ConstantRate{RPS: 100}}, 100, time.Second, 100, 4},
		{"poisson", Rate{Profile: "poisson", Options: &generators.PoissonRate{RPS: 80}}, 80, time.Second, 80, 2},
		{"ramp", Rate{Profile: "ramp", Options: &generators.RampRate{From: 0, To: 200, Over: 10 * time.Second}}, 200, 5 * time.Second, 100, 2},
		{"steps", Rate{Profile: "steps", Options: &generators.StepsRate{Steps: []generators.Step{{RPS: 10, For: time.Second}, {RPS: 30, For: time.Second}}}}, 30, 1500 * time.Millisecond, 30, 3},
		{"sine", Rate{Profile: "sine", Options: &generators.SineRate{Base: 50, Amplitude: 20, Period: 4 * time.Second}}, 70, time.Second, 70, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Producer{Name: "p", Rate: tt.rate, Concurrency: tt.instances, Seed: 1}
			if got := tt.rate.Peak(); got != tt.peak {
				t.Errorf("Peak() = %g, want %g", got, tt.peak)
			}
			whole, err := p.Pacer()
			if err != nil {
				t.Fatal(err)
			}
			if got := whole.Rate(tt.at); math.Abs(got-tt.wantRate) > 1e-9 {
				t.Errorf("Pacer().Rate(%s) = %g, want %g", tt.at, got, tt.wantRate)
			}
			for i := range tt.instances {
				one, err := p.InstancePacer(i)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := one.Rate(tt.at), tt.wantRate/float64(tt.instances); math.Abs(got-want) > 1e-9 {
					t.Errorf("InstancePacer(%d).Rate(%s) = %g, want %g", i, tt.at, got, want)
				}
			}
			if _, err := p.InstancePacer(tt.instances); err == nil {
				t.Error("InstancePacer past Concurrency succeeded")
			}
		})
	}
	if _, err := (Producer{Rate: Rate{Profile: "square"}}).Pacer(); err == nil {
		t.Error("unknown profile built a pacer")
	}
	s := &Scenario{Producers: []Producer{{Rate: Rate{Profile: "constant", Options: &generators.ConstantRate{RPS: 10}}}, {Rate: Rate{Profile: "sine", Options: &generators.SineRate{Base: 5, Amplitude: 5}}}}}
	if got := s.PeakRate(); got != 20 {
		t.Errorf("PeakRate() = %g, want 20", got)
	}
}

// TestScenarioInstancePacer checks that a rate event switches each
// instance's pacer at its time to its share of the new rate, and only for
// the producer it names.
func TestScenarioInstancePacer(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`name: t
duration: 10s
producers:
  - {name: a, generator: payments, concurrency: 2, rate: {profile: constant, rps: 100}}
  - {name: b, generator: iot, rate: {profile: poisson, rps: 40}}
events:
  - {at: 2s, producer: a, rate: {profile: poisson, rps: 600}}
  - {at: 1s, producer: a, rate: {profile: constant, rps: 300}}
  - {at: 3s, producer: b, rate: {profile: constant, rps: 10}}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.PeakRate(); got != 640 {
		t.Errorf("PeakRate() = %g, want 600 + 40", got)
	}
	for inst := range 2 {
		p, err := s.InstancePacer(0, inst)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			at   time.Duration
			want float64
		}{{500 * time.Millisecond, 50}, {time.Second, 150}, {2500 * time.Millisecond, 300}} {
			if got := p.Rate(r.at); got != r.want {
				t.Errorf("instance %d: Rate(%s) = %g, want %g", inst, r.at, got, r.want)
			}
		}
		// 50 records/s per instance until 1 s, then 150/s: record 50 is due
		// at 1 s, record 51 1/150 s later, record 200 at 2 s (the Poisson
		// step, whose first record is due at its start).
		want := map[uint64]time.Duration{49: 980 * time.Millisecond, 50: time.Second, 51: 1006666667, 200: 2 * time.Second}
		prev := time.Duration(0)
		for n := range uint64(400) {
			got, ok := p.Due(n)
			if !ok || got < prev {
				t.Fatalf("instance %d: Due(%d) = %v, %v after %v", inst, n, got, ok, prev)
			}
			prev = got
			if w, check := want[n]; check && got != w {
				t.Errorf("instance %d: Due(%d) = %v, want %v", inst, n, got, w)
			}
		}
	}
	// The two instances' Poisson steps draw different gaps.
	p0, _ := s.InstancePacer(0, 0)
	p1, _ := s.InstancePacer(0, 1)
	var d0, d1 time.Duration
	for n := range uint64(202) {
		d0, _ = p0.Due(n)
		d1, _ = p1.Due(n)
	}
	if d0 == d1 {
		t.Errorf("both instances' record 201 due at %v", d0)
	}
	b, err := s.InstancePacer(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Rate(2*time.Second) != 40 || b.Rate(3*time.Second) != 10 {
		t.Errorf("producer b's rate = %g then %g, want 40 then 10", b.Rate(2*time.Second), b.Rate(3*time.Second))
	}
	// Without events it is Producer.InstancePacer.
	plain := &Scenario{Producers: s.Producers}
	q, err := plain.InstancePacer(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := q.Due(200); at != 4*time.Second || q.Rate(5*time.Second) != 50 {
		t.Errorf("without events: Due(200) = %v, Rate = %g; want 4s, 50", at, q.Rate(5*time.Second))
	}
	for _, bad := range [][2]int{{-1, 0}, {2, 0}, {0, 2}} {
		if _, err := s.InstancePacer(bad[0], bad[1]); err == nil {
			t.Errorf("InstancePacer(%d, %d) succeeded", bad[0], bad[1])
		}
	}
}

// A rate marshals as the file has it: the profile beside its fields.
func TestRateJSON(t *testing.T) {
	data, err := json.Marshal(Rate{Profile: "ramp", Options: &generators.RampRate{From: 1, To: 9, Over: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"from":1,"over":"1s","profile":"ramp","to":9}`; string(data) != want {
		t.Errorf("json = %s, want %s", data, want)
	}
}
