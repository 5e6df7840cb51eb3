#!/usr/bin/env bash
# One command for a fresh Debian machine with Node 20: install everything, start Redis and InfluxDB,
# and run the whole platform in one process with the demo district and its simulator. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
bash scripts/services.sh up
# Stop only what services.sh started, whatever way the platform ends. Its output may go to a pipe that
# Ctrl-C already closed, so the cleanup must not depend on being able to print.
cleanup() {
  trap - EXIT INT TERM
  bash scripts/services.sh down </dev/null >/dev/null 2>&1 || true
  { echo "demo: Redis and InfluxDB stopped"; } 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export TW_REDIS_URL="${TW_REDIS_URL:-redis://127.0.0.1:${TW_REDIS_PORT:-6390}}"
export TW_INFLUX_URL="${TW_INFLUX_URL:-http://127.0.0.1:${TW_INFLUX_PORT:-8096}}"
export TW_LOG_LEVEL="${TW_LOG_LEVEL:-warn}"
export TW_LOG_PRETTY="${TW_LOG_PRETTY:-true}"
node platform/dist/main.js
