//! Xvfb and a private D-Bus session, stopped on drop.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A virtual screen and a session bus of our own.
pub struct Desktop {
    /// `:N`.
    pub display: String,
    /// The session bus address.
    pub bus: String,
    /// Screen size.
    pub size: (u32, u32),
    /// Home, caches, runtime dir for the app.
    pub home: tempfile::TempDir,
    xvfb: Child,
    dbus: Child,
}

fn need(program: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{program} is not installed: the desktop tests need xvfb, dbus, x11-utils, xclip and imagemagick \
         (scripts/test installs them)"
    );
}

impl Desktop {
    /// Starts Xvfb (display number chosen by Xvfb) and a dbus-daemon.
    pub fn start() -> Desktop {
        for p in ["Xvfb", "dbus-daemon", "xwininfo", "import", "xclip"] {
            need(p);
        }
        let size = (1280, 800);
        // -displayfd: Xvfb picks a free display and writes its number to fd 1 when ready.
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().expect("Xvfb stdout"))
            .read_line(&mut line)
            .expect("Xvfb display number");
        let display = format!(":{}", line.trim());
        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let mut out = dbus.stdout.take().expect("dbus stdout");
        let mut bus = String::new();
        let mut byte = [0u8; 1];
        while out.read(&mut byte).map(|n| n == 1).unwrap_or(false) && byte[0] != b'\n' {
            bus.push(byte[0] as char);
        }
        assert!(!bus.is_empty(), "dbus-daemon printed no address");
        let home = tempfile::tempdir().expect("temp home");
        for d in ["cache", "config", "state", "data", "runtime", "xdg"] {
            std::fs::create_dir_all(home.path().join(d)).expect("mkdir");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(
                home.path().join("runtime"),
                std::fs::Permissions::from_mode(0o700),
            );
        }
        Desktop {
            display,
            bus,
            size,
            home,
            xvfb,
            dbus,
        }
    }

    /// The environment a desktop program gets here.
    pub fn env(&self) -> Vec<(String, String)> {
        let h = self.home.path();
        let p = |d: &str| h.join(d).display().to_string();
        vec![
            ("DISPLAY".into(), self.display.clone()),
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.bus.clone()),
            ("HOME".into(), h.display().to_string()),
            ("XDG_CACHE_HOME".into(), p("cache")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("XDG_DATA_HOME".into(), p("data")),
            ("XDG_RUNTIME_DIR".into(), p("runtime")),
            // No system-wide autostart entry here, whatever the machine has installed.
            ("XDG_CONFIG_DIRS".into(), p("xdg")),
            ("GDK_BACKEND".into(), "x11".into()),
            (
                "SVETOFOR_POLICY".into(),
                h.join("no-policy.toml").display().to_string(),
            ),
            ("NO_AT_BRIDGE".into(), "1".into()),
            // The tests read English text; C falls back to the app's English.
            ("LC_ALL".into(), "C.UTF-8".into()),
            ("LANG".into(), "C.UTF-8".into()),
        ]
    }

    /// Top-level windows as (title, x, y, width, height), from `xwininfo`.
    pub fn windows(&self) -> Vec<(String, i32, i32, u32, u32)> {
        let out = Command::new("xwininfo")
            .args(["-root", "-children", "-display", &self.display])
            .output()
            .expect("xwininfo");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut found = vec![];
        for line in text.lines() {
            // 0x400003 "Svetofor — Outage: …": ("svetofor" "Svetofor")  1280x64+0+0  +0+0
            let Some(start) = line.find('"') else {
                continue;
            };
            let Some(len) = line[start + 1..].find("\": (") else {
                continue;
            };
            let title = line[start + 1..start + 1 + len].to_owned();
            let rest = &line[start + 1 + len..];
            let Some(geo) = rest
                .split_whitespace()
                .find(|w| w.contains('x') && w.contains('+'))
            else {
                continue;
            };
            let (size, pos) = geo.split_once('+').unwrap_or((geo, "0+0"));
            let (w, h) = size.split_once('x').unwrap_or(("0", "0"));
            let (x, y) = pos.split_once('+').unwrap_or(("0", "0"));
            found.push((
                title,
                x.parse().unwrap_or(0),
                y.parse().unwrap_or(0),
                w.parse().unwrap_or(0),
                h.parse().unwrap_or(0),
            ));
        }
        found
    }

    /// Asks the window titled `title` to close, as a window manager's close button does
    /// (`WM_DELETE_WINDOW`; Xvfb has no window manager, so the message is sent from here).
    pub fn close_window(&self, title: &str) {
        let out = Command::new("xwininfo")
            .args(["-root", "-children", "-display", &self.display])
            .output()
            .expect("xwininfo");
        let text = String::from_utf8_lossy(&out.stdout);
        let want = format!("\"{title}\"");
        let id = text
            .lines()
            .find(|l| l.contains(&want))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("no window titled {title}"))
            .to_owned();
        let status = Command::new("python3")
            .args(["-c", CLOSE_WINDOW, &self.display, &id])
            .status()
            .expect("python3");
        assert!(status.success(), "cannot send WM_DELETE_WINDOW to {id}");
    }

    /// Saves a screenshot of the screen area `(x, y, w, h)` (the whole screen: `None`).
    pub fn screenshot(&self, path: &Path, area: Option<(i32, i32, u32, u32)>) -> PathBuf {
        let mut cmd = Command::new("import");
        cmd.args(["-display", &self.display, "-window", "root"]);
        if let Some((x, y, w, h)) = area {
            cmd.args(["-crop", &format!("{w}x{h}+{x}+{y}")]);
        }
        let status = cmd.arg(path).status().expect("import");
        assert!(status.success(), "screenshot failed");
        path.to_path_buf()
    }
}

/// Sends `WM_DELETE_WINDOW` to a window through libX11 (argv: display, window id).
const CLOSE_WINDOW: &str = r#"
import ctypes, sys
x = ctypes.CDLL("libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("data", ctypes.c_long * 5)]
class Event(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(Event)]
x.XFlush.argtypes = [ctypes.c_void_p]
d = x.XOpenDisplay(sys.argv[1].encode())
if not d:
    sys.exit("cannot open display")
w = int(sys.argv[2], 16)
e = Event()
e.xclient.type = 33  # ClientMessage
e.xclient.window = w
e.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
e.xclient.format = 32
e.xclient.data[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
e.xclient.data[1] = 0  # CurrentTime
x.XSendEvent(d, w, 0, 0, ctypes.byref(e))
x.XFlush(d)
"#;

impl Drop for Desktop {
    fn drop(&mut self) {
        // A failed test shows what the app logged: its home goes away with the desktop.
        if std::thread::panicking() {
            let logs = self.home.path().join("state/svetofor/logs");
            for entry in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                eprintln!("--- {} ---\n{text}", entry.path().display());
            }
        }
        let _ = self.dbus.kill();
        let _ = self.xvfb.kill();
        let _ = self.dbus.wait();
        let _ = self.xvfb.wait();
    }
}
