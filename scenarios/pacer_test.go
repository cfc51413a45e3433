package scenarios

import (
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
		{"constant", Rate{Profile: "constant", RPS: 100}, 100, time.Second, 100, 4},
		{"poisson", Rate{Profile: "poisson", RPS: 80}, 80, time.Second, 80, 2},
		{"ramp", Rate{Profile: "ramp", From: 0, To: 200, Over: 10 * time.Second}, 200, 5 * time.Second, 100, 2},
		{"steps", Rate{Profile: "steps", Steps: []Step{{RPS: 10, For: time.Second}, {RPS: 30, For: time.Second}}}, 30, 1500 * time.Millisecond, 30, 3},
		{"sine", Rate{Profile: "sine", Base: 50, Amplitude: 20, Period: 4 * time.Second}, 70, time.Second, 70, 2},
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
	s := &Scenario{Producers: []Producer{{Rate: Rate{Profile: "constant", RPS: 10}}, {Rate: Rate{Profile: "sine", Base: 5, Amplitude: 5}}}}
	if got := s.PeakRate(); got != 20 {
		t.Errorf("PeakRate() = %g, want 20", got)
	}
}
