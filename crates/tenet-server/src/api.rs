//! The handlers of `/v1`, `/health` and `/metrics`, each with its OpenAPI
//! description (utoipa), so the document is made from the code.

use crate::auth::Caller;
use crate::decisions::Decision;
use crate::error::{ApiError, ErrorBody};
use crate::state::{AppState, Live};
use crate::upload::{self, Kind, UploadLimits};
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tenet::model::Dataset;
use tenet::report::{Report, RuleResult, Status};
use tenet::value::EntityRef;
use tenet::{Detail, EvalOptions, PolicySet};
use utoipa::{IntoParams, ToSchema};

/// The id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

type Shared = State<Arc<AppState>>;

/// Which results a report lists (the summary counts them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Only {
    /// Failing results.
    Failing,
    /// Failing, pending and unknown results.
    Problems,
}

/// How much each result's explanation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DetailLevel {
    /// Every result lists the records it counted and left out.
    Full,
    /// Only results that are not a pass (or not applicable).
    Failures,
    /// No result lists records.
    Brief,
}

/// The report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// The JSON report.
    #[default]
    Json,
    /// The self-contained HTML report (charts, failures table).
    Html,
}

/// `POST /v1/check` with a JSON body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// Policy ids to evaluate (default: every policy).
    pub policies: Option<Vec<String>>,
    /// Evaluation date, YYYY-MM-DD (default: today, UTC).
    pub as_of: Option<NaiveDate>,
    /// Only these rules (`policy.rule` when ids repeat).
    pub rules: Option<Vec<String>>,
    /// Only these subjects (district, school, person, activity or mentorship ids).
    pub subjects: Option<Vec<String>>,
    /// List only some results.
    pub only: Option<Only>,
    /// How much explanations list (default `full`).
    pub detail: Option<DetailLevel>,
    /// `json` (default) or `html`.
    pub format: Option<Format>,
    /// A dataset in the JSON dataset format (arrays keyed by file stem:
    /// `districts`, `schools`, `people`, …); default: the server's dataset.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// The options of `POST /v1/check` when the body is a workbook or a zip
/// (lists are comma-separated).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    /// Policy ids, comma-separated.
    pub policies: Option<String>,
    /// Evaluation date, YYYY-MM-DD.
    pub as_of: Option<NaiveDate>,
    /// Rule ids, comma-separated.
    pub rules: Option<String>,
    /// Subject ids, comma-separated.
    pub subjects: Option<String>,
    /// `failing` or `problems`.
    pub only: Option<Only>,
    /// `full`, `failures` or `brief`.
    pub detail: Option<DetailLevel>,
    /// `json` or `html`.
    pub format: Option<Format>,
}

/// The reports of a check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// The policy bundle version that made these decisions.
    pub policy_version: String,
    /// This request's id (in the decision log too).
    pub request_id: String,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// One report per policy, in the fixed JSON report shape
    /// (`policy`, `as_of`, `results`, `summary`).
    #[schema(value_type = Vec<Object>)]
    pub reports: Vec<Report>,
}

fn split(list: Option<String>) -> Option<Vec<String>> {
    list.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    })
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Reads a JSON body: an empty body is the default value.
fn parse_json<T: serde::de::DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::json(&e))
}

async fn read_body(state: &AppState, body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, state.limits.body_bytes)
        .await
        .map_err(|e| {
            let limited = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if limited {
                ApiError::TooLarge {
                    what: "the request body",
                    limit: state.limits.body_bytes as u64,
                }
            } else {
                ApiError::BadRequest(format!("cannot read the request body: {e}"))
            }
        })
}

fn content_kind(headers: &HeaderMap) -> Result<Kind, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/json" | "" => Ok(Kind::Json),
        "application/zip" | "application/x-zip-compressed" => Ok(Kind::Zip),
        upload::XLSX => Ok(Kind::Xlsx),
        _ => Err(ApiError::UnsupportedMedia(ct.to_string())),
    }
}

fn limits(state: &AppState) -> UploadLimits {
    UploadLimits {
        unpacked_bytes: state.limits.unpacked_bytes,
        entries: state.limits.archive_entries,
    }
}

