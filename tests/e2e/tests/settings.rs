//! The settings window in the real webview: a feed the policy sets is read-only, Check says
//! what it found, bad input is refused next to its field with nothing saved, and saved
//! settings take effect at once (language of every window and the tray, the engine's keys,
//! start at login). Then every page, in both languages, shows only catalogue words.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_e2e::bus::{DesktopBus, Item, tray_icon};
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::webdriver::Driver;
use svetofor_e2e::{binary, wait_for};

const LIMIT: Duration = Duration::from_secs(30);

/// A second valid key that did not sign the test feed.
const OTHER_KEY: &str = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";

fn public_key(server: &Server) -> String {
    let text = std::fs::read_to_string(&server.pubkey).expect("public key");
    text.lines().last().expect("key line").trim().to_owned()
}

/// `[key, text]` of every element whose words come from the catalogue.
async fn catalogue_texts(driver: &Driver) -> Vec<(String, String)> {
    let v = driver
        .run("return Array.from(document.querySelectorAll('[data-i18n]'), e => [e.dataset.i18n, e.textContent]);")
        .await;
    v.as_array()
        .expect("list")
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap_or_default().to_owned(),
                p[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Every catalogue element shows its message in `lang`, and the page says it is in `lang`.
async fn assert_page_in(driver: &Driver, lang: Lang, page: &str) {
    let cat = Catalog::new(lang);
    let start = std::time::Instant::now();
    let texts = loop {
        let texts = catalogue_texts(driver).await;
        let wrong: Vec<_> = texts.iter().filter(|(k, t)| *t != cat.t(k)).collect();
        let tag = driver.run("return document.documentElement.lang").await;
        if !texts.is_empty() && wrong.is_empty() && tag == lang.tag() {
            break texts;
        }
        assert!(
            start.elapsed() < LIMIT,
            "{page} is not in {lang} after {LIMIT:?}: lang={tag}, not the catalogue's: {wrong:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for (key, text) in &texts {
        assert!(cat.has(key), "{page}: {key} is not in the {lang} catalogue");
        assert_ne!(text, key, "{page}: {key} shown untranslated");
    }
}

/// Sets an input's value as typing would.
fn set(selector: &str, value: &str) -> String {
    format!(
        "const e = document.querySelector({sel}); e.value = {val}; \
         e.dispatchEvent(new Event('input', {{bubbles: true}}));",
        sel = Value::from(selector),
        val = Value::from(value)
    )
}

/// Presses Save and waits for the answer; returns the result line's class and text.
async fn save(driver: &Driver) -> (String, String) {
    driver
        .run("document.getElementById('result').textContent = ''; document.getElementById('save').click();")
        .await;
    wait_for("the save's answer", LIMIT, async || {
        let v = driver
            .run(
                "const r = document.getElementById('result'); return [r.className, r.textContent];",
            )
            .await;
        let text = v[1].as_str().unwrap_or_default().to_owned();
        (!text.is_empty()).then(|| (v[0].as_str().unwrap_or_default().to_owned(), text))
    })
    .await
}

async fn wait_icon(bus: &DesktopBus, item: &Item, want: &str) {
    let mut last = None;
    let found = tokio::time::timeout(LIMIT, async {
        loop {
            last = tray_icon(bus, item).await;
            if last.as_deref() == Some(want) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "tray icon: wanted {want}, last {last:?}");
}

async fn wait_menu_has(bus: &DesktopBus, item: &Item, label: &str) {
    let mut last = vec![];
    let found = tokio::time::timeout(LIMIT, async {
        loop {
            last = bus
                .menu(item)
                .await
                .map(|m| m.into_iter().map(|l| l.label).collect())
                .unwrap_or_default();
            if last.iter().any(|l| l == label) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "tray menu without {label:?}: {last:?}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_with_a_locked_feed_check_refuse_and_apply_without_restart() {
    let desktop = Desktop::start();
    let bus = DesktopBus::start(&desktop.bus).await.expect("bus");
    let server = Server::start();
    let home = desktop.home.path();
    let policy = home.join("policy.toml");
    std::fs::write(&policy, format!("feeds = [\"{}\"]\n", server.feed())).expect("policy");
    let user = home.join("config/svetofor/config.toml");
    std::fs::create_dir_all(user.parent().unwrap()).expect("config dir");
    let key = public_key(&server);
    std::fs::write(
        &user,
        format!(
            "public_keys = [\"{key}\"]\nlanguage = \"en\"\nautostart = false\nnotify_red_always = false\n"
        ),
    )
    .expect("user config");
    let entry = home.join("config/autostart/svetofor.desktop");
    let policy_env = policy.display().to_string();
    let mut driver = Driver::start(&desktop, &[("SVETOFOR_POLICY", &policy_env)]);
    let app = binary("svetofor").display().to_string();
    driver.new_session(&app, &["--open", "settings"]).await;

    // The feed comes from the policy: shown, read-only, and said so.
    let feed = wait_for("the settings form", LIMIT, async || {
        let v = driver
            .run("const i = document.getElementById('feeds-0'); return i && i.value;")
            .await;
        v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
    })
    .await;
    assert_eq!(feed, server.feed());
    let en = Catalog::new(Lang::En);
    let lock = driver
        .run(
            "const f = document.getElementById('field-feeds'); \
             return [document.getElementById('feeds-0').disabled, \
             f.querySelector('.lock').textContent, f.querySelector('.lock').hidden, \
             f.querySelector('button.add').hidden, !!f.querySelector('button.remove')];",
        )
        .await;
    assert_eq!(
        lock,
        serde_json::json!([
            true,
            en.t("page-settings-locked-policy"),
            false,
            true,
            false
        ]),
        "a policy feed is read-only, with no add or remove"
    );
    assert_eq!(
        driver
            .run("return document.getElementById('public_keys-0').disabled")
            .await,
        Value::Bool(false),
        "what the policy leaves alone stays editable"
    );
    assert_page_in(&driver, Lang::En, "settings").await;
    let item = wait_for("tray item", LIMIT, async || bus.item()).await;
    wait_icon(&bus, &item, "tray-green").await;
    // Off: no entry, or one that hides the package's system-wide entry.
    let off = read(&entry);
    assert!(off.is_empty() || off.contains("Hidden=true"), "{off}");

    // Check: the same verification as `svetoforctl check`, in words.
    driver
        .run("document.querySelector('#feeds .row .check').click();")
        .await;
    let verdict = wait_for("the check's verdict", LIMIT, async || {
        let v = driver
            .run("const v = document.querySelector('#feeds .verdict'); return v && !v.classList.contains('running') && !v.hidden ? [v.className, v.textContent] : null;")
            .await;
        (!v.is_null()).then_some(v)
    })
    .await;
    assert_eq!(verdict[0], Value::from("verdict ok green"), "{verdict}");
    let text = verdict[1].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Works: ")
            && text.contains("All systems working")
            && text.contains("Signed with a trusted key"),
        "{text}"
    );

    // Bad input: refused next to each field, and nothing written.
    let before = read(&user);
    driver.run(&set("#poll_interval", "0")).await;
    driver.run(&set("#public_keys-0", "not a key")).await;
    driver
        .run("document.getElementById('components-some').click();")
        .await;
    let (class, result) = save(&driver).await;
    assert_eq!(class, "result failed");
    assert_eq!(result, en.t("page-settings-not-saved"));
    let errors = driver
        .run(
            "return [document.getElementById('error-poll_interval').textContent, \
             document.querySelector('#public_keys .row[data-index=\"0\"] .error').textContent, \
             document.getElementById('error-components').textContent];",
        )
        .await;
    assert_eq!(errors[0], Value::from(en.t("settings-error-poll-interval")));
    assert_eq!(errors[2], Value::from(en.t("settings-error-components")));
    assert!(
        errors[1]
            .as_str()
            .is_some_and(|e| e.starts_with("“not a key” is not a public key")),
        "{errors}"
    );
    assert_eq!(read(&user), before, "a refused save changed the file");

    // Valid input in Russian, start at login on: saved, and in effect without a restart.
    driver.run(&set("#poll_interval", "30")).await;
    driver.run(&set("#public_keys-0", &key)).await;
    driver
        .run("document.getElementById('components-all').click();")
        .await;
    driver.run(&set("#language", "ru")).await;
    driver
        .run("document.getElementById('autostart').checked = true;")
        .await;
    let ru = Catalog::new(Lang::Ru);
    let (class, result) = save(&driver).await;
    assert_eq!(
        (class.as_str(), result.as_str()),
        ("result ok", ru.t("page-settings-saved").as_str())
    );
    assert_page_in(&driver, Lang::Ru, "settings").await;
    assert_eq!(
        driver
            .run("return document.querySelector('#field-feeds .lock').textContent")
            .await,
        Value::from("Задано администратором")
    );
    let saved = read(&user);
    assert!(saved.contains("language = \"ru\""), "{saved}");
    assert!(saved.contains("poll_interval = 30"), "{saved}");
    assert!(
        saved.contains("notify_red_always = false"),
        "other keys kept: {saved}"
    );
    assert!(
        !saved.contains("feeds"),
        "the policy's key written: {saved}"
    );
    wait_menu_has(&bus, &item, &ru.t("menu-settings")).await;
    wait_menu_has(&bus, &item, &ru.t("status-green")).await;
    let login = wait_for("login entry", LIMIT, async || {
        let text = read(&entry);
        text.contains("Hidden=false").then_some(text)
    })
    .await;
    assert!(login.contains(&format!("Exec=\"{app}\"")), "{login}");

    // English and back to Russian: every word follows.
    driver.run(&set("#language", "en")).await;
    assert_eq!(save(&driver).await.0, "result ok");
    assert_page_in(&driver, Lang::En, "settings").await;
    wait_menu_has(&bus, &item, &en.t("menu-settings")).await;
    driver.run(&set("#language", "ru")).await;
    assert_eq!(save(&driver).await.0, "result ok");
    assert_page_in(&driver, Lang::Ru, "settings").await;
    wait_menu_has(&bus, &item, &ru.t("menu-settings")).await;

    // A key that did not sign the feed: the engine starts again with it and shows nothing
    // it cannot verify. The right key back: green again.
    driver.run(&set("#public_keys-0", OTHER_KEY)).await;
    assert_eq!(save(&driver).await.0, "result ok");
    wait_icon(&bus, &item, "tray-grey").await;
    driver.run(&set("#public_keys-0", &key)).await;
    assert_eq!(save(&driver).await.0, "result ok");
    wait_icon(&bus, &item, "tray-green").await;
    let shot = svetofor_e2e::shots_dir().join("settings-ru.png");
    desktop.screenshot(&shot, None);
}

/// Words on a page that are neither Cyrillic nor allowed: what a Russian page must not show.
fn latin_words(text: &str, allowed: &[String]) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .filter(|w| !allowed.iter().any(|a| a.eq_ignore_ascii_case(w)))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_shows_only_catalogue_words_in_both_languages() {
    let server = Server::start();
    let key = public_key(&server);
    let feed = server.feed();
    server.post("yellow", "Медленные платежи", "Разбираемся", &[]);
    // Words the Russian pages may show in Latin letters: the feed's address, the
    // publisher's name for its feed, the name of English in English, file names in help.
    let mut allowed: Vec<String> = ["English", "svetofor", "pub", "http", "https", "HTTP"]
        .map(String::from)
        .to_vec();
    allowed.extend(
        feed.split(|c: char| !c.is_ascii_alphabetic())
            .map(String::from),
    );
    for lang in Lang::ALL {
        for page in ["settings", "details", "banner"] {
            let desktop = Desktop::start();
            let _bus = DesktopBus::start(&desktop.bus).await.expect("bus");
            let config = desktop.home.path().join("config/svetofor/config.toml");
            std::fs::create_dir_all(config.parent().unwrap()).expect("config dir");
            std::fs::write(
                &config,
                format!(
                    "feeds = [\"{feed}\"]\npublic_keys = [\"{key}\"]\nlanguage = \"{}\"\nautostart = false\n",
                    lang.tag()
                ),
            )
            .expect("config");
            let mut driver = Driver::start(&desktop, &[]);
            let app = binary("svetofor").display().to_string();
            driver.new_session(&app, &["--open", page]).await;
            assert_page_in(&driver, lang, page).await;
            // The words the app sends the page are the whole catalogue's page words.
            let cat = Catalog::new(lang);
            let sent = driver
                .run_async(
                    "const done = arguments[arguments.length - 1]; \
                     window.__TAURI__.core.invoke('view_state').then((s) => done(s.strings));",
                )
                .await;
            let want = serde_json::to_value(cat.with_prefix("page-")).expect("json");
            assert_eq!(sent, want, "{page} in {lang}: the page's words");
            // Wait for the notice or the feed to show, then look at all the page says.
            let text = wait_for(&format!("{page} filled in"), LIMIT, async || {
                let t = driver.run("return document.body.innerText").await;
                let t = t.as_str().unwrap_or_default().to_owned();
                (t.contains("Медленные платежи") || page == "settings").then_some(t)
            })
            .await;
            tokio::time::sleep(Duration::from_millis(600)).await;
            let shot = svetofor_e2e::shots_dir().join(format!("page-{page}-{lang}.png"));
            desktop.screenshot(&shot, None);
            if lang == Lang::Ru {
                let mut ok = allowed.clone();
                if let Some(name) = driver
                    .run("const s = document.getElementById('source'); return s && s.textContent;")
                    .await
                    .as_str()
                {
                    // The feed's own name as its publisher wrote it (untrusted text), «quoted».
                    let feed_name = name
                        .split_once('«')
                        .and_then(|(_, rest)| rest.split_once('»'))
                        .map(|(n, _)| n)
                        .unwrap_or_default();
                    ok.extend(feed_name.split_whitespace().map(String::from));
                }
                let stray = latin_words(&text, &ok);
                assert!(
                    stray.is_empty(),
                    "{page} in Russian shows {stray:?}:\n{text}"
                );
            }
        }
    }
}
