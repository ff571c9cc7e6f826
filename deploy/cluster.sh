#!/usr/bin/env bash
# The production topology on one machine: HAProxy in front of three gunicorn app servers, two job
# consumers, a Redis of its own, PostgreSQL, and media on an S3-compatible endpoint (moto's server).
#   deploy/cluster.sh start | stop | status        (make cluster / make cluster-stop)
# Each start is a fresh demo: moto keeps its objects in memory, so the database and Redis are made anew to
# match. Redis is the cluster's own redis-server on CLUSTER_REDIS_PORT (6390), its data in $RUN/redis with
# appendonly (fsync every second) as a production Redis keeps it, so a restart keeps the job queue; the
# shared Redis on 6379 is never used. PostgreSQL is the shared server's database CLUSTER_DB, made anew
# (CLUSTER_PG=shared, the default), or with CLUSTER_PG=own a PostgreSQL cluster of the script's own
# (pg_createcluster on CLUSTER_PG_PORT, 5440, data in $RUN/pg; needs root), dropped by stop: the fault
# tests restart it. Settings: LB_PORT (8080), APP_PORTS ("8001 8002 8003"), S3_PORT (9000),
# CONSUMERS (2), WEB_CONCURRENCY (workers per app server, 2), CLUSTER_DB (serumpun_cluster),
# CLUSTER_REDIS_PORT (6390), CLUSTER_REDIS_DB (0), CLUSTER_PG (shared | own), CLUSTER_PG_PORT (5440),
# PG_URL (postgresql+psycopg://postgres@127.0.0.1:5432, or the own cluster's), CLUSTER_PRODUCTS (0: the
# demo only; N: also N bench products from seed-bench, for the load test), CLUSTER_RUN (instance/cluster).
#   deploy/cluster.sh lb N    points HAProxy at the first N app servers only (the load test's 1, 2, 3).
#   deploy/cluster.sh redis-stop | redis-start | pg-stop | pg-start    stop or start the cluster's own
#                             Redis or PostgreSQL while the rest runs (deploy/loadtest/faults.py).
#   deploy/cluster.sh env     the app servers' environment, NUL-separated (for the load and fault tests).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

LB_PORT=${LB_PORT:-8080}
APP_PORTS=${APP_PORTS:-"8001 8002 8003"}
S3_PORT=${S3_PORT:-9000}
CONSUMERS=${CONSUMERS:-2}
CLUSTER_DB=${CLUSTER_DB:-serumpun_cluster}
CLUSTER_REDIS_PORT=${CLUSTER_REDIS_PORT:-6390}
CLUSTER_REDIS_DB=${CLUSTER_REDIS_DB:-0}
CLUSTER_PG=${CLUSTER_PG:-shared}
CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-5440}
if [ "$CLUSTER_PG" = own ]; then
  PG_PORT=$CLUSTER_PG_PORT
else
  PG_PORT=5432
fi
PG_URL=${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:$PG_PORT}
RUN=${CLUSTER_RUN:-instance/cluster}
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)  # absolute: the app servers and HAProxy are given paths inside it
BIN=.venv/bin

cluster_env() {
  export SERUMPUN_ENV=production
  export SERUMPUN_INSTANCE_PATH="$RUN/instance"
  export SECRET_KEY
  SECRET_KEY=$(cat "$RUN/secret_key")
  export DATABASE_URL="$PG_URL/$CLUSTER_DB"
  export REDIS_URL="redis://127.0.0.1:$CLUSTER_REDIS_PORT/$CLUSTER_REDIS_DB"
  export MEDIA_STORAGE=s3 S3_BUCKET=serumpun-media DOCUMENTS_S3_BUCKET=serumpun-documents
  export S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" S3_PUBLIC_URL="http://127.0.0.1:$S3_PORT/serumpun-media"
  export S3_REGION=us-east-1 S3_ACCESS_KEY_ID=cluster S3_SECRET_ACCESS_KEY=cluster
  export AWS_ACCESS_KEY_ID=cluster AWS_SECRET_ACCESS_KEY=cluster AWS_DEFAULT_REGION=us-east-1
  export SERVER_NAME="127.0.0.1:$LB_PORT" SITE_URL="http://127.0.0.1:$LB_PORT" PREFERRED_URL_SCHEME=http
  # Plain http on 127.0.0.1: cookies without Secure (a real deployment keeps them Secure, behind HTTPS).
  export SESSION_COOKIE_SECURE=0 REMEMBER_COOKIE_SECURE=0
  export TRUST_PROXY_HOPS=1 JOBS_IN_PROCESS=0
  # Mail: the development outbox unless CLUSTER_MAIL_BACKEND=smtp (faults.py consumer runs an SMTP sink).
  export MAIL_BACKEND=${CLUSTER_MAIL_BACKEND:-outbox} MAIL_SERVER=${CLUSTER_MAIL_SERVER:-} \
    MAIL_PORT=${CLUSTER_MAIL_PORT:-587} MAIL_USE_TLS=${CLUSTER_MAIL_USE_TLS:-1}
}

