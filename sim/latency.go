package sim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/kbench/kbench/latency"
)

// delays are the Server's latency distributions: a latency profile's, or,
// without one, PutDelay and PropagationDelay as fixed delays (the
// propagation delay then also applies to fan-out, as before profiles).
type delays struct {
	profile          *latency.Profile
	put, get, push   latency.Dist
	mu               sync.Mutex // guards rng
	rng              *rand.Rand // put durations
	seed             uint64
	propagationFixed bool // get and push are fixed: no per-shard process needed
	// getRate and pushRate are get's and push's latency.DriftRate, computed
	// once rather than at each shard's first write.
	getRate, pushRate float64
}

// shardDelays draws one shard's records' delays in arrival order.
type shardDelays struct {
	get, push *latency.Ordered
}

// latencyProfile is c.Profile, or the profile c.Latency names, or nil for
// none.
func (c Config) latencyProfile() (*latency.Profile, error) {
	if c.Profile != nil {
		return c.Profile, nil
	}
	if c.Latency == "" || c.Latency == latency.NameNone {
		return nil, nil
	}
	return latency.Load(c.Latency)
}

// latencyProblem returns what is wrong with c's latency settings, or "".
func (c Config) latencyProblem() string {
	p, err := c.latencyProfile()
	if err != nil {
		return strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	if p != nil && (c.PutDelay != 0 || c.PropagationDelay != 0) {
		return fmt.Sprintf("profile %s cannot be combined with put_delay or propagation_delay, which are a fixed latency profile of their own; leave them 0, or write a profile file with kind fixed", p.Name)
	}
	return ""
}

// newDelays builds the delays of a valid c.
func newDelays(c Config) (*delays, error) {
	p, err := c.latencyProfile()
	if err != nil {
		return nil, err
	}
	seed := uint64(c.Seed)
	d := &delays{profile: p, seed: seed, rng: rand.New(rand.NewPCG(seed, 0x6c6174656e6379))}
	if p == nil {
		put, err1 := latency.Fixed(c.PutDelay)
		prop, err2 := latency.Fixed(c.PropagationDelay)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sim: delays: %w%w", err1, err2)
		}
		d.put, d.get, d.push, d.propagationFixed = put, prop, prop, true
		return d, nil
	}
	d.put, d.get, d.push = p.Put, p.Propagation, p.FanOut
	d.propagationFixed = (d.get.IsZero() || d.get.Kind() == latency.KindFixed) &&
		(d.push.IsZero() || d.push.Kind() == latency.KindFixed)
	if !d.propagationFixed {
		d.getRate, d.pushRate = latency.DriftRate(d.get), latency.DriftRate(d.push)
	}
	return d, nil
}

// putDuration draws the duration of one PutRecord(s) call.
func (d *delays) putDuration() time.Duration {
	if d.put.IsZero() || d.put.Kind() == latency.KindFixed {
		return d.put.Quantile(0)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.put.Sample(d.rng)
}

// recordDelays returns how long after arriving at now the records written
// to sh by one call become readable by GetRecords and are pushed to
// subscribers. Called with sh.mu held.
func (d *delays) recordDelays(sh *shard, now int64) [2]time.Duration {
	if d.propagationFixed {
		return [2]time.Duration{d.get.Quantile(0), d.push.Quantile(0)}
	}
	if sh.delays == nil {
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", sh.stream.name, sh.idx)
		seed := d.seed ^ h.Sum64()
		sh.delays = &shardDelays{get: latency.NewOrderedRate(d.get, d.getRate, seed), push: latency.NewOrderedRate(d.push, d.pushRate, seed+1)}
	}
	return [2]time.Duration{sh.delays.get.Delay(now), sh.delays.push.Delay(now)}
}

// LatencyProfile returns the latency profile the server applies, or nil
// when it has none (PutDelay and PropagationDelay apply).
func (s *Server) LatencyProfile() *latency.Profile { return s.delays.profile }
