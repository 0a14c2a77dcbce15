//! A real `svetoforctl serve` in its own process, for the command-line and benchmark tests.

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

/// `svetoforctl` (the binary at `bin`) serving on `127.0.0.1:port` with its data in `dir`,
/// with more arguments and environment variables, once it accepts connections.
pub fn serve(bin: &Path, dir: &Path, port: u16, args: &[&str], envs: &[(&str, String)]) -> Served {
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(bin)
        .args(["serve", "--listen", &addr])
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .env("SVETOFOR_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !crate::listening(&addr) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Served {
        child,
        base: format!("http://{addr}"),
        addr,
    }
}
