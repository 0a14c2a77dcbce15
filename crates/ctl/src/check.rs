//! `check`: read, verify and show a feed.

use svetofor_client::config;
use svetofor_client::feed_check;
use svetofor_client::{Fetcher, FetcherOptions};
use svetofor_feed::TrustedKey;

use crate::Failure;
use crate::failure::block_on;
use crate::render;

/// Reads a `--pubkey` argument: a path to a minisign .pub file, or the key itself.
pub fn parse_pubkey(arg: &str) -> Result<TrustedKey, Failure> {
    Ok(config::key_from_arg(arg)?)
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
    let result = block_on(check(source, &trusted))?;
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
    Ok(feed_check::check(source, trusted, &fetcher).await?)
}