/// Runs CPU-bound work off the request threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("evaluation task failed: {e}")))?
}

fn no_rule(set: &PolicySet, wanted: &str) -> ApiError {
    let ids: Vec<&str> = set
        .policies()
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.id.as_str()))
        .collect();
    let id = wanted.split_once('.').map_or(wanted, |(_, r)| r);
    ApiError::NotFound {
        message: format!("no rule `{wanted}` in the policies"),
        help: tenet::diagnostic::did_you_mean(id, ids.iter().copied())
            .map(|s| format!("did you mean `{s}`?")),
    }
}

fn find_subject(data: &Dataset, id: &str) -> Result<EntityRef, ApiError> {
    PolicySet::find_subject(data, id).ok_or_else(|| ApiError::NotFound {
        message: format!("no district, school, person, activity or mentorship has id `{id}`"),
        help: Some(
            "ids are as in the data files; a mentorship's id is `mentor/trainee/program`".into(),
        ),
    })
}

/// What every decision-making handler starts from: who calls, the request
/// id, and the bundle serving when the request began (a reload during the
/// request does not change the version that answers it). Its `record`
/// writes the decisions before the response is made.
pub struct Decider {
    state: Arc<AppState>,
    caller: Caller,
    request_id: String,
    live: Arc<Live>,
}

impl FromRequestParts<Arc<AppState>> for Decider {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Decider, ApiError> {
        // All three are put there by the layers (`app::track`,
        // `app::authenticate`): the version in the header is the one that decides.
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("no caller on a scoped route".into()))?;
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .ok_or_else(|| ApiError::Internal("no request id".into()))?;
        let live = parts
            .extensions
            .get::<Arc<Live>>()
            .cloned()
            .unwrap_or_else(|| state.live());
        Ok(Decider {
            state: state.clone(),
            caller,
            request_id,
            live,
        })
    }
}

impl Decider {
    /// The version of the bundle answering.
    fn version(&self) -> String {
        self.live.bundle.version.clone()
    }

    /// Counts the decisions and writes them to the log; the future it
    /// returns ends once they are on disk (the durability rule), so the
    /// response may be sent. (The lines are made before the future, so it
    /// holds no borrow of the results.)
    fn record<'a>(
        &self,
        as_of: NaiveDate,
        results: impl Iterator<Item = (Option<&'a str>, &'a RuleResult)>,
    ) -> impl std::future::Future<Output = Result<(), ApiError>> + Send + '_ {
        let lines = self.lines(as_of, results);
        async move {
            match (&self.state.log, lines) {
                (_, Err(e)) => Err(e),
                (Some(log), Ok(lines)) => log.commit(lines).await.map_err(ApiError::DecisionLog),
                (None, Ok(_)) => Ok(()),
            }
        }
    }

    fn lines<'a>(
        &self,
        as_of: NaiveDate,
        results: impl Iterator<Item = (Option<&'a str>, &'a RuleResult)>,
    ) -> Result<Vec<u8>, ApiError> {
        let time = now();
        let mut lines = Vec::new();
        for (policy, r) in results {
            self.state.metrics.decision(r.status);
            if self.state.log.is_some() {
                let d = Decision {
                    request_id: &self.request_id,
                    time: &time,
                    caller: &self.caller.name,
                    policy_version: &self.live.bundle.version,
                    policy,
                    rule: &r.rule,
                    subject: &r.subject,
                    window: r.window.as_ref(),
                    status: r.status,
                    as_of,
                };
                serde_json::to_writer(&mut lines, &d)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                lines.push(b'\n');
            }
        }
        Ok(lines)
    }
}

/// The body of a route that takes only JSON.
async fn json_body(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    if content_kind(headers)? != Kind::Json {
        return Err(ApiError::UnsupportedMedia("send application/json".into()));
    }
    read_body(state, body).await
}

