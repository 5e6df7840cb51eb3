#!/usr/bin/env bash
# Runs every benchmark in turn; each prints its own figures. Pass --quick for shorter runs.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in broker ingest alerts streams sim; do
  echo "=== bench:$b ==="
  npm run -s "bench:$b" -- "$@"
done
