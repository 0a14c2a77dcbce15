//! A real `svetoforctl serve` on loopback, and the support commands against it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A publisher process, killed on drop.
pub struct Server {
    /// Base URL.
    pub url: String,
    /// Public key file.
    pub pubkey: PathBuf,
    /// Support token.
    pub token: String,
    data: tempfile::TempDir,
    port: u16,
    /// More `serve` arguments.
    extra: Vec<String>,
    child: Option<Child>,
}

impl Server {
    /// Starts `svetoforctl serve` on a free port and creates a support token.
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// [`Server::start`] with more `serve` arguments.
    pub fn start_with(extra: &[&str]) -> Server {
        Server::start_at(crate::free_port(), extra)
    }

    /// [`Server::start_with`] on a given port.
    pub fn start_at(port: u16, extra: &[&str]) -> Server {
        let data = tempfile::tempdir().expect("temp data dir");
        let mut s = Server {
            url: format!("http://127.0.0.1:{port}"),
            pubkey: data.path().join("svetofor.pub"),
            token: String::new(),
            data,
            port,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
        };
        s.spawn();
        let out = Command::new(crate::binary("svetoforctl"))
            .args([
                "token", "create", "--role", "support", "--name", "e2e", "--db",
            ])
            .arg(s.data.path().join("svetofor.db"))
            .output();
        s.token = succeeded(out, "token create");
        s
    }

    fn spawn(&mut self) {
        let child = Command::new(crate::binary("svetoforctl"))
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .args(&self.extra)
            .env("SVETOFOR_DATA_DIR", self.data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start svetoforctl serve");
        self.child = Some(child);
        let start = Instant::now();
        while !svetofor_testkit::listening(("127.0.0.1", self.port)) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The feed URL.
    pub fn feed(&self) -> String {
        format!("{}/feed.json", self.url)
    }

    /// Posts a notice (`svetoforctl post --severity S --title T --body B MORE…`); returns
    /// its id.
    pub fn post(&self, severity: &str, title: &str, body: &str, more: &[&str]) -> String {
        let mut args = vec![
            "post",
            "--severity",
            severity,
            "--title",
            title,
            "--body",
            body,
        ];
        args.extend_from_slice(more);
        self.ctl(&args)
    }

    /// Runs a support command (`post`, `update`, `resolve`…) and returns its stdout.
    pub fn ctl(&self, args: &[&str]) -> String {
        let out = Command::new(crate::binary("svetoforctl"))
            .args(args)
            .env("SVETOFOR_SERVER", &self.url)
            .env("SVETOFOR_TOKEN", &self.token)
            .output();
        succeeded(out, &format!("svetoforctl {args:?}"))
    }

    /// A new token of `role` (`svetoforctl token create --db`), as printed.
    pub fn token_of(&self, role: &str) -> String {
        let out = Command::new(crate::binary("svetoforctl"))
            .args(["token", "create", "--role", role, "--name", role, "--db"])
            .arg(self.data.path().join("svetofor.db"))
            .output();
        succeeded(out, "token create")
    }

    /// A console account (`svetoforctl user add NAME --role ROLE --password-stdin`).
    pub fn user_add(&self, name: &str, role: &str, password: &str) {
        use std::io::Write;
        let mut child = Command::new(crate::binary("svetoforctl"))
            .args([
                "user",
                "add",
                name,
                "--role",
                role,
                "--password-stdin",
                "--db",
            ])
            .arg(self.data.path().join("svetofor.db"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("svetoforctl user add");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("password");
        drop(stdin);
        succeeded(child.wait_with_output(), "svetoforctl user add");
    }

    /// Starts the stopped server again, on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Stops the server (the feed becomes unreachable).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The trimmed stdout of a command that must have run and succeeded.
fn succeeded(out: std::io::Result<std::process::Output>, what: &str) -> String {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
