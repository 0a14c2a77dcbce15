//! The settings window's messages in the user's language: why a field was refused, and what
//! the Check button found. The reader's own words stay beside them as a detail for admins.

use chrono::FixedOffset;
use serde::Serialize;
use svetofor_feed::{FeedError, ReadError, Severity, SignatureError};

use crate::i18n::{Arg, Catalog};
use crate::labels;
use crate::settings::{FieldError, Problem};
use crate::tray::one_line;
use svetofor_client::feed_check::{CheckError, Checked, SignatureCheck};
use svetofor_client::fetch::FetchError;
use svetofor_client::source::SourceError;

/// Longest feed name or value quoted back in a message.
const QUOTED: usize = 80;

/// The message shown next to a refused field.
pub fn error_text(cat: &Catalog, e: &FieldError) -> String {
    let value = one_line(e.value.as_deref().unwrap_or(""), QUOTED);
    let detail = one_line(&e.message, 300);
    match e.problem {
        Problem::NotWebUrl => cat.tr("settings-error-feeds", &[("value", Arg::from(&value))]),
        Problem::NotAKey => cat.tr(
            "settings-error-public-keys",
            &[("value", Arg::from(&value))],
        ),
        Problem::IntervalRange => cat.t("settings-error-poll-interval"),
        Problem::NotALanguage => cat.t("settings-error-language"),
        Problem::NoComponents => cat.t("settings-error-components"),
        Problem::File => cat.tr("settings-error-file", &[("detail", Arg::from(&detail))]),
        Problem::Other => cat.tr("settings-error-other", &[("detail", Arg::from(&detail))]),
    }
}

/// What the Check button shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The feed can be used as it is.
    pub ok: bool,
    /// The status it gives now, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Severity>,
    /// The result in words.
    pub text: String,
    /// The technical reason, for an administrator (English, as `svetoforctl check` says it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn fetch_text(cat: &Catalog, e: &FetchError) -> String {
    match e {
        FetchError::BadUrl { url } => cat.tr(
            "settings-error-feeds",
            &[("value", Arg::from(&one_line(url, QUOTED)))],
        ),
        FetchError::Timeout { .. } => cat.t("check-timeout"),
        FetchError::Status { status, .. } => {
            cat.tr("check-http", &[("status", Arg::Num(i64::from(*status)))])
        }
        FetchError::TooLarge { .. } => cat.t("check-too-large"),
        FetchError::Connect { .. } | FetchError::Redirect { .. } | FetchError::Other { .. } => {
            cat.t("check-unreachable")
        }
    }
}

fn rejected_text(cat: &Catalog, e: &FeedError, tz: FixedOffset) -> String {
    match e {
        FeedError::Unsigned => cat.t("check-unsigned"),
        FeedError::Signature(SignatureError::UnknownKey { found, .. }) => cat.tr(
            "check-unknown-key",
            &[("key", Arg::from(found.to_string().as_str()))],
        ),
        FeedError::Signature(SignatureError::BadSignature { .. }) => cat.t("check-bad-signature"),
        FeedError::Signature(_) => cat.t("check-bad-signature"),
        FeedError::Read(ReadError::TooLarge { .. }) => cat.t("check-too-large"),
        FeedError::Read(_) => cat.t("check-not-a-feed"),
        FeedError::Expired { at, now } => cat.tr(
            "check-expired",
            &[("time", Arg::from(&labels::at(cat, *at, *now, tz)))],
        ),
        FeedError::Replay { .. } => cat.t("check-not-a-feed"),
    }
}

/// The Check button's result in words: the status the feed gives and whether it is signed
/// by a trusted key, or why it cannot be used.
pub fn check_report(
    cat: &Catalog,
    result: &Result<Checked, CheckError>,
    tz: FixedOffset,
) -> CheckReport {
    match result {
        Ok(c) => {
            let status = c.snapshot.status(c.now);
            let name = one_line(&c.snapshot.name, QUOTED);
            let word = labels::status_word(cat, Some(status));
            let works = cat.tr(
                "check-ok",
                &[("name", Arg::from(&name)), ("status", Arg::from(&word))],
            );
            let signed = match &c.signature {
                SignatureCheck::Verified { key } => cat.tr(
                    "check-signed",
                    &[("key", Arg::from(key.to_string().as_str()))],
                ),
                SignatureCheck::Unverified { .. } | SignatureCheck::Absent => {
                    cat.t("check-not-verified")
                }
            };
            CheckReport {
                ok: true,
                status: Some(status),
                text: format!("{works} {signed}"),
                detail: None,
            }
        }
        Err(e) => {
            let text = match e {
                CheckError::Unreadable(SourceError::Fetch(f))
                | CheckError::Unusable(SourceError::Fetch(f)) => fetch_text(cat, f),
                CheckError::Unreadable(_) => cat.t("check-unreachable"),
                CheckError::Unusable(SourceError::TooLarge { .. }) => cat.t("check-too-large"),
                CheckError::Unusable(_) => cat.t("check-bad-signature"),
                CheckError::Unsigned { .. } => cat.t("check-unsigned"),
                CheckError::Rejected { error, .. } => rejected_text(cat, error, tz),
            };
            CheckReport {
                ok: false,
                status: None,
                text,
                detail: Some(one_line(&e.to_string(), 300)),
            }
        }
    }
}

/// The Check button's answer when a public key in the form is not valid: the feed cannot be
/// checked against keys that do not read.
pub fn check_bad_key(cat: &Catalog, e: &FieldError) -> CheckReport {
    CheckReport {
        ok: false,
        status: None,
        text: cat.t("check-bad-key"),
        detail: Some(one_line(&e.message, 300)),
    }
}
