package generators

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/envelope"
)

// replayGen resolves, validates and builds replay options over a file
// holding body.
func replayGen(t *testing.T, body string, edit func(*ReplayOptions)) (Generator, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	o := &ReplayOptions{File: "data", Input: inputJSONL, Sample: 1}
	if edit != nil {
		edit(o)
	}
	o.Resolve(dir)
	g, err := New(o, 1)
	if err == nil {
		t.Cleanup(func() { _ = g.(*replay).Close() })
	}
	return g, err
}

// drain reads every record of a finite replay (at most limit), with the
// envelope put in place as the producer does.
func drain(t *testing.T, g Generator, limit int) (recs [][]byte, entities []string) {
	t.Helper()
	slot, inside := SlotOf(g)
	for i := 0; i < limit && !g.(Finite).Exhausted(); i++ {
		e := envelope.Envelope{RunID: 5, Seq: uint64(i)}
		var rec []byte
		if !inside {
			rec = e.Append(rec)
		}
		rec, ent := g.Next(rec, 0)
		if inside {
			slot.Put(rec, &e)
		}
		if got, err := Envelope(rec); err != nil || got != e {
			t.Fatalf("record %d %q: Envelope = %+v, %v; want %+v", i, rec, got, err, e)
		}
		recs, entities = append(recs, rec), append(entities, ent)
	}
	return recs, entities
}

func TestReplayJSONLines(t *testing.T) {
	body := `{"pan_token":"tok_a","amt":12.5,"meta":{"ts":"2026-01-01T00:00:00Z"}}

{"pan_token":"tok_b","amt":3,"meta":{"ts":"2026-01-01T00:00:01Z"}}
{}
`
	t.Run("as is", func(t *testing.T) {
		g, err := replayGen(t, body, nil)
		if err != nil {
			t.Fatal(err)
		}
		recs, ents := drain(t, g, 10)
		if len(recs) != 3 || fmt.Sprint(ents) != "[1 3 4]" {
			t.Fatalf("%d records, entities %v; want 3 records keyed by line number", len(recs), ents)
		}
		var v map[string]any
		if err := json.Unmarshal(recs[0], &v); err != nil || v["pan_token"] != "tok_a" || v["amt"] != 12.5 || v["_kb"] == nil {
			t.Errorf("record 0 = %s (%v): want the line with _kb added", recs[0], err)
		}
		if err := json.Unmarshal(recs[2], &v); err != nil {
			t.Errorf("{} became %s: %v", recs[2], err)
		}
	})
	t.Run("mapped", func(t *testing.T) {
		g, err := replayGen(t, body[:strings.LastIndex(body, "{}")], func(o *ReplayOptions) {
			o.KeyField = "$.pan_token"
			o.Fields = map[string]string{"card": "$.pan_token", "amount": "amt", "ts": "$.meta.ts"}
		})
		if err != nil {
			t.Fatal(err)
		}
		recs, ents := drain(t, g, 10)
		if fmt.Sprint(ents) != "[tok_a tok_b]" {
			t.Fatalf("entities %v; want the key field", ents)
		}
		var v struct {
			KB     string  `json:"_kb"`
			Card   string  `json:"card"`
			Amount float64 `json:"amount"`
			TS     string  `json:"ts"`
		}
		strictJSON(t, recs[1], &v)
		if v.Card != "tok_b" || v.Amount != 3 || v.TS != "2026-01-01T00:00:01Z" {
			t.Errorf("mapped record = %+v", v)
		}
	})
}

