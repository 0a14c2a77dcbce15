//! Bearer tokens and roles. A token is `svt_<id>_<secret>`; the store keeps its id (to find
//! the row) and the SHA-256 of the whole token, compared in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use svetofor_store::{Store, StoreError, TokenRecord};

pub use svetofor_api::Role;

/// Who made a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: String,
    /// Token name.
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// How the audit log names this caller.
    pub fn actor(&self) -> String {
        format!("token:{} ({})", self.name, self.token_id)
    }
}

fn random_string(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(URL_SAFE_NO_PAD.encode(buf).replace(['-', '_'], "x"))
}

/// A random id of about `bytes * 8` bits, from the OS generator, in `[A-Za-z0-9]`.
pub fn random_id(bytes: usize) -> Result<String, getrandom::Error> {
    random_string(bytes)
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Makes a token; returns the secret text (shown once) and the record to store.
pub fn new_token(
    name: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<(String, TokenRecord), getrandom::Error> {
    let id = random_string(9)?;
    let secret = random_string(32)?;
    let token = format!("svt_{id}_{secret}");
    let record = TokenRecord {
        id,
        name: name.to_owned(),
        role,
        hash: hash(&token),
        created_at: now,
        revoked_at: None,
    };
    Ok((token, record))
}

/// Why a token was not accepted. Deliberately vague to the caller; precise in logs.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    #[error("missing bearer token")]
    Missing,
    /// Unknown, revoked or wrong token.
    #[error("invalid or revoked token")]
    Invalid,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a presented token against the store.
pub fn verify(store: &dyn Store, presented: &str) -> Result<Caller, AuthError> {
    let id = presented
        .strip_prefix("svt_")
        .and_then(|rest| rest.split_once('_'))
        .map(|(id, _)| id)
        .filter(|id| !id.is_empty() && id.len() <= 32)
        .ok_or(AuthError::Invalid)?;
    let record = store.token(id)?.ok_or(AuthError::Invalid)?;
    let matches: bool = hash(presented).ct_eq(&record.hash).into();
    if !matches || record.revoked_at.is_some() {
        return Err(AuthError::Invalid);
    }
    Ok(Caller {
        token_id: record.id,
        name: record.name,
        role: record.role,
    })
}
