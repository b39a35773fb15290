//! What the server holds: the serving bundle (swapped whole on reload),
//! the dataset, tokens, the decision log, metrics and limits.

use crate::auth::TokenFile;
use crate::bundle::{Bundle, BundleError, Evaluators};
use crate::decisions::DecisionLog;
use crate::metrics::Metrics;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tenet::model::Dataset;
use tenet::program::CheckedPolicy;
use tenet::report::Report;

/// Renders reports as one HTML page (the command line's HTML report).
pub type HtmlRenderer = fn(&[(&Report, &CheckedPolicy)]) -> String;

/// Request limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes a request body may have.
    pub body_bytes: usize,
    /// Bytes an uploaded archive or workbook may inflate to.
    pub unpacked_bytes: u64,
    /// Entries an uploaded archive may hold.
    pub archive_entries: usize,
    /// Time a request may take, body included.
    pub timeout: Duration,
    /// Requests served at once; more get 503.
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 32 << 20,
            unpacked_bytes: 256 << 20,
            archive_entries: 64,
            timeout: Duration::from_secs(30),
            concurrency: 256,
        }
    }
}

/// A bundle with what is prepared for it.
pub struct Live {
    /// The policies and their version.
    pub bundle: Bundle,
    /// Evaluators for the server's dataset, by date.
    pub evaluators: Evaluators,
    /// The policy each rule id belongs to (the first, when ids repeat).
    pub policy_of_rule: HashMap<String, String>,
}

impl Live {
    /// Prepares a bundle for serving.
    pub fn new(bundle: Bundle) -> Live {
        let mut policy_of_rule = HashMap::new();
        for p in bundle.set.policies() {
            for r in &p.rules {
                policy_of_rule
                    .entry(r.id.clone())
                    .or_insert_with(|| p.id.clone());
            }
        }
        Live {
            bundle,
            evaluators: Evaluators::default(),
            policy_of_rule,
        }
    }
}

/// The outcome of the last reload that was refused.
#[derive(Debug, Clone)]
pub struct Refused {
    /// When (RFC 3339).
    pub at: String,
    /// What failed.
    pub error: BundleError,
}

/// Everything a handler can reach.
pub struct AppState {
    /// The policy directory.
    pub policies_dir: PathBuf,
    current: RwLock<Arc<Live>>,
    /// The dataset loaded at start, if any.
    pub data: Option<Arc<Dataset>>,
    /// Accepted tokens; `None`: no authentication (loopback only).
    pub tokens: Option<TokenFile>,
    /// The decision log; `None`: decisions are not logged.
    pub log: Option<DecisionLog>,
    /// Counters.
    pub metrics: Metrics,
    /// The last refused reload, cleared by a good one.
    pub refused: Mutex<Option<Refused>>,
    /// Limits.
    pub limits: Limits,
    /// Requests running.
    pub busy: Arc<tokio::sync::Semaphore>,
    /// The HTML report renderer, when the binary provides one.
    pub html: Option<HtmlRenderer>,
    ids: AtomicU64,
    id_prefix: String,
    /// What the policy directory and tokens file looked like just before
    /// they were read at start: the watcher's first reference, so a change
    /// made between that read and its first look is not missed.
    pub(crate) read_as: crate::serve::Stamps,
}

impl AppState {
    /// A state serving `bundle`.
    pub fn new(
        policies_dir: PathBuf,
        bundle: Bundle,
        data: Option<Dataset>,
        tokens: Option<TokenFile>,
        log: Option<DecisionLog>,
        limits: Limits,
        html: Option<HtmlRenderer>,
    ) -> AppState {
        let mut seed = [0u8; 4];
        let _ = getrandom::fill(&mut seed);
        AppState {
            policies_dir,
            current: RwLock::new(Arc::new(Live::new(bundle))),
            data: data.map(Arc::new),
            tokens,
            log,
            metrics: Metrics::default(),
            refused: Mutex::new(None),
            limits,
            busy: Arc::new(tokio::sync::Semaphore::new(limits.concurrency)),
            html,
            ids: AtomicU64::new(1),
            id_prefix: crate::bundle::hex(&seed),
            read_as: crate::serve::Stamps::default(),
        }
    }

    /// The bundle serving now; a request keeps the one it started with.
    pub fn live(&self) -> Arc<Live> {
        match self.current.read() {
            Ok(l) => l.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// A new request id, unique within this process and unlikely to repeat
    /// across restarts.
    pub fn request_id(&self) -> String {
        format!(
            "{}-{:08}",
            self.id_prefix,
            self.ids.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Reads the tokens file again (see [`TokenFile::reload`]); `None`
    /// when the server runs without tokens. A refusal is logged on stderr.
    pub fn reload_tokens(&self) -> Result<Option<usize>, crate::auth::TokenError> {
        let Some(file) = &self.tokens else {
            return Ok(None);
        };
        match file.reload() {
            Ok(n) => {
                eprintln!("tenet serve: tokens reloaded: {n} token(s)");
                Ok(Some(n))
            }
            Err(e) => {
                eprintln!("tenet serve: tokens file refused, the tokens read before stay: {e}");
                Err(e)
            }
        }
    }

    /// Loads the policy directory again: a bundle that checks replaces the
    /// serving one; one that does not is refused, its diagnostics kept for
    /// `/health` and logged, and the old version goes on serving. Returns
    /// whether the version changed.
    pub fn reload(&self) -> Result<bool, crate::bundle::BundleError> {
        match crate::bundle::load_dir(&self.policies_dir) {
            Ok(bundle) => {
                if let Ok(mut r) = self.refused.lock() {
                    *r = None;
                }
                let changed = bundle.version != self.live().bundle.version;
                if changed {
                    eprintln!("tenet serve: policies reloaded: {}", bundle.version);
                    let live = Arc::new(Live::new(bundle));
                    match self.current.write() {
                        Ok(mut c) => *c = live,
                        Err(poisoned) => *poisoned.into_inner() = live,
                    }
                    self.metrics.reloads.fetch_add(1, Ordering::Relaxed);
                }
                Ok(changed)
            }
            Err(error) => {
                let same = self
                    .refused
                    .lock()
                    .ok()
                    .and_then(|r| r.as_ref().map(|r| r.error.version == error.version))
                    .unwrap_or(false);
                if !same {
                    eprintln!(
                        "tenet serve: reload refused, still serving {}:\n{}",
                        self.live().bundle.version,
                        error.rendered
                    );
                    self.metrics.reload_failures.fetch_add(1, Ordering::Relaxed);
                }
                if let Ok(mut r) = self.refused.lock() {
                    *r = Some(Refused {
                        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        error: error.clone(),
                    });
                }
                Err(error)
            }
        }
    }
}
