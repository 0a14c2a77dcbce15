//! One app per desktop session: the first start listens on a local socket (a Unix socket in
//! the runtime folder; a named pipe on Windows); a second start hands it its `--open` and
//! exits. The message is one short JSON line, checked like any input.

use serde::{Deserialize, Serialize};

use crate::args::Open;

#[cfg(unix)]
#[path = "os_instance_unix.rs"]
mod os;
#[cfg(windows)]
#[path = "os_instance_windows.rs"]
mod os;

pub use os::{Listener, claim};

/// The longest request a second start may send.
const MAX_REQUEST: usize = 1024;

/// What a second start asks of the running one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The window to open (none: the details window).
    pub open: Option<Open>,
}

impl Request {
    fn parse(bytes: &[u8]) -> Option<Request> {
        if bytes.len() > MAX_REQUEST {
            return None;
        }
        serde_json::from_slice(bytes).ok()
    }
}

/// Whether this start runs the app or handed over to the one running.
pub enum Claim {
    /// No other instance: this one runs and listens for the next.
    First(Listener),
    /// Another instance runs and was told.
    Handed,
}

/// The session's name in the socket's name: two logins of one user on two displays (a
/// terminal server) each get their own tray.
fn session_tag() -> String {
    let raw = std::env::var("WAYLAND_DISPLAY")
        .or_else(|_| std::env::var("DISPLAY"))
        .unwrap_or_default();
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_small_json() {
        assert_eq!(
            Request::parse(br#"{"open":"settings"}"#),
            Some(Request {
                open: Some(Open::Settings)
            })
        );
        assert_eq!(
            Request::parse(br#"{"open":null}"#),
            Some(Request { open: None })
        );
        assert_eq!(Request::parse(br#"{"open":"rm -rf"}"#), None);
        assert_eq!(Request::parse(&vec![b' '; MAX_REQUEST + 1]), None);
    }
}
