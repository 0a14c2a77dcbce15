//! Channels against real servers on loopback: a stand-in Telegram Bot API (the real one is
//! out of reach here), a webhook receiver that checks Standard Webhooks signatures, and an
//! SMTP server, all speaking HTTP or SMTP over real sockets to a real publisher.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use common::*;
use serde_json::{Value, json};
use svetofor_publisher::auth::Role;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const LIMIT: Duration = Duration::from_secs(20);

/// What the stand-ins saw, and how they answer next.
#[derive(Default)]
struct Seen {
    telegram: Vec<(String, Value)>,
    /// Answers to give before the normal one: (status, body).
    telegram_script: Vec<(u16, Value)>,
    webhooks: Vec<(HeaderMap, String)>,
    webhook_script: Vec<u16>,
    mails: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

async fn telegram(
    State(seen): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = seen.lock().unwrap();
    assert_eq!(bot, "bot123:SECRET", "the token is in the path");
    s.telegram.push((method.clone(), body));
    if !s.telegram_script.is_empty() {
        let (status, answer) = s.telegram_script.remove(0);
        return (StatusCode::from_u16(status).unwrap(), Json(answer));
    }
    let id = s.telegram.len() as i64 + 100;
    let result = match method.as_str() {
        "getMe" => json!({"id": 1, "is_bot": true, "username": "helpdesk_bot"}),
        _ => json!({"message_id": id, "chat": {"id": -100}}),
    };
    (StatusCode::OK, Json(json!({"ok": true, "result": result})))
}

async fn webhook(State(seen): State<Shared>, headers: HeaderMap, body: String) -> StatusCode {
    let mut s = seen.lock().unwrap();
    s.webhooks.push((headers, body));
    if !s.webhook_script.is_empty() {
        return StatusCode::from_u16(s.webhook_script.remove(0)).unwrap();
    }
    StatusCode::NO_CONTENT
}

async fn http_standins(seen: Shared) -> String {
    let app = Router::new()
        .route("/tg/{bot}/{method}", post(telegram))
        .route("/hook", post(webhook))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A small real SMTP server: greets, takes EHLO/MAIL/RCPT/DATA/QUIT, keeps each message.
async fn smtp_server(seen: Shared) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 localhost ESMTP test\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            seen.lock().unwrap().mails.push(data.take().unwrap());
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 localhost\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    port
}

async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < LIMIT, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let h = |n: &str| headers[n].to_str().unwrap().to_owned();
    let expected = svetofor_channels::sign(
        secret,
        &h("webhook-id"),
        h("webhook-timestamp").parse().unwrap(),
        body.as_bytes(),
    )
    .unwrap();
    h("webhook-signature") == expected
}

/// The subject of a raw message, RFC 2047 words decoded.
fn subject(mail: &str) -> String {
    let mut lines = mail.lines();
    let mut raw = String::new();
    while let Some(l) = lines.next() {
        if let Some(rest) = l.strip_prefix("Subject: ") {
            raw.push_str(rest);
            for cont in lines.by_ref() {
                // Unfolding removes the line break only, not the space after it.
                if let Some(c) = cont.strip_prefix(' ') {
                    raw.push(' ');
                    raw.push_str(c);
                } else {
                    break;
                }
            }
            break;
        }
    }
    // Words are joined by a space, except two encoded words in a row (RFC 2047, 6.2).
    let mut out = String::new();
    let mut last_encoded = false;
    for w in raw.split_whitespace() {
        let decoded = w
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="))
            .map(|b64| {
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap(),
                )
                .unwrap()
            });
        let joined = last_encoded && decoded.is_some();
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        last_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| w.to_owned()));
    }
    out
}

fn header_of<'a>(mail: &'a str, name: &str) -> Option<&'a str> {
    mail.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
}

