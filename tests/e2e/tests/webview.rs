//! The real webview, driven over WebDriver (WebKitWebDriver): untrusted notice text stays
//! text, and the page's lock-down (CSP, per-window command grants) holds.

use std::time::Duration;

use serde_json::json;
use svetofor_e2e::desktop::Desktop;
use svetofor_e2e::server::Server;
use svetofor_e2e::webdriver::Driver;
use svetofor_e2e::{binary, wait_for};

const TITLE: &str =
    "Down <b>bold</b> <img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=2</script>";
const BODY: &str =
    "Body <img src=x onerror=\"window.__pwned=3\"><script>window.__pwned=4</script> & more";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notice_text_is_shown_literally_and_runs_nothing() {
    let desktop = Desktop::start();
    let _bus = svetofor_e2e::bus::DesktopBus::start(&desktop.bus)
        .await
        .expect("bus");
    let server = Server::start();
    server.post(
        "red",
        TITLE,
        BODY,
        &["--url", "https://status.example.com/incident"],
    );
    let long_word = "Ошибка".repeat(30);
    let wordy = server.post("yellow", &long_word, &long_word, &[]);
    server.ctl(&["update", &wordy, "--text", "первая строка\nвторая строка"]);
    let mut driver = Driver::start(&desktop, &[]);
    let app = binary("svetofor").display().to_string();
    let feed = server.feed();
    let pubkey = server.pubkey.display().to_string();
    driver
        .new_session(
            &app,
            &["--feed", &feed, "--pubkey", &pubkey, "--open", "details"],
        )
        .await;

    // The details window lists the notice.
    let title = wait_for("notice card", Duration::from_secs(30), async || {
        let v = driver
            .run("const t = document.querySelector('.card .title'); return t && t.textContent;")
            .await;
        v.as_str().map(str::to_owned)
    })
    .await;
    assert_eq!(title, TITLE, "the title is shown exactly as sent");
    let body = driver
        .run("return document.querySelector('.card .body').textContent")
        .await;
    assert_eq!(body, json!(BODY));

    // A word longer than the card wraps inside it; a timeline entry keeps its line breaks.
    wait_for("both cards", Duration::from_secs(30), async || {
        (driver
            .run("return document.querySelectorAll('.card').length")
            .await
            == json!(2))
        .then_some(())
    })
    .await;
    let overflow = driver
        .run(
            "const e = document.documentElement;              return [e.scrollWidth, e.clientWidth,              Array.from(document.querySelectorAll('.card')).every((c) => c.scrollWidth <= c.clientWidth)];",
        )
        .await;
    assert!(
        overflow[0].as_i64() <= overflow[1].as_i64() && overflow[2] == json!(true),
        "a long word overflows: {overflow}"
    );
    // The entry's text is one text node; laid out with its line break it spans two lines.
    let lines = driver
        .run(
            "const li = Array.from(document.querySelectorAll('.card li')) \
             .find((l) => l.textContent.includes('первая строка')); \
             const text = Array.from(li.childNodes).find((n) => n.nodeType === 3); \
             const r = document.createRange(); r.selectNodeContents(text); \
             return new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size;",
        )
        .await;
    assert!(lines.as_i64().unwrap_or(0) >= 2, "line break kept: {lines}");

    // Nothing of it became markup, and nothing ran.
    let injected = driver
        .run(
            "return document.querySelectorAll('img[src=\"x\"], .card b, .card script, \
             [onerror]').length",
        )
        .await;
    assert_eq!(injected, json!(0), "notice text must not create elements");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        driver.run("return typeof window.__pwned").await,
        json!("undefined")
    );

    // The CSP forbids eval and inline scripts.
    let eval = driver
        .run("try { eval('1 + 1'); return 'eval ran'; } catch (e) { return 'refused'; }")
        .await;
    assert_eq!(eval, json!("refused"));
    let inline = driver
        .run(
            "const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; \
             document.body.append(s); return typeof window.__inline;",
        )
        .await;
    assert_eq!(inline, json!("undefined"), "inline script must not run");

    // Each page's styles stay on that page: the settings footer's `.actions` (a grey box)
    // once reached the banner's buttons.
    let leaked = driver
        .run(
            "const d = document.createElement('div'); d.className = 'actions'; \
             document.body.append(d); const bg = getComputedStyle(d).backgroundColor; \
             d.remove(); return bg;",
        )
        .await;
    assert_eq!(
        leaked,
        json!("rgba(0, 0, 0, 0)"),
        "a settings rule styles another page"
    );

    // Per-window grants: the details window may read state, not dismiss the banner.
    let done = "const done = arguments[arguments.length - 1];";
    let refused = driver
        .run_async(&format!(
            "{done} window.__TAURI__.core.invoke('dismiss_banner')\
             .then(() => done('allowed'), (e) => done('refused: ' + e));"
        ))
        .await;
    assert!(
        refused.as_str().is_some_and(|s| s.contains("not allowed")),
        "details must not call dismiss_banner: {refused}"
    );
    let allowed = driver
        .run_async(&format!(
            "{done} window.__TAURI__.core.invoke('view_state')\
             .then((s) => done(s.details.notices.length), (e) => done('refused: ' + e));"
        ))
        .await;
    assert_eq!(allowed, json!(2));
    let link = driver
        .run_async(&format!(
            "{done} window.__TAURI__.core.invoke('open_link', {{url: 'file:///etc/passwd'}})\
             .then(() => done('opened'), (e) => done('refused: ' + e));"
        ))
        .await;
    assert!(
        link.as_str().is_some_and(|s| s.starts_with("refused")),
        "only the feed's http(s) links open: {link}"
    );
}
