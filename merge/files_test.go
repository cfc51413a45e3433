package merge

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kbench/kbench/results"
)

// TestMergeTimeseriesCoversEveryColumn sets every column of two workers'
// rows and checks each comes out of the merge: a column added to
// results.Row without a rule here fails.
func TestMergeTimeseriesCoversEveryColumn(t *testing.T) {
	// Columns the merge derives from other files: the percentiles from the
	// merged .hlog intervals, the backlog from the merged counts.
	derived := map[string]bool{"E2EP50": true, "E2EP99": true, "PutP99": true, "E2EMax": true, "PutP50": true,
		"Backlog": true, "Second": true, "Phase": true, "Destinations": true}
	var row results.Row
	setNumbers(&row, 3)
	row.Second, row.Phase, row.Destinations = 0, results.PhaseMeasure, nil
	m := &merger{}
	for i := range 2 {
		dir := t.TempDir()
		f, err := os.Create(filepath.Join(dir, results.TimeseriesFile))
		if err != nil {
			t.Fatal(err)
		}
		w, err := results.NewTimeseriesWriter(f)
		if err == nil {
			err = w.Write(row)
		}
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		m.ins = append(m.ins, &input{src: results.DirSource(dir), state: &results.WorkerState{Index: i}})
	}
	m.out = t.TempDir()
	rows, err := m.mergeTimeseries(nil, nil)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	out := reflect.ValueOf(rows[0])
	for i := range out.NumField() {
		name := out.Type().Field(i).Name
		if derived[name] {
			continue
		}
		if f := out.Field(i); f.IsZero() {
			t.Errorf("column %s is lost in the merge", name)
		}
	}
	if rows[0].Produced != 6 || rows[0].MillisBehind != 3 || rows[0].Backlog != 0 {
		t.Errorf("produced %d (want the sum 6), millis_behind %d (the max, 3), backlog %d (acked - consumed, 0)",
			rows[0].Produced, rows[0].MillisBehind, rows[0].Backlog)
	}
}

// TestMergeBottleneckKeepsEveryFigure: each worker's bottleneck figures
// reach the merged one (a field added to results.Bottleneck and left out
// of the merge read 0 there).
func TestMergeBottleneckKeepsEveryFigure(t *testing.T) {
	var b results.Bottleneck
	setNumbers(&b, 3)
	b.Kind = results.BottleneckNone
	m := &merger{}
	for i := range 2 {
		bi := b
		m.ins = append(m.ins, &input{sum: &results.Summary{Bottleneck: &bi}, state: &results.WorkerState{Index: i}})
	}
	out := m.bottleneck(nil, &results.Summary{})
	got := reflect.ValueOf(out).Elem()
	for i := range got.NumField() {
		name := got.Type().Field(i).Name
		if name == "BacklogGrowthRPS" { // judged on the merged time series
			continue
		}
		if f := got.Field(i); (f.Kind() == reflect.Float64 && f.Float() == 0) || (f.Kind() == reflect.Int && f.Int() == 0) {
			t.Errorf("merged bottleneck %s is 0, each worker's was 3", name)
		}
	}
}

// setNumbers sets every int and float64 field of the struct p points to to n.
func setNumbers(p any, n int) {
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(n))
		case reflect.Float64:
			f.SetFloat(float64(n))
		}
	}
}
