package results

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/kbench/kbench/metrics"
)

// Files a worker of a distributed run (kbench run --worker I/N) writes
// beside its normal results, under WorkerDir, for kbench merge.
const (
	WorkerDir = "worker"
	// WorkerStateFile is the worker's raw counters (WorkerState, JSON).
	WorkerStateFile = "worker/state.json"
	// WorkerSeqsFile is every sequence number the worker's producers had
	// acknowledged and its consumer applications read (WorkerSeqs, gzip).
	WorkerSeqsFile = "worker/seqs.bin.gz"
	// WorkerHistsFile holds the whole-run histograms the summary keeps
	// per consumer application and per shard, tagged (see AppHistTag).
	WorkerHistsFile = "worker/hists.hlog"
)

// WorkerInfo says which worker of a distributed run wrote a summary, when
// it started and how far its clock was off the common reference.
type WorkerInfo struct {
	Index   int       `json:"index"`
	Count   int       `json:"count"`
	StartAt time.Time `json:"start_at"`
	Host    string    `json:"host"`
	Clock   ClockInfo `json:"clock"`
}

// ClockInfo is a host's clock measured against the workers' common
// reference (the endpoint's Date header): reference = local + offset.
type ClockInfo struct {
	OffsetMS float64 `json:"offset_ms"`
	// UncertaintyMS bounds the error of OffsetMS; -1 when the clock could
	// not be measured.
	UncertaintyMS float64 `json:"uncertainty_ms"`
	Reference     string  `json:"reference,omitempty"`
	Probes        int     `json:"probes,omitempty"`
}

// MergeInfo describes a summary kbench merge wrote from workers' results.
type MergeInfo struct {
	// Count is the number of workers the run had; Merged those merged.
	Count  int          `json:"count"`
	Merged []WorkerInfo `json:"merged"`
	// Missing lists the workers whose results were not there (only with
	// --allow-partial); Incomplete is true when any is.
	Missing    []int `json:"missing,omitempty"`
	Incomplete bool  `json:"incomplete"`
	// ClockErrorMS is the worst-case clock error of a latency measured on
	// two workers (a record produced on one and consumed on another): the
	// largest difference of two workers' offsets plus both uncertainties.
	// -1 when a worker's clock could not be measured.
	ClockErrorMS float64 `json:"clock_error_ms"`
	// ClockErrorShare is ClockErrorMS over the end-to-end p50: above 0.05
	// the report warns that the clocks blur the latencies.
	ClockErrorShare float64 `json:"clock_error_share_of_e2e_p50"`
}

// WorkerState is what a worker counted that its summary.json keeps only
// in derived form (rates, ratios, maxima), so merged summaries can be
// computed from the sums exactly.
type WorkerState struct {
	Index int    `json:"index"`
	Count int    `json:"count"`
	RunID string `json:"run_id"`
	// Scenario fingerprints the resolved scenario: every worker of one run
	// ran the same one.
	Scenario string    `json:"scenario"`
	StartAt  time.Time `json:"start_at"`
	// Producers is the number of producer instances (the same on every
	// worker; each sends a share of every instance's schedule).
	Producers int `json:"producers"`
	// ProducedBytes are the bytes of acknowledged records.
	ProducedBytes int64 `json:"produced_bytes"`
	// LastAck is when (Unix ns) the worker's last acknowledged write was.
	LastAck int64 `json:"last_ack"`
	// OpenShards is the number of open shards at the end.
	OpenShards int `json:"open_shards"`
	// Shards holds each written shard's first and last acknowledged write
	// (Unix ns).
	Shards map[string][2]int64 `json:"shards"`
	// Pack is each producer spec's packing sums, in scenario order.
	Pack []PackSums `json:"pack"`
	// Apps is each consumer application's raw state, in summary order.
	Apps []WorkerApp `json:"apps"`
	// MeasureS is the seconds the worker sampled in the measure phase.
	MeasureS float64 `json:"measure_s"`
}

