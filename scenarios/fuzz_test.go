package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that any input gives either a valid scenario (whose
// cells expand, whose tree resolves and whose pacers build) or Problems,
// and never panics.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, "stream.shards=3")
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"), "producers[0]=x")
	f.Add([]byte("name: x\nproducers: [{<<: {generator: iot}, rate: {profile: steps, steps: [{rps: 1, for: 1s}]}}]\n"), "")
	f.Add([]byte("{"), "=")
	f.Add([]byte("name: x\nproducers: [{generator: iot, rate: &r {profile: constant, rps: 5}}]\nconsumers: [{processing: {median: 1ms, p99: 9ms}}]\nevents: [{at: 2s, rate: *r}, {at: 1s, update_shard_count: 2}]\n"), "events[1].at=3s")
	f.Add([]byte("name: x\nproducers: [{generator: replay, options: {file: data/card-transactions.jsonl, pace: recorded, time_field: $.event_time, speed: 60}}]\nconsumers: [{name: c}]\nevents: [{at: 1s, consumer: c, restart: {after: 1s}}]\n"), "producers[0].options.speed=2")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		s, err := Parse("fuzz.yaml", data, []string{set})
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v (%T) is not Problems", err, err)
			}
			return
		}
		if s == nil {
			t.Fatal("nil scenario without an error")
		}
		if _, err := s.Cells(); err != nil {
			t.Fatalf("valid scenario's cells fail: %v", err)
		}
		_ = s.Resolved()
		for i := range s.Producers {
			if s.Producers[i].SelfPaced() {
				continue // paced by its generator
			}
			p, err := s.InstancePacer(i, 0)
			if err != nil {
				t.Fatalf("valid scenario's pacer fails: %v", err)
			}
			for n := range uint64(3) {
				p.Due(n)
			}
		}
	})
}
