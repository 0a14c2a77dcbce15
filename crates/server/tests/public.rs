//! What anyone reads without the app, against a real server on loopback: the status page, the
//! Statuspage v2 API (field by field against a real capture, and read back by our own
//! reader and by an independent client from PyPI), the Atom and RSS history (parsed by a
//! real feed parser), cross-origin rules, and a private publisher keeping it all closed.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use chrono::{TimeDelta, Utc};
use common::{Harness, start, start_with};
use serde_json::{Value, json};
use svetofor_publisher::auth::Role;

/// A real Statuspage capture from `../shared/fixtures/statuspage/` (or `SVETOFOR_FIXTURES`).
fn fixture(name: &str) -> Value {
    let dir = std::env::var_os("SVETOFOR_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
        });
    let path = dir.join("statuspage").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every key the real document has, ours has too.
fn has_all(ours: &Value, real: &Value, what: &str, except: &[&str]) {
    let missing: Vec<String> = keys(real)
        .difference(&keys(ours))
        .filter(|k| !except.contains(&k.as_str()))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {ours:#}");
}

async fn post(h: &Harness, token: &str, body: Value) -> String {
    let resp = h.post(token, "/api/v1/notices", body).await;
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `POST /api/v1/notices/{id}/{action}` (`updates`, `resolve`), which must succeed.
async fn step(h: &Harness, token: &str, id: &str, action: &str, body: Value) {
    let r = h
        .post(token, &format!("/api/v1/notices/{id}/{action}"), body)
        .await;
    assert_eq!(r.status(), 200, "{action} {id}");
}

/// The status our own reader gives `path` of this server, and the status the signed feed
/// gives, at the same moment.
async fn both_statuses(h: &Harness) -> (svetofor_feed::Severity, svetofor_feed::Severity) {
    let now = Utc::now();
    let ours = h.feed().await.snapshot.status(now);
    let sp = h.body("/api/v2/summary.json").await;
    let read = svetofor_feed::read(&sp).expect("our reader reads our Statuspage output");
    assert_eq!(read.format, svetofor_feed::Format::StatuspageV2);
    (ours, read.status(now))
}

#[tokio::test]
async fn the_statuspage_api_matches_a_real_capture_field_by_field() {
    let h = start().await;
    let support = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    h.component(&admin, "api", "API", "API", Some("Core")).await;
    h.component(&admin, "payments", "Платежи", "Payments", Some("Core"))
        .await;
    let red = post(
        &h,
        &support,
        json!({"severity": "red", "kind": "outage", "title": "Payments down",
               "body": "Cards fail.", "components": ["payments"]}),
    )
    .await;
    step(
        &h,
        &support,
        &red,
        "updates",
        json!({"state": "identified", "text": "Cause found"}),
    )
    .await;
    let now = Utc::now();
    post(
        &h,
        &support,
        json!({"severity": "yellow", "kind": "maintenance", "title": "Database upgrade",
               "starts_at": now + TimeDelta::hours(2), "ends_at": now + TimeDelta::hours(3)}),
    )
    .await;

    let real = fixture("github_incident.json");
    let ours = h.get_json("/api/v2/summary.json", None).await;
    has_all(&ours, &real, "summary", &[]);
    has_all(&ours["page"], &real["page"], "page", &[]);
    has_all(&ours["status"], &real["status"], "status", &[]);
    for c in ours["components"].as_array().unwrap() {
        has_all(c, &real["components"][0], "component", &[]);
    }
    let inc = &ours["incidents"][0];
    has_all(inc, &real["incidents"][0], "incident", &[]);
    has_all(
        &inc["incident_updates"][0],
        &real["incidents"][0]["incident_updates"][0],
        "incident update",
        &[],
    );
    let m = &ours["scheduled_maintenances"][0];
    has_all(m, &real["scheduled_maintenances"][0], "maintenance", &[]);
    // The richer real capture: components inside incidents, and affected components.
    let cloud = fixture("cloudamqp_maintenance.json");
    has_all(
        m,
        &cloud["scheduled_maintenances"][0],
        "maintenance",
        &["postmortem_body"],
    );

    // Values from Statuspage's own sets.
    assert_eq!(ours["status"]["indicator"], "major", "{ours:#}");
    assert_eq!(ours["status"]["description"], "Partial System Outage");
    let status_of = |id: &str| {
        ours["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of("payments"), "major_outage");
    assert_eq!(status_of("api"), "operational");
    assert_eq!(status_of("group-Core"), "major_outage");
    let group = ours["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == true)
        .unwrap();
    assert_eq!(group["components"], json!(["api", "payments"]));
    assert_eq!(inc["impact"], "major");
    assert_eq!(inc["status"], "identified");
    assert_eq!(
        inc["incident_updates"][0]["status"], "identified",
        "newest first"
    );
    assert_eq!(inc["incident_updates"][1]["status"], "investigating");
    assert_eq!(inc["components"][0]["id"], "payments");
    assert!(
        inc["shortlink"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/notices/{red}"))
    );
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["impact"], "maintenance");
    assert!(m["scheduled_for"].as_str().is_some() && m["scheduled_until"].as_str().is_some());
    for t in [
        &inc["created_at"],
        &m["scheduled_for"],
        &ours["page"]["updated_at"],
    ] {
        chrono::DateTime::parse_from_rfc3339(t.as_str().unwrap()).expect("RFC 3339 times");
    }
    // Names in the language asked for.
    let ru = h.get_json("/api/v2/components.json?lang=ru", None).await;
    assert!(
        ru["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Платежи")
    );

    // The other documents.
    let unresolved = h.get_json("/api/v2/incidents/unresolved.json", None).await;
    assert_eq!(unresolved["incidents"].as_array().unwrap().len(), 1);
    step(&h, &support, &red, "resolve", json!({"text": "Fixed"})).await;
    let unresolved = h.get_json("/api/v2/incidents/unresolved.json", None).await;
    assert_eq!(unresolved["incidents"], json!([]));
    let all = h.get_json("/api/v2/incidents.json", None).await;
    let resolved = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == red.as_str())
        .expect("resolved incidents stay in incidents.json");
    assert_eq!(resolved["status"], "resolved");
    assert!(resolved["resolved_at"].as_str().is_some());
    let upcoming = h
        .get_json("/api/v2/scheduled-maintenances/upcoming.json", None)
        .await;
    assert_eq!(
        upcoming["scheduled_maintenances"].as_array().unwrap().len(),
        1
    );
    let active = h
        .get_json("/api/v2/scheduled-maintenances/active.json", None)
        .await;
    assert_eq!(active["scheduled_maintenances"], json!([]));
    let status = h.get_json("/api/v2/status.json", None).await;
    assert_eq!(status["status"]["indicator"], "none");
    assert_eq!(
        keys(&status),
        BTreeSet::from(["page".into(), "status".into()])
    );
}

#[tokio::test]
async fn our_reader_reads_our_statuspage_output_as_the_same_status() {
    use svetofor_feed::Severity::{Green, Red, Yellow};
    let h = start().await;
    let support = h.token(Role::Support);
    assert_eq!(both_statuses(&h).await, (Green, Green));
    let news = post(
        &h,
        &support,
        json!({"severity": "green", "kind": "info", "title": "New reports"}),
    )
    .await;
    assert_eq!(both_statuses(&h).await, (Green, Green));
    let now = Utc::now();
    let maint = post(
        &h,
        &support,
        json!({"severity": "yellow", "kind": "maintenance", "title": "Work now",
               "starts_at": now - TimeDelta::minutes(1), "ends_at": now + TimeDelta::hours(1)}),
    )
    .await;
    assert_eq!(both_statuses(&h).await, (Yellow, Yellow));
    let status = h.get_json("/api/v2/status.json", None).await;
    assert_eq!(status["status"]["indicator"], "maintenance");
    let active = h
        .get_json("/api/v2/scheduled-maintenances/active.json", None)
        .await;
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    let slow = post(
        &h,
        &support,
        json!({"severity": "yellow", "kind": "degraded", "title": "Slow", "components": ["api"], "new_components": true}),
    )
    .await;
    assert_eq!(both_statuses(&h).await, (Yellow, Yellow));
    assert_eq!(
        h.get_json("/api/v2/status.json", None).await["status"]["indicator"],
        "minor"
    );
    let down = post(
        &h,
        &support,
        json!({"severity": "red", "kind": "outage", "title": "Down"}),
    )
    .await;
    assert_eq!(both_statuses(&h).await, (Red, Red));
    assert_eq!(
        h.get_json("/api/v2/status.json", None).await["status"]["indicator"],
        "critical",
        "an outage of the whole product"
    );
    for id in [&down, &slow, &maint, &news] {
        step(&h, &support, id, "resolve", json!({})).await;
    }
    assert_eq!(both_statuses(&h).await, (Green, Green));
}

fn python() -> Option<String> {
    match std::env::var("SVETOFOR_PYTHON") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            let home = std::env::var("HOME").unwrap_or_default();
            let p = format!("{home}/.cache/svetofor/pyenv/bin/python");
            if std::path::Path::new(&p).exists() {
                return Some(p);
            }
            assert!(
                std::env::var("CI").is_err(),
                "CI needs the python test clients: scripts/lib.sh ensure_python_test_deps"
            );
            eprintln!("skipped: no python test clients (run scripts/test once to install them)");
            None
        }
    }
}

fn run_python(py: &str, script: &str, args: &[&str]) -> Value {
    let out = Command::new(py)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    })
}

