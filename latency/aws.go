package latency

import "time"

// awsAssumptions lists every figure of the aws profile that AWS does not
// publish. Reports show them beside the results.
var awsAssumptions = []string{
	"PutRecords/PutRecord duration: AWS publishes no typical figure; assumed log-normal with median 25 ms and p99 100 ms (an in-region call).",
	"Propagation to GetRecords: AWS's ~200 ms average with one polling consumer is assumed to include waiting for the next poll at a 200 ms interval (100 ms on average), leaving ~100 ms for the write becoming readable plus the GetRecords call; assumed log-normal with median 89 ms and p99 270 ms (mean 100 ms).",
	"Propagation spread: AWS publishes averages only; a p99 of about 3x the median is assumed for propagation and fan-out.",
	"Enhanced fan-out: AWS's ~70 ms typical delivery is taken as the mean; assumed log-normal with median 62 ms and p99 190 ms (mean 70 ms), independent of the number of consumers.",
	"AWS's ~1 s average with five polling consumers is not built in: it follows from each consumer polling about once a second, which the scenario's poll_interval sets.",
}

// AWS returns the profile built from AWS's published figures. They are
// averages, so every spread and tail is assumed; Assumptions lists each.
func AWS() *Profile {
	return &Profile{
		Name:        NameAWS,
		Source:      "built in (AWS's published averages; spreads assumed)",
		Put:         logNormal(25*time.Millisecond, 100*time.Millisecond),
		Propagation: logNormal(89*time.Millisecond, 270*time.Millisecond),
		FanOut:      logNormal(62*time.Millisecond, 190*time.Millisecond),
		Assumptions: append([]string(nil), awsAssumptions...),
	}
}
