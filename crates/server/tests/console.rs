//! The console over real HTTP: sign-in, sessions, CSRF and origin checks, throttling,
//! sign-out, disabled accounts. Cookies are carried by hand, as a browser would.

mod common;

use chrono::Utc;
use reqwest::header;
use svetofor_publisher::accounts::{UserRecord, hash_password};
use svetofor_publisher::auth::Role;
use svetofor_store::{AccountChange, AccountStore, AuditEntry, SqliteStore};

use common::{Harness, start, start_with};

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
        html.contains("<a href=\"/?lang=en\">Status page</a>"),
        "the menu links what clients see: {html}"
    );
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
    // A template's placeholder left in is held back like any other check.
    let mut leftover = overridden.clone();
    leftover.retain(|f| f.0 != "confirm");
    for f in leftover.iter_mut() {
        if f.0 == "title_ru" {
            f.1 = "Платежи не проходят с {time}";
        }
    }
    let held = compose(&h, &c, &anna, &leftover).await;
    assert_eq!(held.status(), 422);
    let text = held.text().await.unwrap();
    assert!(text.contains("A template placeholder"), "{text}");
    // In the Russian console, in Russian words, never the API's English.
    let ru = c
        .post(h.url("/console/compose"))
        .header(header::COOKIE, format!("svetofor_session={anna}"))
        .header(header::ORIGIN, &h.base)
        .header(header::ACCEPT_LANGUAGE, "ru")
        .form(&green_outage)
        .send()
        .await
        .unwrap();
    assert_eq!(ru.status(), 422);
    let text = ru.text().await.unwrap();
    assert!(text.contains("Зелёный сбой — противоречие"), "{text}");
    assert!(!text.contains("contradiction"), "{text}");
}

