//! One address holding every connection it can open does not shut the others out: the
//! publisher keeps a reserve of file descriptors for requests, and recovers by itself.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The server's open-file limit here: small, so the test fills it quickly.
const SERVER_FILES: usize = 1000;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ctl() -> &'static str {
    env!("CARGO_BIN_EXE_svetoforctl")
}

async fn connect_from(source: [u8; 4], addr: &str) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind((std::net::Ipv4Addr::from(source), 0).into())?;
    socket.connect(addr.parse().unwrap()).await
}

/// One request (`Connection: close`) from `source`; the status code, within `limit`.
async fn request(source: [u8; 4], addr: &str, head: &str, body: &str, limit: Duration) -> u16 {
    let work = async {
        let mut s = connect_from(source, addr).await.ok()?;
        let req = format!(
            "{head}\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.ok()?;
        let mut out = vec![];
        s.read_to_end(&mut out).await.ok()?;
        let text = String::from_utf8_lossy(&out);
        text.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(limit, work)
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
}

fn start(dir: &Path, addr: &str) -> Killed {
    let child = Command::new("prlimit")
        .arg(format!("--nofile={SERVER_FILES}:{SERVER_FILES}"))
        .args(["--", ctl(), "serve", "--listen", addr])
        .env("SVETOFOR_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prlimit (util-linux) runs svetoforctl serve");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !svetofor_testkit::listening(addr) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Killed(child)
}

/// What this test process opens at most at once: both tests run together, each holding
/// more connections than the server has descriptors.
const CLIENT_FILES: u64 = 2 * (SERVER_FILES as u64 + 500) + 256;

/// The test's own side must not run out first: a login shell or a CI service often starts
/// processes with a soft limit of 1024, and then the connections below fail in the client
/// (EMFILE), not in the server under test.
fn raise_own_file_limit() {
    let limit = rlimit::increase_nofile_limit(u64::MAX).expect("read RLIMIT_NOFILE");
    assert!(
        limit >= CLIENT_FILES,
        "this test opens {CLIENT_FILES} connections at once; the hard limit on open files is {limit}"
    );
}

/// A server under the small file limit on a free port, with its data folder and address.
fn start_on_a_free_port() -> (tempfile::TempDir, String, Killed) {
    raise_own_file_limit();
    let dir = tempfile::tempdir().unwrap();
    let port = svetofor_testkit::free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = start(dir.path(), &addr);
    (dir, addr, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_with_every_connection_it_can_open_does_not_shut_out_another() {
    let (dir, addr, _server) = start_on_a_free_port();
    let out = Command::new(ctl())
        .args(["token", "create", "--role", "support", "--name", "t"])
        .env("SVETOFOR_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        !token.is_empty(),
        "token create: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // 127.0.0.2 opens more connections than the server has descriptors, and holds them.
    let mut held = vec![];
    let mut stopped_by = None;
    for _ in 0..(SERVER_FILES + 500) {
        match connect_from([127, 0, 0, 2], &addr).await {
            Ok(s) => held.push(s),
            Err(e) => {
                stopped_by = Some(e);
                break;
            }
        }
    }
    assert!(
        held.len() >= SERVER_FILES,
        "opened only {}, stopped by {stopped_by:?}",
        held.len()
    );
    // Let the server take them off its backlog.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let second = Duration::from_secs(1);
    let feed = request([127, 0, 0, 3], &addr, "GET /feed.json HTTP/1.1", "", second).await;
    assert_eq!(feed, 200, "another address gets the feed within a second");
    let post = request(
        [127, 0, 0, 3],
        &addr,
        &format!("POST /api/v1/notices HTTP/1.1\r\nAuthorization: Bearer {token}"),
        r#"{"severity": "red", "kind": "outage", "title": "Payments are down"}"#,
        second,
    )
    .await;
    assert_eq!(post, 201, "and can post within a second");

    // When they go, the server is whole again, for that address too.
    drop(held);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let again = request([127, 0, 0, 2], &addr, "GET /feed.json HTTP/1.1", "", second).await;
    assert_eq!(again, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_connections_from_many_addresses_make_room_when_descriptors_run_short() {
    let (_dir, addr, _server) = start_on_a_free_port();
    // Six addresses, each under its own share, together more than the server can hold:
    // connections that never send a request.
    let mut held = vec![];
    for source in 4..10u8 {
        for _ in 0..(SERVER_FILES / 5) {
            if let Ok(s) = connect_from([127, 0, 0, source], &addr).await {
                held.push(s);
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let feed = request(
        [127, 0, 0, 3],
        &addr,
        "GET /feed.json HTTP/1.1",
        "",
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(feed, 200, "idle connections made room for a request");
    drop(held);
}
