//! What the desktop app draws, as plain data: tray, banner, notifications, details.

use svetofor_testkit::fixtures as common;

use chrono::{FixedOffset, TimeDelta};
use common::{notice, snap, t0};
use svetofor_client::alerts::{Alert, Memory, NotifyPolicy, Reason, decide};
use svetofor_client::view::{self, Freshness, ViewState};
use svetofor_desktop_model::banner::{self, Banner, BannerCommand, RECOVERY_SHOWN};
use svetofor_desktop_model::details;
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::notification::{self, MarkupRules, Urgency};
use svetofor_desktop_model::tray::{self, Light, MenuAction, MenuEntry, TrayContext, TrayIcon};
use svetofor_feed::{Kind, Notice, Severity, State, Text, Update, Window};

fn en() -> &'static Catalog {
    static EN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    EN.get_or_init(|| Catalog::new(Lang::En))
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

fn view_of(notices: Vec<Notice>, at: chrono::DateTime<chrono::Utc>) -> ViewState {
    view::build(&snap(notices), at, &[], "en")
}

fn cx(banner_open: bool) -> TrayContext<'static> {
    TrayContext {
        cat: en(),
        now: t0(),
        tz: utc(),
        banner_open,
        paused_until: None,
        problem: None,
    }
}

fn labels(model: &tray::TrayModel) -> Vec<String> {
    model
        .menu
        .iter()
        .filter_map(|e| match e {
            MenuEntry::Line { label, .. } | MenuEntry::Item { label, .. } => Some(label.clone()),
            MenuEntry::Separator => None,
        })
        .collect()
}

fn item<'a>(model: &'a tray::TrayModel, action: &MenuAction) -> Option<(&'a str, bool)> {
    model.menu.iter().find_map(|e| match e {
        MenuEntry::Item {
            action: a,
            label,
            enabled,
        } if a == action => Some((label.as_str(), *enabled)),
        _ => None,
    })
}

#[test]
fn tray_before_any_status_is_grey_and_says_so() {
    let m = tray::model(&ViewState::unknown(), &cx(false));
    assert_eq!(
        m.icon,
        TrayIcon {
            light: Light::Grey,
            offline: false
        }
    );
    assert_eq!(labels(&m)[0], "Status unknown: waiting for the feed…");
    assert_eq!(
        item(&m, &MenuAction::ShowBanner),
        Some(("Show banner", false))
    );
    let mut v = ViewState::unknown();
    v.stale_reason = Some("http://x/feed.json: connection refused".into());
    let m = tray::model(&v, &cx(false));
    assert_eq!(
        labels(&m)[..2],
        ["Status unknown", "The status server cannot be reached yet."],
        "the menu speaks the UI's language; the technical reason is in the report"
    );
    let mut c = cx(false);
    let no_feed = svetofor_desktop_model::problem::SetupProblem::NoFeed;
    c.problem = Some(&no_feed);
    let m = tray::model(&v, &c);
    assert_eq!(
        labels(&m)[..2],
        [
            "Status unknown",
            "No status feed is set up. Ask your administrator."
        ]
    );
    assert_eq!(m.title, "Svetofor");
}

#[test]
fn tray_lists_upcoming_maintenance_with_its_window() {
    let mut m = notice("m", Severity::Yellow, Kind::Maintenance, State::Scheduled);
    m.title = Text::Plain("DB upgrade".into());
    m.window = Some(Window {
        starts_at: t0() + TimeDelta::minutes(28),
        ends_at: Some(t0() + TimeDelta::minutes(58)),
    });
    let t = tray::model(&view_of(vec![m], t0()), &cx(false));
    let l = labels(&t);
    assert_eq!(l[0], "All systems working");
    assert!(
        l.contains(&"Planned maintenance: DB upgrade — 12:28–12:58".to_owned()),
        "{l:?}"
    );
    assert_eq!(
        item(&t, &MenuAction::Notice("m".into())).map(|i| i.1),
        Some(true)
    );
}

#[test]
fn tray_in_an_outage_leads_with_the_worst_notice_in_words() {
    let mut a = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    a.title = Text::Plain("Payments API".into());
    a.created_at = t0() - TimeDelta::minutes(35);
    let b = notice("b", Severity::Yellow, Kind::Degraded, State::Investigating);
    let m = tray::model(&view_of(vec![a, b], t0()), &cx(true));
    assert_eq!(
        m.icon,
        TrayIcon {
            light: Light::Red,
            offline: false
        }
    );
    let l = labels(&m);
    assert_eq!(l[0], "Outage: Payments API (+1 more) — since 11:25");
    assert!(l.contains(&"Outage: Payments API".to_owned()), "{l:?}");
    assert!(l.contains(&"Degraded: T b".to_owned()), "{l:?}");
    assert_eq!(
        item(&m, &MenuAction::Notice("a".into())).map(|i| i.1),
        Some(true)
    );
    assert_eq!(
        item(&m, &MenuAction::HideBanner),
        Some(("Hide banner", true))
    );
    assert_eq!(l.last().map(String::as_str), Some("Quit Svetofor"));
    assert!(m.tooltip.contains("Payments API"));
}

