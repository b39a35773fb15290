//! Starting a server: load the bundle and the dataset, open the decision
//! log, read the tokens, watch the policy directory, accept connections.

use crate::auth::TokenFile;
use crate::decisions::DecisionLog;
use crate::state::{AppState, HtmlRenderer, Limits};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The policy directory (every `.policy` file in it).
    pub policies: PathBuf,
    /// A dataset to hold: a CSV directory, `.json` or `.xlsx`.
    pub data: Option<PathBuf>,
    /// Where to listen.
    pub addr: SocketAddr,
    /// The tokens file; without one the server answers anyone, and so
    /// listens only on a loopback address.
    pub tokens: Option<PathBuf>,
    /// The decision log directory.
    pub log: Option<PathBuf>,
    /// Rotate the decision log past this many bytes.
    pub log_max_bytes: u64,
    /// How often the policy directory is looked at.
    pub poll: Duration,
    /// Request limits.
    pub limits: Limits,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The policies do not check.
    #[error("{}", .0.rendered)]
    Policies(Box<crate::bundle::BundleError>),
    /// The dataset does not load.
    #[error("error: {0}")]
    Data(Box<tenet_io::LoadError>),
    /// The tokens file is bad.
    #[error("error: {0}")]
    Tokens(#[from] crate::auth::TokenError),
    /// No tokens and not loopback.
    #[error("error: refusing to serve `{0}` without `--tokens`: without tokens anyone can call the server, so it listens only on a loopback address (127.0.0.1)")]
    Open(SocketAddr),
    /// IO.
    #[error("error: {0}")]
    Io(#[from] std::io::Error),
}

impl StartError {
    /// Why, in `lang`, for the errors that carry their cause as values
    /// (policies, data); the others in English, as `Display` writes them.
    pub fn render_in(&self, lang: tenet::diagnostic::Lang) -> String {
        match self {
            StartError::Policies(e) => e.render_in(lang),
            StartError::Data(e) => format!("error: {}", e.render_in(lang)),
            _ => self.to_string(),
        }
    }
}

/// Loads everything and makes the state (no socket yet).
pub fn prepare(config: &Config, html: Option<HtmlRenderer>) -> Result<Arc<AppState>, StartError> {
    if config.tokens.is_none() && !config.addr.ip().is_loopback() {
        return Err(StartError::Open(config.addr));
    }
    let read_as = Stamps {
        policies: crate::bundle::fingerprint(&config.policies),
        tokens: config.tokens.as_deref().and_then(stamp),
    };
    let bundle =
        crate::bundle::load_dir(&config.policies).map_err(|e| StartError::Policies(Box::new(e)))?;
    let data = match &config.data {
        None => None,
        Some(path) => Some(
            tenet_io::load(path, &tenet_io::LoadOptions::default())
                .map_err(|e| StartError::Data(Box::new(e)))?
                .dataset,
        ),
    };
    let tokens = config.tokens.as_deref().map(TokenFile::open).transpose()?;
    let log = config
        .log
        .as_deref()
        .map(|d| DecisionLog::open(d, config.log_max_bytes))
        .transpose()?;
    let mut state = AppState::new(
        config.policies.clone(),
        bundle,
        data,
        tokens,
        log,
        config.limits,
        html,
    );
    state.read_as = read_as;
    Ok(Arc::new(state))
}

/// A file's size and modification time, to see it change.
type Stamp = (u64, Option<std::time::SystemTime>);

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// How the watched files looked.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Stamps {
    policies: Vec<(String, u64, Option<std::time::SystemTime>)>,
    tokens: Option<Stamp>,
}

/// The watcher's view of one watched thing: what it last acted on, and
/// what it saw at the previous look. It acts once the thing differs from
/// what it acted on *and* has not changed since the previous look, so a
/// file still being written is not read half-done — a tokens file caught
/// between truncation and write holds no token, which would lock every
/// caller out until the next change.
struct Settling<T> {
    acted: T,
    last: T,
}

