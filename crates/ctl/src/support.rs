//! `post`, `update`, `resolve`, `withdraw`, `list`: what support types.

use chrono::Utc;
use clap::Args;
use svetofor_api::client::ApiClient;
use svetofor_api::{Closing, DraftBody, NewNotice, NoticeChange, NoticeUpdate};
use svetofor_feed::{Kind, Notice, Severity, State, Text};

use crate::failure::block_on;
use crate::{Failure, when};

/// Where the server is and who is asking.
#[derive(Args)]
pub struct Conn {
    /// The publisher's URL.
    #[arg(long, env = "SVETOFOR_SERVER", default_value = "http://127.0.0.1:8380")]
    server: String,
    /// A support (or admin) token.
    #[arg(long, env = "SVETOFOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

/// The times a notice promises: its next update and a maintenance window.
#[derive(Args)]
struct Times {
    /// When support will say more: a delay (30m) or a time.
    #[arg(long, value_name = "WHEN")]
    next_update: Option<String>,
    /// Maintenance start: a time, or a delay from now.
    #[arg(long, value_name = "WHEN")]
    starts_at: Option<String>,
    /// Maintenance end: a time, or a delay from now.
    #[arg(long, value_name = "WHEN")]
    ends_at: Option<String>,
}

/// `post` options.
#[derive(Args)]
pub struct PostArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(flatten)]
    times: Times,
    /// red (outage), yellow (degradation, maintenance) or green (news, recovery).
    #[arg(long, value_parser = parse_severity)]
    severity: Severity,
    /// outage, degraded, maintenance or info. Default: from the severity.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<Kind>,
    /// Headline (at most 200 characters).
    #[arg(long)]
    title: String,
    /// Explanation (at most 4000 characters).
    #[arg(long)]
    body: Option<String>,
    /// An affected component id, one an admin named (`component set`). Repeat for several.
    #[arg(long = "component", value_name = "ID")]
    components: Vec<String>,
    /// Add the `--component` ids nobody named yet, as they are written (else they are
    /// refused: a typo would reach no one who follows the real part).
    #[arg(long)]
    new_components: bool,
    /// A page with details (http/https).
    #[arg(long)]
    url: Option<String>,
    /// Save it as a draft, not in the feed; prints the draft's id. `svetoforctl publish ID`
    /// publishes it.
    #[arg(long)]
    draft: bool,
    /// Save it as a draft the server publishes at this time (a time, or a delay from now).
    #[arg(long, value_name = "WHEN")]
    publish_at: Option<String>,
}

/// `update` options.
#[derive(Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    conn: Conn,
    #[command(flatten)]
    times: Times,
    /// The notice id (printed by `post`).
    id: String,
    /// What support says now.
    #[arg(long)]
    text: Option<String>,
    /// New state: investigating, identified, monitoring (or in_progress for maintenance).
    #[arg(long, value_parser = parse_state)]
    state: Option<State>,
    /// New severity.
    #[arg(long, value_parser = parse_severity)]
    severity: Option<Severity>,
    /// New title.
    #[arg(long)]
    title: Option<String>,
}

/// `resolve` / `withdraw` options.
#[derive(Args)]
pub struct CloseArgs {
    #[command(flatten)]
    conn: Conn,
    /// The notice id.
    id: String,
    /// The closing word.
    #[arg(long)]
    text: Option<String>,
}

/// `list` options.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    conn: Conn,
    /// current, past or all.
    #[arg(long, default_value = "current", value_parser = ["current", "past", "all"])]
    status: String,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
    /// Drafts instead: notices saved but not in the feed (scheduled ones first).
    #[arg(long, conflicts_with = "status")]
    drafts: bool,
}

/// A word from a fixed list, written exactly as the list has it: "Red" is refused with the
/// spelling to use, so scripts do not come to depend on a guess.
fn exact<T: serde::de::DeserializeOwned>(s: &str, list: &str) -> Result<T, String> {
    if let Ok(v) = serde_json::from_value(serde_json::Value::String(s.to_owned())) {
        return Ok(v);
    }
    let folded = s.trim().to_lowercase().replace('-', "_");
    if serde_json::from_value::<T>(serde_json::Value::String(folded.clone())).is_ok() {
        return Err(format!("\"{s}\": write \"{folded}\" (lower case)"));
    }
    Err(format!("\"{s}\": use {list}"))
}

pub(crate) fn parse_severity(s: &str) -> Result<Severity, String> {
    exact(s, "red, yellow or green")
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    exact(s, "outage, degraded, maintenance or info")
}

fn parse_state(s: &str) -> Result<State, String> {
    exact(
        s,
        "investigating, identified, monitoring, scheduled, in_progress or published",
    )
}

