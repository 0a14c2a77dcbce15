//! The in-product banner and the status page in real Chromium: a product page on another
//! origin, under `script-src 'self' STATUS; connect-src STATUS; style-src 'self'`, with one
//! script tag, against a real `svetoforctl serve`.

use std::time::{Duration, Instant};

use serde_json::Value;
use svetofor_e2e::browser::Browser;
use svetofor_e2e::product::Product;
use svetofor_e2e::server::Server;
use svetofor_e2e::shots_dir;

/// What the page shows of the banner, read from inside its shadow root.
const READ: &str = r#"
const host = document.querySelector('svetofor-banner');
if (!host) { return null; }
const root = host.shadowRoot;
const bar = root.querySelector('.bar');
const title = document.getElementById('product-title');
const cs = bar ? getComputedStyle(bar) : null;
return {
  severity: host.getAttribute('data-severity'),
  verified: host.getAttribute('data-verified'),
  recovery: host.getAttribute('data-recovery'),
  first: document.body.firstElementChild === host,
  role: bar && bar.getAttribute('role'),
  text: bar && bar.textContent,
  images: root.querySelectorAll('img').length,
  bold: root.querySelectorAll('b').length,
  color: cs && cs.color,
  background: cs && cs.backgroundColor,
  font: cs && cs.fontFamily,
  details: root.querySelector('a.details') && root.querySelector('a.details').href,
  dismiss: root.querySelector('button.dismiss') && root.querySelector('button.dismiss').getAttribute('aria-label'),
  productColor: getComputedStyle(title).color,
  productSize: getComputedStyle(title).fontSize,
  violations: window.__violations,
  cookies: document.cookie,
};
"#;

async fn banner(b: &Browser) -> Value {
    b.run(READ).await
}

