//! The compose form as posted, and what it asks for: a pure step from the form's fields to
//! the notice request, the time to publish at, and the fields whose time could not be read.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use svetofor_api::NewNotice;
use svetofor_feed::{Kind, Severity};
use svetofor_publisher::when::WhenError;

use super::form::{list, moment, text, word};

/// Which button was pressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum ComposeAction {
    /// Show what desktops will show; nothing is saved.
    Preview,
    /// Save without publishing.
    Draft,
    /// Save for the clock to publish at `publish_at`.
    Schedule,
    /// Publish now (the default button, and any value the form does not know).
    #[default]
    #[serde(other)]
    Publish,
}

/// The compose form as posted.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ComposeForm {
    /// The one choice of what happened (`outage`, `degraded`, `maintenance`, `info`): it
    /// gives the kind and its usual severity.
    #[serde(default)]
    pub(super) what: String,
    /// The choice the carried `severity` came with (a template's or draft's): that severity
    /// holds only while the choice is unchanged.
    #[serde(default)]
    pub(super) what_was: String,
    /// A severity carried from a template or draft; without `what`, as the API takes it.
    #[serde(default)]
    pub(super) severity: String,
    /// Without `what`: the kind, as the API takes it.
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) title_ru: String,
    #[serde(default)]
    pub(super) title_en: String,
    #[serde(default)]
    pub(super) body_ru: String,
    #[serde(default)]
    pub(super) body_en: String,
    #[serde(default)]
    pub(super) components: String,
    #[serde(default)]
    pub(super) next_update_at: String,
    #[serde(default)]
    pub(super) starts_at: String,
    #[serde(default)]
    pub(super) ends_at: String,
    #[serde(default)]
    pub(super) url: String,
    #[serde(default)]
    pub(super) csrf: String,
    /// "Publish anyway": the checks that failed are overridden, with a reason.
    #[serde(default)]
    pub(super) confirm: String,
    #[serde(default)]
    pub(super) confirm_reason: String,
    /// Which button.
    #[serde(default)]
    pub(super) action: ComposeAction,
    #[serde(default)]
    pub(super) publish_at: String,
    /// The draft this form edits, if it does.
    #[serde(default)]
    pub(super) draft_id: String,
    /// The browser's offset from UTC in minutes (set by the console's script; empty: UTC).
    #[serde(default)]
    pub(super) tz: String,
}

