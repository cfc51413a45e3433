#!/usr/bin/env bash
# Runs every fuzz target of the module (func FuzzXxx in a _test.go file) for FUZZTIME each (default 10s),
# one after the other. A failing input is saved under the package's testdata/fuzz/ and fails the script;
# commit it as a regression seed once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
targets=$(grep -rl --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(' . | grep -v '^./.cache/' | sort)
n=0
for file in $targets; do
	pkg=./$(dirname "${file#./}")
	for fn in $(grep -oE '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
		echo "fuzz $pkg $fn ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "$pkg"
		n=$((n + 1))
	done
done
echo "fuzzed $n targets for $FUZZTIME each"
