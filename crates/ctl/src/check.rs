//! `check`: read, verify and show a feed.

use svetofor_client::config::{self, KeyArgError};
use svetofor_client::feed_check::{self, CheckError};
use svetofor_client::{Fetcher, FetcherOptions};
use svetofor_feed::TrustedKey;

use crate::render;
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
    feed_check::check(source, trusted, &fetcher)
        .await
        .map_err(|e| match e {
            CheckError::Unreadable(_) => Failure::unreadable(e.to_string()),
            _ => Failure::rejected(e.to_string()),
        })
}
