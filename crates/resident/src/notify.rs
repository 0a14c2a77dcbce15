//! OS notifications: the engine's alerts, shown one per notice and replaced on update.

use std::sync::Arc;

use svetofor_client::alerts::Alert;
use svetofor_desktop_model::i18n::Catalog;

#[cfg(all(unix, not(target_os = "macos")))]
#[path = "os_notify_linux.rs"]
mod os;
#[cfg(not(all(unix, not(target_os = "macos"))))]
#[path = "os_notify_other.rs"]
mod os;

/// What the notification thread is asked to show.
pub enum Message {
    /// An alert from the engine, worded from the catalogue it came with.
    Alert(Alert, Arc<Catalog>),
    /// A short confirmation of something the user did (a report copied).
    Done {
        /// Summary line.
        summary: String,
        /// Body.
        body: String,
    },
}

/// Sends notifications from a thread of its own, so the UI never waits on D-Bus.
pub struct Notifier {
    tx: std::sync::mpsc::Sender<Message>,
}

impl Notifier {
    /// Starts the notifier, which keeps the ids of what it showed in `store` so that a
    /// restarted app replaces them; `on_activate` gets the notice id when the user clicks a
    /// notification (where the platform reports it).
    pub fn start(
        store: std::path::PathBuf,
        on_activate: impl Fn(String) + Send + Sync + 'static,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Message>();
        let spawned = std::thread::Builder::new()
            .name("notifications".into())
            .spawn(move || os::run(rx, store, on_activate));
        if let Err(e) = spawned {
            tracing::error!("cannot start the notification thread: {e}");
        }
        Notifier { tx }
    }

    /// Shows (or replaces) the notification for an alert, worded from `cat` (the UI's
    /// catalogue when the alert came, so a language switch needs nothing here).
    pub fn show(&self, alert: Alert, cat: Arc<Catalog>) {
        self.send(Message::Alert(alert, cat));
    }

    /// Confirms something the user did, quietly (low urgency, never replacing an alert).
    pub fn done(&self, summary: String, body: String) {
        self.send(Message::Done { summary, body });
    }

    fn send(&self, message: Message) {
        if self.tx.send(message).is_err() {
            tracing::warn!("notification thread is gone; notification not shown");
        }
    }
}
