#!/usr/bin/env bash
# Runs every benchmark in turn; each prints its own figures. Pass --quick for shorter runs.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in broker ingest alerts streams sim; do
  echo "=== bench:$b ==="
  npm run -s "bench:$b" -- "$@"
  # ingest again with a fleet closer to a real one: 5,000 devices, each sending a fifth as often (docs/ingest.md)
  if [ "$b" = ingest ]; then
    echo "=== bench:ingest --devices 5000 ==="
    npm run -s bench:ingest -- --devices 5000 "$@"
  fi
done
