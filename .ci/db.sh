#!/usr/bin/env bash
# Database lane: `tenet check --data postgres://…` / `duckdb:FILE` against a
# real PostgreSQL and the DuckDB shell
# (crates/tenet-io/tests/database.rs, crates/tenet-cli/tests/data_db.rs with
# TENET_PG_URL set; the SQLite cases run in the default `cargo test` too).
# Installs PostgreSQL from Debian, starts it on loopback as the postgres
# user with a temporary data directory and password authentication over
# TCP, and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA_DIR=$(mktemp -d)
WORK=$(mktemp -d)
chown postgres "$PGDATA_DIR"
PORT=55441
PASSWORD="tenet-db-lane"
echo "$PASSWORD" > "$PGDATA_DIR/pw"
chown postgres "$PGDATA_DIR/pw"
su postgres -c "$PGBIN/initdb -D $PGDATA_DIR/db --auth-local=trust --auth-host=scram-sha-256 --pwfile=$PGDATA_DIR/pw -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA_DIR/db -o '-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA_DIR' -l $PGDATA_DIR/log -w start" >/dev/null
stop() {
  su postgres -c "$PGBIN/pg_ctl -D $PGDATA_DIR/db -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PGDATA_DIR" "$WORK"
}
trap stop EXIT

export TENET_PG_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
# The duckdb shell from duckdb-cli, wherever pip put its scripts.
python3 -m pip install --quiet --disable-pip-version-check duckdb-cli
TENET_DUCKDB_CLI="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/duckdb"
[ -x "$TENET_DUCKDB_CLI" ] || TENET_DUCKDB_CLI=duckdb
export TENET_DUCKDB_CLI
cargo test -p tenet-io --test database -- --nocapture
cargo test -p tenet-cli --test data_db -- --nocapture

# End to end with the shipped load script (`tenet sql load`), the password
# from PGPASSWORD: the same JSON report as from the CSV directory.
cargo build -q -p tenet-cli
T=target/debug/tenet
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export PGPASSWORD="$PASSWORD"
psql "$URL" -X -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS lane CASCADE; CREATE SCHEMA lane;"
{ echo "SET search_path TO lane;"; $T sql load --dialect postgres --data examples/lvyuan; } \
  | psql "$URL" -X -q -v ON_ERROR_STOP=1 >/dev/null
set +e
$T check --policy policies/lvyuan.policy --data examples/lvyuan --as-of 2024-03-01 --format json > "$WORK/csv.json"
c=$?
$T check --policy policies/lvyuan.policy --data "$URL?options=-csearch_path%3Dlane" --as-of 2024-03-01 --format json > "$WORK/pg.json"
p=$?
PGPASSWORD=wrong $T check --policy policies/lvyuan.policy --data "$URL" --as-of 2024-03-01 2> "$WORK/auth.txt"
a=$?
set -e
[ "$c" = "$p" ] || { echo "db lane: exit codes differ: csv=$c postgres=$p"; exit 1; }
# The database is read in key order, the CSV files in theirs: the same
# results and summary, lists in another order (byte-identical reports on
# the same order are crates/tenet-cli/tests/data_db.rs).
python3 - "$WORK/csv.json" "$WORK/pg.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
def canon(v):
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return sorted((canon(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    return v
if canon(a) != canon(b):
    sys.exit("db lane: the report from PostgreSQL differs from the CSV one")
PY
[ "$a" = 2 ] && grep -q "password authentication failed" "$WORK/auth.txt" \
  || { echo "db lane: a wrong password gave exit $a:"; cat "$WORK/auth.txt"; exit 1; }
grep -q "$PASSWORD" "$WORK/auth.txt" && { echo "db lane: the password was printed"; exit 1; }
echo "db lane: --data postgres:// and the CSV directory give the same report"
