//! What every API handler starts with, as extractors: the caller of a bearer token (checked
//! against the store, bad tokens throttled per address), the role a route needs, the write
//! rate, and a JSON body whose rejections are JSON errors.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use svetofor_api::ErrorCode;
use svetofor_publisher::auth::{self, AuthError, Caller, Role};
use svetofor_store::blocking;

use crate::AppState;
use crate::error::ApiError;

/// A JSON body whose rejections are JSON errors too.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as JSON with \"Content-Type: application/json\"",
            )),
            Err(JsonRejection::BytesRejection(e)) => Err(ApiError::new(
                ErrorCode::TooLarge,
                format!("the request body could not be read: {}", e.body_text()),
            )),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// The caller, if a valid token came with the request.
pub struct MaybeCaller(pub Option<Caller>);

/// The token of an `Authorization: Bearer …` header; the scheme is case-insensitive
/// (RFC 7235).
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn peer(parts: &Parts) -> Option<std::net::IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
}

/// Checks the request's token, if any, against the store; an address that keeps sending
/// bad tokens is made to wait (429) before its next one is looked at.
pub async fn caller_of(parts: &Parts, app: &AppState) -> Result<Option<Caller>, ApiError> {
    let Some(token) = bearer(parts) else {
        return match parts.headers.get(header::AUTHORIZATION) {
            Some(_) => Err(AuthError::Invalid.into()),
            None => Ok(None),
        };
    };
    let ip = peer(parts);
    if let Some(ip) = ip
        && let Err(wait) = app.auth_throttle.check(&ip)
    {
        return Err(ApiError::too_many(
            "too many bad tokens from this address; wait before trying again",
            wait,
        ));
    }
    let token = token.to_owned();
    let store = app.store.clone();
    match blocking(move || auth::verify(store.as_ref(), &token)).await {
        Ok(caller) => {
            if let Some(ip) = ip {
                app.auth_throttle.succeeded(&ip);
            }
            Ok(Some(caller))
        }
        Err(e) => {
            if matches!(e, AuthError::Invalid) {
                let from = ip.map(|ip| ip.to_string()).unwrap_or_default();
                tracing::warn!(%from, "refused a token that is not valid or was revoked");
                if let Some(ip) = ip {
                    app.auth_throttle.failed(ip);
                }
            }
            Err(e.into())
        }
    }
}

impl FromRequestParts<Arc<AppState>> for MaybeCaller {
    type Rejection = ApiError;

    /// On a public server a token that is not valid counts as none: what it asks for is
    /// open to everybody anyway. Writes and private reads still refuse it.
    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        match caller_of(parts, app).await {
            Ok(caller) => Ok(MaybeCaller(caller)),
            Err(e)
                if !app.private
                    && matches!(e.code(), ErrorCode::Unauthorized | ErrorCode::RateLimited) =>
            {
                Ok(MaybeCaller(None))
            }
            Err(e) => Err(e),
        }
    }
}

/// A caller allowed to change notices: a support or admin token, within the per-address
/// write rate.
pub struct Writer(pub Caller);

impl FromRequestParts<Arc<AppState>> for Writer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let caller = require(caller_of(parts, app).await?, Role::Support)?;
        within_write_rate(parts, app)?;
        Ok(Writer(caller))
    }
}

/// A caller allowed to hand in alerts: an intake token, or a support or admin one, within the
/// per-address write rate. A reader token (a desktop's) may not.
pub struct Intaker(pub Caller);

impl FromRequestParts<Arc<AppState>> for Intaker {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, ApiError> {
        let caller = caller_of(parts, app).await?.ok_or(AuthError::Missing)?;
        if caller.role != Role::Intake && caller.role < Role::Support {
            return Err(ApiError::forbidden(format!(
                "token \"{}\" has role {}, this needs intake (or support)",
                caller.name, caller.role
            )));
        }
        within_write_rate(parts, app)?;
        Ok(Intaker(caller))
    }
}

/// Refuses a write beyond the per-address rate (the peer's address, from the connection).
fn within_write_rate(parts: &Parts, app: &AppState) -> Result<(), ApiError> {
    let ConnectInfo(addr) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
        .ok_or_else(|| ApiError::internal("the peer address is missing"))?;
    write_allowed(app, addr)
}

/// Requires a caller with at least `role`.
pub fn require(caller: Option<Caller>, role: Role) -> Result<Caller, ApiError> {
    let caller = caller.ok_or(AuthError::Missing)?;
    if caller.role < role {
        return Err(ApiError::forbidden(format!(
            "token \"{}\" has role {}, this needs {role}",
            caller.name, caller.role
        )));
    }
    Ok(caller)
}

/// Reading is open to all unless the server is private.
pub fn require_read(app: &AppState, caller: Option<Caller>) -> Result<(), ApiError> {
    if app.private {
        require(caller, Role::Reader)?;
    }
    Ok(())
}

fn write_allowed(app: &AppState, addr: SocketAddr) -> Result<(), ApiError> {
    app.write_limiter.check(addr.ip()).map_err(|after| {
        ApiError::too_many(
            format!(
                "too many changes from {}; try again in {} s",
                addr.ip(),
                after.as_secs()
            ),
            after,
        )
    })
}
