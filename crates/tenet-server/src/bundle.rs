//! A policy bundle: the checked policies of one directory, named by a
//! content hash of every file they were made from, and the evaluators
//! prepared for the dataset the server holds.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tenet::diagnostic::Diagnostic;
use tenet::model::Dataset;
use tenet::{Evaluator, PolicySet};

/// Checked policies and their version.
#[derive(Debug)]
pub struct Bundle {
    /// The policies.
    pub set: Arc<PolicySet>,
    /// `sha256:` and the hex hash of every source file (name and text, in
    /// name order): the same texts give the same version.
    pub version: String,
}

/// Why a directory gave no bundle.
#[derive(Debug, Clone)]
pub struct BundleError {
    /// The version the failed texts would have had (to tell attempts apart).
    pub version: String,
    /// Diagnostics with file, line and column (names relative to the directory).
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics drawn with their source lines (English, as the API
    /// returns them).
    pub rendered: String,
    /// Why, to say it in another language (boxed: API errors carry this
    /// struct, and results of them stay small).
    pub cause: Box<BundleCause>,
}

/// Why a directory gave no bundle, as values.
#[derive(Debug, Clone)]
pub enum BundleCause {
    /// The directory cannot be read.
    Unreadable(std::path::PathBuf, String),
    /// It holds no `.policy` file.
    Empty(std::path::PathBuf),
    /// The policies do not check.
    Policies(tenet::CompileError),
}

impl BundleError {
    /// Why, in `lang`: the diagnostics drawn and their count, or what is
    /// wrong with the directory.
    pub fn render_in(&self, lang: tenet::diagnostic::Lang) -> String {
        use tenet::diagnostic::Lang;
        match (&*self.cause, lang) {
            (BundleCause::Policies(e), _) => {
                format!("{}\n{}", e.render_in(lang), e.summary_in(lang))
            }
            (BundleCause::Unreadable(d, e), Lang::Zh) => {
                format!("错误：无法读取目录 `{}`：{e}", d.display())
            }
            (BundleCause::Empty(d), Lang::Zh) => {
                format!("错误：`{}` 中没有 `.policy` 文件", d.display())
            }
            (_, Lang::En) => self.rendered.clone(),
        }
    }
}

/// The hash of a set of named texts: the order they come in does not
/// matter, their names and every byte of their texts do.
///
/// ```
/// use tenet_server::bundle::version_of;
/// let v = version_of([("a.policy", "policy a {}"), ("b.policy", "policy b {}")]);
/// assert!(v.starts_with("sha256:") && v.len() == 7 + 64);
/// assert_eq!(v, version_of([("b.policy", "policy b {}"), ("a.policy", "policy a {}")]));
/// assert_ne!(v, version_of([("a.policy", "policy a {} "), ("b.policy", "policy b {}")]));
/// ```
pub fn version_of<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<_> = files.into_iter().collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        // Lengths first, so no two different bundles hash alike.
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    format!("sha256:{}", hex(&h.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The `.policy` files directly in `dir`, sorted (names relative to it).
pub fn policy_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "policy"))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// A fingerprint of the directory's policy files (names, sizes and
/// modification times) that tells the watcher something changed without
/// reading every file.
pub fn fingerprint(dir: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "policy"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((
                e.file_name().into_string().ok()?,
                meta.len(),
                meta.modified().ok(),
            ))
        })
        .collect();
    out.sort();
    out
}

/// Loads and checks every `.policy` file of `dir` (imports resolve inside it).
///
/// ```
/// let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
/// let bundle = tenet_server::bundle::load_dir(&repo.join("policies")).unwrap();
/// assert!(bundle.set.policies().iter().any(|p| p.id == "lvyuan"));
///
/// let empty = tempfile::tempdir().unwrap();
/// let refused = tenet_server::bundle::load_dir(empty.path()).unwrap_err();
/// assert!(refused.diagnostics.is_empty());
/// assert!(refused.rendered.starts_with("error: no `.policy` files in"));
/// ```
pub fn load_dir(dir: &Path) -> Result<Bundle, BundleError> {
    let roots = policy_files(dir).map_err(|e| BundleError {
        version: String::new(),
        diagnostics: Vec::new(),
        rendered: format!("error: cannot read directory `{}`: {e}", dir.display()),
        cause: Box::new(BundleCause::Unreadable(dir.to_path_buf(), e.to_string())),
    })?;
    if roots.is_empty() {
        return Err(BundleError {
            version: String::new(),
            diagnostics: Vec::new(),
            rendered: format!("error: no `.policy` files in `{}`", dir.display()),
            cause: Box::new(BundleCause::Empty(dir.to_path_buf())),
        });
    }
    let loaded = PolicySet::load(&roots, |name| {
        std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())
    });
    match loaded {
        Ok(set) => Ok(Bundle {
            version: version_of(set.sources().iter().map(|(n, t)| (n.as_str(), t.as_str()))),
            set: Arc::new(set),
        }),
        Err(e) => Err(BundleError {
            version: version_of(e.sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
            rendered: e.render(),
            diagnostics: e.diagnostics.clone(),
            cause: Box::new(BundleCause::Policies(e)),
        }),
    }
}

/// What a prepared evaluator borrows.
pub struct Owner {
    set: Arc<PolicySet>,
    data: Arc<Dataset>,
    as_of: NaiveDate,
}

type Eval<'a> = Evaluator<'a>;

self_cell::self_cell!(
    /// An evaluator prepared for one bundle, dataset and date; it keeps
    /// each person's credit between calls.
    pub struct Prepared {
        owner: Owner,
        #[covariant]
        dependent: Eval,
    }
);

impl Prepared {
    /// The evaluator.
    pub fn evaluator(&self) -> &Evaluator<'_> {
        self.borrow_dependent()
    }

    /// The dataset.
    pub fn data(&self) -> &Dataset {
        &self.borrow_owner().data
    }
}

/// Prepared evaluators by date, for the server's dataset. Few dates are
/// asked for (today, a report's cut-off); the cache is bounded and, when
/// full, starts again.
#[derive(Default)]
pub struct Evaluators {
    by_date: Mutex<HashMap<NaiveDate, Arc<Prepared>>>,
}

/// How many dates keep a prepared evaluator.
const DATES: usize = 16;

impl Evaluators {
    /// The evaluator for a date, made on first use.
    pub fn get(
        &self,
        set: &Arc<PolicySet>,
        data: &Arc<Dataset>,
        as_of: NaiveDate,
    ) -> Arc<Prepared> {
        let mut map = match self.by_date.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(p) = map.get(&as_of) {
            return p.clone();
        }
        if map.len() >= DATES {
            map.clear();
        }
        let owner = Owner {
            set: set.clone(),
            data: data.clone(),
            as_of,
        };
        let prepared = Arc::new(Prepared::new(owner, |o| o.set.evaluator(&o.data, o.as_of)));
        map.insert(as_of, prepared.clone());
        prepared
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_depends_on_names_and_texts_not_order() {
        let a = version_of([("a.policy", "x"), ("b.policy", "y")]);
        assert_eq!(a, version_of([("b.policy", "y"), ("a.policy", "x")]));
        assert_ne!(a, version_of([("a.policy", "xb.policy"), ("", "y")]));
        assert_ne!(a, version_of([("a.policy", "x"), ("b.policy", "z")]));
        assert!(a.starts_with("sha256:") && a.len() == 7 + 64);
    }
}
