//! The status page and a notice's page as view data for their templates
//! (`templates/public/`): plain strings and numbers, every text escaped by the engine when
//! drawn.

use askama::Template;
use chrono::{DateTime, Utc};
use svetofor_channels::words as say;
use svetofor_feed::{Kind, Notice, Phase};

use super::page::{Day, capitalised, day_class, day_key, days, overall, text};
use super::{HISTORY_DAYS, Sight};
use crate::web::timed::{Moment, Timed};
use crate::web::words::Words;

/// What the layout needs.
pub struct Frame<'a> {
    pub w: &'a Words,
    pub tag: &'static str,
    pub other: &'static str,
    /// "English" on a Russian page: the other language's own word for itself.
    pub switch: String,
    pub seq: u64,
    /// The feed's name.
    pub name: &'a str,
    pub title: String,
}

impl<'a> Frame<'a> {
    fn new(w: &'a Words, sight: &'a Sight, title: String) -> Frame<'a> {
        let other = w.lang().other();
        Frame {
            w,
            tag: w.lang().tag(),
            other: other.tag(),
            switch: crate::web::words::of(other).t("status-switch"),
            seq: sight.seq,
            name: &sight.feed.name,
            title,
        }
    }
}

/// The overall status at the top.
pub struct Overall {
    pub sev: &'static str,
    pub heading: String,
    pub updated: Timed,
}

/// One notice as a card (the status page) or whole (its own page).
pub struct Card<'a> {
    pub sev: &'static str,
    /// "Сбой", "Плановые работы": never colour alone.
    pub word: String,
    pub id: &'a str,
    pub title: &'a str,
    pub when: Vec<Timed>,
    /// The components it is about, named.
    pub parts: String,
    /// Its steps, newest first (empty: the text is all there is).
    pub steps: Vec<Step<'a>>,
    pub body: &'a str,
}

/// One step of a notice.
pub struct Step<'a> {
    pub state: String,
    pub at: Moment,
    pub said: &'a str,
}

/// One component's last days.
pub struct Row {
    pub name: String,
    pub cells: Vec<Cell>,
    pub summary: String,
}

/// One day of a row.
pub struct Cell {
    pub class: &'static str,
    /// `2026-12-04 — Сбой`.
    pub title: String,
}

/// One entry of the legend.
pub struct Key {
    pub class: &'static str,
    pub word: String,
}

/// A notice of the past.
pub struct Past<'a> {
    pub sev: &'static str,
    pub word: String,
    pub id: &'a str,
    pub title: &'a str,
    pub at: Moment,
}

/// `GET /`.
#[derive(Template)]
#[template(path = "public/home.html")]
pub struct Home<'a> {
    pub f: Frame<'a>,
    pub overall: Overall,
    pub now: Vec<Card<'a>>,
    pub upcoming: Vec<Card<'a>>,
    pub days_heading: String,
    pub days_ago: String,
    pub legend: Vec<Key>,
    pub rows: Vec<Row>,
    pub past: Vec<Past<'a>>,
    /// This publisher's address, for the app's feed line.
    pub base: &'a str,
}

/// `GET /notices/{id}`.
#[derive(Template)]
#[template(path = "public/notice.html")]
pub struct NoticePage<'a> {
    pub f: Frame<'a>,
    pub card: Card<'a>,
    /// Where it stands, in words.
    pub state: String,
}

/// "Since …", "from … to …", and the promised next word.
fn when(w: &Words, n: &Notice, now: DateTime<Utc>) -> Vec<Timed> {
    let mut parts = vec![];
    match (&n.window, n.kind) {
        (Some(win), Kind::Maintenance) => {
            parts.push(Timed::new(w, "status-window-from", win.starts_at));
            if let Some(end) = win.ends_at {
                parts.push(Timed::new(w, "status-window-to", end));
            }
        }
        _ => parts.push(Timed::new(w, "status-since", n.created_at)),
    }
    if let Some(t) = n.next_update_at.filter(|_| !n.state.is_final()) {
        let key = if n.is_overdue(now) {
            "status-next-overdue"
        } else {
            "status-next"
        };
        parts.push(Timed::new(w, key, t));
    }
    parts
}

