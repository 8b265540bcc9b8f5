#!/usr/bin/env bash
# `npm test`: every test of the repository against real infrastructure. Installs and builds what is
# missing (npm packages, PostGIS, Redis, Chromium for the map test), starts PostgreSQL/PostGIS, Redis
# and a Kafka broker when they are not running, type-checks, checks module boundaries,
# runs the unit, integration and end-to-end suites, and stops the broker again if it started it.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

bash infra/scripts/ensure-deps.sh
bash infra/scripts/ensure-postgres.sh
bash infra/scripts/ensure-redis.sh
bash infra/scripts/ensure-chromium.sh

started_kafka=0
if ! bash infra/kafka/kafka.sh status >/dev/null 2>&1; then
  bash infra/kafka/kafka.sh start
  started_kafka=1
fi
# Leave nothing running: service processes a failed end-to-end test may have left, and the broker
# if this run started it.
cleanup() {
  pkill -f "$REPO_ROOT/services/[a-z-]*/dist/main.js" 2>/dev/null || true
  if [ "$started_kafka" = 1 ]; then bash infra/kafka/kafka.sh stop || true; fi
}
trap cleanup EXIT

echo "test: type-checking"
npx tsc -p test/tsconfig.json

echo "test: checking module boundaries (.dependency-cruiser.js)"
npm run --silent lint:deps

echo "test: running jest"
npx jest -c test/jest.config.js --ci "$@"
