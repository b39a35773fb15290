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
    #[error("{0}")]
    Policies(String),
    /// The dataset does not load.
    #[error("error: {0}")]
    Data(String),
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

/// Loads everything and makes the state (no socket yet).
pub fn prepare(config: &Config, html: Option<HtmlRenderer>) -> Result<Arc<AppState>, StartError> {
    if config.tokens.is_none() && !config.addr.ip().is_loopback() {
        return Err(StartError::Open(config.addr));
    }
    let bundle =
        crate::bundle::load_dir(&config.policies).map_err(|e| StartError::Policies(e.rendered))?;
    let data = match &config.data {
        None => None,
        Some(path) => Some(
            tenet_io::load(path, &tenet_io::LoadOptions::default())
                .map_err(|e| StartError::Data(e.to_string()))?
                .dataset,
        ),
    };
    let tokens = config.tokens.as_deref().map(TokenFile::open).transpose()?;
    let log = config
        .log
        .as_deref()
        .map(|d| DecisionLog::open(d, config.log_max_bytes))
        .transpose()?;
    Ok(Arc::new(AppState::new(
        config.policies.clone(),
        bundle,
        data,
        tokens,
        log,
        config.limits,
        html,
    )))
}

/// The size and modification time of the tokens file, to see it change.
fn tokens_stamp(state: &AppState) -> Option<(u64, Option<std::time::SystemTime>)> {
    let meta = std::fs::metadata(state.tokens.as_ref()?.path()).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// Watches the policy directory and the tokens file and reloads what
/// changed; SIGHUP reloads both.
pub fn watch(state: Arc<AppState>, every: Duration) {
    tokio::spawn(async move {
        let dir = state.policies_dir.clone();
        let mut seen = crate::bundle::fingerprint(&dir);
        let mut seen_tokens = tokens_stamp(&state);
        let mut tick = tokio::time::interval(every);
        let mut hangup = hangup();
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => false,
                () = next_hangup(&mut hangup) => true,
            };
            let now = crate::bundle::fingerprint(&dir);
            let now_tokens = tokens_stamp(&state);
            let policies = forced || now != seen;
            let tokens = forced || now_tokens != seen_tokens;
            seen = now;
            seen_tokens = now_tokens;
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
