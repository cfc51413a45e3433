package generators

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// schedule reads the recorded pacer's offsets for up to limit records, as
// the producer does: Due(n), then Next.
func schedule(t *testing.T, g Generator, limit int) []time.Duration {
	t.Helper()
	p := g.(Paced).Pacer()
	if p == nil {
		t.Fatal("no recorded pacer")
	}
	var out []time.Duration
	for n := range uint64(limit) {
		at, ok := p.Due(n)
		if !ok {
			break
		}
		out = append(out, at)
		g.Next(nil, 0)
	}
	return out
}

func recorded(speed float64, edit func(*ReplayOptions)) func(*ReplayOptions) {
	return func(o *ReplayOptions) {
		o.Pace, o.TimeField, o.Speed = paceRecorded, "$.ts", speed
		if edit != nil {
			edit(o)
		}
	}
}

// TestReplayRecordedPace checks that the send schedule reproduces the
// file's gaps, divided by speed, for each way of writing a time.
func TestReplayRecordedPace(t *testing.T) {
	ms := time.Millisecond
	gaps := []time.Duration{0, 100 * ms, 350 * ms, 1350 * ms, 1351 * ms, 61351 * ms}
	base := time.Date(2025, 11, 28, 9, 0, 0, 175e6, time.UTC)
	lines := func(format func(time.Time) string) string {
		var b strings.Builder
		for i, g := range gaps {
			fmt.Fprintf(&b, "{\"i\":%d,\"ts\":%s}\n", i, format(base.Add(g)))
		}
		return b.String()
	}
	formats := map[string]func(time.Time) string{
		"RFC 3339":             func(t time.Time) string { return `"` + t.Format(time.RFC3339Nano) + `"` },
		"RFC 3339 with a zone": func(t time.Time) string { return `"` + t.In(time.FixedZone("", 3600)).Format(time.RFC3339Nano) + `"` },
		"epoch seconds":        func(t time.Time) string { return fmt.Sprintf("%d.%03d", t.Unix(), t.Nanosecond()/1e6) },
		"epoch milliseconds":   func(t time.Time) string { return fmt.Sprint(t.UnixMilli()) },
		"epoch millis as text": func(t time.Time) string { return fmt.Sprintf(`"%d"`, t.UnixMilli()) },
	}
	for name, format := range formats {
		for _, speed := range []float64{1, 60} {
			t.Run(fmt.Sprintf("%s at speed %g", name, speed), func(t *testing.T) {
				g, err := replayGen(t, lines(format), recorded(speed, nil))
				if err != nil {
					t.Fatal(err)
				}
				got := schedule(t, g, 100)
				if len(got) != len(gaps) {
					t.Fatalf("%d records scheduled, want %d", len(got), len(gaps))
				}
				for i, gap := range gaps {
					want := time.Duration(float64(gap) / speed)
					if d := got[i] - want; d < -time.Microsecond || d > time.Microsecond {
						t.Errorf("record %d due at %v, want %v (the file's gap over speed %g)", i, got[i], want, speed)
					}
				}
			})
		}
	}
}

// TestReplayRecordedCSVOutOfOrderAndLoop: a CSV time column; a record
// older than the one before it goes right after it; a looping file's next
// pass starts where the last ended; sampled records keep their own times.
func TestReplayRecordedCSVOutOfOrderAndLoop(t *testing.T) {
	body := "ts,v\n1764320400,a\n1764320401,b\n1764320400.5,c\n1764320403,d\n"
	g, err := replayGen(t, body, recorded(2, func(o *ReplayOptions) { o.Input, o.TimeField, o.Loop = inputCSV, "ts", true }))
	if err != nil {
		t.Fatal(err)
	}
	s := time.Second
	want := []time.Duration{0, s / 2, s / 2, 3 * s / 2, 3 * s / 2, 2 * s, 2 * s, 3 * s}
	got := schedule(t, g, len(want))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("schedule %v, want %v", got, want)
	}

	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "{\"ts\":%d}\n", 1764320400000+i*10) // one record every 10 ms
	}
	g, err = replayGen(t, b.String(), recorded(1, func(o *ReplayOptions) { o.Sample = 0.25 }))
	if err != nil {
		t.Fatal(err)
	}
	got = schedule(t, g, 1000)
	if len(got) < 200 || len(got) > 300 {
		t.Fatalf("%d of 1000 records sampled, want about 250", len(got))
	}
	for i, at := range got {
		if at%(10*time.Millisecond) != 0 || i > 0 && at <= got[i-1] {
			t.Fatalf("record %d due at %v: sampled records keep their own 10 ms grid times, in order", i, at)
		}
	}
}