fn card<'a>(w: &Words, sight: &'a Sight, n: &'a Notice, now: DateTime<Utc>) -> Card<'a> {
    let tag = w.lang().tag();
    let parts = if n.components.is_empty() {
        w.t("status-whole-product")
    } else {
        n.components
            .iter()
            .map(|c| sight.component_name(c, tag))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let steps = n
        .updates
        .iter()
        .enumerate()
        .rev()
        .map(|(i, u)| Step {
            state: capitalised(&say::state_word(u.state, w.lang())),
            at: Moment::of(u.at),
            said: if u.text.is_empty() && i == 0 {
                text(w, sight, &n.body)
            } else {
                text(w, sight, &u.text)
            },
        })
        .collect();
    Card {
        sev: n.severity.as_str(),
        word: say::severity_word(n, w.lang()),
        id: &n.id,
        title: text(w, sight, &n.title),
        when: when(w, n, now),
        parts,
        steps,
        body: text(w, sight, &n.body),
    }
}

fn row(w: &Words, name: String, days: &[(chrono::NaiveDate, Day)]) -> Row {
    let count = |d: Day| days.iter().filter(|(_, x)| *x == d).count().to_string();
    let summary = w.tr_str(
        "status-days-summary",
        &[
            ("outage", &count(Day::Outage)),
            ("problems", &count(Day::Problems)),
            ("maintenance", &count(Day::Maintenance)),
        ],
    );
    let cells = days
        .iter()
        .map(|(date, d)| Cell {
            class: day_class(*d),
            title: format!("{} — {}", date.format("%Y-%m-%d"), w.t(day_key(*d))),
        })
        .collect();
    Row {
        name,
        cells,
        summary,
    }
}

/// The status page.
pub fn home(w: &Words, sight: &Sight, now: DateTime<Utc>, base: &str) -> String {
    let tag = w.lang().tag();
    let mut in_effect: Vec<&Notice> = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Active)
        .collect();
    in_effect.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.updated_at.cmp(&a.updated_at))
    });
    let mut upcoming: Vec<&Notice> = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Upcoming)
        .collect();
    upcoming.sort_by_key(|n| n.window.as_ref().map(|win| win.starts_at));
    let (severity, heading) = overall(w, &in_effect);
    let mut rows = vec![];
    if sight.components().is_empty() {
        rows.push(row(
            w,
            w.t("status-whole-product-heading"),
            &days(sight, None, now),
        ));
    }
    for c in sight.components() {
        rows.push(row(
            w,
            sight.component_name(&c.id, tag),
            &days(sight, Some(&c.id), now),
        ));
    }
    let past = sight
        .history
        .iter()
        .filter(|n| n.phase_by_clock(now) == Phase::Past)
        .take(30)
        .map(|n| Past {
            sev: n.severity.as_str(),
            word: say::severity_word(n, w.lang()),
            id: &n.id,
            title: text(w, sight, &n.title),
            at: Moment::of(n.created_at),
        })
        .collect();
    let days_count = HISTORY_DAYS.to_string();
    Home {
        f: Frame::new(w, sight, format!("{} — {}", heading, sight.feed.name)),
        overall: Overall {
            sev: severity.as_str(),
            heading,
            updated: Timed::new(w, "status-updated", sight.feed.generated_at),
        },
        now: in_effect.iter().map(|n| card(w, sight, n, now)).collect(),
        upcoming: upcoming.iter().map(|n| card(w, sight, n, now)).collect(),
        days_heading: w.tr_str("status-days", &[("days", &days_count)]),
        days_ago: w.tr_str("status-days-ago", &[("days", &days_count)]),
        legend: [Day::Fine, Day::Maintenance, Day::Problems, Day::Outage]
            .into_iter()
            .map(|d| Key {
                class: day_class(d),
                word: w.t(day_key(d)),
            })
            .collect(),
        rows,
        past,
        base,
    }
    .render()
    .unwrap_or_else(|e| failed(&e))
}

/// A notice's own page.
pub fn one_notice(w: &Words, sight: &Sight, n: &Notice, now: DateTime<Utc>) -> String {
    let card = card(w, sight, n, now);
    NoticePage {
        f: Frame::new(w, sight, format!("{}: {}", card.word, card.title)),
        state: capitalised(&say::state_word(n.state, w.lang())),
        card,
    }
    .render()
    .unwrap_or_else(|e| failed(&e))
}

/// A template that could not be drawn: every value it takes is plain data, so this is a bug;
/// the reader gets an empty page rather than a broken one, and the log says why.
fn failed(e: &askama::Error) -> String {
    tracing::error!("a public page could not be drawn: {e}");
    String::new()
}
