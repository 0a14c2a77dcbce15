//! Freedesktop notifications over D-Bus (Linux, BSD).

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use notify_rust::{Hint, Notification, NotificationHandle, Timeout, Urgency};
use svetofor_client::alerts::Alert;
use svetofor_desktop_model::i18n::Catalog;
use svetofor_desktop_model::notification::{self, MarkupRules, OsNotification};

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
    rx: Receiver<(Alert, Arc<Catalog>)>,
    on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    let rules = rules();
    let ids: Arc<Mutex<HashMap<u32, String>>> = Arc::default();
    listen_for_actions(ids.clone(), on_activate);
    let mut handles: HashMap<String, NotificationHandle> = HashMap::new();
    let mut order: VecDeque<String> = VecDeque::new();
    for (alert, cat) in rx {
        let n = notification::for_alert(&cat, &alert, rules);
        let fresh = build(&n, &cat.t("notify-action-details"));
        let shown = match handles.get_mut(&n.notice_id) {
            Some(handle) => {
                **handle = fresh;
                handle.update().map(|_| handle.id())
            }
            None => fresh.show().map(|handle| {
                let id = handle.id();
                handles.insert(n.notice_id.clone(), handle);
                order.push_back(n.notice_id.clone());
                id
            }),
        };
        match shown {
            Ok(id) => {
                tracing::info!(notice = %n.notice_id, id, reason = ?alert.reason, "notification shown");
                if let Ok(mut ids) = ids.lock() {
                    ids.insert(id, n.notice_id.clone());
                }
            }
            Err(e) => tracing::warn!(notice = %n.notice_id, "notification failed: {e}"),
        }
        while order.len() > KEEP {
            if let Some(old) = order.pop_front()
                && let Some(h) = handles.remove(&old)
                && let Ok(mut ids) = ids.lock()
            {
                ids.remove(&h.id());
            }
        }
    }
}

/// Follows `ActionInvoked` on a connection of its own: notify-rust's own waiting consumes
/// the handle, which must stay alive to update the notification.
fn listen_for_actions(
    ids: Arc<Mutex<HashMap<u32, String>>>,
    on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    let spawned = std::thread::Builder::new()
        .name("notification-actions".into())
        .spawn(move || {
            let result = (|| -> zbus::Result<()> {
                let conn = zbus::blocking::Connection::session()?;
                let proxy = zbus::blocking::Proxy::new(
                    &conn,
                    "org.freedesktop.Notifications",
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications",
                )?;
                for msg in proxy.receive_signal("ActionInvoked")? {
                    let Ok((id, _action)) = msg.body().deserialize::<(u32, String)>() else {
                        continue;
                    };
                    let notice = ids.lock().ok().and_then(|m| m.get(&id).cloned());
                    if let Some(notice) = notice {
                        tracing::info!(notice = %notice, "notification activated");
                        on_activate(notice);
                    }
                }
                Ok(())
            })();
            if let Err(e) = result {
                tracing::warn!("notification actions unavailable: {e}");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot follow notification actions: {e}");
    }
}
