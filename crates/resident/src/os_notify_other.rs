//! Notifications on Windows and macOS: their notification centres group by app and show
//! text as is, so no markup escaping and no handles to keep.

use std::sync::mpsc::Receiver;

use notify_rust::Notification;

use crate::notify::Message;
use svetofor_desktop_model::notification::{self, MarkupRules};

pub fn run(
    rx: Receiver<Message>,
    _store: std::path::PathBuf,
    _on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    for message in rx {
        let (alert, cat) = match message {
            Message::Alert(alert, cat) => (alert, cat),
            Message::Done { summary, body } => {
                if let Err(e) = Notification::new().summary(&summary).body(&body).show() {
                    tracing::warn!("confirmation not shown: {e}");
                }
                continue;
            }
        };
        let n = notification::for_alert(
            &cat,
            &alert,
            MarkupRules::NONE,
            chrono::Utc::now(),
            *chrono::Local::now().offset(),
        );
        if let Err(e) = Notification::new()
            .summary(&n.summary)
            .body(&n.body)
            .show()
            .map(|_| ())
        {
            tracing::warn!(notice = %n.notice_id, "notification failed: {e}");
        }
    }
}
