//! A local S3-compatible server (moto in server mode, from PyPI; `scripts/lib.sh`
//! installs it) on a loopback port, stopped when dropped.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    /// What moto printed (its requests and any traceback), for a failure to show.
    log: tempfile::NamedTempFile,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
}

impl Moto {
    /// A running server, or `None` (skipped) when moto is not installed here; under
    /// `CI=true` a missing moto fails instead.
    pub fn start() -> Option<Moto> {
        let python = std::env::var("SVETOFOR_MOTO_PYTHON")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| {
                let home = std::env::var("HOME").unwrap_or_default();
                format!("{home}/.cache/svetofor/motoenv/bin/python")
            });
        if !std::path::Path::new(&python).exists() {
            assert!(
                std::env::var("CI").is_err(),
                "CI needs moto: scripts/lib.sh ensure_python_test_deps"
            );
            eprintln!("skipped: no moto (run scripts/test once to install it)");
            return None;
        }
        let port = crate::free_port();
        let log = tempfile::NamedTempFile::new().expect("a file for moto's output");
        let err = log.reopen().expect("moto's output file");
        let child = Command::new(python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("moto starts");
        let moto = Moto {
            child,
            log,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !crate::listening(("127.0.0.1", port)) {
            assert!(Instant::now() < deadline, "moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// Makes the bucket `name`, readable by anyone as a CDN's origin is (moto takes
    /// unsigned requests).
    pub fn bucket(&self, name: &str) {
        use std::io::{Read, Write};
        let mut s = self.connect();
        write!(
            s,
            "PUT /{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-acl: public-read\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "bucket {name}: {answer}"
        );
    }

    /// A connection to moto. Under load it has been seen refusing one right after it first
    /// accepted; a few seconds of tries ride that out, and a moto that is gone is named with
    /// what it printed.
    fn connect(&self) -> TcpStream {
        let addr = self.endpoint.trim_start_matches("http://");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(addr) {
                Ok(s) => return s,
                Err(e) if Instant::now() >= deadline => {
                    let said = std::fs::read_to_string(self.log.path()).unwrap_or_default();
                    let tail: Vec<&str> = said.lines().rev().take(30).collect();
                    let alive =
                        std::path::Path::new(&format!("/proc/{}", self.child.id())).exists();
                    panic!(
                        "moto at {addr} refuses connections ({e}); process alive: {alive}; \
                         its last lines:\n{}",
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The AWS_* settings that point a client at this server.
    pub fn env(&self) -> [(&'static str, String); 5] {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
