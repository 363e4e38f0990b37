#!/usr/bin/env bash
# A real Ordinaut cluster on one machine: N nodes as separate JVMs on loopback ports, one shared
# PostgreSQL (and Redis when present), nginx in front on one port with docker/nginx.conf's upstream rules.
#
#   docker/local-cluster.sh start N        start N nodes and nginx; returns once every node is ready
#   docker/local-cluster.sh stop           SIGTERM to nginx and every node, wait for them to exit
#   docker/local-cluster.sh status         one line per process; exit status 0 only if all are up and ready
#   docker/local-cluster.sh stop-node I    SIGTERM node I and wait (its port leaves nginx's rotation)
#   docker/local-cluster.sh start-node I   start node I again (same port, same settings) and wait until ready
#   docker/local-cluster.sh rolling-restart  stop-node + start-node for every node, one at a time, each taken
#                                            out of nginx's rotation while it restarts
#
# Environment (the nodes also inherit every other ORDINAUT_* / SPRING_* variable; see README.md):
#   ORDINAUT_DB_URL, ORDINAUT_DB_USER, ORDINAUT_DB_PASSWORD   the shared PostgreSQL (required: a cluster
#                                  never uses the embedded database)
#   ORDINAUT_ADMIN_TOKEN           the admin token every node is started with
#   ORDINAUT_REDIS_URL             Redis for events; unset: redis://127.0.0.1:6379 if it answers there;
#                                  "none": no Redis
#   ORDINAUT_CLUSTER_DIR           run folder: pid, port and log files (default: target/local-cluster)
#   ORDINAUT_CLUSTER_PORT          nginx's port (default 8080)
#   ORDINAUT_CLUSTER_BASE_PORT     node I listens on BASE_PORT + I - 1 (default 8081)
#   ORDINAUT_CLUSTER_CLASSPATH     run nodes from this class path (io.ordinaut.OrdinautApplication)
#                                  instead of target/ordinaut.jar
#   ORDINAUT_CLUSTER_JAVA_OPTS     JVM options (default: -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
#   ORDINAUT_CLUSTER_NODE_ARGS     extra arguments for every node, e.g. "--ordinaut.executor.lease-seconds=20"
#   ORDINAUT_CLUSTER_START_TIMEOUT seconds to wait for a node to be ready (default 240)
#   ORDINAUT_CLUSTER_STOP_TIMEOUT  seconds to wait for a node to exit after SIGTERM before SIGKILL (default 90)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${ORDINAUT_CLUSTER_DIR:-$ROOT/target/local-cluster}"
LB_PORT="${ORDINAUT_CLUSTER_PORT:-8080}"
BASE_PORT="${ORDINAUT_CLUSTER_BASE_PORT:-8081}"
JAVA_OPTS="${ORDINAUT_CLUSTER_JAVA_OPTS:--Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
START_TIMEOUT="${ORDINAUT_CLUSTER_START_TIMEOUT:-240}"
STOP_TIMEOUT="${ORDINAUT_CLUSTER_STOP_TIMEOUT:-90}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() { echo "local-cluster: $*" >&2; exit 1; }
say() { echo "local-cluster: $*"; }

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
pid_of() { [[ -f "$DIR/$1.pid" ]] && cat "$DIR/$1.pid" || true; }
node_count() { ls "$DIR"/node*.port 2>/dev/null | wc -l; }
http_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" 2>/dev/null || true; }

nginx_bin() {
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

ensure_nginx() {
  if [[ -z "$(nginx_bin)" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "installing nginx (Debian package nginx-light)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
    fi
    [[ -n "$(nginx_bin)" ]] || die "nginx is not installed (apt-get install nginx-light)"
  fi
}

ensure_tools() {
  command -v curl >/dev/null || die "curl is needed to check the nodes' readiness"
  [[ -n "${ORDINAUT_DB_URL:-}" ]] || die "set ORDINAUT_DB_URL (and ORDINAUT_DB_USER, ORDINAUT_DB_PASSWORD): the nodes share one PostgreSQL"
  if [[ -z "${ORDINAUT_CLUSTER_CLASSPATH:-}" && ! -f "$ROOT/target/ordinaut.jar" ]]; then
    die "no target/ordinaut.jar: build it with 'mvn -B -ntp -q package -Dmaven.test.skip=true', or set ORDINAUT_CLUSTER_CLASSPATH"
  fi
}

redis_url() {
  case "${ORDINAUT_REDIS_URL:-}" in
    none) echo "" ;;
    "") if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
          echo "redis://127.0.0.1:6379"
        fi ;;
    *) echo "$ORDINAUT_REDIS_URL" ;;
  esac
}