// PackSums are one producer spec's packing counters.
type PackSums struct {
	Records   int64 `json:"records"`
	RawBytes  int64 `json:"raw_bytes"`
	Kinesis   int64 `json:"kinesis"`
	SentBytes int64 `json:"sent_bytes"`
	EncodeNs  int64 `json:"encode_ns"`
}

// WorkerApp is one consumer application's raw state on one worker.
type WorkerApp struct {
	Name string `json:"name"`
	// Duplicates is what the worker's copy saw twice itself; the merge
	// adds records two workers' copies both saw.
	Duplicates int64 `json:"duplicates"`
	// TipAt is when (Unix ns) the application was last at the tip of
	// every shard it read, and Reading whether it was still making
	// progress when the worker stopped: the merge calls unseen records
	// lost only when every worker's copy was at the tip well after the
	// last acknowledged write of any worker, and none was still reading.
	TipAt    int64 `json:"tip_at"`
	Reading  bool  `json:"reading"`
	Decoded  int64 `json:"decoded"`
	DecodeNs int64 `json:"decode_ns"`
}

// Source is where a results directory's files are read from: a local
// directory (DirSource) or another store behind the same two methods.
type Source interface {
	// Name says where the results are, for messages.
	Name() string
	// Open opens the file with the slash-separated name inside the results.
	Open(name string) (io.ReadCloser, error)
}

// DirSource is a results directory on the local file system.
type DirSource string

// Name implements Source.
func (d DirSource) Name() string { return string(d) }

// Open implements Source.
func (d DirSource) Open(name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(string(d), filepath.FromSlash(path.Clean(name))))
}

// ReadAllFrom reads a whole file of src, at most limit bytes.
func ReadAllFrom(src Source, name string, limit int64) ([]byte, error) {
	f, err := src.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, limit>>20)
	}
	return b, nil
}

// WriteWorkerState writes dir/worker/state.json.
func WriteWorkerState(dir string, st *WorkerState) error {
	if err := os.MkdirAll(filepath.Join(dir, WorkerDir), 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode worker state: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, filepath.FromSlash(WorkerStateFile)), append(b, '\n'))
}

// ReadWorkerState reads worker/state.json from src.
func ReadWorkerState(src Source) (*WorkerState, error) {
	b, err := ReadAllFrom(src, WorkerStateFile, MaxSummaryBytes)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var st WorkerState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("results: decode %s/%s: %w", src.Name(), WorkerStateFile, err)
	}
	return &st, nil
}

// WorkerSeqs are the sequence sets of one worker: Acked by producer
// instance id, and each consumer application's Seen by producer instance id.
type WorkerSeqs struct {
	Acked []*metrics.SeqSet
	Seen  [][]*metrics.SeqSet
	// LateKeys holds, by consumer application, the metrics.OrderKeyID of
	// every key it read out of order, ascending: kbench merge counts a key
	// late on two workers (its shard's parent and child) once.
	LateKeys [][]uint64
	// Dests holds, by destination (scenario order), the inputs whose
	// outputs the worker read, by producer instance id, for destinations
	// matched by envelope with expect one or many; nil for the others.
	Dests [][]*metrics.SeqSet
}

// seqsMagic opens WorkerSeqsFile (inside the gzip stream).
const seqsMagic = "KBSEQ1"

// maxSeqsBytes bounds the uncompressed sequence sets merge reads (1 GiB:
// eight billion records).
const maxSeqsBytes = 1 << 30

