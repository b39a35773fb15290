#!/usr/bin/env python3
"""Runs SQL that `tenet sql` wrote, on DuckDB or Spark, and writes the result
rows back as CSV for `tenet sql render` to turn into reports.

Usage:
    tenet_sql_run.py --engine duckdb|spark MANIFEST.json

MANIFEST.json is a list of cases, all run in one engine session (a Spark
session takes ~25 s to start, so every case of a CI run goes through one):

    [{"data": "examples/lvyuan",          # a dataset directory (CSV files)
      "sql": "lvyuan.sql",                # what `tenet sql` printed: one
                                          # statement, or several (`tenet sql
                                          # checks`), whose rows are joined
      "setup": "lvyuan.load.sql",         # DuckDB: `tenet sql load` output
      "out": "lvyuan.rows.csv"}]          # where the rows go

DuckDB runs the setup script (CREATE TABLE + read_csv) in a fresh in-memory
database per case. Spark registers each CSV file as a view under the
table's name, once for consecutive cases on the same dataset, with the
types of `tenet sql schema --dialect spark` (the list below; an empty cell
is NULL, extra columns stay text): a small file (up to 4 MiB) is read here
and handed over as rows, a larger one read with spark.read.csv, cast and
checkpointed. (On a cluster, tables are stored ones: run the SQL
with spark-sql or spark.sql over them.) Decimal arithmetic is made exact
(spark.sql.decimalOperations.allowPrecisionLoss=false): an overflow stops
the query instead of rounding.

A case that fails writes its error to OUT + ".error" and the runner goes on;
the exit status is 1 if any case failed.
"""
import csv
import functools
import json
import os
import sys

TABLES = {
    "districts": [("id", "string"), ("name", "string")],
    "schools": [("id", "string"), ("name", "string"), ("district", "string"),
                ("rural", "boolean"), ("training_base", "boolean")],
    "people": [("id", "string"), ("name", "string"), ("org", "string"), ("roles", "string"),
               ("birth_date", "date"), ("hire_date", "date"), ("post_start_date", "date")],
    "activities": [("id", "string"), ("title", "string"), ("organizer", "string"),
                   ("host", "string"), ("level", "string"), ("kind", "string"),
                   ("mode", "string"), ("start_date", "date"), ("end_date", "date"),
                   ("hours", "decimal(18,4)")],
    "sessions": [("id", "string"), ("activity", "string"), ("date", "date"),
                 ("hours", "decimal(18,4)")],
    "enrollments": [("person", "string"), ("activity", "string")],
    "attendance": [("person", "string"), ("session", "string"), ("status", "string")],
    "mentorships": [("mentor", "string"), ("trainee", "string"), ("program", "string"),
                    ("start_date", "date"), ("end_date", "date")],
    "finance": [("org", "string"), ("year", "int"), ("item", "string"),
                ("amount", "decimal(20,2)")],
}


def statements(text, backslash):
    """The statements of a script, split at each `;` outside a literal or a
    comment (`backslash`: literals read backslash escapes, as Spark's do)."""
    out, start, i, quote = [], 0, 0, False
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and backslash:
                i += 1
            elif c == "'":
                quote = False
        elif c == "'":
            quote = True
        elif text.startswith("--", i):
            i = text.find("\n", i)
            if i < 0:
                break
        elif c == ";":
            out.append(text[start:i])
            start = i + 1
        i += 1
    out.append(text[start:])
    return [s for s in out if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.splitlines())]


def write_rows(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if v is None else str(v) for v in r])


def run_duckdb(cases):
    import duckdb
    failed = False
    for case in cases:
        try:
            con = duckdb.connect()
            with open(case["setup"], encoding="utf-8") as f:
                con.execute(f.read())
            with open(case["sql"], encoding="utf-8") as f:
                script = f.read()
            cols, rows = None, []
            for sql in statements(script, backslash=False):
                cur = con.execute(sql)
                cols = cols or [d[0] for d in cur.description]
                rows.extend(cur.fetchall())
            write_rows(case["out"], cols, rows)
            con.close()
        except Exception as e:  # noqa: BLE001 - reported per case
            failed = True
            with open(case["out"] + ".error", "w", encoding="utf-8") as f:
                f.write(str(e))
    return failed


