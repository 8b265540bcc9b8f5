#!/usr/bin/env bash
# `npm stop`: stops the services and the Kafka broker started by `npm start`. PostgreSQL and Redis
# are the machine's own servers and keep running.
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.roadloop/run"

# Every instance: risk-service.pid, risk-service-2.pid … (see RISK_INSTANCES in start.sh).
shopt -s nullglob
for pidfile in "$STATE_DIR"/replay.pid "$STATE_DIR"/ingest-gateway.pid "$STATE_DIR"/task-service{,-[0-9]}.pid "$STATE_DIR"/risk-service{,-[0-9]}.pid; do
  [ -f "$pidfile" ] || continue
  name=$(basename "$pidfile" .pid)
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "stop: $name stopped"
  fi
  rm -f "$pidfile"
done
bash "$REPO_ROOT/infra/kafka/kafka.sh" stop
