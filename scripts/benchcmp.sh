#!/usr/bin/env bash
# benchcmp.sh OLD NEW [PACKAGE...]: the hot-path Go benchmarks of two commits,
# side by side, compared by benchstat.
#
# Each commit is checked out in a temporary worktree and its test binaries
# are built once; then the rounds alternate OLD, NEW, OLD, NEW... so that a
# machine getting busier or quieter during the run moves both sides alike.
# Run it on a quiet machine: on a loaded one the spread hides a 5% change.
#
# Environment: ROUNDS (default 8), BENCHTIME (default 200ms), BENCH (a
# -test.bench pattern, default every benchmark of the package), OUT (default
# a temporary directory; the raw rounds are kept there as OLD.txt and
# NEW.txt), GO (default go).
#
# Example (the figures in docs/performance.md#hot-paths):
#   scripts/benchcmp.sh a041a3c 20b2d59 generators collectors metrics envelope
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 OLD NEW [PACKAGE...]" >&2
	exit 2
fi
old=$1 new=$2
shift 2
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(generators collectors metrics envelope)
GO=${GO:-go}
ROUNDS=${ROUNDS:-8}
BENCHTIME=${BENCHTIME:-200ms}
BENCH=${BENCH:-.}
cd "$(dirname "$0")/.."
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; git worktree remove --force "$work/new" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

for side in old new; do
	rev=${!side}
	git worktree add --detach "$work/$side" "$rev" >/dev/null
	for p in "${pkgs[@]}"; do
		(cd "$work/$side" && "$GO" test -c -o "$work/$side-$p.test" "./$p")
	done
done

: >"$out/old.txt"
: >"$out/new.txt"
for i in $(seq 1 "$ROUNDS"); do
	echo "round $i of $ROUNDS" >&2
	for side in old new; do
		for p in "${pkgs[@]}"; do
			# Each package's benchmarks run in their own directory (testdata),
			# named after the package so that equal names do not collide.
			(cd "$work/$side/$p" && "$work/$side-$p.test" -test.run '^$' -test.bench "$BENCH" \
				-test.benchtime "$BENCHTIME" -test.cpu 1 -test.benchmem) |
				grep -E '^Benchmark' | sed "s/^Benchmark/Benchmark${p^}/" >>"$out/$side.txt"
		done
	done
done
"$GO" run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$old=$out/old.txt" "$new=$out/new.txt"
echo "raw rounds: $out/old.txt $out/new.txt" >&2
