//! `check`: read, verify and show a feed.

use chrono::Utc;
use svetofor_client::config::{self, KeyArgError};
use svetofor_client::{Fetcher, FetcherOptions, SourceError, load};
use svetofor_feed::signature::signature_key_id;
use svetofor_feed::{FeedError, TrustedKey, accept};

use crate::render::{self, SignatureReport};
use crate::{Failure, exit};

/// Reads a `--pubkey` argument: a path to a minisign .pub file, or the key itself.
pub fn parse_pubkey(arg: &str) -> Result<TrustedKey, Failure> {
    config::key_from_arg(arg).map_err(key_failure)
}

/// The exit code for a refused key: unreadable file 3, a file that is no key 1, usage 2.
pub fn key_failure(e: KeyArgError) -> Failure {
    let code = match e {
        KeyArgError::Unreadable(_) => exit::UNREADABLE,
        KeyArgError::NotAKeyFile(_) => exit::REJECTED,
        KeyArgError::Invalid(_) => exit::USAGE,
    };
    Failure {
        code,
        message: format!("--pubkey {e}"),
    }
}

pub fn run(
    source: &str,
    pubkeys: &[String],
    json: bool,
    lang: Option<&str>,
) -> Result<(), Failure> {
    let trusted = pubkeys
        .iter()
        .map(|k| parse_pubkey(k))
        .collect::<Result<Vec<_>, _>>()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unreadable(format!("cannot start the async runtime: {e}")))?;
    let result = runtime.block_on(check(source, &trusted));
    match result {
        Ok(report) => {
            if json {
                println!("{}", render::json(&report, lang));
            } else {
                print!("{}", render::text(&report, lang));
            }
            Ok(())
        }
        Err(f) => {
            if json {
                println!("{}", render::json_error(&f.message, f.code));
            }
            Err(f)
        }
    }
}

async fn check(source: &str, trusted: &[TrustedKey]) -> Result<render::Report, Failure> {
    let fetcher =
        Fetcher::new(FetcherOptions::default()).map_err(|e| Failure::unreadable(e.to_string()))?;
    let loaded = load(source, &fetcher).await.map_err(|e| match e {
        SourceError::SignatureNotText { .. } => Failure::rejected(e.to_string()),
        SourceError::TooLarge { .. } => Failure::rejected(e.to_string()),
        _ => Failure::unreadable(e.to_string()),
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
        FeedError::Unsigned => Failure::rejected(format!(
            "{}: not signed: there is no signature at {}, and --pubkey requires one",
            loaded.origin, loaded.signature_origin
        )),
        e => Failure::rejected(format!("{}: {e}", loaded.origin)),
    })?;
    let signature = match (accepted.signed_by, &loaded.signature) {
        (Some(key), _) => SignatureReport::Verified { key },
        (None, Some(sig)) => SignatureReport::Unverified {
            key: signature_key_id(sig).ok(),
        },
        (None, None) => SignatureReport::Absent,
    };
    Ok(render::Report {
        origin: loaded.origin,
        snapshot: accepted.snapshot,
        signature,
        now,
    })
}
