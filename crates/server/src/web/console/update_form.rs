//! The update form of a notice's page as plain data: what it offers for the notice's kind
//! (severity, parts of the product, the maintenance window) and the API request it makes.
//! Only what the person changed goes into the request.

use chrono::{DateTime, Utc};
use svetofor_api::NoticeUpdate;
use svetofor_feed::{Kind, Notice, Severity};

use super::form::{Choice, Marks, Select, delays, list, moment, time_refusal, word};
use crate::web::words::Words;

/// The update form's value that takes the promise back.
pub(super) const NO_PROMISE: &str = "none";

/// The update form's promise: with one made, it stands unless changed ("keep as it is", the
/// presets, "take it back"); without one, "no promise" and the presets.
pub(super) fn promise_choices(w: &Words, promised: bool, current: &str) -> Select {
    let shown = if current == NO_PROMISE { "" } else { current };
    let mut s = delays(w, "next_update_at", shown);
    if promised {
        s.options[0].label = w.t("console-update-keep-promise");
        s.options[0].selected = current.is_empty();
        s.options.push(Choice::new(
            NO_PROMISE,
            w.t("console-update-take-promise-back"),
            current == NO_PROMISE,
        ));
    }
    s
}

/// What the update form sent.
pub(super) struct Typed<'a> {
    pub text: Option<svetofor_feed::Text>,
    pub state: &'a str,
    pub severity: &'a str,
    pub next_update_at: &'a str,
    /// The parts as the field now reads, and as it was drawn.
    pub components: &'a str,
    pub components_were: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub tz: &'a str,
    pub version: Option<String>,
}

/// The severities an update may move a notice of `kind` to, with the words for each: an
/// outage or degradation is red or yellow, news yellow or green.
fn severities(kind: Kind) -> &'static [(Severity, &'static str)] {
    match kind {
        Kind::Outage | Kind::Degraded => &[
            (Severity::Red, "console-update-severity-red"),
            (Severity::Yellow, "console-update-severity-yellow"),
        ],
        Kind::Maintenance => &[
            (Severity::Red, "console-update-severity-maintenance-red"),
            (
                Severity::Yellow,
                "console-update-severity-maintenance-yellow",
            ),
        ],
        Kind::Info => &[
            (Severity::Yellow, "console-update-severity-info-yellow"),
            (Severity::Green, "console-update-severity-info-green"),
        ],
    }
}

/// The severity choice: "as it is" first (naming it), then the others for the kind.
pub(super) fn severity_choices(w: &Words, n: &Notice, typed: &str) -> Select {
    let all = severities(n.kind);
    let now = all
        .iter()
        .find(|(s, _)| *s == n.severity)
        .map_or_else(String::new, |(_, key)| w.t(key));
    let keep = w.tr_str("console-update-severity-keep", &[("now", &now)]);
    let options = std::iter::once(Choice::new("", keep, typed.is_empty()))
        .chain(
            all.iter()
                .filter(|(s, _)| *s != n.severity)
                .map(|(s, key)| Choice::new(s.as_str(), w.t(key), typed == s.as_str())),
        )
        .collect();
    Select {
        name: "severity",
        options,
    }
}

/// The parts of the product as the form shows them: ids, comma-separated.
pub(super) fn components_text(n: &Notice) -> String {
    n.components.join(", ")
}

/// The request the form asks for, or what is wrong with its times, by field.
pub(super) fn request(w: &Words, t: &Typed<'_>, now: DateTime<Utc>) -> Result<NoticeUpdate, Marks> {
    let mut marks = Marks::new();
    let mut time = |field: &str, raw: &str| match moment(raw.trim(), now, t.tz) {
        Ok(v) => v,
        Err(e) => {
            marks
                .entry(field.to_owned())
                .or_default()
                .push(time_refusal(w, e));
            None
        }
    };
    let promise = Some(t.next_update_at.trim()).filter(|p| *p != NO_PROMISE);
    let next_update_at = time("next_update_at", promise.unwrap_or(""));
    let starts_at = time("starts_at", t.starts_at);
    let ends_at = time("ends_at", t.ends_at);
    if !marks.is_empty() {
        return Err(marks);
    }
    let mut parts = list(t.components);
    let mut were = list(t.components_were);
    parts.sort();
    were.sort();
    Ok(NoticeUpdate {
        text: t.text.clone(),
        state: word(t.state),
        severity: word(t.severity),
        // "none": the promise is taken back; empty: it stands.
        no_next_update: t.next_update_at.trim() == NO_PROMISE,
        next_update_at,
        title: None,
        body: None,
        starts_at,
        ends_at,
        components: (parts != were).then_some(parts),
        // Parts are added by an admin on the Components page, never by a typo here.
        new_components: false,
        version: t.version.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::words::Lang;
    use chrono::TimeZone;

    fn typed<'a>() -> Typed<'a> {
        Typed {
            text: None,
            state: "",
            severity: "",
            next_update_at: "",
            components: "payments",
            components_were: "payments",
            starts_at: "",
            ends_at: "",
            tz: "180",
            version: None,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
    }

    #[test]
    fn only_what_was_changed_is_asked_for() {
        let w = crate::web::words::of(Lang::Ru);
        let r = request(w, &typed(), now()).unwrap();
        assert_eq!(r.severity, None);
        assert_eq!(
            r.components, None,
            "the same parts in another order are no change"
        );
        assert_eq!((r.starts_at, r.ends_at), (None, None));
        let r = request(
            w,
            &Typed {
                severity: "red",
                components: "reports, payments",
                ends_at: "17:00",
                ..typed()
            },
            now(),
        )
        .unwrap();
        assert_eq!(r.severity, Some(Severity::Red));
        assert_eq!(
            r.components,
            Some(vec!["payments".to_owned(), "reports".to_owned()])
        );
        // 17:00 in Moscow, the writer's zone.
        assert_eq!(
            r.ends_at,
            Utc.with_ymd_and_hms(2026, 12, 4, 14, 0, 0).single()
        );
        let r = request(
            w,
            &Typed {
                components: " ",
                ..typed()
            },
            now(),
        )
        .unwrap();
        assert_eq!(r.components, Some(vec![]), "emptied: the whole product");
    }

    #[test]
    fn an_unreadable_time_is_marked_at_its_field() {
        let w = crate::web::words::of(Lang::Ru);
        let marks = request(
            w,
            &Typed {
                ends_at: "к обеду",
                ..typed()
            },
            now(),
        )
        .unwrap_err();
        assert!(marks.contains_key("ends_at"), "{marks:?}");
    }
}
