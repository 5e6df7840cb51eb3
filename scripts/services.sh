#!/usr/bin/env bash
# Local services for development and the all-in-one mode: Redis and InfluxDB 1.6 on project ports, with
# data, pid files and logs under the repository's git-ignored .data/ folder.
#
#   scripts/services.sh up [--with-postgres]     install what is missing, start what is not running, wait until it answers
#   scripts/services.sh down                     stop what `up` started (by its pid files), nothing else
#   scripts/services.sh status                   one line per service: name, up|down, pid, port (exit 3 when one is down)
#   scripts/services.sh deps [--with-postgres] [--with-bench]   only the apt part (scripts/install.sh uses it);
#                                                  --with-bench adds what the benchmarks compare against (bench/prereqs.ts)
#
# Environment: TW_REDIS_PORT (6390), TW_INFLUX_PORT (8096), TW_INFLUX_RPC_PORT (8098), TW_INFLUX_GOGC (200), TW_INFLUX_DATABASE
# (tianwang), TW_WITH_POSTGRES=1 (same as --with-postgres). Tests do not need this script: they start their
# own servers on free ports through @tianwang/core/testing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
REDIS_PORT="${TW_REDIS_PORT:-6390}"
INFLUX_PORT="${TW_INFLUX_PORT:-8096}"
INFLUX_RPC_PORT="${TW_INFLUX_RPC_PORT:-8098}"
INFLUX_DB="${TW_INFLUX_DATABASE:-tianwang}"
WITH_POSTGRES="${TW_WITH_POSTGRES:-0}"
WITH_BENCH="${TW_WITH_BENCH:-0}"