# A pid file names a process we started only while that pid still runs what we started (its start time,
# kept beside the pid, matches): a pid reused by another program after a crash is never signalled.
alive() {
  [ -f "$1" ] || return 1
  local pid started
  pid=$(cat "$1")
  started=$(cat "${1%.pid}.started" 2>/dev/null || true)
  kill -0 "$pid" 2>/dev/null && [ -n "$started" ] && [ "$(ps -o lstart= -p "$pid" 2>/dev/null)" = "$started" ]
}

wait_for() {  # url, seconds
  local url=$1 until=$((SECONDS + $2))
  while [ $SECONDS -lt $until ]; do
    curl -fsS -o /dev/null -H "Host: 127.0.0.1:$LB_PORT" "$url" 2>/dev/null && return 0
    sleep 0.3
  done
  echo "cluster: $url did not answer in $2 s; logs are in $RUN/" >&2
  return 1
}

launch() {  # name, command...: in the background, its pid in $RUN/name.pid, its output in $RUN/name.log
  local name=$1; shift
  "$@" >"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
  ps -o lstart= -p $! >"$RUN/$name.started"
}

# The cluster's own Redis: appendonly, fsync every second, as a production Redis that keeps a job queue.
redis_start() {
  mkdir -p "$RUN/redis"
  launch redis redis-server --bind 127.0.0.1 --port "$CLUSTER_REDIS_PORT" --dir "$RUN/redis" --daemonize no \
    --appendonly yes --appendfsync everysec --save "" --protected-mode yes
  local until=$((SECONDS + 30))
  until [ "$(redis-cli -h 127.0.0.1 -p "$CLUSTER_REDIS_PORT" ping 2>/dev/null)" = PONG ]; do
    [ $SECONDS -lt $until ] || { echo "cluster: Redis did not start; see $RUN/redis.log" >&2; return 1; }
    sleep 0.1
  done
}

redis_stop() {  # SIGTERM: Redis writes what the append-only file still lacks, then exits
  alive "$RUN/redis.pid" || return 0
  kill -TERM "$(cat "$RUN/redis.pid")"
  local until=$((SECONDS + 30))
  while alive "$RUN/redis.pid" && [ $SECONDS -lt $until ]; do sleep 0.1; done
  if alive "$RUN/redis.pid"; then kill -KILL "$(cat "$RUN/redis.pid")"; fi
  rm -f "$RUN/redis.pid" "$RUN/redis.started"
}

# CLUSTER_PG=own: a PostgreSQL cluster of the script's own (Debian's pg_createcluster), named after its port.
PG_NAME="serumpun_cluster_$CLUSTER_PG_PORT"
pg_version() { ls /usr/lib/postgresql | sort -n | tail -n 1; }

pg_own_create() {
  local version data
  version=$(pg_version)
  [ -d "/etc/postgresql/$version/$PG_NAME" ] && pg_dropcluster --stop "$version" "$PG_NAME"
  # Data in $RUN when the postgres user can reach it (it cannot under a private home), else in /tmp.
  data="$RUN/pg"
  runuser -u postgres -- test -x "$RUN" || data="/tmp/serumpun-cluster-pg-$CLUSTER_PG_PORT"
  rm -rf "$data"
  pg_createcluster "$version" "$PG_NAME" -p "$CLUSTER_PG_PORT" -d "$data" -o max_connections=200 \
    >"$RUN/pg-create.log"
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"/etc/postgresql/$version/$PG_NAME/pg_hba.conf"
  echo "$version $PG_NAME" >"$RUN/pg.cluster"
  pg_own start
}

