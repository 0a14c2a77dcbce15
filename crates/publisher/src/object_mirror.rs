//! The feed on an S3-compatible object store, a CDN's origin (`--mirror s3://bucket/prefix`).
//!
//! After every new document the bundle, `feed.json` and `feed.json.minisig` are uploaded,
//! each with a conditional PUT on what was read just before: an object already holding the
//! same or a newer seq is left alone, so a slow replica (or one that was partitioned away)
//! never puts an older feed back over a newer one. Credentials, region and endpoint come
//! from the usual `AWS_*` variables, never from the URL.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
pub use object_store::aws::AmazonS3Builder;
use object_store::aws::{AmazonS3, S3ConditionalPut};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, BackoffConfig, ObjectStore, ObjectStoreExt, PutMode, PutOptions,
    RetryConfig, UpdateVersion,
};
use tokio::sync::watch;

use crate::publisher::Published;

/// How often one object is read and written again after other writers changed it between.
const TRIES: usize = 10;

/// Longest wait between attempts while the store keeps failing.
const MOST_BACKOFF: Duration = Duration::from_secs(60);

/// Why the mirror could not be set up or an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// The `--mirror` value is not an `s3://bucket/prefix` URL.
    #[error(
        "--mirror {0}: an s3://bucket/prefix URL (credentials and endpoint from AWS_* variables)"
    )]
    Url(String),
    /// The object store refused the configuration or a request.
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    /// Other writers kept changing the object between our read and our write.
    #[error("{0}: changed by other writers {TRIES} times in a row")]
    Contended(String),
}

/// What one upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Uploaded {
    /// Objects written.
    pub written: usize,
    /// The newest seq found already in the store, when it was at least ours (those objects
    /// were left alone).
    pub newer: Option<u64>,
}

/// An S3 bucket and prefix the feed is kept in.
#[derive(Debug, Clone)]
pub struct ObjectMirror {
    store: Arc<AmazonS3>,
    prefix: Path,
    url: String,
}

/// Reads the seq an object holds, when it is one of ours.
type SeqOf = fn(&[u8]) -> Option<u64>;

enum Put {
    Written,
    Kept { stored: u64 },
}

impl ObjectMirror {
    /// The mirror at `url` (`s3://bucket` or `s3://bucket/prefix`), configured from the
    /// environment's `AWS_*` variables (`AWS_ENDPOINT_URL` for a store other than AWS).
    pub fn new(url: &str) -> Result<Self, MirrorError> {
        Self::configured(url, AmazonS3Builder::from_env())
    }