const STATUSCHECK: &str = r#"
import json, sys
from statuscheck.services.bases._statuspageio import BaseStatusPageAPI
class Ours(BaseStatusPageAPI):
    name = "ours"
    def _get_base_url(self):
        return sys.argv[1] + "/api/v2/"
s = Ours().get_summary()
print(json.dumps({"code": s.status.code, "ok": s.status.is_ok,
    "incidents": [[i.id, i.status] for i in s.incidents],
    "components": {c.id: c.status for c in s.components}}))
"#;

#[tokio::test]
async fn an_independent_statuspage_client_reads_us() {
    let Some(py) = python() else { return };
    let h = start().await;
    let support = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    h.component(&admin, "payments", "Платежи", "Payments", None)
        .await;
    let base = h.base.clone();
    let read = {
        let py = py.clone();
        let base = base.clone();
        move || run_python(&py, STATUSCHECK, &[&base])
    };
    let v = tokio::task::spawn_blocking(read.clone()).await.unwrap();
    assert_eq!(v["code"], "none");
    assert_eq!(v["ok"], true);
    let id = post(
        &h,
        &support,
        json!({"severity": "red", "kind": "outage", "title": "Down", "components": ["payments"], "new_components": true}),
    )
    .await;
    let v = tokio::task::spawn_blocking(read.clone()).await.unwrap();
    assert_eq!(v["code"], "major");
    assert_eq!(v["ok"], false);
    assert_eq!(v["incidents"], json!([[id, "investigating"]]));
    assert_eq!(v["components"]["payments"], "Major outage");
}

