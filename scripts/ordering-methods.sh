#!/usr/bin/env bash
# ordering-methods.sh OUT_DIR [ROUNDS]: the two ways ordering per_key can be
# kept, measured side by side on scenarios/ordering.yaml (card payments over
# the simulator's write quota): per-shard batches (ordering: per_key) and
# PutRecord chains with SequenceNumberForOrdering (ordering: per_key_chain)
# at in_flight 8 and 32. The cells alternate, ROUNDS times (default 3), so
# a busy machine weighs on each alike; a table of every run's figures goes
# to OUT_DIR/ordering-methods.txt. docs/ordering.md has the figures of a run.
#
# Environment: KBENCH (default bin/kbench, built if missing).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUT_DIR [ROUNDS]" >&2
	exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
rounds=${2:-3}
cd "$(dirname "$0")/.."
KBENCH=${KBENCH:-bin/kbench}
[ -x "$KBENCH" ] || go build -o "$KBENCH" ./cmd/kbench

cells=("per_key 8" "per_key_chain 8" "per_key_chain 32")
for r in $(seq 1 "$rounds"); do
	for cell in "${cells[@]}"; do
		set -- $cell
		dir="$out/round$r-$1-inflight$2"
		echo "round $r: ordering $1, in_flight $2" >&2
		"$KBENCH" run scenarios/ordering.yaml --out "$dir" --set 'matrix={}' \
			--set "producers[0].ordering=$1" --set "producers[0].in_flight=$2" >"$dir.log" 2>&1 || true
	done
done

python3 - "$out" >"$out/ordering-methods.txt" <<'EOF'
import glob, json, os, sys
print("run | acked / scheduled | acked rec/s | calls | throttled | out of order | put p50 / p99 ms | e2e p50 / p99 ms")
for d in sorted(glob.glob(os.path.join(sys.argv[1], "round*/"))):
    s = json.load(open(os.path.join(d, "summary.json")))
    t, l = s["totals"], s["latency"]
    print(f"{os.path.basename(d.rstrip('/'))} | {t['acked']:,} / {t['scheduled']:,} | {s['throughput']['acked_rps']:,.0f} | "
          f"{t['calls']:,} | {t['throttled']:,} | {t['out_of_order']} | {l['put']['p50_ms']:.1f} / {l['put']['p99_ms']:.1f} | "
          f"{l['e2e']['p50_ms']:,.0f} / {l['e2e']['p99_ms']:,.0f}")
EOF
cat "$out/ordering-methods.txt"
