//! Why a change was not made: one error for every publisher call, mapped to an HTTP answer by
//! the server.

use svetofor_feed::MAX_DOCUMENT_BYTES;
use svetofor_store::StoreError;

use crate::notices::Rejected;

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The request is wrong.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// The change was made from an older version of the notice: nothing was written.
    #[error(
        "notice {id} changed since the version this change was made from ({}): read it again (version {version}) and decide",
        super::meanwhile::described(meanwhile)
    )]
    Stale {
        /// The notice.
        id: String,
        /// Its version now.
        version: String,
        /// What changed since, oldest first.
        meanwhile: Vec<super::meanwhile::Meanwhile>,
    },
    /// No such notice.
    #[error("no notice with id \"{0}\"")]
    NotFound(String),
    /// No such draft (or it was published or deleted already).
    #[error("no draft with id \"{0}\" (published or deleted already?)")]
    NoDraft(String),
    /// No such component.
    #[error("no component with id \"{0}\"")]
    NoComponent(String),
    /// The feed would be too large.
    #[error(
        "the feed would be {size} bytes, more than the {MAX_DOCUMENT_BYTES} clients accept; resolve or shorten open notices"
    )]
    FeedTooLarge {
        /// The size it would have.
        size: usize,
    },
    /// Storage failed; nothing was published.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Signing failed; nothing was published.
    #[error("signing failed: {0}")]
    Signing(#[source] svetofor_feed::KeyError),
    /// The OS gave no randomness for a new id; nothing was published.
    #[error("no randomness for a new id: {0}")]
    Randomness(#[from] getrandom::Error),
    /// An edge replica has no signing key: it serves what the signing replicas stored.
    #[error(
        "this is an edge replica: it serves the feed only; send changes to a publishing replica"
    )]
    Edge,
    /// An edge replica found nothing to serve.
    #[error(
        "the database holds no signed feed yet: start a publishing replica (with the signing key) first"
    )]
    NothingToServe,
    /// What the database holds was not signed by the feed's key.
    #[error("the stored feed (seq {seq}) does not verify with the feed's public key: {reason}")]
    Unverified {
        /// The stored document's seq.
        seq: u64,
        /// Why it failed.
        reason: String,
    },
}

impl PublishError {
    pub(super) fn is_conflict(&self) -> bool {
        matches!(self, PublishError::Store(StoreError::Conflict { .. }))
    }
}
