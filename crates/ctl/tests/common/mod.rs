//! A real `svetoforctl serve` in its own process, for the command-line tests.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running publisher; killed when dropped.
pub struct Served {
    pub child: Child,
    pub base: String,
    pub addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `svetoforctl serve` on `127.0.0.1:port` with its data in `dir`, once it accepts.
pub fn serve(dir: &Path, port: u16) -> Served {
    serve_with(dir, port, &[], &[])
}

/// [`serve`] with more arguments and environment variables.
pub fn serve_with(dir: &Path, port: u16, args: &[&str], envs: &[(&str, String)]) -> Served {
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_svetoforctl"))
        .args(["serve", "--listen", &addr])
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .env("SVETOFOR_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Served {
        child,
        base: format!("http://{addr}"),
        addr,
    }
}
