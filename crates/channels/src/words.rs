//! What a channel says, in Russian or English: one short message per event, written as
//! support would (what is wrong, what is being done, when the next word comes, where to ask).
//! Pure: the caller passes the event and the zone.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use svetofor_api::{EventKind, NoticeEvent};
use svetofor_feed::{Kind, Notice, Severity, State};

pub use svetofor_i18n::Lang;

/// The channels' book of words.
pub struct Channels;

impl svetofor_i18n::Book for Channels {
    const NAME: &'static str = "channels";

    fn source(lang: Lang) -> &'static str {
        match lang {
            Lang::Ru => include_str!("../i18n/ru.ftl"),
            Lang::En => include_str!("../i18n/en.ftl"),
        }
    }
}

/// The message `key` in `lang`.
pub fn say(lang: Lang, key: &str) -> String {
    type Words = svetofor_i18n::Catalog<Channels>;
    static RU: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    static EN: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    let words = match lang {
        Lang::Ru => RU.get_or_init(|| Words::new(Lang::Ru)),
        Lang::En => EN.get_or_init(|| Words::new(Lang::En)),
    };
    words.t(key)
}

/// The word for how bad it is, never the colour alone.
pub fn severity_word(n: &Notice, lang: Lang) -> String {
    match (n.kind, n.severity) {
        (Kind::Maintenance, _) => say(lang, "word-maintenance"),
        (Kind::Info, _) => say(lang, "word-info"),
        (_, Severity::Red) => say(lang, "word-red"),
        (_, Severity::Yellow) => say(lang, "word-yellow"),
        (_, Severity::Green) => say(lang, "word-green"),
    }
}

fn mark(n: &Notice) -> &'static str {
    match n.severity {
        Severity::Red => "🔴",
        Severity::Yellow => "🟡",
        Severity::Green => "🟢",
    }
}

/// Where a notice stands, in a few words (lower case, for after a dash).
pub fn state_word(s: State, lang: Lang) -> String {
    match s {
        State::Investigating => say(lang, "state-investigating"),
        State::Identified => say(lang, "state-identified"),
        State::Monitoring => say(lang, "state-monitoring"),
        State::Resolved => say(lang, "state-resolved"),
        State::Scheduled => say(lang, "state-scheduled"),
        State::InProgress => say(lang, "state-in-progress"),
        State::Completed => say(lang, "state-completed"),
        State::Withdrawn => say(lang, "state-withdrawn"),
        State::Published => say(lang, "state-published"),
    }
}

fn zone_name(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    if m.is_multiple_of(60) {
        format!("UTC{sign}{}", m / 60)
    } else {
        format!("UTC{sign}{}:{:02}", m / 60, m % 60)
    }
}

/// `12:30 (МСК)`, or `1 Dec 12:30 (UTC+3)` when not today in that zone.
pub fn time(t: DateTime<Utc>, now: DateTime<Utc>, offset_minutes: i32, lang: Lang) -> String {
    let zone = FixedOffset::east_opt(offset_minutes.clamp(-14 * 60, 14 * 60) * 60)
        .unwrap_or_else(|| Utc.fix());
    let local = t.with_timezone(&zone);
    let today = now.with_timezone(&zone).date_naive() == local.date_naive();
    let name = match (offset_minutes, lang) {
        (180, _) => say(lang, "zone-moscow"),
        _ => zone_name(offset_minutes),
    };
    if today {
        format!("{} ({name})", local.format("%H:%M"))
    } else {
        use chrono::Datelike;
        let month = say(lang, &format!("month-{}", local.month()));
        format!("{} {month} {} ({name})", local.day(), local.format("%H:%M"))
    }
}

/// A message as lines of plain text; each channel escapes and joins them its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The first line: what it is, and the title. Also the e-mail's subject, with
    /// `[word]` in front.
    pub headline: String,
    /// What it is in a word or two (`Сбой`, `Устранено`), for the e-mail's subject.
    pub word: String,
    /// The rest, paragraph by paragraph.
    pub lines: Vec<String>,
}

