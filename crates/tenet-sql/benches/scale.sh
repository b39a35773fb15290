#!/usr/bin/env bash
# Scale benchmark (not a test): every shipped policy on a generated district
# of N teachers, natively, on DuckDB and on Spark local, with wall time and
# peak memory from /usr/bin/time -v. Data goes under $WORK (default /tmp)
# and is deleted at the end.
#
#   crates/tenet-sql/benches/scale.sh 200000 [duckdb|spark|native ...]
#
# DuckDB reads ~/.duckdbrc: at 2M set `SET memory_limit='12GB';` (its
# default, 80% of the machine, leaves nothing to the rest) and
# `SET temp_directory=…;` on a disk with room for its spill.
#
# COPIES=K (DuckDB only) judges K copies of the district side by side, each
# with its ids suffixed `~0` … `~K-1`: `tenet gen` holds a district in
# memory (8.8 GB at 200k teachers), so 2M teachers are 10 copies of 200k,
# made inside DuckDB; each copy's verdicts are the one district's.
#
# Needs: a release `tenet` (TENET=…, default target/release/tenet), the
# duckdb shell (TENET_DUCKDB_CLI or `duckdb` on PATH, PyPI duckdb-cli),
# python3 with pyspark and Java 17 for Spark. Figures: docs/performance.md,
# "tenet-sql: native vs DuckDB vs Spark local".
set -euo pipefail
cd "$(dirname "$0")/../../.."
N=${1:?teachers}
shift
ENGINES=${*:-native duckdb spark}
TENET=${TENET:-target/release/tenet}
DUCK=${TENET_DUCKDB_CLI:-duckdb}
AS_OF=${AS_OF:-2025-12-31}
WORK=$(mktemp -d "${WORK:-/tmp}/tenet-scale.XXXX")
trap 'rm -rf "$WORK"' EXIT
# DATA=DIR reuses a district already generated with the same command.
if [ -z "${DATA:-}" ]; then
  DATA=$WORK/data
  measure_gen=1
fi
POLICIES=(policies/lvyuan.policy policies/binyang.policy policies/xuhui.policy policies/heping.policy policies/daxing.policy)

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -v "$@" 2> "$WORK/time.txt" >/dev/null || true
  local wall mem user sys status
  wall=$(grep "Elapsed (wall" "$WORK/time.txt" | awk '{print $NF}')
  mem=$(grep "Maximum resident" "$WORK/time.txt" | awk '{print $NF}')
  user=$(grep "User time" "$WORK/time.txt" | awk '{print $NF}')
  sys=$(grep "System time" "$WORK/time.txt" | awk '{print $NF}')
  # CPU seconds beside the wall time: on a shared machine the wall time
  # grows with the others' load, the CPU time much less.
  status=$(grep "Exit status" "$WORK/time.txt" | awk '{print $NF}')
  printf '%-28s wall %10s  cpu %8.1f s  peak %8d MB  load %s  exit %s\n' "$label" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((mem / 1024)) "$(cut -d' ' -f1 /proc/loadavg)" "$status"
  # A failed step says why (DuckDB's "No space left on device", say).
  [ "$status" = 0 ] || grep -v -E '^\s|Command being timed' "$WORK/time.txt" | head -3  || true
}

[ -n "${measure_gen:-}" ] && measure "gen $N" "$TENET" gen --teachers "$N" --years 5 --seed 1 --start-year 2019 --out "$DATA"
du -sh "$DATA"

for e in $ENGINES; do
  case $e in
  native)
    measure "native check (5 policies)" "$TENET" check --data "$DATA" --policy policies --as-of "$AS_OF" --out "$WORK/native.txt"
    ;;
  duckdb)
    "$TENET" sql load --dialect duckdb --data "$DATA" > "$WORK/load.sql"
    measure "duckdb load (read_csv)" "$DUCK" "$WORK/db.duckdb" -f "$WORK/load.sql"
    if [ -n "${COPIES:-}" ]; then
      copy() { # table, then the columns holding ids
        local t=$1; shift
        local r="" sep=""
        for c in "$@"; do r="$r$sep$c || '~' || k AS $c"; sep=", "; done
        echo "CREATE TABLE ${t}_k AS SELECT x.* REPLACE ($r) FROM $t AS x, range($COPIES) AS c(k);"
        echo "DROP TABLE $t; ALTER TABLE ${t}_k RENAME TO $t;"
      }
      {
        copy districts id; copy schools id district; copy people id org
        copy activities id organizer host; copy sessions id activity
        copy enrollments person activity; copy attendance person session
        copy mentorships mentor trainee; copy finance org
      } > "$WORK/copies.sql"
      measure "duckdb $COPIES copies" "$DUCK" "$WORK/db.duckdb" -f "$WORK/copies.sql"
      "$DUCK" "$WORK/db.duckdb" -c "SELECT count(*) AS people FROM people"
    fi
    # The checks alone, each policy's query alone (a failure, such as the
    # disk filling with DuckDB's spill, costs one row, not the run), then
    # the five policies in one run (which checks the tables once, then
    # judges; CHECK=0 leaves it out, as at 2M where it repeats an hour).
    "$TENET" sql checks --dialect duckdb > "$WORK/checks.sql"
    measure "duckdb checks" "$DUCK" -readonly "$WORK/db.duckdb" -csv -f "$WORK/checks.sql"
    for p in "${POLICIES[@]}"; do
      b=$(basename "$p" .policy)
      "$TENET" sql --dialect duckdb --policy "$p" --as-of "$AS_OF" > "$WORK/$b.sql"
      measure "duckdb query $b" "$DUCK" -readonly "$WORK/db.duckdb" -csv -f "$WORK/$b.sql"
    done
    if [ "${CHECK:-1}" != 0 ]; then
      measure "duckdb check (5 policies)" "$TENET" check --engine duckdb --db "$WORK/db.duckdb" \
        --policy policies --as-of "$AS_OF" --out "$WORK/duck.txt"
      grep "results:" "$WORK/duck.txt" || true
    fi
    rm -f "$WORK/db.duckdb"
    ;;
  spark)
    : > "$WORK/manifest.json"
    {
      echo "["
      sep=""
      for p in "${POLICIES[@]}"; do
        b=$(basename "$p" .policy)
        "$TENET" sql --dialect spark --policy "$p" --as-of "$AS_OF" > "$WORK/$b.sql"
        printf '%s{"data": "%s", "sql": "%s", "out": "%s"}\n' "$sep" "$DATA" "$WORK/$b.sql" "$WORK/$b.rows.csv"
        sep=","
      done
      echo "]"
    } > "$WORK/manifest.json"
    measure "spark local (5 policies)" python3 crates/tenet-sql/runner/tenet_sql_run.py --engine spark "$WORK/manifest.json"
    ls "$WORK"/*.error 2>/dev/null && cat "$WORK"/*.error || true
    ;;
  esac
done
