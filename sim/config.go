// Package sim is kbench's simulated Kinesis endpoint: an HTTP server that
// speaks the Kinesis Data Streams awsJson1.1 wire protocol, so unmodified AWS
// SDKs work against it, and that models AWS's per-shard quotas, propagation
// delay and faults, so shard configurations can be compared offline.
package sim

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kbench/kbench/internal/kind"
	"github.com/kbench/kbench/latency"
)

// Quota modes for Config.Quotas.
const (
	QuotasAWS = "aws" // enforce AWS's per-shard and per-call limits
	QuotasOff = "off" // accept everything the request-size limits allow
)

// Config is the simulator's behaviour. The zero value is not valid; start
// from DefaultConfig. The yaml names are those of a scenario's
// `target: {kind: sim, sim: {...}}` section and of `kbench sim`'s flags.
type Config struct {
	// Quotas is QuotasAWS or QuotasOff.
	Quotas string `yaml:"quotas" json:"quotas"`
	// PutDelay is added to every PutRecord and PutRecords call.
	PutDelay time.Duration `yaml:"put_delay" json:"put_delay"`
	// PropagationDelay is how long after it is accepted a record becomes
	// readable by GetRecords and SubscribeToShard.
	PropagationDelay time.Duration `yaml:"propagation_delay" json:"propagation_delay"`
	// Latency names a latency profile (see docs/latency.md): none (the
	// default, also ""), aws, or the path of a profile file (in a scenario,
	// relative to the scenario file). The profile draws each PutRecord(s)
	// call's duration, and each record's delay until GetRecords returns it
	// and until it is pushed to fan-out subscribers, never reordering a
	// shard's records. PutDelay and PropagationDelay are the fixed special
	// case: they must be 0 with a profile.
	Latency string `yaml:"latency" json:"latency"`
	// Profile, when set, is the latency profile, used instead of the one
	// Latency names. Set in code only.
	Profile *latency.Profile `yaml:"-" json:"-"`
	// ErrorRate is the fraction (0..1) of records failed with InternalFailure.
	ErrorRate float64 `yaml:"error_rate" json:"error_rate"`
	// StallAfter and StallFor hold every data-plane request arriving in the
	// window [StallAfter, StallAfter+StallFor) after the server started until
	// the window ends. StallFor 0 means no stall.
	StallAfter time.Duration `yaml:"stall_after" json:"stall_after"`
	StallFor   time.Duration `yaml:"stall_for" json:"stall_for"`
	// CreateDelay is how long a new stream stays CREATING before it is
	// ACTIVE.
	CreateDelay time.Duration `yaml:"create_delay" json:"create_delay"`
	// UpdateDelay is how long a stream stays UPDATING after a reshard
	// (UpdateShardCount, SplitShard, MergeShards), a mode change, an
	// encryption change or a retention change.
	UpdateDelay time.Duration `yaml:"update_delay" json:"update_delay"`
	// DeleteDelay is how long a deleted stream stays DELETING before it is
	// gone.
	DeleteDelay time.Duration `yaml:"delete_delay" json:"delete_delay"`
	// Retention is how long records stay readable.
	Retention time.Duration `yaml:"retention" json:"retention"`
	// ShardMaxBytes caps the record bytes one shard keeps; the oldest
	// records are trimmed first, as if their retention had ended.
	ShardMaxBytes int64 `yaml:"shard_max_bytes" json:"shard_max_bytes"`
	// OnDemandPeakRecords and OnDemandPeakBytes are the previous peak write
	// throughput, in records and bytes per second, of the on-demand streams
	// the simulator creates (or switches to on-demand). Kinesis lets an
	// on-demand stream take twice its peak of the last 30 days: a warm
	// stream, one that already carried its load, starts at twice the peak,
	// over as many shards as that takes at 1,000 records/s and 1 MiB/s
	// each (see OnDemandStart). Both 0 (the default) is a new stream: cold,
	// at 4,000 records/s and 4 MiB/s over 4 shards.
	OnDemandPeakRecords float64 `yaml:"on_demand_peak_records" json:"on_demand_peak_records"`
	OnDemandPeakBytes   int64   `yaml:"on_demand_peak_bytes" json:"on_demand_peak_bytes"`
	// MaxMemory, when not 0, is a memory budget for the whole simulator:
	// the record bytes of all shards together are held to a third of it
	// (each of the server's shards keeps at most MaxMemory/3/shards, or
	// ShardMaxBytes if that is less), request bodies in flight to a quarter
	// (a request that would pass it gets LimitExceededException), leaving
	// the rest for the record index, the garbage collector's headroom and
	// the server itself. Without a budget, bodies in flight are held to
	// 256 MiB.
	// `kbench sim` also makes it the process's soft memory limit
	// (runtime/debug.SetMemoryLimit), less an allowance for its code. At least
	// 64 MiB.
	MaxMemory int64 `yaml:"max_memory" json:"max_memory"`
	// Seed seeds the fault draws (ErrorRate) and the latency profile's.
	Seed int64 `yaml:"seed" json:"seed"`
	// SubscriptionDuration is how long one SubscribeToShard stream lasts
	// before the server ends it (AWS: 5 minutes). Zero means 5 minutes.
	SubscriptionDuration time.Duration `yaml:"subscription_duration" json:"subscription_duration"`
	// ReadTimeout bounds how long reading one request (headers and body)
	// may take; a slower client is cut off. Zero means 30 seconds.
	ReadTimeout time.Duration `yaml:"read_timeout" json:"read_timeout"`
	// TLS, when set, makes Serve speak HTTPS (ALPN h2 and http/1.1) with
	// this configuration's certificates instead of cleartext HTTP/1.1 and
	// h2c. Set in code (see SelfSignedCert); `kbench sim --tls` sets it.
	TLS *tls.Config `yaml:"-" json:"-"`
	// Auth, when set, makes the simulator check credentials as AWS does
	// (see auth.go); nil accepts every request. Set in code only: a scenario
	// cannot, since kbench signs sim requests with static credentials.
	Auth *Auth `yaml:"-" json:"-"`
}