func TestReplayCSVAndBase64(t *testing.T) {
	csvBody := "card,amount,note\ntok_a,1.50,\"a, b\"\ntok_b,2.00,x\n"
	g, err := replayGen(t, csvBody, func(o *ReplayOptions) { o.Input = inputCSV; o.KeyField = "card" })
	if err != nil {
		t.Fatal(err)
	}
	recs, ents := drain(t, g, 10)
	if fmt.Sprint(ents) != "[tok_a tok_b]" || !strings.HasSuffix(string(recs[0]), `,tok_a,1.50,"a, b"`+"\n") {
		t.Fatalf("records %q, entities %v", recs, ents)
	}
	row := csvRow(t, recs[0], 3)
	if row[1] != "tok_a" || row[3] != "a, b" {
		t.Errorf("CSV record columns %q", row)
	}

	g, err = replayGen(t, csvBody, func(o *ReplayOptions) {
		o.Input = inputCSV
		o.Fields = map[string]string{"card": "card", "amount": "amount"}
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ = drain(t, g, 10)
	var v map[string]any
	if err := json.Unmarshal(recs[1], &v); err != nil || v["card"] != "tok_b" || v["amount"] != "2.00" {
		t.Errorf("mapped CSV record %s: %v", recs[1], err)
	}

	raw := []byte{0, 1, 2, 0xff}
	g, err = replayGen(t, base64.StdEncoding.EncodeToString(raw)+"\n", func(o *ReplayOptions) { o.Input = inputBase64 })
	if err != nil {
		t.Fatal(err)
	}
	recs, _ = drain(t, g, 10)
	if len(recs) != 1 || string(recs[0][envelope.Size:]) != string(raw) {
		t.Errorf("base64 records %x; want the envelope, then %x", recs, raw)
	}
}

func TestReplaySampleAndLoop(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "{\"i\":%d}\n", i)
	}
	g, err := replayGen(t, b.String(), func(o *ReplayOptions) { o.Sample = 0.25 })
	if err != nil {
		t.Fatal(err)
	}
	recs, ents := drain(t, g, 2000)
	if len(recs) < 200 || len(recs) > 300 {
		t.Errorf("sample 0.25 of 1000 lines sent %d", len(recs))
	}
	for i := 1; i < len(ents); i++ {
		if len(ents[i]) < len(ents[i-1]) || len(ents[i]) == len(ents[i-1]) && ents[i] <= ents[i-1] {
			t.Fatalf("sampled lines out of order: %v", ents[:i+1])
		}
	}

	g, err = replayGen(t, "{\"a\":1}\n{\"a\":2}\n", func(o *ReplayOptions) { o.Loop = true })
	if err != nil {
		t.Fatal(err)
	}
	_, ents = drain(t, g, 5)
	if fmt.Sprint(ents) != "[1 2 1 2 1]" {
		t.Errorf("looping entities %v", ents)
	}
	if err := g.(*replay).Close(); err != nil {
		t.Errorf("Close of a looping replay = %v", err)
	}
}

func TestReplayProblems(t *testing.T) {
	tests := []struct {
		name, body string
		edit       func(*ReplayOptions)
		field, msg string
	}{
		{"no file", "", func(o *ReplayOptions) { o.File = "" }, "file", "is required"},
		{"missing file", "", func(o *ReplayOptions) { o.File = "nope" }, "file", "no such file"},
		{"empty", "\n\n", nil, "file", "holds no records"},
		{"bad JSON names the line", "{\"a\":1}\n{oops\n", nil, "file", "data:2: not a JSON object"},
		{"missing key field", "{\"a\":1}\n", func(o *ReplayOptions) { o.KeyField = "$.card" }, "file", "data:1: no field $.card (key_field)"},
		{"missing mapped field", "{\"a\":1}\n", func(o *ReplayOptions) { o.Fields = map[string]string{"card": "b.c"} }, "file", "no field b.c (fields.card)"},
		{"unknown column", "a,b\n1,2\n", func(o *ReplayOptions) { o.Input = inputCSV; o.KeyField = "card" }, "file", `"card" is not a column`},
		{"short CSV row", "a,b\n1\n", func(o *ReplayOptions) { o.Input = inputCSV }, "file", "data:2: 1 columns; the header has 2"},
		{"bad base64", "!!\n", func(o *ReplayOptions) { o.Input = inputBase64 }, "file", "data:1: not base64"},
		{"opaque base64 with fields", "AA==\n", func(o *ReplayOptions) { o.Input = inputBase64; o.KeyField = "a" }, "input", "opaque"},
		{"bad input", "", func(o *ReplayOptions) { o.Input = "xml" }, "input", "unknown input"},
		{"bad sample", "{}\n", func(o *ReplayOptions) { o.Sample = 0 }, "sample", "greater than 0"},
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

// TestReplayBadLineLater checks that a bad line past the lines checked
// before the run is skipped and reported, with its line, by Close.
func TestReplayBadLineLater(t *testing.T) {
	var b strings.Builder
	for i := range checkLines + 5 {
		if i == checkLines+2 {
			b.WriteString("not json\n")
			continue
		}
		fmt.Fprintf(&b, "{\"i\":%d}\n", i)
	}
	g, err := replayGen(t, b.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := drain(t, g, 2*checkLines)
	if len(recs) != checkLines+4 {
		t.Errorf("%d records; want every good line", len(recs))
	}
	err = g.(*replay).Close()
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("data:%d: not a JSON object", checkLines+3)) || !strings.Contains(err.Error(), "1 lines skipped") {
		t.Errorf("Close = %v; want the bad line named", err)
	}
}

// BenchmarkReplay measures a replayed JSON line's path through the
// generator: read, mapped and handed to the producer.
func BenchmarkReplay(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "data.jsonl")
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, `{"pan_token":"tok_%08d","amt":%d.25,"merchant":"m_%d","ts":"2026-01-01T00:00:00Z"}`+"\n", i, i%500, i%97)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		edit func(*ReplayOptions)
	}{
		{"as-is", nil},
		{"mapped", func(o *ReplayOptions) {
			o.KeyField = "pan_token"
			o.Fields = map[string]string{"card": "$.pan_token", "amount": "$.amt"}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := &ReplayOptions{File: path, Input: inputJSONL, Sample: 1, Loop: true}
			if bc.edit != nil {
				bc.edit(o)
			}
			o.Resolve("")
			g, err := New(o, 1)
			if err != nil {
				b.Fatal(err)
			}
			defer g.(*replay).Close()
			buf := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = g.Next(buf[:0], 0)
			}
		})
	}
}

