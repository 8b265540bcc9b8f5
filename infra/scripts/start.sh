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
# Instances of the risk and task services (1–9 each). Instance n (from 1) listens on PORT + 10·(n−1)
# (3001, 3011, 3021 … for risk; 3002, 3012 … for task) and writes its own pid and log
# (risk-service.pid, risk-service-2.pid …). They share the broker's consumer groups, so each
# partition has one owner at a time, and the gateway spreads reads over them.
RISK_INSTANCES="${RISK_INSTANCES:-1}"
TASK_INSTANCES="${TASK_INSTANCES:-1}"
for count in "$RISK_INSTANCES" "$TASK_INSTANCES"; do
  [[ "$count" =~ ^[1-9]$ ]] || { echo "start: RISK_INSTANCES and TASK_INSTANCES take 1 to 9, not '$count'" >&2; exit 1; }
done
# The sample region: an OpenStreetMap extract and SRTM elevation tiles (a file or a directory).
ROADLOOP_DATA_DIR="${ROADLOOP_DATA_DIR:-$REPO_ROOT/../shared/data/andorra}"
ROADLOOP_OSM="${ROADLOOP_OSM:-$ROADLOOP_DATA_DIR/andorra.osm.pbf}"
ROADLOOP_DEM="${ROADLOOP_DEM:-$ROADLOOP_DATA_DIR/N42E001.hgt}"
# Or already-scored segments (GeoJSON from `roadloop-geo score`), which take precedence when set.
SEGMENTS_GEOJSON="${SEGMENTS_GEOJSON:-}"
# The scripted demo stream (crash history, weeks of hazard reports, crews at work, then a live
# trickle for ROADLOOP_DEMO_MINUTES); ROADLOOP_DEMO=off starts the system without it.
ROADLOOP_DEMO="${ROADLOOP_DEMO:-on}"
ROADLOOP_DEMO_MINUTES="${ROADLOOP_DEMO_MINUTES:-30}"
# One machine: the services accept the development JWT secret only when told so explicitly (a
# deployment without JWT_SECRET refuses to start). Set JWT_SECRET to use a secret of your own.
export NODE_ENV="${NODE_ENV:-development}"

bash infra/scripts/ensure-deps.sh
bash infra/scripts/ensure-postgres.sh
bash infra/scripts/ensure-redis.sh
bash infra/kafka/kafka.sh start

if [ -n "$SEGMENTS_GEOJSON" ]; then
  echo "start: importing road segments from $SEGMENTS_GEOJSON"
  node services/risk-service/dist/cli.js import --geojson "$SEGMENTS_GEOJSON"
elif [ -f "$ROADLOOP_OSM" ]; then
  echo "start: scoring and importing the road network of $ROADLOOP_OSM"
  dem_args=()
  [ -e "$ROADLOOP_DEM" ] && dem_args=(--dem "$ROADLOOP_DEM")
  node services/risk-service/dist/cli.js import --osm "$ROADLOOP_OSM" "${dem_args[@]}"
else
  echo "start: $ROADLOOP_OSM not found; importing the small sample network instead"
  node services/risk-service/dist/cli.js import --geojson services/risk-service/fixtures/sample-segments.geojson
fi

# Jurisdictions: the region's administrative areas (OSM admin_level, 7 = Andorra's parishes), each
# with one road crew, so tasks are routed from the start. Areas that do not close in the extract
# are reported and left out.
JURISDICTION_ADMIN_LEVEL="${JURISDICTION_ADMIN_LEVEL:-7}"
jurisdictions="$STATE_DIR/jurisdictions.geojson"
if [ -f "$ROADLOOP_OSM" ] && [ -z "$SEGMENTS_GEOJSON" ]; then
  if node libs/geo/bin/roadloop-geo.js boundaries --osm "$ROADLOOP_OSM" --admin-level "$JURISDICTION_ADMIN_LEVEL" --out "$jurisdictions"; then
    node services/task-service/dist/cli.js jurisdictions --geojson "$jurisdictions"
  else
    echo "start: no closed administrative areas at level $JURISDICTION_ADMIN_LEVEL; tasks stay unassigned until jurisdictions are loaded"
    rm -f "$jurisdictions"
  fi
