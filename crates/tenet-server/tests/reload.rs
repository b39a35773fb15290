//! Reloading in-process: the tokens file and the policy directory read
//! again on `POST /v1/admin/reload`, and what a refused reload says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::*;

const ONE: &str = "/v1/subjects/person/lv-t05/evaluate";

#[tokio::test]
async fn a_revoked_token_stops_working_after_a_reload() {
    let f = fixture();
    let (status, _, _) = send(&f, post(ONE, &f.check, "")).await;
    assert_eq!(status, StatusCode::OK);
    // Revoke `records`: delete its line.
    let text = std::fs::read_to_string(&f.tokens).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains("\"records\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(kept.lines().count(), 3);
    std::fs::write(&f.tokens, kept).unwrap();
    // Until the reload the token still works; after it, it does not.
    let (status, _, _) = send(&f, post(ONE, &f.check, "")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body, _) = send(&f, post("/v1/admin/reload", &f.admin, "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tokens"], 3);
    assert_eq!(body["changed"], false);
    let (status, body, _) = send(&f, post(ONE, &f.check, "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        "the token is refused: unknown token"
    );
    // The others go on working.
    let (status, _, _) = send(&f, get("/v1/policies", &f.read)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_tokens_file_that_does_not_read_is_refused_and_the_old_tokens_stay() {
    let f = fixture();
    let mut text = std::fs::read_to_string(&f.tokens).unwrap();
    text.push_str("{\"name\": \"half\"\n");
    std::fs::write(&f.tokens, text).unwrap();
    let (status, body, _) = send(&f, post("/v1/admin/reload", &f.admin, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "bad_tokens");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the tokens file is refused and the tokens read before stay: ")
            && message.contains("tokens:5: "),
        "{message}"
    );
    let (status, _, _) = send(&f, post(ONE, &f.check, "")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_reload_of_a_directory_with_no_policies_says_why() {
    let (f, dir, serving) = editable();
    for e in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let (status, body, _) = send(&f, post("/v1/admin/reload", &f.admin, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "bad_policy");
    assert_eq!(
        body["error"]["message"],
        format!(
            "the reload is refused and {serving} goes on serving: no `.policy` files in `{}`",
            dir.path().display()
        )
    );
    assert!(body["error"]["help"]
        .as_str()
        .unwrap()
        .contains("must exist and hold `.policy` files"));
    assert!(body["error"].get("diagnostics").is_none());
    let (status, body, _) = send(&f, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["policy_version"], serving.as_str());
}

#[tokio::test]
async fn a_refused_reload_counts_the_errors_and_lists_them() {
    let (f, dir, serving) = editable();
    add_broken_policy(dir.path());
    let (status, body, _) = send(&f, post("/v1/admin/reload", &f.admin, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["message"],
        format!("the reload is refused and {serving} goes on serving: 1 error(s) in the policies")
    );
    assert_eq!(body["error"]["diagnostics"][0]["file"], "broken.policy");
}

#[tokio::test]
async fn after_a_reload_header_body_and_decision_log_name_the_new_version() {
    let (f, dir, before) = editable();
    let path = dir.path().join("lvyuan.policy");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("param annual_hours = 90 h", "param annual_hours = 30 h"),
    )
    .unwrap();
    let (status, body, headers) = send(&f, post("/v1/admin/reload", &f.admin, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["changed"], true);
    let after = body["policy_version"].as_str().unwrap().to_string();
    assert_ne!(after, before);
    assert_eq!(headers["tenet-policy-version"], after.as_str());
    let (_, body, headers) = send(&f, post(ONE, &f.check, r#"{"as_of":"2024-01-01"}"#)).await;
    assert_eq!(body["policy_version"], after.as_str());
    assert_eq!(headers["tenet-policy-version"], after.as_str());
    // At 30 h a year lv-t05 no longer fails annual_hours.
    assert!(body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"] == "annual_hours")
        .all(|r| r["status"] != "fail"));
    let lines = decisions(&f);
    assert!(!lines.is_empty());
    assert!(lines
        .iter()
        .all(|l| l["policy_version"] == after.as_str() && l["request_id"] == body["request_id"]));
}
