#!/usr/bin/env bash
# Sums the TRX files of a test run into one plain closing line: "N passed, N failed, N skipped".
set -euo pipefail
dir=${1:?results directory}
passed=0; failed=0; total=0; executed=0
for f in "$dir"/*.trx; do
  [[ -e $f ]] || continue
  line=$(grep -o '<Counters [^>]*' "$f" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line"; }
  total=$((total + $(get total))); executed=$((executed + $(get executed)))
  passed=$((passed + $(get passed))); failed=$((failed + $(get failed)))
done
skipped=$((total - executed))
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