// TestReplayRecordedDropAndRate: records the producer never generated (the
// run stopped) are skipped by Due, and Rate counts the records the file
// schedules in each second.
func TestReplayRecordedDropAndRate(t *testing.T) {
	var b strings.Builder
	for i := range 30 { // 10 records in second 0, 20 in second 1
		ms := i * 100
		if i >= 10 {
			ms = 1000 + (i-10)*50
		}
		fmt.Fprintf(&b, "{\"ts\":%d}\n", 1764320400000+ms)
	}
	g, err := replayGen(t, b.String(), recorded(1, nil))
	if err != nil {
		t.Fatal(err)
	}
	p := g.(Paced).Pacer()
	if at, ok := p.Due(0); !ok || at != 0 {
		t.Fatalf("Due(0) = %v, %v", at, ok)
	}
	g.Next(nil, 0)
	if at, ok := p.Due(12); !ok || at != 1100*time.Millisecond {
		t.Errorf("Due(12) after one record = %v, %v; want record 12's 1.1s", at, ok)
	}
	for n := uint64(13); n < 30; n++ {
		p.Due(n)
	}
	if _, ok := p.Due(30); ok {
		t.Error("Due(30) past the file's end is ok")
	}
	if r0, r1, r2 := p.Rate(500*time.Millisecond), p.Rate(1500*time.Millisecond), p.Rate(2500*time.Millisecond); r0 != 10 || r1 != 20 || r2 != 0 {
		t.Errorf("Rate = %g, %g, %g; want the file's 10, 20 and 0 records in seconds 0, 1 and 2", r0, r1, r2)
	}
	if _, self := (&ReplayOptions{Pace: paceRecorded}).SelfPaced(); !self {
		t.Error("pace: recorded options are not self-paced")
	}
	if g, _ := replayGen(t, "{}\n", nil); g.(Paced).Pacer() != nil {
		t.Error("pace: rate replay has a pacer of its own")
	}
}

// TestRecordedRateWhileReading: a second the reader has not finished reading
// shows the second before it.
func TestRecordedRateWhileReading(t *testing.T) {
	g := &replay{}
	p := recordedPacer{g: g}
	for _, at := range []time.Duration{0, 400 * time.Millisecond, 1200 * time.Millisecond} {
		g.perSec.add(at)
	}
	if r := p.Rate(1500 * time.Millisecond); r != 2 {
		t.Errorf("Rate in second 1 while it is read = %g, want second 0's 2", r)
	}
	g.perSec.add(2 * time.Second)
	if r := p.Rate(1500 * time.Millisecond); r != 1 {
		t.Errorf("Rate in second 1 once read = %g, want 1", r)
	}
	// A sparse file read for a long time without Rate keeps few counts.
	for sec := range 3 * keepSeconds {
		g.perSec.add(time.Duration(10+sec) * time.Second)
	}
	if n := len(g.perSec.n); n > 2*keepSeconds {
		t.Errorf("%d seconds counted, want at most %d", n, 2*keepSeconds)
	}
}

