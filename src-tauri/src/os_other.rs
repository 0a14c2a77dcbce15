//! Notifications on Windows and macOS: their notification centres group by app and show
//! text as is, so no markup escaping and no handles to keep.

use std::sync::mpsc::Receiver;

use notify_rust::Notification;
use svetofor_client::alerts::Alert;
use svetofor_client::i18n::{Catalog, Lang};
use svetofor_client::notification::{self, MarkupRules};

pub fn run(lang: Lang, rx: Receiver<Alert>, _on_activate: impl Fn(String) + Send + Sync + 'static) {
    let cat = Catalog::new(lang);
    for alert in rx {
        let n = notification::for_alert(&cat, &alert, MarkupRules::NONE);
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
