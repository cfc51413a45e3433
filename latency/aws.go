package latency

import "time"

// awsAssumptions lists every figure of the aws profile that AWS does not
// publish. Reports show them beside the results. Each begins with the part
// it is about (see Profile.Assumptions).
var awsAssumptions = []string{
	"put: AWS publishes no typical PutRecords/PutRecord duration; assumed log-normal with median 25 ms and p99 100 ms (an in-region call).",
	"propagation: AWS's ~200 ms average with one polling consumer is assumed to include waiting for the next poll at a 200 ms interval (100 ms on average), leaving ~100 ms for the write becoming readable plus the GetRecords call; assumed log-normal with median 89 ms and p99 270 ms (mean 100 ms), a p99 of about 3x the median since AWS publishes averages only.",
	"propagation: AWS's ~1 s average with five polling consumers is not built in: it follows from each consumer polling about once a second, which the scenario's poll_interval sets.",
	"fan_out: AWS's ~70 ms typical enhanced fan-out delivery is taken as the mean; assumed log-normal with median 62 ms and p99 190 ms (mean 70 ms, a p99 of about 3x the median), independent of the number of consumers.",
}

// AWS returns the profile built from AWS's published figures. They are
// averages, so every spread and tail is assumed; Assumptions lists each.
func AWS() *Profile {
	return &Profile{
		Name:        NameAWS,
		Source:      "built in: AWS's published averages, spreads assumed",
		Put:         logNormal(25*time.Millisecond, 100*time.Millisecond),
		Propagation: logNormal(89*time.Millisecond, 270*time.Millisecond),
		FanOut:      logNormal(62*time.Millisecond, 190*time.Millisecond),
		Assumptions: append([]string(nil), awsAssumptions...),
	}
}
