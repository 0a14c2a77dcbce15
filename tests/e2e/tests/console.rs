//! The support console in real Chromium against a real `svetoforctl serve`: sign in, see what
//! employees see, notice text shown as text, switch language, sign out for good.

use std::time::Duration;

use svetofor_e2e::browser::Browser;
use svetofor_e2e::server::Server;
use svetofor_e2e::shots_dir;

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
    wait_text(&b, "How bad is it?").await;
    b.screenshot(&shots.join("console-compose-en.png")).await;
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
    let shots = shots_dir();
    let b = Browser::start("ru").await;
    sign_in(&b, &server, "anna", PASSWORD).await;
    wait_text(&b, "Вы вошли как anna").await;

    // Compose a red outage in both languages; the checks hold it until the text says enough.
    b.click("a.button").await;
    wait_text(&b, "Насколько серьёзно?").await;
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
    let feed = feed_json(&server).await;
    let n = &feed["notices"][0];
    assert_eq!(n["state"], "resolved");
    assert_eq!(
        n["body"]["ru"],
        "Перезапустили платёжный шлюз, оплата работает"
    );
}
