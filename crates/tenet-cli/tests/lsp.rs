//! `tenet lsp` end to end: a scripted client speaks JSON-RPC with
//! Content-Length framing to the real binary over stdio, on the shipped
//! 绿园 policy in Chinese keywords and a generated dataset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// Long enough for a loaded debug build; a hang fails instead of blocking.
const WAIT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications that arrived while waiting for a response.
    notes: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tenet"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            notes: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.incoming.recv_timeout(WAIT).expect("a response");
            if m.get("id") == Some(&json!(id)) && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            if m.get("id").is_some() && m.get("method").is_some() {
                // A request from the server (workspace/codeLens/refresh …).
                let rid = m["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": rid, "result": null}));
            } else {
                self.notes.push(m);
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` with document `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        };
        if let Some(i) = self.notes.iter().position(matches) {
            return self.notes.remove(i)["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .clone();
        }
        loop {
            let m = self.incoming.recv_timeout(WAIT).expect("diagnostics");
            if matches(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn finish(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child.kill().ok();
        panic!("`tenet lsp` did not exit after `exit`");
    }
}

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .unwrap()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `(line, character)` of byte `offset`, counting UTF-16 units or bytes.
fn position(text: &str, offset: usize, utf16: bool) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = &before[start..];
    let character = if utf16 {
        col.encode_utf16().count()
    } else {
        col.len()
    };
    (line, character as u64)
}

fn at(text: &str, offset: usize, utf16: bool) -> Value {
    let (line, character) = position(text, offset, utf16);
    json!({"line": line, "character": character})
}

struct Workspace {
    dir: tempfile::TempDir,
    policy: PathBuf,
    text: String,
}

/// The Chinese 绿园 policy and its import in a temporary directory, with
/// a misspelt param in the first rule, and a generated dataset.
fn workspace() -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let zh = root().join("policies/zh");
    std::fs::copy(zh.join("common.policy"), dir.path().join("common.policy")).unwrap();
    let text = std::fs::read_to_string(zh.join("lvyuan.policy"))
        .unwrap()
        .replacen("不少于 annual_hours", "不少于 annual_hourz", 1);
    let policy = dir.path().join("lvyuan.policy");
    std::fs::write(&policy, &text).unwrap();
    let rows = tenet_io::gen::generate(&tenet_io::gen::GenConfig {
        teachers: 40,
        years: 2,
        seed: 7,
        start_year: 2021,
    });
    tenet_io::write_json(&rows, &dir.path().join("data.json")).unwrap();
    Workspace { dir, policy, text }
}

fn initialize(client: &mut Client, ws: &Workspace, encodings: &[&str], locale: &str) -> Value {
    let result = client.request(
        "initialize",
        json!({
            "processId": null,
            "locale": locale,
            "rootUri": uri(ws.dir.path()),
            "capabilities": {"general": {"positionEncodings": encodings}},
            "initializationOptions": {"tenet": {"dataset": "data.json", "asOf": "2022-06-30"}},
        }),
    );
    client.notify("initialized", json!({}));
    result
}

