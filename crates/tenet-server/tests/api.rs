//! In-process tests: requests run against the router (`oneshot`), with
//! tokens of each scope, and the exact JSON bodies checked.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use support::*;
use tenet_server::Limits;
use tower::ServiceExt;

#[tokio::test]
async fn health_answers_without_a_token_and_names_the_version() {
    let f = fixture();
    let (status, body, headers) =
        send(&f, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    let version = body["policy_version"].as_str().unwrap();
    assert!(version.starts_with("sha256:"));
    assert_eq!(headers["tenet-policy-version"], version);
}

#[tokio::test]
async fn without_a_token_only_health_answers() {
    let f = fixture();
    for path in [
        "/v1/policies",
        "/metrics",
        "/openapi.json",
        "/v1/policies/lvyuan",
    ] {
        let (status, body, headers) =
            send(&f, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert_eq!(headers["www-authenticate"], "Bearer realm=\"tenet\"");
    }
    let (status, _, _) = send(
        &f,
        Request::post("/v1/check").body(Body::from("{}")).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_foreign_or_expired_token_is_401_and_a_missing_scope_403() {
    let f = fixture();
    let (status, body, _) = send(&f, get("/v1/policies", "tnt_0000")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        "the token is refused: unknown token"
    );
    let (status, body, _) = send(&f, post("/v1/check", &f.expired, "{}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        "the token is refused: token `old` expired on 2020-01-01"
    );
    let (status, body, _) = send(&f, post("/v1/check", &f.read, "{}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({"error": {"code": "forbidden", "message": "this token lacks the `check` scope"}})
    );
    let (status, _, _) = send(&f, post("/v1/admin/reload", &f.check, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn check_returns_the_fixed_report_shape_and_logs_every_decision() {
    let f = fixture();
    let req = json!({"policies": ["lvyuan"], "as_of": "2024-01-01", "rules": ["annual_hours"], "subjects": ["lv-t05"]});
    let (status, body, _) = send(&f, post("/v1/check", &f.check, req.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let reports = body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report["policy"], "lvyuan");
    assert_eq!(report["as_of"], "2024-01-01");
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["policy", "as_of", "results", "summary"]);
    let results = report["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|r| r["rule"] == "annual_hours" && r["subject"]["id"] == "lv-t05"));
    let fail = results
        .iter()
        .find(|r| r["status"] == "fail")
        .expect("lv-t05 misses a year");
    assert_eq!(fail["required"], "90");
    // Every decision is on disk when the response arrives.
    let lines = decisions(&f);
    assert_eq!(lines.len(), results.len());
    assert!(lines.iter().all(|l| l["request_id"] == body["request_id"]
        && l["caller"] == "records"
        && l["policy_version"] == body["policy_version"]
        && l["policy"] == "lvyuan"));
}

#[tokio::test]
async fn one_teacher_is_evaluated_from_the_servers_data_or_from_inline_records() {
    let f = fixture();
    let (status, body, _) = send(
        &f,
        post(
            "/v1/subjects/person/lv-t05/evaluate",
            &f.check,
            r#"{"as_of":"2024-01-01"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let held = body["results"].clone();
    assert!(held
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["rule"] == "annual_hours" && r["status"] == "fail"));
    // The same teacher's records sent inline give the same results.
    let rows = tenet_io::read_rows(&root().join("examples/lvyuan"), &Default::default()).unwrap();
    let path = f._dir.path().join("inline.json");
    tenet_io::write_json(&rows, &path).unwrap();
    let data: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let req = json!({"as_of": "2024-01-01", "data": data});
    let (status, body, _) = send(
        &f,
        post(
            "/v1/subjects/person/lv-t05/evaluate",
            &f.check,
            req.to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"], held);
}

#[tokio::test]
async fn unknown_names_are_404_with_a_suggestion() {
    let f = fixture();
    let (status, body, _) = send(
        &f,
        post("/v1/check", &f.check, r#"{"policies":["lvyuna"]}"#),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["help"], "did you mean `lvyuan`?");
    let (status, body, _) = send(
        &f,
        post("/v1/check", &f.check, r#"{"rules":["anual_hours"]}"#),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["help"], "did you mean `annual_hours`?");
    let (status, body, _) = send(
        &f,
        post("/v1/subjects/person/nobody/evaluate", &f.check, ""),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body, _) = send(
        &f,
        post("/v1/subjects/school/lv-t05/evaluate", &f.check, ""),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        "`lv-t05` is a person, not a school"
    );
    let (status, _, _) = send(&f, get("/v1/policies/nope", &f.read)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) = send(&f, get("/v2/anything", &f.read)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn malformed_json_and_wrong_types_say_where() {
    let f = fixture();
    let (status, body, _) = send(&f, post("/v1/check", &f.check, "{\"as_of\": ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_json");
    assert_eq!(body["error"]["line"], 1);
    let (status, body, _) = send(&f, post("/v1/check", &f.check, r#"{"as_of": 2024}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expected a formatted date string"),
        "{body}"
    );
    let (status, body, _) = send(&f, post("/v1/check", &f.check, r#"{"polices": []}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `polices`"),
        "{body}"
    );
    let req = Request::post("/v1/check")
        .header("authorization", format!("Bearer {}", f.check))
        .header("content-type", "text/csv")
        .body(Body::from("a,b"))
        .unwrap();
    let (status, _, _) = send(&f, req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = send(
        &f,
        Request::delete("/v1/policies")
            .header("authorization", format!("Bearer {}", f.read))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn bad_inline_data_is_422_naming_file_line_and_value() {
    let f = fixture();
    let data = json!({"districts": [{"id": "d", "name": "D"}], "schools": [], "people": [
        {"id": "p", "name": "P", "org": "d", "roles": "teacher", "hire_date": "2020-13-01"}]});
    let (status, body, _) = send(
        &f,
        post("/v1/check", &f.check, json!({"data": data}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "bad_data");
    let problem = &body["error"]["problems"][0];
    assert_eq!(problem["file"], "data.json");
    assert_eq!(problem["value"], "2020-13-01");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let f = fixture_with(
        Limits {
            body_bytes: 1 << 20,
            ..Limits::default()
        },
        root().join("policies"),
    );
    let big = vec![b' '; 4 << 20];
    let (status, body, _) = send(&f, post("/v1/check", &f.check, big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        body["error"]["message"],
        "the request body is larger than the limit of 1048576 bytes"
    );
}

#[tokio::test]
async fn zipped_csv_files_are_checked_like_the_directory() {
    let f = fixture();
    let dir = root().join("examples/lvyuan");
    let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| {
            (
                format!("lvyuan/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let q = "/v1/check?policies=lvyuan&as_of=2024-01-01&detail=brief";
    let (status, zipped, _) = send(&f, upload(q, &f.check, "application/zip", zip_of(&refs))).await;
    assert_eq!(status, StatusCode::OK, "{zipped}");
    let held = json!({"policies": ["lvyuan"], "as_of": "2024-01-01", "detail": "brief"});
    let (_, held, _) = send(&f, post("/v1/check", &f.check, held.to_string())).await;
    assert_eq!(zipped["reports"], held["reports"]);
}

#[tokio::test]
async fn a_zip_bomb_is_refused_by_what_it_inflates_to() {
    let f = fixture_with(
        Limits {
            unpacked_bytes: 1 << 20,
            ..Limits::default()
        },
        root().join("policies"),
    );
    let zeros = vec![0u8; 8 << 20]; // 8 MiB of zeros compress to a few KiB
    let bomb = zip_of(&[("people.csv", &zeros)]);
    assert!(bomb.len() < 64 << 10);
    let (status, body, _) = send(&f, upload("/v1/check", &f.check, "application/zip", bomb)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(
        body["error"]["message"],
        "the unpacked upload is larger than the limit of 1048576 bytes"
    );
    let (status, body, _) = send(
        &f,
        upload(
            "/v1/check",
            &f.check,
            "application/zip",
            b"PK not a zip".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "bad_upload");
}

#[tokio::test]
async fn lint_returns_diagnostics_with_line_and_column() {
    let f = fixture();
    let req = json!({"source": "policy p {\n  rule r { for person t require t.hire_dat > 1 }\n}"});
    let (status, body, _) = send(&f, post("/v1/lint", &f.read, req.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["ok"], false);
    let d = &body["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(35))
    );
    assert_eq!(d["help"], "did you mean `hire_date`?");
    // Imports resolve against the server's policy files.
    let req = json!({"source": "import \"common.policy\"\npolicy p { rule r { for person t require credited_hours(t) >= 1 h } }"});
    let (_, body, _) = send(&f, post("/v1/lint", &f.read, req.to_string())).await;
    assert_eq!(body["ok"], true, "{body}");
}

#[tokio::test]
async fn a_policy_lists_rules_cites_params_and_text() {
    let f = fixture();
    let (status, body, _) = send(&f, get("/v1/policies/lvyuan", &f.read)).await;
    assert_eq!(status, StatusCode::OK);
    let rule = body["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "annual_hours")
        .unwrap();
    assert_eq!(rule["cites"][0]["quote"], "每位教师每年不少于90学时");
    let param = body["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "annual_hours")
        .unwrap();
    assert_eq!(param["history"][0]["value"], "90");
    assert!(body["text"].as_str().unwrap().contains("rule annual_hours"));
}

#[tokio::test]
async fn a_reload_that_does_not_check_keeps_the_old_version() {
    let (f, dir, before) = editable();
    add_broken_policy(dir.path());
    assert!(f.state.reload().is_err());
    let (status, body, _) = send(&f, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["policy_version"], before.as_str());
    let diag = &body["reload_error"]["diagnostics"][0];
    assert_eq!(diag["file"], "broken.policy");
    assert_eq!(diag["line"], 1);
    // A good edit takes effect and clears the error.
    std::fs::remove_file(dir.path().join("broken.policy")).unwrap();
    std::fs::write(
        dir.path().join("extra.policy"),
        "policy extra { rule r { for school s require true } }",
    )
    .unwrap();
    assert!(f.state.reload().unwrap());
    let (_, body, _) = send(&f, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_ne!(body["policy_version"], before.as_str());
    assert!(body["reload_error"].is_null());
    assert_eq!(body["policies"], 7);
}

#[tokio::test]
async fn metrics_count_requests_and_decisions() {
    let f = fixture();
    send(
        &f,
        post(
            "/v1/subjects/person/lv-t05/evaluate",
            &f.check,
            r#"{"as_of":"2024-01-01"}"#,
        ),
    )
    .await;
    let response = tenet_server::router(f.state.clone())
        .oneshot(get("/metrics", &f.read))
        .await
        .unwrap();
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        text.contains(
            "tenet_requests_total{route=\"/v1/subjects/{kind}/{id}/evaluate\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("tenet_decisions_total{status=\"fail\"}"));
    assert!(text.contains(&format!(
        "tenet_policy_info{{version=\"{}\"}} 1",
        f.state.live().bundle.version
    )));
}

#[tokio::test]
async fn the_openapi_document_is_made_from_the_routes() {
    let f = fixture();
    let (status, body, _) = send(&f, get("/openapi.json", &f.read)).await;
    assert_eq!(status, StatusCode::OK);
    insta::assert_json_snapshot!("openapi", body);
}
