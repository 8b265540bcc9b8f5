#!/usr/bin/env bash
# `npm start`: starts the whole system on this machine — PostgreSQL with PostGIS, Redis, a Kafka
# broker, the database migrations, the sample road network, and the three services — and prints
# where to reach it. Stop everything with `npm stop`.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
STATE_DIR="$REPO_ROOT/.roadloop/run"
mkdir -p "$STATE_DIR"

GATEWAY_PORT="${GATEWAY_PORT:-3000}"
RISK_PORT="${RISK_PORT:-3001}"
TASK_PORT="${TASK_PORT:-3002}"
SEGMENTS_GEOJSON="${SEGMENTS_GEOJSON:-services/risk-service/fixtures/sample-segments.geojson}"

bash infra/scripts/ensure-deps.sh
bash infra/scripts/ensure-postgres.sh
bash infra/scripts/ensure-redis.sh
bash infra/kafka/kafka.sh start

echo "start: importing road segments from $SEGMENTS_GEOJSON"
node services/risk-service/dist/cli.js import --geojson "$SEGMENTS_GEOJSON"

start_service() {
  local name=$1 port=$2
  shift 2
  local pidfile="$STATE_DIR/$name.pid" log="$STATE_DIR/$name.log"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start: $name already running (pid $(cat "$pidfile"))"
    return
  fi
  env HTTP_PORT="$port" "$@" setsid nohup node "services/$name/dist/main.js" </dev/null >"$log" 2>&1 &
  echo $! > "$pidfile"
}

wait_healthy() {
  local name=$1 port=$2 deadline=$((SECONDS + 60))
  until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$STATE_DIR/$name.pid")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "start: $name did not come up; last log lines:" >&2
      tail -n 30 "$STATE_DIR/$name.log" >&2
      exit 1
    fi
    sleep 0.3
  done
}

start_service risk-service "$RISK_PORT"
start_service task-service "$TASK_PORT"
wait_healthy risk-service "$RISK_PORT"
wait_healthy task-service "$TASK_PORT"
start_service ingest-gateway "$GATEWAY_PORT" TASK_SERVICE_URL="http://127.0.0.1:$TASK_PORT" RISK_SERVICE_URL="http://127.0.0.1:$RISK_PORT"
wait_healthy ingest-gateway "$GATEWAY_PORT"

cat <<MSG

Roadloop is running.
  gateway        http://127.0.0.1:$GATEWAY_PORT   (POST /v1/hazards, GET /v1/tasks)
  risk service   http://127.0.0.1:$RISK_PORT   (GET /v1/segments/top, GET /v1/segments/:id)
  task service   http://127.0.0.1:$TASK_PORT
  Kafka          127.0.0.1:${KAFKA_PORT:-9092}
  logs           $STATE_DIR/*.log
Try:
  curl -s -XPOST http://127.0.0.1:$GATEWAY_PORT/v1/hazards -H 'content-type: application/json' \\
    -d '{"category":"rockfall","severity":"critical","lon":1.521,"lat":42.50575}'
  curl -s 'http://127.0.0.1:$GATEWAY_PORT/v1/tasks?segmentId=w900001-0'
Stop everything with: npm stop
MSG