const FEEDPARSER: &str = r#"
import json, sys, urllib.request
raw = urllib.request.urlopen(sys.argv[1]).read()
import feedparser
d = feedparser.parse(raw)
print(json.dumps({"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")),
    "version": d.version, "title": d.feed.get("title"), "language": d.feed.get("language"),
    "entries": [{"title": e.get("title"), "id": e.get("id"), "link": e.get("link"),
                 "summary": e.get("summary"), "updated": e.get("updated", e.get("published"))}
                for e in d.entries]}))
"#;

#[tokio::test]
async fn atom_and_rss_are_valid_for_a_real_feed_parser_newest_first() {
    let Some(py) = python() else { return };
    let h = start().await;
    let support = h.token(Role::Support);
    let id = post(
        &h,
        &support,
        json!({"severity": "red", "kind": "outage",
               "title": {"ru": "Оплата <b>не</b> проходит & всё", "en": "Payments <b>fail</b>"},
               "body": "Cards fail."}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    step(
        &h,
        &support,
        &id,
        "updates",
        json!({"state": "identified", "text": "Причина найдена"}),
    )
    .await;
    for (path, version) in [
        ("/history.atom?lang=ru", "atom10"),
        ("/history.rss?lang=ru", "rss20"),
    ] {
        let url = h.url(path);
        let py = py.clone();
        let v = tokio::task::spawn_blocking(move || run_python(&py, FEEDPARSER, &[&url]))
            .await
            .unwrap();
        assert_eq!(v["bozo"], false, "{path} is well-formed: {}", v["error"]);
        assert_eq!(v["version"], version);
        let entries = v["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{v:#}");
        assert_eq!(
            entries[0]["title"],
            "[Сбой] Оплата <b>не</b> проходит & всё — причина найдена, исправляем",
            "newest first, markup kept as text"
        );
        assert_eq!(entries[0]["summary"], "Причина найдена");
        assert_eq!(entries[1]["summary"], "Cards fail.");
        assert!(
            entries[0]["link"]
                .as_str()
                .unwrap()
                .contains(&format!("/notices/{id}")),
        );
        assert_ne!(entries[0]["id"], entries[1]["id"]);
    }
    let resp = h.get("/history.atom", None, None).await;
    assert_eq!(
        resp.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
}

#[tokio::test]
async fn the_status_page_is_whole_without_javascript_in_both_languages() {
    let h = start().await;
    let support = h.token(Role::Support);
    let id = post(
        &h,
        &support,
        json!({"severity": "red", "kind": "outage",
               "title": {"ru": "Платежи <script>alert(1)</script>", "en": "Payments <script>alert(1)</script>"},
               "body": {"ru": "Карты не проходят", "en": "Cards fail"}}),
    )
    .await;
    let page = |lang: Option<&'static str>, query: &'static str| {
        let mut req = h.http.get(h.url(query));
        if let Some(l) = lang {
            req = req.header("Accept-Language", l);
        }
        req.send()
    };
    let resp = page(Some("ru-RU,ru;q=0.9"), "/").await.unwrap();
    assert_eq!(resp.status(), 200);
    let hd = resp.headers().clone();
    let csp = hd["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    let cache = hd["cache-control"].to_str().unwrap();
    assert!(
        cache.starts_with("public, max-age=0, s-maxage=") && cache.contains("stale-if-error="),
        "{cache}"
    );
    assert!(hd["vary"].to_str().unwrap().contains("Accept-Language"));
    let etag = hd["etag"].to_str().unwrap().to_owned();
    let ru = resp.text().await.unwrap();
    assert!(ru.contains("<html lang=\"ru\">"));
    assert!(ru.contains("<main id=\"main\">") && ru.contains("<h1 id=\"overall\">"));
    assert!(ru.contains("Сбой: сервис или его часть не работает"));
    assert!(
        ru.contains("aria-label=\"Сбой: сервис или его часть не работает\""),
        "the shape says it too"
    );
    assert!(ru.contains("Платежи &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!ru.contains("<script>alert"));
    assert!(ru.contains("Карты не проходят"));
    assert!(ru.contains("За 90 дней"));
    assert_eq!(
        ru.matches("class=\"day ").count(),
        90 + 4,
        "90 days and the legend"
    );
    assert!(ru.contains("href=\"/history.atom?lang=ru\""));
    assert!(
        ru.contains("href=\"/?lang=ru#app\"")
            && ru.contains("id=\"app\"")
            && ru.contains("/feed.json</code>")
    );
    // Scripts: only our own file.
    assert_eq!(ru.matches("<script").count(), 1);
    assert!(ru.contains("<script src=\"/status.js\" defer></script>"));
    assert!(!ru.contains("style=\""), "no inline styles");

    let en = page(Some("en-US,en;q=0.9"), "/")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("<html lang=\"en\">")
            && en.contains("Outage: the service or part of it is down")
    );
    assert!(en.contains("Payments &lt;script&gt;"));
    let switched = page(Some("en-US"), "/?lang=ru")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        switched.contains("<html lang=\"ru\">"),
        "the switch wins over the browser"
    );
    assert!(ru.contains("href=\"?lang=en\"") && en.contains("href=\"?lang=ru\""));

    let again = h.get("/", None, Some(&etag)).await;
    assert_eq!(again.status(), 304);

    let notice = h
        .get(&format!("/notices/{id}?lang=ru"), None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        notice
            .contains("<h1 id=\"title\"><span class=\"word\">Сбой:</span> Платежи &lt;script&gt;")
    );
    assert!(notice.contains("Выясняем причину"));
    assert_eq!(h.get("/notices/nope", None, None).await.status(), 404);
    // The banner's script: the key written in, compressed for those who accept it.
    let key = h.server.publisher.public_key_file();
    let key = key.lines().nth(1).unwrap().trim().to_owned();
    let plain = String::from_utf8(h.body("/embed.js").await).unwrap();
    assert!(plain.contains(&format!("var KEY = \"{key}\";")));
    assert!(!plain.contains("__SVETOFOR_PUBLIC_KEY__"));
    let gz = h
        .http
        .get(h.url("/embed.js"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(
        gz.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let gz = gz.bytes().await.unwrap();
    assert!(
        gz.len() <= 15 * 1024 && gz.len() < plain.len() / 2,
        "{}",
        gz.len()
    );
    let css = h.get("/status.css", None, None).await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");

    // Resolved: green, and in the history.
    step(&h, &support, &id, "resolve", json!({"text": "Fixed"})).await;
    let ru = page(Some("ru"), "/").await.unwrap().text().await.unwrap();
    assert!(ru.contains("<h1 id=\"overall\">Всё работает</h1>"));
    assert!(ru.contains("Недавние события") && ru.contains(&format!("/notices/{id}?lang=ru")));
    assert!(ru.contains("Дней со сбоями: 1"));
}

#[tokio::test]
async fn cross_origin_reads_are_for_listed_origins_only() {
    let h = start_with(|o| {
        o.embed_origins =
            svetofor_server::web::public::EmbedOrigins::new(&["https://app.example.com".into()])
                .unwrap();
    })
    .await;
    let get = |path: &'static str, origin: &'static str| {
        h.http.get(h.url(path)).header("Origin", origin).send()
    };
    for path in [
        "/feed.json",
        "/feed.json.minisig",
        "/api/v2/summary.json",
        "/history.atom",
    ] {
        let ok = get(path, "https://app.example.com").await.unwrap();
        assert_eq!(
            ok.headers()["access-control-allow-origin"],
            "https://app.example.com",
            "{path}"
        );
        assert!(
            ok.headers()
                .get_all("vary")
                .iter()
                .any(|v| v.to_str().unwrap().contains("Origin"))
        );
        let other = get(path, "https://evil.example").await.unwrap();
        assert!(
            other.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
    // Pages and the API are never shared.
    let page = get("/", "https://app.example.com").await.unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none());
    let preflight = h
        .http
        .request(reqwest::Method::OPTIONS, h.url("/events"))
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "last-event-id")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.headers()["access-control-allow-headers"],
        "last-event-id"
    );
}

#[tokio::test]
async fn a_private_publisher_keeps_every_public_page_closed() {
    let h = start_with(|o| {
        o.private = true;
        o.embed_origins = svetofor_server::web::public::EmbedOrigins::new(&["*".into()]).unwrap();
    })
    .await;
    let reader = h.token(Role::Reader);
    for path in [
        "/",
        "/api/v2/summary.json",
        "/api/v2/incidents.json",
        "/history.atom",
        "/history.rss",
        "/embed.json",
        "/notices/x",
    ] {
        let resp = h
            .http
            .get(h.url(path))
            .header("Origin", "https://app.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert!(resp.headers().get("access-control-allow-origin").is_none());
    }
    let resp = h.get("/", Some(&reader), None).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    let feed = h
        .http
        .get(h.url("/feed.json"))
        .bearer_auth(&reader)
        .header("Origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 200);
    assert!(
        feed.headers().get("access-control-allow-origin").is_none(),
        "never CORS for a private feed"
    );
}
