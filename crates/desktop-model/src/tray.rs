//! The tray as plain data: which icon and which menu a [`ViewState`] calls for.
//!
//! The desktop shell turns a [`TrayModel`] into OS calls and compares it with the last one it
//! drew, so the icon and menu change only when their data does.

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_feed::Severity;

use crate::i18n::{Arg, Catalog};
use crate::labels;
use crate::problem::SetupProblem;
use svetofor_client::view::{Freshness, ViewState};

/// The colour of the light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Light {
    /// Nothing wrong.
    Green,
    /// Degradation or maintenance.
    Yellow,
    /// Outage.
    Red,
    /// Never received a status.
    Grey,
}

/// The tray icon: a light, with an "offline" mark when the status could not be confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrayIcon {
    /// Colour (each also has its own shape).
    pub light: Light,
    /// The shown status is the last known one, not a live one.
    pub offline: bool,
}

impl TrayIcon {
    /// The icon's file stem in `icons/`, e.g. `tray-red-offline`.
    pub fn file_stem(&self) -> &'static str {
        match (self.light, self.offline) {
            (Light::Green, false) => "tray-green",
            (Light::Green, true) => "tray-green-offline",
            (Light::Yellow, false) => "tray-yellow",
            (Light::Yellow, true) => "tray-yellow-offline",
            (Light::Red, false) => "tray-red",
            (Light::Red, true) => "tray-red-offline",
            (Light::Grey, _) => "tray-grey",
        }
    }

    /// Every icon the tray can show.
    pub const ALL: [TrayIcon; 7] = [
        TrayIcon::live(Light::Green),
        TrayIcon::stale(Light::Green),
        TrayIcon::live(Light::Yellow),
        TrayIcon::stale(Light::Yellow),
        TrayIcon::live(Light::Red),
        TrayIcon::stale(Light::Red),
        TrayIcon::live(Light::Grey),
    ];

    const fn live(light: Light) -> Self {
        TrayIcon {
            light,
            offline: false,
        }
    }

    const fn stale(light: Light) -> Self {
        TrayIcon {
            light,
            offline: true,
        }
    }
}

/// What a menu entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuAction {
    /// Open the details window at this notice.
    Notice(String),
    ShowBanner,
    HideBanner,
    /// Open the details window.
    Details,
    /// Open the settings window.
    Settings,
    /// Silence notifications for an hour.
    Pause,
    /// Notifications back on.
    Resume,
    /// Copy a diagnostics report to the clipboard.
    CopyDiagnostics,
    Quit,
}

impl MenuAction {
    /// The menu item id for this action.
    pub fn id(&self) -> String {
        match self {
            MenuAction::Notice(id) => format!("notice:{id}"),
            MenuAction::ShowBanner => "banner:show".into(),
            MenuAction::HideBanner => "banner:hide".into(),
            MenuAction::Details => "details".into(),
            MenuAction::Settings => "settings".into(),
            MenuAction::Pause => "pause".into(),
            MenuAction::Resume => "resume".into(),
            MenuAction::CopyDiagnostics => "diagnostics".into(),
            MenuAction::Quit => "quit".into(),
        }
    }

    /// The action for a menu item id; `None` for items that do nothing (status lines).
    pub fn from_id(id: &str) -> Option<MenuAction> {
        Some(match id {
            "banner:show" => MenuAction::ShowBanner,
            "banner:hide" => MenuAction::HideBanner,
            "details" => MenuAction::Details,
            "settings" => MenuAction::Settings,
            "pause" => MenuAction::Pause,
            "resume" => MenuAction::Resume,
            "diagnostics" => MenuAction::CopyDiagnostics,
            "quit" => MenuAction::Quit,
            _ => MenuAction::Notice(id.strip_prefix("notice:")?.to_owned()),
        })
    }
}

/// One line of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEntry {
    /// Text that does nothing when clicked (greyed out).
    Line {
        /// Stable id.
        id: String,
        /// Plain text.
        label: String,
    },
    /// A clickable item.
    Item {
        /// What it does.
        action: MenuAction,
        /// Plain text.
        label: String,
        /// Clickable now.
        enabled: bool,
    },
    Separator,
}

