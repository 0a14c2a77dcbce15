//! Every page, with hostile text in every field a person can fill: markup, quotes that would
//! end an attribute, text 4,000 characters long. None of it may come out as markup: the
//! public pages, Atom and RSS, and every console page.

mod common;

use chrono::Utc;
use common::{Harness, start};
use reqwest::header;
use serde_json::{Value, json};
use svetofor_publisher::accounts::{UserRecord, hash_password};
use svetofor_publisher::auth::Role;
use svetofor_store::{AccountStore, AuditAction, AuditEntry, SqliteStore};

/// Markup, and quotes of both kinds that would end an attribute.
const HOSTILE: &str =
    "<i class=\"hostile\">x</i>\" onmouseover=\"alert(1)' data-x='y <script>alert(2)</script>";

/// What must never come out of a page: the markup as markup.
const FORBIDDEN: [&str; 5] = [
    "<i class=\"hostile\"",
    "<script>alert",
    "onmouseover=\"",
    "data-x='",
    "<i class=&quot;hostile",
];

const PASSWORD: &str = "correct horse battery staple";

fn long(prefix: &str, chars: usize) -> String {
    let mut s = prefix.to_owned();
    while s.chars().count() < chars {
        s.push_str(" длинный текст");
    }
    s.chars().take(chars).collect()
}

async fn created(h: &Harness, token: &str, path: &str, body: Value) -> Value {
    let resp = h.post(token, path, body).await;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

fn check(page: &str, html: &str) {
    for bad in FORBIDDEN {
        assert!(!html.contains(bad), "{page} lets {bad:?} through");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_text_in_every_field_never_becomes_markup_on_any_page() {
    let h = start().await;
    let support = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    let resp = h
        .http
        .put(h.url("/api/v1/components/payments"))
        .bearer_auth(&admin)
        .json(&json!({"name": {"ru": HOSTILE, "en": HOSTILE}}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{:?}", resp.text().await);
    let title = HOSTILE.chars().take(200).collect::<String>();
    let body = long(HOSTILE, 4000);
    let n = created(
        &h,
        &support,
        "/api/v1/notices",
        json!({"severity": "red", "kind": "outage", "title": {"ru": title, "en": title},
               "body": {"ru": body, "en": body}, "components": ["payments"],
               "next_update_at": Utc::now() + chrono::TimeDelta::minutes(30),
               "url": "https://example.com/?q=\"><script>alert(3)</script>"}),
    )
    .await;
    let id = n["id"].as_str().unwrap().to_owned();
    created(
        &h,
        &support,
        &format!("/api/v1/notices/{id}/updates"),
        json!({"state": "identified", "text": long(HOSTILE, 4000)}),
    )
    .await;
    let d = created(
        &h,
        &support,
        "/api/v1/drafts",
        json!({"notice": {"severity": "yellow", "kind": "degraded",
                          "title": {"ru": title}, "body": {"ru": body}}}),
    )
    .await;
    let draft = d["id"].as_str().unwrap().to_owned();

    // What anyone may read.
    for path in [
        "/?lang=ru".to_owned(),
        "/?lang=en".to_owned(),
        format!("/notices/{id}?lang=ru"),
        format!("/notices/{id}?lang=en"),
        "/history.atom?lang=ru".to_owned(),
        "/history.rss?lang=en".to_owned(),
    ] {
        let resp = h.get(&path, None, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        let html = resp.text().await.unwrap();
        check(&path, &html);
        // The text is there, as text: the test would see it if it were drawn raw.
        assert!(
            html.contains("&lt;i class=&quot;hostile&quot;&gt;x&lt;/i&gt;"),
            "{path} does not show the title"
        );
    }

    // The console, signed in as an admin (every page open to them).
    let accounts = SqliteStore::open(&h.db()).unwrap();
    let user = UserRecord {
        name: "anna".into(),
        role: Role::Admin,
        password_hash: hash_password(PASSWORD).unwrap(),
        created_at: Utc::now(),
        disabled_at: None,
    };
    let audit = AuditEntry::new("test", AuditAction::UserCreate, Some("anna"), Value::Null);
    assert!(accounts.insert_user(&user, &audit).unwrap());
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = c.get(h.url("/console/login")).send().await.unwrap();
    let cookie = form
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("svetofor_login="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    let html = form.text().await.unwrap();
    let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[at..].split('"').next().unwrap().to_owned();
    let signed = c
        .post(h.url("/console/login"))
        .header(header::COOKIE, format!("svetofor_login={cookie}"))
        .header(header::ORIGIN, &h.base)
        .form(&[
            ("username", "anna"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    let session = signed
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("svetofor_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned();
    for (path, shows) in [
        ("/console/".to_owned(), true),
        (format!("/console/notices/{id}"), true),
        (format!("/console/drafts/{draft}"), true),
        ("/console/compose".to_owned(), false),
        ("/console/templates".to_owned(), false),
        ("/console/components".to_owned(), true),
        ("/console/audit".to_owned(), false),
        ("/console/users".to_owned(), false),
        ("/console/tokens".to_owned(), false),
        ("/console/channels".to_owned(), false),
    ] {
        for lang in ["ru", "en"] {
            let resp = c
                .get(h.url(&path))
                .header(header::COOKIE, format!("svetofor_session={session}"))
                .header(header::ACCEPT_LANGUAGE, lang)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{path}");
            let html = resp.text().await.unwrap();
            check(&path, &html);
            if shows {
                assert!(
                    html.contains("&lt;i class=&quot;hostile&quot;&gt;"),
                    "{path} ({lang}) does not show the hostile text"
                );
            }
        }
    }
}