// DefaultConfig returns AWS quotas, no added delay or faults, 50 ms
// create, update and delete delays, 24 h retention and 64 MiB kept per
// shard.
func DefaultConfig() Config {
	return Config{
		Quotas:        QuotasAWS,
		CreateDelay:   50 * time.Millisecond,
		UpdateDelay:   50 * time.Millisecond,
		DeleteDelay:   50 * time.Millisecond,
		ReadTimeout:   defaultReadTimeout,
		Retention:     24 * time.Hour,
		ShardMaxBytes: 64 << 20,
		Seed:          1,

		SubscriptionDuration: defaultSubscriptionDuration,
	}
}

// defaultSubscriptionDuration is AWS's lifetime of one SubscribeToShard call.
const defaultSubscriptionDuration = 5 * time.Minute

// FieldError is one problem with a Config field; Field is its yaml name,
// so a scenario decoder can point at the line that set it.
type FieldError = kind.FieldError

// Problems returns every problem with c's settings at once (Auth, which a
// scenario cannot set, is checked by NewServer).
func (c Config) Problems() []*FieldError {
	var out []*FieldError
	bad := func(field, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if c.Quotas != QuotasAWS && c.Quotas != QuotasOff {
		bad("quotas", "unknown quota mode %q; want %s or %s", c.Quotas, QuotasAWS, QuotasOff)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"put_delay", c.PutDelay},
		{"propagation_delay", c.PropagationDelay},
		{"stall_after", c.StallAfter},
		{"stall_for", c.StallFor},
		{"create_delay", c.CreateDelay},
		{"update_delay", c.UpdateDelay},
		{"delete_delay", c.DeleteDelay},
		{"read_timeout", c.ReadTimeout},
		{"subscription_duration", c.SubscriptionDuration},
	} {
		if d.d < 0 {
			bad(d.name, "must not be negative, got %s", d.d)
		}
	}
	if p := c.latencyProblem(); p != "" {
		bad("latency", "%s", p)
	}
	if c.ErrorRate < 0 || c.ErrorRate > 1 || c.ErrorRate != c.ErrorRate {
		bad("error_rate", "must be between 0 and 1, got %g", c.ErrorRate)
	}
	if c.Retention <= 0 {
		bad("retention", "must be positive, got %s", c.Retention)
	}
	if c.ShardMaxBytes < maxRecordBytes {
		bad("shard_max_bytes", "must be at least one maximal record (1 MiB, %d), got %d", maxRecordBytes, c.ShardMaxBytes)
	}
	if r := c.OnDemandPeakRecords; r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		bad("on_demand_peak_records", "must be a finite number of records per second, 0 or more, got %g", r)
	}
	if c.OnDemandPeakBytes < 0 {
		bad("on_demand_peak_bytes", "must not be negative, got %d", c.OnDemandPeakBytes)
	}
	if c.MaxMemory != 0 && c.MaxMemory < minMaxMemory {
		bad("max_memory", "must be 0 (no budget) or at least 64 MiB (%d), got %d", minMaxMemory, c.MaxMemory)
	}
	return out
}

// OnDemandStart returns how a new on-demand stream starts with c: its
// shards and its write capacity in records and bytes per second, spread
// evenly over them. Cold (no previous peak), 4 shards sharing 4,000
// records/s and 4 MiB/s; warm, twice the previous peak (at least that),
// over enough shards for each to stay within a provisioned shard's 1,000
// records/s and 1 MiB/s (at least 4, at most 10,000).
func (c Config) OnDemandStart() (shards int, records, bytes float64) {
	records = max(onDemandRecords, 2*c.OnDemandPeakRecords)
	bytes = max(onDemandBytes, 2*float64(c.OnDemandPeakBytes))
	need := math.Ceil(max(records/shardWriteRecords, bytes/shardWriteBytes))
	return int(min(max(need, onDemandShards), maxShardsPerStream)), records, bytes
}

// validate returns every problem with c at once.
func (c Config) validate() error {
	errs := []error{kind.Join("sim: ", c.Problems())}
	if c.Auth != nil {
		if err := c.Auth.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// minMaxMemory is the smallest memory budget Config.MaxMemory accepts.
const minMaxMemory = 64 << 20

// subscriptionDuration is c.SubscriptionDuration, or AWS's 5 minutes when unset.
func (c Config) subscriptionDuration() time.Duration {
	if c.SubscriptionDuration == 0 {
		return defaultSubscriptionDuration
	}
	return c.SubscriptionDuration
}

// defaultReadTimeout is Config.ReadTimeout when unset.
const defaultReadTimeout = 30 * time.Second

// readTimeout is c.ReadTimeout, or 30 seconds when unset.
func (c Config) readTimeout() time.Duration {
	if c.ReadTimeout == 0 {
		return defaultReadTimeout
	}
	return c.ReadTimeout
}

// defaultBodyBytes caps the request body bytes in flight when there is no
// memory budget.
const defaultBodyBytes = 256 << 20

// bodyBytesLimit is how many request body bytes may be held at once: a
// quarter of MaxMemory, or 256 MiB without a budget.
func (c Config) bodyBytesLimit() int64 {
	if c.MaxMemory > 0 {
		return c.MaxMemory / 4
	}
	return defaultBodyBytes
}
