//! Several publishers on one real PostgreSQL, sharing the signing key: a change made on one
//! reaches the others' subscribers, concurrent writes on two are all kept with the seq
//! strictly increasing, every replica serves the same bytes, and a lost `LISTEN`
//! connection still converges.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Harness, SseReader, red_outage, start_in};
use svetofor_server::auth::Role;
use svetofor_server::store::Database;
use svetofor_testpg::Postgres;

/// A replica on `url`, with its key in `key_dir` (shared by all of them).
async fn replica(url: &str, key_dir: &std::path::Path) -> Harness {
    start_in(tempfile::tempdir().unwrap(), |opts| {
        opts.db = Database::parse(url).unwrap();
        opts.key = key_dir.join("svetofor.key");
        opts.limits.writes_per_minute = 100_000;
        opts.limits.write_burst = 100_000;
        // Correctness under a burst, not speed (a debug build; bench write_latency
        // measures): 400 writes queue behind one another.
        opts.limits.request_timeout = Duration::from_secs(120);
    })
    .await
}

/// Waits until every replica serves the document of the same, highest seq.
async fn converged(replicas: &[&Harness], within: Duration) -> u64 {
    let start = Instant::now();
    loop {
        let seqs: Vec<u64> = replicas
            .iter()
            .map(|r| r.server.publisher.current().seq)
            .collect();
        if seqs.windows(2).all(|w| w[0] == w[1]) {
            return seqs[0];
        }
        assert!(start.elapsed() < within, "replicas differ: {seqs:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn seq_of(e: &common::SseEvent) -> u64 {
    e.id.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_on_one_replica_is_pushed_by_the_others_with_the_same_bytes() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let keys = tempfile::tempdir().unwrap();
    let a = replica(&url, keys.path()).await;
    let b = replica(&url, keys.path()).await;
    let c = replica(&url, keys.path()).await;
    converged(&[&a, &b, &c], Duration::from_secs(10)).await;
    let mut on_b = SseReader::open(&b, None).await;
    let first = on_b.next(Duration::from_secs(2)).await.unwrap();
    let t = a.token(Role::Support);

    let posted = Instant::now();
    let resp = a.post(&t, "/api/v1/notices", red_outage()).await;
    assert_eq!(resp.status(), 201);
    let id = resp.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pushed = loop {
        let e = on_b
            .next(Duration::from_secs(2))
            .await
            .expect("replica B pushes A's change");
        if e.data.contains(&id) {
            break e;
        }
    };
    let took = posted.elapsed();
    eprintln!("pushed by another replica {took:?} after the post was sent");
    assert!(took < Duration::from_secs(1), "within a second: {took:?}");
    assert!(seq_of(&pushed) > seq_of(&first));

    // Every replica serves the same bytes: an ETag from one is a 304 from another.
    let seq = converged(&[&a, &b, &c], Duration::from_secs(5)).await;
    assert_eq!(seq, seq_of(&pushed));
    let from_a = a.get("/feed.json", None, None).await;
    let etag = from_a.headers()["etag"].to_str().unwrap().to_owned();
    let bytes_a = from_a.bytes().await.unwrap();
    for other in [&b, &c] {
        assert_eq!(other.body("/feed.json").await, bytes_a.to_vec());
        let again = other.get("/feed.json", None, Some(&etag)).await;
        assert_eq!(again.status(), 304);
    }
    // A change made on C (a resolve of A's notice, with the token A stored) reaches A.
    let resolve = c
        .post(
            &t,
            &format!("/api/v1/notices/{id}/resolve"),
            serde_json::json!({"text": "Исправлено"}),
        )
        .await;
    assert_eq!(resolve.status(), 200);
    converged(&[&a, &b, &c], Duration::from_secs(2)).await;
    let feed = a.feed().await;
    assert_eq!(
        feed.snapshot.status(Utc::now()),
        svetofor_feed::Severity::Green
    );
    for r in [a, b, c] {
        r.server.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_on_two_replicas_are_all_kept_with_the_seq_increasing() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let keys = tempfile::tempdir().unwrap();
    let a = replica(&url, keys.path()).await;
    let b = replica(&url, keys.path()).await;
    let t = a.token(Role::Support);
    let mut seen = SseReader::open(&a, None).await;
    let start_seq = seq_of(&seen.next(Duration::from_secs(2)).await.unwrap());
    // Read as the writes go (a subscriber that stops reading is cut off after 30 s).
    let watcher = tokio::spawn(async move {
        let mut seqs = vec![];
        while let Some(e) = seen.next(Duration::from_secs(5)).await {
            seqs.push(seq_of(&e));
        }
        seqs
    });

    const EACH: usize = 200;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..EACH * 2 {
        let (base, http, t) = {
            let r = if i % 2 == 0 { &a } else { &b };
            (r.base.clone(), r.http.clone(), t.clone())
        };
        tasks.spawn(async move {
            let mut body = red_outage();
            body["title"] = serde_json::json!(format!("Сбой номер {i}"));
            let resp = http
                .post(format!("{base}/api/v1/notices"))
                .bearer_auth(&t)
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        });
    }
    let mut acknowledged = 0;
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.unwrap();
        assert_eq!(status, 201, "{body}");
        acknowledged += 1;
    }
    assert_eq!(acknowledged, EACH * 2);
    let seq = converged(&[&a, &b], Duration::from_secs(10)).await;
    let feed = b.feed().await;
    assert_eq!(
        feed.snapshot.notices.len(),
        EACH * 2,
        "every acknowledged write is in the feed"
    );
    assert_eq!(feed.snapshot.seq, Some(seq));
    assert_eq!(
        pg.sql("svetofor", "SELECT value FROM meta WHERE key = 'seq'"),
        seq.to_string()
    );
    assert_eq!(
        pg.sql(
            "svetofor",
            "SELECT count(*) FROM audit WHERE action = 'notice.create'"
        ),
        (EACH * 2).to_string()
    );
    // What one replica's subscriber saw only ever went up.
    let mut last = start_seq;
    for s in watcher.await.unwrap() {
        assert!(s > last, "seq went from {last} to {s}");
        last = s;
    }
    assert_eq!(last, seq, "the subscriber ends on the last document");
    a.server.shutdown().await.unwrap();
    b.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_listening_connection_is_killed_still_converges() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let keys = tempfile::tempdir().unwrap();
    let a = replica(&url, keys.path()).await;
    let b = replica(&url, keys.path()).await;
    converged(&[&a, &b], Duration::from_secs(10)).await;
    // Wait for both LISTEN connections, then end them from the server side.
    let start = Instant::now();
    loop {
        let n = pg.sql(
            "svetofor",
            "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'",
        );
        if n == "2" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "listeners: {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let killed = pg.sql(
        "svetofor",
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%'",
    );
    assert_eq!(killed, "2");
    let t = a.token(Role::Support);
    assert_eq!(
        a.post(&t, "/api/v1/notices", red_outage()).await.status(),
        201
    );
    let seq = converged(&[&a, &b], Duration::from_secs(8)).await;
    assert_eq!(b.feed().await.snapshot.notices.len(), 1);
    assert_eq!(b.feed().await.snapshot.seq, Some(seq));
    a.server.shutdown().await.unwrap();
    b.server.shutdown().await.unwrap();
}
