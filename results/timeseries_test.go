package results_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

func TestTimeseriesRoundTrip(t *testing.T) {
	rows := []results.Row{
		{Second: 0, Phase: results.PhaseWarmup, TargetRPS: 666.667, Produced: 666, Acked: 600, Throttled: 3, Failed: 1, Consumed: 590,
			AckedBytes: 186000, ConsumedBytes: 182900, E2EP50: 210.5, E2EP99: 480.125, PutP99: 30.001, MillisBehind: 120, InFlight: 4, AckedKinesis: 12},
		{Second: 1, Phase: results.PhaseMeasure, TargetRPS: 2000},
		{Second: 2, Phase: results.PhaseDrain},
	}
	var buf bytes.Buffer
	w, err := results.NewTimeseriesWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "second,phase,target_rps,") {
		t.Errorf("header: %q", strings.SplitN(buf.String(), "\n", 2)[0])
	}
	got, err := results.ReadTimeseries(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rows)
	}
}

// TestTimeseriesDestinations: each destination of the application under
// test adds its columns after the run's own, and reads back by name; a row
// must carry the writer's destinations.
func TestTimeseriesDestinations(t *testing.T) {
	rows := []results.Row{
		{Second: 0, Phase: results.PhaseWarmup, Destinations: []results.DestinationRow{{Name: "alerts"}, {Name: "det.v2"}}},
		{Second: 1, Phase: results.PhaseMeasure, Acked: 200, Destinations: []results.DestinationRow{
			{Name: "alerts", Outputs: 3, E2EP50: 150.5, E2EP99: 480.25, Missing: 2}, {Name: "det.v2", Outputs: 200, E2EP50: 12, E2EP99: 30, Missing: 0}}},
	}
	var buf bytes.Buffer
	w, err := results.NewTimeseriesWriter(&buf, "alerts", "det.v2")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(results.Row{Second: 2}); err == nil {
		t.Error("a row without the destinations was written")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	header := strings.SplitN(buf.String(), "\n", 2)[0]
	if !strings.HasPrefix(header, "second,phase,") || !strings.HasSuffix(header, ",duplicates,acked_kinesis_records,destination.alerts.outputs,"+
		"destination.alerts.e2e_p50_ms,destination.alerts.e2e_p99_ms,destination.alerts.missing,destination.det.v2.outputs,"+
		"destination.det.v2.e2e_p50_ms,destination.det.v2.e2e_p99_ms,destination.det.v2.missing") {
		t.Errorf("header: %q", header)
	}
	got, err := results.ReadTimeseries(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, rows)
	}
	if names := results.TimeseriesDestinations(got); !reflect.DeepEqual(names, []string{"alerts", "det.v2"}) {
		t.Errorf("TimeseriesDestinations = %q", names)
	}
}

func TestReadTimeseries(t *testing.T) {
	tests := []struct {
		name, in string
		want     []results.Row
		wantErr  bool
	}{
		{"reordered and extra columns", "phase,extra,second,acked\nmeasure,x,7,12\n", []results.Row{{Second: 7, Phase: "measure", Acked: 12}}, false},
		{"header only", "second\n", nil, false},
		{"empty", "", nil, true},
		{"no second column", "phase\nwarmup\n", nil, true},
		{"bad number", "second,acked\n1,many\n", nil, true},
		{"not finite", "second,e2e_p99_ms\n1,NaN\n", nil, true},
		{"ragged", "second,acked\n1\n", nil, true},
		{"one destination column", "second,destination.x.missing,destination.\n4,7,1\n",
			[]results.Row{{Second: 4, Destinations: []results.DestinationRow{{Name: "x", Missing: 7}}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := results.ReadTimeseries(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzReadTimeseries(f *testing.F) {
	f.Add("second,phase,acked\n1,measure,3\n")
	f.Add("second,e2e_p99_ms\n1,1e308\n")
	f.Add("\"second\"\n\"1\n")
	f.Add("second,destination.a.outputs,destination.a.b.e2e_p99_ms\n1,2,3.5\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := results.ReadTimeseries(strings.NewReader(in))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w, err := results.NewTimeseriesWriter(&buf, results.TimeseriesDestinations(rows)...)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		again, err := results.ReadTimeseries(&buf)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if !reflect.DeepEqual(again, rows) {
			t.Fatalf("re-read differs:\n%+v\n%+v", again, rows)
		}
	})
}

func BenchmarkTimeseriesWrite(b *testing.B) {
	var buf bytes.Buffer
	w, err := results.NewTimeseriesWriter(&buf)
	if err != nil {
		b.Fatal(err)
	}
	r := results.Row{Second: 10, Phase: results.PhaseMeasure, TargetRPS: 2000, Produced: 2000, Acked: 1990, E2EP50: 210.5, E2EP99: 480.1}
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := w.Write(r); err != nil {
			b.Fatal(err)
		}
	}
}
