//! DuckDB, through its command-line shell (PyPI `duckdb-cli`, or
//! `$TENET_DUCKDB_CLI`), as tenet-sql's `--engine duckdb` runs it: the Rust
//! binding's bundled build compiles DuckDB's C++ (about 30 minutes on two
//! cores), which the default build does not take. The file is opened
//! read-only; one run of the shell writes every table as a CSV file into a
//! temporary directory (each column cast to text by DuckDB — exact:
//! `DECIMAL` as written, dates as ISO dates), which the CSV reader reads.

use super::{select_as_text, Source};
use crate::problem::Reason;
use crate::table::{Place, Table, TableKind, TableParser};
use crate::text::Encoding;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(super) struct DuckDb {
    shell: String,
    file: PathBuf,
    /// Per table: its columns and their types, in table order.
    tables: BTreeMap<String, Vec<(String, String)>>,
    /// Where the tables are exported; removed when done.
    dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl DuckDb {
    pub(super) fn open(file: &Path) -> Result<DuckDb, String> {
        if !file.is_file() {
            return Err(format!("no database file `{}`", file.display()));
        }
        let shell = std::env::var("TENET_DUCKDB_CLI").unwrap_or_else(|_| "duckdb".into());
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tenet-duckdb-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut db = DuckDb {
            shell,
            file: file.to_path_buf(),
            tables: BTreeMap::new(),
            dir: TempDir(dir),
        };
        let catalog = db.run(
            "SELECT table_name, column_name, data_type FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        )?;
        let mut reader = csv::Reader::from_reader(catalog.as_slice());
        for record in reader.records() {
            let record = record.map_err(|e| e.to_string())?;
            let cell = |i| record.get(i).unwrap_or_default().to_string();
            db.tables
                .entry(cell(0))
                .or_default()
                .push((cell(1), cell(2)));
        }
        let copies: Vec<String> = TableKind::ALL
            .iter()
            .filter_map(|kind| {
                let columns = db.tables.get(kind.stem())?;
                floats(columns).is_empty().then(|| {
                    let path = db.dir.0.join(format!("{}.csv", kind.stem()));
                    format!(
                        "COPY ({}) TO '{}' (FORMAT csv, HEADER true)",
                        select(kind.stem(), columns),
                        path.display().to_string().replace('\'', "''")
                    )
                })
            })
            .collect();
        if !copies.is_empty() {
            db.run(&copies.join(";\n"))?;
        }
        Ok(db)
    }

    /// The shell's CSV output for one statement.
    fn run(&self, sql: &str) -> Result<Vec<u8>, String> {
        use std::io::Write as _;
        let mut child = std::process::Command::new(&self.shell)
            .args(["-csv", "-nullvalue", "", "-readonly"])
            .arg(&self.file)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start `{}` ({e}); install the DuckDB shell with \
                     `pip install duckdb-cli` or set TENET_DUCKDB_CLI",
                    self.shell
                )
            })?;
        // The statement is small: written whole before the output is read.
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(format!("{sql};\n").as_bytes())
                .map_err(|e| e.to_string())?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(out.stdout)
    }
}

impl Source for DuckDb {
    fn table(&mut self, kind: TableKind, place: Place) -> Result<Option<Table>, String> {
        let Some(columns) = self.tables.get(kind.stem()) else {
            return Ok(None);
        };
        let floats = floats(columns);
        if !floats.is_empty() {
            let header = columns.iter().map(|(name, _)| name.clone()).collect();
            let mut parser = TableParser::new(kind, place, header);
            parser.report(
                0,
                Reason::Malformed {
                    message: format!(
                        "column {} holds binary floats, which are not exact; store it as DECIMAL",
                        floats.join(", ")
                    ),
                },
            );
            return Ok(Some(parser.finish()));
        }
        let path = self.dir.0.join(format!("{}.csv", kind.stem()));
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Some(crate::sources::read_csv(
            kind,
            place,
            bytes,
            Encoding::Utf8,
        )))
    }
}

/// The columns of binary floating-point types, named for a message.
fn floats(columns: &[(String, String)]) -> Vec<String> {
    columns
        .iter()
        .filter(|(_, ty)| matches!(ty.as_str(), "FLOAT" | "DOUBLE" | "REAL"))
        .map(|(name, ty)| format!("`{name}` ({ty})"))
        .collect()
}

/// The query that reads a table as text, in the byte order of its cells.
fn select(table: &str, columns: &[(String, String)]) -> String {
    let columns = columns
        .iter()
        .map(|(name, ty)| (name.as_str(), ty.starts_with("DECIMAL")));
    select_as_text(table, columns, |c| format!("CAST({c} AS VARCHAR)"), "")
}