/// One notice is said once, in the status line, which opens it; "+N more" counts problems
/// only, as the banner does, not news.
#[test]
fn tray_says_one_notice_once_and_counts_only_problems() {
    let a = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    let m = tray::model(&view_of(vec![a.clone()], t0()), &cx(false));
    let l = labels(&m);
    assert_eq!(l[0], "Outage: T a — since 12:00");
    assert!(
        !l[1..].iter().any(|x| x.starts_with("Outage: T a")),
        "not twice: {l:?}"
    );
    assert_eq!(
        item(&m, &MenuAction::Notice("a".into())),
        Some(("Outage: T a — since 12:00", true))
    );
    let b = notice("b", Severity::Yellow, Kind::Degraded, State::Investigating);
    let news = notice("n", Severity::Green, Kind::Info, State::Published);
    let m = tray::model(&view_of(vec![a, b, news], t0()), &cx(true));
    let l = labels(&m);
    assert_eq!(l[0], "Outage: T a (+1 more) — since 12:00");
    let v = view_of(
        vec![
            notice("a", Severity::Red, Kind::Outage, State::Investigating),
            notice("b", Severity::Yellow, Kind::Degraded, State::Investigating),
            notice("n", Severity::Green, Kind::Info, State::Published),
        ],
        t0(),
    );
    let (banner, _) = banner::in_effect(en(), &v, t0(), utc(), false).unwrap();
    assert_eq!(banner.more.as_deref(), Some("+1 more"));
}

#[test]
fn tray_when_stale_keeps_the_colour_and_adds_the_offline_mark_and_age() {
    let a = notice("a", Severity::Yellow, Kind::Maintenance, State::InProgress);
    let mut v = view_of(vec![a], t0());
    v.freshness = Freshness::Stale;
    v.stale_since = Some(t0() - TimeDelta::minutes(5));
    let m = tray::model(&v, &cx(false));
    assert_eq!(
        m.icon,
        TrayIcon {
            light: Light::Yellow,
            offline: true
        }
    );
    assert_eq!(m.icon.file_stem(), "tray-yellow-offline");
    assert_eq!(
        labels(&m)[1],
        "Status as of 11:55 (5 min ago), feed unreachable"
    );
}

#[test]
fn tray_green_news_and_pause() {
    let n = notice("n", Severity::Green, Kind::Info, State::Investigating);
    let mut c = cx(false);
    c.paused_until = Some(t0() + TimeDelta::hours(1));
    let m = tray::model(&view_of(vec![n], t0()), &c);
    assert_eq!(m.icon.light, Light::Green);
    assert_eq!(labels(&m)[0], "All systems working — News: T n");
    assert_eq!(
        item(&m, &MenuAction::Resume).map(|i| i.0),
        Some("Resume notifications (paused until 13:00)")
    );
    let calm = tray::model(&view_of(vec![], t0()), &cx(false));
    assert_eq!(
        labels(&calm)[..2],
        ["All systems working", "Show banner"],
        "the status line says it once"
    );
    let doubled = calm
        .menu
        .windows(2)
        .any(|w| w.iter().all(|e| *e == MenuEntry::Separator));
    assert!(!doubled, "no two separators in a row: {:?}", calm.menu);
    assert_eq!(
        item(&calm, &MenuAction::Pause).map(|i| i.0),
        Some("Pause notifications for 1 hour")
    );
}

#[test]
fn menu_text_is_one_clean_line_and_ids_round_trip() {
    assert_eq!(tray::one_line("a\nb\u{202e}c\t\td  ", 60), "a b c d");
    assert_eq!(
        tray::one_line(&"x".repeat(100), 10),
        format!("{}…", "x".repeat(9))
    );
    for a in [
        MenuAction::Notice("id:with:colons".into()),
        MenuAction::ShowBanner,
        MenuAction::HideBanner,
        MenuAction::Details,
        MenuAction::Settings,
        MenuAction::Pause,
        MenuAction::Resume,
        MenuAction::Quit,
    ] {
        assert_eq!(MenuAction::from_id(&a.id()), Some(a));
    }
    assert_eq!(MenuAction::from_id("status"), None);
}

#[test]
fn every_tray_icon_exists_and_differs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons");
    let mut seen = std::collections::HashSet::new();
    for icon in TrayIcon::ALL {
        let bytes = std::fs::read(dir.join(format!("{}.png", icon.file_stem())))
            .unwrap_or_else(|e| panic!("{}: {e}", icon.file_stem()));
        assert!(
            seen.insert(bytes),
            "{} duplicates another icon",
            icon.file_stem()
        );
    }
}

fn shown(cmd: &BannerCommand) -> Option<&svetofor_desktop_model::banner::BannerModel> {
    match cmd {
        BannerCommand::Show(m) => Some(m),
        _ => None,
    }
}

