//! The Russian and English catalogues: same keys, same variables, every message formats,
//! every key the code and the pages use exists, and the pages hold no text of their own.

use svetofor_testkit::fixtures as common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{FixedOffset, TimeDelta};
use common::{notice, snap, t0};
use svetofor_client::view;
use svetofor_desktop_model::details;
use svetofor_desktop_model::i18n::{Arg, Catalog, Lang, keys_of, variables_of};
use svetofor_desktop_model::tray::{self, MenuEntry, TrayContext};
use svetofor_feed::{Kind, Severity, State};

fn source(lang: Lang) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n");
    std::fs::read_to_string(dir.join(format!("{lang}.ftl"))).expect("catalogue")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn both_catalogues_have_the_same_keys_and_variables() {
    let en = keys_of(&source(Lang::En));
    let ru = keys_of(&source(Lang::Ru));
    assert!(en.len() > 50, "parsed {} keys", en.len());
    let (se, sr): (BTreeSet<_>, BTreeSet<_>) = (en.iter().collect(), ru.iter().collect());
    assert_eq!(se.len(), en.len(), "duplicate keys in en.ftl");
    assert_eq!(sr.len(), ru.len(), "duplicate keys in ru.ftl");
    let only_en: Vec<_> = se.difference(&sr).collect();
    let only_ru: Vec<_> = sr.difference(&se).collect();
    assert!(
        only_en.is_empty() && only_ru.is_empty(),
        "only in en: {only_en:?}; only in ru: {only_ru:?}"
    );
    assert_eq!(
        variables_of(&source(Lang::En)),
        variables_of(&source(Lang::Ru)),
        "each message must use the same variables in both languages"
    );
}

