//! The signed document: what the feed says about itself, how a set of notices becomes the
//! bytes every client gets (plain, gzip-compressed, and as the event on `/events`), and the
//! seq it carries.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use http::HeaderValue;
use serde::Serialize;
use svetofor_feed::{Component, Feed, MAX_DOCUMENT_BYTES, Notice, SigningKey, Text};

use super::PublishError;
use crate::notices;

/// What the feed says about itself.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// Feed id.
    pub id: String,
    /// Feed name.
    pub name: String,
    /// Language of plain texts.
    pub default_language: String,
    /// How long a document stays valid; it is re-signed when half of this has passed.
    pub ttl: Duration,
    /// How long resolved notices stay in the feed.
    pub history: Duration,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            id: "svetofor".to_owned(),
            name: "Service status".to_owned(),
            default_language: "en".to_owned(),
            ttl: Duration::from_secs(3600),
            history: Duration::from_secs(72 * 3600),
        }
    }
}

/// A signed feed document, ready to serve.
#[derive(Debug)]
pub struct Published {
    pub seq: u64,
    /// The exact bytes of `feed.json` (cheap to clone into every response).
    pub bytes: Bytes,
    /// The `.minisig` text.
    pub signature: String,
    /// The same text as response bytes.
    pub signature_bytes: Bytes,
    /// Strong ETag of the bytes, as a header value.
    pub etag: HeaderValue,
    /// The same bytes gzip-compressed once, for clients that accept it (the signature is
    /// over the uncompressed bytes, which is what clients check after decoding).
    pub gzip: Bytes,
    /// Strong ETag of the gzip representation (another representation, another tag).
    pub gzip_etag: HeaderValue,
    /// Strong ETag of the signature.
    pub signature_etag: HeaderValue,
    /// `Last-Modified` (the generation time).
    pub last_modified: HeaderValue,
    pub generated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The whole `snapshot` event as sent on `/events`, built once: every subscriber's
    /// stream holds a reference to these bytes, never a copy.
    pub event_frame: Bytes,
    /// `feed.bundle.json`: the document and its signature in one object, for CDNs.
    pub bundle: Bytes,
    /// Strong ETag of the bundle.
    pub bundle_etag: HeaderValue,
}

#[derive(Serialize)]
struct EventData<'a> {
    seq: u64,
    feed: &'a str,
    signature: &'a str,
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn etag_of(bytes: &[u8]) -> HeaderValue {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("hex is a valid header value")
}

/// The components a feed of `notices` lists: those an admin named, and those a notice in it
/// names. One created only by a notice leaves with the last notice naming it, so ids used
/// once do not fill the feed's 1 MiB for ever.
fn shown_components(components: &[Component], notices: &[Notice]) -> Vec<Component> {
    // A set, not a search per component: an attack once left thousands of ids behind.
    let named: HashSet<&str> = notices
        .iter()
        .flat_map(|n| n.components.iter().map(String::as_str))
        .collect();
    let mut out: Vec<Component> = components
        .iter()
        .filter(|c| !notices::is_implicit(c) || named.contains(c.id.as_str()))
        .cloned()
        .collect();
    // A notice kept as history may name a component removed since: the feed must still
    // list every id its notices name.
    let listed: HashSet<String> = out.iter().map(|c| c.id.clone()).collect();
    let mut missing: Vec<&str> = named
        .into_iter()
        .filter(|id| !listed.contains(*id))
        .collect();
    missing.sort_unstable();
    out.extend(missing.into_iter().map(|id| Component {
        id: id.to_owned(),
        name: Text::Plain(id.to_owned()),
        group: None,
        status: None,
    }));
    out
}

