//! `tenet serve` as a real process on a loopback port: durability of the
//! decision log under SIGKILL, a slow client, tokens made by `tenet token`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod server;

use server::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn a_decision_answered_is_on_disk_after_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let token = add_token(&tokens, "read,check");
    let log = dir.path().join("log");
    let mut server = start(&[
        "--tokens",
        tokens.to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ]);
    let response = post(
        &server.addr,
        &token,
        "/v1/subjects/person/lv-t05/evaluate",
        r#"{"as_of":"2024-01-01"}"#,
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = body(&response);
    let id = body["request_id"].as_str().unwrap().to_string();
    let answered = body["results"].as_array().unwrap().len();
    // SIGKILL: no flush, no destructor; only what was synced survives.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let text = std::fs::read_to_string(log.join("decisions.jsonl")).unwrap();
    let mine: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["request_id"] == id.as_str())
        .collect();
    assert_eq!(mine.len(), answered);
    assert!(mine
        .iter()
        .all(|l| l["caller"] == "ci" && l["subject"]["id"] == "lv-t05"));
}

#[test]
fn a_slow_client_gets_408_and_others_are_served() {
    let server = start(&["--timeout", "1"]);
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{").unwrap();
    // Meanwhile a normal request is answered.
    let ok = request(
        &server.addr,
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut out = vec![0u8; 4096];
    let n = slow.read(&mut out).unwrap();
    let out = String::from_utf8_lossy(&out[..n]);
    assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    assert!(out.contains(r#""code":"timeout""#), "{out}");
}

#[test]
fn without_tokens_it_serves_only_loopback() {
    let out = tenet()
        .args(["serve", "--policies"])
        .arg(root().join("policies"))
        .args(["--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to serve `0.0.0.0:0` without `--tokens`"),
        "{err}"
    );
}

#[test]
fn policies_that_do_not_check_stop_the_start_with_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.policy"),
        "policy bad { rule r { for person t require t.nope } }",
    )
    .unwrap();
    let out = tenet()
        .args(["serve", "--policies"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.policy:1:"), "{err}");
}
