//! Bearer tokens: a file of JSON lines, one per token, holding its name,
//! scopes, optional expiry and the SHA-256 of the token — never the token.
//! A presented token is hashed and compared with every stored hash in
//! constant time.
//!
//! ```text
//! {"name":"records-system","scopes":["read","check"],"sha256":"9f…","expires":"2027-06-30"}
//! ```

use crate::bundle::hex;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::Path;
use subtle::ConstantTimeEq;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// List and read policies, lint, metrics, the OpenAPI document.
    Read,
    /// Evaluate: check, evaluate one subject, explain.
    Check,
    /// Reload the policy bundle.
    Admin,
}

impl Scope {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Check => "check",
            Scope::Admin => "admin",
        }
    }

    /// Parses `read`, `check` or `admin`.
    ///
    /// ```
    /// use tenet_server::auth::Scope;
    /// assert_eq!(Scope::parse(" check"), Some(Scope::Check));
    /// assert_eq!(Scope::parse("write"), None);
    /// assert_eq!(Scope::Admin.as_str(), "admin");
    /// ```
    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "read" => Some(Scope::Read),
            "check" => Some(Scope::Check),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// One stored token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenEntry {
    /// Who holds it (written to the decision log as the caller).
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// Hex SHA-256 of the token.
    pub sha256: String,
    /// The last day it is valid, if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name (`anonymous` when the server runs without tokens).
    pub name: String,
    /// Its scopes.
    pub scopes: Vec<Scope>,
}

/// The tokens a server accepts.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    entries: Vec<([u8; 32], TokenEntry)>,
}

/// Why a token was refused, or a tokens file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No such token.
    #[error("unknown token")]
    Unknown,
    /// The token expired.
    #[error("token `{name}` expired on {expires}")]
    Expired {
        /// Its name.
        name: String,
        /// Its last valid day.
        expires: NaiveDate,
    },
    /// A line of the tokens file is not a token entry.
    #[error("{file}:{line}: {message}")]
    BadFile {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read or written.
    #[error("cannot access `{file}`: {message}")]
    Io {
        /// The file.
        file: String,
        /// What failed.
        message: String,
    },
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Tokens {
    /// Reads a tokens file; every bad line is an error naming it.
    pub fn load(path: &Path) -> Result<Tokens, TokenError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| TokenError::Io {
            file: file.clone(),
            message: e.to_string(),
        })?;
        Tokens::parse(&file, &text)
    }

    /// Parses the text of a tokens file (`#` lines and blank lines are
    /// skipped).
    ///
    /// ```
    /// use tenet_server::auth::{Scope, Tokens};
    /// let line = format!(
    ///     r#"{{"name":"records","scopes":["read","check"],"sha256":"{}"}}"#,
    ///     "ab".repeat(32)
    /// );
    /// let tokens = Tokens::parse("tokens", &format!("# the records system\n{line}\n")).unwrap();
    /// assert_eq!(tokens.len(), 1);
    /// let bad = Tokens::parse("tokens", "\n{\"name\":\"x\"}").unwrap_err();
    /// assert!(bad.to_string().starts_with("tokens:2: missing field"));
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    /// assert!(tokens.authenticate("tnt_wrong", day).is_err());
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Tokens, TokenError> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let bad = |message: String| TokenError::BadFile {
                file: file.to_string(),
                line: i + 1,
                message,
            };
            let entry: TokenEntry = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            let hash = unhex(&entry.sha256)
                .ok_or_else(|| bad("`sha256` is not 64 hex digits".to_string()))?;
            entries.push((hash, entry));
        }
        Ok(Tokens { entries })
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The caller a token belongs to, as of `today`. Every stored hash is
    /// compared, in constant time, whatever matches.
    pub fn authenticate(&self, token: &str, today: NaiveDate) -> Result<Caller, TokenError> {
        let presented = digest(token);
        let mut found: Option<&TokenEntry> = None;
        for (hash, entry) in &self.entries {
            if bool::from(hash.ct_eq(&presented)) {
                found = Some(entry);
            }
        }
        let entry = found.ok_or(TokenError::Unknown)?;
        if let Some(expires) = entry.expires {
            if today > expires {
                return Err(TokenError::Expired {
                    name: entry.name.clone(),
                    expires,
                });
            }
        }
        Ok(Caller {
            name: entry.name.clone(),
            scopes: entry.scopes.clone(),
        })
    }
}