fi

# start_service <instance> <port> [VAR=value …]: the instance is a service's name, with "-<n>" for
# its second and later instances (risk-service-2 runs services/risk-service).
start_service() {
  local name=$1 port=$2
  shift 2
  local service=${name%-[0-9]}
  local pidfile="$STATE_DIR/$name.pid" log="$STATE_DIR/$name.log"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start: $name already running (pid $(cat "$pidfile"))"
    return
  fi
  env HTTP_PORT="$port" "$@" setsid nohup node "services/$service/dist/main.js" </dev/null >"$log" 2>&1 &
  echo $! > "$pidfile"
}

# Waits until a service is ready (its /health/ready: database, broker, consumers), saying every few
# seconds what it still waits for; a service whose broker is late keeps trying instead of exiting.
START_TIMEOUT_S="${START_TIMEOUT_S:-180}"
wait_ready() {
  local name=$1 port=$2 deadline=$((SECONDS + START_TIMEOUT_S)) next_note=$((SECONDS + 3)) answer
  until answer=$(curl -sS "http://127.0.0.1:$port/health/ready" 2>&1) && [[ "$answer" == *'"status":"ok"'* ]]; do
    if ! kill -0 "$(cat "$STATE_DIR/$name.pid")" 2>/dev/null; then
      echo "start: $name exited before it was ready; last log lines:" >&2
      tail -n 30 "$STATE_DIR/$name.log" >&2
      exit 1
    fi
    if [ $SECONDS -gt $deadline ]; then
      echo "start: $name not ready after ${START_TIMEOUT_S} s: $(not_ready_reasons "$answer"); last log lines:" >&2
      tail -n 30 "$STATE_DIR/$name.log" >&2
      exit 1
    fi
    if [ $SECONDS -ge $next_note ]; then
      echo "start: waiting for $name: $(not_ready_reasons "$answer")"
      next_note=$((SECONDS + 5))
    fi
    sleep 0.3
  done
}

# The checks a readiness answer reports down ("kafka: connecting to the broker …"), or why there was no answer.
not_ready_reasons() {
  node -e '
    let body;
    try { body = JSON.parse(process.argv[1]); } catch { console.log("no answer yet (" + process.argv[1].split("\n")[0].slice(0, 120) + ")"); process.exit(0); }
    const down = Object.entries(body.checks ?? {}).filter(([, c]) => c.status !== "up" && !c.optional);
    console.log(down.map(([name, c]) => name + ": " + (c.error ?? "down")).join("; ") || "starting");
  ' "$1"
}

# The name and port of instance n (from 1) of a service.
instance_name() { if [ "$2" -eq 1 ]; then echo "$1"; else echo "$1-$2"; fi; }
instance_port() { echo $(($1 + 10 * ($2 - 1))); }

risk_urls=()
for n in $(seq 1 "$RISK_INSTANCES"); do
  start_service "$(instance_name risk-service "$n")" "$(instance_port "$RISK_PORT" "$n")"
  risk_urls+=("http://127.0.0.1:$(instance_port "$RISK_PORT" "$n")")
done
# Tasks outside every jurisdiction (an area that does not close in the extract) go to a default crew
# of the region: DEFAULT_CREW_ID, else the crew of the first jurisdiction loaded.
if [ -z "${DEFAULT_CREW_ID:-}" ] && [ -f "$jurisdictions" ]; then
  DEFAULT_CREW_ID="$(node -e 'const f = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).features[0]; if (f) console.log(f.properties.id + "-crew")' "$jurisdictions")"
fi
task_urls=()
for n in $(seq 1 "$TASK_INSTANCES"); do
  start_service "$(instance_name task-service "$n")" "$(instance_port "$TASK_PORT" "$n")" DEFAULT_CREW_ID="${DEFAULT_CREW_ID:-}"
  task_urls+=("http://127.0.0.1:$(instance_port "$TASK_PORT" "$n")")