/// An inline dataset as the bytes of a JSON dataset file.
fn inline_bytes(data: Option<serde_json::Value>) -> Result<Option<Vec<u8>>, ApiError> {
    data.map(|v| serde_json::to_vec(&v))
        .transpose()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn no_policy(set: &PolicySet, id: &str) -> ApiError {
    let all: Vec<&str> = set.policies().iter().map(|p| p.id.as_str()).collect();
    ApiError::NotFound {
        message: format!("no policy `{id}`"),
        help: Some(
            tenet::diagnostic::did_you_mean(id, all.iter().copied()).map_or_else(
                || format!("policies are: {}", all.join(", ")),
                |s| format!("did you mean `{s}`?"),
            ),
        ),
    }
}

/// The dataset a request carries, or the server's.
async fn request_data(
    state: &Arc<AppState>,
    kind: Kind,
    inline: Option<Vec<u8>>,
) -> Result<Arc<Dataset>, ApiError> {
    match inline {
        Some(bytes) => {
            let limits = limits(state);
            Ok(Arc::new(
                blocking(move || upload::dataset(kind, &bytes, limits)).await?,
            ))
        }
        None => state.data.clone().ok_or(ApiError::NoData),
    }
}

/// Evaluates policies against a dataset: inline JSON, an uploaded
/// workbook or zipped CSV files, or the server's dataset.
#[utoipa::path(
    post,
    path = "/v1/check",
    tag = "evaluate",
    params(CheckQuery),
    request_body(
        description = "JSON options with an optional inline dataset; or an .xlsx workbook or a zip of CSV files, with the options in the query",
        content(
            (CheckRequest = "application/json"),
            (Vec<u8> = "application/zip"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    ),
    responses(
        (status = 200, description = "The reports (or the HTML page with `format: html`)", body = CheckResponse,
         content_type = "application/json", headers(("tenet-policy-version" = String, description = "The policy bundle version"))),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "Unknown policy, rule or subject", body = ErrorBody),
        (status = 413, description = "Body or unpacked upload too large", body = ErrorBody),
        (status = 415, description = "Unsupported content type", body = ErrorBody),
        (status = 422, description = "The dataset has problems, or none is available", body = ErrorBody),
    ),
    security(("bearer" = ["check"]))
)]
pub async fn check(
    State(state): Shared,
    decider: Decider,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let kind = content_kind(&headers)?;
    let bytes = read_body(&state, body).await?;
    let (req, inline) = match kind {
        Kind::Json => {
            if uri.query().is_some_and(|q| !q.is_empty()) {
                return Err(ApiError::BadRequest(
                    "with a JSON body, give the options in the body, not the query".into(),
                ));
            }
            let mut req: CheckRequest = parse_json(&bytes)?;
            let data = inline_bytes(req.data.take())?;
            (req, data)
        }
        _ => {
            let q = axum::extract::Query::<CheckQuery>::try_from_uri(&uri)
                .map_err(|e| ApiError::BadRequest(e.body_text()))?
                .0;
            if bytes.is_empty() {
                return Err(ApiError::BadRequest("the upload is empty".into()));
            }
            let req = CheckRequest {
                policies: split(q.policies),
                as_of: q.as_of,
                rules: split(q.rules),
                subjects: split(q.subjects),
                only: q.only,
                detail: q.detail,
                format: q.format,
                data: None,
            };
            (req, Some(bytes.to_vec()))
        }
    };
    let set = decider.live.bundle.set.clone();
    // Names first: a wrong policy or rule id is a 404 before any upload is read.
    for id in req.policies.iter().flatten() {
        if !set.policies().iter().any(|p| &p.id == id) {
            return Err(no_policy(&set, id));
        }
    }
    for r in req.rules.iter().flatten() {
        let id = r.split_once('.').map_or(r.as_str(), |(_, id)| id);
        if !set
            .policies()
            .iter()
            .any(|p| p.rules.iter().any(|x| x.id == id))
        {
            return Err(no_rule(&set, r));
        }
    }
    let format = req.format.unwrap_or_default();
    if format == Format::Html && state.html.is_none() {
        return Err(ApiError::BadRequest(
            "this server has no HTML renderer; ask for `json`".into(),
        ));
    }
    let data = request_data(&state, kind, inline).await?;
    let subjects = req
        .subjects
        .as_ref()
        .map(|ids| {
            ids.iter()
                .map(|s| find_subject(&data, s))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let as_of = req.as_of.unwrap_or_else(today);
    let only = req.only;
    let detail = match req.detail {
        None | Some(DetailLevel::Full) => Detail::Full,
        Some(DetailLevel::Failures) => Detail::Failures,
        Some(DetailLevel::Brief) => Detail::Brief,
    };
    let wanted_policies = req.policies.clone();
    // Rules: the ones asked for, within the policies asked for.
    let rules: Option<Vec<String>> = match (&req.rules, &wanted_policies) {
        (Some(rules), _) => Some(
            rules
                .iter()
                .map(|r| {
                    r.split_once('.')
                        .map_or(r.clone(), |(_, id)| id.to_string())
                })
                .collect(),
        ),
        (None, Some(ps)) => Some(
            set.policies()
                .iter()
                .filter(|p| ps.contains(&p.id))
                .flat_map(|p| p.rules.iter().map(|r| r.id.clone()))
                .collect(),
        ),
        (None, None) => None,
    };
    let qualified: Option<Vec<String>> = req.rules.clone();
    let eval_set = set.clone();
    let eval_data = data.clone();
    let reports = blocking(move || {
        let opts = EvalOptions {
            rules,
            subjects,
            detail,
            ..EvalOptions::default()
        };
        let mut reports = Vec::new();
        eval_set.evaluate_each(&eval_data, as_of, &opts, |mut r| {
            if wanted_policies
                .as_ref()
                .is_some_and(|ps| !ps.contains(&r.policy))
            {
                return;
            }
            if let Some(q) = &qualified {
                // `policy.rule` picks one policy's rule.
                let policy = r.policy.clone();
                r.results.retain(|x| {
                    q.iter().any(|w| match w.split_once('.') {
                        Some((p, id)) => p == policy && id == x.rule,
                        None => *w == x.rule,
                    })
                });
            }
            reports.push(r);
        });
        Ok(reports)
    })
    .await?;
    let mut reports = reports;
    decider
        .record(
            as_of,
            reports
                .iter()
                .flat_map(|r| r.results.iter().map(move |x| (Some(r.policy.as_str()), x))),
        )
        .await?;
    let keep = |s: Status| match only {
        None => true,
        Some(Only::Failing) => s == Status::Fail,
        Some(Only::Problems) => matches!(s, Status::Fail | Status::Pending | Status::Unknown),
    };
    for r in &mut reports {
        r.results.retain(|x| keep(x.status));
    }
    if format == Format::Html {
        let render = state.html.ok_or(ApiError::NotReady)?;
        let page = blocking(move || {
            let pairs: Vec<_> = reports
                .iter()
                .filter_map(|r| Some((r, set.policies().iter().find(|p| p.id == r.policy)?)))
                .collect();
            Ok(render(&pairs))
        })
        .await?;
        return Ok(Html(page).into_response());
    }
    Ok(Json(CheckResponse {
        policy_version: decider.version(),
        request_id: decider.request_id,
        as_of,
        reports,
    })
    .into_response())
}

/// `POST /v1/subjects/{kind}/{id}/evaluate`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    /// Evaluation date (default: today, UTC).
    pub as_of: Option<NaiveDate>,
    /// Only these rule ids.
    pub rules: Option<Vec<String>>,
    /// Records for a subject the server does not hold, in the JSON dataset
    /// format (the person, their school and district, activities,
    /// enrollments …); default: the server's dataset.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// One subject's results.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluateResponse {
    /// The policy bundle version.
    pub policy_version: String,
    /// This request's id.
    pub request_id: String,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// Every selected rule's results for the subject, in policy then rule order
    /// (each in the report's result shape).
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<RuleResult>,
}

fn kind_name(e: EntityRef) -> &'static str {
    match e {
        EntityRef::District(_) => "district",
        EntityRef::School(_) => "school",
        EntityRef::Person(_) => "person",
        EntityRef::Activity(_) => "activity",
        EntityRef::Session(_) => "session",
        _ => "mentorship",
    }
}

