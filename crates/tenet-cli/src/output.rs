//! Where the command's words go. A report that cannot be written is a
//! failure, never a panic: a full disk or any other write error is a
//! message and exit 2; a closed pipe (`tenet check … | head -1`) ends the
//! command quietly, also with exit 2, since the report did not all arrive.
//! Messages to standard error that cannot be written are dropped: there is
//! nowhere left to say so.

use std::io::Write;

/// Why writing the report stopped.
#[derive(Debug)]
pub enum WriteError {
    /// The reader went away (a closed pipe): nothing to say.
    Closed,
    /// Any other error, as a message naming the place.
    Failed(String),
}

impl WriteError {
    /// The error of writing to `place` (`standard output`, `` `out.md` ``).
    pub fn of(place: &str, e: &std::io::Error) -> WriteError {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            WriteError::Closed
        } else {
            WriteError::Failed(format!("error: cannot write {place}: {e}"))
        }
    }
}

/// Writes `text` to `w` and flushes it; `place` names `w` in the error.
///
/// ```
/// use tenet_cli::output::{write, WriteError};
/// let mut full: &mut [u8] = &mut [0u8; 4];
/// assert!(matches!(write(&mut full, "`out.txt`", "too long"), Err(WriteError::Failed(_))));
/// ```
pub fn write(w: &mut dyn Write, place: &str, text: &str) -> Result<(), WriteError> {
    w.write_all(text.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| WriteError::of(place, &e))
}

/// Writes `text` to standard output and flushes it.
pub fn stdout(text: &str) -> Result<(), WriteError> {
    write(&mut std::io::stdout().lock(), "standard output", text)
}

/// Writes a line to standard error; a failure is dropped (see the module).
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}