#[test]
fn red_banner_opens_comes_back_on_update_and_recovers_in_green() {
    let mut b = Banner::new();
    let mut red = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    red.next_update_at = Some(t0() + TimeDelta::minutes(30));
    let v = view_of(vec![red.clone()], t0());
    let m = shown(&b.on_view(en(), &v, t0(), utc()))
        .cloned()
        .expect("opens on a new red notice");
    assert_eq!(
        (m.severity, m.word.as_str(), m.title.as_str()),
        (Severity::Red, "Outage", "T r")
    );
    assert_eq!(m.line, "first line");
    assert_eq!(m.since, "since 12:00");
    assert_eq!(m.next_update.as_deref(), Some("next update by 12:30"));
    assert_eq!(
        b.on_view(en(), &v, t0(), utc()),
        BannerCommand::Nothing,
        "the same words are not drawn again"
    );
    assert!(matches!(
        b.on_view(
            en(),
            &view_of(vec![red.clone()], t0() + TimeDelta::minutes(31)),
            t0() + TimeDelta::minutes(31),
            utc()
        ),
        BannerCommand::Refresh(_)
    ));
    assert_eq!(b.dismiss(&v), BannerCommand::Close);
    assert_eq!(
        b.on_view(en(), &v, t0(), utc()),
        BannerCommand::Nothing,
        "dismissed stays closed"
    );
    // The next word from support brings a red banner back.
    red.updated_at = t0() + TimeDelta::minutes(10);
    let v2 = view_of(vec![red.clone()], t0() + TimeDelta::minutes(10));
    assert!(shown(&b.on_view(en(), &v2, t0(), utc())).is_some());
    // The outage ends: a green recovery banner that closes itself.
    red.state = State::Resolved;
    red.updated_at = t0() + TimeDelta::minutes(20);
    let now = t0() + TimeDelta::minutes(20);
    let v3 = view_of(vec![red], now);
    let rec = shown(&b.on_view(en(), &v3, now, utc()))
        .cloned()
        .expect("recovery banner");
    assert!(rec.recovery);
    assert_eq!(
        (rec.severity, rec.word.as_str()),
        (Severity::Green, "Resolved")
    );
    assert_eq!(b.next_tick(), Some(now + RECOVERY_SHOWN));
    assert_eq!(
        b.on_tick(en(), &v3, now + TimeDelta::seconds(5), utc()),
        BannerCommand::Nothing
    );
    assert_eq!(
        b.on_tick(en(), &v3, now + RECOVERY_SHOWN, utc()),
        BannerCommand::Close
    );
    assert!(!b.is_open());
}

#[test]
fn yellow_banner_stays_dismissed_until_the_notice_changes() {
    let mut b = Banner::new();
    let mut y = notice("y", Severity::Yellow, Kind::Degraded, State::Investigating);
    let v = view_of(vec![y.clone()], t0());
    assert!(shown(&b.on_view(en(), &v, t0(), utc())).is_some());
    b.dismiss(&v);
    y.updated_at = t0() + TimeDelta::minutes(5); // wording only
    let v = view_of(vec![y.clone()], t0() + TimeDelta::minutes(5));
    assert_eq!(b.on_view(en(), &v, t0(), utc()), BannerCommand::Nothing);
    y.severity = Severity::Red; // escalation
    let v = view_of(vec![y.clone()], t0() + TimeDelta::minutes(6));
    let m = shown(&b.on_view(en(), &v, t0(), utc()))
        .cloned()
        .expect("escalation opens it");
    assert_eq!(m.severity, Severity::Red);
    // The tray's "Show banner" shows it whatever was dismissed.
    b.dismiss(&v);
    assert!(shown(&b.show(en(), &v, t0(), utc())).is_some());
}

/// The in-product banner keeps dismissals as `Dismissed::key` strings: two versions of a
/// notice share a key exactly when the desktop banner, dismissed on one, stays closed on the
/// other.
#[test]
fn dismissal_keys_agree_with_the_desktop_banner() {
    let base = |sev| notice("k", sev, Kind::Degraded, State::Investigating);
    type Change = fn(&mut Notice);
    let changes: Vec<(&str, Change)> = vec![
        ("wording", |n| n.updated_at += TimeDelta::minutes(5)),
        ("a new update", |n| {
            n.updates.push(Update {
                at: n.updated_at + TimeDelta::minutes(5),
                state: n.state,
                severity: None,
                text: Text::Plain("more".into()),
            });
            n.updated_at += TimeDelta::minutes(5);
        }),
        ("state", |n| {
            n.state = State::Identified;
            n.updated_at += TimeDelta::minutes(5);
        }),
        ("severity", |n| {
            n.severity = if n.severity == Severity::Red {
                Severity::Yellow
            } else {
                Severity::Red
            };
        }),
    ];
    for sev in [Severity::Yellow, Severity::Red] {
        for (what, change) in &changes {
            let before = base(sev);
            let mut after = before.clone();
            change(&mut after);
            let v1 = view_of(vec![before], t0());
            let v2 = view_of(vec![after], t0() + TimeDelta::minutes(6));
            let mut b = Banner::new();
            b.on_view(en(), &v1, t0(), utc());
            b.dismiss(&v1);
            let reopens = shown(&b.on_view(en(), &v2, t0(), utc())).is_some();
            let (_, k1) = banner::in_effect(en(), &v1, t0(), utc(), false).unwrap();
            let (_, k2) = banner::in_effect(en(), &v2, t0(), utc(), false).unwrap();
            assert_eq!(reopens, k1 != k2, "{sev} notice, change of {what}");
        }
    }
    // News shows only when asked for.
    let news = view_of(
        vec![notice("n", Severity::Green, Kind::Info, State::Published)],
        t0(),
    );
    assert!(banner::in_effect(en(), &news, t0(), utc(), false).is_none());
    let (m, keys) = banner::in_effect(en(), &news, t0(), utc(), true).unwrap();
    assert_eq!((m.severity, keys.len()), (Severity::Green, 1));
}