#[test]
fn a_session_in_chinese_keywords_over_utf16() {
    let ws = workspace();
    let text = ws.text.clone();
    let doc = uri(&ws.policy);
    let mut client = Client::start();
    let init = initialize(&mut client, &ws, &["utf-16"], "zh-cn");
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");

    // didOpen: the misspelt param is diagnosed where it is, in UTF-16
    // units, after the Chinese on its line.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "tenet", "version": 1, "text": text}}),
    );
    let diags = client.diagnostics(&doc, 1);
    let bad = text.find("annual_hourz").unwrap();
    let d = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("annual_hourz"))
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d["range"]["start"], at(&text, bad, true));
    assert_eq!(
        d["range"]["end"],
        at(&text, bad + "annual_hourz".len(), true)
    );
    assert_eq!(d["severity"], 1);
    // The client's locale is Chinese: so is the message.
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("未知的名称 `annual_hourz`"),
        "{d}"
    );

    // didChange: fixed, the diagnostics clear.
    let fixed = text.replacen("annual_hourz", "annual_hours", 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics(&doc, 2), Vec::<Value>::new());

    // Hover on the param: its value.
    let use_at = fixed.find("不少于 annual_hours").unwrap() + "不少于 ".len() + 3;
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": at(&fixed, use_at, true)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("annual_hours") && shown.contains("90 学时"),
        "{shown}"
    );
    // The client's locale is Chinese: so is the hover's text.
    assert!(
        shown.starts_with("**参数** `annual_hours`") && shown.contains("| 值 | 起始日期 |"),
        "{shown}"
    );

    // Hover on a field: its type and meaning, in Chinese.
    let field_at = fixed.find("t.hire_date").unwrap() + 3;
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": at(&fixed, field_at, true)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with("**字段** `hire_date`")
            && shown.contains("教师：日期 — 参加教育工作的日期（可能缺失）"),
        "{shown}"
    );

    // Completion after `t.`: the person's fields.
    let dot = fixed.find("t.hire_date").unwrap() + 2;
    let items = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": doc}, "position": at(&fixed, dot, true)}),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"hire_date") && labels.contains(&"birth_date"),
        "{labels:?}"
    );
    assert!(!labels.contains(&"scheduled_hours"), "{labels:?}");
    // Each item's detail is in the client's language.
    let detail = |label: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["label"] == label)
            .and_then(|i| i["detail"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(detail("birth_date"), "日期 — 出生日期（可能缺失）");
    assert_eq!(detail("org"), "学校或区 — 所属的学校或区");

    // Definition of 认定学时: the credit block in the imported file.
    let credited = fixed.find("认定学时(t)").unwrap() + 3;
    let def = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": doc}, "position": at(&fixed, credited, true)}),
    );
    assert_eq!(def["uri"], uri(&ws.dir.path().join("common.policy")));
    let common = std::fs::read_to_string(ws.dir.path().join("common.policy")).unwrap();
    let credit = common.find("attendance_credit").unwrap();
    assert_eq!(def["range"]["start"], at(&common, credit, true));

    // Formatting keeps the Chinese surface: a mangled layout comes back
    // as the shipped file.
    let mangled = fixed.replace("\n  规则 ", "\n规则    ");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 3}, "contentChanges": [{"text": mangled}]}),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": doc}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"].as_str().unwrap(), fixed);
    assert_eq!(edits[0]["range"]["end"], at(&mangled, mangled.len(), true));
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc, "version": 4}, "contentChanges": [{"text": fixed}]}),
    );

    // Symbols: every rule and param.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc}}),
    );
    let children: Vec<&str> = symbols[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(children.contains(&"annual_hours") && children.contains(&"new_teacher_hours"));
    assert!(children.contains(&"school_training_funds"));

    // Code lenses: each rule's counts on the dataset, as `tenet` computes them.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": doc}}),
    );
    let lenses = lenses.as_array().unwrap();
    std::fs::write(&ws.policy, &fixed).unwrap();
    let set = tenet::PolicySet::load(&[ws.policy.to_str().unwrap()], |n| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    })
    .unwrap();
    let data = tenet_io::load(&ws.dir.path().join("data.json"), &Default::default())
        .unwrap()
        .dataset;
    let report = &set.evaluate(&data, chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap())[0];
    let rules = &set.policies()[0].rules;
    assert_eq!(lenses.len(), rules.len());
    let first = &rules[0].id;
    let pass = report
        .results
        .iter()
        .filter(|r| &r.rule == first && r.status == tenet::report::Status::Pass)
        .count();
    let fail = report
        .results
        .iter()
        .filter(|r| &r.rule == first && r.status == tenet::report::Status::Fail)
        .count();
    assert!(pass + fail > 0);
    let title = lenses[0]["command"]["title"].as_str().unwrap();
    let want_pass = format!("通过 {pass}");
    let want_fail = format!("未通过 {fail}");
    assert!(pass == 0 || title.contains(&want_pass), "{title}");
    assert!(fail == 0 || title.contains(&want_fail), "{title}");
    let rule_at = fixed.find(&format!("规则 {first}")).unwrap() + "规则 ".len();
    assert_eq!(lenses[0]["range"]["start"], at(&fixed, rule_at, true));

    client.finish();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let ws = workspace();
    let doc = uri(&ws.policy);
    let mut client = Client::start();
    let init = initialize(&mut client, &ws, &["utf-16", "utf-8"], "en");
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": doc, "languageId": "tenet", "version": 1, "text": ws.text}}),
    );
    let diags = client.diagnostics(&doc, 1);
    let bad = ws.text.find("annual_hourz").unwrap();
    let d = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("annual_hourz"))
        .unwrap();
    assert!(
        d["message"].as_str().unwrap().starts_with("unknown name"),
        "{d}"
    );
    assert_eq!(d["range"]["start"], at(&ws.text, bad, false));
    assert_ne!(at(&ws.text, bad, false), at(&ws.text, bad, true));
    // A hover asked in bytes lands on the same name.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc}, "position": at(&ws.text, text_offset(&ws.text, "new_teacher_hours\n"), false)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("120 学时"), "{shown}");
    // The client's locale is English: so is the hover's text, whatever
    // the surface of the file.
    assert!(
        shown.starts_with("**param** `new_teacher_hours`"),
        "{shown}"
    );
    client.finish();
}

fn text_offset(text: &str, needle: &str) -> usize {
    text.rfind(needle).unwrap() + 2
}