const KINDS: [&str; 5] = ["person", "school", "district", "activity", "mentorship"];

/// Evaluates one subject (a teacher, a school, a district, an activity or a
/// mentorship) against every rule over its kind — the per-request path,
/// through an evaluator prepared for the server's dataset.
#[utoipa::path(
    post,
    path = "/v1/subjects/{kind}/{id}/evaluate",
    tag = "evaluate",
    params(
        ("kind" = String, Path, description = "`person`, `school`, `district`, `activity` or `mentorship`"),
        ("id" = String, Path, description = "The subject's id (a mentorship: `mentor/trainee/program`, URL-encoded)"),
    ),
    request_body(content = Option<EvaluateRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "The subject's results", body = EvaluateResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "Unknown subject or rule", body = ErrorBody),
        (status = 422, description = "The inline records have problems, or no dataset is available", body = ErrorBody),
    ),
    security(("bearer" = ["check"]))
)]
pub async fn evaluate(
    State(state): Shared,
    decider: Decider,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EvaluateResponse>, ApiError> {
    if !KINDS.contains(&kind.as_str()) {
        return Err(ApiError::NotFound {
            message: format!("no subject kind `{kind}`"),
            help: Some(format!("kinds are: {}", KINDS.join(", "))),
        });
    }
    let mut req: EvaluateRequest = parse_json(&json_body(&state, &headers, body).await?)?;
    let live = &decider.live;
    for r in req.rules.iter().flatten() {
        if !live.policy_of_rule.contains_key(r) {
            return Err(no_rule(&live.bundle.set, r));
        }
    }
    let as_of = req.as_of.unwrap_or_else(today);
    let mut results = match inline_bytes(req.data.take())? {
        Some(bytes) => {
            let data = request_data(&state, Kind::Json, Some(bytes)).await?;
            let subject = subject_of_kind(&data, &kind, &id)?;
            live.bundle.set.evaluate_subject(&data, subject, as_of)
        }
        None => {
            let data = state.data.clone().ok_or(ApiError::NoData)?;
            let subject = subject_of_kind(&data, &kind, &id)?;
            let prepared = live.evaluators.get(&live.bundle.set, &data, as_of);
            prepared.evaluator().evaluate_subject(subject)
        }
    };
    if let Some(rules) = &req.rules {
        results.retain(|r| rules.contains(&r.rule));
    }
    decider
        .record(
            as_of,
            results
                .iter()
                .map(|r| (live.policy_of_rule.get(&r.rule).map(String::as_str), r)),
        )
        .await?;
    Ok(Json(EvaluateResponse {
        policy_version: decider.version(),
        request_id: decider.request_id,
        as_of,
        results,
    }))
}

fn subject_of_kind(data: &Dataset, kind: &str, id: &str) -> Result<EntityRef, ApiError> {
    let subject = find_subject(data, id)?;
    if kind_name(subject) != kind {
        return Err(ApiError::NotFound {
            message: format!("`{id}` is a {}, not a {kind}", kind_name(subject)),
            help: Some(format!(
                "use /v1/subjects/{}/{id}/evaluate",
                kind_name(subject)
            )),
        });
    }
    Ok(subject)
}

/// `POST /v1/explain`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainRequest {
    /// The rule id (`policy.rule` when ids repeat).
    pub rule: String,
    /// The subject id.
    pub subject: String,
    /// Evaluation date (default: today, UTC).
    pub as_of: Option<NaiveDate>,
    /// Only the window starting on this date.
    pub window: Option<NaiveDate>,
    /// Records in the JSON dataset format (default: the server's dataset).
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// How a rule came out for a subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplainResponse {
    /// The policy bundle version.
    pub policy_version: String,
    /// This request's id.
    pub request_id: String,
    /// The policy id.
    pub policy: String,
    /// The rule.
    pub rule: RuleInfo,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// The results, one per window, with every record counted or left out and why.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<RuleResult>,
}

