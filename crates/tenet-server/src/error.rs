//! One error enum for the whole API, each variant mapped to a status and a
//! JSON body `{"error": {"code", "message", ...details}}`.
//!
//! Bad input is always a 4xx with a body that says what was wrong; a 5xx
//! means the server itself failed (a decision log that cannot be written,
//! a task that died), never the caller's data.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tenet::diagnostic::Diagnostic;
use tenet_io::Problem;
use utoipa::ToSchema;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization: Bearer …` header, or a token the server does not know.
    #[error("{0}")]
    Unauthorized(String),
    /// A known token without the scope the route needs.
    #[error("this token lacks the `{needed}` scope")]
    Forbidden {
        /// The scope the route needs.
        needed: &'static str,
    },
    /// The body is not valid JSON, or not the shape the route takes.
    #[error("{message}")]
    BadJson {
        /// What serde said.
        message: String,
        /// 1-based line in the body, when known.
        line: Option<usize>,
        /// 1-based column in the body, when known.
        column: Option<usize>,
    },
    /// A parameter has a bad value.
    #[error("{0}")]
    BadRequest(String),
    /// A body or upload larger than the limit.
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// The limit in bytes.
        limit: u64,
    },
    /// A content type the route does not take.
    #[error("unsupported content type `{0}`; send application/json, application/zip (zipped CSV files) or an .xlsx workbook")]
    UnsupportedMedia(String),
    /// No such policy, rule, subject or route.
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
        /// A suggestion.
        help: Option<String>,
    },
    /// The data has problems (file, line, column and value of each).
    #[error("{} problem(s) in the dataset", .0.len())]
    Data(Vec<Problem>),
    /// The uploaded archive or workbook could not be read.
    #[error("{0}")]
    Upload(String),
    /// Policy text that does not check (for `/v1/lint` this is a 200).
    #[error("{} error(s) in the policies", .0.iter().filter(|d| d.level == tenet::diagnostic::Level::Error).count())]
    Policy(Vec<Diagnostic>),
    /// A reload was refused; the version serving goes on serving.
    #[error("{}", reload_message(.serving, .error))]
    Reload {
        /// The version still serving.
        serving: String,
        /// Why the directory gave no bundle.
        error: crate::bundle::BundleError,
    },
    /// The tokens file no longer reads; the tokens read before stay.
    #[error("the tokens file is refused and the tokens read before stay: {0}")]
    Tokens(crate::auth::TokenError),
    /// The route needs a dataset and the server holds none.
    #[error("the server holds no dataset; send one inline (`data`), as an .xlsx workbook or as zipped CSV files")]
    NoData,
    /// The method is not served on this path.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request took longer than the limit.
    #[error("the request took longer than {0} s")]
    Timeout(u64),
    /// Too many requests at once.
    #[error("the server is busy ({0} requests running); retry shortly")]
    Busy(usize),
    /// No policies are loaded.
    #[error("no policies are loaded")]
    NotReady,
    /// The decision log could not be written; no verdict is given.
    #[error("the decision log cannot be written: {0}")]
    DecisionLog(String),
    /// The server failed (a bug: reported, never the caller's fault).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong, as data.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `unauthorized`, `forbidden`, `bad_json`, `bad_request`,
    /// `too_large`, `unsupported_media_type`, `not_found`, `bad_data`,
    /// `bad_upload`, `bad_policy`, `bad_tokens`, `no_data`, `method_not_allowed`,
    /// `timeout`, `busy`, `not_ready`, `decision_log`, `internal`.
    pub code: &'static str,
    /// One line for a person.
    pub message: String,
    /// A suggestion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Line in the request body (bad JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column in the request body (bad JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Data problems: file, sheet, line, column, field, value and reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<Problem>,
    /// Policy diagnostics with file, line and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: Vec<Diagnostic>,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Forbidden { .. } => StatusCode::FORBIDDEN,
            BadJson { .. } | BadRequest(_) => StatusCode::BAD_REQUEST,
            TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            NotFound { .. } => StatusCode::NOT_FOUND,
            Data(_) | Upload(_) | Policy(_) | Reload { .. } | Tokens(_) | NoData => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Busy(_) | NotReady | DecisionLog(_) => StatusCode::SERVICE_UNAVAILABLE,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Unauthorized(_) => "unauthorized",
            Forbidden { .. } => "forbidden",
            BadJson { .. } => "bad_json",
            BadRequest(_) => "bad_request",
            TooLarge { .. } => "too_large",
            UnsupportedMedia(_) => "unsupported_media_type",
            NotFound { .. } => "not_found",
            Data(_) => "bad_data",
            Upload(_) => "bad_upload",
            Policy(_) | Reload { .. } => "bad_policy",
            Tokens(_) => "bad_tokens",
            NoData => "no_data",
            MethodNotAllowed => "method_not_allowed",
            Timeout(_) => "timeout",
            Busy(_) => "busy",
            NotReady => "not_ready",
            DecisionLog(_) => "decision_log",
            Internal(_) => "internal",
        }
    }

    /// A JSON error from serde, with the place in the body.
    pub fn json(e: &serde_json::Error) -> ApiError {
        let at = (e.line() > 0).then_some(e.line());
        ApiError::BadJson {
            message: format!("invalid JSON body: {e}"),
            line: at,
            column: at.map(|_| e.column()),
        }
    }

    /// The body as data.
    pub fn body(self) -> ErrorBody {
        let code = self.code();
        let message = self.to_string();
        let mut detail = ErrorDetail {
            code,
            message,
            help: None,
            line: None,
            column: None,
            problems: Vec::new(),
            diagnostics: Vec::new(),
        };
        match self {
            ApiError::BadJson { line, column, .. } => {
                detail.line = line;
                detail.column = column;
            }
            ApiError::NotFound { help, .. } => detail.help = help,
            ApiError::Unauthorized(_) => {
                detail.help =
                    Some("send `Authorization: Bearer <token>`; `tenet token add` makes one".into())
            }
            ApiError::Data(problems) => {
                detail.message = format!(
                    "{} problem(s) in the dataset:\n{}",
                    problems.len(),
                    tenet_io::render_problems(&problems, 20)
                );
                detail.problems = problems;
            }
            ApiError::Policy(diagnostics) => detail.diagnostics = diagnostics,
            ApiError::Reload { error, .. } => {
                if error.diagnostics.is_empty() {
                    detail.help = Some(
                        "the policy directory must exist and hold `.policy` files; fix it and reload again".into(),
                    );
                }
                detail.diagnostics = error.diagnostics;
            }
            _ => {}
        }
        ErrorBody { error: detail }
    }
}

/// A refused reload in one line: what still serves, and why — the
/// diagnostics' count, or, when the directory gave none (missing, empty,
/// unreadable), what was wrong with it.
fn reload_message(serving: &str, error: &crate::bundle::BundleError) -> String {
    let why = if error.diagnostics.is_empty() {
        error
            .rendered
            .trim()
            .trim_start_matches("error: ")
            .to_string()
    } else {
        let errors = error
            .diagnostics
            .iter()
            .filter(|d| d.level == tenet::diagnostic::Level::Error)
            .count();
        format!("{errors} error(s) in the policies")
    };
    format!("the reload is refused and {serving} goes on serving: {why}")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let unauthorized = matches!(self, ApiError::Unauthorized(_));
        let mut response = (status, axum::Json(self.body())).into_response();
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tenet\""),
            );
        }
        response
    }
}