start_node() {
  local i="$1" port="$2"
  local name="node$i"
  if alive "$(pid_of "$name")"; then die "$name is already running (pid $(pid_of "$name"))"; fi
  echo "$port" > "$DIR/$name.port"
  local redis; redis="$(redis_url)"
  local -a launch
  if [[ -n "${ORDINAUT_CLUSTER_CLASSPATH:-}" ]]; then
    launch=(-cp "$ORDINAUT_CLUSTER_CLASSPATH" io.ordinaut.OrdinautApplication)
  else
    launch=(-jar "$ROOT/target/ordinaut.jar")
  fi
  # shellcheck disable=SC2086  # JAVA_OPTS and NODE_ARGS are word lists
  (
    cd "$DIR"
    export SERVER_PORT="$port" ORDINAUT_NODE_ID="$name" ORDINAUT_REDIS_URL="$redis"
    export ORDINAUT_TRUSTED_PROXIES="${ORDINAUT_TRUSTED_PROXIES:-127.0.0.1}"
    unset SPRING_DATA_REDIS_URL
    [[ -n "$redis" ]] && export SPRING_DATA_REDIS_URL="$redis"
    exec nohup "$JAVA" $JAVA_OPTS "${launch[@]}" ${ORDINAUT_CLUSTER_NODE_ARGS:-} </dev/null >>"$DIR/$name.log" 2>&1
  ) &
  echo $! > "$DIR/$name.pid"
  say "$name starting: pid $! port $port log $DIR/$name.log"
}