/// Builds and signs the feed document for `notices` at `now`. Closed notices older than the
/// history window are left out; if the document is still too large, the oldest closed ones
/// go first. Open notices are never dropped: that is an error instead.
pub fn render(
    settings: &FeedSettings,
    key: &SigningKey,
    notices: &BTreeMap<String, Notice>,
    components: &[Component],
    seq: u64,
    now: DateTime<Utc>,
) -> Result<Published, PublishError> {
    let history_start = now - TimeDelta::from_std(settings.history).unwrap_or(TimeDelta::days(3));
    let mut list: Vec<Notice> = notices
        .values()
        .filter(|n| !n.state.is_final() || n.updated_at >= history_start)
        .cloned()
        .collect();
    list.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut feed = Feed {
        format: svetofor_feed::v1::FORMAT_TAG.to_owned(),
        id: settings.id.clone(),
        name: settings.name.clone(),
        default_language: settings.default_language.clone(),
        seq,
        generated_at: now,
        expires_at: now + TimeDelta::from_std(settings.ttl).unwrap_or(TimeDelta::hours(1)),
        components: shown_components(components, &list),
        notices: list,
    };
    let mut bytes = feed.to_bytes();
    while bytes.len() > MAX_DOCUMENT_BYTES {
        let oldest_closed = feed
            .notices
            .iter()
            .enumerate()
            .filter(|(_, n)| n.state.is_final())
            .min_by_key(|(_, n)| n.updated_at)
            .map(|(i, _)| i);
        match oldest_closed {
            Some(i) => {
                feed.notices.remove(i);
                feed.components = shown_components(components, &feed.notices);
                bytes = feed.to_bytes();
            }
            None => return Err(PublishError::FeedTooLarge { size: bytes.len() }),
        }
    }
    let comment = format!("svetofor feed {} seq {seq}", settings.id);
    let signature = key.sign(&bytes, &comment).map_err(PublishError::Signing)?;
    Ok(assemble(
        seq,
        bytes,
        signature,
        feed.generated_at,
        feed.expires_at,
    ))
}

impl Published {
    /// A document another publisher signed and stored (a shared database): served as its
    /// exact bytes, so every publisher answers with the same ETag. `None` if it does not
    /// read as a feed (then it is not served).
    pub fn from_stored(stored: &svetofor_store::StoredDocument) -> Option<Published> {
        #[derive(serde::Deserialize)]
        struct Times {
            generated_at: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        }
        let times: Times = serde_json::from_str(&stored.document).ok()?;
        Some(assemble(
            stored.seq,
            stored.document.as_bytes().to_vec(),
            stored.signature.clone(),
            times.generated_at,
            times.expires_at,
        ))
    }
}

/// Everything served for one signed document, built once.
fn assemble(
    seq: u64,
    bytes: Vec<u8>,
    signature: String,
    generated_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Published {
    let text = String::from_utf8_lossy(&bytes);
    // JSON escapes newlines, so the data is one line, as a `data:` field must be.
    let event_data = serde_json::to_string(&EventData {
        seq,
        feed: &text,
        signature: &signature,
    })
    .expect("event data serializes");
    let event_frame = format!("event: snapshot\nid: {seq}\ndata: {event_data}\n\n");
    let last_modified = generated_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let gzip = gzip(&bytes);
    let bundle = svetofor_feed::Bundle::new(seq, &bytes, &signature)
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    Published {
        bundle_etag: etag_of(&bundle),
        bundle: Bytes::from(bundle),
        seq,
        etag: etag_of(&bytes),
        gzip_etag: etag_of(&gzip),
        gzip: Bytes::from(gzip),
        signature_etag: etag_of(signature.as_bytes()),
        last_modified: HeaderValue::from_str(&last_modified)
            .expect("an HTTP date is a valid header value"),
        generated_at,
        expires_at,
        bytes: Bytes::from(bytes),
        signature_bytes: Bytes::from(signature.clone()),
        signature,
        event_frame: Bytes::from(event_frame),
    }
}

/// The seq of the document after `last` at `now`: above every seq published before, and
/// at least the milliseconds since the epoch, so a publisher whose database was lost or
/// replaced still publishes above what every client has seen.
pub fn next_seq(last: u64, now: DateTime<Utc>) -> u64 {
    let clock = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    last.saturating_add(1).max(clock)
}

/// Writes `feed.bundle.json`, `feed.json` and `feed.json.minisig` into `dir`, each atomically.
pub fn write_pair(dir: &std::path::Path, p: &Published) -> std::io::Result<()> {
    use svetofor_atomic::{Mode, write_atomic};
    std::fs::create_dir_all(dir)?;
    // The bundle first: it is whole by itself, while the pair is two files a reader may
    // catch half-replaced.
    write_atomic(&dir.join("feed.bundle.json"), &p.bundle, Mode::Public)?;
    write_atomic(&dir.join("feed.json"), &p.bytes, Mode::Public)?;
    write_atomic(
        &dir.join("feed.json.minisig"),
        p.signature.as_bytes(),
        Mode::Public,
    )
}
