//! A feed source — a local file or an http(s) URL — loaded with the signature beside it
//! (`<source>.minisig`), or with the signature inside when the source is a bundle
//! (`feed.bundle.json`, [`svetofor_feed::Bundle`]).

use std::io::Read;
use std::path::Path;

use svetofor_feed::MAX_DOCUMENT_BYTES;

use crate::fetch::{FetchError, Fetcher};

/// Largest signature file read. A minisign signature is about 300 bytes.
const MAX_SIGNATURE_BYTES: u64 = 16 * 1024;

/// A document and, if one was found, its signature.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file path or URL it was read from.
    pub origin: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// Where the signature was looked for.
    pub signature_origin: String,
    /// The signature text, when one was there.
    pub signature: Option<String>,
}

/// Why a source could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// A network error.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A local file could not be read.
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    /// A local file is larger than any feed may be.
    #[error("{path}: {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{origin}: the signature is not text (not UTF-8)")]
    SignatureNotText {
        /// Where it was read.
        origin: String,
    },
}

/// True when `source` names a URL rather than a file.
pub fn is_url(source: &str) -> bool {
    source.contains("://")
}

fn read_limited(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, SourceError> {
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SourceError::File {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let mut bytes = Vec::new();
    // Read one byte past the limit to tell "exactly at the limit" from "over it".
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| SourceError::File {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > limit {
        let size = std::fs::metadata(path)
            .map(|m| m.len())
            .unwrap_or(limit + 1);
        return Err(SourceError::TooLarge {
            path: shown,
            size,
            limit,
        });
    }
    Ok(Some(bytes))
}

fn signature_text(origin: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    String::from_utf8(bytes).map_err(|_| SourceError::SignatureNotText {
        origin: origin.to_owned(),
    })
}

fn unbundled(source: &str, b: svetofor_feed::Bundle) -> Loaded {
    Loaded {
        origin: source.to_owned(),
        bytes: b.feed.into_bytes(),
        signature_origin: source.to_owned(),
        signature: Some(b.signature),
    }
}

/// Loads `source` and the signature beside it. A missing signature is not an error here:
/// whether one is required is the caller's decision.
pub async fn load(source: &str, fetcher: &Fetcher) -> Result<Loaded, SourceError> {
    let signature_origin = format!("{source}.minisig");
    if is_url(source) {
        let doc = fetcher.get(source).await?;
        if let Some(b) = svetofor_feed::Bundle::read(&doc.bytes) {
            return Ok(unbundled(source, b));
        }
        let signature = match fetcher.get_optional(&signature_origin).await? {
            Some(f) => Some(signature_text(&signature_origin, f.bytes)?),
            None => None,
        };
        Ok(Loaded {
            origin: source.to_owned(),
            bytes: doc.bytes,
            signature_origin,
            signature,
        })
    } else {
        let bytes =
            read_limited(Path::new(source), MAX_DOCUMENT_BYTES as u64)?.ok_or_else(|| {
                SourceError::File {
                    path: source.to_owned(),
                    reason: "no such file".to_owned(),
                }
            })?;
        if let Some(b) = svetofor_feed::Bundle::read(&bytes) {
            return Ok(unbundled(source, b));
        }
        let signature = match read_limited(Path::new(&signature_origin), MAX_SIGNATURE_BYTES)? {
            Some(b) => Some(signature_text(&signature_origin, b)?),
            None => None,
        };
        Ok(Loaded {
            origin: source.to_owned(),
            bytes,
            signature_origin,
            signature,
        })
    }
}