    /// The mirror at `url`, with the rest of its configuration from `builder`.
    pub fn configured(url: &str, builder: AmazonS3Builder) -> Result<Self, MirrorError> {
        let refused = || MirrorError::Url(shown(url));
        let parsed = url::Url::parse(url).map_err(|_| refused())?;
        if parsed.scheme() != "s3"
            || parsed.host_str().is_none_or(str::is_empty)
            || !parsed.username().is_empty()
            || parsed.password().is_some()
            || parsed.query().is_some()
        {
            return Err(refused());
        }
        // A request retried for minutes would hold an old document back; `run` retries
        // itself, each time with the newest one.
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(2),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(15),
        };
        let store = builder
            .with_url(url)
            .with_retry(retry)
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            .build()?;
        Ok(ObjectMirror {
            store: Arc::new(store),
            prefix: Path::from(parsed.path().trim_matches('/')),
            url: url.to_owned(),
        })
    }

    /// Uploads `p` unless the store holds the same or a newer seq: the bundle first (whole
    /// by itself), then the pair.
    pub async fn upload(&self, p: &Published, now: DateTime<Utc>) -> Result<Uploaded, MirrorError> {
        let cache = cache_control(p.expires_at, now);
        let objects: [(&str, Bytes, &str, SeqOf); 3] = [
            (
                "feed.bundle.json",
                p.bundle.clone(),
                "application/json",
                seq_of_bundle,
            ),
            (
                "feed.json",
                p.bytes.clone(),
                "application/json",
                seq_of_feed,
            ),
            (
                "feed.json.minisig",
                p.signature_bytes.clone(),
                "text/plain; charset=utf-8",
                seq_of_signature,
            ),
        ];
        let mut done = Uploaded::default();
        for (name, body, content_type, read_seq) in objects {
            let attributes = Attributes::from_iter([
                (Attribute::ContentType, content_type.to_owned()),
                (Attribute::CacheControl, cache.clone()),
            ]);
            match self
                .put_newer(name, body, p.seq, read_seq, attributes)
                .await?
            {
                Put::Written => done.written += 1,
                Put::Kept { stored } => done.newer = done.newer.max(Some(stored)),
            }
        }
        Ok(done)
    }

    /// Writes `body` to `name` if what is there holds an older seq (or nothing, or
    /// something unreadable), on the condition that it is still what was read.
    async fn put_newer(
        &self,
        name: &str,
        body: Bytes,
        seq: u64,
        read_seq: SeqOf,
        attributes: Attributes,
    ) -> Result<Put, MirrorError> {
        let path = self.prefix.clone().join(name);
        for _ in 0..TRIES {
            let mode = match self.store.get(&path).await {
                Ok(got) => {
                    let version = UpdateVersion {
                        e_tag: got.meta.e_tag.clone(),
                        version: got.meta.version.clone(),
                    };
                    let stored = got.bytes().await?;
                    if let Some(s) = read_seq(&stored).filter(|s| *s >= seq) {
                        return Ok(Put::Kept { stored: s });
                    }
                    PutMode::Update(version)
                }
                Err(object_store::Error::NotFound { .. }) => PutMode::Create,
                Err(e) => return Err(e.into()),
            };
            let opts = PutOptions {
                mode,
                attributes: attributes.clone(),
                ..PutOptions::default()
            };
            match self.store.put_opts(&path, body.clone().into(), opts).await {
                Ok(_) => return Ok(Put::Written),
                // Another writer got there between our read and our write: read again.
                Err(
                    object_store::Error::Precondition { .. }
                    | object_store::Error::AlreadyExists { .. },
                ) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(MirrorError::Contended(path.to_string()))
    }

    /// Keeps the store up to date with the newest document of `rx` until its sender is
    /// gone. Failures are logged and retried, later each time (at most a minute apart),
    /// always with the newest document.
    pub async fn run(self, mut rx: watch::Receiver<Arc<Published>>) {
        let mut backoff = Duration::from_secs(1);
        loop {
            let p = rx.borrow_and_update().clone();
            match self.upload(&p, Utc::now()).await {
                Ok(done) => {
                    backoff = Duration::from_secs(1);
                    match done.newer {
                        Some(stored) if done.written == 0 => tracing::debug!(
                            "mirror {}: seq {} already there (it holds {stored})",
                            self.url,
                            p.seq
                        ),
                        _ => tracing::info!("mirror {}: seq {} uploaded", self.url, p.seq),
                    }
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::warn!(
                        "mirror {}: seq {}: {e}; trying again in {backoff:?}",
                        self.url,
                        p.seq
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        changed = rx.changed() => if changed.is_err() { return },
                    }
                    backoff = (backoff * 2).min(MOST_BACKOFF);
                }
            }
        }
    }
}

/// What a CDN may do with the objects: keep them briefly, serve them a little stale while it
/// fetches again, and much staler while the store fails, but never past the document's
/// expiry (a desktop would refuse it then anyway, and show its age instead).
pub fn cache_control(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = u64::try_from((expires_at - now).num_seconds()).unwrap_or(0);
    let max_age = left.min(15);
    let revalidate = left.saturating_sub(max_age).min(30);
    let on_error = left.saturating_sub(max_age).min(3600);
    format!(
        "public, max-age={max_age}, stale-while-revalidate={revalidate}, stale-if-error={on_error}"
    )
}

/// `url` for messages: never a password or key someone put in it by mistake.
fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) if url.contains('@') => "(a value that is not a URL)".to_owned(),
        Err(_) => url.to_owned(),
    }
}

fn seq_of_bundle(bytes: &[u8]) -> Option<u64> {
    svetofor_feed::Bundle::read(bytes).map(|b| b.seq)
}

fn seq_of_feed(bytes: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_slice::<Seq>(bytes).ok().map(|s| s.seq)
}

/// The seq from the trusted comment the publisher signs (`svetofor feed ID seq N`).
fn seq_of_signature(bytes: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let comment = text
        .lines()
        .find_map(|l| l.strip_prefix("trusted comment: "))?;
    let (_, seq) = comment.rsplit_once(" seq ")?;
    seq.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_never_outlives_the_document() {
        let now = Utc::now();
        assert_eq!(
            cache_control(now + chrono::TimeDelta::hours(1), now),
            "public, max-age=15, stale-while-revalidate=30, stale-if-error=3585"
        );
        assert_eq!(
            cache_control(now + chrono::TimeDelta::seconds(20), now),
            "public, max-age=15, stale-while-revalidate=5, stale-if-error=5"
        );
        assert_eq!(
            cache_control(now - chrono::TimeDelta::seconds(20), now),
            "public, max-age=0, stale-while-revalidate=0, stale-if-error=0"
        );
    }

    #[test]
    fn a_mirror_is_an_s3_url_without_secrets() {
        for bad in [
            "https://example.com/feed",
            "s3://",
            "s3://key:secret@bucket/feed",
            "bucket/feed",
            "s3://bucket/feed?x=1",
        ] {
            assert!(
                matches!(ObjectMirror::new(bad), Err(MirrorError::Url(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn seqs_are_read_from_each_object() {
        assert_eq!(
            seq_of_signature(
                b"untrusted comment: x\nRWQ...\ntrusted comment: svetofor feed main seq 42\nabc\n"
            ),
            Some(42)
        );
        assert_eq!(seq_of_feed(br#"{"format":"svetofor/1","seq": 7}"#), Some(7));
        assert_eq!(seq_of_feed(b"junk"), None);
        assert_eq!(seq_of_bundle(b"{}"), None);
    }
}
