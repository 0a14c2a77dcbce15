//! Reading a document of any supported format: size limit, format detection, parsing.

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::snapshot::{Format, Snapshot};
use crate::statuspage;
use crate::v1::{FORMAT_TAG, Feed};

/// Documents larger than this are refused before parsing.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Larger than [`MAX_DOCUMENT_BYTES`].
    #[error("document is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The document's size in bytes.
        size: usize,
        /// The most a client reads, in bytes ([`MAX_DOCUMENT_BYTES`]).
        limit: usize,
    },
    /// Not JSON, or JSON of the wrong shape.
    #[error("malformed {what} at line {line}, column {column}: {message}")]
    Malformed {
        /// What was being read ("JSON", "Svetofor feed", "Statuspage summary").
        what: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's words.
        message: String,
    },
    /// Valid JSON, but neither a Svetofor feed nor a Statuspage summary.
    #[error(
        "not a status feed: expected a Svetofor feed (\"format\": \"{FORMAT_TAG}\") or a Statuspage summary.json (\"page\" and \"status\")"
    )]
    UnknownFormat,
    /// A Svetofor feed of a version this program does not read.
    #[error("unsupported feed format \"{found}\" (this version reads \"{FORMAT_TAG}\")")]
    UnsupportedVersion {
        /// The `format` value found.
        found: String,
    },
    /// Parsed, but breaks a rule of its format.
    #[error("invalid {format} document: {path}: {message}")]
    Invalid {
        /// Which format.
        format: Format,
        /// Where, as a JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ReadError {
    fn malformed(what: &'static str, e: &serde_json::Error) -> Self {
        // serde_json appends " at line L column C" to its own message; we report those apart.
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_owned(),
            None => full,
        };
        ReadError::Malformed {
            what,
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// Just enough of a document to tell its format, read without building the rest.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    page: Option<IgnoredAny>,
    #[serde(default)]
    status: Option<IgnoredAny>,
}

/// Tells the format of a document from its content.
pub fn detect(bytes: &[u8]) -> Result<Format, ReadError> {
    check_size(bytes)?;
    let probe: Probe = match serde_json::from_slice(bytes) {
        Ok(p) => p,
        Err(e) if e.is_data() => return Err(ReadError::UnknownFormat),
        Err(e) => return Err(ReadError::malformed("JSON", &e)),
    };
    match probe.format {
        Some(serde_json::Value::String(f)) if f == FORMAT_TAG => Ok(Format::SvetoforV1),
        Some(serde_json::Value::String(f)) if f.starts_with("svetofor/") => {
            Err(ReadError::UnsupportedVersion { found: f })
        }
        Some(_) => Err(ReadError::UnknownFormat),
        None if probe.page.is_some() && probe.status.is_some() => Ok(Format::StatuspageV2),
        None => Err(ReadError::UnknownFormat),
    }
}

fn check_size(bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    Ok(())
}

/// Reads a Svetofor v1 feed, checking every rule of the format.
pub fn read_v1(bytes: &[u8]) -> Result<Feed, ReadError> {
    check_size(bytes)?;
    let feed: Feed =
        serde_json::from_slice(bytes).map_err(|e| ReadError::malformed("Svetofor feed", &e))?;
    feed.validate().map_err(|e| ReadError::Invalid {
        format: Format::SvetoforV1,
        path: e.path,
        message: e.message,
    })?;
    Ok(feed)
}

/// Reads a Statuspage v2 `summary.json`.
pub fn read_statuspage(bytes: &[u8]) -> Result<Snapshot, ReadError> {
    check_size(bytes)?;
    statuspage::parse(bytes)
        .map_err(|e| ReadError::malformed("Statuspage summary", &e))?
        .map_err(|e| ReadError::Invalid {
            format: Format::StatuspageV2,
            path: e.path,
            message: e.message,
        })
}

/// Reads a document of any supported format into a [`Snapshot`].
pub fn read(bytes: &[u8]) -> Result<Snapshot, ReadError> {
    match detect(bytes)? {
        Format::SvetoforV1 => Ok(read_v1(bytes)?.into_snapshot()),
        Format::StatuspageV2 => read_statuspage(bytes),
    }
}
