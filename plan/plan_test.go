package plan

import (
	"slices"
	"testing"
)

func TestCandidates(t *testing.T) {
	for _, tt := range []struct {
		min, hot, room int
		want           []int
	}{
		{3, 4, 4, []int{3, 4, 5, 6}},
		{3, 0, 0, []int{3, 6, 8, 9}},
		{1, 1, 1, []int{1, 2}},
		{500, 652, 751, []int{500, 652, 751, 939, 1127}},
		{9000, 9000, 9500, []int{9000, 9500}},
	} {
		if got := Candidates(tt.min, tt.hot, tt.room); !slices.Equal(got, tt.want) {
			t.Errorf("Candidates(%d, %d, %d) = %v, want %v", tt.min, tt.hot, tt.room, got, tt.want)
		}
	}
}
