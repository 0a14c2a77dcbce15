//! The feed mirrored to an S3-compatible store (a real moto server on loopback): every new
//! document is uploaded with a CDN's cache headers, a stale upload is refused by the
//! conditional write, and racing uploaders end on the newest document.

mod common;
use svetofor_testkit::moto;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{red_outage, start_with};
use svetofor_publisher::auth::Role;
use svetofor_publisher::object_mirror::{AmazonS3Builder, ObjectMirror, Uploaded};

fn mirror(moto: &moto::Moto, url: &str) -> ObjectMirror {
    ObjectMirror::configured(
        url,
        AmazonS3Builder::new()
            .with_endpoint(&moto.endpoint)
            .with_allow_http(true)
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .with_region("us-east-1"),
    )
    .unwrap()
}

/// GET an object with plain HTTP, as a CDN would: status, headers, body.
async fn object(moto: &moto::Moto, key: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = reqwest::get(format!("{}/{key}", moto.endpoint))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_document_reaches_the_bucket_and_an_older_one_never_overwrites_it() {
    let Some(moto) = moto::Moto::start() else {
        return;
    };
    moto.bucket("status-bucket");
    let m = mirror(&moto, "s3://status-bucket/feeds/main");
    let h = start_with(|o| o.mirror = Some(m.clone())).await;

    // The first document is uploaded at start, the bundle and the pair alike.
    let start = Instant::now();
    let key = "status-bucket/feeds/main";
    loop {
        let (status, _, body) = object(&moto, &format!("{key}/feed.json.minisig")).await;
        if status == 200 && body == h.body("/feed.json.minisig").await {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "not uploaded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let old = h.server.publisher.current();

    // A post: the mirror holds the new document within a few seconds, verifiable.
    let t = h.token(Role::Support);
    assert_eq!(
        h.post(&t, "/api/v1/notices", red_outage()).await.status(),
        201
    );
    let new = h.server.publisher.current();
    assert!(new.seq > old.seq);
    let start = Instant::now();
    loop {
        let (_, _, body) = object(&moto, &format!("{key}/feed.json.minisig")).await;
        if body == new.signature.as_bytes() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the new one is not uploaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, headers, feed) = object(&moto, &format!("{key}/feed.json")).await;
    assert_eq!(status, 200);
    assert_eq!(feed, new.bytes.to_vec());
    let (_, _, signature) = object(&moto, &format!("{key}/feed.json.minisig")).await;
    svetofor_feed::signature::verify(
        &feed,
        std::str::from_utf8(&signature).unwrap(),
        std::slice::from_ref(&h.key),
    )
    .expect("the mirrored pair verifies");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.starts_with("public, max-age=15, stale-while-revalidate=30, stale-if-error="),
        "{cache}"
    );
    assert_eq!(headers["content-type"], "application/json");
    let (_, _, bundle) = object(&moto, &format!("{key}/feed.bundle.json")).await;
    let bundle = svetofor_feed::Bundle::read(&bundle).expect("a bundle");
    assert_eq!(bundle.seq, new.seq);
    assert_eq!(bundle.feed.as_bytes(), &new.bytes[..]);

    // A replica that is behind uploads the older document: refused, nothing changes.
    let stale = m.upload(&old, Utc::now()).await.unwrap();
    assert_eq!(
        stale,
        Uploaded {
            written: 0,
            newer: Some(new.seq)
        }
    );
    assert_eq!(
        object(&moto, &format!("{key}/feed.json")).await.2,
        new.bytes.to_vec()
    );

    // Racing uploaders of an old and a new document, each time on an empty prefix where
    // both find nothing and write at once: always the new one in the end.
    for i in 0..10 {
        let prefix = format!("status-bucket/race-{i}");
        let (one, two) = (
            mirror(&moto, &format!("s3://{prefix}")),
            mirror(&moto, &format!("s3://{prefix}")),
        );
        let (a, b) = tokio::join!(one.upload(&old, Utc::now()), two.upload(&new, Utc::now()));
        a.unwrap();
        b.unwrap();
        let (_, _, body) = object(&moto, &format!("{prefix}/feed.json")).await;
        let seq = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["seq"].as_u64();
        assert_eq!(seq, Some(new.seq), "race {i}: feed.json");
        let (_, _, body) = object(&moto, &format!("{prefix}/feed.bundle.json")).await;
        assert_eq!(
            svetofor_feed::Bundle::read(&body).unwrap().seq,
            new.seq,
            "race {i}"
        );
        let (_, _, body) = object(&moto, &format!("{prefix}/feed.json.minisig")).await;
        assert_eq!(body, new.signature.as_bytes(), "race {i}: the signature");
    }
    h.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_fails_does_not_stop_publishing_and_is_caught_up_later() {
    let Some(moto) = moto::Moto::start() else {
        return;
    };
    // The bucket does not exist yet: every upload fails.
    let m = mirror(&moto, "s3://late-bucket/feed");
    let h = start_with(|o| o.mirror = Some(m.clone())).await;
    let t = h.token(Role::Support);
    assert_eq!(
        h.post(&t, "/api/v1/notices", red_outage()).await.status(),
        201
    );
    let seq = h.server.publisher.current().seq;
    assert!(
        m.upload(&h.server.publisher.current(), Utc::now())
            .await
            .is_err()
    );
    moto.bucket("late-bucket");
    let start = Instant::now();
    loop {
        let (status, _, body) = object(&moto, "late-bucket/feed/feed.bundle.json").await;
        if status == 200 && svetofor_feed::Bundle::read(&body).unwrap().seq == seq {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "never caught up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.server.shutdown().await.unwrap();
}
