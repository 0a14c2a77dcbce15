//! Freedesktop notifications over D-Bus (Linux, BSD).

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use chrono::{Local, Utc};

use notify_rust::{Hint, Notification, NotificationHandle, Timeout, Urgency};

use crate::notify::Message;
use svetofor_desktop_model::notification::{self, MarkupRules, OsNotification, ShownIds};

/// Notifications whose handles are kept. A handle holds its D-Bus connection, and GNOME
/// drops notifications whose connection closed.
const KEEP: usize = 32;

/// The action key notify-rust and servers use for a click on the notification itself.
const DEFAULT_ACTION: &str = "default";

fn rules() -> MarkupRules {
    let caps = notify_rust::get_capabilities().unwrap_or_default();
    let name = notify_rust::get_server_information()
        .map(|i| i.name)
        .unwrap_or_default();
    let rules = MarkupRules::freedesktop(&caps);
    tracing::info!(server = %name, ?caps, ?rules, "notification server");
    rules
}

fn build(n: &OsNotification, details: &str) -> Notification {
    let mut out = Notification::new();
    out.appname("Svetofor")
        .summary(&n.summary)
        .body(&n.body)
        .icon("dialog-warning")
        .action(DEFAULT_ACTION, details)
        .hint(Hint::Category("network".into()))
        .urgency(match n.urgency {
            notification::Urgency::Low => Urgency::Low,
            notification::Urgency::Normal => Urgency::Normal,
            notification::Urgency::Critical => Urgency::Critical,
        })
        .timeout(match n.urgency {
            notification::Urgency::Critical => Timeout::Never,
            _ => Timeout::Default,
        });
    out
}

pub fn run(
    rx: Receiver<Message>,
    store: PathBuf,
    on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    let rules = rules();
    // What earlier runs showed: an update after a restart replaces it rather than stacking.
    let shown = std::fs::read_to_string(&store)
        .map(|t| ShownIds::from_json(&t))
        .unwrap_or_default();
    let shown = Arc::new(Mutex::new(shown));
    listen_for_actions(shown.clone(), on_activate);
    let mut handles: HashMap<String, NotificationHandle> = HashMap::new();
    let mut order: VecDeque<String> = VecDeque::new();
    // The last confirmation's handle: GNOME drops a notification whose connection closed.
    let mut done: Option<NotificationHandle> = None;
    for message in rx {
        let (alert, cat) = match message {
            Message::Alert(alert, cat) => (alert, cat),
            Message::Done { summary, body } => {
                let mut n = Notification::new();
                n.appname("Svetofor")
                    .summary(&summary)
                    .body(&if rules.body {
                        notification::escape_markup(&body)
                    } else {
                        body
                    })
                    .icon("edit-copy")
                    .urgency(Urgency::Low);
                if let Some(id) = done.as_ref().map(|h| h.id()) {
                    n.id(id);
                }
                match n.show() {
                    Ok(h) => done = Some(h),
                    Err(e) => tracing::warn!("confirmation not shown: {e}"),
                }
                continue;
            }
        };
        let n = notification::for_alert(&cat, &alert, rules, Utc::now(), *Local::now().offset());
        let mut fresh = build(&n, &cat.t("notify-action-details"));
        let result = match handles.get_mut(&n.notice_id) {
            Some(handle) => {
                **handle = fresh;
                handle.update().map(|_| handle.id())
            }
            None => {
                let earlier = shown.lock().ok().and_then(|s| s.get(&n.notice_id));
                if let Some(id) = earlier {
                    fresh.id(id);
                }
                fresh.show().map(|handle| {
                    let id = handle.id();
                    handles.insert(n.notice_id.clone(), handle);
                    order.push_back(n.notice_id.clone());
                    id
                })
            }
        };
        match result {
            Ok(id) => {
                tracing::info!(notice = %n.notice_id, id, reason = ?alert.reason, "notification shown");
                if let Ok(mut s) = shown.lock() {
                    s.shown(&n.notice_id, id);
                    let stored = svetofor_atomic::write_atomic(
                        &store,
                        s.to_json().as_bytes(),
                        svetofor_atomic::Mode::Private,
                    );
                    if let Err(e) = stored {
                        tracing::warn!("cannot store notification ids in {}: {e}", store.display());
                    }
                }
            }
            Err(e) => tracing::warn!(notice = %n.notice_id, "notification failed: {e}"),
        }
        while order.len() > KEEP {
            if let Some(old) = order.pop_front() {
                handles.remove(&old);
            }
        }
    }
}

/// Follows `ActionInvoked` on a connection of its own: notify-rust's own waiting consumes
/// the handle, which must stay alive to update the notification.
fn listen_for_actions(
    ids: Arc<Mutex<ShownIds>>,
    on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    use crate::dbus_signals::{Bus, Signal, follow};
    let signal = Signal {
        service: "org.freedesktop.Notifications",
        path: "/org/freedesktop/Notifications",
        interface: "org.freedesktop.Notifications",
        member: "ActionInvoked",
    };
    follow(
        "notification actions",
        Bus::Session,
        signal,
        false,
        move |msg| {
            let Ok((id, _action)) = msg.body().deserialize::<(u32, String)>() else {
                return;
            };
            let notice = ids
                .lock()
                .ok()
                .and_then(|m| m.notice_of(id).map(str::to_owned));
            if let Some(notice) = notice {
                tracing::info!(notice = %notice, "notification activated");
                on_activate(notice);
            }
        },
    );
}
