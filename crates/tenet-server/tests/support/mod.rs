//! What the in-process tests share: a server state over the repository's
//! policies and example data with tokens of each scope and a decision log
//! in a temporary directory, and requests against its router.
#![allow(dead_code)] // each test file uses a part

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tenet_server::auth::{add_token, Scope};
use tenet_server::{AppState, Config, Limits};
use tower::ServiceExt;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub struct Fixture {
    pub state: Arc<AppState>,
    pub check: String,
    pub read: String,
    pub expired: String,
    pub admin: String,
    pub tokens: PathBuf,
    pub _dir: tempfile::TempDir,
}

pub fn fixture_with(limits: Limits, policies: PathBuf) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let check = add_token(&tokens, "records", &[Scope::Read, Scope::Check], None).unwrap();
    let read = add_token(&tokens, "viewer", &[Scope::Read], None).unwrap();
    let expired = add_token(&tokens, "old", &[Scope::Check], "2020-01-01".parse().ok()).unwrap();
    let admin = add_token(&tokens, "operator", &[Scope::Admin], None).unwrap();
    let config = Config {
        policies,
        data: Some(root().join("examples/lvyuan")),
        addr: "127.0.0.1:0".parse().unwrap(),
        tokens: Some(tokens.clone()),
        log: Some(dir.path().join("log")),
        log_max_bytes: 1 << 20,
        poll: Duration::from_secs(3600),
        limits,
    };
    let state = tenet_server::serve::prepare(&config, None).unwrap();
    Fixture {
        state,
        check,
        read,
        expired,
        admin,
        tokens,
        _dir: dir,
    }
}

pub fn fixture() -> Fixture {
    fixture_with(Limits::default(), root().join("policies"))
}

pub async fn send(f: &Fixture, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let response = tenet_server::router(f.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, body, headers)
}

pub fn post(path: &str, token: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

pub fn get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    buf.into_inner()
}

pub fn upload(path: &str, token: &str, media: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", media)
        .body(Body::from(bytes))
        .unwrap()
}

/// A copy of the repository's policy files in a directory of their own, to edit.
pub fn policy_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "policy") {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// The decision log's lines, parsed.
pub fn decisions(f: &Fixture) -> Vec<Value> {
    std::fs::read_to_string(f._dir.path().join("log/decisions.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A fixture serving a copy of the policies (to edit), with the version it
/// started with.
pub fn editable() -> (Fixture, tempfile::TempDir, String) {
    let dir = policy_copy();
    let f = fixture_with(Limits::default(), dir.path().to_path_buf());
    let version = f.state.live().bundle.version.clone();
    (f, dir, version)
}

/// Adds a policy file that does not check (`t.nope`, line 1).
pub fn add_broken_policy(dir: &Path) {
    std::fs::write(
        dir.join("broken.policy"),
        "policy broken { rule r { for person t require t.nope } }",
    )
    .unwrap();
}
