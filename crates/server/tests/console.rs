//! The console over real HTTP: sign-in, sessions, CSRF and origin checks, throttling,
//! sign-out, disabled accounts. Cookies are carried by hand, as a browser would.

mod common;

use chrono::Utc;
use reqwest::header;
use svetofor_server::accounts::{UserRecord, hash_password};
use svetofor_server::auth::Role;
use svetofor_server::store::{AccountChange, AccountStore, AuditEntry, SqliteStore};

use common::{Harness, start};

const PASSWORD: &str = "correct horse battery staple";

fn audit(action: &str) -> AuditEntry {
    AuditEntry {
        at: Utc::now(),
        actor: "test".into(),
        action: action.into(),
        target: None,
        detail: serde_json::Value::Null,
    }
}

fn accounts(h: &Harness) -> SqliteStore {
    SqliteStore::open(&h.dir.path().join("svetofor.db")).unwrap()
}

fn add_user(h: &Harness, name: &str, role: Role) {
    let user = UserRecord {
        name: name.into(),
        role,
        password_hash: hash_password(PASSWORD).unwrap(),
        created_at: Utc::now(),
        disabled_at: None,
    };
    assert!(
        accounts(h)
            .insert_user(&user, &audit("user.create"))
            .unwrap()
    );
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of a `Set-Cookie` named `name` in a response.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<(String, String)> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| {
            let value = c[name.len() + 1..].split(';').next().unwrap().to_owned();
            (value, c.to_owned())
        })
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// Opens the sign-in form: its cookie and token.
async fn form(h: &Harness, c: &reqwest::Client) -> (String, String) {
    let resp = c.get(h.url("/console/login")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let (cookie, _) = set_cookie(&resp, "svetofor_login").expect("form cookie");
    let token = hidden_csrf(&resp.text().await.unwrap());
    assert_eq!(cookie, token);
    (cookie, token)
}

async fn sign_in(
    h: &Harness,
    c: &reqwest::Client,
    name: &str,
    password: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let (cookie, token) = form(h, c).await;
    let mut req = c
        .post(h.url("/console/login"))
        .header(header::COOKIE, format!("svetofor_login={cookie}"))
        .form(&[("username", name), ("password", password), ("csrf", &token)]);
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    req.send().await.unwrap()
}

/// Signs in and returns the session cookie.
async fn session(h: &Harness, c: &reqwest::Client, name: &str) -> String {
    let resp = sign_in(h, c, name, PASSWORD, Some(&h.base)).await;
    assert_eq!(resp.status(), 303, "{:?}", resp.text().await);
    let (id, raw) = set_cookie(&resp, "svetofor_session").expect("session cookie");
    assert!(
        raw.contains("HttpOnly")
            && raw.contains("SameSite=Strict")
            && raw.contains("Path=/console"),
        "{raw}"
    );
    assert!(!raw.contains("Secure"), "plain http here: {raw}");
    assert_eq!(id.len(), 43, "256 bits");
    id
}

async fn now_page(h: &Harness, c: &reqwest::Client, id: &str) -> reqwest::Response {
    c.get(h.url("/console/"))
        .header(header::COOKIE, format!("svetofor_session={id}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_shows_now_and_sign_out_ends_the_session_server_side() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let support = h.token(Role::Support);
    h.post_json(
        &support,
        "/api/v1/notices",
        serde_json::json!({"severity": "red", "kind": "outage", "title": "<b>Payments</b> down"}),
    )
    .await;
    let c = client();
    let resp = c.get(h.url("/console/")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()[header::LOCATION], "/console/login");

    let id = session(&h, &c, "Anna").await;
    let page = now_page(&h, &c, &id).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Signed in as anna (support)"), "{html}");
    assert!(html.contains("Employees see: Outage"), "{html}");
    assert!(
        html.contains("&lt;b&gt;Payments&lt;/b&gt; down") && !html.contains("<b>Payments"),
        "titles are text: {html}"
    );
    let csrf = hidden_csrf(&html);

    // Sign-out without the token, or from elsewhere, changes nothing.
    let cookie = format!("svetofor_session={id}");
    for (token, origin) in [
        ("", h.base.as_str()),
        (csrf.as_str(), "http://evil.example"),
    ] {
        let resp = c
            .post(h.url("/console/logout"))
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, origin)
            .form(&[("csrf", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403);
        assert_eq!(now_page(&h, &c, &id).await.status(), 200, "still signed in");
    }
    let resp = c
        .post(h.url("/console/logout"))
        .header(header::COOKIE, &cookie)
        .header(header::ORIGIN, &h.base)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        now_page(&h, &c, &id).await.status(),
        303,
        "the old cookie no longer signs in"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_needs_its_form_token_and_this_origin() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let c = client();
    for origin in [None, Some("http://evil.example")] {
        let resp = sign_in(&h, &c, "anna", PASSWORD, origin).await;
        assert_eq!(resp.status(), 403, "{origin:?}");
        assert!(set_cookie(&resp, "svetofor_session").is_none());
    }
    // The right origin but no form cookie.
    let (_, token) = form(&h, &c).await;
    let resp = c
        .post(h.url("/console/login"))
        .header(header::ORIGIN, &h.base)
        .form(&[
            ("username", "anna"),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_are_throttled_and_say_when_to_retry() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let c = client();
    let mut statuses = vec![];
    for _ in 0..30 {
        let resp = sign_in(&h, &c, "anna", "wrong password, surely", Some(&h.base)).await;
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            let retry: u64 = resp.headers()[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry >= 1);
            break;
        }
    }
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // Even the right password waits now: a guesser cannot tell.
    let resp = sign_in(&h, &c, "anna", PASSWORD, Some(&h.base)).await;
    assert_eq!(resp.status(), 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_account_is_signed_out_at_once_and_cannot_sign_in() {
    let h = start().await;
    add_user(&h, "boris", Role::Reader);
    let c = client();
    let id = session(&h, &c, "boris").await;
    let html = now_page(&h, &c, &id).await.text().await.unwrap();
    assert!(html.contains("(reader)"), "{html}");
    assert!(
        accounts(&h)
            .change_user("boris", AccountChange::Disable, &audit("user.disable"))
            .unwrap()
    );
    assert_eq!(now_page(&h, &c, &id).await.status(), 303);
    let resp = sign_in(&h, &c, "boris", PASSWORD, Some(&h.base)).await;
    assert_eq!(resp.status(), 401, "same answer as a wrong password");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_speaks_russian_first_and_switches() {
    let h = start().await;
    let c = client();
    let html = c
        .get(h.url("/console/login"))
        .header(header::ACCEPT_LANGUAGE, "ru-RU,ru;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Вход в консоль Светофора"), "{html}");
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    let resp = c
        .get(h.url("/console/language?to=en"))
        .send()
        .await
        .unwrap();
    let (lang, _) = set_cookie(&resp, "svetofor_lang").unwrap();
    let html = c
        .get(h.url("/console/login"))
        .header(header::ACCEPT_LANGUAGE, "ru")
        .header(header::COOKIE, format!("svetofor_lang={lang}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sign in to the Svetofor console"), "{html}");
}

/// Posts the compose form with a session.
async fn compose(
    h: &Harness,
    c: &reqwest::Client,
    id: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    c.post(h.url("/console/compose"))
        .header(header::COOKIE, format!("svetofor_session={id}"))
        .header(header::ORIGIN, &h.base)
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn csrf_of(h: &Harness, c: &reqwest::Client, id: &str) -> String {
    hidden_csrf(&now_page(h, c, id).await.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_needs_the_support_role_its_token_and_passing_or_overridden_checks() {
    let h = start().await;
    add_user(&h, "boris", Role::Reader);
    add_user(&h, "anna", Role::Support);
    let c = client();
    let seq = h.server.publisher.current().seq;
    let good = |csrf: &str| {
        vec![
            ("severity", "red".to_owned()),
            ("kind", "outage".to_owned()),
            ("title_ru", "Платежи не проходят".to_owned()),
            ("title_en", "Payments fail".to_owned()),
            (
                "body_ru",
                "Не работает оплата. support@example.com".to_owned(),
            ),
            ("next_update_at", "30m".to_owned()),
            ("csrf", csrf.to_owned()),
        ]
    };

    // A reader sees the console, and cannot publish.
    let reader = session(&h, &c, "boris").await;
    let csrf = csrf_of(&h, &c, &reader).await;
    let fields = good(&csrf);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(compose(&h, &c, &reader, &refs).await.status(), 403);

    let anna = session(&h, &c, "anna").await;
    let csrf = csrf_of(&h, &c, &anna).await;
    let fields = good(&csrf);
    // Without the session's token: refused, nothing published.
    let wrong: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (*k, if *k == "csrf" { "x" } else { v.as_str() }))
        .collect();
    assert_eq!(compose(&h, &c, &anna, &wrong).await.status(), 403);
    // Red with no promised update: held, with the check said next to its field.
    let no_promise: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "next_update_at" {
                    ""
                } else {
                    v.as_str()
                },
            )
        })
        .collect();
    let held = compose(&h, &c, &anna, &no_promise).await;
    assert_eq!(held.status(), 422);
    assert!(
        held.text()
            .await
            .unwrap()
            .contains("An outage needs a promised next update")
    );
    assert_eq!(
        h.server.publisher.current().seq,
        seq,
        "nothing reached the feed"
    );
    // Overridden with a reason: published, and the audit line says which check and why.
    let mut overridden = no_promise.clone();
    overridden.push(("confirm", "1"));
    overridden.push(("confirm_reason", "we do not know when yet"));
    let done = compose(&h, &c, &anna, &overridden).await;
    assert_eq!(done.status(), 303);
    assert!(h.server.publisher.current().seq > seq);
    let audit = h.server.publisher.store().audit(1, None).unwrap();
    let line = &audit[0].entry;
    assert_eq!(line.actor, "user:anna");
    assert_eq!(line.detail["overridden"]["checks"][0], "no_next_update");
    assert_eq!(
        line.detail["overridden"]["reason"],
        "we do not know when yet"
    );
    // A contradiction is refused whatever is ticked.
    let mut green_outage = overridden.clone();
    for f in green_outage.iter_mut() {
        if f.0 == "severity" {
            f.1 = "green";
        }
    }
    assert_eq!(compose(&h, &c, &anna, &green_outage).await.status(), 422);
}
