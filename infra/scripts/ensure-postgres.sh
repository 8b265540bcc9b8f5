#!/usr/bin/env bash
# Make sure a local PostgreSQL with PostGIS is up and the application database exists.
# Idempotent: when everything is already in place it only prints one "ok" line.
#
# Environment (defaults): PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGDATABASE=roadloop, or
# DATABASE_URL (postgres://user:password@host:port/database), which the services read and which then
# decides every one of these.
# Installing packages or starting the server needs root (or sudo) and a Debian/Ubuntu host.
set -euo pipefail

if [[ -n "${DATABASE_URL:-}" ]]; then
  # The database the services will use is the one to create: take every part from the URL.
  url_parts="$(node -e '
    const u = new URL(process.argv[1]);
    if (!/^postgres(ql)?:$/.test(u.protocol)) { console.error("ensure-postgres: DATABASE_URL is not a postgres:// URL"); process.exit(1); }
    const q = (v) => "\x27" + v.replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
    const parts = { PGHOST: u.hostname.replace(/^\[|\]$/g, ""), PGPORT: u.port, PGUSER: decodeURIComponent(u.username), PGPASSWORD: decodeURIComponent(u.password), PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
    for (const [k, v] of Object.entries(parts)) if (v) console.log(`${k}=${q(v)}; export ${k}`);
  ' "$DATABASE_URL")" || exit 1
  eval "$url_parts"
fi

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
PGDATABASE="${PGDATABASE:-roadloop}"
export PGHOST PGPORT PGUSER

SCRIPT_NAME=ensure-postgres
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not available; install $* yourself"
  # Fresh CI images often ship without package lists, so refresh them once first.
  if [[ $apt_updated -eq 0 ]]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

is_local() { [[ "$PGHOST" == "127.0.0.1" || "$PGHOST" == "localhost" || "$PGHOST" == "::1" || "$PGHOST" == /* ]]; }

server_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d postgres
  else
    psql -d postgres -qAtc 'select 1' >/dev/null 2>&1
  fi
}

# Query the maintenance database; stdin carries the SQL so psql variables (:'name') work.
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

# 1. Server running?
if ! server_up; then
  is_local || die "PostgreSQL at $PGHOST:$PGPORT is not reachable (not a local host, so not starting it)"
  if [[ ! -d /etc/postgresql ]] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! server_up; then
    # The cluster configured for PGPORT, else the newest version's "main" cluster.
    read -r version cluster < <(pg_lsclusters -h | awk -v p="$PGPORT" '$3 == p { print $1, $2; exit }') || true
    if [[ -z "${version:-}" ]]; then
      version="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)"
      cluster=main
    fi
    [[ -n "$version" ]] || die "no cluster found under /etc/postgresql"
    log "starting cluster $version/$cluster"
    # No systemd in containers/CI: --skip-systemctl-redirect makes pg_ctlcluster run pg_ctl itself.
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start
  fi
  for _ in $(seq 1 60); do
    server_up && break
    sleep 0.5
  done
  server_up || die "PostgreSQL did not come up at $PGHOST:$PGPORT"
fi

# 2. PostGIS available for the running server's major version?
major="$(( $(sql <<<'show server_version_num') / 10000 ))"
has_postgis() { [[ "$(sql <<<"select count(*) from pg_available_extensions where name = 'postgis'")" == 1 ]]; }
if ! has_postgis; then
  # Extension files are read on CREATE EXTENSION, so no server restart is needed after this.
  apt_install "postgresql-$major-postgis-3"
  has_postgis || die "postgresql-$major-postgis-3 installed but the postgis extension is still not available"
fi

# 3. Application database.
if [[ "$(sql -v db="$PGDATABASE" <<<"select count(*) from pg_database where datname = :'db'")" != 1 ]]; then
  log "creating database $PGDATABASE"
  createdb -- "$PGDATABASE"
fi
# PostGIS in it, so a service connecting to it needs no superuser to create the extension.
PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c 'CREATE EXTENSION IF NOT EXISTS postgis' >/dev/null

log "ok: PostgreSQL $major at $PGHOST:$PGPORT, database $PGDATABASE, PostGIS available"
