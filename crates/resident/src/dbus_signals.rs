//! Following one D-Bus signal for the life of the app, on a thread of its own (zbus's blocking
//! API), for the listeners that only wait: network changes and clicks on notifications.

/// The bus a signal comes on.
#[derive(Clone, Copy, Debug)]
pub enum Bus {
    Session,
    System,
}

/// Where a signal comes from and what it is called.
pub struct Signal {
    pub service: &'static str,
    pub path: &'static str,
    pub interface: &'static str,
    pub member: &'static str,
}

/// Calls `on_signal` with each `signal` until the bus goes away. `what` names it in the log
/// (and the thread); a bus or service that is not there is logged once, as a warning unless
/// `missing_is_normal`.
pub fn follow(
    what: &'static str,
    bus: Bus,
    signal: Signal,
    missing_is_normal: bool,
    mut on_signal: impl FnMut(&zbus::Message) + Send + 'static,
) {
    let spawned = std::thread::Builder::new()
        .name(what.replace(' ', "-"))
        .spawn(move || {
            let result = (|| -> zbus::Result<()> {
                let conn = match bus {
                    Bus::Session => zbus::blocking::Connection::session()?,
                    Bus::System => zbus::blocking::Connection::system()?,
                };
                let proxy = zbus::blocking::Proxy::new(
                    &conn,
                    signal.service,
                    signal.path,
                    signal.interface,
                )?;
                let messages = proxy.receive_signal(signal.member)?;
                tracing::info!("following {what} ({})", signal.service);
                for message in messages {
                    on_signal(&message);
                }
                Ok(())
            })();
            if let Err(e) = result {
                if missing_is_normal {
                    tracing::info!("{what} are not followed here: {e}");
                } else {
                    tracing::warn!("{what} are not followed: {e}");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot follow {what}: {e}");
    }
}
