//! The decision log: one JSON line per decision (rule, subject, window and
//! status of one result), in `DIR/decisions.jsonl`.
//!
//! **Durability rule**: a response carrying decisions is sent only after
//! its lines are written and `fdatasync`'d; if that fails, the request
//! fails with 503 and no verdict is given. One writer thread commits in
//! groups: the lines of every request waiting at that moment are written
//! and synced together, so many requests share one sync. A file is rotated
//! (renamed to `decisions.<UTC time>.<n>.jsonl`) before a batch would take
//! it past the size limit; the directory is synced after each create and
//! rename.

use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// One decision.
#[derive(Debug, Serialize)]
pub struct Decision<'a> {
    /// The request that made it.
    pub request_id: &'a str,
    /// When (UTC, RFC 3339).
    pub time: &'a str,
    /// The token name of the caller.
    pub caller: &'a str,
    /// The policy bundle version.
    pub policy_version: &'a str,
    /// The policy id.
    pub policy: Option<&'a str>,
    /// The rule id.
    pub rule: &'a str,
    /// The subject.
    pub subject: &'a tenet::report::Subject,
    /// The window, if any.
    pub window: Option<&'a tenet::report::WindowOut>,
    /// The status.
    pub status: tenet::report::Status,
    /// The evaluation date.
    pub as_of: chrono::NaiveDate,
}

struct Batch {
    lines: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

/// A handle on the writer thread.
#[derive(Clone)]
pub struct DecisionLog {
    tx: mpsc::Sender<Batch>,
}

impl std::fmt::Debug for DecisionLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecisionLog")
    }
}

/// The current file.
pub const CURRENT: &str = "decisions.jsonl";

impl DecisionLog {
    /// Opens (or creates) the log in `dir`, rotating at `max_bytes`.
    pub fn open(dir: &Path, max_bytes: u64) -> std::io::Result<DecisionLog> {
        std::fs::create_dir_all(dir)?;
        let writer = Writer::open(dir.to_path_buf(), max_bytes)?;
        let (tx, rx) = mpsc::channel::<Batch>();
        std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || writer.run(rx))?;
        Ok(DecisionLog { tx })
    }

    /// Writes `lines` (each ending in a newline) and returns once they are
    /// on disk.
    pub async fn commit(&self, lines: Vec<u8>) -> Result<(), String> {
        if lines.is_empty() {
            return Ok(());
        }
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Batch { lines, done })
            .map_err(|_| "the writer stopped".to_string())?;
        wait.await.map_err(|_| "the writer stopped".to_string())?
    }
}

struct Writer {
    dir: PathBuf,
    file: File,
    size: u64,
    max_bytes: u64,
    rotations: u64,
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

impl Writer {
    fn open(dir: PathBuf, max_bytes: u64) -> std::io::Result<Writer> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(CURRENT))?;
        let size = file.metadata()?.len();
        sync_dir(&dir)?;
        Ok(Writer {
            dir,
            file,
            size,
            max_bytes,
            rotations: 0,
        })
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.file.sync_all()?;
        self.rotations += 1;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let name = format!(
            "decisions.{stamp}.{}.{}.jsonl",
            std::process::id(),
            self.rotations
        );
        std::fs::rename(self.dir.join(CURRENT), self.dir.join(name))?;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(CURRENT))?;
        self.size = 0;
        sync_dir(&self.dir)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.size > 0 && self.size + bytes.len() as u64 > self.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    fn run(mut self, rx: mpsc::Receiver<Batch>) {
        while let Ok(first) = rx.recv() {
            // Everyone waiting now shares one sync.
            let mut batch = vec![first];
            while let Ok(more) = rx.try_recv() {
                batch.push(more);
            }
            let mut result = Ok(());
            for b in &batch {
                if let Err(e) = self.write(&b.lines) {
                    result = Err(e);
                    break;
                }
            }
            let result = result
                .and_then(|()| self.file.sync_data())
                .map_err(|e| e.to_string());
            for b in batch {
                let _ = b.done.send(result.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_on_disk_when_commit_returns_and_files_rotate() {
        let dir = tempfile::tempdir().unwrap();
        let log = DecisionLog::open(dir.path(), 100).unwrap();
        for i in 0..10 {
            log.commit(format!("{{\"n\":{i:040}}}\n").into_bytes())
                .await
                .unwrap();
        }
        let mut all = String::new();
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(text.len() <= 100, "{f:?} has {} bytes", text.len());
            all.push_str(&text);
        }
        assert!(files.len() >= 5, "{files:?}");
        assert_eq!(all.lines().count(), 10);
    }
}