/// A signed-in GET of a console page, in English.
async fn page(h: &Harness, c: &reqwest::Client, id: &str, path: &str) -> (u16, String) {
    let resp = c
        .get(h.url(path))
        .header(header::COOKIE, format!("svetofor_session={id}"))
        .header(header::ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// A signed-in form post to `path`, from this console's origin.
async fn post_form(
    h: &Harness,
    c: &reqwest::Client,
    id: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    c.post(h.url(path))
        .header(header::COOKIE, format!("svetofor_session={id}"))
        .header(header::ORIGIN, &h.base)
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(fields)
        .send()
        .await
        .unwrap()
}

const GOOD_RED: [(&str, &str); 5] = [
    ("severity", "red"),
    ("kind", "outage"),
    ("title_ru", "Платежи не проходят"),
    ("title_en", "Payments fail"),
    ("body_ru", "Оплата не проходит. support@example.com"),
];

#[tokio::test(flavor = "multi_thread")]
async fn drafts_and_publish_at_from_the_compose_form() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let csrf = csrf_of(&h, &c, &anna).await;
    let seq = h.server.publisher.current().seq;
    // A draft is work in progress: saved without the checks (no promise, no English).
    let mut fields = vec![("csrf", csrf.as_str()), ("action", "draft")];
    fields.extend_from_slice(&GOOD_RED[..3]);
    assert_eq!(
        post_form(&h, &c, &anna, "/console/compose", &fields)
            .await
            .status(),
        303
    );
    assert_eq!(h.server.publisher.current().seq, seq, "not published");
    let (_, now) = page(&h, &c, &anna, "/console/").await;
    assert!(
        now.contains("Drafts") && now.contains("not scheduled"),
        "{now}"
    );
    // Publishing at a time holds to the checks as publishing now does.
    let mut scheduled = vec![
        ("csrf", csrf.as_str()),
        ("action", "schedule"),
        ("publish_at", "1h"),
    ];
    scheduled.extend_from_slice(&GOOD_RED);
    let held = post_form(&h, &c, &anna, "/console/compose", &scheduled).await;
    assert_eq!(held.status(), 422);
    assert!(held.text().await.unwrap().contains("promised next update"));
    scheduled.push(("next_update_at", "30m"));
    // Typed in the browser's zone (UTC+3 here): 2099-12-31 22:00 there is 19:00 UTC.
    scheduled[2] = ("publish_at", "2099-12-31 22:00");
    scheduled.push(("tz", "180"));
    let done = post_form(&h, &c, &anna, "/console/compose", &scheduled).await;
    assert_eq!(done.status(), 303);
    let drafts = h.server.publisher.drafts().await.unwrap();
    let d = drafts.iter().find(|d| d.publish_at.is_some()).unwrap();
    assert_eq!(
        d.publish_at.unwrap().to_rfc3339(),
        "2099-12-31T19:00:00+00:00"
    );
    // The promise counts from publishing: 30 min after 19:00.
    assert_eq!(
        d.notice.next_update_at.unwrap().to_rfc3339(),
        "2099-12-31T19:30:00+00:00"
    );
    let (_, now) = page(&h, &c, &anna, "/console/").await;
    assert!(now.contains("datetime=\"2099-12-31T19:00:00Z\""), "{now}");
    // The draft's page is the form, filled; publishing it from there publishes it now.
    let (status, form) = page(&h, &c, &anna, &format!("/console/drafts/{}", d.id)).await;
    assert_eq!(status, 200);
    assert!(
        form.contains("value=\"2099-12-31 19:00 UTC\""),
        "times written back in UTC, said so: {form}"
    );
    let mut publish = vec![
        ("csrf", csrf.as_str()),
        ("action", "publish"),
        ("draft_id", d.id.as_str()),
        ("next_update_at", "30m"),
    ];
    publish.extend_from_slice(&GOOD_RED);
    let published = post_form(&h, &c, &anna, "/console/compose", &publish).await;
    assert_eq!(published.status(), 303);
    assert_eq!(
        published.headers()[header::LOCATION],
        "/console/?done=published"
    );
    assert!(h.server.publisher.current().seq > seq);
    let left = h.server.publisher.drafts().await.unwrap();
    assert_eq!(
        left.len(),
        1,
        "the published draft is gone, the other stays"
    );
    // Deleting needs the form's token too.
    let other = left[0].id.clone();
    let path = format!("/console/drafts/{other}/delete");
    assert_eq!(
        post_form(&h, &c, &anna, &path, &[("csrf", "x")])
            .await
            .status(),
        403
    );
    assert_eq!(
        post_form(&h, &c, &anna, &path, &[("csrf", &csrf)])
            .await
            .status(),
        303
    );
    assert!(h.server.publisher.drafts().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overdue_promise_is_said_to_support_and_a_correction_is_shown_as_one() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let support = h.token(Role::Support);
    let soon = Utc::now() + chrono::TimeDelta::milliseconds(1200);
    let n = h
        .post_json(
            &support,
            "/api/v1/notices",
            serde_json::json!({"severity": "red", "kind": "outage",
                "title": {"ru": "Отчёты <i>не</i> строятся", "en": "Reports fail"},
                "body": {"ru": "Опечтка"}, "next_update_at": soon}),
        )
        .await;
    let id = n["id"].as_str().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let (_, now) = page(&h, &c, &anna, "/console/").await;
    assert!(
        now.contains("Notices past their promised update: 1"),
        "{now}"
    );
    assert!(now.contains("class=\"overdue\""), "{now}");
    assert!(now.contains("Reports fail"), "{now}");
    let path = format!("/console/notices/{id}");
    let (_, notice) = page(&h, &c, &anna, &path).await;
    assert!(
        notice.contains("The promised update is overdue"),
        "{notice}"
    );
    // The correction form holds the wording in each language as it is, nothing copied over.
    assert!(
        notice.contains("name=\"body_en\" rows=\"3\"></textarea>"),
        "{notice}"
    );
    let csrf = hidden_csrf(&notice);
    let fixed = post_form(
        &h,
        &c,
        &anna,
        &format!("{path}/correct"),
        &[
            ("csrf", csrf.as_str()),
            ("title_ru", "Отчёты <i>не</i> строятся"),
            ("title_en", "Reports fail"),
            ("body_ru", "Опечатка"),
        ],
    )
    .await;
    assert_eq!(fixed.status(), 303);
    let feed = h.feed().await;
    assert_eq!(feed.snapshot.notices[0].body.get("ru", ""), "Опечатка");
    assert_eq!(feed.snapshot.notices[0].updates.len(), 1);
    let audit = h.server.publisher.store().audit(1, None).unwrap();
    assert_eq!(audit[0].entry.action, "notice.correct");
    assert_eq!(audit[0].entry.actor, "user:anna");
    assert!(
        audit[0].entry.detail.get("title").is_none(),
        "only the body changed: {:?}",
        audit[0].entry.detail
    );
    let (_, notice) = page(&h, &c, &anna, &path).await;
    assert!(notice.contains("Wording corrected"), "{notice}");
    assert!(notice.contains("by anna"), "{notice}");
    assert!(
        notice.contains("value=\"Отчёты &lt;i&gt;не&lt;/i&gt; строятся\""),
        "markup shown as text: {notice}"
    );
    assert!(!notice.contains("<i>не</i>"), "markup shown as text");
}

#[tokio::test(flavor = "multi_thread")]
async fn people_and_tokens_are_for_admins_and_a_new_token_is_shown_once() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    add_user(&h, "olga", Role::Admin);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    for path in ["/console/users", "/console/tokens"] {
        let (status, body) = page(&h, &c, &anna, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("for administrators"), "{body}");
    }
    // Support can read templates, components and the audit log, and change none of them.
    for path in [
        "/console/templates",
        "/console/components",
        "/console/audit",
    ] {
        let (status, body) = page(&h, &c, &anna, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.contains("action=\"/console/templates\""), "{path}");
    }
    let csrf = csrf_of(&h, &c, &anna).await;
    let refused = post_form(
        &h,
        &c,
        &anna,
        "/console/templates",
        &[("csrf", &csrf), ("name", "x"), ("title_ru", "x")],
    )
    .await;
    assert_eq!(refused.status(), 403);

    let olga = session(&h, &c, "olga").await;
    let csrf = csrf_of(&h, &c, &olga).await;
    let short = post_form(
        &h,
        &c,
        &olga,
        "/console/users",
        &[
            ("csrf", &csrf),
            ("action", "add"),
            ("username", "boris"),
            ("role", "reader"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("12 to 256 characters"));
    let added = post_form(
        &h,
        &c,
        &olga,
        "/console/users",
        &[
            ("csrf", &csrf),
            ("action", "add"),
            ("username", "Boris"),
            ("role", "reader"),
            ("password", "a long enough passphrase"),
        ],
    )
    .await;
    assert_eq!(added.status(), 303);
    let boris = accounts(&h).user("boris").unwrap().expect("added");
    assert_eq!(boris.role, Role::Reader);
    assert!(boris.password_hash.starts_with("$argon2id$"));
    let created = post_form(
        &h,
        &c,
        &olga,
        "/console/tokens",
        &[
            ("csrf", &csrf),
            ("action", "create"),
            ("name", "monitoring"),
            ("role", "support"),
        ],
    )
    .await;
    assert_eq!(created.status(), 200);
    assert_eq!(created.headers()[header::CACHE_CONTROL], "no-store");
    let body = created.text().await.unwrap();
    let at = body.find("<code>svt_").expect("the token, once") + 6;
    let token = body[at..].split('<').next().unwrap().to_owned();
    let drafts = h
        .http
        .get(h.url("/api/v1/drafts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(drafts.status(), 200, "the token works");
    let (_, again) = page(&h, &c, &olga, "/console/tokens").await;
    assert!(!again.contains(&token), "shown once only");
    let audit = h.server.publisher.store().audit(1, None).unwrap();
    assert!(
        !audit[0].entry.detail.to_string().contains("svt_"),
        "no secret logged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_script_is_served_from_the_console_and_the_csp_allows_only_it() {
    let h = start().await;
    let c = client();
    let resp = c.get(h.url("/console/console.js")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let resp = c.get(h.url("/console/login")).send().await.unwrap();
    let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("<script src=\"/console/console.js\" defer></script>"));
    assert!(!html.contains("<script>"), "no inline script");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_language_switch_returns_to_the_same_page_of_this_console_only() {
    let h = start().await;
    let c = client();
    let switch = |referer: String| {
        let c = c.clone();
        let url = h.url("/console/language?to=en");
        async move {
            let resp = c
                .get(url)
                .header(header::REFERER, referer)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 303);
            resp.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(
        switch(h.url("/console/audit?person=anna")).await,
        "/console/audit?person=anna"
    );
    assert_eq!(
        switch("https://evil.example/console/audit".into()).await,
        "/console/"
    );
    assert_eq!(switch(h.url("/feed.json")).await, "/console/");
    assert_eq!(switch(h.url("/console//evil.example")).await, "/console/");
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_show_on_now_and_the_notice_and_a_failed_one_is_sent_again() {
    use std::sync::{Arc, Mutex};
    // A stand-in Bot API that refuses the first message ("chat not found"), then takes all.
    let calls: Arc<Mutex<u32>> = Arc::default();
    let counted = calls.clone();
    let app = axum::Router::new().route(
        "/{bot}/{method}",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                let mut n = counted.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    (
                        axum::http::StatusCode::BAD_REQUEST,
                        axum::Json(serde_json::json!({"ok": false, "error_code": 400,
                            "description": "Bad Request: chat not found"})),
                    )
                } else {
                    (
                        axum::http::StatusCode::OK,
                        axum::Json(serde_json::json!({"ok": true, "result": {"message_id": 7}})),
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    h.post(
        &admin,
        "/api/v1/channels",
        serde_json::json!({"name": "helpdesk-tg", "config": {"type": "telegram",
            "chat": "@helpdesk", "bot_token": "1:T", "api_url": api}}),
    )
    .await;
    let n = h
        .post_json(
            &support,
            "/api/v1/notices",
            serde_json::json!({"severity": "red",
        "kind": "outage", "title": {"ru": "Платежи", "en": "Payments"}}),
        )
        .await;
    let id = n["id"].as_str().unwrap().to_owned();
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let path = format!("/console/notices/{id}");
    let start = std::time::Instant::now();
    let page_now = loop {
        let (_, page_html) = page(&h, &c, &anna, &path).await;
        if page_html.contains("chat not found") {
            break page_html;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{page_html}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(
        page_now.contains("Sent to channels") && page_now.contains("failed"),
        "{page_now}"
    );
    let (_, now) = page(&h, &c, &anna, "/console/").await;
    assert!(
        now.contains("Channels, last hour") && now.contains("helpdesk-tg"),
        "{now}"
    );
    let at = page_now.find("/console/deliveries/").expect("send again") + 20;
    let delivery: String = page_now[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let csrf = hidden_csrf(&page_now);
    let again = post_form(
        &h,
        &c,
        &anna,
        &format!("/console/deliveries/{delivery}/retry"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()[header::LOCATION], path.as_str());
    let start = std::time::Instant::now();
    loop {
        let d = h
            .get_json(&format!("/api/v1/deliveries?notice={id}"), Some(&support))
            .await;
        if d["deliveries"][0]["state"] == "sent" {
            assert_eq!(d["deliveries"][0]["tries"], 2);
            break;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "{d}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let audit = h.server.publisher.store().audit(1, None).unwrap();
    assert_eq!(audit[0].entry.action, "delivery.retry");
    assert_eq!(audit[0].entry.actor, "user:anna");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_from_monitoring_is_on_the_now_page_at_once() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let intake = h.token(Role::Intake);
    h.post_json(
        &intake,
        "/api/v1/intake/generic",
        serde_json::json!({"key": "db", "status": "firing", "severity": "critical",
            "title": "База <данных> недоступна"}),
    )
    .await;
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let (_, now) = page(&h, &c, &anna, "/console/").await;
    assert!(now.contains("From monitoring"), "{now}");
    assert!(
        now.contains("База &lt;данных&gt; недоступна"),
        "as text: {now}"
    );
    assert!(now.contains("unrouted"), "{now}");
    assert!(now.contains("href=\"/console/drafts/d-"), "{now}");
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_add_test_and_remove_channels_from_the_console() {
    use std::sync::{Arc, Mutex};
    let got: Arc<Mutex<u32>> = Arc::default();
    let counted = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                *counted.lock().unwrap() += 1;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let h = start().await;
    add_user(&h, "anna", Role::Support);
    add_user(&h, "olga", Role::Admin);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    assert_eq!(page(&h, &c, &anna, "/console/channels").await.0, 403);
    let olga = session(&h, &c, "olga").await;
    let (status, empty) = page(&h, &c, &olga, "/console/channels").await;
    assert_eq!(status, 200);
    assert!(empty.contains("No channels yet."), "{empty}");
    let csrf = hidden_csrf(&empty);
    let bad = post_form(
        &h,
        &c,
        &olga,
        "/console/channels",
        &[
            ("csrf", &csrf),
            ("action", "webhook"),
            ("name", "Ops Hook"),
            ("url", &hook),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("lower-case Latin letters")
    );
    // A Russian administrator reads the refusal in Russian, next to the field.
    let bad_ru = c
        .post(h.url("/console/channels"))
        .header(header::COOKIE, format!("svetofor_session={olga}"))
        .header(header::ORIGIN, &h.base)
        .header(header::ACCEPT_LANGUAGE, "ru")
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "telegram"),
            ("name", "ops-chat"),
            ("chat", "ops chat"),
            ("bot_token", "123:abc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_ru.status(), 422);
    let text = bad_ru.text().await.unwrap();
    assert!(
        text.contains("Чат: @имя канала или числовой идентификатор чата."),
        "{text}"
    );
    // What was typed comes back in that form, the bot token excepted (a secret is typed
    // again, never sent back into a page).
    assert!(
        text.contains("name=\"name\" type=\"text\" placeholder=\"helpdesk-tg\" autocomplete=\"off\" value=\"ops-chat\""),
        "{text}"
    );
    assert!(text.contains("value=\"ops chat\""), "{text}");
    assert!(!text.contains("123:abc"), "{text}");
    let added = post_form(
        &h,
        &c,
        &olga,
        "/console/channels",
        &[
            ("csrf", &csrf),
            ("action", "webhook"),
            ("name", "ops"),
            ("url", &hook),
            ("min_severity", "green"),
        ],
    )
    .await;
    assert_eq!(added.status(), 200);
    let body = added.text().await.unwrap();
    let at = body.find("<code>whsec_").expect("the secret, once") + 6;
    let secret: String = body[at..].split('<').next().unwrap().to_owned();
    let (_, listed) = page(&h, &c, &olga, "/console/channels").await;
    assert!(listed.contains("ops") && listed.contains(&hook), "{listed}");
    assert!(!listed.contains(&secret), "shown once only");
    let tested = post_form(
        &h,
        &c,
        &olga,
        "/console/channels",
        &[("csrf", &csrf), ("action", "test"), ("name", "ops")],
    )
    .await;
    assert!(
        tested
            .text()
            .await
            .unwrap()
            .contains("took a signed test post")
    );
    assert_eq!(*got.lock().unwrap(), 1);
    let removed = post_form(
        &h,
        &c,
        &olga,
        "/console/channels",
        &[("csrf", &csrf), ("action", "remove"), ("name", "ops")],
    )
    .await;
    assert_eq!(removed.status(), 303);
    let (_, gone) = page(&h, &c, &olga, "/console/channels").await;
    assert!(gone.contains("No channels yet."));
    let audit = h.server.publisher.store().audit(3, None).unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.entry.action.as_str()).collect();
    assert_eq!(actions[0], "channel.remove");
    assert!(actions.contains(&"channel.create"));
    assert!(
        !format!("{:?}", audit).contains(&secret),
        "no secret in the audit"
    );
}

/// Bodies in the console's own forms (its posted fields, every time field included).
const FIELDS: [&str; 28] = [
    "action",
    "severity",
    "kind",
    "title_ru",
    "title_en",
    "body_ru",
    "body_en",
    "components",
    "next_update_at",
    "starts_at",
    "ends_at",
    "url",
    "publish_at",
    "draft_id",
    "tz",
    "text_ru",
    "text_en",
    "state",
    "confirm",
    "confirm_reason",
    "id",
    "name",
    "target",
    "events",
    "username",
    "password",
    "role",
    "token",
];

/// What people type, and what a hostile or careless client sends.
fn awkward_values() -> Vec<String> {
    let mut v: Vec<String> = [
        "2ч",
        "30м",
        "2 часа",
        "завтра",
        "30 мин",
        "15:00",
        "ё",
        "😀",
        "\u{202e}x",
        "<b>x</b>\"'",
        "-1",
        "99999999999999999999h",
        "1e309",
        "",
        " ",
        "\0",
        "%",
        "ч2",
        "25:61",
        "31.02.2026 10:00",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    v.push("ы".repeat(3000));
    v
}

/// Russian times are read in every time field; anything else is said next to its field with
/// what was typed kept; and no value in any field of any console form breaks a handler.
#[tokio::test(flavor = "multi_thread")]
async fn typed_times_are_read_or_refused_and_no_form_body_breaks_a_handler() {
    // Every post must reach its handler, not the write-rate limit.
    let h = start_with(|o| o.limits.writes_per_minute = 1_000_000).await;
    add_user(&h, "anna", Role::Admin);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let csrf = csrf_of(&h, &c, &anna).await;
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("action", "schedule"),
        ("tz", "180"),
        ("publish_at", "завтра 9:00"),
        ("next_update_at", "2ч"),
    ];
    fields.extend_from_slice(&GOOD_RED);
    let done = post_form(&h, &c, &anna, "/console/compose", &fields).await;
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    let drafts = h.server.publisher.drafts().await.unwrap();
    let at = drafts[0].publish_at.unwrap();
    let moscow = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    assert_eq!(
        at.with_timezone(&moscow).format("%H:%M").to_string(),
        "09:00"
    );
    assert_eq!(
        drafts[0].notice.next_update_at,
        Some(at + chrono::TimeDelta::hours(2))
    );
    // A day without its time: the message by the field, every typed word still there.
    fields[3] = ("publish_at", "завтра");
    let refused = post_form(&h, &c, &anna, "/console/compose", &fields).await;
    assert_eq!(refused.status(), 422);
    let page_text = refused.text().await.unwrap();
    assert!(page_text.contains("Add a time of day"), "{page_text}");
    assert!(page_text.contains("value=\"завтра\""), "{page_text}");
    assert!(page_text.contains("Платежи не проходят"), "{page_text}");
    // The audit's filters read the same words; a bad one is said, not ignored.
    let (status, audit) = page(&h, &c, &anna, "/console/audit?since=2%D1%87&tz=180").await;
    assert_eq!(status, 200);
    assert!(!audit.contains("class=\"check\""), "{audit}");
    let (status, audit) = page(&h, &c, &anna, "/console/audit?since=%D1%87%D0%B0%D1%81").await;
    assert_eq!(status, 200);
    assert!(audit.contains("Could not read this time"), "{audit}");
    // An update whose promise cannot be read keeps its text.
    let id = open_outage(&h, "Отчёты", "Reports", "Не строятся").await;
    let update = format!("/console/notices/{id}/update");
    let kept = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Нашли причину"),
            ("next_update_at", "завтра"),
        ],
    )
    .await;
    assert_eq!(kept.status(), 422);
    let page_text = kept.text().await.unwrap();
    assert!(
        page_text.contains(">Нашли причину</textarea>"),
        "{page_text}"
    );
    assert!(page_text.contains("Add a time of day"), "{page_text}");

    // Every field of every form, each awkward value; each action the forms know.
    let paths = [
        "/console/compose".to_owned(),
        update,
        format!("/console/notices/{id}/correct"),
        format!("/console/notices/{id}/resolve"),
        "/console/drafts/x/delete".to_owned(),
        "/console/templates".to_owned(),
        "/console/components".to_owned(),
        "/console/channels".to_owned(),
        "/console/users".to_owned(),
        "/console/tokens".to_owned(),
        "/console/deliveries/1/retry".to_owned(),
    ];
    let actions = [
        "", "preview", "draft", "schedule", "publish", "add", "save", "delete", "test", "remove",
        "disable", "enable", "reset", "revoke", "create",
    ];
    for value in awkward_values() {
        for path in &paths {
            for action in actions {
                let mut body: Vec<(&str, &str)> =
                    FIELDS.iter().map(|f| (*f, value.as_str())).collect();
                body[0] = ("action", action);
                body.push(("csrf", &csrf));
                let resp = post_form(&h, &c, &anna, path, &body).await;
                let status = resp.status().as_u16();
                assert!(
                    status < 500 && status != 429 && status != 403,
                    "{path} action={action} value={value:?}: {status}"
                );
                resp.bytes().await.expect("a whole answer");
            }
        }
        // A query is shorter than a body: a URL holds a few kilobytes.
        let short: String = value.chars().take(500).collect();
        let (status, _) = page(
            &h,
            &c,
            &anna,
            &format!(
                "/console/audit?since={0}&until={0}&person={0}&target={0}&tz={0}",
                url::form_urlencoded::byte_serialize(short.as_bytes()).collect::<String>()
            ),
        )
        .await;
        assert!(status < 500, "audit {value:?}: {status}");
    }
    // Still serving, still signed in.
    assert_eq!(page(&h, &c, &anna, "/console/").await.0, 200);
}

/// Withdrawing is for a notice posted by mistake: it takes a reason and a tick, each named
/// when missing, with what was typed kept; then employees are told it was a mistake.
#[tokio::test(flavor = "multi_thread")]
async fn withdrawing_needs_a_reason_and_a_tick() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let id = open_outage(&h, "Платежи", "Payments", "Не проходят").await;
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let (_, notice) = page(&h, &c, &anna, &format!("/console/notices/{id}")).await;
    assert!(
        notice.contains("<details class=\"withdraw\"><summary>"),
        "behind a fold, not a button under Resolve: {notice}"
    );
    let csrf = hidden_csrf(&notice);
    let path = format!("/console/notices/{id}/withdraw");
    let bare = post_form(&h, &c, &anna, &path, &[("csrf", csrf.as_str())]).await;
    assert_eq!(bare.status(), 422);
    let text = bare.text().await.unwrap();
    assert!(text.contains("Say why the notice is withdrawn"), "{text}");
    assert!(
        text.contains("Tick that the notice was posted by mistake"),
        "{text}"
    );
    let why = [
        ("csrf", csrf.as_str()),
        ("text_ru", "Опубликовали не тому клиенту"),
    ];
    let untick = post_form(&h, &c, &anna, &path, &why).await;
    assert_eq!(untick.status(), 422);
    let text = untick.text().await.unwrap();
    assert!(
        text.contains(">Опубликовали не тому клиенту</textarea>"),
        "{text}"
    );
    assert!(text.contains("<details class=\"withdraw\" open>"), "{text}");
    assert!(!text.contains("Say why the notice is withdrawn"), "{text}");
    assert_eq!(
        h.feed().await.snapshot.notices[0].state,
        svetofor_feed::State::Investigating,
        "nothing withdrawn yet"
    );
    let mut meant = why.to_vec();
    meant.push(("mistake", "yes"));
    let done = post_form(&h, &c, &anna, &path, &meant).await;
    assert_eq!(done.status(), 303);
    // Back on Now, with the change confirmed in words.
    assert_eq!(done.headers()[header::LOCATION], "/console/?done=withdraw");
    let (_, now) = page(&h, &c, &anna, "/console/?done=withdraw").await;
    assert!(
        now.contains("<p class=\"done\" role=\"status\">✓ Notice withdrawn.</p>"),
        "{now}"
    );
    // The audit log reads as sentences: who did what to which notice, by its title.
    let (_, audit) = page(&h, &c, &anna, "/console/audit").await;
    assert!(audit.contains("withdrew a notice"), "{audit}");
    assert!(audit.contains(">«Payments»</a>"), "{audit}");
    assert!(
        audit.contains("<details><summary>Details</summary><pre>"),
        "{audit}"
    );
    assert!(!audit.contains("<code>notice.withdraw</code>"), "{audit}");
    let (_, plain) = page(&h, &c, &anna, "/console/?done=%3Cb%3E").await;
    assert!(
        !plain.contains("class=\"done\""),
        "only known changes: {plain}"
    );
    let feed = h.feed().await;
    let withdrawn = &feed.snapshot.notices[0];
    assert_eq!(withdrawn.state, svetofor_feed::State::Withdrawn);
    assert_eq!(
        withdrawn.updates.last().unwrap().text.get("ru", ""),
        "Опубликовали не тому клиенту"
    );
}

/// A form from a page drawn before the person signed in again is refused for that reason,
/// said as such, with the typed texts given back and the page to open again; a form from
/// elsewhere is refused as foreign; too many changes are said as too many.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_form_names_its_real_cause_and_gives_the_text_back() {
    let h = start_with(|o| {
        o.limits.writes_per_minute = 3;
        o.limits.write_burst = 3;
    })
    .await;
    add_user(&h, "anna", Role::Support);
    let c = client();
    let before = session(&h, &c, "anna").await;
    let old_csrf = csrf_of(&h, &c, &before).await;
    // Signed in again in another tab: the browser now carries the new session.
    let after = session(&h, &c, "anna").await;
    let resp = c
        .post(h.url("/console/compose"))
        .header(header::COOKIE, format!("svetofor_session={after}"))
        .header(header::ORIGIN, &h.base)
        .header(header::REFERER, h.url("/console/compose"))
        .header(header::ACCEPT_LANGUAGE, "ru")
        .form(&[
            ("csrf", old_csrf.as_str()),
            ("title_ru", "Платежи <b>не</b> проходят"),
            ("body_ru", "Оплата картой не работает"),
            ("severity", "red"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let text = resp.text().await.unwrap();
    assert!(text.contains("Вы вошли в консоль заново"), "{text}");
    assert!(!text.contains("пришёл не со страницы"), "{text}");
    assert!(
        text.contains("Платежи &#60;b&#62;не&#60;/b&#62; проходят</textarea>")
            || text.contains("Платежи &lt;b&gt;не&lt;/b&gt; проходят</textarea>"),
        "the text is given back, as text: {text}"
    );
    assert!(
        text.contains("Оплата картой не работает</textarea>"),
        "{text}"
    );
    assert!(text.contains("href=\"/console/compose\""), "{text}");
    // From another site: foreign, nothing given back.
    let foreign = c
        .post(h.url("/console/compose"))
        .header(header::COOKIE, format!("svetofor_session={after}"))
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCEPT_LANGUAGE, "en")
        .form(&[("csrf", old_csrf.as_str()), ("title_ru", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let text = foreign.text().await.unwrap();
    assert!(text.contains("did not come from this console"), "{text}");
    assert!(!text.contains("<textarea"), "{text}");
    // Past the write rate: said as such.
    let csrf = csrf_of(&h, &c, &after).await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(post_form(&h, &c, &after, "/console/compose", &[("csrf", &csrf)]).await);
    }
    let last = last.unwrap();
    assert_eq!(last.status(), 429);
    let text = last.text().await.unwrap();
    assert!(
        text.contains("Too many changes from this address"),
        "{text}"
    );
}

/// Ending a maintenance is completing it and ending news is taking it down: the notice's page
/// says so instead of "Resolve".
#[tokio::test(flavor = "multi_thread")]
async fn the_ending_form_is_named_for_the_kind_of_notice() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let support = h.token(Role::Support);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let now = Utc::now();
    for (body, heading, button) in [
        (
            serde_json::json!({"severity": "yellow", "kind": "maintenance",
                "title": {"ru": "Работы", "en": "Works"}, "body": {"ru": "Обновляем"},
                "starts_at": now - chrono::TimeDelta::minutes(5),
                "ends_at": now + chrono::TimeDelta::hours(1)}),
            "Complete the maintenance",
            "Maintenance completed",
        ),
        (
            serde_json::json!({"severity": "green", "kind": "info",
                "title": {"ru": "Новое", "en": "New"}, "body": {"ru": "Отчёты в PDF"}}),
            "Take the news down",
            "Take down",
        ),
    ] {
        let n = h.post_json(&support, "/api/v1/notices", body).await;
        let id = n["id"].as_str().unwrap();
        let (status, page) = page(&h, &c, &anna, &format!("/console/notices/{id}")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("<h2>{heading}</h2>")), "{page}");
        assert!(page.contains(&format!(">{button}</button>")), "{page}");
        assert!(!page.contains("<h2>Resolve</h2>"), "{page}");
    }
    // The Now page gives a maintenance its window, not only its start.
    let planned = serde_json::json!({"severity": "yellow", "kind": "maintenance",
        "title": {"ru": "Плановые", "en": "Planned"}, "body": {"ru": "Обновление"},
        "starts_at": "2099-01-01T10:00:00Z", "ends_at": "2099-01-01T12:00:00Z"});
    h.post_json(&support, "/api/v1/notices", planned).await;
    let (_, now_page) = page(&h, &c, &anna, "/console/").await;
    assert!(
        now_page.contains("datetime=\"2099-01-01T10:00:00Z\"")
            && now_page.contains("until <time datetime=\"2099-01-01T12:00:00Z\""),
        "{now_page}"
    );
}

/// An update keeps the promise made unless it is changed, and can take it back.
#[tokio::test(flavor = "multi_thread")]
async fn an_update_keeps_or_takes_back_the_promise() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let id = open_outage(&h, "Платежи", "Payments", "Не проходят, a@b").await;
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let path = format!("/console/notices/{id}");
    let (_, page_text) = page(&h, &c, &anna, &path).await;
    assert!(
        page_text.contains("<option value=\"\" selected>keep the promise as it is</option>"),
        "{page_text}"
    );
    assert!(
        page_text.contains("<option value=\"none\">take the promise back"),
        "{page_text}"
    );
    let csrf = hidden_csrf(&page_text);
    let update = format!("{path}/update");
    let kept = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Чиним"),
            ("next_update_at", ""),
        ],
    )
    .await;
    assert_eq!(kept.status(), 303);
    let feed = h.feed().await;
    assert!(feed.snapshot.notices[0].next_update_at.is_some(), "kept");
    let back = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Ищем причину"),
            ("next_update_at", "none"),
        ],
    )
    .await;
    assert_eq!(back.status(), 303);
    let feed = h.feed().await;
    assert_eq!(feed.snapshot.notices[0].next_update_at, None, "taken back");
    let (_, page_text) = page(&h, &c, &anna, &path).await;
    assert!(
        page_text.contains("<option value=\"\" selected>no promise</option>"),
        "{page_text}"
    );
}

/// Posts a red outage through the API, with a promise an hour ahead; its id.
async fn open_outage(h: &Harness, title_ru: &str, title_en: &str, body_ru: &str) -> String {
    let n = h
        .post_json(
            &h.token(Role::Support),
            "/api/v1/notices",
            serde_json::json!({"severity": "red", "kind": "outage",
                "title": {"ru": title_ru, "en": title_en}, "body": {"ru": body_ru},
                "next_update_at": Utc::now() + chrono::TimeDelta::hours(1)}),
        )
        .await;
    n["id"].as_str().unwrap().to_owned()
}

/// The update form changes what only the CLI could: how serious (up and down), which parts
/// of the product, and a maintenance's window ("extended until 17:00"); what is left as it
/// is stays.
#[tokio::test(flavor = "multi_thread")]
async fn an_update_raises_or_lowers_severity_changes_parts_and_moves_the_window() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let support = h.token(Role::Support);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let n = h
        .post_json(
            &support,
            "/api/v1/notices",
            serde_json::json!({"severity": "yellow", "kind": "degraded",
                "title": {"ru": "Отчёты медленные", "en": "Reports are slow"},
                "body": {"ru": "Отчёты строятся долго. a@b"}, "components": ["reports"],
                "new_components": true}),
        )
        .await;
    let id = n["id"].as_str().unwrap();
    let path = format!("/console/notices/{id}");
    let (_, text) = page(&h, &c, &anna, &path).await;
    assert!(
        text.contains("<option value=\"\" selected>as it is (Problems: it works with errors or slowly)</option>")
            && text.contains("<option value=\"red\">Outage: it does not work</option>"),
        "{text}"
    );
    assert!(
        text.contains("name=\"components\" value=\"reports\""),
        "{text}"
    );
    let csrf = hidden_csrf(&text);
    let update = format!("{path}/update");
    // A typo names no part anyone follows: refused at the field, with what was typed kept.
    let typo = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Платежи тоже"),
            ("components", "reports, paymnts"),
            ("components_were", "reports"),
        ],
    )
    .await;
    assert_eq!(typo.status(), 422);
    let text = typo.text().await.unwrap();
    assert!(
        text.contains("There is no part of the product &quot;paymnts&quot;")
            || text.contains("There is no part of the product &#34;paymnts&#34;"),
        "{text}"
    );
    assert!(text.contains("value=\"reports, paymnts\""), "{text}");
    assert_eq!(
        h.feed().await.snapshot.notices[0].components,
        ["reports"],
        "nothing changed"
    );
    let admin = h.token(Role::Admin);
    h.component(&admin, "payments", "Платежи", "Payments", None)
        .await;
    let up = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Отчёты и платежи не работают"),
            ("severity", "red"),
            ("components", "reports, payments"),
            ("components_were", "reports"),
        ],
    )
    .await;
    assert_eq!(up.status(), 303);
    let now = &h.feed().await.snapshot.notices[0];
    assert_eq!(now.severity, svetofor_feed::Severity::Red, "escalated");
    assert_eq!(now.components, ["payments", "reports"]);
    // Lowered again, the parts left as they are.
    let down = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Платежи работают, отчёты медленные"),
            ("severity", "yellow"),
            ("components", "payments, reports"),
            ("components_were", "payments, reports"),
        ],
    )
    .await;
    assert_eq!(down.status(), 303);
    let now = &h.feed().await.snapshot.notices[0];
    assert_eq!(now.severity, svetofor_feed::Severity::Yellow);
    assert_eq!(now.components, ["payments", "reports"]);
    // A problem cannot be made green by an update: said at the field, text kept.
    let green = post_form(
        &h,
        &c,
        &anna,
        &update,
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Всё хорошо"),
            ("severity", "green"),
        ],
    )
    .await;
    assert_eq!(green.status(), 422);
    let text = green.text().await.unwrap();
    assert!(text.contains("Всё хорошо</textarea>"), "{text}");

    // A maintenance in progress is extended until later; the start stays.
    let start = Utc::now() - chrono::TimeDelta::minutes(30);
    let m = h
        .post_json(
            &support,
            "/api/v1/notices",
            serde_json::json!({"severity": "yellow", "kind": "maintenance",
                "title": {"ru": "Работы", "en": "Works"}, "body": {"ru": "Обновляем"},
                "starts_at": start, "ends_at": Utc::now() + chrono::TimeDelta::minutes(30)}),
        )
        .await;
    let mid = m["id"].as_str().unwrap();
    let mpath = format!("/console/notices/{mid}");
    let (_, text) = page(&h, &c, &anna, &mpath).await;
    assert!(
        text.contains("name=\"ends_at\""),
        "the window is in the form: {text}"
    );
    let extend = post_form(
        &h,
        &c,
        &anna,
        &format!("{mpath}/update"),
        &[
            ("csrf", csrf.as_str()),
            ("text_ru", "Работы продлены на два часа"),
            ("ends_at", "2ч"),
        ],
    )
    .await;
    assert_eq!(extend.status(), 303);
    let feed = h.feed().await.snapshot;
    let w = feed
        .notices
        .iter()
        .find(|n| n.id == mid)
        .and_then(|n| n.window.clone())
        .unwrap();
    assert_eq!(
        w.starts_at.timestamp(),
        start.timestamp(),
        "the start stays"
    );
    let end = w.ends_at.unwrap();
    assert!(
        (end - Utc::now() - chrono::TimeDelta::hours(2))
            .num_seconds()
            .abs()
            < 60,
        "ends in two hours: {end}"
    );
    // An unreadable end is said at its field and changes nothing.
    let bad = post_form(
        &h,
        &c,
        &anna,
        &format!("{mpath}/update"),
        &[("csrf", csrf.as_str()), ("ends_at", "к обеду")],
    )
    .await;
    assert_eq!(bad.status(), 422);
}

/// "What happened?" is one choice (outage, disruption, planned maintenance, news), not a
/// severity and a kind that can contradict each other; each gives its usual colour.
#[tokio::test(flavor = "multi_thread")]
async fn the_compose_form_asks_one_question_what_happened() {
    let h = start().await;
    add_user(&h, "anna", Role::Support);
    let c = client();
    let anna = session(&h, &c, "anna").await;
    let (_, text) = page(&h, &c, &anna, "/console/compose").await;
    assert!(text.contains("What happened?"), "{text}");
    for value in ["outage", "degraded", "maintenance", "info"] {
        assert!(
            text.contains(&format!("name=\"what\" value=\"{value}\"")),
            "{value}: {text}"
        );
    }
    assert!(
        !text.contains("<select name=\"kind\"")
            && !text.contains("type=\"radio\" name=\"severity\""),
        "no second control that could contradict the first: {text}"
    );
    let csrf = hidden_csrf(&text);
    let done = post_form(
        &h,
        &c,
        &anna,
        "/console/compose",
        &[
            ("csrf", csrf.as_str()),
            ("action", "publish"),
            ("what", "degraded"),
            ("what_was", "outage"),
            ("severity", "red"),
            ("title_ru", "Отчёты строятся медленно"),
            ("title_en", "Reports are slow"),
            (
                "body_ru",
                "Отчёты строятся по 5 минут. Вопросы: support@example.com",
            ),
            (
                "body_en",
                "Reports take 5 minutes. Questions: support@example.com",
            ),
            ("next_update_at", "30m"),
        ],
    )
    .await;
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let n = &h.feed().await.snapshot.notices[0];
    assert_eq!(n.kind, svetofor_feed::Kind::Degraded);
    assert_eq!(
        n.severity,
        svetofor_feed::Severity::Yellow,
        "the form's first choice (a red outage) does not colour the one made"
    );
}