/// Shows how one rule came out for one subject: every record counted or
/// left out, and why.
#[utoipa::path(
    post,
    path = "/v1/explain",
    tag = "evaluate",
    request_body(content = ExplainRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The rule's results for the subject", body = ExplainResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "Unknown rule or subject", body = ErrorBody),
        (status = 422, description = "The inline records have problems, or no dataset is available", body = ErrorBody),
    ),
    security(("bearer" = ["check"]))
)]
pub async fn explain(
    State(state): Shared,
    decider: Decider,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ExplainResponse>, ApiError> {
    let bytes = json_body(&state, &headers, body).await?;
    let mut req: ExplainRequest = serde_json::from_slice(&bytes).map_err(|e| ApiError::json(&e))?;
    let set = decider.live.bundle.set.clone();
    let (policy_id, rule_id) = match req.rule.split_once('.') {
        Some((p, r)) => (Some(p.to_string()), r.to_string()),
        None => (None, req.rule.clone()),
    };
    let (policy, rule) = set
        .policies()
        .iter()
        .filter(|p| policy_id.as_ref().is_none_or(|id| &p.id == id))
        .find_map(|p| p.rules.iter().find(|r| r.id == rule_id).map(|r| (p, r)))
        .ok_or_else(|| no_rule(&set, &req.rule))?;
    let info = rule_info(rule);
    let policy = policy.id.clone();
    let inline = inline_bytes(req.data.take())?;
    let data = request_data(&state, Kind::Json, inline).await?;
    let subject = find_subject(&data, &req.subject)?;
    let as_of = req.as_of.unwrap_or_else(today);
    let qualified = format!("{policy}.{}", info.id);
    let mut results = blocking(move || {
        Ok(set
            .evaluate_rule(&data, &qualified, Some(subject), as_of)
            .unwrap_or_default())
    })
    .await?;
    if let Some(start) = req.window {
        results.retain(|r| r.window.is_some_and(|w| w.start == start));
    }
    decider
        .record(as_of, results.iter().map(|r| (Some(policy.as_str()), r)))
        .await?;
    Ok(Json(ExplainResponse {
        policy_version: decider.version(),
        request_id: decider.request_id,
        policy,
        rule: info,
        as_of,
        results,
    }))
}

/// `POST /v1/lint`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LintRequest {
    /// The policy text.
    pub source: String,
    /// Its file name (default `policy.policy`); imports resolve relative
    /// to it among `files` and then the server's policy files.
    pub name: Option<String>,
    /// Other files it may import, by name.
    #[serde(default)]
    pub files: std::collections::BTreeMap<String, String>,
}