impl super::guard::WithCsrf for ComposeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// What a compose form asks for.
#[derive(Debug, Clone)]
pub(super) struct Asked {
    /// The notice as the API would take it.
    pub request: NewNotice,
    /// When to publish it ([`ComposeAction::Schedule`]).
    pub publish_at: Option<DateTime<Utc>>,
    /// The fields whose time could not be read, and why.
    pub bad_times: Vec<(&'static str, WhenError)>,
    /// Scheduled, with no time to publish at.
    pub publish_at_missing: bool,
}

/// The severity a kind of notice usually has: an outage is red, disruption and planned work
/// yellow, news green.
pub(super) fn usual(kind: Kind) -> Severity {
    match kind {
        Kind::Outage => Severity::Red,
        Kind::Degraded | Kind::Maintenance => Severity::Yellow,
        Kind::Info => Severity::Green,
    }
}

/// Whether a notice of `kind` may be `severity` (a green problem or red news may not).
fn fits(kind: Kind, severity: Severity) -> bool {
    !matches!(
        (kind, severity),
        (Kind::Outage | Kind::Degraded, Severity::Green) | (Kind::Info, Severity::Red)
    )
}

/// The notice request of `f`, its times read in the browser's zone at `now`. Pure.
pub(super) fn asked(f: &ComposeForm, now: DateTime<Utc>) -> Asked {
    let mut bad_times = vec![];
    let mut time =
        |field: &'static str, raw: &str, base: DateTime<Utc>| match moment(raw, base, &f.tz) {
            Ok(t) => t,
            Err(e) => {
                bad_times.push((field, e));
                None
            }
        };
    let scheduled = f.action == ComposeAction::Schedule;
    let publish_at = if scheduled {
        time("publish_at", &f.publish_at, now)
    } else {
        None
    };
    // A promise made in a scheduled notice counts from when it is published.
    let base = publish_at.unwrap_or(now);
    let next_update_at = time("next_update_at", &f.next_update_at, base);
    let starts_at = time("starts_at", &f.starts_at, now);
    let ends_at = time("ends_at", &f.ends_at, now);
    let (kind, severity) = match word::<Kind>(&f.what) {
        Some(kind) => {
            let carried = word::<Severity>(&f.severity)
                .filter(|_| f.what_was.trim() == f.what.trim())
                .filter(|s| fits(kind, *s));
            (Some(kind), Some(carried.unwrap_or_else(|| usual(kind))))
        }
        None => (word::<Kind>(&f.kind), word(&f.severity)),
    };
    let request = NewNotice {
        severity,
        kind,
        state: None,
        title: text(&f.title_ru, &f.title_en),
        body: text(&f.body_ru, &f.body_en),
        components: list(&f.components),
        // Parts are added by an admin on the Components page, never by a typo here.
        new_components: false,
        next_update_at,
        starts_at,
        ends_at,
        url: Some(f.url.trim().to_owned()).filter(|u| !u.is_empty()),
    };
    Asked {
        request,
        publish_at,
        bad_times,
        publish_at_missing: scheduled && f.publish_at.trim().is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use svetofor_feed::{Severity, Text};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> ComposeForm {
        let body: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", url_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        serde_urlencoded_like(&body)
    }

    fn url_encode(v: &str) -> String {
        url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
    }

    fn serde_urlencoded_like(body: &str) -> ComposeForm {
        let map: serde_json::Map<String, serde_json::Value> =
            url::form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
                .collect();
        serde_json::from_value(serde_json::Value::Object(map)).unwrap()
    }

    #[test]
    fn a_button_the_form_does_not_know_publishes() {
        assert_eq!(form(&[]).action, ComposeAction::Publish);
        assert_eq!(
            form(&[("action", "publish")]).action,
            ComposeAction::Publish
        );
        assert_eq!(
            form(&[("action", "preview")]).action,
            ComposeAction::Preview
        );
        assert_eq!(form(&[("action", "draft")]).action, ComposeAction::Draft);
        assert_eq!(
            form(&[("action", "schedule")]).action,
            ComposeAction::Schedule
        );
        assert_eq!(
            form(&[("action", "<b>x</b>")]).action,
            ComposeAction::Publish
        );
    }

    #[test]
    fn one_choice_gives_the_kind_and_its_usual_severity() {
        let both = |pairs: &[(&str, &str)]| {
            let a = asked(&form(pairs), now());
            (a.request.kind, a.request.severity)
        };
        assert_eq!(
            both(&[("what", "outage")]),
            (Some(Kind::Outage), Some(Severity::Red))
        );
        assert_eq!(
            both(&[("what", "degraded")]),
            (Some(Kind::Degraded), Some(Severity::Yellow))
        );
        assert_eq!(
            both(&[("what", "maintenance")]),
            (Some(Kind::Maintenance), Some(Severity::Yellow))
        );
        assert_eq!(
            both(&[("what", "info")]),
            (Some(Kind::Info), Some(Severity::Green))
        );
        // A template's red disruption stays red while the choice is the template's …
        let carried = [
            ("what", "degraded"),
            ("what_was", "degraded"),
            ("severity", "red"),
        ];
        assert_eq!(both(&carried), (Some(Kind::Degraded), Some(Severity::Red)));
        // … and a different choice takes its own usual severity, never red news.
        assert_eq!(
            both(&[
                ("what", "info"),
                ("what_was", "degraded"),
                ("severity", "red")
            ]),
            (Some(Kind::Info), Some(Severity::Green))
        );
        // A yellow outage is not a choice the form offers.
        assert_eq!(
            both(&[
                ("what", "outage"),
                ("what_was", "degraded"),
                ("severity", "yellow")
            ]),
            (Some(Kind::Outage), Some(Severity::Red))
        );
    }

    #[test]
    fn the_fields_become_the_api_request() {
        let f = form(&[
            ("severity", "red"),
            ("kind", "outage"),
            ("title_ru", " Платежи не проходят "),
            ("title_en", ""),
            ("body_ru", "Строка 1\r\nСтрока 2"),
            ("components", "payments, ,api"),
            ("next_update_at", "30m"),
            ("url", "  "),
        ]);
        let a = asked(&f, now());
        assert_eq!(a.request.severity, Some(Severity::Red));
        assert_eq!(a.request.kind, Some(Kind::Outage));
        let Some(Text::Translated(title)) = &a.request.title else {
            panic!("{:?}", a.request.title)
        };
        assert_eq!(title.len(), 1);
        assert_eq!(title["ru"], "Платежи не проходят");
        let Some(Text::Translated(body)) = &a.request.body else {
            panic!("{:?}", a.request.body)
        };
        assert_eq!(body["ru"], "Строка 1\nСтрока 2");
        assert_eq!(a.request.components, ["payments", "api"]);
        assert_eq!(
            a.request.next_update_at,
            Some(now() + chrono::TimeDelta::minutes(30))
        );
        assert_eq!(a.request.url, None);
        assert_eq!(a.publish_at, None);
        assert!(a.bad_times.is_empty() && !a.publish_at_missing);
    }

    #[test]
    fn a_scheduled_promise_counts_from_publication() {
        let f = form(&[
            ("action", "schedule"),
            ("publish_at", "2h"),
            ("next_update_at", "30m"),
        ]);
        let a = asked(&f, now());
        assert_eq!(a.publish_at, Some(now() + chrono::TimeDelta::hours(2)));
        assert_eq!(
            a.request.next_update_at,
            Some(now() + chrono::TimeDelta::minutes(150))
        );
        // Not scheduled: the time to publish at is not read at all.
        let f = form(&[("publish_at", "nonsense")]);
        let a = asked(&f, now());
        assert!(a.bad_times.is_empty() && a.publish_at.is_none());
    }

    #[test]
    fn unreadable_times_and_a_missing_schedule_are_named() {
        let f = form(&[
            ("action", "schedule"),
            ("starts_at", "tomorrow-ish"),
            ("ends_at", "99:99"),
        ]);
        let a = asked(&f, now());
        assert_eq!(
            a.bad_times,
            [
                ("starts_at", WhenError::Unreadable),
                ("ends_at", WhenError::NoSuchTime)
            ]
        );
        assert!(a.publish_at_missing);
    }

    #[test]
    fn russian_times_are_read_in_the_browsers_zone() {
        // Moscow: the script sends minutes east of UTC.
        let f = form(&[
            ("tz", "180"),
            ("next_update_at", "2ч"),
            ("starts_at", "завтра 9:00"),
            ("ends_at", "04.12.2026 15:00"),
        ]);
        let a = asked(&f, now());
        assert!(a.bad_times.is_empty(), "{:?}", a.bad_times);
        assert_eq!(
            a.request.next_update_at,
            Some(now() + chrono::TimeDelta::hours(2))
        );
        assert_eq!(
            a.request.starts_at,
            Some(Utc.with_ymd_and_hms(2026, 12, 5, 6, 0, 0).unwrap())
        );
        assert_eq!(a.request.ends_at, Some(now()));
        // A day with no time of day is named as such, not as nonsense.
        let f = form(&[("starts_at", "завтра"), ("ends_at", "30м")]);
        let a = asked(&f, now());
        assert_eq!(a.bad_times, [("starts_at", WhenError::NoClock)]);
    }
}
