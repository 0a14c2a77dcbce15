//! The API under `/api/v1`, with bearer-token roles: one file per resource. The extractors
//! every handler starts with are in `http::extract`; what a request does is in
//! `svetofor_publisher`.

pub mod audit;
pub mod channels;
pub mod drafts;
pub mod feed;
pub mod intake;
pub mod notices;
pub mod tokens;

use std::sync::Arc;

use axum::Router;

use crate::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(notices::routes())
        .merge(tokens::routes())
        .merge(audit::routes())
        .merge(drafts::routes())
        .merge(channels::routes())
        .merge(intake::routes())
}