// WriteWorkerSeqs writes dir/worker/seqs.bin.gz.
func WriteWorkerSeqs(dir string, s *WorkerSeqs) error {
	b := []byte(seqsMagic)
	putSets := func(sets []*metrics.SeqSet) {
		b = appendUvarint(b, uint64(len(sets)))
		for _, set := range sets {
			b = set.AppendBinary(b)
		}
	}
	putSets(s.Acked)
	b = appendUvarint(b, uint64(len(s.Seen)))
	for _, app := range s.Seen {
		putSets(app)
	}
	// Later sections: out-of-order keys (delta-coded), then destinations.
	b = appendUvarint(b, uint64(len(s.LateKeys)))
	for _, ids := range s.LateKeys {
		b = appendUvarint(b, uint64(len(ids)))
		var prev uint64
		for _, id := range ids {
			b = appendUvarint(b, id-prev)
			prev = id
		}
	}
	b = appendUvarint(b, uint64(len(s.Dests)))
	for _, d := range s.Dests {
		putSets(d)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, err := zw.Write(b)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("results: compress sequence sets: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, WorkerDir), 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, filepath.FromSlash(WorkerSeqsFile)), z.Bytes())
}

// ReadWorkerSeqs reads worker/seqs.bin.gz from src.
func ReadWorkerSeqs(src Source) (*WorkerSeqs, error) {
	f, err := src.Open(WorkerSeqsFile)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("results: %s/%s: %w", src.Name(), WorkerSeqsFile, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxSeqsBytes+1))
	if err == nil && len(b) > maxSeqsBytes {
		err = errors.New("too large")
	}
	if err == nil && !bytes.HasPrefix(b, []byte(seqsMagic)) {
		err = errors.New("not a kbench sequence-set file")
	}
	if err != nil {
		return nil, fmt.Errorf("results: %s/%s: %w", src.Name(), WorkerSeqsFile, err)
	}
	b = b[len(seqsMagic):]
	sets := func() ([]*metrics.SeqSet, error) {
		n, err := readUvarint(&b)
		if err != nil || n > 1<<20 {
			return nil, errors.New("bad set count")
		}
		out := make([]*metrics.SeqSet, n)
		for i := range out {
			out[i] = new(metrics.SeqSet)
			if b, err = out[i].UnmarshalBinary(b); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var s WorkerSeqs
	if s.Acked, err = sets(); err == nil {
		var apps uint64
		if apps, err = readUvarint(&b); err == nil && apps > 1<<10 {
			err = errors.New("bad application count")
		}
		for range apps {
			var app []*metrics.SeqSet
			if app, err = sets(); err != nil {
				break
			}
			s.Seen = append(s.Seen, app)
		}
	}
	if err == nil && len(b) > 0 { // written by a kbench with the later sections
		err = readLater(&b, &s, sets)
	}
	if err != nil {
		return nil, fmt.Errorf("results: %s/%s: %w", src.Name(), WorkerSeqsFile, err)
	}
	return &s, nil
}

// readLater reads WorkerSeqsFile's out-of-order keys and destinations.
func readLater(b *[]byte, s *WorkerSeqs, sets func() ([]*metrics.SeqSet, error)) error {
	apps, err := readUvarint(b)
	if err != nil || apps > 1<<10 {
		return errors.New("bad application count of the out-of-order keys")
	}
	for range apps {
		n, err := readUvarint(b)
		if err != nil || n > uint64(len(*b)) {
			return errors.New("bad out-of-order key count")
		}
		ids := make([]uint64, n)
		var prev uint64
		for i := range ids {
			d, err := readUvarint(b)
			if err != nil {
				return err
			}
			prev += d
			ids[i] = prev
		}
		s.LateKeys = append(s.LateKeys, ids)
	}
	dests, err := readUvarint(b)
	if err != nil || dests > 1<<10 {
		return errors.New("bad destination count")
	}
	for range dests {
		d, err := sets()
		if err != nil {
			return err
		}
		s.Dests = append(s.Dests, d)
	}
	return nil
}

// AppHistTag is the tag of consumer application app's whole-run histogram
// metric in WorkerHistsFile; shard, when not "", names the shard of a
// per-shard histogram.
func AppHistTag(app int, shard, metric string) string {
	if shard == "" {
		return fmt.Sprintf("app/%d/%s", app, metric)
	}
	return fmt.Sprintf("app/%d/shard/%s/%s", app, shard, metric)
}

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// readUvarint reads one uvarint from the front of *b.
func readUvarint(b *[]byte) (uint64, error) {
	v, k := binary.Uvarint(*b)
	if k <= 0 {
		return 0, errors.New("truncated")
	}
	*b = (*b)[k:]
	return v, nil
}
