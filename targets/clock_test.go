package targets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestMeasureClock measures a server whose clock runs 3.25 s ahead of this
// one: the offset found must hold the true one within its uncertainty, and
// the uncertainty must be far below the Date header's one second.
func TestMeasureClock(t *testing.T) {
	const skew = 3250 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	got, err := MeasureClock(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("offset %v ± %v in %d probes", got.Offset, got.Uncertainty, got.Probes)
	if diff := (got.Offset - skew).Abs(); diff > got.Uncertainty+time.Millisecond {
		t.Errorf("offset %v, want %v within its uncertainty %v", got.Offset, skew, got.Uncertainty)
	}
	if got.Uncertainty > 50*time.Millisecond {
		t.Errorf("uncertainty %v: the probes did not narrow the one-second bound", got.Uncertainty)
	}
}
