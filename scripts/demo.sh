#!/usr/bin/env bash
# One command for a fresh Debian machine with Node 20: install everything, start Redis and InfluxDB,
# and run the whole platform in one process with the demo district and its simulator. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
bash scripts/services.sh up
# stop only what services.sh started, whatever way the platform ends
trap 'bash scripts/services.sh down' EXIT

export TW_REDIS_URL="${TW_REDIS_URL:-redis://127.0.0.1:${TW_REDIS_PORT:-6390}}"
export TW_INFLUX_URL="${TW_INFLUX_URL:-http://127.0.0.1:${TW_INFLUX_PORT:-8096}}"
export TW_LOG_LEVEL="${TW_LOG_LEVEL:-warn}"
node platform/dist/main.js
