#!/usr/bin/env bash
# bench-runs.sh OUT_DIR: kbench's whole-run benchmarks, run by `make bench`
# after the Go benchmarks (whose output it expects in OUT_DIR/go-bench.txt).
#
#   1. Medians of the Go benchmarks' -count rounds, and the simulator /
#      kinesis-mock ingest ratio, from OUT_DIR/go-bench.txt (if present)
#      -> OUT_DIR/go-bench-medians.txt
#   2. scenarios/shards-matrix.yaml (1, 2, 4 and 8 shards at 3,000 records/s on
#      the simulator with AWS quotas) -> OUT_DIR/shards-matrix/, with a table
#      of each cell's summary.json -> OUT_DIR/shards-matrix.txt
#   3. With KBENCH_LONG=1 only: BenchmarkSimMemory (10 minutes), the resident
#      size of a `kbench sim` process under 20,000 records/s -> OUT_DIR/memory.txt
#
# Environment: GO (default go), KBENCH (default bin/kbench, built if missing),
# KBENCH_LONG=1 for the memory benchmark.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUT_DIR" >&2
	exit 2
fi
# OUT_DIR is taken relative to the caller's directory; the rest runs from
# the repository root.
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
GO=${GO:-go}
KBENCH=${KBENCH:-bin/kbench}

# run prints a command (on the script's standard error, whatever the
# command's redirections), then runs it.
exec 3>&2
run() {
	echo "+ $*" >&3
	"$@"
}

if [ ! -x "$KBENCH" ]; then
	run "$GO" build -o "$KBENCH" ./cmd/kbench
fi
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
run "$GO" build -o "$tools/benchtable" ./benchmarks/cmd/benchtable

# 1. Go benchmark medians.
if [ -f "$out/go-bench.txt" ]; then
	echo "== Go benchmarks: medians of $out/go-bench.txt"
	run "$tools/benchtable" gobench "$out/go-bench.txt" | tee "$out/go-bench-medians.txt"
fi

# 2. Shard comparison on the simulator. Exit code 1 means a threshold
# failed, which the table shows; anything else is a failed run.
echo "== shards-matrix: scenarios/shards-matrix.yaml"
rm -rf "$out/shards-matrix"
rc=0
run "$KBENCH" run scenarios/shards-matrix.yaml --out "$out/shards-matrix" --quiet \
	>"$out/shards-matrix.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
	echo "kbench run failed (exit $rc); log:" >&2
	tail -n 40 "$out/shards-matrix.log" >&2
	exit "$rc"
fi
run "$tools/benchtable" runs "$out/shards-matrix" | tee "$out/shards-matrix.txt"
if [ "$rc" -eq 1 ]; then
	echo "note: a threshold failed in shards-matrix (see $out/shards-matrix.log)"
fi

# 3. Memory under a long steady load, only when asked (10 minutes). Skipped
# when the Go benchmarks above already ran it (KBENCH_LONG=1 make bench).
if [ "${KBENCH_LONG:-}" = 1 ]; then
	echo "== memory: BenchmarkSimMemory (10 minutes)"
	if [ -f "$out/go-bench.txt" ] && grep -Eq '^BenchmarkSimMemory-[0-9]+[[:space:]]+[1-9]' "$out/go-bench.txt"; then
		echo "already measured in $out/go-bench.txt:"
		grep -A3 '^BenchmarkSimMemory-' "$out/go-bench.txt" | tee "$out/memory.txt"
	else
		case $KBENCH in
		/*) bin=$KBENCH ;;
		*) bin=$PWD/$KBENCH ;;
		esac
		run env KBENCH_LONG=1 KBENCH_BIN="$bin" "$GO" test -run '^$' -bench '^BenchmarkSimMemory$' \
			-benchtime 1x -count 1 -timeout 30m ./benchmarks | tee "$out/memory.txt"
	fi
fi