fn opt_moment(flag: &str, s: &Option<String>) -> Result<Option<chrono::DateTime<Utc>>, Failure> {
    s.as_deref()
        .map(|v| when::moment(v, Utc::now()).map_err(|e| Failure::usage(format!("--{flag}: {e}"))))
        .transpose()
}

pub(crate) fn client(conn: &Conn) -> Result<ApiClient, Failure> {
    Ok(ApiClient::new(&conn.server, conn.token.clone())?)
}

pub fn post(a: PostArgs) -> Result<(), Failure> {
    if a.kind.is_none() && a.severity == Severity::Red && a.times.starts_at.is_some() {
        return Err(Failure::usage(
            "--severity red with --starts-at: is this an outage now, or planned work that takes \
             the product down? For the outage leave out --starts-at; for the planned work add \
             --kind maintenance."
                .to_owned(),
        ));
    }
    let kind = a
        .kind
        .unwrap_or(match (a.severity, a.times.starts_at.is_some()) {
            (_, true) => Kind::Maintenance,
            (Severity::Red, _) => Kind::Outage,
            (Severity::Yellow, _) => Kind::Degraded,
            (Severity::Green, _) => Kind::Info,
        });
    let req = NewNotice {
        severity: Some(a.severity),
        kind: Some(kind),
        state: None,
        title: Some(Text::Plain(a.title)),
        body: a.body.map(Text::Plain),
        components: a.components,
        new_components: a.new_components,
        next_update_at: opt_moment("next-update", &a.times.next_update)?,
        starts_at: opt_moment("starts-at", &a.times.starts_at)?,
        ends_at: opt_moment("ends-at", &a.times.ends_at)?,
        url: a.url,
    };
    let api = client(&a.conn)?;
    if a.draft || a.publish_at.is_some() {
        let body = DraftBody {
            notice: req,
            publish_at: opt_moment("publish-at", &a.publish_at)?,
        };
        return crate::drafts::save(&api, &body);
    }
    let notice = block_on(api.post(&req))??;
    eprintln!(
        "Posted {} {} notice \"{}\".",
        notice.severity,
        notice.kind,
        crate::render::clean(notice.title.get("", ""))
    );
    println!("{}", notice.id);
    Ok(())
}

pub fn update(a: UpdateArgs) -> Result<(), Failure> {
    let req = NoticeUpdate {
        text: a.text.map(Text::Plain),
        state: a.state,
        severity: a.severity,
        next_update_at: opt_moment("next-update", &a.times.next_update)?,
        no_next_update: false,
        title: a.title.map(Text::Plain),
        body: None,
        starts_at: opt_moment("starts-at", &a.times.starts_at)?,
        ends_at: opt_moment("ends-at", &a.times.ends_at)?,
        components: None,
        new_components: false,
        // Someone at a terminal acts on the notice as it is when the command runs.
        version: None,
    };
    let api = client(&a.conn)?;
    let n = block_on(api.change(&a.id, &NoticeChange::Update(req)))??;
    eprintln!("Updated {}: {} {}, {}.", n.id, n.severity, n.kind, n.state);
    Ok(())
}

pub fn resolve(a: CloseArgs) -> Result<(), Failure> {
    let n = close(&a, NoticeChange::Resolve)?;
    eprintln!("{} is now {}.", n.id, n.state);
    Ok(())
}

pub fn withdraw(a: CloseArgs) -> Result<(), Failure> {
    let n = close(&a, NoticeChange::Withdraw)?;
    eprintln!("{} is withdrawn.", n.id);
    Ok(())
}

fn close(a: &CloseArgs, change: fn(Closing) -> NoticeChange) -> Result<Notice, Failure> {
    let api = client(&a.conn)?;
    let req = Closing {
        text: a.text.clone().map(Text::Plain),
        version: None,
    };
    Ok(block_on(api.change(&a.id, &change(req)))??)
}

pub fn list(a: ListArgs) -> Result<(), Failure> {
    let api = client(&a.conn)?;
    if a.drafts {
        return crate::drafts::list(&api, a.json);
    }
    let page = block_on(api.list(&a.status, a.limit.clamp(1, 200), None))??;
    if page.notices.is_empty() && !a.json {
        eprintln!("No {} notices.", a.status);
    }
    for n in &page.notices {
        if a.json {
            println!("{}", serde_json::to_string(n).unwrap_or_default());
        } else {
            println!(
                "{}  {:<6} {:<11} {:<13} {}  {}",
                n.id,
                n.severity,
                n.kind,
                n.state,
                n.created_at.format("%Y-%m-%d %H:%M UTC"),
                crate::render::clean(n.title.get("", "")),
            );
        }
    }
    Ok(())
}
