#!/usr/bin/env bash
# `npm stop`: stops the services and the Kafka broker started by `npm start`. PostgreSQL and Redis
# are the machine's own servers and keep running.
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.roadloop/run"

for name in replay ingest-gateway task-service risk-service; do
  pidfile="$STATE_DIR/$name.pid"
  [ -f "$pidfile" ] || continue
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