/// The diagnostics of a policy text.
#[derive(Debug, Serialize, ToSchema)]
pub struct LintResponse {
    /// The policy bundle version serving (imports from it were used).
    pub policy_version: String,
    /// Whether the text checks (no errors; warnings may remain).
    pub ok: bool,
    /// Errors and warnings, each with file, line, column, message and help.
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: Vec<tenet::diagnostic::Diagnostic>,
    /// The diagnostics drawn with their source lines, as the command line prints them.
    pub rendered: String,
}

/// Checks a policy text and returns the diagnostics as data.
#[utoipa::path(
    post,
    path = "/v1/lint",
    tag = "policies",
    request_body(content = LintRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The diagnostics (`ok` false when there are errors)", body = LintResponse),
        (status = 400, description = "Malformed request", body = ErrorBody),
    ),
    security(("bearer" = ["read"]))
)]
pub async fn lint(
    State(state): Shared,
    Extension(live): Extension<Arc<Live>>,
    body: Body,
) -> Result<Json<LintResponse>, ApiError> {
    let bytes = read_body(&state, body).await?;
    let req: LintRequest = serde_json::from_slice(&bytes).map_err(|e| ApiError::json(&e))?;
    let set = live.bundle.set.clone();
    let name = req.name.clone().unwrap_or_else(|| "policy.policy".into());
    let out = blocking(move || {
        let loaded = PolicySet::load(&[name.as_str()], |n| {
            if n == name {
                return Ok(req.source.clone());
            }
            req.files
                .get(n)
                .or_else(|| set.sources().get(n))
                .cloned()
                .ok_or_else(|| "no such file".to_string())
        });
        Ok(match loaded {
            Ok(s) => (true, s.warnings().to_vec(), s.render_warnings()),
            Err(e) => (false, e.diagnostics.clone(), e.render()),
        })
    })
    .await?;
    Ok(Json(LintResponse {
        policy_version: live.bundle.version.clone(),
        ok: out.0,
        diagnostics: out.1,
        rendered: out.2,
    }))
}

