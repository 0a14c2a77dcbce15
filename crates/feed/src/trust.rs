//! Accepting a document: signature over the bytes first, then parsing, expiry and replay.

use chrono::{DateTime, Utc};

use crate::read::{MAX_DOCUMENT_BYTES, ReadError, read};
use crate::signature::{KeyId, SignatureError, TrustedKey, verify};
use crate::snapshot::Snapshot;

/// Why a document was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// Keys are pinned but no signature came with the document.
    #[error("the document is not signed, but trusted keys are configured: a signature is required")]
    Unsigned,
    /// The signature did not verify.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The document could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The document's `expires_at` has passed.
    #[error("the feed expired at {} ({} ago); its publisher has not renewed it", .at.format("%Y-%m-%d %H:%M:%S UTC"), human_duration(*.now - *.at))]
    Expired {
        /// When it expired.
        at: DateTime<Utc>,
        /// The time it was checked at.
        now: DateTime<Utc>,
    },
    /// The document's `seq` is lower than one already accepted: an old document served again.
    #[error(
        "replayed feed: its seq {seq} is lower than {highest}, already accepted from this feed"
    )]
    Replay {
        /// The document's seq.
        seq: u64,
        /// The highest seq accepted before.
        highest: u64,
    },
}

/// A rough human duration: "45 s", "12 min", "3 h 5 min", "2 days".
pub fn human_duration(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 if (s % 3600) / 60 == 0 => format!("{} h", s / 3600),
        3600..86400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        _ if s / 86400 == 1 => "1 day".to_owned(),
        _ => format!("{} days", s / 86400),
    }
}

/// A document that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// What it says.
    pub snapshot: Snapshot,
    /// The key that signed it, when it was verified.
    pub signed_by: Option<KeyId>,
}

/// The highest seq already accepted from a feed, by the feed's id: what a new document must
/// not go below.
pub trait ReplayFloor {
    /// The floor for the feed with this id, if any document of it was accepted before.
    fn floor(&self, feed_id: &str) -> Option<u64>;
}

/// One floor whatever the id (`None`: no replay check).
impl ReplayFloor for Option<u64> {
    fn floor(&self, _feed_id: &str) -> Option<u64> {
        *self
    }
}

/// A client's memory of every feed it accepted, by feed id.
impl ReplayFloor for std::collections::BTreeMap<String, u64> {
    fn floor(&self, feed_id: &str) -> Option<u64> {
        self.get(feed_id).copied()
    }
}

impl<T: ReplayFloor + ?Sized> ReplayFloor for &T {
    fn floor(&self, feed_id: &str) -> Option<u64> {
        (**self).floor(feed_id)
    }
}

/// Checks a document the way every client does before showing it.
///
/// With `trusted` keys, the signature is verified over the exact bytes before anything is
/// parsed, and an unsigned document is refused. Then the document is read, refused when it
/// has expired at `now`, and refused as a replay when its `seq` is below what `floor` holds
/// for its feed id.
pub fn accept(
    bytes: &[u8],
    signature: Option<&str>,
    trusted: &[TrustedKey],
    now: DateTime<Utc>,
    floor: impl ReplayFloor,
) -> Result<Accepted, FeedError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_DOCUMENT_BYTES,
        }
        .into());
    }
    let signed_by = if trusted.is_empty() {
        None
    } else {
        let sig = signature.ok_or(FeedError::Unsigned)?;
        Some(verify(bytes, sig, trusted)?)
    };
    let snapshot = read(bytes)?;
    check_expiry(&snapshot, now)?;
    check_seq(&snapshot, floor.floor(&snapshot.id))?;
    Ok(Accepted {
        snapshot,
        signed_by,
    })
}

/// Refuses a snapshot whose `expires_at` has passed at `now`.
pub fn check_expiry(snapshot: &Snapshot, now: DateTime<Utc>) -> Result<(), FeedError> {
    match snapshot.expires_at {
        Some(at) if at <= now => Err(FeedError::Expired { at, now }),
        _ => Ok(()),
    }
}

/// Refuses a snapshot whose `seq` is lower than `highest_seq`. An equal seq is the same
/// document again and is fine.
pub fn check_seq(snapshot: &Snapshot, highest_seq: Option<u64>) -> Result<(), FeedError> {
    match (snapshot.seq, highest_seq) {
        (Some(seq), Some(highest)) if seq < highest => Err(FeedError::Replay { seq, highest }),
        _ => Ok(()),
    }
}
