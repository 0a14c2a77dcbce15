//! Notifications on Windows and macOS: their notification centres group by app and show
//! text as is, so no markup escaping and no handles to keep.

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use notify_rust::Notification;
use svetofor_client::alerts::Alert;
use svetofor_desktop_model::i18n::Catalog;
use svetofor_desktop_model::notification::{self, MarkupRules};

pub fn run(
    rx: Receiver<(Alert, Arc<Catalog>)>,
    _store: std::path::PathBuf,
    _on_activate: impl Fn(String) + Send + Sync + 'static,
) {
    for (alert, cat) in rx {
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
