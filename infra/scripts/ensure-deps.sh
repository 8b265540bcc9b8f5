#!/usr/bin/env bash
# Installs npm dependencies from the lock file when they are missing or older than the lock, and
# builds the TypeScript projects. Safe to run repeatedly: does nothing when both are up to date.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

command -v node >/dev/null || { echo "deps: error: node (>= 20.19) is required" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  { echo "deps: error: Node.js >= 20.19 is required (found $(node -v))" >&2; exit 1; }

marker=node_modules/.roadloop-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$marker" ] || [ "$(cat "$marker")" != "$want" ]; then
  echo "deps: installing npm packages (npm ci)"
  start=$(date +%s)
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$marker"
  echo "deps: installed in $(( $(date +%s) - start )) s"
fi

echo "deps: building (tsc -b infra/tsconfig.build.json)"
npx tsc -b infra/tsconfig.build.json
