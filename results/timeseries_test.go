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
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := results.ReadTimeseries(strings.NewReader(in))
		if err != nil {
			return
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
