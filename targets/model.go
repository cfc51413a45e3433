package targets

var modelKind = Kind{
	Name: KindModel,
	Doc: "kbench's model of Kinesis: the scenario runs on a simulated clock, with no endpoint, no HTTP and no records sent " +
		"(quotas, batching, retries, key skew, consumers; see docs/model.md). It takes the simulator's settings (target.sim).",
	InScenario: true,
	SimOptions: true,
	Offline:    true,
}