say() { printf 'services: %s\n' "$*"; }
die() {
  printf 'services: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- apt: install only what is missing

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

# "binary package" pairs; a package is installed only when its binary (or, for a path, its file) is missing
missing_packages() {
  local pairs=(
    "redis-server redis-server"
    "redis-cli redis-tools"
    "influxd influxdb"
    "victoria-metrics victoria-metrics"
    "ffmpeg ffmpeg"
    "ffprobe ffmpeg"
    "chromium chromium"
    "mosquitto_pub mosquitto-clients"
    "mosquitto mosquitto"
    "openssl openssl"
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core"
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei"
    "curl curl"
    "flock util-linux"
  )
  local pair bin pkg out=()
  for pair in "${pairs[@]}"; do
    read -r bin pkg <<<"$pair"
    if [[ "$bin" == /* ]]; then [[ -e "$bin" ]] || out+=("$pkg"); else command -v "$bin" >/dev/null 2>&1 || out+=("$pkg"); fi
  done
  # the benchmarks' peers and tools: keep in step with BENCH_PACKAGES in bench/prereqs.ts (bench/test/prereqs.test.ts checks)
  local bench_pairs=(
    "nginx nginx"
    "/usr/lib/nginx/modules/ngx_rtmp_module.so libnginx-mod-rtmp"
    "mosquitto mosquitto"
    "redis-server redis-server"
    "influxd influxdb"
    "ffmpeg ffmpeg"
    "taskset util-linux"
  )
  if [[ "$WITH_BENCH" == 1 ]]; then
    for pair in "${bench_pairs[@]}"; do
      read -r bin pkg <<<"$pair"
      if [[ "$bin" == /* ]]; then [[ -e "$bin" ]] || out+=("$pkg"); else command -v "$bin" >/dev/null 2>&1 || out+=("$pkg"); fi
    done
  fi
  if [[ "$WITH_POSTGRES" == 1 || "$WITH_BENCH" == 1 ]] && ! have_postgres; then out+=(postgresql); fi
  if ((${#out[@]})); then printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '; fi
}

cmd_deps() {
  local pkgs
  pkgs="$(missing_packages)"
  [[ -z "$pkgs" ]] && return 0
  local sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "missing Debian packages: $pkgs; install them as root: apt-get install $pkgs"
    sudo=(sudo -n)
  fi
  say "installing $pkgs"
  local apt=(apt-get -q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
  # shellcheck disable=SC2086 # $pkgs is a list of package names
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >/dev/null &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends $pkgs >/dev/null ||
    die "apt-get install $pkgs failed"
  pkgs="$(missing_packages)"
  [[ -z "$pkgs" ]] || die "still missing after apt-get: $pkgs"
}

# ---------------------------------------------------------------- process bookkeeping

# pid from a pid file, only when that process is alive and is the expected program (pids get reused)
live_pid() {
  local file="$1" comm="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null || ps -p "$pid" -o comm= 2>/dev/null)" == "$comm"* ]] || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() {
  local what="$1" seconds="$2" log="$3"
  shift 3
  local i
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  printf 'services: %s does not answer after %ss; last lines of %s:\n' "$what" "$seconds" "$log" >&2
  tail -n 20 "$log" >&2 || true
  return 1
}

stop_pid() {
  local name="$1" file="$2" comm="$3" pid i
  if ! pid="$(live_pid "$file" "$comm")"; then
    rm -f "$file"
    say "$name: not running"
    return 0
  fi
  kill -TERM "$pid"
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name: still running after 15 s, killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
  say "$name: stopped (pid $pid)"
}

# ---------------------------------------------------------------- Redis

REDIS_DIR="$DATA/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"
redis_ping() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

redis_up() {
  local pid
  if pid="$(live_pid "$REDIS_PID" redis-server)"; then
    say "redis: already up (pid $pid, port $REDIS_PORT)"
    return 0
  fi
  port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is in use by another process; choose another with TW_REDIS_PORT"
  mkdir -p "$REDIS_DIR"
  # AOF keeps every acknowledged write (fsync once a second); RDB snapshots are off
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --appendonly yes --appendfsync everysec --save '' \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" ||
    die "redis: redis-server failed to start (see $REDIS_LOG)"
  wait_until redis 20 "$REDIS_LOG" redis_ping || die "redis: not ready"
  say "redis: up (pid $(live_pid "$REDIS_PID" redis-server || echo ?), port $REDIS_PORT, AOF on, data $REDIS_DIR)"
}

# ---------------------------------------------------------------- InfluxDB 1.x

INFLUX_DIR="$DATA/influxdb"
INFLUX_PID="$INFLUX_DIR/influxd.pid"
INFLUX_LOG="$INFLUX_DIR/influxd.log"
INFLUX_CONF="$INFLUX_DIR/influxdb.conf"
influx_ping() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$INFLUX_PORT/ping" 2>/dev/null; }

write_influx_conf() {
  # same layout as startInflux() in core/src/testing/servers.ts; rewritten on each start so port changes apply
  cat >"$INFLUX_CONF" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$INFLUX_DIR/meta"
[data]
  dir = "$INFLUX_DIR/data"
  wal-dir = "$INFLUX_DIR/wal"
  query-log-enabled = false
  cache-max-memory-size = "512m"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
[continuous_queries]
  enabled = false
EOF
}

influx_up() {
  local pid
  if pid="$(live_pid "$INFLUX_PID" influxd)"; then
    say "influxdb: already up (pid $pid, port $INFLUX_PORT)"
  else
    port_open "$INFLUX_PORT" && die "influxdb: port $INFLUX_PORT is in use by another process; choose another with TW_INFLUX_PORT"
    port_open "$INFLUX_RPC_PORT" && die "influxdb: RPC port $INFLUX_RPC_PORT is in use by another process; choose another with TW_INFLUX_RPC_PORT"
    mkdir -p "$INFLUX_DIR"
    write_influx_conf
    # detached from this shell (own session), so it outlives the terminal that ran `up`. GOGC=200: influxd
    # spends about a fifth less CPU per point on Go's garbage collector for a somewhat larger heap (docs/ingest.md)
    GOGC="${TW_INFLUX_GOGC:-200}" setsid influxd -config "$INFLUX_CONF" >>"$INFLUX_LOG" 2>&1 </dev/null &
    echo $! >"$INFLUX_PID"
    wait_until influxdb 30 "$INFLUX_LOG" influx_ping || die "influxdb: not ready"
    live_pid "$INFLUX_PID" influxd >/dev/null || die "influxdb: exited (see $INFLUX_LOG)"
    say "influxdb: up (pid $(cat "$INFLUX_PID"), port $INFLUX_PORT, data $INFLUX_DIR)"
  fi
  # idempotent in InfluxDB 1.x
  curl -fsS -o /dev/null --max-time 10 -XPOST "http://127.0.0.1:$INFLUX_PORT/query" --data-urlencode "q=CREATE DATABASE \"$INFLUX_DB\"" ||
    die "influxdb: CREATE DATABASE $INFLUX_DB failed"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  cmd_deps
  mkdir -p "$DATA"
  redis_up
  influx_up
}

cmd_down() {
  stop_pid influxdb "$INFLUX_PID" influxd
  stop_pid redis "$REDIS_PID" redis-server
}

cmd_status() {
  local down=0 pid
  if pid="$(live_pid "$REDIS_PID" redis-server)" && redis_ping; then
    printf '%-10s %-5s pid %-8s port %s\n' redis up "$pid" "$REDIS_PORT"
  else
    printf '%-10s %-5s pid %-8s port %s\n' redis down - "$REDIS_PORT"
    down=1
  fi
  if pid="$(live_pid "$INFLUX_PID" influxd)" && influx_ping; then
    printf '%-10s %-5s pid %-8s port %s\n' influxdb up "$pid" "$INFLUX_PORT"
  else
    printf '%-10s %-5s pid %-8s port %s\n' influxdb down - "$INFLUX_PORT"
    down=1
  fi
  return $((down ? 3 : 0))
}

usage() {
  # the comment block at the top of this file
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  local arg
  for arg in "$@"; do
    case "$arg" in
      --with-postgres) WITH_POSTGRES=1 ;;
      --with-bench) WITH_BENCH=1 ;;
      *) die "unknown option $arg (see: scripts/services.sh help)" ;;
    esac
  done
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    deps) cmd_deps ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