/// The tokens file a server reads: loaded at start and again on
/// `POST /v1/admin/reload`, SIGHUP, or when the watcher sees it change, so a
/// revoked token (its line deleted) stops working without a restart. A file
/// that no longer parses is refused and the tokens read before keep serving.
#[derive(Debug)]
pub struct TokenFile {
    path: std::path::PathBuf,
    current: std::sync::RwLock<std::sync::Arc<Tokens>>,
}

impl TokenFile {
    /// Reads the file.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use tenet_server::auth::{add_token, Scope, TokenFile, TokenError};
    /// let path = dir.path().join("tokens");
    /// let token = add_token(&path, "records", &[Scope::Check], None).unwrap();
    /// let file = TokenFile::open(&path).unwrap();
    /// let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    /// assert_eq!(file.authenticate(&token, today).unwrap().name, "records");
    ///
    /// std::fs::write(&path, "").unwrap(); // revoke every token
    /// assert_eq!(file.reload().unwrap(), 0);
    /// assert_eq!(file.authenticate(&token, today).unwrap_err(), TokenError::Unknown);
    /// ```
    pub fn open(path: &Path) -> Result<TokenFile, TokenError> {
        Ok(TokenFile {
            path: path.to_path_buf(),
            current: std::sync::RwLock::new(std::sync::Arc::new(Tokens::load(path)?)),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens read last.
    pub fn tokens(&self) -> std::sync::Arc<Tokens> {
        match self.current.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the file again and serves what it holds; on an error the
    /// tokens read before stay. Returns how many tokens it holds.
    pub fn reload(&self) -> Result<usize, TokenError> {
        let tokens = std::sync::Arc::new(Tokens::load(&self.path)?);
        let n = tokens.len();
        match self.current.write() {
            Ok(mut c) => *c = tokens,
            Err(poisoned) => *poisoned.into_inner() = tokens,
        }
        Ok(n)
    }

    /// [`Tokens::authenticate`] against the tokens read last.
    pub fn authenticate(&self, token: &str, today: NaiveDate) -> Result<Caller, TokenError> {
        self.tokens().authenticate(token, today)
    }
}

/// Makes a new token for `name` with `scopes`, appends its hash to
/// `path` (created if missing) and returns the token, which is shown once
/// and stored nowhere.
pub fn add_token(
    path: &Path,
    name: &str,
    scopes: &[Scope],
    expires: Option<NaiveDate>,
) -> Result<String, TokenError> {
    let file = path.display().to_string();
    let io = |e: &dyn std::fmt::Display| TokenError::Io {
        file: file.clone(),
        message: e.to_string(),
    };
    if path.exists() {
        // Never append to a file the server would refuse.
        Tokens::load(path)?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| io(&e))?;
    let token = format!("tnt_{}", hex(&bytes));
    let entry = TokenEntry {
        name: name.to_string(),
        scopes: scopes.to_vec(),
        sha256: hex(&digest(&token)),
        expires,
    };
    let line = serde_json::to_string(&entry).map_err(|e| io(&e))?;
    let mut f = open_private(path).map_err(|e| io(&e))?;
    writeln!(f, "{line}").map_err(|e| io(&e))?;
    f.sync_all().map_err(|e| io(&e))?;
    Ok(token)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_stored_hashed_and_found_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        let token = add_token(&path, "records", &[Scope::Read, Scope::Check], None).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&token), "the raw token is never written");
        let tokens = Tokens::load(&path).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let caller = tokens.authenticate(&token, day).unwrap();
        assert_eq!(caller.name, "records");
        assert_eq!(caller.scopes, [Scope::Read, Scope::Check]);
        assert_eq!(
            tokens.authenticate("tnt_other", day).unwrap_err(),
            TokenError::Unknown
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        let last = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let token = add_token(&path, "old", &[Scope::Read], Some(last)).unwrap();
        let tokens = Tokens::load(&path).unwrap();
        assert!(tokens.authenticate(&token, last).is_ok());
        let err = tokens
            .authenticate(&token, last.succ_opt().unwrap())
            .unwrap_err();
        assert_eq!(err.to_string(), "token `old` expired on 2025-12-31");
    }

    #[test]
    fn a_bad_line_names_file_and_line() {
        let err = Tokens::parse(
            "t",
            "\n{\"name\":\"a\",\"scopes\":[\"read\"],\"sha256\":\"zz\"}",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "t:2: `sha256` is not 64 hex digits");
    }
}