#[test]
fn a_dismissed_yellow_banner_comes_back_when_the_state_changes() {
    let mut b = Banner::new();
    let mut y = notice("y", Severity::Yellow, Kind::Degraded, State::Investigating);
    let v = view_of(vec![y.clone()], t0());
    assert!(shown(&b.on_view(en(), &v, t0(), utc())).is_some());
    b.dismiss(&v);
    y.state = State::Identified;
    y.updated_at = t0() + TimeDelta::minutes(5);
    let v = view_of(vec![y.clone()], t0() + TimeDelta::minutes(5));
    assert!(
        shown(&b.on_view(en(), &v, t0(), utc())).is_some(),
        "a state change brings it back"
    );
    b.dismiss(&v);
    assert_eq!(
        b.on_view(en(), &v, t0(), utc()),
        BannerCommand::Nothing,
        "dismissed again, it stays closed"
    );
}

#[test]
fn news_never_opens_the_banner_nor_hides_a_recovery() {
    let mut b = Banner::new();
    let news = notice("n", Severity::Green, Kind::Info, State::Published);
    let v = view_of(vec![news.clone()], t0());
    assert_eq!(
        b.on_view(en(), &v, t0(), utc()),
        BannerCommand::Nothing,
        "news is not a strip on top of everything"
    );
    let mut red = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    let v = view_of(vec![red.clone(), news.clone()], t0());
    let m = shown(&b.on_view(en(), &v, t0(), utc())).cloned().unwrap();
    assert_eq!((m.notice_id.as_str(), m.more.as_deref()), ("r", None));
    b.dismiss(&v);
    red.state = State::Resolved;
    let now = t0() + TimeDelta::minutes(9);
    red.updated_at = now;
    let v = view_of(vec![red.clone(), news.clone()], now);
    let rec = shown(&b.on_view(en(), &v, now, utc()))
        .cloned()
        .expect("the recovery shows, news or not");
    assert_eq!((rec.word.as_str(), rec.recovery), ("Resolved", true));
    assert_eq!(
        b.on_tick(en(), &v, now + RECOVERY_SHOWN, utc()),
        BannerCommand::Close,
        "then it closes: news does not take its place"
    );
}

#[test]
fn an_outage_ending_while_a_problem_stays_says_so_before_showing_the_rest() {
    let mut b = Banner::new();
    let mut red = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    let yellow = notice("y", Severity::Yellow, Kind::Degraded, State::Investigating);
    let v = view_of(vec![red.clone(), yellow.clone()], t0());
    shown(&b.on_view(en(), &v, t0(), utc())).expect("opens");
    red.state = State::Resolved;
    let now = t0() + TimeDelta::minutes(3);
    red.updated_at = now;
    let v = view_of(vec![red, yellow], now);
    let rec = shown(&b.on_view(en(), &v, now, utc())).cloned().unwrap();
    assert_eq!((rec.word.as_str(), rec.title.as_str()), ("Resolved", "T r"));
    assert_eq!(rec.more.as_deref(), Some("1 more problem still on"));
    assert_eq!(
        b.on_view(en(), &v, now + TimeDelta::seconds(5), utc()),
        BannerCommand::Nothing,
        "the recovery stays its time"
    );
    let next = shown(&b.on_tick(en(), &v, now + RECOVERY_SHOWN, utc()))
        .cloned()
        .expect("then the problem still on");
    assert_eq!(next.notice_id, "y");
}

#[test]
fn an_open_banner_ticks_its_ages() {
    let mut b = Banner::new();
    let mut v = view_of(
        vec![notice("a", Severity::Red, Kind::Outage, State::Identified)],
        t0(),
    );
    shown(&b.on_view(en(), &v, t0(), utc())).expect("opens");
    v.freshness = Freshness::Stale;
    v.stale_since = Some(t0());
    let BannerCommand::Refresh(m) = b.on_view(en(), &v, t0() + TimeDelta::minutes(1), utc()) else {
        panic!("an open banner says it is stale");
    };
    assert_eq!(
        m.stale.as_deref(),
        Some("Status as of 12:00 (1 min ago), feed unreachable")
    );
    let BannerCommand::Refresh(m) = b.on_tick(en(), &v, t0() + TimeDelta::minutes(6), utc()) else {
        panic!("the age ticks");
    };
    assert!(m.stale.unwrap().contains("6 min ago"));
    assert_eq!(
        b.on_tick(en(), &v, t0() + TimeDelta::minutes(6), utc()),
        BannerCommand::Nothing,
        "nothing to redraw when nothing changed"
    );
}

