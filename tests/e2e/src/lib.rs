//! A desktop for end-to-end tests: Xvfb, a private D-Bus session with a notification
//! recorder and a StatusNotifierWatcher, a real `svetoforctl serve`, and the real app.
//!
//! Needs `Xvfb`, `dbus-daemon`, `xwininfo` and ImageMagick's `import` (the README's test
//! command installs them).

pub mod browser;
pub mod bus;
pub mod desktop;
pub mod product;
pub mod server;
pub mod watch;
pub mod webdriver;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The folder holding the workspace's binaries (`target/debug`), found from the test binary.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // Tests run from target/debug/deps/, benchmark programs from target/release/.
    let dir = exe.parent().expect("exe dir");
    match dir.file_name() {
        Some(n) if n == "deps" => dir.parent().expect("target dir").to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// A workspace binary, which must have been built (`cargo build --workspace --bins`).
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --workspace --bins` before these tests",
        path.display()
    );
    path
}

/// Where screenshots go: `target/e2e-shots/`.
pub fn shots_dir() -> PathBuf {
    let dir = bin_dir()
        .parent()
        .map(|t| t.join("e2e-shots"))
        .expect("target dir");
    std::fs::create_dir_all(&dir).expect("create e2e-shots");
    dir
}

/// Polls `f` until it returns `Some`, or fails naming `what` after `limit`.
pub async fn wait_for<T>(what: &str, limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens a WebDriver session at `base` with `caps`, waiting for the driver to listen; returns
/// the session id.
pub async fn webdriver_session(
    http: &reqwest::Client,
    base: &str,
    caps: &serde_json::Value,
) -> String {
    let reply = wait_for("a WebDriver session", Duration::from_secs(30), async || {
        let r = http
            .post(format!("{base}/session"))
            .json(caps)
            .send()
            .await
            .ok()?;
        r.json::<serde_json::Value>().await.ok()
    })
    .await;
    reply["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {reply}"))
        .to_owned()
}

pub use svetofor_testkit::free_port;

/// The desktop app, killed on drop; its log is printed if the test failed.
pub struct App {
    child: std::process::Child,
    log: PathBuf,
}

impl App {
    /// Starts the built `svetofor` on `desktop` with `args`.
    pub fn start(desktop: &desktop::Desktop, args: &[&str], extra_env: &[(&str, &str)]) -> App {
        App::start_at(&binary("svetofor"), desktop, args, extra_env)
    }

    /// Starts the app at `program` (an installed one, say) on `desktop` with `args`.
    pub fn start_at(
        program: &std::path::Path,
        desktop: &desktop::Desktop,
        args: &[&str],
        extra_env: &[(&str, &str)],
    ) -> App {
        let log = desktop.home.path().join("app.log");
        let file = std::fs::File::create(&log).expect("app log");
        let mut cmd = std::process::Command::new(program);
        cmd.args(args)
            .envs(desktop.env())
            .env("SVETOFOR_LOG", "info,svetofor=debug")
            .stdout(file.try_clone().expect("log"))
            .stderr(file);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start svetofor");
        App { child, log }
    }

    /// The app's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- svetofor log ----\n{}", self.log());
        }
    }
}