/// A rule as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleInfo {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// `required` or `advisory`.
    #[schema(value_type = String)]
    pub severity: tenet::program::Severity,
    /// Citations of the source plan, with the quoted sentence.
    pub cites: Vec<Cite>,
    /// Its message template.
    pub message: Option<String>,
    /// The kind of subject it ranges over.
    pub subject: String,
}

/// A citation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cite {
    /// The clause, e.g. `三(二)2(3)`.
    pub clause: String,
    /// The original sentence.
    pub quote: Option<String>,
}

fn rule_info(r: &tenet::program::Rule) -> RuleInfo {
    RuleInfo {
        id: r.id.clone(),
        title: r.title.clone(),
        severity: r.severity,
        cites: r
            .cites
            .iter()
            .map(|c| Cite {
                clause: c.clause.clone(),
                quote: c.quote.clone(),
            })
            .collect(),
        message: r.message.clone(),
        subject: r.subject.name().to_string(),
    }
}

/// A policy as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicySummary {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// The file it is written in.
    pub file: String,
    /// The source plan it renders.
    pub source: Option<String>,
    /// The range it is in effect, `start .. end`.
    pub effective: Option<String>,
    /// Its rules.
    pub rules: Vec<RuleInfo>,
}

/// The policies serving.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoliciesResponse {
    /// The policy bundle version.
    pub policy_version: String,
    /// The policies, in file order.
    pub policies: Vec<PolicySummary>,
}

fn summary(p: &tenet::program::CheckedPolicy) -> PolicySummary {
    PolicySummary {
        id: p.id.clone(),
        title: p.title.clone(),
        file: p.file.clone(),
        source: p.source.clone(),
        effective: p.effective.map(|e| e.to_string()),
        rules: p.rules.iter().map(rule_info).collect(),
    }
}

/// Lists the policies and their rules.
#[utoipa::path(
    get,
    path = "/v1/policies",
    tag = "policies",
    responses((status = 200, description = "The policies serving", body = PoliciesResponse)),
    security(("bearer" = ["read"]))
)]
pub async fn policies(Extension(live): Extension<Arc<Live>>) -> Json<PoliciesResponse> {
    Json(PoliciesResponse {
        policy_version: live.bundle.version.clone(),
        policies: live.bundle.set.policies().iter().map(summary).collect(),
    })
}

/// A param's value from a date on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParamStep {
    /// From this date (`null`: from the start).
    pub since: Option<NaiveDate>,
    /// The value, as written in reports.
    pub value: String,
}

/// A param with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParamInfo {
    /// Its name.
    pub name: String,
    /// Its values over time.
    pub history: Vec<ParamStep>,
}

/// One policy in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyDetail {
    /// The policy bundle version.
    pub policy_version: String,
    /// The policy.
    #[serde(flatten)]
    pub policy: PolicySummary,
    /// Its params with their history.
    pub params: Vec<ParamInfo>,
    /// The text of its file.
    pub text: String,
}

fn show(v: &tenet::value::Value) -> String {
    use tenet::value::Value;
    match v {
        Value::Num(q) => {
            let mut s = String::new();
            tenet::value::push_decimal(&mut s, q.to_decimal().normalize());
            s
        }
        Value::Date(d) => d.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => s.clone(),
        Value::Window(w) => w.to_string(),
        other => format!("{other:?}"),
    }
}

/// One policy: rules, titles, cites with quotes, params with history, and
/// the source text.
#[utoipa::path(
    get,
    path = "/v1/policies/{id}",
    tag = "policies",
    params(("id" = String, Path, description = "The policy id")),
    responses(
        (status = 200, description = "The policy", body = PolicyDetail),
        (status = 404, description = "No such policy", body = ErrorBody),
    ),
    security(("bearer" = ["read"]))
)]
pub async fn policy(
    Extension(live): Extension<Arc<Live>>,
    Path(id): Path<String>,
) -> Result<Json<PolicyDetail>, ApiError> {
    let set = &live.bundle.set;
    let p = set
        .policies()
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| no_policy(set, &id))?;
    Ok(Json(PolicyDetail {
        policy_version: live.bundle.version.clone(),
        policy: summary(p),
        params: p
            .params
            .iter()
            .map(|param| ParamInfo {
                name: param.name.to_string(),
                history: param
                    .history
                    .iter()
                    .map(|(since, v)| ParamStep {
                        since: *since,
                        value: show(v),
                    })
                    .collect(),
            })
            .collect(),
        text: set.sources().get(&p.file).cloned().unwrap_or_default(),
    }))
}