#[test]
fn maintenance_notifications_say_when_and_a_planned_one_is_not_critical() {
    let window = Window {
        starts_at: t0() + TimeDelta::minutes(28),
        ends_at: Some(t0() + TimeDelta::minutes(58)),
    };
    let mut a = alert(Reason::New, Severity::Red, "DB upgrade", "We will upgrade");
    a.kind = Kind::Maintenance;
    a.window = Some(window.clone());
    let markup = MarkupRules::NONE;
    let n = notification::for_alert(en(), &a, markup, t0(), utc());
    assert_eq!(n.summary, "Planned maintenance: DB upgrade");
    assert_eq!(n.body, "Planned for 12:28–12:58. We will upgrade");
    assert_eq!(n.urgency, Urgency::Normal, "nothing is down yet");
    a.reason = Reason::MaintenanceStarted;
    let started = notification::for_alert(en(), &a, markup, t0() + TimeDelta::minutes(28), utc());
    assert_eq!(started.summary, "Maintenance started: DB upgrade");
    assert_eq!(
        started.body, "Until 12:58",
        "not the announcement's future tense"
    );
    assert_eq!(started.urgency, Urgency::Critical);
    a.reason = Reason::Extended;
    a.window = Some(Window {
        starts_at: window.starts_at,
        ends_at: Some(t0() + TimeDelta::minutes(118)),
    });
    a.body = "Работы продлены на час".into();
    let ru = Catalog::new(Lang::Ru);
    let longer = notification::for_alert(&ru, &a, markup, t0() + TimeDelta::minutes(50), utc());
    assert_eq!(longer.summary, "Работы продлены: DB upgrade");
    assert_eq!(longer.body, "До 13:58. Работы продлены на час");
    a.body = "We will upgrade".into();
    a.window = Some(window.clone());
    let ru = Catalog::new(Lang::Ru);
    a.reason = Reason::New;
    let n = notification::for_alert(&ru, &a, markup, t0() - TimeDelta::days(1), utc());
    assert_eq!(
        n.body,
        "Запланировано: 22 нояб. в 12:28–12:58. We will upgrade"
    );
}

#[test]
fn details_say_when_maintenance_is_and_how_long_a_problem_lasted() {
    let mut m = notice("m", Severity::Yellow, Kind::Maintenance, State::Scheduled);
    m.created_at = t0() - TimeDelta::minutes(10);
    m.window = Some(Window {
        starts_at: t0() + TimeDelta::minutes(28),
        ends_at: Some(t0() + TimeDelta::minutes(58)),
    });
    let mut r = notice("r", Severity::Red, Kind::Outage, State::Resolved);
    r.created_at = t0() - TimeDelta::minutes(45);
    r.updated_at = t0() - TimeDelta::minutes(20);
    let v = view_of(vec![m.clone(), r], t0());
    let d = details::model(en(), &v, t0(), utc());
    assert_eq!(d.upcoming[0].since, "Planned: 12:28–12:58");
    assert_eq!(d.recent[0].since, "11:15–11:40 (25 min)");
    // An ended outage is no longer drawn red: its word says what it was.
    assert_eq!(
        (d.recent[0].severity, d.recent[0].word.as_str()),
        (Severity::Green, "Resolved")
    );
    m.state = State::InProgress;
    let later = t0() + TimeDelta::minutes(30);
    let v = view_of(vec![m], later);
    let d = details::model(en(), &v, later, utc());
    assert_eq!(
        d.notices[0].since, "since 12:28",
        "its start, not when it was posted"
    );
}

#[test]
fn news_reads_as_published_and_the_source_line_quotes_the_last_confirmation() {
    let mut news = notice("n", Severity::Green, Kind::Info, State::Investigating);
    news.updates = vec![Update {
        at: t0(),
        state: State::Investigating,
        severity: None,
        text: Text::Plain("New reports page".into()),
    }];
    let mut v = view_of(vec![news], t0());
    v.source = Some("https://s.example/feed.json".into());
    v.fetched_at = Some(t0() - TimeDelta::minutes(30));
    v.freshness = Freshness::Stale;
    v.stale_since = Some(t0() - TimeDelta::minutes(5));
    let now = t0();
    let d = details::model(en(), &v, now, utc());
    assert_eq!(
        d.notices[0].timeline[0].state, "Published",
        "news from an older publisher is not \"Investigating\""
    );
    assert_eq!(d.notices[0].word, "News");
    assert!(
        d.source.contains("received at 11:55 (5 min ago)"),
        "the same moment as the stale line: {}",
        d.source
    );
    assert_eq!(
        d.stale.as_deref(),
        Some("Status as of 11:55 (5 min ago), feed unreachable")
    );
}

#[test]
fn banner_counts_more_notices_and_marks_overdue_updates() {
    let mut b = Banner::new();
    let mut a = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    a.next_update_at = Some(t0() - TimeDelta::minutes(5));
    let c = notice("c", Severity::Yellow, Kind::Degraded, State::Investigating);
    let d = notice("d", Severity::Green, Kind::Info, State::Investigating);
    let v = view_of(vec![c, a, d], t0());
    let m = shown(&b.on_view(en(), &v, t0(), utc()))
        .cloned()
        .expect("opens");
    assert_eq!(m.notice_id, "a", "worst first");
    assert_eq!(
        m.more.as_deref(),
        Some("+1 more"),
        "problems only, not news"
    );
    assert!(m.overdue);
    assert_eq!(
        m.next_update.as_deref(),
        Some("update overdue (promised by 11:55)")
    );
}

#[test]
fn stale_data_never_opens_the_banner_but_counts_once_live() {
    let mut b = Banner::new();
    let mut v = view_of(
        vec![notice("a", Severity::Red, Kind::Outage, State::Identified)],
        t0(),
    );
    v.freshness = Freshness::Stale;
    v.cached = true;
    assert_eq!(b.on_view(en(), &v, t0(), utc()), BannerCommand::Nothing);
    v.freshness = Freshness::Live;
    assert!(shown(&b.on_view(en(), &v, t0(), utc())).is_some());
}

