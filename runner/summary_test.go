package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
)

func TestReadQuotaWarning(t *testing.T) {
	poll := func(every time.Duration, count int) scenarios.Consumer {
		return scenarios.Consumer{Kind: "polling", PollInterval: every, Count: count}
	}
	for _, tc := range []struct {
		name      string
		consumers []scenarios.Consumer
		want      string // "" for no warning, else a part of it
	}{
		{"one at 1 s", []scenarios.Consumer{poll(time.Second, 1)}, ""},
		{"one at 200 ms is exactly the quota", []scenarios.Consumer{poll(200*time.Millisecond, 1)}, ""},
		{"one at 100 ms", []scenarios.Consumer{poll(100*time.Millisecond, 1)}, "10 times a second"},
		{"two at 250 ms share the shard", []scenarios.Consumer{poll(250*time.Millisecond, 2)}, "8 times a second"},
		{"fan-out does not count", []scenarios.Consumer{poll(250*time.Millisecond, 1), {Kind: "fanout", Count: 5}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readQuotaWarning(&scenarios.Scenario{Consumers: tc.consumers})
			if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
				t.Errorf("warning %q, want one containing %q", got, tc.want)
			}
		})
	}
}
