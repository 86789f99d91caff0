#!/usr/bin/env bash
# Synthesis time of the whole app (portfolio + both products), after install, against the issue's
# 30 s target and against a type-checking synth (projen's default app command) measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
if ! [[ "$RUNS" =~ ^[1-9][0-9]?$ ]]; then
  echo "usage: $0 [runs 1-99] (got '$RUNS')" >&2
  exit 2
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_synth() {  # $1 = app command
  local out; out="$(mktemp -d)"
  local start end
  start=$(date +%s.%N)
  npx cdk synth -q --app "$1" --output "$out" > /dev/null 2>&1
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

APP=$(node -p "require('./cdk.json').app")
BASELINE="npx ts-node -P tsconfig.json --prefer-ts-exts product/main.ts"
ours=$(for _ in $(seq "$RUNS"); do time_synth "$APP"; done | median)
base=$(for _ in $(seq "$RUNS"); do time_synth "$BASELINE"; done | median)
printf '%-34s %8s\n' "synth (median of $RUNS)" "seconds"
printf '%-34s %8.1f\n' "cdk.json app (transpile only)" "$ours"
printf '%-34s %8.1f\n' "baseline: type-checking ts-node" "$base"
printf '%-34s %8.2f\n' "ratio ours / baseline" "$(awk -v a="$ours" -v b="$base" 'BEGIN { print a / b }')"
if awk -v a="$ours" 'BEGIN { exit !(a <= 30) }'; then echo "PASS: synth <= 30 s"; else echo "FAIL: synth > 30 s"; exit 1; fi