impl<T: PartialEq + Clone> Settling<T> {
    fn new(acted: T) -> Settling<T> {
        Settling {
            last: acted.clone(),
            acted,
        }
    }

    /// Whether to reload now, seeing `now` (always when `forced`).
    fn look(&mut self, now: T, forced: bool) -> bool {
        let due = forced || (now == self.last && now != self.acted);
        if due {
            self.acted = now.clone();
        }
        self.last = now;
        due
    }
}

/// Watches the policy directory and the tokens file and reloads what
/// changed, once it has stayed unchanged for one look (`every`); SIGHUP
/// reloads both at once.
pub fn watch(state: Arc<AppState>, every: Duration) {
    tokio::spawn(async move {
        let dir = state.policies_dir.clone();
        let mut policies_seen = Settling::new(state.read_as.policies.clone());
        let mut tokens_seen = Settling::new(state.read_as.tokens);
        let tokens_path = state.tokens.as_ref().map(|t| t.path().to_path_buf());
        let mut tick = tokio::time::interval(every);
        let mut hangup = hangup();
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => false,
                () = next_hangup(&mut hangup) => true,
            };
            let policies = policies_seen.look(crate::bundle::fingerprint(&dir), forced);
            let tokens = tokens_seen.look(tokens_path.as_deref().and_then(stamp), forced);
            if policies || tokens {
                let s = state.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    // Refusals are logged (and kept for /health) by the state.
                    if tokens {
                        let _ = s.reload_tokens();
                    }
                    if policies {
                        let _ = s.reload();
                    }
                })
                .await;
            }
        }
    });
}

#[cfg(unix)]
type Hangup = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangup = Option<()>;

fn hangup() -> Hangup {
    #[cfg(unix)]
    return tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    #[cfg(not(unix))]
    None
}

async fn next_hangup(h: &mut Hangup) {
    #[cfg(unix)]
    if let Some(s) = h {
        if s.recv().await.is_some() {
            return;
        }
    }
    let _ = h;
    std::future::pending::<()>().await
}

/// Serves on a bound listener until ctrl-c or SIGTERM.
pub async fn run(
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    poll: Duration,
) -> std::io::Result<()> {
    watch(state.clone(), poll);
    let app = crate::app::router(state);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(_) => continue,
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            // A client that has not sent its headers in 10 s is let go
            // (slowloris); a slow body hits the request timeout.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(10))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Starts a server and blocks until it stops: what `tenet serve` runs.
pub fn serve(config: Config, html: Option<HtmlRenderer>) -> Result<(), StartError> {
    let state = prepare(&config, html)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        eprintln!(
            "tenet serve: listening on http://{addr} with policies {} ({} policies)",
            state.live().bundle.version,
            state.live().bundle.set.policies().len()
        );
        run(state, listener, config.poll).await
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Settling;

    #[test]
    fn a_change_is_acted_on_once_it_has_settled_for_one_look() {
        let mut w = Settling::new(1);
        assert!(!w.look(1, false), "nothing changed");
        assert!(
            !w.look(0, false),
            "changed at this look: maybe still being written"
        );
        assert!(!w.look(2, false), "changed again");
        assert!(w.look(2, false), "the same as at the previous look");
        assert!(!w.look(2, false), "acted on already");
    }

    #[test]
    fn a_change_before_the_first_look_is_seen() {
        // The reference is how the file looked when it was read at start,
        // not at the watcher's first look.
        let mut w = Settling::new(1);
        assert!(!w.look(2, false));
        assert!(w.look(2, false));
    }

    #[test]
    fn a_signal_acts_at_once_and_a_change_back_is_a_change() {
        let mut w = Settling::new(1);
        assert!(w.look(1, true), "forced");
        assert!(!w.look(3, false));
        assert!(w.look(3, false));
        assert!(!w.look(1, false));
        assert!(
            w.look(1, false),
            "back to the first: differs from 3, acted on last"
        );
    }
}
