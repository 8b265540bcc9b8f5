#!/usr/bin/env bash
# `npm run drill`: the fault drill (infra/drill/fault-drill.js) against a stack it starts itself — its
# own broker, PostgreSQL cluster and Redis on free ports, state under .roadloop/drill — never the
# machine's shared servers. REPORTS=20000 by default; see the script's header for the other settings.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"
bash infra/scripts/ensure-deps.sh
bash infra/kafka/kafka.sh fetch
command -v redis-server >/dev/null || { echo "drill: redis-server is needed (e.g. apt-get install -y redis-server)" >&2; exit 1; }
exec node infra/drill/fault-drill.js "$@"
