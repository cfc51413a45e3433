package collectors

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shard is a listed shard with its parents ("" for none).
func shard(id, parent, adjacent string) types.Shard {
	s := types.Shard{ShardId: aws.String(id)}
	if parent != "" {
		s.ParentShardId = aws.String(parent)
	}
	if adjacent != "" {
		s.AdjacentParentShardId = aws.String(adjacent)
	}
	return s
}

func TestShardTree(t *testing.T) {
	child := func(id string, parents ...string) types.ChildShard {
		return types.ChildShard{ShardId: aws.String(id), ParentShards: parents}
	}
	type step struct {
		list     []types.Shard // merged when not nil
		finish   string        // finished (with children) when not ""
		children []types.ChildShard
		want     []string // startable after the step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"open shards start at once", []step{
			{list: []types.Shard{shard("a", "", ""), shard("b", "", "")}, want: []string{"a", "b"}},
		}},
		{"trimmed parent does not block", []step{
			{list: []types.Shard{shard("c", "gone", "")}, want: []string{"c"}},
		}},
		{"split waits for parent", []step{
			{list: []types.Shard{shard("p", "", ""), shard("c1", "p", ""), shard("c2", "p", "")}, want: []string{"p"}},
			{finish: "p", want: []string{"c1", "c2"}},
			{list: []types.Shard{shard("p", "", ""), shard("c1", "p", ""), shard("c2", "p", "")}},
		}},
		{"merge waits for both parents", []step{
			{list: []types.Shard{shard("p1", "", ""), shard("p2", "", ""), shard("m", "p1", "p2")}, want: []string{"p1", "p2"}},
			{finish: "p1"},
			{finish: "p2", want: []string{"m"}},
		}},
		{"child named by ChildShards waits for an unknown parent", []step{
			{list: []types.Shard{shard("p1", "", "")}, want: []string{"p1"}},
			{finish: "p1", children: []types.ChildShard{child("m", "x", "p1")}},
			{list: []types.Shard{shard("p1", "", ""), shard("x", "", ""), shard("m", "x", "p1")}, want: []string{"x"}},
			{finish: "x", want: []string{"m"}},
		}},
		{"unknown parent absent from a later listing is gone", []step{
			{list: []types.Shard{shard("p1", "", "")}, want: []string{"p1"}},
			{finish: "p1", children: []types.ChildShard{child("m", "x", "p1")}},
			{list: []types.Shard{shard("p1", "", "")}, want: []string{"m"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := shardTree{}
			for i, s := range tt.steps {
				if s.list != nil {
					tree.merge(s.list)
				}
				if s.finish != "" {
					tree.finish(s.finish, s.children)
				}
				got := tree.startable(nil)
				slices.Sort(got)
				if !slices.Equal(got, s.want) {
					t.Errorf("step %d: startable %q, want %q", i, got, s.want)
				}
			}
		})
	}
}

// TestShardTreeOwns checks that a worker reads only the shards it owns, and
// that a child it owns starts at once when another worker owns its parent.
func TestShardTreeOwns(t *testing.T) {
	tree := shardTree{}
	owns := func(id string) bool { return id != "p" }
	tree.merge([]types.Shard{shard("p", "", ""), shard("q", "", "")})
	got := tree.startable(owns)
	if !slices.Equal(got, []string{"q"}) {
		t.Fatalf("startable %q, want [q]", got)
	}
	tree.merge([]types.Shard{shard("p", "", ""), shard("q", "", ""), shard("c1", "p", ""), shard("c2", "p", "")})
	got = tree.startable(owns)
	slices.Sort(got)
	if !slices.Equal(got, []string{"c1", "c2"}) {
		t.Fatalf("startable %q, want [c1 c2]: the children of a parent another worker reads", got)
	}
}
