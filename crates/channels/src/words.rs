//! What a channel says, in Russian or English: one short message per event, written as
//! support would (what is wrong, what is being done, when the next word comes, where to ask).
//! Pure: the caller passes the event and the zone.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use svetofor_api::{EventKind, NoticeEvent};
use svetofor_feed::{Kind, Notice, Severity, State};

/// A channel's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// From a tag; anything but English is Russian.
    pub fn of(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Ru
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    fn pick(self, ru: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// The word for how bad it is, never the colour alone.
pub fn severity_word(n: &Notice, lang: Lang) -> &'static str {
    match (n.kind, n.severity) {
        (Kind::Maintenance, _) => lang.pick("Плановые работы", "Planned maintenance"),
        (Kind::Info, _) => lang.pick("Новость", "News"),
        (_, Severity::Red) => lang.pick("Сбой", "Outage"),
        (_, Severity::Yellow) => lang.pick("Проблемы", "Problems"),
        (_, Severity::Green) => lang.pick("Работает", "Working"),
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
pub fn state_word(s: State, lang: Lang) -> &'static str {
    match s {
        State::Investigating => lang.pick("выясняем причину", "investigating"),
        State::Identified => lang.pick("причина найдена, исправляем", "cause found, fixing"),
        State::Monitoring => lang.pick("исправлено, наблюдаем", "fixed, monitoring"),
        State::Resolved => lang.pick("устранено", "resolved"),
        State::Scheduled => lang.pick("запланировано", "scheduled"),
        State::InProgress => lang.pick("идут работы", "in progress"),
        State::Completed => lang.pick("работы завершены", "completed"),
        State::Withdrawn => lang.pick("отменено", "withdrawn"),
        State::Published => lang.pick("опубликовано", "published"),
    }
}

fn zone_name(offset_minutes: i32) -> String {
    if offset_minutes == 180 {
        return "МСК".to_owned();
    }
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
        (180, Lang::En) => "Moscow".to_owned(),
        _ => zone_name(offset_minutes),
    };
    if today {
        format!("{} ({name})", local.format("%H:%M"))
    } else {
        let months = match lang {
            Lang::Ru => [
                "янв.",
                "февр.",
                "марта",
                "апр.",
                "мая",
                "июня",
                "июля",
                "авг.",
                "сент.",
                "окт.",
                "нояб.",
                "дек.",
            ],
            Lang::En => [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ],
        };
        use chrono::Datelike;
        let month = months[local.month0() as usize];
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
    pub word: &'static str,
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
            format!("{} {}: {title}", mark(n), lang.pick("Обновление", "Update"))
        }
        EventKind::Resolved => {
            if !latest.is_empty() {
                lines.push(latest);
            }
            word = if n.kind == Kind::Maintenance {
                lang.pick("Работы завершены", "Maintenance completed")
            } else {
                lang.pick("Устранено", "Resolved")
            };
            format!("✅ {word}: {title}")
        }
        EventKind::Withdrawn => {
            if !latest.is_empty() {
                lines.push(latest);
            }
            word = lang.pick("Отменено", "Withdrawn");
            format!("{word}: {title}")
        }
        EventKind::DraftCreated => {
            if !body.is_empty() {
                lines.push(body);
            }
            lines.push(
                lang.pick(
                    "Сотрудники этого ещё не видят: черновик ждёт проверки и публикации в консоли.",
                    "Employees do not see this yet: a draft waits in the console to be checked and published.",
                )
                .to_owned(),
            );
            word = lang.pick("Черновик", "Draft");
            return Message {
                headline: format!(
                    "📝 {}: {title}",
                    lang.pick("От мониторинга", "From monitoring")
                ),
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
            lang.pick("Когда", "When"),
            time(w.starts_at, now, offset_minutes, lang)
        ));
    }
    if !n.state.is_final() {
        lines.push(format!(
            "{}: {}",
            lang.pick("Состояние", "Status"),
            state_word(n.state, lang)
        ));
        if let Some(t) = n.next_update_at {
            lines.push(format!(
                "{} {}",
                lang.pick("Следующее обновление — до", "Next update by"),
                time(t, now, offset_minutes, lang)
            ));
        }
    }
    if let Some(url) = &n.url {
        lines.push(format!("{}: {url}", lang.pick("Подробнее", "Details")));
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
    fn another_day_has_its_date() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 22, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        assert_eq!(time(at, now, 180, Lang::Ru), "2 дек. 01:00 (МСК)");
        assert_eq!(time(at, now, 330, Lang::En), "2 Dec 03:30 (UTC+5:30)");
    }
}
