//! What an attack on the publisher found, each case held now: seqs that never go back,
//! a database that refuses to start half-lost, tokens read as RFC 7235 says, and text that
//! cannot hide its direction.

mod common;

use std::time::Duration;

use common::*;
use svetofor_publisher::auth::Role;
use svetofor_store::{SqliteStore, Store, StoreError};

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_database_still_publishes_above_every_seq_clients_have_seen() {
    let dir = tempfile::tempdir().unwrap();
    let server = svetofor_server::Server::start(options(dir.path()))
        .await
        .unwrap();
    let before = server.publisher.current().seq;
    server.shutdown().await.unwrap();
    // The database is lost (a bad disk, a wrong restore); the signing key survives.
    for ext in ["db", "db-wal", "db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(format!("svetofor.{ext}")));
    }
    let again = svetofor_server::Server::start(options(dir.path()))
        .await
        .unwrap();
    let after = again.publisher.current().seq;
    assert!(
        after > before,
        "first seq {after} after the loss, {before} before it"
    );
    again.shutdown().await.unwrap();
}

/// A new database, with `sql` then run on it behind the store's back.
fn database_after(sql: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svetofor.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    (dir, path)
}

#[test]
fn a_seq_that_cannot_be_read_refuses_to_start() {
    let (_dir, path) = database_after("INSERT INTO meta (key, value) VALUES ('seq', 'garbage')");
    let store = SqliteStore::open(&path).unwrap();
    assert!(matches!(store.seq(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn a_dropped_audit_table_is_not_recreated_empty() {
    let (_dir, path) = database_after("DROP TABLE audit");
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "table audit"),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_database_from_before_accounts_gains_them_and_a_lost_accounts_table_is_refused() {
    use svetofor_store::AccountStore;
    // Version 1 had no accounts: they are added, and nothing else is touched.
    let (_dir, path) = database_after(
        "DROP TABLE sessions; DROP TABLE users; DELETE FROM meta WHERE key = 'schema'",
    );
    let store = SqliteStore::open(&path).expect("an older database opens");
    assert!(store.users().unwrap().is_empty());
    drop(store);
    // From version 2 on, a missing accounts table is a loss, not a fresh start.
    let (_dir, path) = database_after("DROP TABLE sessions");
    match SqliteStore::open(&path) {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "table sessions"),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn one_corrupt_notice_row_is_left_out_and_the_rest_served() {
    let (_dir, path) = database_after(
        "INSERT INTO notices (id, is_open, created_at, updated_at, data) VALUES ('bad', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '{not json')",
    );
    let store = SqliteStore::open(&path).unwrap();
    let since = chrono::Utc::now() - chrono::TimeDelta::days(3);
    assert!(store.feed_notices(since).unwrap().is_empty());
}

#[cfg(unix)]
#[test]
fn the_database_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("svetofor.db");
    drop(SqliteStore::open(&path).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bearer_scheme_is_case_insensitive() {
    let h = start().await;
    let t = h.token(Role::Support);
    let resp = h
        .http
        .post(h.url("/api/v1/notices"))
        .header("authorization", format!("bearer {t}"))
        .json(&red_outage())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_on_a_public_feed_is_ignored_and_on_a_private_one_refused() {
    let public = start().await;
    let resp = public.get("/feed.json", Some("svt_nope_nope"), None).await;
    assert_eq!(resp.status(), 200);
    let private = start_with(|o| o.private = true).await;
    let resp = private.get("/feed.json", Some("svt_nope_nope"), None).await;
    assert_eq!(resp.status(), 401);
    // Writes never take a bad token.
    let resp = public
        .post("svt_nope_nope", "/api/v1/notices", red_outage())
        .await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn text_with_direction_marks_is_refused_naming_the_character() {
    let h = start().await;
    let t = h.token(Role::Support);
    let mut body = red_outage();
    body["title"] = serde_json::json!("Payments \u{202E}nwod era");
    let (status, err) = error_of(h.post(&t, "/api/v1/notices", body).await).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["field"], "title");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("U+202E"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn notice_ids_carry_128_random_bits() {
    let h = start().await;
    let t = h.token(Role::Support);
    let n = h.post_json(&t, "/api/v1/notices", red_outage()).await;
    let id = n["id"].as_str().unwrap();
    let (day, random) = id.split_once('-').unwrap();
    assert_eq!(day.len(), 8);
    assert_eq!(random.len(), 32, "{id}");
    assert!(random.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_loses_its_event_stream() {
    let h = start_with(|o| o.private = true).await;
    let admin = h.token(Role::Admin);
    let created = h
        .post_json(
            &admin,
            "/api/v1/tokens",
            serde_json::json!({"name": "reader", "role": "reader"}),
        )
        .await;
    let reader = created["token"].as_str().unwrap();
    let mut sse = SseReader::open_as(&h, None, Some(reader)).await;
    sse.next(Duration::from_secs(1))
        .await
        .expect("snapshot on connect");
    let id = created["id"].as_str().unwrap();
    let resp = h.delete(&admin, &format!("/api/v1/tokens/{id}")).await;
    assert_eq!(resp.status(), 204);
    // The tokens table is read once a second: the stream ends within about that.
    assert!(
        sse.ends_within(Duration::from_millis(2500)).await,
        "the revoked reader still has its stream"
    );
    // An unrevoked reader keeps its stream.
    let other = h.token(Role::Reader);
    let mut kept = SseReader::open_as(&h, None, Some(&other)).await;
    kept.next(Duration::from_secs(1))
        .await
        .expect("snapshot on connect");
    assert!(!kept.ends_within(Duration::from_millis(1500)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_maintenance_step_that_fails_does_not_stop_re_signing() {
    // Documents live 4 s (re-signed at 2 s). A maintenance is about to start, and the feed
    // is so full that the update its start adds cannot fit: that step fails on every pass,
    // and re-signing must go on regardless.
    let h = start_with(|o| {
        o.feed.ttl = Duration::from_secs(4);
        o.limits.writes_per_minute = 100_000;
        o.limits.write_burst = 10_000;
    })
    .await;
    let t = h.token(Role::Support);
    let big = |i: usize| {
        let text: serde_json::Map<String, serde_json::Value> =
            ["ru", "en", "de", "fr", "es", "it", "uk", "kk"]
                .iter()
                .map(|l| {
                    (
                        l.to_string(),
                        serde_json::json!(format!("{i} {}", "x".repeat(3990))),
                    )
                })
                .collect();
        serde_json::Value::Object(text)
    };
    // Fill the feed with ever smaller notices, then add the maintenance, then fill what room
    // is left with one-character updates: then not even the empty update its start adds fits.
    let mut ids = vec![];
    let fill = |body: serde_json::Value| {
        let mut n = red_outage();
        n["body"] = body;
        n
    };
    for size in [0, 4000, 1000] {
        for i in 0..200 {
            let body = if size == 0 {
                big(i)
            } else {
                serde_json::json!("y".repeat(size))
            };
            let resp = h.post(&t, "/api/v1/notices", fill(body.clone())).await;
            if resp.status() == 422 {
                break;
            }
            assert_eq!(resp.status(), 201);
            let n: serde_json::Value = resp.json().await.unwrap();
            ids.push((n["id"].as_str().unwrap().to_owned(), body));
        }
    }
    assert!(
        ids.len() > 10,
        "the feed filled after {} notices",
        ids.len()
    );
    let starts = (chrono::Utc::now() + chrono::TimeDelta::seconds(5)).to_rfc3339();
    let m = h
        .post(
            &t,
            "/api/v1/notices",
            serde_json::json!({"severity": "yellow", "kind": "maintenance", "title": "DB",
                "starts_at": starts}),
        )
        .await;
    assert_eq!(m.status(), 201, "room for the maintenance");
    let m: serde_json::Value = m.json().await.unwrap();
    let mut k = 0;
    for len in [300, 100, 30, 10, 3, 1] {
        loop {
            // An update's text becomes the body unless a body is given: keep the body.
            let (id, body) = &ids[k % ids.len()];
            let path = format!("/api/v1/notices/{id}/updates");
            let update = serde_json::json!({"text": "u".repeat(len), "body": body});
            let resp = h.post(&t, &path, update).await;
            k += 1;
            if resp.status() == 422 {
                break;
            }
            assert_eq!(resp.status(), 200);
        }
    }
    let until = tokio::time::Instant::now() + Duration::from_secs(9);
    while tokio::time::Instant::now() < until {
        let p = h.server.publisher.current();
        assert!(
            p.expires_at > chrono::Utc::now(),
            "served an expired feed (expired {})",
            p.expires_at
        );
        let health = h.get("/healthz", None, None).await;
        assert_eq!(health.status(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let now: serde_json::Value = h
        .get_json(
            &format!("/api/v1/notices/{}", m["id"].as_str().unwrap()),
            None,
        )
        .await;
    eprintln!(
        "DEBUG state {} updates {}",
        now["state"],
        now["updates"].as_array().map(|a| a.len()).unwrap_or(0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_that_keeps_sending_bad_tokens_is_made_to_wait() {
    let h = start().await;
    for i in 0..5 {
        let resp = h
            .post(&format!("svt_bad_{i}"), "/api/v1/notices", red_outage())
            .await;
        assert_eq!(resp.status(), 401, "attempt {i}");
    }
    let resp = h.post("svt_bad_5", "/api/v1/notices", red_outage()).await;
    assert_eq!(resp.status(), 429, "then the address waits");
    let wait: u64 = header(&resp, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // The public feed is still served to it.
    assert_eq!(
        h.get("/feed.json", Some("svt_bad_7"), None).await.status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn components_no_notice_names_leave_the_feed() {
    let h = start_with(|o| {
        o.feed.history = Duration::ZERO;
        o.limits.writes_per_minute = 100_000;
        o.limits.write_burst = 10_000;
    })
    .await;
    let t = h.token(Role::Support);
    // Many one-off component ids, each on a notice that is then resolved (and, with no
    // history kept, leaves the feed).
    for i in 0..40 {
        let mut n = red_outage();
        n["components"] = (0..50).map(|j| format!("c{i}-{j}")).collect();
        let n = h.post_json(&t, "/api/v1/notices", n).await;
        let path = format!("/api/v1/notices/{}/resolve", n["id"].as_str().unwrap());
        assert_eq!(h.post(&t, &path, serde_json::json!({})).await.status(), 200);
    }
    let mut open = red_outage();
    open["components"] = serde_json::json!(["payments"]);
    h.post_json(&t, "/api/v1/notices", open).await;
    let feed = h.feed().await.snapshot;
    let ids: Vec<&str> = feed.components.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["payments"], "2000 one-off ids are not carried along");
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_name_and_remove_components() {
    let h = start_with(|o| o.feed.history = Duration::ZERO).await;
    let admin = h.token(Role::Admin);
    let support = h.token(Role::Support);
    let named = serde_json::json!({"name": {"ru": "Платежи", "en": "Payments"}, "group": "Money"});
    let put = |token: String, body: serde_json::Value| {
        let req = h.http.put(h.url("/api/v1/components/payments"));
        async move { req.bearer_auth(token).json(&body).send().await.unwrap() }
    };
    assert_eq!(put(support.clone(), named.clone()).await.status(), 403);
    assert_eq!(put(admin.clone(), named.clone()).await.status(), 200);
    let feed = h.feed().await.snapshot;
    let c = feed
        .components
        .iter()
        .find(|c| c.id == "payments")
        .expect("named: listed");
    assert_eq!(c.name.get("ru", "en"), "Платежи");
    assert_eq!(c.group.as_deref(), Some("Money"));
    // Named by an open notice: cannot go.
    let mut n = red_outage();
    n["components"] = serde_json::json!(["payments"]);
    let n = h.post_json(&support, "/api/v1/notices", n).await;
    let (status, err) = error_of(h.delete(&admin, "/api/v1/components/payments").await).await;
    assert_eq!(status, 400, "{err}");
    let path = format!("/api/v1/notices/{}/resolve", n["id"].as_str().unwrap());
    assert_eq!(
        h.post(&support, &path, serde_json::json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        h.delete(&admin, "/api/v1/components/payments")
            .await
            .status(),
        204
    );
    assert!(h.feed().await.snapshot.components.is_empty());
    assert_eq!(
        h.delete(&admin, "/api/v1/components/payments")
            .await
            .status(),
        404
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_comes_gzip_compressed_to_clients_that_accept_it_with_its_own_etag() {
    use std::io::Read;
    let h = start().await;
    let t = h.token(Role::Support);
    h.post_json(&t, "/api/v1/notices", red_outage()).await;
    let plain = h.get("/feed.json", None, None).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_etag = header(&plain, "etag").to_owned();
    let plain_bytes = plain.bytes().await.unwrap();
    let get_gz = |etag: Option<String>| {
        let mut req = h
            .http
            .get(h.url("/feed.json"))
            .header("accept-encoding", "br;q=1, gzip;q=0.8");
        if let Some(e) = etag {
            req = req.header("if-none-match", e);
        }
        async move { req.send().await.unwrap() }
    };
    let gz = get_gz(None).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert!(header(&gz, "vary").contains("Accept-Encoding"));
    let gz_etag = header(&gz, "etag").to_owned();
    assert_ne!(gz_etag, plain_etag, "another representation, another tag");
    let compressed = gz.bytes().await.unwrap();
    let mut decoded = vec![];
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain_bytes, "the signed bytes, compressed");
    // What a client that cached the gzip version gets when it asks again.
    assert_eq!(get_gz(Some(gz_etag)).await.status(), 304);
    assert_eq!(get_gz(Some(plain_etag.clone())).await.status(), 200);
    let refused = h
        .http
        .get(h.url("/feed.json"))
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
}

#[test]
fn a_new_notice_never_overwrites_one_with_its_id() {
    use svetofor_store::Change;
    let (_dir, path) = database_after("DELETE FROM notices");
    let store = SqliteStore::open(&path).unwrap();
    let now = chrono::Utc::now();
    let req = serde_json::from_value(red_outage()).unwrap();
    let notice = svetofor_publisher::notices::create("20261201-same".into(), req, now).unwrap();
    let change = |new| Change {
        notice: Some(&notice),
        notice_is_new: new,
        components: &[],
        set_component: None,
        remove_component: None,
        remove_draft: None,
        deliveries: &[],
        seq: 1,
        base_seq: None,
        document: None,
        audit: None,
    };
    store.commit(&change(true)).unwrap();
    assert!(
        store.commit(&change(true)).is_err(),
        "a second new notice with that id"
    );
    store.commit(&change(false)).unwrap();
}