/// Waits for the banner to satisfy `pred`; returns it and how long that took.
async fn wait_banner(
    b: &Browser,
    what: &str,
    limit: Duration,
    pred: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    let start = Instant::now();
    loop {
        let v = banner(b).await;
        if pred(&v) {
            return (v, start.elapsed());
        }
        assert!(
            start.elapsed() < limit,
            "{what}: not within {limit:?}; the page shows {v:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn loaded(b: &Browser) {
    let start = Instant::now();
    while b.run("return window.__svetoforBanner === true").await != Value::Bool(true) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "embed.js did not run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn red(v: &Value) -> bool {
    v["severity"] == "red" && v["verified"] == "yes"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_script_tag_shows_the_desktop_banner_under_a_strict_csp() {
    let product = Product::start();
    let server = Server::start_with(&["--embed-origin", &product.origin]);
    product.set_status(&server.url);
    let shots = shots_dir();
    let b = Browser::start("ru").await;

    b.goto(&format!("{}/", product.origin)).await;
    loaded(&b).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        banner(&b).await,
        Value::Null,
        "nothing shown while all is well"
    );

    // Red: pushed over /events, checked against the signed feed, shown as text.
    let id = server.post(
        "red",
        "Оплата <b>не проходит</b> & <img src=x onerror=alert(1)>",
        "Карты не принимаются\nвторая строка",
        &["--next-update", "30m"],
    );
    let (v, took) = wait_banner(&b, "red banner", Duration::from_secs(5), red).await;
    eprintln!("red banner shown {took:?} after the post returned");
    assert_eq!(v["role"], "alert", "{v:#}");
    let text = v["text"].as_str().unwrap();
    assert!(
        text.contains("Сбой")
            && text.contains("Оплата <b>не проходит</b> & <img src=x onerror=alert(1)>"),
        "the desktop's word, and markup as text: {text}"
    );
    assert!(text.contains("Карты не принимаются") && !text.contains("вторая строка"));
    assert!(text.contains("следующее обновление до"), "{text}");
    assert!(text.contains("✓ подпись проверена"), "{text}");
    assert_eq!(
        (v["images"].clone(), v["bold"].clone()),
        (0.into(), 0.into())
    );
    assert_eq!(
        v["color"], "rgb(255, 255, 255)",
        "the product's CSS does not reach in"
    );
    assert_eq!(v["background"], "rgb(179, 38, 30)");
    assert!(!v["font"].as_str().unwrap().starts_with("serif"));
    assert_eq!(
        v["productColor"], "rgb(10, 20, 30)",
        "nor does ours reach out"
    );
    assert_eq!(v["productSize"], "31px");
    assert_eq!(v["first"], true, "across the top");
    assert_eq!(v["violations"], Value::Array(vec![]), "no CSP violation");
    assert_eq!(v["cookies"], "");
    assert_eq!(v["dismiss"], "Скрыть это сообщение");
    assert!(
        v["details"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/notices/{id}", server.url))
    );
    b.screenshot(&shots.join("embed-red-ru.png")).await;
    // On a phone (375 × 800) the strip stays a strip: two lines of words at most, the link
    // and the close button below them, not squeezed beside.
    b.cdp(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let phone = b
        .run(
            "const r = document.querySelector('svetofor-banner').shadowRoot;              const box = (s) => r.querySelector(s).getBoundingClientRect();              const lh = parseFloat(getComputedStyle(r.querySelector('.text')).lineHeight);              return {height: document.querySelector('svetofor-banner').getBoundingClientRect().height,                      text: box('.text').height, line: lh, textBottom: box('.text').bottom,                      close: box('button.dismiss').top, width: document.querySelector('svetofor-banner').getBoundingClientRect().width};",
        )
        .await;
    let num = |k: &str| phone[k].as_f64().unwrap_or(f64::MAX);
    assert!(
        num("height") <= 120.0,
        "at most 15 % of the screen: {phone}"
    );
    assert!(
        num("text") <= 2.0 * num("line") + 1.0,
        "two lines at most: {phone}"
    );
    assert!(
        num("close") >= num("textBottom") - 1.0,
        "buttons below: {phone}"
    );
    assert!(
        num("width") <= 375.0,
        "nothing wider than the screen: {phone}"
    );
    b.screenshot(&shots.join("embed-red-ru-375.png")).await;
    b.cdp(
        "Emulation.clearDeviceMetricsOverride",
        serde_json::json!({}),
    )
    .await;

    // Dismissed: gone, and still gone after a reload; red comes back with its next update.
    b.run("document.querySelector('svetofor-banner').shadowRoot.querySelector('button.dismiss').click()")
        .await;
    assert_eq!(banner(&b).await, Value::Null);
    b.goto(&format!("{}/", product.origin)).await;
    loaded(&b).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(banner(&b).await, Value::Null, "a dismissal is remembered");
    server.ctl(&["update", &id, "--text", "Чиним, осталось минут десять"]);
    let (v, _) = wait_banner(&b, "red after its update", Duration::from_secs(5), |v| {
        red(v)
            && v["text"]
                .as_str()
                .unwrap_or("")
                .contains("осталось минут десять")
    })
    .await;
    assert_eq!(v["role"], "alert");

    // Resolved: "Устранено" in green for the rest of 30 s, as on the desktop; then it goes.
    server.ctl(&["resolve", &id, "--text", "Исправлено"]);
    let (v, _) = wait_banner(&b, "green when resolved", Duration::from_secs(5), |v| {
        v["severity"] == "green" && v["recovery"] == "yes" && v["verified"] == "yes"
    })
    .await;
    let text = v["text"].as_str().unwrap();
    assert!(
        text.contains("Устранено") && text.contains("Оплата"),
        "{text}"
    );
    assert_eq!(v["role"], "status");
    b.screenshot(&shots.join("embed-resolved-ru.png")).await;
    wait_banner(
        &b,
        "gone after the recovery",
        Duration::from_secs(40),
        Value::is_null,
    )
    .await;
    // A page that never showed the notice gets no "Resolved" for it.
    let quiet = server.post("red", "Короткий сбой", "Коротко", &[]);
    server.ctl(&["resolve", &quiet]);
    b.goto(&format!("{}/", product.origin)).await;
    loaded(&b).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(
        banner(&b).await,
        Value::Null,
        "no recovery for what this page never showed"
    );

    // /events blocked: polling (every 5 s on this page) brings it, and takes it away.
    b.cdp("Network.enable", serde_json::json!({})).await;
    b.cdp(
        "Network.setBlockedURLs",
        serde_json::json!({"urls": ["*/events*"]}),
    )
    .await;
    b.goto(&format!("{}/", product.origin)).await;
    loaded(&b).await;
    let y = server.post(
        "yellow",
        "Медленно открываются отчёты",
        "Работаем над этим",
        &[],
    );
    let (v, took) = wait_banner(&b, "yellow by polling", Duration::from_secs(15), |v| {
        v["severity"] == "yellow" && v["verified"] == "yes"
    })
    .await;
    eprintln!("yellow banner by polling after {took:?}");
    assert_eq!(v["role"], "status");
    assert_eq!(v["color"], "rgb(28, 28, 28)");
    let text = v["text"].as_str().unwrap();
    assert!(text.contains("Медленно открываются отчёты"), "{text}");
    b.screenshot(&shots.join("embed-yellow-ru.png")).await;
    // data-min-severity="red" at the bottom: yellow is not for it.
    b.goto(&format!("{}/bottom", product.origin)).await;
    loaded(&b).await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(banner(&b).await, Value::Null, "below its minimum severity");
    b.goto(&format!("{}/", product.origin)).await;
    loaded(&b).await;
    wait_banner(&b, "yellow again", Duration::from_secs(15), |v| {
        v["severity"] == "yellow"
    })
    .await;
    server.ctl(&["resolve", &y]);
    wait_banner(&b, "resolved, by polling", Duration::from_secs(15), |v| {
        v["severity"] == "green" || v.is_null()
    })
    .await;
    wait_banner(
        &b,
        "gone by polling",
        Duration::from_secs(45),
        Value::is_null,
    )
    .await;
    b.cdp("Network.setBlockedURLs", serde_json::json!({"urls": []}))
        .await;
    b.cdp("Network.disable", serde_json::json!({})).await;

    // English, by the page's own language.
    let en = server.post("red", "Payments are down", "Cards are declined", &[]);
    b.goto(&format!("{}/en", product.origin)).await;
    loaded(&b).await;
    let (v, _) = wait_banner(&b, "English banner", Duration::from_secs(10), red).await;
    let text = v["text"].as_str().unwrap();
    assert!(
        text.contains("Outage") && text.contains("signature checked"),
        "{text}"
    );
    assert_eq!(v["dismiss"], "Hide this message");
    b.screenshot(&shots.join("embed-red-en.png")).await;
    b.goto(&format!("{}/bottom", product.origin)).await;
    loaded(&b).await;
    let (v, _) = wait_banner(&b, "red at the bottom", Duration::from_secs(10), red).await;
    assert_eq!(v["first"], false);
    b.screenshot(&shots.join("embed-red-bottom-ru.png")).await;

    // The status page, in both languages, with the outage in effect.
    for lang in ["ru", "en"] {
        b.goto(&format!("{}/?lang={lang}", server.url)).await;
        let page = b.text().await;
        let want = if lang == "ru" {
            "Сбой: сервис или его часть не работает"
        } else {
            "Outage: the service or part of it is down"
        };
        assert!(page.contains(want), "{page}");
        b.screenshot(&shots.join(format!("status-page-{lang}.png")))
            .await;
        b.goto(&format!("{}/notices/{en}?lang={lang}", server.url))
            .await;
        assert!(b.text().await.contains("Payments are down"));
        b.screenshot(&shots.join(format!("status-notice-{lang}.png")))
            .await;
    }
    server.ctl(&["resolve", &en]);
    // The page pushed a reload (status.js follows /events); a browser or CDN may keep the
    // page up to its max-age, so a fresh one is there within that.
    b.goto(&format!("{}/?lang=ru", server.url)).await;
    let start = Instant::now();
    while !b.text().await.contains("Всё работает") {
        if start.elapsed() > Duration::from_secs(20) {
            let seen = b
                .run("return [document.body.getAttribute('data-seq'), document.body.innerText.slice(0, 200)]")
                .await;
            panic!("the page does not turn green: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.screenshot(&shots.join("status-page-green-ru.png")).await;
}

#[test]
fn the_script_is_small() {
    let js = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../crates/server/static/embed.js"
    ))
    .expect("embed.js");
    let gz = gzip_len(&js);
    assert!(gz > 0);
    assert!(
        gz <= 15 * 1024,
        "embed.js is {gz} bytes gzip-compressed; the goal is at most 15 KB"
    );
}

/// The gzip size, by the system's gzip (the e2e crate carries no compressor).
fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut child = std::process::Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(bytes)
        .expect("write");
    child.wait_with_output().expect("gzip output").stdout.len()
}