func TestReplayRecordedProblems(t *testing.T) {
	tests := []struct {
		name, body string
		edit       func(*ReplayOptions)
		field, msg string
	}{
		{"no time field", "{}\n", func(o *ReplayOptions) { o.Pace = paceRecorded }, "time_field", "is required with pace: recorded"},
		{"time field without recorded", "{}\n", func(o *ReplayOptions) { o.TimeField = "ts" }, "time_field", "only used with pace: recorded"},
		{"unknown pace", "{}\n", func(o *ReplayOptions) { o.Pace = "fast" }, "pace", `unknown pace "fast"`},
		{"speed zero", "{\"ts\":1}\n", recorded(0, nil), "speed", "must be greater than 0"},
		{"base64", "AA==\n", recorded(1, func(o *ReplayOptions) { o.Input = inputBase64 }), "pace", "opaque"},
		{"missing time", "{\"ts\":1}\n{\"t\":2}\n", recorded(1, nil), "file", "data:2: no field $.ts (time_field)"},
		{"bad time", "{\"ts\":1}\n{\"ts\":\"yesterday\"}\n", recorded(1, nil), "file", `data:2: time_field $.ts: "\"yesterday\"" is not a time`},
		{"bad CSV time", "ts\n2025-11-28T09:00:00Z\nnoon\n", recorded(1, func(o *ReplayOptions) { o.Input, o.TimeField = inputCSV, "ts" }), "file", `data:3: time_field ts: "noon" is not a time`},
		{"unknown time column", "a\n1\n", recorded(1, func(o *ReplayOptions) { o.Input, o.TimeField = inputCSV, "ts" }), "file", `"ts" is not a column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := replayGen(t, tt.body, tt.edit)
			if err == nil || !strings.Contains(err.Error(), tt.field+": ") || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v; want %s: …%s…", err, tt.field, tt.msg)
			}
		})
	}
}

func TestParseRecordTime(t *testing.T) {
	for in, want := range map[string]string{
		"1764320400":                  "2025-11-28T09:00:00Z",
		"1764320400.06":               "2025-11-28T09:00:00.06Z",
		"1764320400060":               "2025-11-28T09:00:00.06Z",
		"1764320400060.5":             "2025-11-28T09:00:00.0605Z",
		"1.76432040006e12":            "2025-11-28T09:00:00.06Z",
		"1.7643204e9":                 "2025-11-28T09:00:00Z",
		`"2025-11-28T10:00:00+01:00"`: "2025-11-28T09:00:00Z",
		"2025-11-28 09:00:00":         "2025-11-28T09:00:00Z",
		"99999999999":                 "5138-11-16T09:46:39Z",
		"100000000000":                "1973-03-03T09:46:40Z",
	} {
		got, err := parseRecordTime(in)
		if err != nil || got.UTC().Format(time.RFC3339Nano) != want {
			t.Errorf("parseRecordTime(%s) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "noon", "1e400", "NaN", "99999999999999999999", "true", "{}"} {
		if got, err := parseRecordTime(bad); err == nil {
			t.Errorf("parseRecordTime(%q) = %v, want an error", bad, got)
		}
	}
}

// TestReplayRecordedDivided: with pace: recorded, instances dividing the
// file schedule each record at the time one instance would, also for
// out-of-order records, sampled ones and a looping file's later passes.
func TestReplayRecordedDivided(t *testing.T) {
	body := "ts,v\n1764320400,a\n1764320401,b\n1764320400.5,c\n1764320403,d\n1764320403.25,e\n"
	opts := recorded(2, func(o *ReplayOptions) { o.Input, o.TimeField, o.Loop, o.KeyField = inputCSV, "ts", true, "v" })
	whole, err := replayGen(t, body, opts)
	if err != nil {
		t.Fatal(err)
	}
	const n, parts = 15, 2 // three passes
	want := schedule(t, whole, n)
	for k := range parts {
		g, err := replayGen(t, body, opts)
		if err != nil {
			t.Fatal(err)
		}
		g.(Divisible).Divide(k, parts)
		got := schedule(t, g, (n-k+parts-1)/parts)
		for j, at := range got {
			if i := k + j*parts; at != want[i] {
				t.Errorf("instance %d's record %d (record %d) due at %v, want %v as with one instance", k, j, i, at, want[i])
			}
		}
	}

	// Sampling: the kept records keep the times one instance gives them,
	// counted from the file's first record.
	g, err := replayGen(t, body, recorded(2, func(o *ReplayOptions) {
		o.Input, o.TimeField, o.Sample = inputCSV, "ts", 0.5
	}))
	if err != nil {
		t.Fatal(err)
	}
	g.(Divisible).Divide(1, 2)
	for _, at := range schedule(t, g, 10) {
		if at != want[1] && at != want[3] {
			t.Errorf("sampled record of instance 1 due at %v; want %v or %v", at, want[1], want[3])
		}
	}
}