await_ready() {
  local name="$1" port; port="$(cat "$DIR/$name.port")"
  local deadline=$((SECONDS + START_TIMEOUT))
  while (( SECONDS < deadline )); do
    alive "$(pid_of "$name")" || { tail -n 40 "$DIR/$name.log" >&2; die "$name exited while starting (log: $DIR/$name.log)"; }
    [[ "$(http_code "http://127.0.0.1:$port/health/ready")" == 200 ]] && { say "$name ready on port $port"; return 0; }
    sleep 1
  done
  tail -n 40 "$DIR/$name.log" >&2
  die "$name not ready after ${START_TIMEOUT}s (log: $DIR/$name.log)"
}

stop_pid() {
  local name="$1" pid; pid="$(pid_of "$name")"
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true   # a paused (SIGSTOP) process handles SIGTERM only once resumed
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while alive "$pid" && (( SECONDS < deadline )); do sleep 0.2; done
    if alive "$pid"; then
      say "$name did not exit ${STOP_TIMEOUT}s after SIGTERM: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "$name stopped"
  fi
  rm -f "$DIR/$name.pid"
}

# write_nginx_conf N [I]: the upstream holds nodes 1..N; node I, if given, is marked down (no new requests).
write_nginx_conf() {
  local n="$1" down="${2:-}" conf="$DIR/nginx/nginx.conf" servers="" i
  for ((i = 1; i <= n; i++)); do
    local mark=""
    if [[ "$i" == "$down" ]]; then mark=" down"; fi
    servers+="    server 127.0.0.1:$((BASE_PORT + i - 1)) max_fails=2 fail_timeout=5s$mark;\n"
  done
  local temps="  client_body_temp_path $DIR/nginx/tmp/body;\n  proxy_temp_path $DIR/nginx/tmp/proxy;"
  local v; v="$("$(nginx_bin)" -V 2>&1)"
  for m in fastcgi uwsgi scgi; do
    [[ "$v" == *"--without-http_${m}_module"* ]] || temps+="\n  ${m}_temp_path $DIR/nginx/tmp/$m;"
  done
  # docker/nginx.conf with the nodes' loopback ports, this port, and logs and temp files in the run folder.
  awk -v servers="$servers" -v port="$LB_PORT" -v local="  access_log $DIR/nginx/access.log;\n$temps" '
    /^[[:space:]]*server node[0-9]+:/ { if (!done) { printf "%s", servers; done = 1 } next }
    /^[[:space:]]*listen 8080;/ { print "    listen 127.0.0.1:" port ";"; next }
    { print }
    /^http[[:space:]]*\{/ { print local }
  ' "$ROOT/docker/nginx.conf" > "$conf"
  (printf 'pid %s;\nerror_log %s warn;\n' "$DIR/nginx/nginx.pid" "$DIR/nginx/error.log"; cat "$conf") > "$conf.tmp"
  mv "$conf.tmp" "$conf"
}

start_nginx() {
  local n="$1"
  mkdir -p "$DIR/nginx/tmp"
  write_nginx_conf "$n"
  "$(nginx_bin)" -p "$DIR/nginx/" -e "$DIR/nginx/error.log" -c "$DIR/nginx/nginx.conf" -t -q \
    || die "nginx rejects $DIR/nginx/nginx.conf"
  # nginx daemonizes itself and writes its pid file; as root its workers run as nobody.
  "$(nginx_bin)" -p "$DIR/nginx/" -e "$DIR/nginx/error.log" -c "$DIR/nginx/nginx.conf" </dev/null >/dev/null 2>&1
  local deadline=$((SECONDS + 10))
  until [[ -s "$DIR/nginx/nginx.pid" ]] || (( SECONDS >= deadline )); do sleep 0.1; done
  [[ -s "$DIR/nginx/nginx.pid" ]] || die "nginx did not start (log: $DIR/nginx/error.log)"
  cp "$DIR/nginx/nginx.pid" "$DIR/nginx.pid"
  say "nginx on 127.0.0.1:$LB_PORT → $n node(s) (pid $(cat "$DIR/nginx.pid"), conf $DIR/nginx/nginx.conf)"
}

# Rewrites nginx's configuration (node I down, or none) and reloads it: new workers take the new upstream
# list, old ones finish the requests they hold. Without nginx running, does nothing.
route_around() {
  alive "$(pid_of nginx)" || return 0
  write_nginx_conf "$(node_count)" "${1:-}"
  kill -HUP "$(pid_of nginx)"
  if [[ -n "${1:-}" ]]; then say "nginx: node$1 out of rotation"; else say "nginx: every node in rotation"; fi
}

cmd_rolling_restart() {
  ensure_tools
  local f name i
  for f in "$DIR"/node*.port; do
    name="$(basename "$f" .port)"; i="${name#node}"
    # Out of nginx's rotation first: a request sent to a node whose listener is closing can be reset after it
    # was sent, and nginx rightly never resends a POST. The pause lets nginx's old workers finish theirs.
    route_around "$i"
    sleep 1
    stop_pid "$name"; start_node "$i" "$(cat "$f")"; await_ready "$name"
    route_around
  done
}

cmd_start() {
  local n="${1:-}"
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 start N (N ≥ 1)"
  ensure_tools
  ensure_nginx
  mkdir -p "$DIR"
  if alive "$(pid_of nginx)" || [[ -n "$(for f in "$DIR"/node*.pid; do [[ -f $f ]] && alive "$(cat "$f")" && echo x; done)" ]]; then
    die "a cluster is already running in $DIR: '$0 stop' first"
  fi
  rm -f "$DIR"/node*.port "$DIR"/node*.pid
  # The first node alone runs the database migrations; the others then start side by side.
  start_node 1 "$BASE_PORT"
  await_ready node1
  local i
  for ((i = 2; i <= n; i++)); do start_node "$i" $((BASE_PORT + i - 1)); done
  for ((i = 2; i <= n; i++)); do await_ready "node$i"; done
  start_nginx "$n"
  say "cluster of $n node(s) ready: http://127.0.0.1:$LB_PORT"
}

cmd_stop() {
  if alive "$(pid_of nginx)"; then
    kill -QUIT "$(pid_of nginx)" 2>/dev/null || true   # graceful: finishes the requests in progress
    local deadline=$((SECONDS + 20))
    while alive "$(pid_of nginx)" && (( SECONDS < deadline )); do sleep 0.1; done
    alive "$(pid_of nginx)" && kill -KILL "$(pid_of nginx)" 2>/dev/null || true
    say "nginx stopped"
  fi
  rm -f "$DIR/nginx.pid"
  # All nodes at once: each drains its running work within its shutdown grace.
  local f pids=()
  for f in "$DIR"/node*.pid; do
    [[ -f "$f" ]] || continue
    local name; name="$(basename "$f" .pid)"
    stop_pid "$name" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
}

cmd_status() {
  local ok=0 f
  [[ -d "$DIR" ]] || { echo "no cluster in $DIR"; return 3; }
  for f in "$DIR"/node*.port; do
    [[ -f "$f" ]] || continue
    local name port pid code; name="$(basename "$f" .port)"; port="$(cat "$f")"; pid="$(pid_of "$name")"
    if alive "$pid"; then
      code="$(http_code "http://127.0.0.1:$port/health/ready")"
      printf '%-8s pid %-8s port %-6s ready %s\n' "$name" "$pid" "$port" "${code:-none}"
      [[ "$code" == 200 ]] || ok=3
    else
      printf '%-8s stopped      port %s\n' "$name" "$port"; ok=3
    fi
  done
  if alive "$(pid_of nginx)"; then
    printf '%-8s pid %-8s port %-6s /health/ready through it: %s\n' nginx "$(pid_of nginx)" "$LB_PORT" \
      "$(http_code "http://127.0.0.1:$LB_PORT/health/ready")"
  else
    printf '%-8s stopped\n' nginx; ok=3
  fi
  return $ok
}

node_port() { [[ -f "$DIR/node$1.port" ]] || die "no node$1 in $DIR"; cat "$DIR/node$1.port"; }

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  stop-node) port="$(node_port "${2:?node number}")"; stop_pid "node$2" ;;
  start-node) ensure_tools; port="$(node_port "${2:?node number}")"; start_node "$2" "$port"; await_ready "node$2" ;;
  rolling-restart) cmd_rolling_restart ;;
  *) echo "usage: $0 start N | stop | status | stop-node I | start-node I | rolling-restart" >&2; exit 2 ;;
esac
