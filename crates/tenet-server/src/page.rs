//! The dashboard: one page with its script and style inline, served by
//! the server itself (no CDN, no network). It holds no data, so it loads
//! without a token; everything it shows comes from the API, with the
//! token the user types in.

use crate::state::AppState;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

const PAGE: &str = include_str!("page.html");

/// `/` (and `/dashboard`).
pub fn routes() -> Router<Arc<AppState>> {
    let page = || async {
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self' blob:"),
            ],
            PAGE,
        )
            .into_response()
    };
    Router::new()
        .route("/", get(page))
        .route("/dashboard", get(page))
}
