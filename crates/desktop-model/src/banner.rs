//! When the banner shows, what it says, and when it goes away, as plain data.
//!
//! Rules:
//! - It is for problems: yellow and red notices. Green news is told by a notification and the
//!   tray, never by an always-on-top strip (the tray's "Show banner" still shows it).
//! - It opens on a new notice in effect, and when a notice changes state or severity; an
//!   outage also brings it back with each new update from support.
//! - Dismiss closes it for everything it covered, until that changes state or severity (a
//!   red notice: until its next update too). The tray's "Show banner" shows it regardless.
//! - When a problem ends (resolved or completed), a green "Resolved" banner shows for
//!   [`RECOVERY_SHOWN`]; then the problems still in effect show, or the banner closes.
//! - Stale data (the feed is unreachable) never opens a banner by itself; an open one says
//!   so on its first line.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use svetofor_feed::{Severity, State};

use crate::i18n::Catalog;
use crate::labels;
use crate::tray::{freshness_line, one_line};
use svetofor_client::alerts::first_line;
use svetofor_client::view::{Freshness, NoticeView, ViewState};

/// How long a recovery banner stays before closing itself.
pub const RECOVERY_SHOWN: TimeDelta = TimeDelta::seconds(30);

/// Longest title on the banner.
pub const BANNER_TITLE_CHARS: usize = 120;
/// Longest body line on the banner.
pub const BANNER_LINE_CHARS: usize = 200;

/// What the banner window shows; every string is plain text for `textContent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BannerModel {
    /// Colour.
    pub severity: Severity,
    /// The word for it ("Outage", "Maintenance", "Resolved"): never colour alone.
    pub word: String,
    /// The notice shown.
    pub notice_id: String,
    pub title: String,
    /// The first line of its body.
    pub line: String,
    /// "since 14:25"; "until 16:00" for maintenance; "at 15:10" for a recovery.
    pub since: String,
    /// "next update by 15:00" / "update overdue (promised by 15:00)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    /// The promised update is late.
    pub overdue: bool,
    /// "+2 more".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<String>,
    /// "Status as of 14:25 (5 min ago), feed unreachable".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<String>,
    /// A recovery banner (closes itself).
    pub recovery: bool,
}

/// What the shell should do with the banner window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BannerCommand {
    /// Open it (or refresh it if open) with this content.
    Show(BannerModel),
    /// Refresh it if open; do not open it.
    Refresh(BannerModel),
    Close,
    /// Leave it as it is.
    Nothing,
}

/// The version of a notice a dismissal applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dismissed {
    /// Severity when dismissed.
    pub severity: Severity,
    /// State when dismissed.
    pub state: State,
    /// Support's last word when dismissed.
    pub said_at: DateTime<Utc>,
}

impl Dismissed {
    fn of(n: &NoticeView) -> Self {
        Dismissed {
            severity: n.severity,
            state: n.state,
            said_at: n.said_at,
        }
    }

    /// A text that is equal for two versions of a notice exactly when a dismissal of one
    /// covers the other: how a page with no memory but a list of strings (the in-product
    /// banner's localStorage) keeps the same rule.
    pub fn key(n: &NoticeView) -> String {
        let mut key = format!("{}/{}/{}", n.id, n.severity, n.state);
        if n.severity == Severity::Red {
            key.push('/');
            key.push_str(
                &n.said_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            );
        }
        key
    }

    /// Whether this dismissal still hides `n`.
    fn covers(&self, n: &NoticeView) -> bool {
        if n.severity != self.severity || n.state != self.state {
            return false;
        }
        n.severity != Severity::Red || n.said_at == self.said_at
    }
}

/// The banner's memory: what was seen, what was dismissed, what is showing.
#[derive(Debug, Clone, Default)]
pub struct Banner {
    /// Dismissals by notice id (kept while the notice is in effect).
    pub dismissed: BTreeMap<String, Dismissed>,
    known: BTreeMap<String, Dismissed>,
    open: bool,
    recovery_until: Option<DateTime<Utc>>,
    /// What the window shows now, so a tick refreshes it only when its words changed.
    drawn: Option<BannerModel>,
}

/// What a banner decision looks at.
#[derive(Clone, Copy)]
struct Scene<'a> {
    cat: &'a Catalog,
    view: &'a ViewState,
    now: DateTime<Utc>,
    tz: FixedOffset,
}

