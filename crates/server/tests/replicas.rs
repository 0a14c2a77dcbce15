//! Several publishers on one real PostgreSQL, sharing the signing key: a change made on one
//! reaches the others' subscribers, concurrent writes on two are all kept with the seq
//! strictly increasing, every replica serves the same bytes, and a lost `LISTEN`
//! connection still converges.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Harness, SseReader, red_outage, start_in};
use svetofor_publisher::auth::Role;
use svetofor_store::Database;
use svetofor_testkit::pg::Postgres;

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

/// An edge replica on `url`: the public key of the replicas in `key_dir`, no signing key.
async fn edge(url: &str, key_dir: &std::path::Path) -> Harness {
    let public = key_dir.join("svetofor.pub");
    start_in(tempfile::tempdir().unwrap(), |opts| {
        opts.db = Database::parse(url).unwrap();
        opts.edge = Some(public);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edge_replica_serves_and_pushes_what_the_signers_stored_and_takes_no_changes() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let keys = tempfile::tempdir().unwrap();

    // A public key that is not one, and a database nothing was signed into yet: an edge
    // has nothing to serve and says why.
    let mut opts = common::options(keys.path());
    opts.db = Database::parse(&url).unwrap();
    let public = keys.path().join("svetofor.pub");
    opts.edge = Some(public.clone());
    std::fs::write(&public, "").unwrap();
    let refusal = |opts| async move {
        svetofor_server::serve::Server::start(opts)
            .await
            .err()
            .expect("refused")
            .to_string()
    };
    let err = refusal(opts.clone()).await;
    assert!(err.contains("svetofor.pub"), "{err}");
    let stranger = svetofor_feed::SigningKey::generate().unwrap();
    std::fs::write(&public, &stranger.public_file).unwrap();
    let err = refusal(opts.clone()).await;
    assert!(err.contains("no signed feed yet"), "{err}");
    std::fs::remove_file(&public).unwrap();

    let a = replica(&url, keys.path()).await;
    let e = edge(&url, keys.path()).await;
    assert_eq!(e.body("/feed.pub").await, a.body("/feed.pub").await);
    let from_a = a.get("/feed.json", None, None).await;
    let etag = from_a.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        e.body("/feed.json").await,
        from_a.bytes().await.unwrap().to_vec()
    );
    assert_eq!(e.get("/feed.json", None, Some(&etag)).await.status(), 304);

    // A post on the signer is pushed by the edge within a second.
    let mut on_e = SseReader::open(&e, None).await;
    let first = on_e.next(Duration::from_secs(2)).await.unwrap();
    let t = a.token(Role::Support);
    let posted = Instant::now();
    let resp = a.post(&t, "/api/v1/notices", red_outage()).await;
    assert_eq!(resp.status(), 201);
    let pushed = on_e
        .next(Duration::from_secs(2))
        .await
        .expect("the edge pushes the signer's change");
    assert!(
        posted.elapsed() < Duration::from_secs(1),
        "{:?}",
        posted.elapsed()
    );
    assert!(seq_of(&pushed) > seq_of(&first));
    assert_eq!(
        e.feed().await.snapshot.status(Utc::now()),
        svetofor_feed::Severity::Red
    );
    let page = String::from_utf8(e.body("/").await).unwrap();
    assert!(
        page.contains("Payments down") || page.contains("Платежи не работают"),
        "{page}"
    );

    // It takes no changes, even with a valid token, and says where to send them.
    let refused = e.post(&t, "/api/v1/notices", red_outage()).await;
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("edge replica"),
        "{body}"
    );
    assert_eq!(e.get("/console/", None, None).await.status(), 403);

    // A document in the database that the feed's key did not sign is never served.
    let served = e.server.publisher.current().seq;
    let other = svetofor_feed::SigningKey::generate().unwrap().key;
    let forged = e.server.publisher.current();
    let text = std::str::from_utf8(&forged.bytes).unwrap().replace(
        &format!("\"seq\": {served}"),
        &format!("\"seq\": {}", served + 1000),
    );
    assert!(
        text.contains(&format!("\"seq\": {}", served + 1000)),
        "{text}"
    );
    let signature = other.sign(text.as_bytes(), "forged").unwrap();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    pg.sql(
        "svetofor",
        &format!(
            "BEGIN; UPDATE feed_document SET seq = {n}, document = {}, signature = {}; \
             UPDATE meta SET value = '{n}' WHERE key = 'seq'; \
             SELECT pg_notify('svetofor_feed', '{n}'); COMMIT;",
            quote(&text),
            quote(&signature),
            n = served + 1000,
        ),
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        e.server.publisher.current().seq,
        served,
        "still the signed one"
    );
    assert_eq!(e.feed().await.snapshot.seq, Some(served));

    e.server.shutdown().await.unwrap();
    a.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_edge_replica_on_its_own_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = common::options(dir.path());
    opts.edge = Some(dir.path().join("svetofor.pub"));
    let err = svetofor_server::serve::Server::start(opts)
        .await
        .err()
        .expect("an edge on SQLite is refused");
    assert!(err.to_string().contains("--edge needs"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_re_sign_once_per_period_between_them() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("svetofor");
    let keys = tempfile::tempdir().unwrap();
    // A feed valid for 4 s is re-signed every 2 s.
    let short = |url: String, key: std::path::PathBuf| {
        start_in(tempfile::tempdir().unwrap(), move |opts| {
            opts.db = Database::parse(&url).unwrap();
            opts.key = key;
            opts.feed.ttl = Duration::from_secs(4);
        })
    };
    let key = keys.path().join("svetofor.key");
    let a = short(url.clone(), key.clone()).await;
    let b = short(url.clone(), key.clone()).await;
    let c = short(url.clone(), key.clone()).await;
    converged(&[&a, &b, &c], Duration::from_secs(10)).await;
    // Every document stored, with when: a row per commit.
    pg.sql(
        "svetofor",
        "CREATE TABLE signed (seq BIGINT, at TIMESTAMPTZ DEFAULT clock_timestamp()); \
         CREATE FUNCTION note_signed() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN INSERT INTO signed (seq) VALUES (NEW.seq); RETURN NEW; END $$; \
         CREATE TRIGGER noted AFTER INSERT OR UPDATE ON feed_document \
         FOR EACH ROW EXECUTE FUNCTION note_signed();",
    );
    tokio::time::sleep(Duration::from_secs(9)).await;
    let rows = pg.sql(
        "svetofor",
        "SELECT seq || ' ' || extract(epoch FROM at) FROM signed ORDER BY at",
    );
    let signed: Vec<(u64, f64)> = rows
        .lines()
        .map(|l| {
            let (seq, at) = l.split_once(' ').unwrap();
            (seq.parse().unwrap(), at.parse().unwrap())
        })
        .collect();
    // One replica alone would sign 4 or 5 times in 9 s; three that each signed would
    // sign three times as often.
    assert!(
        (3..=6).contains(&signed.len()),
        "re-signed {} times in 9 s: {signed:?}",
        signed.len()
    );
    for w in signed.windows(2) {
        assert!(w[1].0 > w[0].0, "the seq grows: {signed:?}");
        assert!(
            w[1].1 - w[0].1 > 1.5,
            "two signatures in one period: {signed:?}"
        );
    }
    let seq = converged(&[&a, &b, &c], Duration::from_secs(5)).await;
    assert_eq!(seq, signed.last().unwrap().0, "all serve the newest");
    for r in [a, b, c] {
        r.server.shutdown().await.unwrap();
    }
}
