//! Drafts, scheduled publishing, templates, corrections and the audit filters, over the API
//! of a real server on loopback with a real SQLite file.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use serde_json::{Value, json};
use svetofor_publisher::auth::Role;

async fn put(h: &Harness, token: &str, path: &str, body: Value) -> reqwest::Response {
    h.http
        .put(h.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn titles(feed: &svetofor_feed::Accepted) -> Vec<String> {
    feed.snapshot
        .notices
        .iter()
        .map(|n| n.title.get("ru", "").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_draft_stays_out_of_the_feed_until_published_then_leaves_the_drafts() {
    let h = start().await;
    let support = h.token(Role::Support);
    let reader = h.token(Role::Reader);
    let seq = h.server.publisher.current().seq;
    let resp = h
        .post(
            &support,
            "/api/v1/drafts",
            json!({"notice": {"severity": "red", "kind": "outage", "title": {"ru": "Черновик сбоя"}}}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    assert!(header(&resp, "location").starts_with("/api/v1/drafts/d-"));
    let draft: Value = resp.json().await.unwrap();
    let id = draft["id"].as_str().unwrap().to_owned();
    assert!(
        draft["created_by"]
            .as_str()
            .unwrap()
            .starts_with("token:test-support ("),
        "{draft}"
    );
    assert_eq!(
        h.server.publisher.current().seq,
        seq,
        "saving a draft signs nothing"
    );
    assert!(titles(&h.feed().await).is_empty(), "not in the feed");

    // Drafts are not public: without a token, 401; a reader may look.
    assert_eq!(h.get("/api/v1/drafts", None, None).await.status(), 401);
    let list = h.get_json("/api/v1/drafts", Some(&reader)).await;
    assert_eq!(list["drafts"][0]["id"], id.as_str());
    // A reader cannot publish it.
    let refused = h
        .post(&reader, &format!("/api/v1/drafts/{id}/publish"), json!({}))
        .await;
    assert_eq!(refused.status(), 403);

    let published = h
        .post(&support, &format!("/api/v1/drafts/{id}/publish"), json!({}))
        .await;
    assert_eq!(published.status(), 201);
    let notice: Value = published.json().await.unwrap();
    assert_ne!(notice["id"], id.as_str(), "the notice has a notice id");
    assert_eq!(titles(&h.feed().await), ["Черновик сбоя"]);
    let list = h.get_json("/api/v1/drafts", Some(&reader)).await;
    assert_eq!(list["drafts"], json!([]), "the draft is gone: {list}");
    let again = h
        .post(&support, &format!("/api/v1/drafts/{id}/publish"), json!({}))
        .await;
    assert_eq!(again.status(), 404, "published once only");

    // The audit line says it came from the draft.
    let admin = h.token(Role::Admin);
    let audit = h
        .get_json(
            &format!("/api/v1/audit?target={}", notice["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(audit["entries"][0]["action"], "notice.create");
    assert_eq!(audit["entries"][0]["detail"]["draft"], id.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_draft_is_published_by_the_clock() {
    let h = start().await;
    let support = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    let at = Utc::now() + chrono::TimeDelta::seconds(2);
    let resp = h
        .post(
            &support,
            "/api/v1/drafts",
            json!({"notice": {"severity": "yellow", "kind": "degraded", "title": "Отчёты медленные"},
                   "publish_at": at}),
        )
        .await;
    assert_eq!(resp.status(), 201);
    assert!(titles(&h.feed().await).is_empty());
    let published = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if h.try_feed().await.is_ok_and(|f| !titles(&f).is_empty()) {
                return Utc::now();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("published within 10 s");
    assert!(published >= at, "not before its time");
    let audit = h.get_json("/api/v1/audit?limit=1", Some(&admin)).await;
    let line = &audit["entries"][0];
    assert_eq!(line["action"], "notice.create");
    assert!(
        line["actor"]
            .as_str()
            .unwrap()
            .starts_with("system (scheduled by token:test-support ("),
        "{line}"
    );
    let drafts = h.get_json("/api/v1/drafts", Some(&support)).await;
    assert_eq!(drafts["drafts"], json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn drafts_are_checked_as_the_notices_they_will_be() {
    let h = start().await;
    let support = h.token(Role::Support);
    let cases = [
        (
            json!({"notice": {"severity": "green", "kind": "outage", "title": "x"}}),
            "severity",
        ),
        (
            json!({"notice": {"severity": "red", "kind": "outage"}}),
            "title",
        ),
        (
            json!({"notice": {"severity": "red", "kind": "outage", "title": "x"},
                   "publish_at": Utc::now() - chrono::TimeDelta::minutes(1)}),
            "publish_at",
        ),
        // The promise is before the time it is published at.
        (
            json!({"notice": {"severity": "red", "kind": "outage", "title": "x",
                              "next_update_at": Utc::now() + chrono::TimeDelta::minutes(5)},
                   "publish_at": Utc::now() + chrono::TimeDelta::hours(1)}),
            "next_update_at",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = error_of(h.post(&support, "/api/v1/drafts", body.clone()).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["error"]["field"], field, "{body}: {err}");
    }
    let list = h.get_json("/api/v1/drafts", Some(&support)).await;
    assert_eq!(list["drafts"], json!([]), "nothing was saved");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correction_fixes_the_wording_without_a_new_step() {
    let h = start().await;
    let support = h.token(Role::Support);
    let n = h
        .post_json(
            &support,
            "/api/v1/notices",
            json!({"severity": "red", "kind": "outage", "title": {"ru": "Платжи не работают"},
                   "body": {"ru": "Оплата картой недоступан."}}),
        )
        .await;
    let id = n["id"].as_str().unwrap();
    let fixed = h
        .post(
            &support,
            &format!("/api/v1/notices/{id}/correction"),
            json!({"title": {"ru": "Платежи не работают"}, "body": {"ru": "Оплата картой недоступна."}}),
        )
        .await;
    assert_eq!(fixed.status(), 200);
    let feed = h.feed().await;
    let notice = &feed.snapshot.notices[0];
    assert_eq!(notice.title.get("ru", ""), "Платежи не работают");
    assert_eq!(notice.body.get("ru", ""), "Оплата картой недоступна.");
    assert_eq!(notice.updates.len(), 1, "no new step");
    assert_eq!(
        notice.updates[0].text.get("ru", ""),
        "Оплата картой недоступна."
    );
    let empty = h
        .post(
            &support,
            &format!("/api/v1/notices/{id}/correction"),
            json!({}),
        )
        .await;
    assert_eq!(error_of(empty).await.0, 400);
    let admin = h.token(Role::Admin);
    let audit = h
        .get_json(&format!("/api/v1/audit?target={id}&limit=10"), Some(&admin))
        .await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["notice.correct", "notice.create"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_keep_templates_support_reads_them() {
    let h = start().await;
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    let template = json!({
        "name": "payments-down", "severity": "red", "kind": "outage",
        "title": {"ru": "{component}: сбой с {time}", "en": "{component}: outage since {time}"},
        "body": {"ru": "Вопросы: support@example.com"},
        "components": ["payments"], "next_update_minutes": 30
    });
    let refused = put(
        &h,
        &support,
        "/api/v1/templates/payments-down",
        template.clone(),
    )
    .await;
    assert_eq!(refused.status(), 403);
    let ok = put(
        &h,
        &admin,
        "/api/v1/templates/payments-down",
        template.clone(),
    )
    .await;
    assert_eq!(ok.status(), 200);
    let list = h.get_json("/api/v1/templates", Some(&support)).await;
    assert_eq!(list["templates"][0]["name"], "payments-down");
    assert_eq!(list["templates"][0]["next_update_minutes"], 30);
    let mut bad = template.clone();
    bad["name"] = json!("Payments Down");
    let (status, err) =
        error_of(put(&h, &admin, "/api/v1/templates/Payments%20Down", bad).await).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["field"], "name");
    let mut red_news = template.clone();
    red_news["kind"] = json!("info");
    let (_, err) =
        error_of(put(&h, &admin, "/api/v1/templates/payments-down", red_news).await).await;
    assert_eq!(err["error"]["field"], "kind", "{err}");
    assert_eq!(
        h.delete(&admin, "/api/v1/templates/payments-down")
            .await
            .status(),
        204
    );
    assert_eq!(
        h.delete(&admin, "/api/v1/templates/payments-down")
            .await
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_filters_by_person_target_and_time() {
    let h = start().await;
    let support = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    let a = h.post_json(&support, "/api/v1/notices", red_outage()).await;
    let b = h.post_json(&admin, "/api/v1/notices", red_outage()).await;
    let all = h.get_json("/api/v1/audit?limit=100", Some(&admin)).await;
    let support_actor = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"] == a["id"])
        .unwrap()["actor"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine = query(&h, &admin, &[("actor", &support_actor)]).await;
    let targets: Vec<&Value> = mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["target"])
        .collect();
    assert_eq!(targets, [&a["id"]], "{mine}");
    let on_b = h
        .get_json(
            &format!("/api/v1/audit?target={}", b["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(on_b["entries"].as_array().unwrap().len(), 1);
    let future = (Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let later = query(&h, &admin, &[("since", &future)]).await;
    assert_eq!(later["entries"], json!([]));
    let until = query(&h, &admin, &[("until", &future), ("limit", "100")]).await;
    assert_eq!(
        until["entries"].as_array().unwrap().len(),
        all["entries"].as_array().unwrap().len()
    );
}

async fn query(h: &Harness, token: &str, params: &[(&str, &str)]) -> Value {
    let resp = h
        .http
        .get(h.url("/api/v1/audit"))
        .bearer_auth(token)
        .query(params)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}