#[test]
fn every_message_formats_in_both_languages() {
    for lang in Lang::ALL {
        let cat = Catalog::new(lang);
        let vars = variables_of(&source(lang));
        for key in cat.keys() {
            assert!(cat.has(&key), "{lang}: {key} did not load");
            let names = vars.get(&key).cloned().unwrap_or_default();
            let args: Vec<(&str, Arg<'_>)> = names
                .iter()
                .map(|n| {
                    (
                        n.as_str(),
                        if n == "n" { Arg::Num(3) } else { Arg::Str("X") },
                    )
                })
                .collect();
            let text = cat.tr(&key, &args);
            assert!(!text.trim().is_empty(), "{lang}: {key} is empty");
            assert_ne!(text, key, "{lang}: {key} did not format");
            assert!(
                !text.contains('{') && !text.contains('$'),
                "{lang}: {key} → {text}"
            );
        }
    }
}

/// String literals passed to `t("…")` / `tr("…"` / `svetoforText("…")` or named in
/// `data-i18n="…"` in the given files.
fn keys_used(files: &[PathBuf]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(f).expect("source");
        let mut rest = text.as_str();
        while let Some(i) = rest.find('"') {
            rest = &rest[i + 1..];
            let Some(end) = rest.find('"') else { break };
            let lit = &rest[..end];
            rest = &rest[end + 1..];
            let looks_like_key = lit.contains('-')
                && lit
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !lit.starts_with('-')
                && !lit.ends_with('-');
            if looks_like_key {
                out.insert(lit.to_owned());
            }
        }
    }
    out
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn every_key_the_code_and_pages_name_exists_in_both() {
    let r = repo();
    let mut all = files(&r.join("crates/client/src"), "rs");
    all.extend(files(&r.join("src-tauri/src"), "rs"));
    all.extend(files(&r.join("ui"), "html"));
    all.extend(files(&r.join("ui"), "js"));
    let used = keys_used(&all);
    let known: BTreeSet<String> = keys_of(&source(Lang::En)).into_iter().collect();
    // Literals that look like keys but are not messages (ids, CSS, wire names).
    let prefixes = [
        "word-",
        "status-",
        "state-",
        "time-",
        "month-",
        "age-",
        "tray-",
        "menu-",
        "problem-",
        "notify-",
        "details-",
        "window-",
        "page-",
        "next-",
        "update-",
        "settings-",
        "check-",
        "duration-",
        "diagnostics-",
        "still-",
    ];
    // Literals shaped like keys that name other things: icon files, element ids.
    let mut not_messages = vec!["status-icon", "status-line"];
    not_messages.extend(svetofor_desktop_model::tray::TrayIcon::ALL.map(|i| i.file_stem()));
    let missing: Vec<_> = used
        .iter()
        .filter(|k| !not_messages.contains(&k.as_str()))
        .filter(|k| {
            prefixes.iter().any(|p| k.starts_with(p))
                || ["since", "until", "at", "more"].contains(&k.as_str())
        })
        .filter(|k| !known.contains(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "keys used but not in the catalogues: {missing:?}"
    );
    for m in 1..=12 {
        assert!(known.contains(&format!("month-{m}")));
    }
}

#[test]
fn pages_hold_no_text_of_their_own() {
    for page in files(&repo().join("ui"), "html") {
        let html = std::fs::read_to_string(&page).expect("page");
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        assert!(
            words.is_empty(),
            "{} shows text not from the catalogue: {words:?}",
            page.display()
        );
    }
}

fn ru_view() -> view::ViewState {
    let mut a = notice("a", Severity::Red, Kind::Outage, State::Investigating);
    a.next_update_at = Some(t0() + TimeDelta::minutes(30));
    let m = notice("m", Severity::Yellow, Kind::Maintenance, State::InProgress);
    let mut v = view::build(&snap(vec![a, m]), t0(), &[], "ru");
    v.source = Some("https://status.example.com/feed.json".into());
    v.fetched_at = Some(t0() - TimeDelta::days(2));
    v
}

#[test]
fn russian_models_are_in_russian() {
    let cat = Catalog::new(Lang::Ru);
    let tz = FixedOffset::east_opt(3 * 3600).unwrap();
    let v = ru_view();
    let cx = TrayContext {
        cat: &cat,
        now: t0(),
        tz,
        banner_open: false,
        paused_until: None,
        problem: None,
    };
    let model = tray::model(&v, &cx);
    let labels: Vec<String> = model
        .menu
        .iter()
        .filter_map(|e| match e {
            MenuEntry::Line { label, .. } | MenuEntry::Item { label, .. } => Some(label.clone()),
            MenuEntry::Separator => None,
        })
        .collect();
    assert_eq!(labels[0], "Сбой: T a (ещё 1 сообщение) — с 15:00");
    let more = |n| svetofor_desktop_model::labels::more(&cat, n);
    assert_eq!(
        [more(2), more(5), more(21)],
        ["ещё 2 сообщения", "ещё 5 сообщений", "ещё 21 сообщение"]
    );
    for want in [
        "Показать баннер",
        "Подробности…",
        "Настройки…",
        "Не беспокоить час",
        "Выйти из Светофора",
    ] {
        assert!(
            labels.iter().any(|l| l == want),
            "{want} missing: {labels:?}"
        );
    }
    let d = details::model(&cat, &v, t0(), tz);
    assert!(
        d.source.starts_with("Источник «")
            && d.source
                .contains(": данные получены 20 нояб. в 15:00 (2 дня назад), "),
        "{}",
        d.source
    );
    assert_eq!(
        d.notices[0].next_update.as_deref(),
        Some("следующее обновление до 15:30")
    );
    // No English word from the catalogue leaks into the Russian UI.
    let en = Catalog::new(Lang::En);
    let english: Vec<String> = [
        "menu-details",
        "menu-quit",
        "page-dismiss",
        "word-outage",
        "since",
    ]
    .iter()
    .map(|k| en.t(k))
    .collect();
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut shown = labels.clone();
    strings(&serde_json::to_value(&d).expect("json"), &mut shown);
    let everything = shown.join("\n");
    for word in english {
        let word = word
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            !everything.contains(&word),
            "English '{word}' in the Russian UI: {everything}"
        );
    }
}

#[test]
fn languages_come_from_tags_config_and_the_os() {
    assert_eq!(Lang::from_tag("ru_RU.UTF-8"), Some(Lang::Ru));
    assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
    assert_eq!(Lang::from_tag("de"), None);
    assert_eq!(Lang::from_config("ru"), Lang::Ru);
    let os = Lang::from_os();
    assert_eq!(Lang::from_config(""), os);
}
