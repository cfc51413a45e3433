package sim

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Stream modes and statuses as Kinesis names them.
const (
	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"
	statusCreating  = "CREATING"
	statusActive    = "ACTIVE"
	statusUpdating  = "UPDATING"
	statusDeleting  = "DELETING"
	encryptionNone  = "NONE"
	encryptionKMS   = "KMS"
)

// stream is one stream. Its shard table is replaced whole on resharding and
// read without locks by the data plane; the control-plane state below mu is
// guarded by it.
type stream struct {
	name      string
	arn       string
	created   time.Time
	table     atomic.Pointer[shardTable]
	deleted   atomic.Bool                   // gone: DELETING has ended
	capacity  atomic.Pointer[writeCapacity] // on-demand streams only
	retention atomic.Int64                  // nanoseconds records stay readable
	kms       atomic.Bool                   // EncryptionType KMS, for PutRecord(s)

	mu          sync.Mutex
	mode        string
	readyAt     time.Time // CREATING or UPDATING until then
	updating    bool      // the status before readyAt is UPDATING, not CREATING
	deleting    bool      // DELETING until goneAt, then removed
	goneAt      time.Time
	nextIdx     int // index of the next shard created
	reshards    []time.Time
	modeChanges []time.Time
	encryption  string // EncryptionType: NONE or KMS
	keyID       string // KeyId under KMS
	metrics     []string
	tags        map[string]string
	consumers   map[string]*consumer // by name
}

// shardTable is a stream's shards: all of them by index, and the open ones
// in hash-key order for routing.
type shardTable struct {
	all  []*shard
	open []*shard
}

// route returns the open shard whose hash key range holds k.
func (t *shardTable) route(k u128) *shard {
	i := sort.Search(len(t.open), func(i int) bool { return k.less(t.open[i].rng.start) }) - 1
	return t.open[max(i, 0)]
}

// shard returns the shard with index idx, or nil.
func (t *shardTable) shard(idx int) *shard {
	if idx < 0 || idx >= len(t.all) {
		return nil
	}
	return t.all[idx]
}

// status is the stream's StreamStatus at now.
func (st *stream) status(now time.Time) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.statusLocked(now)
}

func (st *stream) statusLocked(now time.Time) string {
	switch {
	case st.deleting:
		return statusDeleting
	case !now.Before(st.readyAt):
		return statusActive
	case st.updating:
		return statusUpdating
	default:
		return statusCreating
	}
}

// streamRef is the StreamName / StreamARN pair most requests carry.
type streamRef struct {
	StreamName string `json:"StreamName"`
	StreamARN  string `json:"StreamARN"`
}

// lookup finds the stream a request names by StreamName or StreamARN.
func (s *Server) lookup(name, arn string) (*stream, *apiError) {
	if name == "" && arn == "" {
		return nil, errInvalid("Either StreamName or StreamARN must be provided.")
	}
	if arn != "" {
		n, ok := streamNameFromARN(arn)
		if !ok {
			return nil, errInvalid("StreamARN %s is not a valid stream ARN.", echo(arn))
		}
		if name != "" && name != n {
			return nil, errInvalid("StreamName %s and StreamARN %s do not name the same stream.", echo(name), echo(arn))
		}
		name = n
	}
	s.mu.RLock()
	st := s.streams[name]
	s.mu.RUnlock()
	if st == nil || s.reap(st, s.now()) {
		return nil, errNotFound("Stream %s under account %s not found.", echo(name), accountID)
	}
	return st, nil
}

// reap removes st when its DELETING window has ended, and reports whether
// it is gone.
func (s *Server) reap(st *stream, now time.Time) bool {
	st.mu.Lock()
	gone := st.deleting && !now.Before(st.goneAt)
	st.mu.Unlock()
	if gone {
		s.remove(st)
	}
	return gone
}

