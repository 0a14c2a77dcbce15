//! `svetoforctl serve --mirror s3://…` against a real S3-compatible server (moto on
//! loopback): what it uploads is read back from the bucket by `svetoforctl check`, the pair
//! and the bundle alike, as desktops behind a CDN would read it.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;
use svetofor_testkit::moto;

use common::{free_port, serve_with};

fn ctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(args)
        .env("SVETOFOR_DATA_DIR", dir)
        .env_remove("SVETOFOR_TOKEN")
        .env_remove("SVETOFOR_SERVER")
        .output()
        .expect("svetoforctl runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

#[test]
fn a_post_reaches_the_bucket_and_check_verifies_the_pair_and_the_bundle_there() {
    let Some(moto) = moto::Moto::start() else {
        return;
    };
    moto.bucket("status-example");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let env = moto.env();
    let served = serve_with(
        dir,
        free_port(),
        &["--mirror", "s3://status-example/prod"],
        &env,
    );
    let token = text(
        &ctl(
            dir,
            &["token", "create", "--role", "support", "--name", "anna"],
        )
        .stdout,
    );
    let posted = ctl(
        dir,
        &[
            "post",
            "--server",
            &served.base,
            "--token",
            &token,
            "--severity",
            "red",
            "--title",
            "Платежи не проходят",
        ],
    );
    assert!(posted.status.success(), "{}", text(&posted.stderr));
    let pubkey = dir.join("svetofor.pub");
    let bucket = format!("{}/status-example/prod", moto.endpoint);
    for object in ["feed.json", "feed.bundle.json"] {
        let url = format!("{bucket}/{object}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let out = ctl(
                dir,
                &[
                    "check",
                    &url,
                    "--pubkey",
                    pubkey.to_str().unwrap(),
                    "--json",
                ],
            );
            let said = text(&out.stdout);
            if out.status.success() && said.contains("\"red\"") {
                assert!(said.contains("Платежи не проходят"), "{said}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{object} in the bucket: {said} {}",
                text(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // Another key does not verify what is there.
    let other = dir.join("other");
    let keygen = ctl(dir, &["keygen", "--out", other.to_str().unwrap()]);
    assert!(keygen.status.success(), "{}", text(&keygen.stderr));
    let out = ctl(
        dir,
        &[
            "check",
            &format!("{bucket}/feed.json"),
            "--pubkey",
            other.join("svetofor.pub").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "a stranger's key verifies nothing");
    drop(served);
}

#[test]
fn a_mirror_that_is_not_an_s3_url_is_refused_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ctl(
        tmp.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mirror",
            "https://key:secret@example.com/feed",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("an s3://bucket/prefix URL"), "{err}");
    assert!(!err.contains("secret@"), "{err}");
}
