//! The notices API against a real server: roles, errors as JSON, limits, paging, audit.

mod common;

use common::*;
use serde_json::json;
use svetofor_feed::{Severity, State};
use svetofor_publisher::auth::Role;

#[tokio::test(flavor = "multi_thread")]
async fn posting_needs_a_support_token() {
    let h = start().await;
    let url = h.url("/api/v1/notices");
    let none = h.http.post(&url).json(&red_outage()).send().await.unwrap();
    assert!(none.headers().contains_key("www-authenticate"));
    assert_eq!(error_of(none).await.0, 401);
    let bad = h
        .post("svt_nope_nope", "/api/v1/notices", red_outage())
        .await;
    assert_eq!(error_of(bad).await.0, 401);
    // A well-formed token with the right id but a wrong secret.
    let real = h.token(Role::Support);
    let forged = format!("{}x", &real[..real.len() - 1]);
    assert_eq!(
        error_of(h.post(&forged, "/api/v1/notices", red_outage()).await)
            .await
            .0,
        401
    );
    let reader = h.token(Role::Reader);
    let (status, body) = error_of(h.post(&reader, "/api/v1/notices", red_outage()).await).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "forbidden");
    let ok = h.post(&real, "/api/v1/notices", red_outage()).await;
    assert_eq!(ok.status(), 201);
    assert!(common::header(&ok, "location").starts_with("/api/v1/notices/"));
    let admin = h.token(Role::Admin);
    assert_eq!(
        h.post(&admin, "/api/v1/notices", red_outage())
            .await
            .status(),
        201
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_a_clear_400_and_changes_nothing() {
    let h = start().await;
    let t = h.token(Role::Support);
    let seq_before = h.server.publisher.current().seq;
    let cases = [
        (
            json!({"severity": "red", "kind": "outage", "title": "x".repeat(201)}),
            "title",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "body": "b".repeat(4001)}),
            "body",
        ),
        (
            json!({"severity": "purple", "kind": "outage", "title": "t"}),
            "",
        ),
        (json!({"severity": "red", "kind": "outage"}), "title"),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "surprise": 1}),
            "",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "url": "javascript:alert(1)"}),
            "url",
        ),
        (
            json!({"severity": "yellow", "kind": "maintenance", "title": "t"}),
            "starts_at",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "state": "resolved"}),
            "state",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "components": ["a b"]}),
            "components",
        ),
        // Contradictions, each refused saying what to write instead.
        (
            json!({"severity": "green", "kind": "outage", "title": "t"}),
            "severity",
        ),
        (
            json!({"severity": "red", "kind": "info", "title": "t"}),
            "kind",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "line one\nline two"}),
            "title",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "a\tb"}),
            "title",
        ),
        (
            json!({"severity": "red", "kind": "outage", "title": "t", "components": ["Платежи"]}),
            "components",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = error_of(h.post(&t, "/api/v1/notices", body.clone()).await).await;
        assert_eq!(status, 400, "{body} -> {err}");
        if !field.is_empty() {
            assert_eq!(err["error"]["field"], field, "{err}");
        }
    }
    let (_, err) = error_of(
        h.post(
            &t,
            "/api/v1/notices",
            json!({"severity": "red", "kind": "outage", "title": "t", "components": ["Платежи"]}),
        )
        .await,
    )
    .await;
    assert!(
        err["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("write \"платежи\"")),
        "says what to write: {err}"
    );
    // Not JSON at all, the wrong content type, a body over the limit.
    let resp = h
        .http
        .post(h.url("/api/v1/notices"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await.0, 400);
    let resp = h
        .http
        .post(h.url("/api/v1/notices"))
        .bearer_auth(&t)
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await.0, 415);
    let huge =
        json!({"severity": "red", "kind": "outage", "title": "t", "body": "b".repeat(200_000)});
    assert_eq!(
        error_of(h.post(&t, "/api/v1/notices", huge).await).await.0,
        413
    );
    assert_eq!(
        h.server.publisher.current().seq,
        seq_before,
        "nothing reached the feed"
    );
    assert!(h.feed().await.snapshot.notices.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn update_resolve_withdraw_lifecycle() {
    let h = start().await;
    let t = h.token(Role::Support);
    let n = h.post_json(&t, "/api/v1/notices", red_outage()).await;
    let id = n["id"].as_str().unwrap().to_owned();
    assert_eq!(n["state"], "investigating");

    let next = (chrono::Utc::now() + chrono::TimeDelta::minutes(30)).to_rfc3339();
    let resp = h
        .post(&t, &format!("/api/v1/notices/{id}/updates"), json!({"text": "Found it", "state": "identified", "severity": "yellow", "next_update_at": next}))
        .await;
    assert_eq!(resp.status(), 200);
    let feed = h.feed().await.snapshot;
    let now = chrono::Utc::now();
    assert_eq!(feed.status(now), Severity::Yellow);
    let notice = &feed.notices[0];
    assert_eq!(notice.state, State::Identified);
    assert_eq!(notice.updates.len(), 2);
    assert!(notice.next_update_at.is_some());

    let (status, err) = error_of(
        h.post(&t, &format!("/api/v1/notices/{id}/updates"), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, 400, "{err}");
    let (status, _) = error_of(h.post(&t, "/api/v1/notices/nope/resolve", json!({})).await).await;
    assert_eq!(status, 404);

    assert_eq!(
        h.post(
            &t,
            &format!("/api/v1/notices/{id}/resolve"),
            json!({"text": "Fixed"})
        )
        .await
        .status(),
        200
    );
    let feed = h.feed().await.snapshot;
    assert_eq!(feed.status(chrono::Utc::now()), Severity::Green);
    assert_eq!(
        feed.past(chrono::Utc::now()).len(),
        1,
        "resolved stays in the feed as history"
    );
    let (status, err) = error_of(
        h.post(
            &t,
            &format!("/api/v1/notices/{id}/updates"),
            json!({"text": "again"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400, "a closed notice cannot be updated: {err}");

    let m = h.post_json(&t, "/api/v1/notices", red_outage()).await;
    let mid = m["id"].as_str().unwrap();
    assert_eq!(
        h.post(
            &t,
            &format!("/api/v1/notices/{mid}/withdraw"),
            json!({"text": "Posted by mistake: payments work"})
        )
        .await
        .status(),
        200
    );
    let feed = h.feed().await.snapshot;
    let w = feed.notices.iter().find(|n| n.id == mid).unwrap();
    assert_eq!(w.state, State::Withdrawn);
    assert_eq!(
        w.body.get("", ""),
        "Posted by mistake: payments work",
        "the reason reaches employees"
    );
    assert_eq!(feed.status(chrono::Utc::now()), Severity::Green);

    // News is published, not "investigating".
    let news = h
        .post_json(
            &t,
            "/api/v1/notices",
            json!({"severity": "green", "kind": "info", "title": "New reports page"}),
        )
        .await;
    assert_eq!(news["state"], "published");
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_pages_and_audit_records_every_write() {
    let h = start().await;
    let t = h.token(Role::Support);
    let mut ids = vec![];
    for i in 0..5 {
        let body = json!({"severity": "yellow", "kind": "degraded", "title": format!("n{i}")});
        let n = h.post_json(&t, "/api/v1/notices", body).await;
        ids.push(n["id"].as_str().unwrap().to_owned());
    }
    h.post(
        &t,
        &format!("/api/v1/notices/{}/resolve", ids[0]),
        json!({}),
    )
    .await;
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut url = h.url("/api/v1/notices?status=all&limit=2");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={}", urlencode(c)));
        }
        let page: serde_json::Value = h.http.get(url).send().await.unwrap().json().await.unwrap();
        for n in page["notices"].as_array().unwrap() {
            seen.push(n["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut expected = ids.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, every notice once");
    let current: serde_json::Value = h.get_json("/api/v1/notices?status=current", None).await;
    assert_eq!(current["notices"].as_array().unwrap().len(), 4);

    let admin = h.token(Role::Admin);
    let resp = h.get("/api/v1/audit", Some(&t), None).await;
    assert_eq!(resp.status(), 403, "audit is for admins");
    let audit: serde_json::Value = h.get_json("/api/v1/audit", Some(&admin)).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "notice.create").count(), 5);
    assert_eq!(
        actions.iter().filter(|a| **a == "notice.resolve").count(),
        1
    );
    let create = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "notice.create")
        .unwrap();
    assert!(
        create["actor"]
            .as_str()
            .unwrap()
            .starts_with("token:test-support"),
        "{create}"
    );
    assert!(
        create["target"].is_string() && create["detail"]["title"].is_string(),
        "{create}"
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_managed_by_admins_and_revocation_bites() {
    let h = start().await;
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    let resp = h
        .post(
            &support,
            "/api/v1/tokens",
            json!({"name": "x", "role": "admin"}),
        )
        .await;
    assert_eq!(
        error_of(resp).await.0,
        403,
        "support cannot mint admin tokens"
    );
    let created: serde_json::Value = h
        .post(
            &admin,
            "/api/v1/tokens",
            json!({"name": "bob", "role": "support"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let bob = created["token"].as_str().unwrap();
    assert_eq!(
        h.post(bob, "/api/v1/notices", red_outage()).await.status(),
        201
    );
    let list: serde_json::Value = h.get_json("/api/v1/tokens", Some(&admin)).await;
    let text = list.to_string();
    assert!(!text.contains(bob), "secrets are never listed");
    assert!(!text.contains("hash"));
    let id = created["id"].as_str().unwrap();
    let resp = h.delete(&admin, &format!("/api/v1/tokens/{id}")).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        error_of(h.post(bob, "/api/v1/notices", red_outage()).await)
            .await
            .0,
        401
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_are_rate_limited_per_address() {
    let h = start_with(|o| {
        o.limits.writes_per_minute = 6;
        o.limits.write_burst = 3;
    })
    .await;
    let t = h.token(Role::Support);
    for _ in 0..3 {
        assert_eq!(
            h.post(&t, "/api/v1/notices", red_outage()).await.status(),
            201
        );
    }
    let resp = h.post(&t, "/api/v1/notices", red_outage()).await;
    assert!(resp.headers().contains_key("retry-after"));
    let (status, body) = error_of(resp).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "rate_limited");
    // Reads are not limited.
    assert_eq!(h.get("/feed.json", None, None).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_are_json_404s() {
    let h = start().await;
    let resp = h.get("/nope", None, None).await;
    assert_eq!(error_of(resp).await.0, 404);
}

/// Two people, one notice: a change made from an older version is refused with what changed
/// meanwhile, and changes nothing; made from the version now, it goes through.
#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_from_an_older_version_is_refused_with_what_changed() {
    let h = start().await;
    let anna = h.token(Role::Support);
    let n = h.post_json(&anna, "/api/v1/notices", red_outage()).await;
    let id = n["id"].as_str().unwrap().to_owned();
    let read = h
        .get(&format!("/api/v1/notices/{id}"), Some(&anna), None)
        .await;
    assert_eq!(read.status(), 200);
    let etag = header(&read, "etag").trim_matches('"').to_owned();
    assert!(!etag.is_empty(), "GET gives the notice's version");

    // Someone else posts an update after it was read.
    let boris = h.token(Role::Support);
    let said = "Card payments fail at the bank's side; we are on the phone with them";
    let resp = h
        .post(
            &boris,
            &format!("/api/v1/notices/{id}/updates"),
            json!({"text": said}),
        )
        .await;
    assert_eq!(resp.status(), 200);

    // A correction made from what was read is refused, naming the update and who made it.
    let (status, err) = error_of(
        h.post(
            &anna,
            &format!("/api/v1/notices/{id}/correction"),
            json!({"title": "Card payments are failing", "body": "stale body", "version": etag}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"]["code"], "stale", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("notice.update"), "{message}");
    assert!(message.contains("token:"), "{message}");
    let feed = h.feed().await.snapshot;
    let now = feed.notices.iter().find(|x| x.id == id).unwrap();
    assert_eq!(now.body.get("", ""), said, "nothing was written");
    assert_ne!(now.title.get("", ""), "Card payments are failing");

    // Every kind of change is held to it.
    for (path, body) in [
        ("updates", json!({"text": "x", "version": etag})),
        ("resolve", json!({"text": "x", "version": etag})),
        ("withdraw", json!({"text": "x", "version": etag})),
    ] {
        let (status, err) = error_of(
            h.post(&anna, &format!("/api/v1/notices/{id}/{path}"), body)
                .await,
        )
        .await;
        assert_eq!(status, 409, "{path}: {err}");
    }
    // Not a version at all is a plain 400.
    let (status, err) = error_of(
        h.post(
            &anna,
            &format!("/api/v1/notices/{id}/updates"),
            json!({"text": "x", "version": "yesterday"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (400, Some("version"))
    );

    // Read again, the same correction goes through, and the next version differs.
    let read = h
        .get(&format!("/api/v1/notices/{id}"), Some(&anna), None)
        .await;
    let fresh = header(&read, "etag").trim_matches('"').to_owned();
    assert_ne!(fresh, etag);
    let resp = h
        .post(
            &anna,
            &format!("/api/v1/notices/{id}/correction"),
            json!({"title": "Card payments are failing", "version": fresh}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let feed = h.feed().await.snapshot;
    let now = feed.notices.iter().find(|x| x.id == id).unwrap();
    assert_eq!(now.title.get("", ""), "Card payments are failing");
    assert_eq!(now.body.get("", ""), said, "the update's words stand");
    // The audit line keeps the change, not the form's version.
    let audit = h.get_json("/api/v1/audit?limit=1", Some(&anna)).await;
    assert!(!audit.to_string().contains(&fresh), "{audit}");
}

/// A component id nobody named is refused (a typo would reach no one who follows the real
/// part), unless the request says to add it.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_component_is_refused_unless_asked_to_add_it() {
    let h = start().await;
    let t = h.token(Role::Support);
    let admin = h.token(Role::Admin);
    h.component(&admin, "payments", "Платежи", "Payments", None)
        .await;
    let typo = json!({"severity": "red", "kind": "outage", "title": "Payments down",
        "components": ["paymnts"]});
    let (status, err) = error_of(h.post(&t, "/api/v1/notices", typo.clone()).await).await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["field"], "components");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"paymnts\"") && message.contains("known are payments"),
        "{message}"
    );
    assert!(
        h.feed().await.snapshot.notices.is_empty(),
        "nothing published"
    );

    // The real id goes through; an update cannot move it to a typo either.
    let ok = json!({"severity": "red", "kind": "outage", "title": "Payments down",
        "components": ["payments"]});
    let n = h.post_json(&t, "/api/v1/notices", ok).await;
    let id = n["id"].as_str().unwrap();
    let (status, _) = error_of(
        h.post(
            &t,
            &format!("/api/v1/notices/{id}/updates"),
            json!({"components": ["payments", "reprots"]}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);

    // Asked for, a new id is added, named as it is written.
    let mut asked = typo;
    asked["components"] = json!(["reports"]);
    asked["new_components"] = json!(true);
    let resp = h.post(&t, "/api/v1/notices", asked).await;
    assert_eq!(resp.status(), 201);
    let feed = h.feed().await.snapshot;
    assert!(feed.components.iter().any(|c| c.id == "reports"));
}
