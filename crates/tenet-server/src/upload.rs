//! Datasets sent with a request: inline JSON (the dataset format), an
//! `.xlsx` workbook, or a zip of CSV files. Each is written into a private
//! temporary directory and loaded by `tenet-io`, so the problems name the
//! same files, lines and columns as the command line does.
//!
//! Zip archives (a workbook is one too) are read entry by entry with the
//! bytes counted as they are inflated: an archive that inflates past the
//! limit is refused whatever its headers claim (a zip bomb).

use crate::error::ApiError;
use std::io::Read as _;
use std::path::Path;
use tenet::model::Dataset;

/// Limits on what an upload may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Bytes all entries may inflate to, together.
    pub unpacked_bytes: u64,
    /// Entries an archive may hold.
    pub entries: usize,
}

/// The kinds of dataset a request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The JSON dataset format.
    Json,
    /// An Excel workbook.
    Xlsx,
    /// Zipped CSV files.
    Zip,
}

/// Media types of workbooks.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn load(path: &Path) -> Result<Dataset, ApiError> {
    match tenet_io::load(path, &tenet_io::LoadOptions::default()) {
        Ok(loaded) => Ok(loaded.dataset),
        Err(tenet_io::LoadError::Invalid(problems)) => Err(ApiError::Data(problems)),
        Err(e) => Err(ApiError::Upload(e.to_string())),
    }
}

fn internal(e: std::io::Error) -> ApiError {
    ApiError::Internal(format!(
        "cannot write the upload to a temporary directory: {e}"
    ))
}

/// Loads a dataset from bytes of the given kind. Problems in the data are
/// [`ApiError::Data`] with the file, line and value of each.
///
/// ```
/// use tenet_server::upload::{dataset, Kind, UploadLimits};
/// let limits = UploadLimits { unpacked_bytes: 1 << 20, entries: 16 };
/// let json = br#"{"districts":[{"id":"d","name":"D"}],"schools":[],"people":[
///   {"id":"p","name":"P","org":"d","roles":"teacher","hire_date":"2020-13-01"}]}"#;
/// let err = dataset(Kind::Json, json, limits).unwrap_err();
/// assert!(matches!(&err, tenet_server::error::ApiError::Data(p)
///     if p.iter().any(|p| p.value.as_deref() == Some("2020-13-01"))), "{err:?}");
/// ```
pub fn dataset(kind: Kind, bytes: &[u8], limits: UploadLimits) -> Result<Dataset, ApiError> {
    let dir = tempfile::tempdir().map_err(internal)?;
    match kind {
        Kind::Json => {
            let path = dir.path().join("data.json");
            std::fs::write(&path, bytes).map_err(internal)?;
            load(&path)
        }
        Kind::Xlsx => {
            // Inflate once, counting, before calamine inflates it again.
            unzip(bytes, limits, |_, _| Ok(()))?;
            let path = dir.path().join("data.xlsx");
            std::fs::write(&path, bytes).map_err(internal)?;
            load(&path)
        }
        Kind::Zip => {
            let mut found = 0;
            unzip(bytes, limits, |name, data| {
                // Only `<stem>.csv`, wherever it sits in the archive; the
                // base name alone is used, so no entry writes outside.
                let base = name.rsplit(['/', '\\']).next().unwrap_or("");
                if base.ends_with(".csv") && !base.starts_with('.') {
                    found += 1;
                    std::fs::write(dir.path().join(base), data).map_err(internal)?;
                }
                Ok(())
            })?;
            if found == 0 {
                return Err(ApiError::Upload(
                    "the zip archive holds no `.csv` files; zip the dataset's CSV files (people.csv, schools.csv, …)".into(),
                ));
            }
            load(dir.path())
        }
    }
}

/// Inflates every file entry, calling `each` with its name and bytes,
/// within the limits.
fn unzip(
    bytes: &[u8],
    limits: UploadLimits,
    mut each: impl FnMut(&str, &[u8]) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ApiError::Upload(format!("not a readable zip archive: {e}")))?;
    if archive.len() > limits.entries {
        return Err(ApiError::Upload(format!(
            "the archive has {} entries; at most {} are read",
            archive.len(),
            limits.entries
        )));
    }
    let mut left = limits.unpacked_bytes;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| {
            ApiError::Upload(format!("cannot read entry {} of the archive: {e}", i + 1))
        })?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("entry {}", i + 1));
        let mut data = Vec::new();
        // One byte past what is left tells an entry that is too big.
        let read = (&mut entry)
            .take(left.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| ApiError::Upload(format!("cannot inflate `{name}`: {e}")))?;
        if read as u64 > left {
            return Err(ApiError::TooLarge {
                what: "the unpacked upload",
                limit: limits.unpacked_bytes,
            });
        }
        left -= read as u64;
        each(&name, &data)?;
    }
    Ok(())
}
