//! The router and the OpenAPI document, made from one list of routes
//! (`utoipa_axum`), and the layers every request passes: request id,
//! policy version header and metrics; concurrency and time limits;
//! authentication by scope.

use crate::api::{self, RequestId};
use crate::auth::{Caller, Scope};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenet",
        description = "Training-compliance policies over HTTP: check datasets, evaluate one subject, explain, lint. Every response carries the policy bundle version (`tenet-policy-version` header; `policy_version` in JSON bodies).",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "evaluate", description = "Decisions: every one is written to the decision log before the response"),
        (name = "policies", description = "The policies serving, and linting policy text"),
        (name = "operations", description = "Health, metrics, reload"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Adds the answers of the layers, which every route can give (run after
/// the routes are in the document).
fn layer_responses(openapi: &mut utoipa::openapi::OpenApi) {
    {
        let error = |what: &str| {
            utoipa::openapi::ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let responses = &mut op.responses.responses;
                if secured {
                    responses.entry("401".into()).or_insert_with(|| {
                        error("No token, or a token the server does not accept").into()
                    });
                    responses
                        .entry("403".into())
                        .or_insert_with(|| error("The token lacks the scope").into());
                }
                responses
                    .entry("408".into())
                    .or_insert_with(|| error("The request took longer than the limit").into());
                responses
                    .entry("503".into())
                    .or_insert_with(|| error("Busy, or the decision log cannot be written").into());
            }
        }
    }
}

/// The router and the OpenAPI document of a server.
pub fn router(state: Arc<AppState>) -> Router {
    let (router, _) = build(state);
    router
}

/// The OpenAPI document (the same whatever the state).
///
/// ```
/// # let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
/// # let config = tenet_server::Config {
/// #     policies: repo.join("policies"), data: None, addr: "127.0.0.1:0".parse().unwrap(),
/// #     tokens: None, log: None, log_max_bytes: 1 << 20,
/// #     poll: std::time::Duration::from_secs(1), limits: Default::default() };
/// let state = tenet_server::serve::prepare(&config, None).unwrap();
/// let doc = tenet_server::openapi(state);
/// assert!(doc.paths.paths.contains_key("/v1/subjects/{kind}/{id}/evaluate"));
/// assert!(doc.paths.paths.contains_key("/v1/admin/reload"));
/// ```
pub fn openapi(state: Arc<AppState>) -> utoipa::openapi::OpenApi {
    build(state).1
}

fn scoped(
    state: &Arc<AppState>,
    scope: Scope,
    routes: OpenApiRouter<Arc<AppState>>,
) -> OpenApiRouter<Arc<AppState>> {
    routes.route_layer(middleware::from_fn_with_state(
        (state.clone(), scope),
        authenticate,
    ))
}

fn build(state: Arc<AppState>) -> (Router, utoipa::openapi::OpenApi) {
    let read = OpenApiRouter::new()
        .routes(routes!(api::policies))
        .routes(routes!(api::policy))
        .routes(routes!(api::lint))
        .routes(routes!(api::metrics));
    let check = OpenApiRouter::new()
        .routes(routes!(api::check))
        .routes(routes!(api::evaluate))
        .routes(routes!(api::explain));
    let admin = OpenApiRouter::new().routes(routes!(api::reload));
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api::health))
        .merge(scoped(&state, Scope::Read, read))
        .merge(scoped(&state, Scope::Check, check))
        .merge(scoped(&state, Scope::Admin, admin))
        .split_for_parts();
    let mut doc = doc;
    layer_responses(&mut doc);
    let spec = Arc::new(doc.clone());
    let spec_route = Router::new()
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let spec = spec.clone();
                async move { axum::Json(spec.as_ref().clone()) }
            }),
        )
        .route_layer(middleware::from_fn_with_state(
            (state.clone(), Scope::Read),
            authenticate,
        ));
    let router = router
        .merge(spec_route)
        .merge(crate::page::routes())
        .fallback(|| async {
            ApiError::NotFound {
                message: "no such route".into(),
                help: Some("the API is described at /openapi.json".into()),
            }
        })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::Internal("the handler panicked".into()).into_response()
        }))
        .with_state(state);
    (router, doc)
}

/// The response header naming the policy version.
pub const POLICY_VERSION: &str = "tenet-policy-version";

/// Gives the request an id, and the response the policy version and the id;
/// counts the request.
async fn track(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let id = state.request_id();
    // The request keeps the bundle serving as it arrives, so its header,
    // its body and its decision-log lines name one version even when a
    // reload lands mid-request.
    let live = state.live();
    let version = HeaderValue::from_str(&live.bundle.version);
    req.extensions_mut().insert(RequestId(id.clone()));
    req.extensions_mut().insert(live);
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if let (Ok(v), false) = (version, headers.contains_key(POLICY_VERSION)) {
        headers.insert(POLICY_VERSION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        headers.insert("x-request-id", v);
    }
    state
        .metrics
        .request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Refuses a request when too many run, and ends one that takes too long
/// (reading its body included: a slow client gets 408).
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Ok(_permit) = state.busy.clone().try_acquire_owned() else {
        return ApiError::Busy(state.limits.concurrency).into_response();
    };
    let limit = state.limits.timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(limit.as_secs()).into_response(),
    }
}

/// Checks the bearer token and the scope the route needs; puts the
/// [`Caller`] in the request.
async fn authenticate(
    State((state, needed)): State<(Arc<AppState>, Scope)>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let caller = match &state.tokens {
        None => Caller {
            name: "anonymous".into(),
            scopes: vec![Scope::Read, Scope::Check, Scope::Admin],
        },
        Some(tokens) => {
            let header = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            let token = header
                .and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into()))?;
            tokens
                .authenticate(token, chrono::Utc::now().date_naive())
                .map_err(|e| ApiError::Unauthorized(format!("the token is refused: {e}")))?
        }
    };
    if !caller.scopes.contains(&needed) {
        return Err(ApiError::Forbidden {
            needed: needed.as_str(),
        });
    }
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}
