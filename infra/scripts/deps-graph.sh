#!/usr/bin/env bash
# Redraws the package picture in the README (docs/images/package-graph.svg) from the code, with
# dependency-cruiser and the same configuration that `npm run lint:deps` checks (.dependency-cruiser.js,
# its dot reporter options). Needs Graphviz's `dot` (Debian: apt-get install graphviz); `npm test`
# does not run this script.
set -euo pipefail
SCRIPT_NAME=deps-graph
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$REPO_ROOT/infra/scripts/lib.sh"
cd "$REPO_ROOT"

command -v dot >/dev/null 2>&1 || die "Graphviz's dot is not installed (Debian: apt-get install graphviz)"
out=docs/images/package-graph.svg
npx depcruise libs services test --config .dependency-cruiser.js --output-type dot | dot -Tsvg > "$out.tmp"
mv "$out.tmp" "$out"
log "wrote $out"