#[test]
fn maintenance_banner_says_until_when() {
    let mut b = Banner::new();
    let mut m = notice("m", Severity::Yellow, Kind::Maintenance, State::InProgress);
    m.window = Some(Window {
        starts_at: t0() - TimeDelta::minutes(10),
        ends_at: Some(t0() + TimeDelta::hours(2)),
    });
    let v = view_of(vec![m], t0());
    let model = shown(&b.on_view(en(), &v, t0(), utc()))
        .cloned()
        .expect("opens");
    assert_eq!(
        (model.word.as_str(), model.since.as_str()),
        ("Maintenance", "until 14:00")
    );
}

fn alert(reason: Reason, severity: Severity, title: &str, body: &str) -> Alert {
    Alert {
        notice_id: "n".into(),
        severity,
        reason,
        kind: Kind::Outage,
        title: title.into(),
        body: body.into(),
        window: None,
    }
}

#[test]
fn notifications_escape_the_body_for_markup_servers_and_keep_the_summary_plain() {
    let a = alert(
        Reason::New,
        Severity::Red,
        "<b>Down</b> & out",
        "<img src=x onerror=y> 'q' \"d\"",
    );
    let markup = MarkupRules::freedesktop(&["body".into(), "body-markup".into()]);
    let n = notification::for_alert(en(), &a, markup, t0(), utc());
    assert_eq!(n.summary, "Outage: <b>Down</b> & out");
    assert_eq!(
        n.body,
        "&lt;img src=x onerror=y&gt; &#39;q&#39; &quot;d&quot;"
    );
    assert_eq!(n.urgency, Urgency::Critical);
    let plain = notification::for_alert(
        en(),
        &a,
        MarkupRules::freedesktop(&["body".into()]),
        t0(),
        utc(),
    );
    assert_eq!(plain.body, "<img src=x onerror=y> 'q' \"d\"");
    let r = notification::for_alert(
        en(),
        &alert(Reason::Resolved, Severity::Green, "Down", ""),
        markup,
        t0(),
        utc(),
    );
    assert_eq!(
        (r.summary.as_str(), r.urgency),
        ("Resolved: Down", Urgency::Low)
    );
    let y = notification::for_alert(
        en(),
        &alert(Reason::Updated, Severity::Yellow, "x", ""),
        markup,
        t0(),
        utc(),
    );
    assert_eq!(
        (y.summary.as_str(), y.urgency),
        ("Outage update: x", Urgency::Normal)
    );
    let long = notification::for_alert(
        en(),
        &alert(Reason::New, Severity::Red, &"t".repeat(500), ""),
        markup,
        t0(),
        utc(),
    );
    assert!(long.summary.chars().count() <= notification::SUMMARY_CHARS + 8);
}

#[test]
fn a_red_update_notifies_once_and_a_yellow_one_not_at_all() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let mut r = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    let mut y = notice("y", Severity::Yellow, Kind::Degraded, State::Investigating);
    assert_eq!(
        decide(
            &snap(vec![r.clone(), y.clone()]),
            t0(),
            &mut m,
            p,
            &[],
            "en"
        )
        .len(),
        2
    );
    r.updated_at = t0() + TimeDelta::minutes(1);
    y.updated_at = t0() + TimeDelta::minutes(1);
    let s = snap(vec![r.clone(), y.clone()]);
    let got: Vec<_> = decide(&s, t0(), &mut m, p, &[], "en")
        .into_iter()
        .map(|a| (a.notice_id, a.reason))
        .collect();
    assert_eq!(got, [("r".to_owned(), Reason::Updated)]);
    assert!(
        decide(&s, t0(), &mut m, p, &[], "en").is_empty(),
        "never twice"
    );
}

/// The end of a maintenance is "Maintenance completed", not "Resolved" (nothing was broken),
/// also when it vanished from a feed that drops ended notices; news is "Taken down".
#[test]
fn a_maintenance_ends_completed_and_news_is_taken_down() {
    let p = NotifyPolicy::default();
    let markup = MarkupRules { body: false };
    let ru = Catalog::new(Lang::Ru);
    for (kind, severity, en_word, ru_word) in [
        (
            Kind::Maintenance,
            Severity::Yellow,
            "Maintenance completed",
            "Работы завершены",
        ),
        (
            Kind::Info,
            Severity::Green,
            "Taken down",
            "Снято с публикации",
        ),
        (Kind::Outage, Severity::Red, "Resolved", "Устранено"),
    ] {
        let state = match kind {
            Kind::Maintenance => State::InProgress,
            Kind::Info => State::Published,
            _ => State::Investigating,
        };
        let mut n = notice("m", severity, kind, state);
        let mut m = Memory::default();
        decide(&snap(vec![n.clone()]), t0(), &mut m, p, &[], "en");
        let mut vanished = m.clone();
        n.state = match kind {
            Kind::Maintenance => State::Completed,
            _ => State::Resolved,
        };
        let ended = decide(&snap(vec![n.clone()]), t0(), &mut m, p, &[], "en");
        let gone = decide(&snap(vec![]), t0(), &mut vanished, p, &[], "en");
        for alerts in [ended, gone] {
            assert_eq!(alerts.len(), 1, "{kind:?}");
            let en_n = notification::for_alert(en(), &alerts[0], markup, t0(), utc());
            assert_eq!(en_n.summary, format!("{en_word}: T m"));
            let ru_n = notification::for_alert(&ru, &alerts[0], markup, t0(), utc());
            assert_eq!(ru_n.summary, format!("{ru_word}: T m"));
        }
        if kind != Kind::Info {
            // The banner's green end says the same.
            let mut b = Banner::new();
            n.state = state;
            b.on_view(en(), &view_of(vec![n.clone()], t0()), t0(), utc());
            n.state = match kind {
                Kind::Maintenance => State::Completed,
                _ => State::Resolved,
            };
            let rec = shown(&b.on_view(en(), &view_of(vec![n], t0()), t0(), utc()))
                .cloned()
                .expect("an end banner");
            assert_eq!((rec.word.as_str(), rec.recovery), (en_word, true));
        }
    }
}

