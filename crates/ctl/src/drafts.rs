//! Drafts from the terminal: `post --draft`/`--publish-at`, `list --drafts`, `publish ID`.

use clap::Args;
use svetofor_api::DraftBody;
use svetofor_api::client::ApiClient;

use crate::Failure;
use crate::failure::block_on;
use crate::render::clean;
use crate::support::{Conn, client};

/// `publish` options.
#[derive(Args)]
pub struct PublishArgs {
    #[command(flatten)]
    conn: Conn,
    /// The draft id (printed by `post --draft`, listed by `list --drafts`).
    id: String,
}

/// Saves a draft and prints its id alone on stdout.
pub fn save(api: &ApiClient, body: &DraftBody) -> Result<(), Failure> {
    let d = block_on(api.create_draft(body))??;
    match d.publish_at {
        Some(t) => eprintln!(
            "Saved draft \"{}\"; it will be published at {}.",
            clean(title(&d.notice)),
            t.format("%Y-%m-%d %H:%M UTC")
        ),
        None => eprintln!(
            "Saved draft \"{}\"; publish it with: svetoforctl publish {}",
            clean(title(&d.notice)),
            d.id
        ),
    }
    println!("{}", d.id);
    Ok(())
}

fn title(n: &svetofor_api::NewNotice) -> &str {
    n.title.as_ref().map_or("", |t| t.get("", ""))
}

/// Lists drafts, one line (or one JSON object) each.
pub fn list(api: &ApiClient, json: bool) -> Result<(), Failure> {
    let drafts = block_on(api.drafts())??.drafts;
    if drafts.is_empty() && !json {
        eprintln!("No drafts.");
    }
    for d in &drafts {
        if json {
            println!("{}", serde_json::to_string(d).unwrap_or_default());
            continue;
        }
        let when = d.publish_at.map_or_else(
            || "not scheduled".to_owned(),
            |t| format!("at {}", t.format("%Y-%m-%d %H:%M UTC")),
        );
        let severity = d.notice.severity.map_or("?", |s| s.as_str());
        let error = d
            .last_error
            .as_deref()
            .map(|e| format!("  (not published: {})", clean(e)))
            .unwrap_or_default();
        println!(
            "{}  {:<6} {:<20} {}{error}",
            d.id,
            severity,
            when,
            clean(title(&d.notice))
        );
    }
    Ok(())
}

/// Publishes a draft now; prints the notice's id alone on stdout.
pub fn publish(a: PublishArgs) -> Result<(), Failure> {
    let api = client(&a.conn)?;
    let n = block_on(api.publish_draft(&a.id))??;
    eprintln!(
        "Published {} {} notice \"{}\".",
        n.severity,
        n.kind,
        clean(n.title.get("", ""))
    );
    println!("{}", n.id);
    Ok(())
}
