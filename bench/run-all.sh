#!/usr/bin/env bash
# Runs every benchmark in turn; each prints its own figures as it goes. Pass --quick for shorter runs.
# First installs what the benchmarks compare against (scripts/install.sh --with-bench: nginx with its RTMP module,
# mosquitto, PostgreSQL, ...). A benchmark that fails or cannot run does not stop the others: the summary at the
# end says which ran, which were skipped and why. Exits non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh --with-bench </dev/null || { echo "bench: install failed" >&2; exit 1; }

declare -a summary=()
failed=0
run_one() {
  local label="$1"
  shift
  echo "=== $label ==="
  local start=$SECONDS status=0
  npm run -s "$@" || status=$?
  local took=$((SECONDS - start))
  case "$status" in
    0) summary+=("$label: ran (${took} s)") ;;
    3) summary+=("$label: skipped, a required tool is missing (see its first lines)") ;;
    *) summary+=("$label: FAILED with exit code $status after ${took} s") && failed=1 ;;
  esac
}

for b in broker ingest alerts streams sim; do
  run_one "bench:$b" "bench:$b" -- "$@"
  # ingest again with a fleet closer to a real one: 5,000 devices, each sending a fifth as often (docs/ingest.md)
  if [ "$b" = ingest ]; then run_one "bench:ingest --devices 5000" bench:ingest -- --devices 5000 "$@"; fi
done

echo
echo "=== summary ($(date -u +%FT%TZ), ${SECONDS} s in all) ==="
printf '%s\n' "${summary[@]}"
exit "$failed"
