//! The real `tenet serve` as a child process on a loopback port, and raw
//! HTTP/1.1 requests to it: what the tests of the binary's server share.
#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn tenet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tenet"))
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// What it wrote on stderr after the first line (read all along, so
    /// its writes never fail on a closed pipe).
    pub stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Whether the server writes `text` on stderr within 10 s: its stderr
    /// is read on another thread, so a line written before a response may
    /// arrive after it.
    pub fn says(&self, text: &str) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(10) {
            if self.stderr.lock().unwrap().contains(text) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }

    /// Sends a signal by name (`HUP`, `KILL`) with kill(1).
    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }
}

/// Starts the server over the repository's policies and example data on a
/// free loopback port (port 0; the address is read from its first line on
/// stderr).
pub fn start(extra: &[&str]) -> Server {
    start_with(&root().join("policies"), extra)
}

/// [`start`] over another policy directory.
pub fn start_with(policies: &Path, extra: &[&str]) -> Server {
    start_with_data(policies, root().join("examples/lvyuan").as_os_str(), extra)
}

/// [`start_with`] over another dataset (a path or a database address).
pub fn start_with_data(policies: &Path, data: &std::ffi::OsStr, extra: &[&str]) -> Server {
    let mut child = tenet()
        .args(["serve", "--policies"])
        .arg(policies)
        .arg("--data")
        .arg(data)
        .args(["--addr", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    std::thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    Server {
        child,
        addr,
        stderr,
    }
}

pub fn request(addr: &str, raw: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

pub fn post(addr: &str, token: &str, path: &str, body: &str) -> String {
    request(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// The JSON body of a raw response.
pub fn body(response: &str) -> serde_json::Value {
    serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

/// `tenet token add --name ci`: the token it printed.
pub fn add_token(file: &Path, scopes: &str) -> String {
    add_named_token(file, "ci", scopes)
}

pub fn add_named_token(file: &Path, name: &str, scopes: &str) -> String {
    let out = tenet()
        .args(["token", "add", "--name", name, "--scopes", scopes, "--file"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.starts_with("tnt_"));
    assert!(
        !std::fs::read_to_string(file).unwrap().contains(&token),
        "only the hash is stored"
    );
    token
}
