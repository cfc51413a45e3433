package runner

import (
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/results"
)

// WorkerDestinationsFile is what a worker of a distributed run with an
// application under test writes about its destinations for kbench merge
// (WorkerDestinations, gob, gzip-compressed).
const WorkerDestinationsFile = "worker/destinations.gob.gz"

// maxDestinationsBytes bounds the uncompressed WorkerDestinationsFile the
// merge reads (4 GiB).
const maxDestinationsBytes = 4 << 30

// WorkerDestinations is one worker's raw destination state: enough for
// kbench merge to match an output read on one worker to an input produced
// on another, as one process would have.
type WorkerDestinations struct {
	// RunID is the run's id, which outputs matched by envelope carry.
	RunID uint64
	// WarmupEnd and MeasureEnd bound the measured inputs (Unix ns, the
	// same on every worker: they share the start).
	WarmupEnd, MeasureEnd int64
	// Inputs are the inputs the worker remembers by correlation value
	// (collectors.InputIndex.Dump), InputsAdded how many it remembered in
	// all and InputsEvicted, by destination, those it forgot unseen.
	Inputs        []collectors.IndexEntry
	InputsAdded   int64
	InputsEvicted []int64
	// Incidents are its generators' ground truth.
	Incidents []collectors.IncidentRecord
	// Dests is each destination, in scenario order.
	Dests []WorkerDest
}

// WorkerDest is one destination on one worker.
type WorkerDest struct {
	Name string
	// Expect, Output, Key and Window are its matching
	// (collectors.MatchConfig).
	Expect, Output, Key string
	Window              time.Duration
	// Replayed says the merge matches the destination's outputs again
	// from Outputs; otherwise from the sequence sets
	// (results.WorkerSeqs.Dests) and this worker's own Counts.
	Replayed bool
	// Counts is the worker's own matching.
	Counts collectors.MatchCounts
	// Seen is, for a destination matched by envelope, the distinct inputs
	// whose outputs the worker had read at each second's sample.
	Seen []int64
	// Outputs are the outputs the worker read, when Replayed: at most
	// maxLoggedOutputs, Dropped beyond.
	Outputs []collectors.Output
	Dropped int64
}

// writeWorkerDestinations writes WorkerDestinationsFile.
func (r *run) writeWorkerDestinations(smp *sampler) error {
	a := r.app
	wd := &WorkerDestinations{RunID: r.runID, WarmupEnd: r.start + int64(r.sc.Warmup), MeasureEnd: r.start + int64(r.sc.Duration)}
	if a.inputs != nil {
		wd.Inputs, wd.InputsAdded, wd.InputsEvicted = a.inputs.Dump()
	}
	wd.Incidents = a.incidents.Dump()
	for i, d := range a.dests {
		w := WorkerDest{Name: d.spec.Name, Expect: d.spec.Expect, Output: d.spec.Correlate.Output, Key: d.spec.Correlate.Key,
			Window: d.spec.Correlate.Window, Replayed: d.log != nil, Counts: d.match.Counts(r.m)}
		if i < len(smp.destSeen) {
			w.Seen = smp.destSeen[i]
		}
		if d.log != nil {
			d.log.mu.Lock()
			w.Outputs, w.Dropped = d.log.outputs, d.log.dropped
			d.log.mu.Unlock()
		}
		wd.Dests = append(wd.Dests, w)
	}
	return WriteWorkerDestinations(r.o.OutDir, wd)
}

// WriteWorkerDestinations writes dir/worker/destinations.gob.gz.
func WriteWorkerDestinations(dir string, wd *WorkerDestinations) error {
	if err := os.MkdirAll(filepath.Join(dir, results.WorkerDir), 0o755); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, filepath.FromSlash(WorkerDestinationsFile)))
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	zw := gzip.NewWriter(f)
	err = gob.NewEncoder(zw).Encode(wd)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("runner: %s: %w", WorkerDestinationsFile, err)
	}
	return nil
}

// ReadWorkerDestinations reads a worker's WorkerDestinationsFile from src;
// nil, nil when the worker had no application under test.
func ReadWorkerDestinations(src results.Source) (*WorkerDestinations, error) {
	f, err := src.Open(WorkerDestinationsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w", src.Name(), WorkerDestinationsFile, err)
	}
	var wd WorkerDestinations
	if err := gob.NewDecoder(io.LimitReader(zr, maxDestinationsBytes)).Decode(&wd); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", src.Name(), WorkerDestinationsFile, err)
	}
	return &wd, nil
}
