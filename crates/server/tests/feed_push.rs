//! The signed feed over HTTP and SSE: push within a second, ETags, catch-up, re-signing,
//! maintenance by the clock, private feeds, mirrors, slow subscribers.

mod common;

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use common::*;
use serde_json::json;
use svetofor_feed::{Severity, State};
use svetofor_publisher::auth::Role;
use tokio::io::AsyncWriteExt;

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread")]
async fn a_posted_notice_reaches_subscribers_within_a_second() {
    let h = start().await;
    let t = h.token(Role::Support);
    let mut sse = SseReader::open(&h, None).await;
    let first = sse.next(SECOND).await.expect("snapshot on connect");
    let snap = verify_event(&first, &h.key).snapshot;
    assert_eq!(snap.status(Utc::now()), Severity::Green);

    let posted_at = std::time::Instant::now();
    let n = h.post_json(&t, "/api/v1/notices", red_outage()).await;
    let ev = sse
        .next(SECOND)
        .await
        .expect("event within a second of the post");
    assert!(posted_at.elapsed() < SECOND);
    let accepted = verify_event(&ev, &h.key);
    assert_eq!(accepted.snapshot.status(Utc::now()), Severity::Red);
    assert!(ev.id.parse::<u64>().unwrap() > first.id.parse::<u64>().unwrap());

    let id = n["id"].as_str().unwrap();
    h.post(
        &t,
        &format!("/api/v1/notices/{id}/resolve"),
        json!({"text": "ok"}),
    )
    .await;
    let ev = sse.next(SECOND).await.expect("resolution pushed");
    assert_eq!(
        verify_event(&ev, &h.key).snapshot.status(Utc::now()),
        Severity::Green
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_has_strong_etags_and_answers_304() {
    let h = start().await;
    let resp = h.get("/feed.json", None, None).await;
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");
    let cc = resp.headers()["cache-control"].to_str().unwrap();
    assert!(cc.contains("max-age="), "{cc}");
    let again = h.get("/feed.json", None, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    let t = h.token(Role::Support);
    h.post(&t, "/api/v1/notices", red_outage()).await;
    let changed = h.get("/feed.json", None, Some(&etag)).await;
    assert_eq!(changed.status(), 200, "a change gives a new ETag");

    let sig = h.get("/feed.json.minisig", None, None).await;
    let sig_etag = sig.headers()["etag"].to_str().unwrap().to_owned();
    let sig304 = h.get("/feed.json.minisig", None, Some(&sig_etag)).await;
    assert_eq!(sig304.status(), 304);
    // The public key is served for convenience and verifies the feed.
    let pubkey = h.get("/feed.pub", None, None).await.text().await.unwrap();
    assert_eq!(pubkey.parse::<svetofor_feed::TrustedKey>().unwrap(), h.key);
}

#[tokio::test(flavor = "multi_thread")]
async fn reconnect_with_last_event_id_catches_up() {
    let h = start().await;
    let t = h.token(Role::Support);
    let current = h.server.publisher.current().seq.to_string();
    // Up to date: no snapshot until something changes.
    let mut sse = SseReader::open(&h, Some(&current)).await;
    assert!(sse.next(Duration::from_millis(400)).await.is_none());
    h.post(&t, "/api/v1/notices", red_outage()).await;
    let ev = sse.next(SECOND).await.expect("change after reconnect");
    assert_eq!(verify_event(&ev, &h.key).snapshot.notices.len(), 1);
    // Behind: the current snapshot at once.
    let mut behind = SseReader::open(&h, Some(&current)).await;
    let ev = behind
        .next(SECOND)
        .await
        .expect("missed change delivered on reconnect");
    assert_eq!(
        verify_event(&ev, &h.key).snapshot.status(Utc::now()),
        Severity::Red
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_is_re_signed_before_it_expires() {
    let h = start_with(|o| o.feed.ttl = Duration::from_secs(2)).await;
    let mut sse = SseReader::open(&h, None).await;
    let first = verify_event(&sse.next(SECOND).await.unwrap(), &h.key);
    let ev = sse
        .next(Duration::from_secs(3))
        .await
        .expect("re-signed without any change");
    let second = verify_event(&ev, &h.key);
    assert!(second.snapshot.seq > first.snapshot.seq);
    assert!(second.snapshot.expires_at > first.snapshot.expires_at);
    // Over several lifetimes the served feed never expires.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let a = h.feed().await; // accept() refuses expired feeds
        assert!(a.snapshot.expires_at.unwrap() > Utc::now());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn maintenance_moves_along_its_window_by_itself() {
    let h = start().await;
    let t = h.token(Role::Support);
    let starts = Utc::now() + TimeDelta::milliseconds(1500);
    let ends = starts + TimeDelta::milliseconds(1500);
    let body = json!({"severity": "yellow", "kind": "maintenance", "title": "DB upgrade",
        "starts_at": starts.to_rfc3339(), "ends_at": ends.to_rfc3339()});
    let n = h.post_json(&t, "/api/v1/notices", body).await;
    assert_eq!(n["state"], "scheduled");
    let id = n["id"].as_str().unwrap().to_owned();
    let state_of =
        |s: &svetofor_feed::Snapshot| s.notices.iter().find(|x| x.id == id).unwrap().state;
    let snap = h.feed().await.snapshot;
    assert_eq!(state_of(&snap), State::Scheduled);
    assert_eq!(snap.upcoming(Utc::now()).len(), 1);

    tokio::time::sleep(Duration::from_millis(2000)).await;
    let snap = h.feed().await.snapshot;
    assert_eq!(state_of(&snap), State::InProgress);
    assert_eq!(snap.status(Utc::now()), Severity::Yellow);

    tokio::time::sleep(Duration::from_millis(1700)).await;
    let snap = h.feed().await.snapshot;
    assert_eq!(state_of(&snap), State::Completed);
    assert_eq!(snap.status(Utc::now()), Severity::Green);
    let audit = h.server.publisher.store().audit(10, None).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.entry.actor == "system" && a.entry.action == "notice.completed")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn private_feed_needs_a_reader_token() {
    let h = start_with(|o| o.private = true).await;
    for path in [
        "/feed.json",
        "/feed.json.minisig",
        "/events",
        "/api/v1/notices",
    ] {
        let resp = h.get(path, None, None).await;
        assert_eq!(resp.status(), 401, "{path}");
    }
    let reader = h.token(Role::Reader);
    let resp = h.get("/feed.json", Some(&reader), None).await;
    assert_eq!(resp.status(), 200);
    assert!(common::header(&resp, "cache-control").starts_with("private"));
}

#[tokio::test(flavor = "multi_thread")]
async fn mirror_folder_follows_every_change_and_export_matches() {
    let mirror = tempfile::tempdir().unwrap();
    let mdir = mirror.path().to_path_buf();
    let h = start_with(|o| o.mirror_dir = Some(mdir.clone())).await;
    let t = h.token(Role::Support);
    h.post(&t, "/api/v1/notices", red_outage()).await;
    let read_mirror = || {
        let bytes = std::fs::read(mdir.join("feed.json")).unwrap();
        let sig = std::fs::read_to_string(mdir.join("feed.json.minisig")).unwrap();
        svetofor_feed::accept(
            &bytes,
            Some(&sig),
            std::slice::from_ref(&h.key),
            Utc::now(),
            None,
        )
        .unwrap()
    };
    let m = read_mirror();
    assert_eq!(m.snapshot.seq, Some(h.server.publisher.current().seq));
    assert_eq!(m.snapshot.status(Utc::now()), Severity::Red);
    // The bundle beside the pair: the same document and signature in one object.
    let bundle = std::fs::read(mdir.join("feed.bundle.json")).unwrap();
    let b = svetofor_feed::Bundle::read(&bundle).expect("a bundle");
    assert_eq!(
        b.feed.as_bytes(),
        std::fs::read(mdir.join("feed.json")).unwrap()
    );
    assert_eq!(b.seq, h.server.publisher.current().seq);
    let from_bundle = svetofor_feed::accept(
        b.feed.as_bytes(),
        Some(&b.signature),
        std::slice::from_ref(&h.key),
        Utc::now(),
        None,
    )
    .unwrap();
    assert_eq!(from_bundle.snapshot.notices, m.snapshot.notices);
    // Served too, with its own ETag.
    let served = h.get("/feed.bundle.json", None, None).await;
    assert_eq!(served.status(), 200);
    let etag = served.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(served.bytes().await.unwrap().to_vec(), bundle);
    assert_eq!(
        h.get("/feed.bundle.json", None, Some(&etag)).await.status(),
        304
    );

    let out = tempfile::tempdir().unwrap();
    let (seq, path) = svetofor_server::export(
        &svetofor_store::Database::Sqlite(h.db()),
        &h.dir.path().join("svetofor.key"),
        out.path(),
        &svetofor_publisher::publisher::FeedSettings::default(),
    )
    .unwrap();
    assert_eq!(seq, h.server.publisher.current().seq);
    let bytes = std::fs::read(&path).unwrap();
    let sig = std::fs::read_to_string(out.path().join("feed.json.minisig")).unwrap();
    let e = svetofor_feed::accept(
        &bytes,
        Some(&sig),
        std::slice::from_ref(&h.key),
        Utc::now(),
        None,
    )
    .unwrap();
    assert_eq!(e.snapshot.notices, m.snapshot.notices);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_that_never_reads_does_not_hold_up_others() {
    let h = start_with(|o| o.limits.write_burst = 1000).await;
    let t = h.token(Role::Support);
    // A raw connection that asks for events and then never reads a byte.
    let mut stuck = tokio::net::TcpStream::connect(h.server.addr).await.unwrap();
    stuck
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        .await
        .unwrap();
    let mut sse = SseReader::open(&h, None).await;
    sse.next(SECOND).await.unwrap();
    // Enough large documents to fill the stuck socket's buffers many times over.
    let body = "x".repeat(3900);
    for i in 0..60 {
        let req = json!({"severity": "yellow", "kind": "degraded", "title": format!("n{i}"), "body": body});
        assert_eq!(h.post(&t, "/api/v1/notices", req).await.status(), 201);
    }
    let mut last = None;
    while let Some(ev) = sse.next(Duration::from_millis(500)).await {
        last = Some(ev);
    }
    let last = verify_event(&last.expect("events kept flowing"), &h.key);
    assert_eq!(
        last.snapshot.notices.len(),
        60,
        "the reading subscriber reached the newest feed"
    );
    drop(stuck);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_ends_event_streams_and_a_restart_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path());
    let server = svetofor_server::Server::start(opts.clone()).await.unwrap();
    let h = Harness {
        base: format!("http://{}", server.addr),
        key: server.publisher.public_key_file().parse().unwrap(),
        server,
        dir,
        http: reqwest::Client::builder().no_gzip().build().unwrap(),
    };
    let t = h.token(Role::Support);
    h.post(&t, "/api/v1/notices", red_outage()).await;
    let seq = h.server.publisher.current().seq;
    let mut sse = SseReader::open(&h, None).await;
    sse.next(SECOND).await.unwrap();
    let Harness {
        server, dir, key, ..
    } = h;
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown does not hang on open streams")
        .unwrap();
    assert!(sse.next(SECOND).await.is_none(), "stream ended");

    let again = svetofor_server::Server::start(options(dir.path()))
        .await
        .unwrap();
    let p = again.publisher.current();
    assert!(p.seq > seq, "seq keeps growing across restarts");
    let a =
        svetofor_feed::accept(&p.bytes, Some(&p.signature), &[key], Utc::now(), Some(seq)).unwrap();
    assert_eq!(
        a.snapshot.status(Utc::now()),
        Severity::Red,
        "the notice survived the restart"
    );
    again.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn streams_end_after_their_spread_lifetime_and_a_reconnect_gets_nothing_it_has() {
    let h = start_with(|o| o.limits.stream_lifetime = Some(Duration::from_secs(2))).await;
    let opened = Instant::now();
    let mut streams = Vec::new();
    for _ in 0..8 {
        streams.push(SseReader::open(&h, None).await);
    }
    let watched = streams.into_iter().map(|mut s| async move {
        let first = s.next(Duration::from_secs(2)).await.expect("the snapshot");
        assert!(
            s.ends_within(Duration::from_secs(4)).await,
            "the stream ends"
        );
        (opened.elapsed(), first.id)
    });
    let (ended, ids): (Vec<Duration>, Vec<String>) = futures_util::future::join_all(watched)
        .await
        .into_iter()
        .unzip();
    // Back with the id it has: no document is sent again.
    let mut again = SseReader::open(&h, Some(&ids[0])).await;
    assert!(again.next(Duration::from_millis(300)).await.is_none());
    for t in &ended {
        assert!(
            *t >= Duration::from_millis(950) && *t < Duration::from_millis(2600),
            "between half the lifetime and the lifetime: {ended:?}"
        );
    }
    // Streams opened together end at different times.
    let (min, max) = (ended.iter().min().unwrap(), ended.iter().max().unwrap());
    assert!(*max - *min > Duration::from_millis(50), "spread: {ended:?}");

    let never = start_with(|o| o.limits.stream_lifetime = None).await;
    let mut kept = SseReader::open(&never, None).await;
    assert!(!kept.ends_within(Duration::from_secs(3)).await);
}