/// A withdrawn outage's text was never true: the notification says it was posted by mistake
/// and why, not the old words, which read as if the outage were on.
#[test]
fn a_withdrawal_says_it_was_a_mistake_and_why() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let mut r = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    r.body = Text::Plain("Payments fail everywhere".into());
    decide(&snap(vec![r.clone()]), t0(), &mut m, p, &[], "en");
    r.state = State::Withdrawn;
    r.updates.push(Update {
        at: t0() + TimeDelta::minutes(2),
        state: State::Withdrawn,
        severity: None,
        text: Text::Plain("Posted for the wrong customer".into()),
    });
    let alerts = decide(&snap(vec![r]), t0(), &mut m, p, &[], "en");
    assert_eq!(alerts.len(), 1);
    let markup = MarkupRules { body: false };
    let n = notification::for_alert(en(), &alerts[0], markup, t0(), utc());
    assert_eq!(n.summary, "Notice withdrawn: T r");
    assert_eq!(
        n.body,
        "It was posted by mistake. Posted for the wrong customer"
    );
    let ru = Catalog::new(Lang::Ru);
    let n = notification::for_alert(&ru, &alerts[0], markup, t0(), utc());
    assert_eq!(n.summary, "Сообщение отменено: T r");
    assert!(
        n.body.starts_with("Оно было опубликовано по ошибке."),
        "{}",
        n.body
    );
    assert_eq!(n.urgency, Urgency::Low);
}

/// A corrected wording is a quiet fix (docs/console.md): it moves `updated_at` but adds no
/// update, so an outage's notification does not ring again and its dismissed banner stays
/// closed. Support's next update does both.
#[test]
fn a_correction_neither_notifies_nor_reopens_an_outage_a_new_update_does() {
    let p = NotifyPolicy::default();
    let mut m = Memory::default();
    let mut b = Banner::new();
    let mut r = notice("r", Severity::Red, Kind::Outage, State::Investigating);
    r.updates = vec![Update {
        at: t0(),
        state: State::Investigating,
        severity: None,
        text: Text::Plain("Payments fail".into()),
    }];
    assert_eq!(
        decide(&snap(vec![r.clone()]), t0(), &mut m, p, &[], "en").len(),
        1
    );
    let v = view_of(vec![r.clone()], t0());
    assert!(shown(&b.on_view(en(), &v, t0(), utc())).is_some());
    assert_eq!(b.dismiss(&v), BannerCommand::Close);

    let fixed_at = t0() + TimeDelta::minutes(3);
    r.title = Text::Plain("Payments fail (typo fixed)".into());
    r.updated_at = fixed_at;
    assert!(
        decide(&snap(vec![r.clone()]), fixed_at, &mut m, p, &[], "en").is_empty(),
        "a correction is not news"
    );
    let v = view_of(vec![r.clone()], fixed_at);
    assert!(
        shown(&b.on_view(en(), &v, fixed_at, utc())).is_none(),
        "the dismissed banner stays closed"
    );

    let said_at = t0() + TimeDelta::minutes(10);
    r.updated_at = said_at;
    r.updates.push(Update {
        at: said_at,
        state: State::Identified,
        severity: None,
        text: Text::Plain("Cause found".into()),
    });
    r.state = State::Identified;
    let got: Vec<_> = decide(&snap(vec![r.clone()]), said_at, &mut m, p, &[], "en")
        .into_iter()
        .map(|a| a.reason)
        .collect();
    assert_eq!(got, [Reason::Updated]);
    let v = view_of(vec![r], said_at);
    assert!(shown(&b.on_view(en(), &v, said_at, utc())).is_some());
}

