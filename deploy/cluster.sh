#!/usr/bin/env bash
# The production topology on one machine: HAProxy in front of three gunicorn app servers, two job
# consumers, the local PostgreSQL and Redis, and media on an S3-compatible endpoint (moto's server).
#   deploy/cluster.sh start | stop | status        (make cluster / make cluster-stop)
# Each start is a fresh demo: moto keeps its objects in memory, so the database and the Redis index are
# made anew to match. Settings: LB_PORT (8080), APP_PORTS ("8001 8002 8003"), S3_PORT (9000),
# CONSUMERS (2), WEB_CONCURRENCY (workers per app server, 2), CLUSTER_DB (serumpun_cluster),
# CLUSTER_REDIS_DB (2), PG_URL (postgresql+psycopg://postgres@127.0.0.1:5432), CLUSTER_PRODUCTS (0: the
# demo only; N: also N bench products from seed-bench, for the load test).
#   deploy/cluster.sh lb N    points HAProxy at the first N app servers only (the load test's 1, 2, 3).
set -Eeuo pipefail
cd "$(dirname "$0")/.."

LB_PORT=${LB_PORT:-8080}
APP_PORTS=${APP_PORTS:-"8001 8002 8003"}
S3_PORT=${S3_PORT:-9000}
CONSUMERS=${CONSUMERS:-2}
CLUSTER_DB=${CLUSTER_DB:-serumpun_cluster}
CLUSTER_REDIS_DB=${CLUSTER_REDIS_DB:-2}
PG_URL=${PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432}
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
  export REDIS_URL="redis://127.0.0.1:6379/$CLUSTER_REDIS_DB"
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

start() {
  command -v haproxy >/dev/null || { echo "make cluster needs HAProxy: apt-get install haproxy"; exit 1; }
  command -v curl >/dev/null || { echo "make cluster needs curl: apt-get install curl"; exit 1; }
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "make cluster needs PostgreSQL on 127.0.0.1:5432"; exit 1; }
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "make cluster needs Redis on 127.0.0.1:6379"; exit 1; }
  mkdir -p "$RUN/instance"
  for pidfile in "$RUN"/*.pid; do
    if alive "$pidfile"; then echo "The cluster is already running (make cluster-stop first)."; exit 1; fi
  done
  [ -s "$RUN/secret_key" ] || "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))' >"$RUN/secret_key"
  cluster_env
  # A start that fails half way stops what it had started.
  trap 'echo "cluster: start failed; stopping what was started (logs in $RUN/)" >&2; stop' ERR

  echo "== S3 (moto) on 127.0.0.1:$S3_PORT"
  launch s3 "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  wait_for "http://127.0.0.1:$S3_PORT/moto-api/" 30
  "$BIN/python" - <<'PY'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT_URL"], region_name="us-east-1")
for bucket in (os.environ["S3_BUCKET"], os.environ["DOCUMENTS_S3_BUCKET"]):
    s3.create_bucket(Bucket=bucket)
PY

  echo "== PostgreSQL database $CLUSTER_DB (made anew) and Redis index $CLUSTER_REDIS_DB (emptied)"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $CLUSTER_DB WITH (FORCE)" -c "CREATE DATABASE $CLUSTER_DB" >/dev/null
  redis-cli -h 127.0.0.1 -n "$CLUSTER_REDIS_DB" flushdb >/dev/null
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
    if alive "$pidfile"; then kill -TERM "$(cat "$pidfile")" && any=1; fi
  done
  local until=$((SECONDS + 30))
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    while alive "$pidfile" && [ $SECONDS -lt $until ]; do sleep 0.2; done
    if alive "$pidfile"; then kill -KILL "$(cat "$pidfile")"; fi
    rm -f "$pidfile" "${pidfile%.pid}.started"
  done
  [ $any = 1 ] && echo "The cluster is stopped." || echo "No cluster was running."
}

status() {
  for pidfile in "$RUN"/*.pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    if alive "$pidfile"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  lb) balance_over "${2:?how many app servers}" && echo "HAProxy balances over ${2} app server(s)." ;;
  *) echo "usage: $0 start|stop|status|lb N"; exit 2 ;;
esac
