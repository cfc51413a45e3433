package results

import "strings"

// emptyWhen maps the last part of a metric path to the sibling count that
// says whether it has data: a percentile, maximum or mean of a histogram
// holding no values, an on-time ratio of no scheduled records (or, for a
// destination, no outputs due), a destination's recall when no output was
// expected and its precision when none came, is a statistic of nothing.
var emptyWhen = map[string]string{
	"p50_ms": "count", "p90_ms": "count", "p99_ms": "count", "p999_ms": "count", "max_ms": "count", "mean_ms": "count",
	"on_time_ratio": "scheduled",
	"recall":        "expected",
	"precision":     "outputs",
}

// NoData reports whether metric, looked up in m (from Summary.Metrics), is a
// statistic of nothing: a latency percentile, maximum or mean of a histogram
// that holds no values, an on-time ratio when no record (or destination
// output) was due, a destination's recall when no output was expected or
// its precision when no output came. Such a
// metric reads 0 in summary.json but has no value to judge, and thresholds
// and gates fail it as "no data". A count of zero is data. NoData also
// returns the path of the count that is zero.
func NoData(m map[string]float64, metric string) (string, bool) {
	i := strings.LastIndexByte(metric, '.')
	if i < 0 {
		return "", false
	}
	sibling, ok := emptyWhen[metric[i+1:]]
	if !ok {
		return "", false
	}
	count := metric[:i+1] + sibling
	n, ok := m[count]
	return count, ok && n == 0
}

// NoData reports whether metric is known to the set's runs but a statistic
// of nothing in every one of them (see NoData); Stat then reports no value.
func (s *RunSet) NoData(metric string) bool {
	seen := false
	for _, r := range s.Runs {
		m := r.Metrics()
		if _, ok := m[metric]; !ok {
			continue
		}
		if _, empty := NoData(m, metric); !empty {
			return false
		}
		seen = true
	}
	return seen
}