// FuzzReplayLine feeds the replay mapper arbitrary lines in every input: it
// must not panic, and a JSON record it makes must be JSON.
func FuzzReplayLine(f *testing.F) {
	f.Add(`{"a":{"b":1},"c":"x"}`)
	f.Add(`a,"b ""q""",c`)
	f.Add(`AAEC`)
	f.Fuzz(func(t *testing.T, line string) {
		for _, o := range []*ReplayOptions{
			{Input: inputJSONL},
			{Input: inputJSONL, KeyField: "a.b", Fields: map[string]string{"x": "$.c"}},
			{Input: inputCSV, header: []string{"a", "b", "c"}, KeyField: "b"},
			{Input: inputBase64},
		} {
			m, err := o.mapper()
			if err != nil {
				t.Fatal(err)
			}
			rec, _, _, err := m.record(nil, []byte(line), 1)
			if err == nil && o.Input == inputJSONL {
				slot := jsonSlot
				(&slot).Put(rec, &envelope.Envelope{})
				if !json.Valid(rec) {
					t.Fatalf("%q became %q, not JSON", line, rec)
				}
			}
		}
	})
}

// TestReplayDivided: three instances dividing a file send each of its
// records once between them (record i by instance i mod 3), and looping,
// once a pass: the file's records times the passes, none twice. Bad lines
// are skipped (and reported) by their owner alone.
func TestReplayDivided(t *testing.T) {
	const lines, parts = 100, 3
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "{\"i\":%d}\n", i)
	}
	for _, loop := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "data")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		o := &ReplayOptions{File: path, Input: inputJSONL, Sample: 1, KeyField: "$.i", Loop: loop}
		o.Resolve(dir)
		passes := 1
		if loop {
			passes = 3
		}
		seen := map[string]int{}
		for k := range parts {
			g, err := New(o, int64(k))
			if err != nil {
				t.Fatal(err)
			}
			g.(Divisible).Divide(k, parts)
			// Each instance's share of the sequence the passes make.
			want := (lines*passes - k + parts - 1) / parts
			_, ents := drain(t, g, want)
			if len(ents) != want {
				t.Errorf("loop %v: instance %d sent %d records, want %d", loop, k, len(ents), want)
			}
			for j, e := range ents {
				if i := k + j*parts; e != fmt.Sprint(i%lines) {
					t.Fatalf("loop %v: instance %d's record %d is line %s, want line %d (record %d of the sequence)", loop, k, j, e, i%lines, i)
				}
				seen[e]++
			}
			if loop {
				continue
			}
			if !g.(Finite).Exhausted() {
				t.Errorf("instance %d has records beyond its share", k)
			}
		}
		for i := range lines {
			if n := seen[fmt.Sprint(i)]; n != passes {
				t.Errorf("loop %v: line %d sent %d times, want %d", loop, i, n, passes)
			}
		}
	}

	// A bad line past the lines checked before the run is its owner's to
	// skip and report: record 1001 is instance 2's.
	b.Reset()
	for i := range checkLines + 1 {
		fmt.Fprintf(&b, "{\"i\":%d}\n", i)
	}
	b.WriteString("not json\n{\"i\":1002}\n")
	for k, wantErr := range []bool{false, false, true} {
		g, err := replayGen(t, b.String(), func(o *ReplayOptions) { o.KeyField = "$.i" })
		if err != nil {
			t.Fatal(err)
		}
		g.(Divisible).Divide(k, 3)
		drain(t, g, 2000)
		if err := g.(*replay).Close(); (err != nil) != wantErr {
			t.Errorf("instance %d: Close = %v; want an error: %v", k, err, wantErr)
		}
	}
}