/// The text of `event` in `lang`, times in UTC + `offset_minutes`.
pub fn message(event: &NoticeEvent, lang: Lang, offset_minutes: i32) -> Message {
    let n = &event.notice;
    let tag = lang.tag();
    let title = n.title.get(tag, "").trim().to_owned();
    let mut word = severity_word(n, lang);
    let now = event.timestamp;
    let latest = n
        .updates
        .last()
        .map(|u| u.text.get(tag, "").trim().to_owned())
        .unwrap_or_default();
    let body = n.body.get(tag, "").trim().to_owned();
    let mut lines = vec![];
    let headline = match event.kind {
        EventKind::Created | EventKind::Corrected => {
            if !body.is_empty() {
                lines.push(body);
            }
            format!("{} {word}: {title}", mark(n))
        }
        EventKind::Updated => {
            if !latest.is_empty() {
                lines.push(latest);
            }
            format!("{} {}: {title}", mark(n), say(lang, "headline-update"))
        }
        EventKind::Resolved => {
            if !latest.is_empty() {
                lines.push(latest);
            }
            word = match n.kind {
                Kind::Maintenance => say(lang, "word-maintenance-completed"),
                Kind::Info => say(lang, "word-news-removed"),
                _ => say(lang, "word-resolved"),
            };
            format!("✅ {word}: {title}")
        }
        EventKind::Withdrawn => {
            // The text above was never true: say so before why it was withdrawn.
            lines.push(say(lang, "line-withdrawn-why"));
            if !latest.is_empty() {
                lines.push(latest);
            }
            word = say(lang, "word-withdrawn");
            format!("{word}: {title}")
        }
        EventKind::DraftCreated => {
            if !body.is_empty() {
                lines.push(body);
            }
            lines.push(say(lang, "draft-not-seen").to_owned());
            word = say(lang, "word-draft");
            return Message {
                headline: format!("📝 {}: {title}", say(lang, "headline-from-monitoring")),
                word,
                lines,
            };
        }
    };
    if let Some(w) = &n.window {
        let until = w
            .ends_at
            .map(|e| format!(" — {}", time(e, now, offset_minutes, lang)))
            .unwrap_or_default();
        lines.push(format!(
            "{}: {}{until}",
            say(lang, "line-when"),
            time(w.starts_at, now, offset_minutes, lang)
        ));
    }
    if !n.state.is_final() {
        lines.push(format!(
            "{}: {}",
            say(lang, "line-status"),
            state_word(n.state, lang)
        ));
        if let Some(t) = n.next_update_at {
            lines.push(format!(
                "{} {}",
                say(lang, "line-next-update"),
                time(t, now, offset_minutes, lang)
            ));
        }
    }
    if let Some(url) = &n.url {
        lines.push(format!("{}: {url}", say(lang, "line-details")));
    }
    Message {
        headline,
        word,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use svetofor_feed::{Text, Update};

    fn event(kind: EventKind) -> NoticeEvent {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let text = |ru: &str, en: &str| {
            Text::Translated(
                [
                    ("ru".to_owned(), ru.to_owned()),
                    ("en".to_owned(), en.to_owned()),
                ]
                .into_iter()
                .collect(),
            )
        };
        NoticeEvent {
            kind,
            timestamp: at,
            feed_id: "f".into(),
            seq: 1,
            notice: Notice {
                id: "n1".into(),
                severity: Severity::Red,
                kind: Kind::Outage,
                state: State::Investigating,
                title: text("Платежи не проходят", "Payments fail"),
                body: text(
                    "Оплата картой не работает. Вопросы: +7 495 000-00-00",
                    "Card payments fail.",
                ),
                components: vec![],
                created_at: at,
                updated_at: at,
                window: None,
                next_update_at: Some(at + chrono::TimeDelta::minutes(30)),
                url: None,
                updates: vec![Update {
                    at,
                    state: State::Investigating,
                    severity: Some(Severity::Red),
                    text: text(
                        "Оплата картой не работает. Вопросы: +7 495 000-00-00",
                        "Card payments fail.",
                    ),
                }],
            },
        }
    }

    #[test]
    fn an_outage_says_what_what_next_and_when_in_moscow_time() {
        let m = message(&event(EventKind::Created), Lang::Ru, 180);
        assert_eq!(m.headline, "🔴 Сбой: Платежи не проходят");
        assert_eq!(
            m.lines,
            [
                "Оплата картой не работает. Вопросы: +7 495 000-00-00",
                "Состояние: выясняем причину",
                "Следующее обновление — до 12:30 (МСК)",
            ]
        );
        let en = message(&event(EventKind::Created), Lang::En, 0);
        assert_eq!(en.headline, "🔴 Outage: Payments fail");
        assert_eq!(en.lines[2], "Next update by 09:30 (UTC+0)");
    }

    #[test]
    fn the_end_says_resolved_and_no_promise() {
        let mut e = event(EventKind::Resolved);
        e.notice.state = State::Resolved;
        e.notice.updates.push(Update {
            at: e.timestamp,
            state: State::Resolved,
            severity: None,
            text: Text::Plain("Перезапустили шлюз".into()),
        });
        let m = message(&e, Lang::Ru, 180);
        assert_eq!(m.headline, "✅ Устранено: Платежи не проходят");
        assert_eq!(m.word, "Устранено");
        assert_eq!(m.lines, ["Перезапустили шлюз"]);
    }

    #[test]
    fn a_withdrawal_says_it_was_a_mistake_not_the_old_words() {
        let mut e = event(EventKind::Withdrawn);
        e.notice.state = State::Withdrawn;
        e.notice.updates.push(Update {
            at: e.timestamp,
            state: State::Withdrawn,
            severity: None,
            text: Text::Plain("Опубликовали не тому клиенту".into()),
        });
        let m = message(&e, Lang::Ru, 180);
        assert_eq!(m.headline, "Сообщение отменено: Платежи не проходят");
        assert_eq!(
            m.lines,
            [
                "Оно было опубликовано по ошибке.",
                "Опубликовали не тому клиенту"
            ]
        );
    }

    #[test]
    fn both_catalogues_are_in_step() {
        use svetofor_i18n::Book;
        svetofor_i18n::parity::check(Channels::source(Lang::Ru), Channels::source(Lang::En))
            .unwrap();
        for lang in Lang::ALL {
            for key in svetofor_i18n::parity::keys_of(Channels::source(lang)) {
                assert_ne!(say(lang, &key), key, "{lang} {key}");
            }
        }
    }

    #[test]
    fn another_day_has_its_date() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 22, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        assert_eq!(time(at, now, 180, Lang::Ru), "2 дек. 01:00 (МСК)");
        assert_eq!(time(at, now, 330, Lang::En), "2 Dec 03:30 (UTC+5:30)");
    }
}
