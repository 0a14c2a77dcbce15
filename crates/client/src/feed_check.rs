//! Checking one feed source by hand, the way `svetoforctl check` and the settings window's
//! Check button do: load it with its signature, then accept it as every client would.

use chrono::{DateTime, Utc};
use svetofor_feed::signature::signature_key_id;
use svetofor_feed::{FeedError, KeyId, Snapshot, TrustedKey, accept};

use crate::fetch::Fetcher;
use crate::source::{SourceError, load};

/// What is known of a checked document's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// Verified with one of the trusted keys.
    Verified {
        /// The key that signed.
        key: KeyId,
    },
    /// Present but not checked, because no key was given. The key id, when readable.
    Unverified {
        /// The key it names.
        key: Option<KeyId>,
    },
    /// None beside the source.
    Absent,
}

/// A document that passed every check.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The file or URL it was read from.
    pub origin: String,
    /// What it says.
    pub snapshot: Snapshot,
    pub signature: SignatureCheck,
    /// When it was checked.
    pub now: DateTime<Utc>,
}

/// Why a source failed its check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// It could not be read at all (network, file system).
    #[error(transparent)]
    Unreadable(SourceError),
    /// It was read, but is not something a client may show (too large, a signature that is
    /// not text).
    #[error(transparent)]
    Unusable(SourceError),
    /// Keys are trusted but no signature was found.
    #[error(
        "{origin}: not signed: there is no signature at {signature_origin}, and --pubkey requires one"
    )]
    Unsigned {
        /// The source.
        origin: String,
        /// Where the signature was looked for.
        signature_origin: String,
    },
    /// Refused: bad or unknown signature, unreadable, expired.
    #[error("{origin}: {error}")]
    Rejected {
        /// The source.
        origin: String,
        error: FeedError,
    },
}

/// Loads `source` (a URL or a file) and checks it against `trusted` keys (none: the
/// signature is reported but not required).
pub async fn check(
    source: &str,
    trusted: &[TrustedKey],
    fetcher: &Fetcher,
) -> Result<Checked, CheckError> {
    let loaded = load(source, fetcher).await.map_err(|e| match e {
        SourceError::SignatureNotText { .. } | SourceError::TooLarge { .. } => {
            CheckError::Unusable(e)
        }
        e => CheckError::Unreadable(e),
    })?;
    let now = Utc::now();
    let accepted = accept(
        &loaded.bytes,
        loaded.signature.as_deref(),
        trusted,
        now,
        None,
    )
    .map_err(|e| match e {
        FeedError::Unsigned => CheckError::Unsigned {
            origin: loaded.origin.clone(),
            signature_origin: loaded.signature_origin.clone(),
        },
        error => CheckError::Rejected {
            origin: loaded.origin.clone(),
            error,
        },
    })?;
    let signature = match (accepted.signed_by, &loaded.signature) {
        (Some(key), _) => SignatureCheck::Verified { key },
        (None, Some(sig)) => SignatureCheck::Unverified {
            key: signature_key_id(sig).ok(),
        },
        (None, None) => SignatureCheck::Absent,
    };
    Ok(Checked {
        origin: loaded.origin,
        snapshot: accepted.snapshot,
        signature,
        now,
    })
}
