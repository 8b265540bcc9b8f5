#!/usr/bin/env bash
# Make sure a Redis server answers at REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379),
# starting a throwaway local one (no persistence) when it does not.
# Installing the package needs root (or sudo) and a Debian/Ubuntu host.
set -euo pipefail

REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"

SCRIPT_NAME=ensure-redis
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ping_ok() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "redis-server not installed and apt-get not available"
  log "installing redis-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

if ping_ok; then
  log "ok: PONG from $REDIS_HOST:$REDIS_PORT"
  exit 0
fi

[[ "$REDIS_HOST" == "127.0.0.1" || "$REDIS_HOST" == "localhost" ]] ||
  die "Redis at $REDIS_HOST:$REDIS_PORT is not answering (not a local host, so not starting it)"

log "starting redis-server on port $REDIS_PORT"
as_root mkdir -p /var/lib/redis /var/log/redis
# Cache/queue use only: no RDB snapshots or AOF, so a CI run leaves nothing behind.
as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
  --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log

for _ in $(seq 1 40); do
  if ping_ok; then
    log "ok: PONG from $REDIS_HOST:$REDIS_PORT"
    exit 0
  fi
  sleep 0.25
done
die "redis-server did not answer PING within 10 s; see /var/log/redis/ci.log"