// remove takes st out of the server: it is gone for every caller, and its
// subscriptions end.
func (s *Server) remove(st *stream) {
	s.mu.Lock()
	if s.streams[st.name] == st {
		delete(s.streams, st.name)
		s.shards.Add(-int64(len(st.table.Load().all)))
	}
	s.mu.Unlock()
	if st.deleted.Swap(true) {
		return
	}
	for _, sh := range st.table.Load().all {
		sh.mu.Lock()
		sh.wake()
		sh.mu.Unlock()
	}
}

// beginUpdate makes st UPDATING for Config.UpdateDelay from now. Called
// with st.mu held.
func (s *Server) beginUpdate(st *stream, now time.Time) {
	st.readyAt, st.updating = now.Add(s.cfg.UpdateDelay), true
}

// activeLocked returns ResourceInUseException unless st is ACTIVE. Called
// with st.mu held.
func (st *stream) activeLocked(now time.Time) *apiError {
	if status := st.statusLocked(now); status != statusActive {
		return errInUse("Stream %s under account %s is %s, not ACTIVE.", st.name, accountID, status)
	}
	return nil
}

// modeNow is the stream's capacity mode.
func (st *stream) modeNow() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.mode
}

// retentionHours is the stream's RetentionPeriodHours, at least 1.
func (st *stream) retentionHours() int {
	return max(1, int(time.Duration(st.retention.Load())/time.Hour))
}

// lookupForData finds a stream for a data-plane call: it must be ACTIVE or
// UPDATING.
func (s *Server) lookupForData(name, arn string) (*stream, *apiError) {
	st, e := s.lookup(name, arn)
	if e != nil {
		return nil, e
	}
	if st.status(s.now()) == statusCreating {
		return nil, errNotFound("Stream %s under account %s is CREATING, not ACTIVE.", st.name, accountID)
	}
	return st, nil
}

// listStreams returns the streams sorted by name.
func (s *Server) listStreams() []*stream {
	s.mu.RLock()
	all := make([]*stream, 0, len(s.streams))
	for _, st := range s.streams {
		all = append(all, st)
	}
	s.mu.RUnlock()
	now := s.now()
	out := all[:0]
	for _, st := range all {
		if !s.reap(st, now) {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// shardByID finds a shard of st by its ShardId.
func (st *stream) shardByID(id string) (*shard, *apiError) {
	idx, ok := parseShardID(id)
	var sh *shard
	if ok {
		sh = st.table.Load().shard(idx)
	}
	if sh == nil {
		return nil, errNotFound("Could not find shard %s in stream %s under account %s.", echo(id), st.name, accountID)
	}
	return sh, nil
}

// keyRangeJS is a HashKeyRange on the wire.
type keyRangeJS struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// seqRangeJS is a SequenceNumberRange on the wire.
type seqRangeJS struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

// shardJS is a Shard on the wire.
type shardJS struct {
	ShardID               string     `json:"ShardId"`
	ParentShardID         string     `json:"ParentShardId,omitempty"`
	AdjacentParentShardID string     `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          keyRangeJS `json:"HashKeyRange"`
	SequenceNumberRange   seqRangeJS `json:"SequenceNumberRange"`
}

// describe returns sh as the wire's Shard.
func (sh *shard) describe() shardJS {
	out := shardJS{
		ShardID:               sh.id,
		ParentShardID:         sh.parent,
		AdjacentParentShardID: sh.adjParent,
		HashKeyRange:          keyRangeJS{sh.startKey, sh.endKey},
		SequenceNumberRange:   seqRangeJS{StartingSequenceNumber: seqString(sh.idx, 0)},
	}
	sh.mu.Lock()
	if sh.closed {
		out.SequenceNumberRange.EndingSequenceNumber = seqString(sh.idx, sh.next-1)
	}
	sh.mu.Unlock()
	return out
}

// modeJS is StreamModeDetails on the wire.
type modeJS struct {
	StreamMode string `json:"StreamMode"`
}

// enhancedMonitoringJS is the EnhancedMonitoring list AWS returns: one
// entry holding the enabled shard-level metrics.
func enhancedMonitoringJS(metrics []string) []map[string][]string {
	return []map[string][]string{{"ShardLevelMetrics": append([]string{}, metrics...)}}
}
