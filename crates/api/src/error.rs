//! The one table of API errors: every refusal is
//! `{"error": {"code": "...", "message": "...", "field": ...}}` with the code's status.

use serde::{Deserialize, Serialize};

/// Why the server refused a request. `docs/api.md` lists the same table; a test keeps them
/// in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed JSON or an unknown field.
    BadRequest,
    /// A rule broken; `field` names the field at fault.
    Invalid,
    /// No token, or not a valid one.
    Unauthorized,
    /// The token's role is too low.
    Forbidden,
    /// No such notice, token or endpoint.
    NotFound,
    /// A request body over the limit.
    TooLarge,
    /// A body not sent as `application/json`.
    UnsupportedMediaType,
    /// The change was made from an older version of the notice; `message` says what
    /// changed meanwhile. Read the notice again and decide.
    Stale,
    /// The change would make the feed larger than clients accept.
    FeedTooLarge,
    /// Too many writes or event streams from one address.
    RateLimited,
    /// The server's event-stream limit is reached: poll instead.
    Busy,
    /// The database cannot be reached; nothing was changed: try again shortly.
    Unavailable,
    /// Storage or signing failed; nothing was changed.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order `docs/api.md` lists them.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::BadRequest,
        ErrorCode::Invalid,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::TooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Stale,
        ErrorCode::FeedTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Busy,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Invalid => "invalid",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Stale => "stale",
            ErrorCode::FeedTooLarge => "feed_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Busy => "busy",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status that goes with it.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest | ErrorCode::Invalid => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::TooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Stale => 409,
            ErrorCode::FeedTooLarge => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Busy | ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, in an [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine-readable; a code this version does not know reads as `None`.
    #[serde(deserialize_with = "lenient_code")]
    pub code: Option<ErrorCode>,
    /// For people, in English.
    pub message: String,
    /// The request field at fault, for `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

fn lenient_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<ErrorCode>, D::Error> {
    let raw = String::deserialize(d)?;
    Ok(ErrorCode::ALL.into_iter().find(|c| c.as_str() == raw))
}
