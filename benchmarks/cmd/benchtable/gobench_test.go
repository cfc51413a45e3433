package main

import (
	"bytes"
	"strings"
	"testing"
)

const sampleBench = `goos: linux
BenchmarkIngest/engine=sim-2         	    1527	    941696 ns/op	    500000 records/s	         0 throttled/op
BenchmarkIngest/engine=sim-2         	    1400	    941696 ns/op	    400000 records/s	         0 throttled/op
BenchmarkIngest/engine=sim-2         	    1600	    941696 ns/op	    600000 records/s	         0 throttled/op
BenchmarkIngest/engine=kinesis-mock-2	       9	 136262850 ns/op	      2000 records/s	         0 throttled/op
BenchmarkIngest/engine=kinesis-mock-2	       8	 136262850 ns/op	      4000 records/s	         0 throttled/op
BenchmarkSimMemoryShort-2   	       0	               NaN ns/op
--- BENCH: BenchmarkSimMemoryShort-2
    memory_test.go:83: measured once already in this process
PASS
`

func TestParseGoBench(t *testing.T) {
	res, err := parseGoBench(strings.NewReader(sampleBench))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("got %d benchmarks, want 2 (the 0-iteration line is skipped)", len(res))
	}
	sim := res[0]
	if sim.name != "BenchmarkIngest/engine=sim-2" || len(sim.values["records/s"]) != 3 {
		t.Fatalf("first benchmark %+v", sim)
	}
	if want := []string{"ns/op", "records/s", "throttled/op"}; strings.Join(sim.units, ",") != strings.Join(want, ",") {
		t.Errorf("units %v, want %v", sim.units, want)
	}
}

func TestWriteMedians(t *testing.T) {
	res, err := parseGoBench(strings.NewReader(sampleBench))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeMedians(&buf, res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"500000 records/s",
		"3000 records/s",
		"sim/kinesis-mock = 167x",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTrimProcs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"BenchmarkIngest/engine=sim-2", "BenchmarkIngest/engine=sim"},
		{"BenchmarkIngest/engine=kinesis-mock-16", "BenchmarkIngest/engine=kinesis-mock"},
		{"BenchmarkIngest/engine=kinesis-mock", "BenchmarkIngest/engine=kinesis-mock"},
		{"BenchmarkX", "BenchmarkX"},
	}
	for _, tc := range tests {
		if got := trimProcs(tc.in); got != tc.want {
			t.Errorf("trimProcs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{530957.4, "530957"},
		{0.9983, "0.9983"},
		{1.5, "1.500"},
		{0, "0"},
	}
	for _, tc := range tests {
		if got := formatValue(tc.in); got != tc.want {
			t.Errorf("formatValue(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
