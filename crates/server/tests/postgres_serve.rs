//! A publisher on a real PostgreSQL: what it stores survives a restart, and with the
//! database gone it keeps serving the last feed while writes answer 503 in seconds.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Harness, red_outage, start_in};
use svetofor_feed::Severity;
use svetofor_publisher::auth::Role;
use svetofor_store::Database;
use svetofor_testkit::pg::Postgres;

async fn start_on(url: &str, dir: tempfile::TempDir) -> Harness {
    start_in(dir, |o| o.db = Database::parse(url).unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publisher_on_postgres_keeps_everything_across_a_restart() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let h = start_on(&url, tempfile::tempdir().unwrap()).await;
    let t = h.token(Role::Support);
    let resp = h.post(&t, "/api/v1/notices", red_outage()).await;
    assert_eq!(resp.status(), 201);
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = h.feed().await;
    assert_eq!(a.snapshot.status(Utc::now()), Severity::Red);
    let seq = h.server.publisher.current().seq;
    let Harness {
        server, dir, key, ..
    } = h;
    server.shutdown().await.unwrap();

    // The same database, the same key: the notice, the token and the seq are all there.
    let again = start_on(&url, dir).await;
    let p = again.server.publisher.current();
    assert!(p.seq > seq, "seq keeps growing across restarts");
    let a =
        svetofor_feed::accept(&p.bytes, Some(&p.signature), &[key], Utc::now(), Some(seq)).unwrap();
    assert_eq!(a.snapshot.status(Utc::now()), Severity::Red);
    let resolve = again
        .post(
            &t,
            &format!("/api/v1/notices/{id}/resolve"),
            serde_json::json!({"text": "Fixed"}),
        )
        .await;
    assert_eq!(
        resolve.status(),
        200,
        "the token stored in PostgreSQL still works"
    );
    assert_eq!(
        again.feed().await.snapshot.status(Utc::now()),
        Severity::Green
    );
    assert_eq!(
        pg.sql(
            "svetofor",
            "SELECT count(*) FROM audit WHERE action LIKE 'notice.%'"
        ),
        "2"
    );
    again.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgres_down_the_feed_is_served_and_writes_answer_503_in_time() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let h = start_on(&url, tempfile::tempdir().unwrap()).await;
    let t = h.token(Role::Support);
    assert_eq!(
        h.post(&t, "/api/v1/notices", red_outage()).await.status(),
        201
    );
    let before = h.server.publisher.current().seq;

    pg.down();
    let a = h.feed().await;
    assert_eq!(
        a.snapshot.status(Utc::now()),
        Severity::Red,
        "the last feed is still served"
    );
    let started = Instant::now();
    let resp = h.post(&t, "/api/v1/notices", red_outage()).await;
    let took = started.elapsed();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    assert!(took < Duration::from_secs(8), "answered in {took:?}");
    assert_eq!(
        h.server.publisher.current().seq,
        before,
        "nothing published"
    );

    pg.up();
    let started = Instant::now();
    loop {
        let resp = h.post(&t, "/api/v1/notices", red_outage()).await;
        if resp.status() == 201 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "writes never came back: {}",
            resp.text().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = h.server.publisher.current().seq;
    assert!(
        after > before,
        "seq never goes backwards: {before} → {after}"
    );
    assert_eq!(h.feed().await.snapshot.notices.len(), 2);
    h.server.shutdown().await.unwrap();
}
