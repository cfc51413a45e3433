// Package benchmarks holds kbench's end-to-end Go benchmarks: the
// simulator's ingest, quota and memory figures of docs/performance.md,
// measured through the real aws-sdk-go-v2 Kinesis client against the real
// engines, started the way kbench starts them (targets.Open). It has no
// non-test code.
//
//   - BenchmarkIngest: PutRecords ingest (500 × 100-byte records per call, a
//     few calls in flight, 4 shards) on the simulator with quotas off and on
//     kinesis-mock, side by side in one `go test` run, plus the simulator
//     with AWS quotas on 2048 shards, where they do not bind.
//   - BenchmarkQuota: accepted write and GetRecords rates per shard under
//     paced overload, next to AWS's per-shard quotas.
//   - BenchmarkReplayMemory: `kbench run` replaying a 1 GiB JSON-lines file
//     (generator replay) on the simulator, its resident size sampled every
//     250 ms: memory stays flat while the file streams through.
//   - BenchmarkSimMemory and BenchmarkSimMemoryShort: the resident size of a
//     `kbench sim` process under a long steady load, next to its retention
//     cap. They run only with KBENCH_LONG=1 (or, for the short one,
//     KBENCH_MEMORY_SECONDS=N).
//
// Run them with `make bench`, or for example:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./benchmarks
//	KBENCH_LONG=1 go test -run '^$' -bench '^BenchmarkSimMemory$' -benchtime 1x -timeout 30m ./benchmarks
//
// scripts/bench-runs.sh summarises the output with ./benchmarks/cmd/benchtable.
package benchmarks
