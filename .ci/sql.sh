#!/usr/bin/env bash
# tenet-sql lane: the compiled SQL on real engines, compared field by field
# with the native evaluator (crates/tenet-sql/tests/{duckdb,postgres,spark}.rs).
# Installs what it needs: PostgreSQL from Debian (started here on loopback as
# the postgres user with a temporary data directory, stopped at the end),
# DuckDB and pyspark from PyPI, Java 17 for Spark.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check duckdb duckdb-cli pyspark
# The duckdb shell from duckdb-cli, wherever pip put its scripts.
TENET_DUCKDB_CLI="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/duckdb"
[ -x "$TENET_DUCKDB_CLI" ] || TENET_DUCKDB_CLI=duckdb
export TENET_DUCKDB_CLI
if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA_DIR=$(mktemp -d)
chown postgres "$PGDATA_DIR"
PORT=55439
su postgres -c "$PGBIN/initdb -D $PGDATA_DIR/db -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA_DIR/db -o '-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA_DIR' -l $PGDATA_DIR/log -w start" >/dev/null
stop() {
  su postgres -c "$PGBIN/pg_ctl -D $PGDATA_DIR/db -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PGDATA_DIR"
}
trap stop EXIT

export TENET_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export TENET_DUCKDB_PYTHON=python3
export TENET_SPARK_PYTHON=python3
cargo test -p tenet-sql --test duckdb --test postgres --test spark --test checks -- --nocapture 2>&1 \
  | grep -v -E '^\[Stage|WARN|setLogLevel|log4j' 

# The command line end to end: the same policy through --engine duckdb and
# --engine postgres gives the same JSON report.
cargo build -q -p tenet-cli
T=target/debug/tenet
WORK=$(mktemp -d)
$T sql load --dialect duckdb --data examples/lvyuan | "$TENET_DUCKDB_CLI" "$WORK/lv.duckdb"
psql "$TENET_PG_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS cli CASCADE; CREATE SCHEMA cli;"
{ echo "SET search_path TO cli;"; $T sql load --dialect postgres --data examples/lvyuan; } | psql "$TENET_PG_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null
set +e
$T check --engine duckdb --db "$WORK/lv.duckdb" --policy policies/lvyuan.policy --as-of 2024-03-01 --format json > "$WORK/duck.json"
d=$?
$T check --engine postgres --db "$TENET_PG_URL?options=-csearch_path%3Dcli" --policy policies/lvyuan.policy --as-of 2024-03-01 --format json > "$WORK/pg.json"
p=$?
set -e
[ "$d" = 1 ] && [ "$p" = 1 ] || { echo "sql lane: unexpected exit codes duckdb=$d postgres=$p"; exit 1; }
cmp "$WORK/duck.json" "$WORK/pg.json"
# Tables that break the dataset's rules are refused, not judged: a view
# repeating one enrollment (a bureau's views have no keys).
cp "$WORK/lv.duckdb" "$WORK/bad.duckdb"
"$TENET_DUCKDB_CLI" "$WORK/bad.duckdb" -c "CREATE TABLE enrollments_t AS SELECT * FROM enrollments; DROP TABLE enrollments;
  CREATE VIEW enrollments AS SELECT * FROM enrollments_t UNION ALL (SELECT * FROM enrollments_t ORDER BY person, activity LIMIT 1);"
set +e
$T check --engine duckdb --db "$WORK/bad.duckdb" --policy policies/lvyuan.policy --as-of 2024-03-01 > "$WORK/bad.out" 2> "$WORK/bad.err"
b=$?
set -e
[ "$b" = 2 ] && [ ! -s "$WORK/bad.out" ] && grep -q "2 rows with the same key" "$WORK/bad.err" \
  || { echo "sql lane: a repeated enrollment was not refused (exit $b)"; cat "$WORK/bad.err"; exit 1; }
rm -rf "$WORK"
echo "sql lane: check --engine duckdb and --engine postgres agree; tables that fail the checks are refused"