def spark_value(ty, text):
    """A CSV cell as Spark reads it into a column of type `ty` (an empty
    cell is NULL, as spark.read.csv makes it); a cell that does not read
    stops the case, as an ANSI cast would."""
    import datetime
    import decimal
    if text is None or text == "":
        return None
    if ty == "string":
        return text
    if ty == "date":
        return datetime.date.fromisoformat(text.strip())
    if ty == "int":
        return int(text.strip())
    if ty == "boolean":
        t = text.strip().lower()
        if t in ("true", "t", "yes", "y", "1"):
            return True
        if t in ("false", "f", "no", "n", "0"):
            return False
        raise ValueError(f"not a boolean: {text!r}")
    if ty.startswith("decimal"):
        return decimal.Decimal(text.strip())
    raise ValueError(f"unknown type {ty}")


def spark_type(ty):
    from pyspark.sql import types as T
    if ty.startswith("decimal"):
        p, s = ty[len("decimal("):-1].split(",")
        return T.DecimalType(int(p), int(s))
    return {"string": T.StringType(), "date": T.DateType(), "int": T.IntegerType(),
            "boolean": T.BooleanType()}[ty]


# Files up to this size are read here and handed to Spark as rows (no
# file-scan or checkpoint job: a batch of small cases runs much faster);
# larger ones go through spark.read.csv.
SMALL_FILE = 4 << 20


def load_spark_tables(spark, data):
    """Registers each table of the dataset directory `data` as a view of
    its name, with the types of `tenet sql schema --dialect spark` (extra
    columns stay text; an empty cell is NULL)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType, StructField, StringType
    for name, cols in TABLES.items():
        path = os.path.join(data, name + ".csv")
        types = dict(cols)
        if os.path.exists(path) and os.path.getsize(path) > SMALL_FILE:
            df = spark.read.csv(path, header=True, inferSchema=False,
                                multiLine=True, escape='"')
            for c, ty in cols:
                if ty != "string" and c in df.columns:
                    df = df.withColumn(c, F.col(c).cast(ty))
            # Materialised, as a stored table is: Spark will not
            # decorrelate a subquery through the casts' projections.
            df.localCheckpoint(eager=True).createOrReplaceTempView(name)
            continue
        if os.path.exists(path):
            with open(path, newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader, [])
                rows = [[spark_value(types.get(h, "string"), v) for h, v in zip(header, r)]
                        for r in reader if r]
        else:
            header, rows = [c for c, _ in cols], []
        schema = StructType([StructField(h, spark_type(types[h]) if h in types else StringType())
                             for h in header])
        spark.createDataFrame(rows, schema).createOrReplaceTempView(name)


def run_spark(cases):
    from pyspark.sql import SparkSession
    # The tests' small tables want few shuffle partitions and the default
    # heap; a large district (crates/tenet-sql/benches/scale.sh) sets
    # TENET_SPARK_DRIVER_MEMORY (local mode runs in the driver's JVM) and
    # TENET_SPARK_SHUFFLE_PARTITIONS.
    builder = (SparkSession.builder.master("local[2]").appName("tenet-sql")
               .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.shuffle.partitions",
                       os.environ.get("TENET_SPARK_SHUFFLE_PARTITIONS", "2"))
               .config("spark.ui.enabled", "false")
               # Without the UI nothing reads the finished queries' plans,
               # but Spark keeps them (1,000 by default): a batch of large
               # plans then fills the heap.
               .config("spark.sql.ui.retainedExecutions", "1")
               .config("spark.ui.retainedJobs", "1")
               .config("spark.ui.retainedStages", "1"))
    if os.environ.get("TENET_SPARK_DRIVER_MEMORY"):
        builder = builder.config("spark.driver.memory", os.environ["TENET_SPARK_DRIVER_MEMORY"])
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    failed = False
    loaded = None
    for case in cases:
        try:
            # The policies of one dataset run one after the other: its
            # tables are registered once.
            if loaded != case["data"]:
                loaded = None
                load_spark_tables(spark, case["data"])
                loaded = case["data"]
            with open(case["sql"], encoding="utf-8") as f:
                script = f.read()
            # Several statements run as one union: Spark plans each branch
            # as stages of their own, and one job per statement would
            # cost a job's start each.
            result = functools.reduce(
                lambda a, b: a.unionAll(b),
                [spark.sql(sql) for sql in statements(script, backslash=True)])
            write_rows(case["out"], result.columns, [tuple(r) for r in result.collect()])
        except Exception as e:  # noqa: BLE001 - reported per case
            failed = True
            with open(case["out"] + ".error", "w", encoding="utf-8") as f:
                f.write(str(e))
    spark.stop()
    return failed


def main(argv):
    if len(argv) != 4 or argv[1] != "--engine" or argv[2] not in ("duckdb", "spark"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[3], encoding="utf-8") as f:
        cases = json.load(f)
    failed = run_duckdb(cases) if argv[2] == "duckdb" else run_spark(cases)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
