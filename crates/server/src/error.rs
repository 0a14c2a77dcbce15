//! Every refusal is a JSON body: `{"error": {"code": "...", "message": "...", "field": ...}}`.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use svetofor_api::{ErrorBody, ErrorCode, ErrorDetail};

use svetofor_publisher::auth::AuthError;
use svetofor_publisher::notices::Rejected;
use svetofor_publisher::publisher::PublishError;
use svetofor_store::StoreError;

/// An error answer: a code from the one table ([`ErrorCode`]), a message for people, and
/// the field at fault.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    field: Option<String>,
    retry_after: Option<Duration>,
}

impl ApiError {
    /// The request field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl ApiError {
    /// An error with this code (which decides the status) and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// A request that is wrong (malformed JSON, an unknown field, a bad parameter).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// No token, or not a valid one.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// The caller's role is too low.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// No such notice, token or endpoint.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// Too many requests; the client may try again after `retry_after`.
    pub fn too_many(message: impl Into<String>, retry_after: Duration) -> Self {
        Self::new(ErrorCode::RateLimited, message).retry_after(retry_after)
    }

    /// Its code in the table of API errors.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Names the request field (or query parameter) at fault.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// Sets `Retry-After` on the answer.
    pub fn retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// The detail goes to the log, not to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {detail}");
        Self::new(
            ErrorCode::Internal,
            "the server could not complete the request; nothing was changed",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: Some(self.code),
                message: self.message,
                field: self.field,
            },
        };
        let mut resp = (status, Json(body)).into_response();
        if self.code == ErrorCode::TooLarge {
            // The rest of the body was never read: this connection cannot carry another
            // request, so say so, or a client that pools connections sends its next request
            // into a closed one.
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(after) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&after.as_secs().max(1).to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<Rejected> for ApiError {
    fn from(r: Rejected) -> Self {
        let mut e = ApiError::new(ErrorCode::Invalid, r.to_string());
        e.field = Some(r.field);
        e
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => ApiError::unauthorized(
                "this needs a token: send the header \"Authorization: Bearer <token>\"",
            ),
            AuthError::Invalid => ApiError::unauthorized("the token is not valid or was revoked"),
            AuthError::Store(s) => s.into(),
        }
    }
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Rejected(r) => r.into(),
            PublishError::NotFound(_) | PublishError::NoComponent(_) | PublishError::NoDraft(_) => {
                ApiError::not_found(e.to_string())
            }
            PublishError::Stale { .. } => ApiError::new(ErrorCode::Stale, e.to_string()),
            PublishError::FeedTooLarge { .. } => {
                ApiError::new(ErrorCode::FeedTooLarge, e.to_string())
            }
            PublishError::Store(s) => s.into(),
            PublishError::Signing(s) => ApiError::internal(s),
            PublishError::Randomness(s) => ApiError::internal(s),
            PublishError::Edge => ApiError::new(ErrorCode::Forbidden, e.to_string()),
            PublishError::NothingToServe | PublishError::Unverified { .. } => {
                ApiError::new(ErrorCode::Unavailable, e.to_string())
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => {
                tracing::warn!("gave up after other publishers kept writing first");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "other publishers kept writing first; nothing was changed, try again shortly",
                )
                .retry_after(std::time::Duration::from_secs(1))
            }
            StoreError::Unavailable(reason) => {
                tracing::warn!("database unavailable: {reason}");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the database cannot be reached; nothing was changed, try again shortly",
                )
                .retry_after(std::time::Duration::from_secs(5))
            }
            e => ApiError::internal(e),
        }
    }
}

impl From<getrandom::Error> for ApiError {
    fn from(e: getrandom::Error) -> Self {
        ApiError::internal(format!("no randomness: {e}"))
    }
}
