//! Alerts in, as drafts, over the API of a real server: an intake token, Alertmanager's
//! payload sent twice, resolved, routing rules, and the other sources.

mod common;

use common::*;
use serde_json::{Value, json};
use svetofor_publisher::auth::Role;

fn alertmanager(status: &str) -> Value {
    json!({
        "version": "4", "groupKey": "{}:{alertname=\"PaymentsDown\"}", "status": status,
        "receiver": "svetofor",
        "commonLabels": {"alertname": "PaymentsDown", "service": "payments", "severity": "critical"},
        "commonAnnotations": {"summary": "Payments API is down", "description": "5xx from /pay"},
        "alerts": [{"status": status, "labels": {"alertname": "PaymentsDown", "severity": "critical"},
                    "annotations": {}, "fingerprint": "c0ffee"}]
    })
}

async fn drafts(h: &Harness, token: &str) -> Vec<Value> {
    h.get_json("/api/v1/drafts", Some(token)).await["drafts"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_sent_twice_makes_one_draft_out_of_the_feed_and_its_end_discards_it() {
    let h = start().await;
    let intake = h.token(Role::Intake);
    let support = h.token(Role::Support);
    let seq = h.server.publisher.current().seq;
    let first = h
        .post(
            &intake,
            "/api/v1/intake/alertmanager",
            alertmanager("firing"),
        )
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["action"], "created");
    assert_eq!(first["routed"], false, "no rule: unrouted");
    let again = h
        .post_json(
            &intake,
            "/api/v1/intake/alertmanager",
            alertmanager("firing"),
        )
        .await;
    assert_eq!(again["action"], "updated");
    assert_eq!(again["draft"], first["draft"]);
    let list = drafts(&h, &support).await;
    assert_eq!(list.len(), 1, "one draft: {list:?}");
    assert_eq!(list[0]["notice"]["severity"], "red");
    assert_eq!(list[0]["notice"]["title"], "Payments API is down");
    assert_eq!(
        h.server.publisher.current().seq,
        seq,
        "nothing reached the feed"
    );
    assert!(h.feed().await.snapshot.notices.is_empty());
    // The intake token does nothing else.
    assert_eq!(
        h.get("/api/v1/drafts", Some(&intake), None).await.status(),
        403
    );
    let posted = h.post(&intake, "/api/v1/notices", red_outage()).await;
    assert_eq!(posted.status(), 403);
    let reader = h.token(Role::Reader);
    let refused = h
        .post(
            &reader,
            "/api/v1/intake/alertmanager",
            alertmanager("firing"),
        )
        .await;
    assert_eq!(
        refused.status(),
        403,
        "a desktop's reader token cannot make drafts"
    );

    let resolved = h
        .post_json(
            &intake,
            "/api/v1/intake/alertmanager",
            alertmanager("resolved"),
        )
        .await;
    assert_eq!(resolved["action"], "discarded");
    assert!(drafts(&h, &support).await.is_empty());
    let bad = h
        .post(
            &intake,
            "/api/v1/intake/alertmanager",
            json!({"status": "firing"}),
        )
        .await;
    let (status, err) = error_of(bad).await;
    assert_eq!(status, 400);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"alerts\" is missing"),
        "{err}"
    );
    let unknown = h.post(&intake, "/api/v1/intake/nagios", json!({})).await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn routing_rules_give_the_component_and_template_and_may_publish() {
    let h = start().await;
    let admin = h.token(Role::Admin);
    let intake = h.token(Role::Intake);
    let support = h.token(Role::Support);
    h.http
        .put(h.url("/api/v1/templates/payments-down"))
        .bearer_auth(&admin)
        .json(
            &json!({"name": "payments-down", "severity": "red", "kind": "outage",
            "title": {"ru": "{component}: оплата не проходит", "en": "{component}: payments fail"},
            "body": {"ru": "Вопросы: support@example.com"}, "next_update_minutes": 30}),
        )
        .send()
        .await
        .unwrap();
    h.component(&admin, "payments", "Платежи", "Payments", None)
        .await;
    let rules = json!({"rules": [
        {"source": "uptime-kuma", "component": "site", "publish": true}
    ]});
    let put = set_rules(&h, &admin, &rules).await;
    assert_eq!(
        put.status(),
        400,
        "a rule cannot name a component nobody named: its alerts would be refused"
    );
    h.component(&admin, "site", "Сайт", "Site", None).await;
    let rules = json!({"rules": [
        {"source": "alertmanager", "labels": {"service": "payments"}, "component": "payments",
         "template": "payments-down"},
        {"source": "uptime-kuma", "component": "site", "publish": true}
    ]});
    let put = set_rules(&h, &support, &rules).await;
    assert_eq!(put.status(), 403, "admins set the rules");
    let put = set_rules(&h, &admin, &rules).await;
    assert_eq!(put.status(), 200);

    let made = h
        .post_json(
            &intake,
            "/api/v1/intake/alertmanager",
            alertmanager("firing"),
        )
        .await;
    assert_eq!(made["routed"], true);
    let d = &drafts(&h, &support).await[0];
    assert_eq!(d["notice"]["title"]["ru"], "Платежи: оплата не проходит");
    assert_eq!(d["notice"]["components"], json!(["payments"]));
    assert!(d["notice"]["next_update_at"].is_string());
    assert!(
        h.feed().await.snapshot.notices.is_empty(),
        "a person publishes it"
    );

    // A rule that says publish: in the feed at once; its end proposes a resolve.
    let down =
        json!({"monitor": {"id": 7, "name": "Site"}, "heartbeat": {"status": 0, "msg": "timeout"}});
    let made = h
        .post_json(&intake, "/api/v1/intake/uptime-kuma", down)
        .await;
    let notice = made["notice"].as_str().expect("published").to_owned();
    let feed = h.feed().await;
    assert!(
        feed.snapshot
            .notices
            .iter()
            .any(|n| n.id == notice && n.components == ["site"])
    );
    let up = json!({"monitor": {"id": 7, "name": "Site"}, "heartbeat": {"status": 1}});
    let resolved = h.post_json(&intake, "/api/v1/intake/uptime-kuma", up).await;
    assert_eq!(resolved["action"], "resolve proposed");
    assert!(
        h.feed()
            .await
            .snapshot
            .notices
            .iter()
            .any(|n| n.id == notice && !n.state.is_final()),
        "monitoring does not resolve a published notice by itself"
    );
    let links = h.server.publisher.store().alert_links(10).unwrap();
    assert!(
        links
            .iter()
            .any(|l| l.notice_id.as_deref() == Some(notice.as_str()) && !l.firing)
    );

    // Publishing the routed draft by hand: the alert now answers for the notice.
    let draft = d["id"].as_str().unwrap();
    let published = h
        .post_json(
            &support,
            &format!("/api/v1/drafts/{draft}/publish"),
            json!({}),
        )
        .await;
    let again = h
        .post_json(
            &intake,
            "/api/v1/intake/alertmanager",
            alertmanager("firing"),
        )
        .await;
    assert_eq!(again["action"], "published already");
    assert_eq!(again["notice"], published["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn zabbix_and_generic_payloads_make_drafts_too() {
    let h = start().await;
    let intake = h.token(Role::Intake);
    let z = h
        .post_json(
            &intake,
            "/api/v1/intake/zabbix",
            json!({"event_id": "901",
        "status": "PROBLEM", "severity": "Average", "subject": "Disk 95% on db1", "host": "db1"}),
        )
        .await;
    assert_eq!(z["action"], "created");
    let g = h
        .post_json(
            &intake,
            "/api/v1/intake/generic",
            json!({"key": "k1",
        "status": "firing", "severity": "critical", "title": "Login\\nfails"}),
        )
        .await;
    assert_eq!(g["action"], "created");
    let support = h.token(Role::Support);
    let list = drafts(&h, &support).await;
    let severities: Vec<&str> = list
        .iter()
        .map(|d| d["notice"]["severity"].as_str().unwrap())
        .collect();
    assert!(
        severities.contains(&"yellow") && severities.contains(&"red"),
        "{list:?}"
    );
    let z = h
        .post_json(
            &intake,
            "/api/v1/intake/zabbix",
            json!({"event_id": "901", "status": "RESOLVED"}),
        )
        .await;
    assert_eq!(z["action"], "discarded");
}

/// `PUT /api/v1/intake/rules` with `token`.
async fn set_rules(h: &Harness, token: &str, rules: &serde_json::Value) -> reqwest::Response {
    h.http
        .put(h.url("/api/v1/intake/rules"))
        .bearer_auth(token)
        .json(rules)
        .send()
        .await
        .unwrap()
}