#[tokio::test(flavor = "multi_thread")]
async fn one_notice_reaches_telegram_a_signed_webhook_and_an_inbox_and_its_steps_follow() {
    let seen: Shared = Arc::default();
    // The first Telegram call is told to wait a second; the first webhook post fails.
    seen.lock().unwrap().telegram_script.push((
        429,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}}),
    ));
    seen.lock().unwrap().webhook_script.push(500);
    let base = http_standins(seen.clone()).await;
    let smtp = smtp_server(seen.clone()).await;
    let h = start().await;
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    let add = |body: Value| {
        let (h, admin) = (&h, admin.clone());
        async move { h.post(&admin, "/api/v1/channels", body).await }
    };
    let tg = add(
        json!({"name": "helpdesk-tg", "config": {"type": "telegram", "chat": "@helpdesk",
        "bot_token": "123:SECRET", "api_url": format!("{base}/tg")}}),
    )
    .await;
    assert_eq!(tg.status(), 201);
    let hook = add(
        json!({"name": "ops-hook", "config": {"type": "webhook", "url": format!("{base}/hook")}}),
    )
    .await;
    assert_eq!(hook.status(), 201);
    let created: Value = hook.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let mail = add(json!({"name": "helpdesk-mail", "config": {"type": "email",
        "smtp": format!("smtp://127.0.0.1:{smtp}"), "from": "Helpdesk <helpdesk@example.com>",
        "to": ["staff@example.com"]}}))
    .await;
    assert_eq!(mail.status(), 201);
    let list = h.get_json("/api/v1/channels", Some(&admin)).await;
    assert!(
        !list.to_string().contains("SECRET") && !list.to_string().contains(&secret),
        "no secrets: {list}"
    );
    assert_eq!(
        list["channels"][0]["min_severity"], "red",
        "Telegram and e-mail are red-only by default"
    );

    let n = h
        .post_json(
            &support,
            "/api/v1/notices",
            json!({
            "severity": "red", "kind": "outage",
            "title": {"ru": "Платежи <b>не</b> & проходят", "en": "Payments fail"},
            "body": {"ru": "Оплата картой не работает. Вопросы: +7 495 000-00-00"},
            "next_update_at": chrono::Utc::now() + chrono::TimeDelta::minutes(30)}),
        )
        .await;
    let id = n["id"].as_str().unwrap().to_owned();

    // Telegram: told to wait, waited, then the message, escaped, loud.
    wait_until("a Telegram message", || {
        seen.lock().unwrap().telegram.len() >= 2
    })
    .await;
    {
        let s = seen.lock().unwrap();
        let (method, body) = &s.telegram[1];
        assert_eq!(method, "sendMessage");
        assert_eq!(body["chat_id"], "@helpdesk");
        assert_eq!(body["parse_mode"], "HTML");
        assert_eq!(body["disable_notification"], false);
        let text = body["text"].as_str().unwrap();
        assert!(
            text.starts_with("<b>🔴 Сбой: Платежи &lt;b&gt;не&lt;/b&gt; &amp; проходят</b>"),
            "{text}"
        );
        assert!(text.contains("Следующее обновление — до"), "{text}");
        assert_eq!(s.telegram[0].1, s.telegram[1].1, "the same message again");
    }
    // The webhook: a 500, then the same delivery again (same webhook-id), signed.
    wait_until("the webhook's second try", || {
        seen.lock().unwrap().webhooks.len() >= 2
    })
    .await;
    {
        let s = seen.lock().unwrap();
        let (first, second) = (&s.webhooks[0], &s.webhooks[1]);
        assert_eq!(first.0["webhook-id"], second.0["webhook-id"]);
        assert!(
            verify(&secret, &second.0, &second.1),
            "the signature verifies"
        );
        assert!(!verify(
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            &second.0,
            &second.1
        ));
        let body: Value = serde_json::from_str(&second.1).unwrap();
        assert_eq!(body["type"], "notice.created");
        assert_eq!(body["data"]["notice"]["id"], id.as_str());
        assert!(body["data"]["seq"].as_u64().unwrap() > 0);
    }
    wait_until("a mail", || !seen.lock().unwrap().mails.is_empty()).await;
    let first_mail = seen.lock().unwrap().mails[0].clone();
    assert_eq!(subject(&first_mail), "[Сбой] Платежи <b>не</b> & проходят");
    let thread = header_of(&first_mail, "Message-ID").unwrap().to_owned();

    // An update: a reply in Telegram, notice.updated, a mail in the same thread.
    h.post_json(
        &support,
        &format!("/api/v1/notices/{id}/updates"),
        json!({"text": {"ru": "Причина найдена"}, "state": "identified"}),
    )
    .await;
    wait_until("the update everywhere", || {
        let s = seen.lock().unwrap();
        s.telegram.len() >= 3 && s.webhooks.len() >= 3 && s.mails.len() >= 2
    })
    .await;
    {
        let s = seen.lock().unwrap();
        let first_id = 102; // the stand-in numbers messages by call
        assert_eq!(s.telegram[2].1["reply_parameters"]["message_id"], first_id);
        assert!(
            s.telegram[2].1["text"]
                .as_str()
                .unwrap()
                .contains("Причина найдена")
        );
        let body: Value = serde_json::from_str(&s.webhooks[2].1).unwrap();
        assert_eq!(body["type"], "notice.updated");
        assert_eq!(header_of(&s.mails[1], "In-Reply-To"), Some(thread.as_str()));
    }
    // A correction edits the Telegram message.
    h.post_json(
        &support,
        &format!("/api/v1/notices/{id}/correction"),
        json!({"title": {"ru": "Платежи не проходят", "en": "Payments fail"}}),
    )
    .await;
    wait_until("the edit", || {
        seen.lock()
            .unwrap()
            .telegram
            .iter()
            .any(|(m, _)| m == "editMessageText")
    })
    .await;
    // The end.
    h.post_json(
        &support,
        &format!("/api/v1/notices/{id}/resolve"),
        json!({"text": {"ru": "Перезапустили шлюз"}}),
    )
    .await;
    wait_until("the end everywhere", || {
        let s = seen.lock().unwrap();
        s.telegram.iter().any(|(_, b)| {
            b["text"]
                .as_str()
                .is_some_and(|t| t.contains("✅ Устранено"))
        }) && s
            .webhooks
            .iter()
            .any(|(_, b)| b.contains("notice.resolved"))
            && s.mails
                .iter()
                .any(|m| subject(m).starts_with("[Устранено]"))
    })
    .await;

    // A yellow notice: the webhook gets it, the red-only channels do not.
    let (tg_before, mail_before) = {
        let s = seen.lock().unwrap();
        (s.telegram.len(), s.mails.len())
    };
    h.post_json(
        &support,
        "/api/v1/notices",
        json!({
        "severity": "yellow", "kind": "degraded", "title": "Отчёты медленные"}),
    )
    .await;
    wait_until("the yellow webhook", || {
        seen.lock()
            .unwrap()
            .webhooks
            .iter()
            .any(|(_, b)| b.contains("Отчёты медленные"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    {
        let s = seen.lock().unwrap();
        assert_eq!(
            (s.telegram.len(), s.mails.len()),
            (tg_before, mail_before),
            "red-only channels skip yellow"
        );
    }
    // Every delivery is on record, sent.
    let d = h
        .get_json(&format!("/api/v1/deliveries?notice={id}"), Some(&support))
        .await;
    let states: Vec<&str> = d["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert!(
        states.len() >= 11 && states.iter().all(|s| *s == "sent"),
        "{d}"
    );
    let list = h.get_json("/api/v1/channels", Some(&admin)).await;
    for c in list["channels"].as_array().unwrap() {
        assert_eq!(c["last"]["state"], "sent", "{c}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_410_switches_the_webhook_off_and_test_says_what_it_found() {
    let seen: Shared = Arc::default();
    let base = http_standins(seen.clone()).await;
    let h = start().await;
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    h.post(
        &admin,
        "/api/v1/channels",
        json!({"name": "tg", "config": {"type": "telegram",
        "chat": "@c", "bot_token": "123:SECRET", "api_url": format!("{base}/tg")}}),
    )
    .await;
    let tested = h
        .post_json(&admin, "/api/v1/channels/tg/test", json!({}))
        .await;
    assert_eq!(
        tested,
        json!({"ok": true, "detail": "the bot @helpdesk_bot answers"})
    );
    h.post(
        &admin,
        "/api/v1/channels",
        json!({"name": "gone", "config": {"type": "webhook",
        "url": format!("{base}/hook")}}),
    )
    .await;
    seen.lock().unwrap().webhook_script = vec![204, 410];
    let tested = h
        .post_json(&admin, "/api/v1/channels/gone/test", json!({}))
        .await;
    assert_eq!(tested["ok"], true, "{tested}");
    h.post_json(
        &support,
        "/api/v1/notices",
        json!({"severity": "red", "kind": "outage", "title": "x"}),
    )
    .await;
    wait_until("the webhook is switched off", || {
        seen.lock().unwrap().webhooks.len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let list = h.get_json("/api/v1/channels", Some(&admin)).await;
    let gone = list["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "gone")
        .unwrap();
    assert!(gone["disabled_at"].is_string(), "{gone}");
    assert_eq!(gone["last"]["state"], "failed");
    // Bad channels are refused with the field at fault.
    for (body, field) in [
        (
            json!({"name": "Bad Name", "config": {"type": "webhook", "url": "http://x"}}),
            "name",
        ),
        (
            json!({"name": "x", "config": {"type": "webhook", "url": "ftp://x"}}),
            "url",
        ),
        (
            json!({"name": "x", "config": {"type": "telegram", "chat": "helpdesk", "bot_token": "t"}}),
            "chat",
        ),
        (
            json!({"name": "x", "config": {"type": "email", "smtp": "mail.example.com", "from": "a@b", "to": ["c@d"]}}),
            "smtp",
        ),
    ] {
        let (status, err) = error_of(h.post(&admin, "/api/v1/channels", body).await).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (400, Some(field)),
            "{err}"
        );
    }
    let (status, _) = error_of(
        h.post(
            &support,
            "/api/v1/channels",
            json!({"name": "x",
        "config": {"type": "webhook", "url": "http://x"}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "admins only");
}

#[tokio::test(flavor = "multi_thread")]
async fn supports_own_chat_hears_of_an_alert_draft_and_employees_channels_do_not() {
    let seen: Shared = Arc::default();
    let base = http_standins(seen.clone()).await;
    let h = start().await;
    let admin = h.token(Role::Admin);
    let intake = h.token(Role::Intake);
    let support_chat = h
        .post(
            &admin,
            "/api/v1/channels",
            json!({"name": "support-chat", "drafts": true,
            "min_severity": "yellow", "config": {"type": "telegram", "chat": "-1001",
            "bot_token": "123:SECRET", "api_url": format!("{base}/tg")}}),
        )
        .await;
    assert_eq!(support_chat.status(), 201);
    h.post(
        &admin,
        "/api/v1/channels",
        json!({"name": "employees",
        "config": {"type": "webhook", "url": format!("{base}/hook")}}),
    )
    .await;
    h.post_json(
        &intake,
        "/api/v1/intake/generic",
        json!({"key": "db", "status": "firing",
        "severity": "critical", "title": "База данных недоступна"}),
    )
    .await;
    wait_until("support's chat is told", || {
        !seen.lock().unwrap().telegram.is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let s = seen.lock().unwrap();
    let text = s.telegram[0].1["text"].as_str().unwrap();
    assert!(
        text.starts_with("<b>📝 От мониторинга: База данных недоступна</b>"),
        "{text}"
    );
    assert!(text.contains("Сотрудники этого ещё не видят"), "{text}");
    assert_eq!(s.telegram[0].1["chat_id"], "-1001");
    assert!(
        s.webhooks.is_empty(),
        "a draft is not a notice: employees' channels hear nothing"
    );
}