/// Readiness and the last refused reload.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ready` when policies are loaded.
    pub status: String,
    /// The policy bundle version serving.
    pub policy_version: String,
    /// How many policies serve.
    pub policies: usize,
    /// Whether the server holds a dataset.
    pub dataset: bool,
    /// Whether decisions are logged.
    pub decision_log: bool,
    /// The last reload that was refused (cleared by a good one): when, the
    /// version its texts would have had, and the diagnostics.
    pub reload_error: Option<ReloadError>,
}

/// A refused reload.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadError {
    /// When (RFC 3339).
    pub at: String,
    /// The version the refused texts would have had.
    pub version: String,
    /// Diagnostics with file, line and column.
    #[schema(value_type = Vec<Object>)]
    pub diagnostics: Vec<tenet::diagnostic::Diagnostic>,
    /// The diagnostics drawn with their source lines.
    pub rendered: String,
}

/// Readiness: 200 when policies are loaded; answers without a token.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "No policies loaded", body = Health),
    )
)]
pub async fn health(State(state): Shared, Extension(live): Extension<Arc<Live>>) -> Response {
    let refused = state.refused.lock().ok().and_then(|r| r.clone());
    let ready = !live.bundle.set.policies().is_empty();
    let body = Health {
        status: if ready { "ready" } else { "not_ready" }.into(),
        policy_version: live.bundle.version.clone(),
        policies: live.bundle.set.policies().len(),
        dataset: state.data.is_some(),
        decision_log: state.log.is_some(),
        reload_error: refused.map(|r| ReloadError {
            at: r.at,
            version: r.error.version,
            diagnostics: r.error.diagnostics,
            rendered: r.error.rendered,
        }),
    };
    let status = if ready {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses((status = 200, description = "Metrics", body = String, content_type = "text/plain; version=0.0.4")),
    security(("bearer" = ["read"]))
)]
pub async fn metrics(State(state): Shared, Extension(live): Extension<Arc<Live>>) -> Response {
    let text = state.metrics.render(&live.bundle.version);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// The outcome of a reload.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResponse {
    /// The version serving after it.
    pub policy_version: String,
    /// Whether it changed.
    pub changed: bool,
    /// How many tokens the tokens file holds now (`null`: the server runs
    /// without tokens).
    pub tokens: Option<usize>,
}

/// Reads the tokens file and the policy directory again now (both are
/// also watched, and SIGHUP does the same): a token whose line was removed
/// stops working, changed policies serve.
#[utoipa::path(
    post,
    path = "/v1/admin/reload",
    tag = "operations",
    responses(
        (status = 200, description = "Reloaded (or unchanged)", body = ReloadResponse),
        (status = 422, description = "The policies do not check, or the tokens file does not read; what served before goes on serving", body = ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn reload(State(state): Shared) -> Result<Response, ApiError> {
    let s = state.clone();
    let (tokens, changed) = blocking(move || {
        // Tokens first: a revocation takes effect even when the policies
        // are being edited into a state that does not check.
        let tokens = s.reload_tokens().map_err(ApiError::Tokens)?;
        let serving = s.live().bundle.version.clone();
        let changed = s
            .reload()
            .map_err(|error| ApiError::Reload { serving, error })?;
        Ok((tokens, changed))
    })
    .await?;
    let version = state.live().bundle.version.clone();
    // The header names the version after the reload, as the body does.
    let header = axum::http::HeaderValue::from_str(&version).ok();
    let mut response = Json(ReloadResponse {
        policy_version: version,
        changed,
        tokens,
    })
    .into_response();
    if let Some(v) = header {
        response.headers_mut().insert(crate::app::POLICY_VERSION, v);
    }
    Ok(response)
}

#[allow(dead_code)]
fn _live_is_send(l: Live) -> impl Send + Sync {
    l
}
