// Package conformance holds kbench's shared integration suite: one table of
// Kinesis Data Streams cases, sent through the unmodified aws-sdk-go-v2
// client, that runs against every local engine kbench can start — its own
// simulator (sim) and kinesis-mock — so the simulator stays faithful to the
// wire protocol and to AWS's documented behaviour.
//
// Where kinesis-mock departs from the AWS documentation, a case follows AWS
// for the simulator and skips (or inverts) that one assertion for
// kinesis-mock, with a comment naming the difference. Quota, fault and
// long-running fan-out behaviour that only the simulator models is tested in
// package sim itself.
//
// The package has no non-test code. Run it with
//
//	make kinesis-mock
//	KBENCH_KINESIS_MOCK_DIR=$PWD/.cache/kinesis-local-0.6.2 go test ./conformance
//
// kinesis-mock cases are skipped when Node.js is not installed, and the whole
// suite is skipped under -short.
package conformance