done
for n in $(seq 1 "$RISK_INSTANCES"); do wait_ready "$(instance_name risk-service "$n")" "$(instance_port "$RISK_PORT" "$n")"; done
for n in $(seq 1 "$TASK_INSTANCES"); do wait_ready "$(instance_name task-service "$n")" "$(instance_port "$TASK_PORT" "$n")"; done
start_service ingest-gateway "$GATEWAY_PORT" TASK_SERVICE_URL="$(IFS=,; echo "${task_urls[*]}")" RISK_SERVICE_URL="$(IFS=,; echo "${risk_urls[*]}")"
wait_ready ingest-gateway "$GATEWAY_PORT"

if [ -f "$jurisdictions" ]; then
  admin_token=$(node libs/auth/dist/mint-token.js --role admin --sub roadloop-start --ttl 10m)
  crews=0
  # The default crew last: once it exists it takes every waiting task of a jurisdiction without a crew
  # yet, so the other parishes' crews must be there first to keep their own tasks.
  for id in $(node -e '
    const ids = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).features.map((f) => f.properties.id);
    const last = ids.filter((id) => `${id}-crew` === process.argv[2]);
    for (const id of [...ids.filter((id) => !last.includes(id)), ...last]) console.log(id);
  ' "$jurisdictions" "${DEFAULT_CREW_ID:-}"); do
    curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$GATEWAY_PORT/v1/crews/$id-crew" \
      -H "authorization: Bearer $admin_token" -H 'content-type: application/json' \
      -d "{\"name\":\"$id road crew\",\"jurisdictionId\":\"$id\"}" && crews=$((crews + 1))
  done
  echo "start: $crews road crews, one per jurisdiction"
fi

if [ "$ROADLOOP_DEMO" != "off" ]; then
  replay_pidfile="$STATE_DIR/replay.pid"
  if [ -f "$replay_pidfile" ] && kill -0 "$(cat "$replay_pidfile")" 2>/dev/null; then
    echo "start: the demo stream is already running (pid $(cat "$replay_pidfile"))"
  else
    setsid nohup node libs/simulator/dist/replay.js --gateway "http://127.0.0.1:$GATEWAY_PORT" \
      --live-minutes "$ROADLOOP_DEMO_MINUTES" </dev/null >"$STATE_DIR/replay.log" 2>&1 &
    echo $! > "$replay_pidfile"
    echo "start: replaying the demo stream (3 years of crashes, 4 weeks of hazard reports, crews at work; log: $STATE_DIR/replay.log)"
  fi
fi

dispatcher_token=$(node libs/auth/dist/mint-token.js --role dispatcher --sub demo-dispatcher --ttl 12h)
analyst_token=$(node libs/auth/dist/mint-token.js --role analyst --sub demo-analyst --ttl 12h)

cat <<MSG

Roadloop is running.
  live risk map  http://127.0.0.1:$GATEWAY_PORT/map#token=$dispatcher_token
                 (signed in as a dispatcher for 12 hours; read-only analyst view:
                  http://127.0.0.1:$GATEWAY_PORT/map#token=$analyst_token )
  gateway        http://127.0.0.1:$GATEWAY_PORT   (API document: /openapi.json)
  risk service   ${risk_urls[*]}
  task service   ${task_urls[*]}
  Kafka          127.0.0.1:${KAFKA_PORT:-9092}
  logs           $STATE_DIR/*.log
Try:
  curl -s -XPOST http://127.0.0.1:$GATEWAY_PORT/v1/hazards -H 'content-type: application/json' \\
    -d '{"category":"rockfall","severity":"critical","lon":1.5218,"lat":42.5063}'
  TOKEN=\$(node libs/auth/dist/mint-token.js --role analyst --sub you)
  curl -s -H "authorization: Bearer \$TOKEN" 'http://127.0.0.1:$GATEWAY_PORT/v1/segments/top?limit=5&side=water'
  curl -s -H "authorization: Bearer \$TOKEN" 'http://127.0.0.1:$GATEWAY_PORT/v1/jurisdictions/index'
Stop everything with: npm stop
MSG