#[test]
fn details_show_the_timeline_newest_first_and_where_the_status_came_from() {
    let mut a = notice("a", Severity::Red, Kind::Outage, State::Identified);
    a.components = vec!["api".into(), "web".into()];
    a.updates = vec![
        Update {
            at: t0() - TimeDelta::minutes(30),
            state: State::Investigating,
            severity: None,
            text: Text::Plain("Looking".into()),
        },
        Update {
            at: t0() - TimeDelta::minutes(10),
            state: State::Identified,
            severity: None,
            text: Text::Plain("Found it".into()),
        },
    ];
    let mut v = view_of(vec![a], t0());
    v.source = Some("https://status.example.com/feed.json".into());
    v.fetched_at = Some(t0() - TimeDelta::minutes(2));
    let d = details::model(en(), &v, t0(), utc());
    let card = &d.notices[0];
    assert_eq!(card.components.as_deref(), Some("Affects: api, web"));
    let when: Vec<_> = card
        .timeline
        .iter()
        .map(|t| (t.when.as_str(), t.state.as_str()))
        .collect();
    assert_eq!(when, [("11:50", "Identified"), ("11:30", "Investigating")]);
    assert!(
        d.source.contains("https://status.example.com/feed.json"),
        "{}",
        d.source
    );
    assert!(d.source.contains("2 min ago"), "{}", d.source);
    assert_eq!(
        details::model(en(), &ViewState::unknown(), t0(), utc()).source,
        "No status received yet."
    );
}

#[test]
fn with_no_status_details_say_the_status_is_unknown_not_no_problems() {
    let unknown = "Status unknown: no verified status has arrived yet, so problems cannot be \
                   ruled out. If this lasts, tell your administrator.";
    let mut v = ViewState::unknown();
    v.stale_reason = Some("http://127.0.0.1:1/events: cannot connect: Connection refused".into());
    let d = details::model(en(), &v, t0(), utc());
    assert_eq!(
        d.nothing_now, unknown,
        "no raw technical reason in the sentence"
    );
    let waiting = details::model(en(), &ViewState::unknown(), t0(), utc());
    assert_eq!(waiting.nothing_now, unknown);
    let all_well = details::model(en(), &view_of(vec![], t0()), t0(), utc());
    assert_eq!(all_well.nothing_now, "No current problems.");
}

#[test]
fn diagnostics_name_sources_and_settings_but_no_secrets() {
    use svetofor_client::config;
    use svetofor_client::engine::SourceHealth;
    use svetofor_desktop_model::diagnostics::{Inputs, report, safe_url};

    let (dir, user, policy) = common::config_files(
        Some("proxy = \"http://me:hunter2@proxy:3128\"\n"),
        Some(
            "feeds = [\"https://user:pw@status.example.com/feed.json?key=abc\"]\ntoken = \"svt_abcdefgh_SECRETSECRETSECRET\"\n",
        ),
    );
    let cfg = config::load(Some(&user), Some(&policy)).unwrap();
    let sources = [SourceHealth {
        url: cfg.feeds[0].clone(),
        push: true,
        last_success: Some(t0() - TimeDelta::minutes(3)),
        last_failure: Some(t0() - TimeDelta::seconds(10)),
        last_error: Some(format!("{}: connection refused", cfg.feeds[0])),
    }];
    let v = view_of(vec![], t0());
    let text = report(&Inputs {
        version: "9.9.9",
        language: "ru",
        config: Ok(&cfg),
        user_file: Some(&user),
        policy_file: &policy,
        feeds_override: false,
        sources: &sources,
        view: &v,
        cache_dir: Some(dir.path()),
        now: t0(),
    });
    for secret in ["SECRETSECRET", "hunter2", "pw@", "key=abc"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    for want in [
        "Svetofor 9.9.9",
        "Locked by policy: feeds, token",
        "https://status.example.com/feed.json?…",
        "[push]",
        "last success: 2026-11-22 11:57:00 UTC (180 s ago)",
        "error: https://status.example.com/feed.json?…: connection refused",
        "proxy = \"http://me:***@proxy:3128/\" (user)",
        "Shown: status green",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert_eq!(safe_url("http://a:b@h:1/p/q?x=1#f"), "http://h:1/p/q?…");
}

#[test]
fn autostart_overrides_the_system_entry_and_never_touches_the_users_own() {
    use svetofor_desktop_model::autostart::{XdgAction, entry, exec_quote, plan};
    let exe = "/opt/my apps/svetofor";
    // On, with the package's system entry: no user entry needed; ours is removed.
    assert_eq!(plan(true, true, None, exe), XdgAction::Nothing);
    assert_eq!(
        plan(true, true, Some(&entry(exe, true)), exe),
        XdgAction::Remove
    );
    // On, no system entry (run from a build): a user entry starts the app.
    assert_eq!(
        plan(true, false, None, exe),
        XdgAction::Write(entry(exe, false))
    );
    assert_eq!(
        plan(true, false, Some(&entry(exe, false)), exe),
        XdgAction::Nothing
    );
    // Off: a hidden user entry, which overrides the system one.
    let off = entry(exe, true);
    assert!(off.contains("Hidden=true") && off.contains("X-GNOME-Autostart-enabled=false"));
    assert_eq!(plan(false, true, None, exe), XdgAction::Write(off.clone()));
    assert_eq!(plan(false, true, Some(&off), exe), XdgAction::Nothing);
    // An entry the user made is theirs.
    let users = "[Desktop Entry]\nType=Application\nExec=svetofor --open details\n";
    assert_eq!(plan(false, true, Some(users), exe), XdgAction::Nothing);
    assert_eq!(plan(true, false, Some(users), exe), XdgAction::Nothing);
    assert_eq!(exec_quote("/a b/\"c\"$`\\"), "\"/a b/\\\"c\\\"\\$\\`\\\\\"");
    assert!(entry(exe, false).contains("Exec=\"/opt/my apps/svetofor\"\n"));
}
