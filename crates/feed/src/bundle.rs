//! The feed and its signature in one object (`feed.bundle.json`), for CDNs and object
//! stores: they cache `feed.json` and `feed.json.minisig` apart, so a reader can get a new
//! document with an old signature (refused) until both expire. A bundle is one object: it
//! is always a matching pair.
//!
//! ```json
//! {"format": "svetofor-bundle/1", "seq": 42, "feed": "<the exact text of feed.json>",
//!  "signature": "<the text of feed.json.minisig>"}
//! ```
//!
//! The signature covers the UTF-8 bytes of `feed`, exactly as in the pair; the bundle's own
//! `seq` is a hint for caches and is not trusted (the feed's, inside, is).

use serde::{Deserialize, Serialize};

/// The bundle's format tag.
pub const BUNDLE_FORMAT: &str = "svetofor-bundle/1";

/// A feed and its signature together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The feed's seq (a hint; the signed feed's own seq is what counts).
    pub seq: u64,
    /// The exact text of `feed.json`.
    pub feed: String,
    /// The text of `feed.json.minisig`.
    pub signature: String,
}

impl Bundle {
    /// The bundle of a feed's bytes and its signature. `None` when the bytes are not UTF-8
    /// (a signed Svetofor feed always is).
    pub fn new(seq: u64, feed: &[u8], signature: &str) -> Option<Bundle> {
        Some(Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            seq,
            feed: String::from_utf8(feed.to_vec()).ok()?,
            signature: signature.to_owned(),
        })
    }

    /// The bytes to serve.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A struct of strings and a number always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The bundle in `bytes`, when they are one; `None` for anything else (a feed, a
    /// Statuspage document, junk), which the caller then reads as it would without bundles.
    pub fn read(bytes: &[u8]) -> Option<Bundle> {
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
        if bytes[start] != b'{' || !contains(bytes, BUNDLE_FORMAT.as_bytes()) {
            return None;
        }
        serde_json::from_slice::<Bundle>(bytes)
            .ok()
            .filter(|b| b.format == BUNDLE_FORMAT)
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_reads_back_and_nothing_else_is_one() {
        let b = Bundle::new(
            7,
            b"{\"format\": \"svetofor/1\"}\n",
            "untrusted comment: x\n",
        )
        .unwrap();
        assert_eq!(Bundle::read(&b.to_bytes()), Some(b.clone()));
        let pretty = serde_json::to_vec_pretty(&b).unwrap();
        assert_eq!(Bundle::read(&pretty), Some(b));
        assert_eq!(
            Bundle::read(b"{\"format\": \"svetofor/1\", \"notices\": []}"),
            None
        );
        // A feed that merely mentions the tag is still a feed.
        assert_eq!(
            Bundle::read(b"{\"format\": \"svetofor/1\", \"name\": \"svetofor-bundle/1\"}"),
            None
        );
        assert_eq!(Bundle::read(b"  "), None);
        assert_eq!(Bundle::new(1, &[0xff, 0xfe], ""), None);
    }
}