/// The whole tray.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    /// The item's name where the platform shows one ("Svetofor").
    pub title: String,
    pub icon: TrayIcon,
    /// A tooltip (where the platform shows one): the status line.
    pub tooltip: String,
    /// The menu, top to bottom.
    pub menu: Vec<MenuEntry>,
}

/// What the tray depends on besides the view.
#[derive(Debug, Clone, Copy)]
pub struct TrayContext<'a> {
    /// The UI language's messages.
    pub cat: &'a Catalog,
    pub now: DateTime<Utc>,
    /// The user's time zone.
    pub tz: FixedOffset,
    /// The banner window is open.
    pub banner_open: bool,
    /// Notifications are paused until then.
    pub paused_until: Option<DateTime<Utc>>,
    /// Why nothing follows the feed, or less than was configured (no feed set, the
    /// administrator's settings are broken).
    pub problem: Option<&'a SetupProblem>,
}

/// Longest notice title in a menu line; menus do not wrap.
pub const MENU_TITLE_CHARS: usize = 60;

/// Untrusted text made fit for one menu line: control characters (line breaks, bidi
/// overrides) become spaces, runs of spaces collapse, and long text is cut with an ellipsis.
pub fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.chars() {
        let c = if c.is_control() || is_bidi_control(c) {
            ' '
        } else {
            c
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    if out.chars().count() > max_chars {
        let cut: String = out.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        out
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The icon for a view.
pub fn icon(view: &ViewState) -> TrayIcon {
    let light = match view.status {
        None => Light::Grey,
        Some(Severity::Green) => Light::Green,
        Some(Severity::Yellow) => Light::Yellow,
        Some(Severity::Red) => Light::Red,
    };
    TrayIcon {
        light,
        offline: view.freshness != Freshness::Live && view.status.is_some(),
    }
}

/// The status in words, first line of the menu: "Outage: Payments API — since 14:25".
pub fn status_line(cat: &Catalog, view: &ViewState, now: DateTime<Utc>, tz: FixedOffset) -> String {
    let Some(status) = view.status else {
        return match &view.stale_reason {
            Some(_) => labels::status_word(cat, None),
            None => cat.t("tray-waiting"),
        };
    };
    let Some(worst) = view.notices.first() else {
        return labels::status_word(cat, Some(status));
    };
    let word = labels::notice_word(cat, worst.kind, worst.severity, worst.state);
    let title = one_line(&worst.title, MENU_TITLE_CHARS);
    if status == Severity::Green {
        // News while all is well: lead with the good part.
        let status = labels::status_word(cat, Some(status));
        return cat.tr(
            "tray-status-news",
            &[
                ("status", Arg::from(&status)),
                ("word", Arg::from(&word)),
                ("title", Arg::from(&title)),
            ],
        );
    }
    let since = labels::since(cat, worst.since, now, tz);
    // "+1 more" counts problems, as the banner does: news is not one more thing wrong.
    let problems = view
        .notices
        .iter()
        .filter(|n| crate::banner::is_problem(n))
        .count();
    match problems.max(1) {
        1 => cat.tr(
            "tray-status",
            &[
                ("word", Arg::from(&word)),
                ("title", Arg::from(&title)),
                ("since", Arg::from(&since)),
            ],
        ),
        n => {
            let more = labels::more(cat, n - 1);
            cat.tr(
                "tray-status-more",
                &[
                    ("word", Arg::from(&word)),
                    ("title", Arg::from(&title)),
                    ("more", Arg::from(&more)),
                    ("since", Arg::from(&since)),
                ],
            )
        }
    }
}

/// "Status as of 14:25 (2 h ago), feed unreachable" when the status is not live.
pub fn freshness_line(
    cat: &Catalog,
    view: &ViewState,
    now: DateTime<Utc>,
    tz: FixedOffset,
) -> Option<String> {
    if view.freshness != Freshness::Stale {
        return None;
    }
    let asof = view.stale_since.or(view.fetched_at)?;
    let time = labels::moment(cat, asof, now, tz);
    let age = labels::age(cat, asof, now);
    Some(cat.tr(
        "tray-stale",
        &[("time", Arg::from(&time)), ("age", Arg::from(&age))],
    ))
}

/// The tray for a view.
pub fn model(view: &ViewState, cx: &TrayContext<'_>) -> TrayModel {
    let cat = cx.cat;
    let status = status_line(cat, view, cx.now, cx.tz);
    let mut menu = vec![MenuEntry::Line {
        id: "status".into(),
        label: status.clone(),
    }];
    let fresh = freshness_line(cat, view, cx.now, cx.tz);
    if let Some(f) = &fresh {
        menu.push(MenuEntry::Line {
            id: "freshness".into(),
            label: f.clone(),
        });
    }
    // Why there is no status, in the UI's words: the technical reason is in the report.
    let problem = match (cx.problem, view.status, &view.stale_reason) {
        (Some(p), ..) => Some(p.text(cat)),
        (None, None, Some(_)) => Some(cat.t("tray-unreachable")),
        _ => None,
    };
    if let Some(p) = problem {
        menu.push(MenuEntry::Line {
            id: "problem".into(),
            label: one_line(&p, 2 * MENU_TITLE_CHARS),
        });
    }
    // One notice: the status line is its entry (it opens the notice), not a line the same
    // words repeat under.
    if let [only] = &view.notices[..] {
        menu[0] = MenuEntry::Item {
            action: MenuAction::Notice(only.id.clone()),
            label: status.clone(),
            enabled: true,
        };
    }
    let mut listed = vec![];
    for n in view.notices.iter().filter(|_| view.notices.len() > 1) {
        let word = labels::notice_word(cat, n.kind, n.severity, n.state);
        let title = one_line(&n.title, MENU_TITLE_CHARS);
        listed.push(MenuEntry::Item {
            action: MenuAction::Notice(n.id.clone()),
            label: cat.tr(
                "tray-notice",
                &[("word", Arg::from(&word)), ("title", Arg::from(&title))],
            ),
            enabled: true,
        });
    }
    for n in &view.upcoming {
        let word = labels::notice_word(cat, n.kind, n.severity, n.state);
        let title = one_line(&n.title, MENU_TITLE_CHARS);
        let window = n.window.as_ref().map_or_else(String::new, |w| {
            labels::window(cat, w.starts_at, w.ends_at, cx.now, cx.tz)
        });
        listed.push(MenuEntry::Item {
            action: MenuAction::Notice(n.id.clone()),
            label: cat.tr(
                "tray-upcoming",
                &[
                    ("word", Arg::from(&word)),
                    ("title", Arg::from(&title)),
                    ("window", Arg::from(&window)),
                ],
            ),
            enabled: true,
        });
    }
    if !listed.is_empty() {
        menu.push(MenuEntry::Separator);
        menu.extend(listed);
    }
    menu.push(MenuEntry::Separator);
    menu.push(if cx.banner_open {
        MenuEntry::Item {
            action: MenuAction::HideBanner,
            label: cat.t("menu-hide-banner"),
            enabled: true,
        }
    } else {
        MenuEntry::Item {
            action: MenuAction::ShowBanner,
            label: cat.t("menu-show-banner"),
            enabled: !view.notices.is_empty(),
        }
    });
    menu.push(MenuEntry::Item {
        action: MenuAction::Details,
        label: cat.t("menu-details"),
        enabled: true,
    });
    menu.push(MenuEntry::Item {
        action: MenuAction::Settings,
        label: cat.t("menu-settings"),
        enabled: true,
    });
    menu.push(match cx.paused_until.filter(|u| *u > cx.now) {
        Some(until) => MenuEntry::Item {
            action: MenuAction::Resume,
            label: {
                let time = labels::moment(cat, until, cx.now, cx.tz);
                cat.tr("menu-resume", &[("time", Arg::from(&time))])
            },
            enabled: true,
        },
        None => MenuEntry::Item {
            action: MenuAction::Pause,
            label: cat.t("menu-pause"),
            enabled: true,
        },
    });
    menu.push(MenuEntry::Item {
        action: MenuAction::CopyDiagnostics,
        label: cat.t("menu-diagnostics"),
        enabled: true,
    });
    menu.push(MenuEntry::Separator);
    menu.push(MenuEntry::Item {
        action: MenuAction::Quit,
        label: cat.t("menu-quit"),
        enabled: true,
    });
    let head = cat.tr("tray-tooltip", &[("status", Arg::from(&status))]);
    let tooltip = match fresh {
        Some(f) => format!("{head}\n{f}"),
        None => head,
    };
    TrayModel {
        title: cat.t("tray-tooltip-title"),
        icon: icon(view),
        tooltip,
        menu,
    }
}
