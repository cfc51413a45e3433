package generators

import (
	"fmt"
)

var explicitKind = KeyKind{
	Name:  "explicit",
	Doc:   "The partition key is the entity and the explicit hash key the middle of each shard's range in turn, so records spread evenly over evenly split shards.",
	check: checkExplicit,
	build: newExplicitKeys,
}

func checkExplicit(cfg KeyConfig) []error {
	if cfg.Shards < 1 {
		return []error{fmt.Errorf("explicit keys: shards %d must be at least 1", cfg.Shards)}
	}
	return nil
}

func newExplicitKeys(cfg KeyConfig) KeyStrategy {
	hashKeys := make([]string, cfg.Shards)
	for i := range hashKeys {
		hashKeys[i] = shardMidpoint(i, cfg.Shards).String()
	}
	return &explicitKeys{hashKeys: hashKeys}
}

type explicitKeys struct {
	hashKeys []string
	next     int
}

func (s *explicitKeys) Key(entity string) (string, string) {
	h := s.hashKeys[s.next]
	s.next++
	if s.next == len(s.hashKeys) {
		s.next = 0
	}
	return entity, h
}