pg_own() {  # start | stop: the own cluster, waiting until it answers (or is gone)
  [ -f "$RUN/pg.cluster" ] || { echo "cluster: no PostgreSQL of its own (start it with CLUSTER_PG=own)" >&2; return 1; }
  local version name
  read -r version name <"$RUN/pg.cluster"
  if [ "$1" = stop ]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop -m fast
    return 0
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
  local until=$((SECONDS + 60))
  until pg_isready -q -h 127.0.0.1 -p "$CLUSTER_PG_PORT"; do
    [ $SECONDS -lt $until ] || { echo "cluster: PostgreSQL on $CLUSTER_PG_PORT did not start" >&2; return 1; }
    sleep 0.2
  done
}

pg_own_drop() {
  [ -f "$RUN/pg.cluster" ] || return 0
  local version name data
  read -r version name <"$RUN/pg.cluster"
  data=$(pg_lsclusters -h "$version" "$name" 2>/dev/null | awk '{print $6}')
  pg_dropcluster --stop "$version" "$name" 2>/dev/null || true
  [ -n "$data" ] && rm -rf "$data"
  rm -f "$RUN/pg.cluster"
}

start() {
  command -v haproxy >/dev/null || { echo "make cluster needs HAProxy: apt-get install haproxy"; exit 1; }
  command -v curl >/dev/null || { echo "make cluster needs curl: apt-get install curl"; exit 1; }
  command -v redis-server >/dev/null || { echo "make cluster needs redis-server: apt-get install redis-server"; exit 1; }
  if [ "$CLUSTER_PG" = own ]; then
    { command -v pg_createcluster >/dev/null && [ "$(id -u)" = 0 ]; } ||
      { echo "CLUSTER_PG=own needs root and pg_createcluster (Debian's postgresql-common)"; exit 1; }
  else
    pg_isready -q -h 127.0.0.1 -p 5432 || { echo "make cluster needs PostgreSQL on 127.0.0.1:5432"; exit 1; }
  fi
  mkdir -p "$RUN/instance"
  for pidfile in "$RUN"/*.pid; do
    if alive "$pidfile"; then echo "The cluster is already running (make cluster-stop first)."; exit 1; fi
  done
  [ -s "$RUN/secret_key" ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$RUN/secret_key"
  cluster_env
  # A start that fails half way stops what it had started.
  trap 'echo "cluster: start failed; stopping what was started (logs in $RUN/)" >&2; stop' ERR

  echo "== Redis on 127.0.0.1:$CLUSTER_REDIS_PORT (its own, appendonly; data in $RUN/redis)"
  rm -rf "$RUN/redis"
  redis_start
  if [ "$CLUSTER_PG" = own ]; then
    echo "== PostgreSQL of its own on 127.0.0.1:$CLUSTER_PG_PORT"
    pg_own_create
  fi

  echo "== S3 (moto) on 127.0.0.1:$S3_PORT"
  launch s3 "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  wait_for "http://127.0.0.1:$S3_PORT/moto-api/" 30
  "$BIN/python" - <<'PY'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name="us-east-1")
for bucket in (os.environ["S3_BUCKET"], os.environ["DOCUMENTS_S3_BUCKET"]):
    s3.create_bucket(Bucket=bucket)
PY

  echo "== PostgreSQL database $CLUSTER_DB on port $PG_PORT (made anew)"
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS $CLUSTER_DB WITH (FORCE)" \
    -c "CREATE DATABASE $CLUSTER_DB" >/dev/null
  "$BIN/flask" --app app db upgrade >"$RUN/migrate.log" 2>&1
  # The demo's password is public, so seed-demo refuses the production profile: it runs as development,
  # on the same database, Redis and storage.
  SERUMPUN_ENV=development "$BIN/flask" --app app seed-demo >"$RUN/seed.log" 2>&1
  if [ "${CLUSTER_PRODUCTS:-0}" -gt 0 ]; then
    echo "== $CLUSTER_PRODUCTS bench products"
    SERUMPUN_ENV=development "$BIN/flask" --app app seed-bench --products "$CLUSTER_PRODUCTS" \
      --merchants $(( (CLUSTER_PRODUCTS + 32) / 33 )) >>"$RUN/seed.log" 2>&1
  fi

  local n=0
  for port in $APP_PORTS; do
    n=$((n + 1))
    echo "== app server $n on 127.0.0.1:$port"
    mkdir -p "$RUN/metrics-$port"
    launch "app$n" env BIND="127.0.0.1:$port" PROMETHEUS_MULTIPROC_DIR="$RUN/metrics-$port" \
      GUNICORN_PROC_NAME="serumpun-app$n" WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}" \
      "$BIN/gunicorn" -c deploy/gunicorn.conf.py app:app
  done
  for n in $(seq 1 "$CONSUMERS"); do
    echo "== job consumer $n"
    launch "jobs$n" "$BIN/flask" --app app jobs-worker --workers 2
  done
  for port in $APP_PORTS; do wait_for "http://127.0.0.1:$port/readyz" 60; done

  echo "== HAProxy on 127.0.0.1:$LB_PORT"
  balance_over 99
  echo ""
  echo "  Serumpun cluster on http://127.0.0.1:$LB_PORT (demo sign-ins: README.md, password serumpun-demo)"
  echo "  Logs and pids in $RUN/; stop it with: make cluster-stop"
}

balance_over() {  # HAProxy in front of the first $1 app servers (started again if it runs)
  local servers="" n=0
  for port in $APP_PORTS; do
    n=$((n + 1))
    [ "$n" -le "$1" ] && servers+="    server app$n 127.0.0.1:$port check"$'\n'
  done
  # The same servers again as backups without checks: used only when every one fails /readyz (the database
  # or Redis is down for all), so that buyers get the app's own 503 page in their language, not HAProxy's.
  n=0
  for port in $APP_PORTS; do
    n=$((n + 1))
    [ "$n" -le "$1" ] && servers+="    server app$n-open 127.0.0.1:$port backup"$'\n'
  done
  SERVERS="$servers" LB_PORT="$LB_PORT" SERVER_NAME_VALUE="127.0.0.1:$LB_PORT" "$BIN/python" - <<'PY' >"$RUN/haproxy.cfg"
import os
text = open("deploy/haproxy.cfg.in").read()
print(text.replace("@LB_PORT@", os.environ["LB_PORT"]).replace("@SERVER_NAME@", os.environ["SERVER_NAME_VALUE"])
      .replace("@SERVERS@", os.environ["SERVERS"].rstrip()))
PY
  haproxy -c -q -f "$RUN/haproxy.cfg"
  if alive "$RUN/haproxy.pid"; then
    kill -TERM "$(cat "$RUN/haproxy.pid")"
    while alive "$RUN/haproxy.pid"; do sleep 0.1; done
  fi
  launch haproxy haproxy -f "$RUN/haproxy.cfg" -db
  wait_for "http://127.0.0.1:$LB_PORT/readyz" 30
}

stop() {
  local any=0
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    [ "$pidfile" = "$RUN/redis.pid" ] && continue  # last: the consumers and servers let go of it first
    if alive "$pidfile"; then kill -TERM "$(cat "$pidfile")" && any=1; fi
  done
  local until=$((SECONDS + 30))
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    [ "$pidfile" = "$RUN/redis.pid" ] && continue
    while alive "$pidfile" && [ $SECONDS -lt $until ]; do sleep 0.2; done
    if alive "$pidfile"; then kill -KILL "$(cat "$pidfile")"; fi
    rm -f "$pidfile" "${pidfile%.pid}.started"
  done
  if alive "$RUN/redis.pid"; then any=1; fi
  redis_stop
  [ -f "$RUN/pg.cluster" ] && any=1
  pg_own_drop
  [ $any = 1 ] && echo "The cluster is stopped." || echo "No cluster was running."
}

status() {
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    if alive "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; fi
  done
  if [ -f "$RUN/pg.cluster" ]; then pg_lsclusters -h $(cat "$RUN/pg.cluster") | awk '{print "postgresql: " $4 " (port " $3 ")"}'; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  lb) balance_over "${2:?how many app servers}" && echo "HAProxy balances over ${2} app server(s)." ;;
  redis-stop) redis_stop ;;
  redis-start) redis_start ;;
  pg-stop) pg_own stop ;;
  pg-start) pg_own start ;;
  env) cluster_env && APP_PORTS="$APP_PORTS" env -0 ;;  # with the app servers' ports, for the fault scripts
  *) echo "usage: $0 start|stop|status|lb N|redis-stop|redis-start|pg-stop|pg-start|env"; exit 2 ;;
esac
