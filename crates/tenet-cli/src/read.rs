//! Reading policy files: bounded, regular files only, imports kept inside
//! the directories of the policies named on the command line.
//!
//! A path that is not a regular file (`/dev/zero`, a FIFO, a symlink to
//! one) is refused before it is opened, so it can neither hang the command
//! nor fill memory; a file is read at most one byte past the 1 MiB limit of
//! a policy. An import must name a `.policy` file inside the directory of
//! one of the root policies (or a directory below it), so a policy cannot
//! make `tenet` read — and quote, in a syntax error — any other file
//! (`import "/etc/passwd"`).

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest policy file (the parser's own limit).
const MAX_BYTES: u64 = 1 << 20;

/// Reads one file that is meant to be a policy, as the user named it.
pub fn policy_file(name: &str) -> Result<String, String> {
    let path = Path::new(name);
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(|e| e.to_string())?
        .take(MAX_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_BYTES {
        return Err(format!(
            "the file is larger than {MAX_BYTES} bytes, the limit for a policy file; split it and `import` the parts"
        ));
    }
    Ok(text)
}

/// A reader for [`tenet::PolicySet::load`]: the `roots` as named, and
/// imports only inside the roots' directories.
///
/// Its reasons are in `lang` (they end a diagnostic such as ``cannot read
/// `x.policy`: …``).
pub fn policies(
    roots: &[String],
    lang: tenet::diagnostic::Lang,
) -> impl FnMut(&str) -> Result<String, String> + '_ {
    let dirs: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| {
            let dir = Path::new(r).parent()?;
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            dir.canonicalize().ok()
        })
        .collect();
    let read = move |name: &str| {
        if roots.iter().any(|r| r == name) {
            return policy_file(name);
        }
        if !name.ends_with(".policy") {
            return Err("an import must name a `.policy` file".into());
        }
        let meta = std::fs::metadata(name).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("not a regular file".into());
        }
        let real = Path::new(name).canonicalize().map_err(|e| e.to_string())?;
        if !dirs.iter().any(|d| real.starts_with(d)) {
            return Err(
                "an import must stay inside the directory of the policy files given (or below it)"
                    .into(),
            );
        }
        policy_file(name)
    };
    move |name: &str| read(name).map_err(|e| crate::messages::reason(&e, lang))
}
