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
    let spawned = std::thread::Builder::new()
        .name("network-changes".into())
        .spawn(|| {
            let result = (|| -> zbus::Result<()> {
                let conn = zbus::blocking::Connection::system()?;
                let proxy = zbus::blocking::Proxy::new(
                    &conn,
                    "org.freedesktop.NetworkManager",
                    "/org/freedesktop/NetworkManager",
                    "org.freedesktop.NetworkManager",
                )?;
                tracing::info!("following network changes (NetworkManager)");
                for _ in proxy.receive_signal("StateChanged")? {
                    tracing::info!("network changed");
                    wake();
                }
                Ok(())
            })();
            if let Err(e) = result {
                tracing::info!("network changes are not reported here: {e}");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot follow network changes: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
fn listen() {
    let _ = wake;
}
