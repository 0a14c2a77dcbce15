//! Network changes the OS tells about wake the engine, so a laptop back on the network shows
//! the live status at once instead of after its backoff. Linux: NetworkManager's
//! `StateChanged` on the system bus; elsewhere, and without NetworkManager, the engine's own
//! retries and its wake-from-sleep check cover it.

use std::sync::{Mutex, OnceLock};

use svetofor_client::engine::Waker;

/// The running engine's waker (engines are replaced when the settings change).
static CURRENT: Mutex<Option<Waker>> = Mutex::new(None);

/// Makes network changes wake `waker`'s engine from now on.
pub fn wake_on_change(waker: Waker) {
    *CURRENT.lock().unwrap_or_else(|p| p.into_inner()) = Some(waker);
    static LISTENING: OnceLock<()> = OnceLock::new();
    LISTENING.get_or_init(listen);
}

fn wake() {
    if let Some(w) = CURRENT.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        w.wake();
    }
}

#[cfg(target_os = "linux")]
fn listen() {
    use crate::dbus_signals::{Bus, Signal, follow};
    let signal = Signal {
        service: "org.freedesktop.NetworkManager",
        path: "/org/freedesktop/NetworkManager",
        interface: "org.freedesktop.NetworkManager",
        member: "StateChanged",
    };
    // Without NetworkManager the engine's own retries cover it.
    follow("network changes", Bus::System, signal, true, |_| {
        tracing::info!("network changed");
        wake();
    });
}

#[cfg(not(target_os = "linux"))]
fn listen() {
    let _ = wake;
}