impl Scene<'_> {
    /// The content for what is in effect: the worst problem, else (shown from the tray) the
    /// first notice.
    fn current(&self) -> Option<BannerModel> {
        let first = problems(self.view).next().or(self.view.notices.first())?;
        Some(content(self.cat, self.view, first, self.now, self.tz))
    }
}

/// Whether a notice is a problem the banner is for (news is not).
pub(crate) fn is_problem(n: &NoticeView) -> bool {
    n.severity != Severity::Green
}

/// The problems in effect, worst first.
fn problems(view: &ViewState) -> impl Iterator<Item = &NoticeView> {
    view.notices.iter().filter(|n| is_problem(n))
}

/// Builds the banner content for `first` of the notices in effect (worst first).
fn content(
    cat: &Catalog,
    view: &ViewState,
    first: &NoticeView,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> BannerModel {
    let others = if is_problem(first) {
        problems(view).count().saturating_sub(1)
    } else {
        view.notices.len().saturating_sub(1)
    };
    let line = first_line(&first.body);
    BannerModel {
        severity: first.severity,
        word: labels::notice_word(cat, first.kind, first.severity, first.state),
        notice_id: first.id.clone(),
        title: one_line(&first.title, BANNER_TITLE_CHARS),
        line: one_line(line, BANNER_LINE_CHARS),
        since: match (first.kind, first.window.as_ref().and_then(|w| w.ends_at)) {
            (svetofor_feed::Kind::Maintenance, Some(end)) => labels::until(cat, end, now, tz),
            _ => labels::since(cat, first.since, now, tz),
        },
        next_update: first
            .next_update_at
            .map(|t| labels::next_update(cat, t, first.overdue, now, tz)),
        overdue: first.overdue,
        more: (others > 0).then(|| labels::more(cat, others)),
        stale: freshness_line(cat, view, now, tz),
        recovery: false,
    }
}

fn recovery(
    cat: &Catalog,
    view: &ViewState,
    n: &NoticeView,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> BannerModel {
    let still = problems(view).count();
    BannerModel {
        severity: Severity::Green,
        word: labels::notice_word(cat, n.kind, n.severity, n.state),
        notice_id: n.id.clone(),
        title: one_line(&n.title, BANNER_TITLE_CHARS),
        line: one_line(first_line(&n.body), BANNER_LINE_CHARS),
        since: labels::at(cat, n.updated_at, now, tz),
        next_update: None,
        overdue: false,
        more: (still > 0).then(|| labels::still_in_effect(cat, still)),
        stale: None,
        recovery: true,
    }
}

/// What a banner with no memory shows for `view` now: the worst problem in effect, else,
/// with `news`, the first notice (the in-product banner; a desktop strip never shows news by
/// itself). With the [`Dismissed::key`] of every notice it covers.
pub fn in_effect(
    cat: &Catalog,
    view: &ViewState,
    now: DateTime<Utc>,
    tz: FixedOffset,
    news: bool,
) -> Option<(BannerModel, Vec<String>)> {
    let first = problems(view)
        .next()
        .or(view.notices.first().filter(|_| news))?;
    let covered: Vec<String> = if is_problem(first) {
        problems(view).map(Dismissed::key).collect()
    } else {
        view.notices.iter().map(Dismissed::key).collect()
    };
    Some((content(cat, view, first, now, tz), covered))
}

/// The green "Resolved" banner a page with no memory may show: a notice that ended less than
/// [`RECOVERY_SHOWN`] ago, and until when. The page shows it only for a notice it was showing,
/// as the desktop shows it only for a problem it knew.
pub fn recovered(
    cat: &Catalog,
    view: &ViewState,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> Option<(BannerModel, DateTime<Utc>)> {
    let n = view.recent.iter().find(|n| {
        n.state != State::Withdrawn
            && n.ended_at
                .is_some_and(|end| end <= now && now - end < RECOVERY_SHOWN)
    })?;
    let until = n.ended_at? + RECOVERY_SHOWN;
    Some((recovery(cat, view, n, now, tz), until))
}

impl Banner {
    /// A banner that has seen nothing yet.
    pub fn new() -> Self {
        Banner::default()
    }

    /// Whether the shell has the window open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The shell closed the window (Dismiss aside: e.g. the window manager closed it).
    pub fn closed(&mut self) {
        self.draw(BannerCommand::Close);
    }

    /// A new view arrived: what to do with the banner.
    pub fn on_view(
        &mut self,
        cat: &Catalog,
        view: &ViewState,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> BannerCommand {
        if view.freshness != Freshness::Live {
            // Unconfirmed data opens nothing and is not remembered as seen: when the feed is
            // back, what is new then still calls for the banner.
            return match view.notices.first() {
                Some(_) if self.open && self.recovery_until.is_none() => {
                    self.refresh(Scene { cat, view, now, tz })
                }
                _ => BannerCommand::Nothing,
            };
        }
        // Which problems call for the banner: new ones, changed ones, and outages with news.
        let calls = problems(view).any(|n| {
            let fresh = match self.known.get(&n.id) {
                None => true,
                Some(k) => {
                    n.severity != k.severity
                        || n.state != k.state
                        || (n.severity == Severity::Red && k.said_at != n.said_at)
                }
            };
            fresh && !self.dismissed.get(&n.id).is_some_and(|d| d.covers(n))
        });
        // Problems that were in effect and are over now.
        let ended = view.recent.iter().find(|n| {
            self.known.contains_key(&n.id)
                && n.state != State::Withdrawn
                && !view.notices.iter().any(|m| m.id == n.id)
        });
        let ended = ended.map(|n| recovery(cat, view, n, now, tz));
        self.known = problems(view)
            .map(|n| (n.id.clone(), Dismissed::of(n)))
            .collect();
        self.dismissed.retain(|id, _| self.known.contains_key(id));

        if calls {
            self.recovery_until = None;
            if let Some(model) = (Scene { cat, view, now, tz }).current() {
                return self.draw(BannerCommand::Show(model));
            }
        }
        if let Some(model) = ended {
            self.recovery_until = Some(now + RECOVERY_SHOWN);
            return self.draw(BannerCommand::Show(model));
        }
        if self.recovery_until.is_some() {
            return BannerCommand::Nothing;
        }
        if self.open && view.notices.is_empty() {
            return self.draw(BannerCommand::Close);
        }
        if self.open {
            return self.refresh(Scene { cat, view, now, tz });
        }
        BannerCommand::Nothing
    }

    /// New words for the open banner, when they differ from what it shows.
    fn refresh(&mut self, s: Scene<'_>) -> BannerCommand {
        match s.current() {
            Some(model) if self.drawn.as_ref() != Some(&model) => {
                self.draw(BannerCommand::Refresh(model))
            }
            _ => BannerCommand::Nothing,
        }
    }

    /// Notes what the shell will draw.
    fn draw(&mut self, cmd: BannerCommand) -> BannerCommand {
        match &cmd {
            BannerCommand::Show(m) | BannerCommand::Refresh(m) => {
                self.open = true;
                self.drawn = Some(m.clone());
            }
            BannerCommand::Close => {
                self.open = false;
                self.drawn = None;
                self.recovery_until = None;
            }
            BannerCommand::Nothing => {}
        }
        cmd
    }

    /// Time passed: a recovery banner shown long enough gives way to the problems still in
    /// effect (or closes); an open banner's times and ages are brought up to date.
    pub fn on_tick(
        &mut self,
        cat: &Catalog,
        view: &ViewState,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> BannerCommand {
        match self.recovery_until {
            Some(until) if now >= until => {
                self.recovery_until = None;
                let hidden =
                    |n: &NoticeView| self.dismissed.get(&n.id).is_some_and(|d| d.covers(n));
                match (Scene { cat, view, now, tz }).current() {
                    Some(model) if problems(view).any(|n| !hidden(n)) => {
                        self.draw(BannerCommand::Show(model))
                    }
                    _ => self.draw(BannerCommand::Close),
                }
            }
            Some(_) => BannerCommand::Nothing,
            None if self.open => self.refresh(Scene { cat, view, now, tz }),
            None => BannerCommand::Nothing,
        }
    }

    /// When [`Banner::on_tick`] next has something to do.
    pub fn next_tick(&self) -> Option<DateTime<Utc>> {
        self.recovery_until
    }

    /// The user pressed Dismiss: everything in effect stays hidden until it changes.
    pub fn dismiss(&mut self, view: &ViewState) -> BannerCommand {
        for n in &view.notices {
            self.dismissed.insert(n.id.clone(), Dismissed::of(n));
        }
        self.draw(BannerCommand::Close)
    }

    /// The user asked for the banner from the tray: shows the worst notice, dismissed or not.
    pub fn show(
        &mut self,
        cat: &Catalog,
        view: &ViewState,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> BannerCommand {
        let Some(model) = Scene { cat, view, now, tz }.current() else {
            return BannerCommand::Nothing;
        };
        self.recovery_until = None;
        self.draw(BannerCommand::Show(model))
    }
}
