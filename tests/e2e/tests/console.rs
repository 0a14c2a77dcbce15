//! The support console in real Chromium against a real `svetoforctl serve`: sign in, see what
//! employees see, notice text shown as text, switch language, sign out for good.

use std::time::Duration;

use svetofor_e2e::browser::Browser;
use svetofor_e2e::server::Server;
use svetofor_e2e::shots_dir;
use svetofor_e2e::watch::Watch;

const PASSWORD: &str = "correct horse battery staple";
const LIMIT: Duration = Duration::from_secs(20);

async fn wait_text(b: &Browser, want: &str) -> String {
    let mut last = String::new();
    let found = tokio::time::timeout(LIMIT, async {
        loop {
            let t = b.text().await;
            if t.contains(want) {
                return t;
            }
            last = t;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    match found {
        Ok(t) => t,
        Err(_) => panic!("no page saying {want:?}; at {}: {last}", b.url().await),
    }
}

/// Waits until the loaded page's field `css` holds exactly `want`.
async fn wait_value(b: &Browser, css: &str, want: &str) {
    let mut last = String::new();
    let found = tokio::time::timeout(LIMIT, async {
        loop {
            if b.text().await.is_empty() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            last = b.value(css).await;
            if last == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if found.is_err() {
        panic!(
            "{css} never held {want:?}; last {last:?} at {}",
            b.url().await
        );
    }
}

async fn sign_in(b: &Browser, server: &Server, name: &str, password: &str) {
    b.goto(&format!("{}/console/", server.url)).await;
    assert!(b.url().await.ends_with("/console/login"), "sent to sign in");
    b.type_into("input[name=username]", name).await;
    b.type_into("input[name=password]", password).await;
    b.click("button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_signs_in_sees_the_status_as_text_and_signs_out() {
    let server = Server::start();
    server.user_add("anna", "support", PASSWORD);
    server.post(
        "red",
        "Платежи <b>не проходят</b> & <img src=x onerror=alert(1)>",
        "Карты не принимаются",
        &["--next-update", "30m"],
    );
    let shots = shots_dir();
    let b = Browser::start("ru").await;

    // A wrong password says so, in Russian, and signs nobody in.
    sign_in(&b, &server, "anna", "not the password at all").await;
    wait_text(&b, "Неверное имя или пароль.").await;
    b.screenshot(&shots.join("console-login-ru.png")).await;

    sign_in(&b, &server, "Anna", PASSWORD).await;
    let page = wait_text(&b, "Вы вошли как anna (поддержка)").await;
    assert!(page.contains("Сотрудники видят: Сбой"), "{page}");
    assert!(
        page.contains("Платежи <b>не проходят</b> & <img src=x onerror=alert(1)>"),
        "the title as text: {page}"
    );
    let injected = b
        .run("return document.querySelectorAll('main b, main img, [onerror]').length")
        .await;
    assert_eq!(
        injected,
        serde_json::json!(0),
        "notice text made no elements"
    );
    assert!(page.contains("следующее обновление до"), "{page}");
    b.screenshot(&shots.join("console-now-ru.png")).await;

    // The switch on every page: English, and it sticks.
    b.click("a.lang").await;
    let page = wait_text(&b, "Signed in as anna (support)").await;
    assert!(page.contains("Employees see: Outage"), "{page}");
    b.screenshot(&shots.join("console-now-en.png")).await;
    b.click("a.button").await;
    wait_text(&b, "What happened?").await;
    b.screenshot(&shots.join("console-compose-en.png")).await;
    // Markup typed into the form is text in the preview too.
    let markup = "Отчёты <b>не</b> <img src=x onerror=alert(1)>";
    b.type_into("input[name=title_ru]", markup).await;
    b.type_into("input[name=title_en]", markup).await;
    b.type_into(
        "textarea[name=body_en]",
        "<script>alert(1)</script> support@example.com",
    )
    .await;
    b.click("form.compose button[value=preview]").await;
    let preview = wait_text(&b, "What desktops will show").await;
    assert!(preview.contains(markup), "{preview}");
    assert!(preview.contains("<script>alert(1)</script>"), "{preview}");
    let injected = b
        .run("return document.querySelectorAll('main img, main script, [onerror], .strip b b').length")
        .await;
    assert_eq!(
        injected,
        serde_json::json!(0),
        "preview text made no elements"
    );
    let title = b
        .run("return document.querySelector('.preview .strip b').textContent")
        .await;
    assert_eq!(
        title,
        serde_json::json!(markup),
        "the strip's title is the text typed"
    );
    b.goto(&format!("{}/console/", server.url)).await;
    b.click("ul.notices a").await;
    wait_text(&b, "Publish the update").await;
    b.screenshot(&shots.join("console-notice-en.png")).await;
    b.goto(&format!("{}/console/", server.url)).await;
    wait_text(&b, "Signed in as anna (support)").await;

    // Sign out: the session ends on the server, not only in this browser.
    let cookie = b.run("return document.cookie").await;
    assert_eq!(
        cookie,
        serde_json::json!("svetofor_lang=en"),
        "the session cookie is HttpOnly"
    );
    b.click("form.logout button").await;
    wait_text(&b, "Sign in to the Svetofor console").await;
    b.screenshot(&shots.join("console-login-en.png")).await;
    b.goto(&format!("{}/console/", server.url)).await;
    assert!(b.url().await.ends_with("/console/login"), "signed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_from_another_origin_is_refused_and_changes_nothing() {
    let server = Server::start();
    server.user_add("boris", "reader", PASSWORD);
    let b = Browser::start("en").await;
    sign_in(&b, &server, "boris", PASSWORD).await;
    wait_text(&b, "Signed in as boris (reader)").await;
    // Another site's page posting to the console: a data: URL is another origin.
    let evil = format!(
        "data:text/html,<form method=post action='{}/console/logout'><input name=csrf value=x></form>\
         <script>document.forms[0].submit()</script>",
        server.url
    );
    b.goto(&evil).await;
    // SameSite=Strict keeps the session cookie off the cross-site post, and the server
    // refuses a post without its token and origin either way: still signed in.
    tokio::time::sleep(Duration::from_millis(500)).await;
    b.goto(&format!("{}/console/", server.url)).await;
    wait_text(&b, "Signed in as boris (reader)").await;
}

async fn feed_json(server: &Server) -> serde_json::Value {
    let body = reqwest::get(server.feed())
        .await
        .expect("feed")
        .text()
        .await
        .expect("feed text");
    serde_json::from_str(&body).expect("feed json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_runs_a_whole_incident_from_the_browser() {
    let server = Server::start();
    server.user_add("anna", "support", PASSWORD);
    // An employee's desktop, as `watch` follows the feed the same way.
    let desk = Watch::start(&server.feed(), &server.pubkey);
    let state = |v: &serde_json::Value, status: &str| v["type"] == "state" && v["status"] == status;
    desk.wait("the first green", LIMIT, |v| state(v, "green"));
    let shots = shots_dir();
    let b = Browser::start("ru").await;
    // A support person in Moscow, on a server that keeps UTC.
    b.cdp(
        "Emulation.setTimezoneOverride",
        serde_json::json!({"timezoneId": "Europe/Moscow"}),
    )
    .await;
    sign_in(&b, &server, "anna", PASSWORD).await;
    wait_text(&b, "Вы вошли как anna").await;

    // Compose a red outage in both languages; the checks hold it until the text says enough.
    b.click("a.button").await;
    wait_text(&b, "Что случилось?").await;
    b.type_into("input[name=title_ru]", "Платежи не проходят")
        .await;
    b.type_into("input[name=title_en]", "Payments fail").await;
    b.type_into("textarea[name=body_ru]", "Оплата картой не работает.")
        .await;
    b.click("form.compose button[value=publish]").await;
    let page = wait_text(&b, "Укажите контакт").await;
    assert!(!page.contains("Действующих"), "not published yet: {page}");
    b.type_into("textarea[name=body_ru]", " Вопросы: support@example.com")
        .await;
    b.type_into(
        "textarea[name=body_en]",
        "Card payments fail. Questions: support@example.com",
    )
    .await;
    let typed = b.value("textarea[name=body_ru]").await;
    assert!(
        typed.ends_with("Вопросы: support@example.com"),
        "typed: {typed:?}"
    );
    let typed = b.value("textarea[name=body_en]").await;
    assert!(typed.ends_with("support@example.com"), "typed: {typed:?}");
    // The preview, from the desktop app's own models, before anything is published.
    b.click("form.compose button[value=preview]").await;
    let preview = wait_text(&b, "Что увидят на компьютерах сотрудников").await;
    // It lands on the preview, drawn in the writer's zone with the promise the desktop shows.
    assert_eq!(
        b.run("return location.hash").await,
        serde_json::json!("#preview")
    );
    let moscow = chrono::FixedOffset::east_opt(3 * 3600).unwrap();
    let strip = b
        .run("return document.querySelector('.preview .strip').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let since_ok = [0, 1].iter().any(|back| {
        let t = (chrono::Utc::now() - chrono::TimeDelta::minutes(*back)).with_timezone(&moscow);
        strip.contains(&format!("с {}", t.format("%H:%M")))
    });
    assert!(since_ok, "Moscow time in the strip: {strip}");
    assert!(strip.contains("следующее обновление до"), "{strip}");
    assert!(
        preview.contains("Сбой Платежи не проходят Оплата картой не работает."),
        "{preview}"
    );
    assert!(
        preview.contains("В трее: Сбой: Платежи не проходят — с "),
        "{preview}"
    );
    assert!(
        preview.contains("Outage Payments fail Card payments fail."),
        "{preview}"
    );
    assert!(
        preview.contains("Outage: Payments fail"),
        "the notification: {preview}"
    );
    assert!(
        preview.contains("🔴 Сбой: Платежи не проходят")
            && preview.contains("Тема письма: [Сбой] Платежи не проходят"),
        "what Telegram and e-mail will say: {preview}"
    );
    assert!(
        preview.contains("Тема письма: [Outage] Payments fail"),
        "{preview}"
    );
    assert!(
        feed_json(&server).await["notices"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a preview publishes nothing"
    );
    b.screenshot(&shots.join("console-compose-ru.png")).await;
    b.run("document.querySelector('.preview').scrollIntoView()")
        .await;
    b.screenshot(&shots.join("console-preview-ru.png")).await;
    b.click("form.compose button[value=publish]").await;
    let now = wait_text(&b, "Сотрудники видят: Сбой").await;
    assert!(now.contains("Платежи не проходят"), "{now}");
    let alert = desk.wait("the alert", LIMIT, |v| v["type"] == "alert");
    assert_eq!(alert["severity"], "red", "{alert}");
    desk.wait("red", LIMIT, |v| state(v, "red"));

    // It is in the signed feed, in both languages, with the promised next update.
    let feed = feed_json(&server).await;
    let n = &feed["notices"][0];
    assert_eq!(n["severity"], "red");
    assert_eq!(n["title"]["ru"], "Платежи не проходят");
    assert_eq!(n["title"]["en"], "Payments fail");
    assert!(n["next_update_at"].is_string(), "{n}");
    let checked = std::process::Command::new(svetofor_e2e::binary("svetoforctl"))
        .args(["check", &server.feed(), "--pubkey"])
        .arg(&server.pubkey)
        .output()
        .expect("svetoforctl check");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );

    // An update from the notice's page.
    b.click("ul.notices a").await;
    wait_text(&b, "Опубликовать обновление").await;
    b.screenshot(&shots.join("console-notice-ru.png")).await;
    b.type_into(
        "form[action$='/update'] textarea[name=text_ru]",
        "Причина найдена, чиним",
    )
    .await;
    b.run("document.querySelector('form[action$=\"/update\"] select[name=state]').value = 'identified'")
        .await;
    b.click("form[action$='/update'] button").await;
    wait_text(&b, "Сотрудники видят: Сбой").await;
    assert_eq!(
        feed_json(&server).await["notices"][0]["state"],
        "identified"
    );
    desk.wait("the update", LIMIT, |v| {
        state(v, "red") && v.to_string().contains("identified")
    });

    // A second update that keeps its promise of the next one.
    b.click("ul.notices a").await;
    wait_text(&b, "Опубликовать обновление").await;
    b.type_into(
        "form[action$='/update'] textarea[name=text_ru]",
        "Исправление выкатывается, ждём 15 минут",
    )
    .await;
    b.run("document.querySelector('form[action$=\"/update\"] select[name=state]').value = 'monitoring'")
        .await;
    b.click("form[action$='/update'] button").await;
    wait_text(&b, "Сотрудники видят: Сбой").await;
    desk.wait("the second update", LIMIT, |v| {
        state(v, "red") && v.to_string().contains("monitoring")
    });
    // The timeline says who said each step.
    b.click("ul.notices a").await;
    let notice = wait_text(&b, "Исправление выкатывается").await;
    // Signed in as anna, and anna for the notice and each of its two updates.
    assert!(notice.matches("anna").count() >= 4, "{notice}");

    // Resolve: an outage needs a summary first.
    b.click("ul.notices a").await;
    wait_text(&b, "Отметить как устранённое").await;
    b.click("form[action$='/resolve'] button").await;
    wait_text(&b, "Завершите сбой итогом").await;
    b.type_into(
        "form[action$='/resolve'] textarea[name=text_ru]",
        "Перезапустили платёжный шлюз, оплата работает",
    )
    .await;
    b.click("form[action$='/resolve'] button").await;
    wait_text(&b, "Действующих сообщений нет.").await;
    desk.wait("green again", LIMIT, |v| state(v, "green"));
    let feed = feed_json(&server).await;
    let n = &feed["notices"][0];
    assert_eq!(n["state"], "resolved");
    assert_eq!(
        n["body"]["ru"],
        "Перезапустили платёжный шлюз, оплата работает"
    );
}

/// Visits `path` and screenshots it as `console-NAME-LANG.png`; returns the page's text.
async fn shoot(
    b: &Browser,
    server: &Server,
    path: &str,
    want: &str,
    name: &str,
    lang: &str,
) -> String {
    b.goto(&format!("{}{path}", server.url)).await;
    let page = wait_text(b, want).await;
    b.screenshot(&shots_dir().join(format!("console-{name}-{lang}.png")))
        .await;
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_keeps_templates_components_people_and_tokens_and_support_starts_from_a_template()
{
    let server = Server::start();
    server.user_add("olga", "admin", PASSWORD);
    let b = Browser::start("ru").await;
    sign_in(&b, &server, "olga", PASSWORD).await;
    wait_text(&b, "Вы вошли как olga (администратор)").await;

    // A component named in both languages, from its page.
    b.goto(&format!("{}/console/components", server.url)).await;
    wait_text(&b, "Добавить компонент").await;
    b.type_into("form.compose input[name=id]", "payments").await;
    b.type_into("form.compose input[name=name_ru]", "Платежи")
        .await;
    b.type_into("form.compose input[name=name_en]", "Payments")
        .await;
    b.click("form.compose button[value=save]").await;
    // The names are the row's fields now: the row's buttons say it is there.
    wait_text(&b, "Сохранить Убрать").await;
    let feed = feed_json(&server).await;
    assert_eq!(feed["components"][0]["name"]["ru"], "Платежи", "{feed}");

    // A template, with placeholders.
    b.goto(&format!("{}/console/templates", server.url)).await;
    wait_text(&b, "Шаблонов пока нет.").await;
    b.type_into("input[name=name]", "payments-down").await;
    b.type_into(
        "textarea[name=title_ru]",
        "{component}: оплата не проходит с {time}",
    )
    .await;
    b.type_into(
        "textarea[name=title_en]",
        "{component}: payments fail since {time}",
    )
    .await;
    b.type_into(
        "textarea[name=body_ru]",
        "Оплата картой не проходит. Вопросы: support@example.com, +7 495 000-00-00",
    )
    .await;
    b.type_into("input[name=next_update_minutes]", "30").await;
    b.click("form.compose button[value=save]").await;
    let page = wait_text(&b, "payments-down —").await;
    assert!(
        page.contains("{component}: оплата не проходит с {time}"),
        "{page}"
    );

    // Support's start: the template fills the form, placeholders filled, nothing else.
    b.goto(&format!("{}/console/compose", server.url)).await;
    wait_text(&b, "Начать с шаблона").await;
    b.type_into("form.template input[name=component]", "payments")
        .await;
    b.type_into("form.template input[name=time]", "12:30").await;
    b.click("form.template button").await;
    // The compose page already says "Что случилось?" before the click: wait for the
    // filled form itself, or the old page's empty field is read.
    wait_value(
        &b,
        "input[name=title_ru]",
        "Платежи: оплата не проходит с 12:30",
    )
    .await;
    assert_eq!(
        b.value("input[name=title_en]").await,
        "Payments: payments fail since 12:30"
    );
    assert_eq!(b.value("input[name=components]").await, "payments");
    // Saved as a draft: on the Now page, not in the feed.
    b.click("form.compose button[value=draft]").await;
    let now = wait_text(&b, "Черновики").await;
    assert!(now.contains("Платежи: оплата не проходит с 12:30"), "{now}");
    assert!(now.contains("время не назначено"), "{now}");
    assert!(
        feed_json(&server).await["notices"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    b.screenshot(&shots_dir().join("console-now-drafts-ru.png"))
        .await;
    b.click("ul.drafts a").await;
    wait_text(&b, "Черновик").await;
    b.screenshot(&shots_dir().join("console-draft-ru.png"))
        .await;
    b.click("form.compose button[value=publish]").await;
    wait_text(&b, "Сотрудники видят: Сбой").await;
    let feed = feed_json(&server).await;
    assert_eq!(
        feed["notices"][0]["title"]["ru"],
        "Платежи: оплата не проходит с 12:30"
    );
    assert!(feed["notices"][0]["next_update_at"].is_string());

    // A person added by the admin, and a token shown once.
    b.goto(&format!("{}/console/users", server.url)).await;
    wait_text(&b, "Добавить сотрудника").await;
    b.type_into("form.compose input[name=username]", "boris")
        .await;
    b.type_into(
        "form.compose input[name=password]",
        "another long passphrase",
    )
    .await;
    b.run("document.querySelector('form.compose select[name=role]').value = 'reader'")
        .await;
    b.click("form.compose button[value=add]").await;
    let page = wait_text(&b, "boris").await;
    assert!(
        page.contains("читатель") || page.contains("reader"),
        "{page}"
    );
    b.goto(&format!("{}/console/tokens", server.url)).await;
    wait_text(&b, "Новый токен").await;
    b.type_into("form.compose input[name=name]", "monitoring")
        .await;
    b.click("form.compose button[value=create]").await;
    let page = wait_text(&b, "показан только сейчас").await;
    let token = b
        .run("return document.querySelector('.secret code').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(token.starts_with("svt_"), "{token}");
    assert!(page.contains("monitoring"), "{page}");
    assert!(!b.url().await.contains("svt_"), "no secret in the URL");
    b.screenshot(&shots_dir().join("console-tokens-created-ru.png"))
        .await;
    // The token works for the API.
    let drafts = reqwest::Client::new()
        .get(format!("{}/api/v1/drafts", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("drafts");
    assert_eq!(drafts.status(), 200);

    // The audit log, filtered by person, says who did each of these.
    let page = shoot(
        &b,
        &server,
        "/console/audit?person=olga",
        "Журнал действий",
        "audit",
        "ru",
    )
    .await;
    // In words, not codes: template.save, draft.save, notice.create, user.create, token.create.
    for action in [
        "сохранил(а) шаблон",
        "сохранил(а) черновик",
        "опубликовал(а) сообщение",
        "добавил(а) человека",
        "создал(а) токен API",
    ] {
        assert!(page.contains(action), "{action} in {page}");
    }

    // Every page in both languages, looked at.
    for (lang, now, templates, components, audit, users, tokens) in [
        (
            "ru",
            "Сейчас",
            "Шаблоны",
            "Компоненты",
            "Журнал действий",
            "Добавить сотрудника",
            "Новый токен",
        ),
        (
            "en",
            "Now",
            "Templates",
            "Components",
            "Audit log",
            "Add a person",
            "New token",
        ),
    ] {
        if lang == "en" {
            b.click("a.lang").await;
            wait_text(&b, "Signed in as olga").await;
        }
        shoot(&b, &server, "/console/", now, "now-admin", lang).await;
        shoot(
            &b,
            &server,
            "/console/templates",
            templates,
            "templates",
            lang,
        )
        .await;
        let page = shoot(
            &b,
            &server,
            "/console/components",
            components,
            "components",
            lang,
        )
        .await;
        assert!(page.contains("payments"), "{page}");
        shoot(&b, &server, "/console/audit", audit, "audit-all", lang).await;
        shoot(&b, &server, "/console/users", users, "users", lang).await;
        shoot(&b, &server, "/console/tokens", tokens, "tokens", lang).await;
        let added = if lang == "ru" {
            "Добавить вебхук"
        } else {
            "Add a webhook"
        };
        shoot(&b, &server, "/console/channels", added, "channels", lang).await;
        let page = shoot(
            &b,
            &server,
            "/console/compose",
            if lang == "ru" {
                "Начать с шаблона"
            } else {
                "Start from a template"
            },
            "compose-template",
            lang,
        )
        .await;
        assert!(page.contains("payments-down"), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_sees_and_cannot_publish() {
    let server = Server::start();
    server.user_add("boris", "reader", PASSWORD);
    server.post(
        "red",
        "Отчёты не строятся",
        "Ждите",
        &["--next-update", "30m"],
    );
    let b = Browser::start("ru").await;
    sign_in(&b, &server, "boris", PASSWORD).await;
    let page = wait_text(&b, "Вы вошли как boris (читатель)").await;
    assert!(page.contains("Отчёты не строятся"), "{page}");
    assert!(
        !page.contains("Новое сообщение"),
        "no compose for a reader: {page}"
    );
    assert_eq!(
        b.run("return document.querySelectorAll('ul.notices a').length")
            .await,
        serde_json::json!(0)
    );
    b.goto(&format!("{}/console/compose", server.url)).await;
    wait_text(&b, "не публиковать").await;
    // A post with the session's own token and this origin is still refused by role.
    b.goto(&format!("{}/console/", server.url)).await;
    wait_text(&b, "Вы вошли как boris").await;
    let status = b
        .run_async(
            "const csrf = document.querySelector('form.logout input[name=csrf]').value;\n\
             const body = new URLSearchParams({csrf, severity: 'red', kind: 'outage', title_ru: 'x', title_en: 'x', action: 'publish'});\n\
             fetch('/console/compose', {method: 'POST', body}).then(r => done(r.status), e => done(String(e)));",
        )
        .await;
    assert_eq!(status, serde_json::json!(403));
    let feed = feed_json(&server).await;
    assert_eq!(
        feed["notices"].as_array().unwrap().len(),
        1,
        "nothing was published"
    );
    let page = shoot(
        &b,
        &server,
        "/console/users",
        "администраторов",
        "users-refused",
        "ru",
    )
    .await;
    assert!(!page.contains("Добавить сотрудника"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_page_refreshes_itself_for_a_new_notice_and_an_alert() {
    let server = Server::start();
    server.user_add("anna", "support", PASSWORD);
    let intake = server.token_of("intake");
    let b = Browser::start("ru").await;
    sign_in(&b, &server, "anna", PASSWORD).await;
    wait_text(&b, "Действующих сообщений нет.").await;
    // Someone else publishes: the open page shows it without a reload by hand.
    server.post(
        "red",
        "Отчёты не строятся",
        "Ждите",
        &["--next-update", "30m"],
    );
    wait_text(&b, "Отчёты не строятся").await;
    // The reloaded page has taken its own state in (one answer from the server).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Monitoring hands in an alert: a draft, on the page within seconds.
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/intake/generic", server.url))
        .bearer_auth(&intake)
        .json(
            &serde_json::json!({"key": "db", "status": "firing", "severity": "critical",
            "title": "База данных недоступна"}),
        )
        .send()
        .await
        .expect("intake");
    assert_eq!(resp.status(), 201);
    let page = wait_text(&b, "От мониторинга").await;
    assert!(page.contains("База данных недоступна"), "{page}");
    b.screenshot(&shots_dir().join("console-now-alert-ru.png"))
        .await;
}

/// Two people on one incident, each in their own browser: each sees the other has the notice
/// open; a title fix made from the page as it was before a colleague's update is refused with
/// what changed, keeps the fix typed, and never puts the old words back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_on_one_notice_never_undo_each_other() {
    let server = Server::start();
    server.user_add("anna", "support", PASSWORD);
    server.user_add("boris", "support", PASSWORD);
    let id = server.post(
        "red",
        "Платежи не проходят",
        "Оплата картой не работает. Вопросы: support@example.com",
        &[],
    );
    let page = format!("{}/console/notices/{id}", server.url);
    let anna = Browser::start("ru").await;
    sign_in(&anna, &server, "anna", PASSWORD).await;
    wait_text(&anna, "Вы вошли как anna").await;
    anna.goto(&page).await;
    wait_text(&anna, "Платежи не проходят").await;

    let boris = Browser::start("ru").await;
    sign_in(&boris, &server, "boris", PASSWORD).await;
    wait_text(&boris, "Вы вошли как boris").await;
    boris.goto(&page).await;
    let seen = wait_text(&boris, "открыто и у других").await;
    assert!(seen.contains("открыто и у других: anna"), "{seen}");

    // Anna starts fixing the title; Boris, meanwhile, posts what they found.
    anna.click("details.correct summary").await;
    anna.type_into(
        "form[action$='/correct'] input[name=title_ru]",
        " у части клиентов",
    )
    .await;
    let found = "Причина найдена: сбой на стороне банка. Вопросы: support@example.com";
    boris
        .type_into("form[action$='/update'] textarea[name=text_ru]", found)
        .await;
    boris
        .click("form[action$='/update'] button[type=submit]")
        .await;
    wait_text(&boris, "Обновление опубликовано").await;

    anna.click("form[action$='/correct'] button[type=submit]")
        .await;
    let refused = wait_text(&anna, "Пока вы писали, сообщение изменили").await;
    assert!(
        refused.contains("опубликовано обновление (boris)"),
        "names what changed and who: {refused}"
    );
    assert!(refused.contains("Ничего не сохранено"), "{refused}");
    anna.screenshot(&shots_dir().join("console-two-people-refused-ru.png"))
        .await;
    // Her fix is still typed; the body shows Boris's words, not the ones she opened with.
    assert_eq!(
        anna.value("form[action$='/correct'] input[name=title_ru]")
            .await,
        "Платежи не проходят у части клиентов"
    );
    assert_eq!(
        anna.value("form[action$='/correct'] textarea[name=body_ru]")
            .await,
        found
    );
    let feed = feed_json(&server).await;
    let n = &feed["notices"][0];
    let says = |v: &serde_json::Value| {
        v.get("ru")
            .or(Some(v))
            .and_then(|s| s.as_str())
            .map(str::to_owned)
    };
    assert_eq!(
        says(&n["body"]).as_deref(),
        Some(found),
        "nothing was undone: {n}"
    );
    assert_eq!(
        says(&n["title"]).as_deref(),
        Some("Платежи не проходят"),
        "{n}"
    );

    // Sent again from the page as it is now, the fix goes through and Boris's words stand.
    anna.click("form[action$='/correct'] button[type=submit]")
        .await;
    wait_text(&anna, "Текст исправлен").await;
    let feed = feed_json(&server).await;
    let n = &feed["notices"][0];
    assert_eq!(
        says(&n["title"]).as_deref(),
        Some("Платежи не проходят у части клиентов"),
        "{n}"
    );
    assert_eq!(says(&n["body"]).as_deref(), Some(found), "{n}");
}
