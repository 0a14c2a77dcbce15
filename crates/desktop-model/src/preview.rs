//! What a desktop would show of a notice or a feed, for pages that show it elsewhere: the
//! console's preview beside the compose form, and the in-product banner (`/embed.json`).
//! The same models and words the app draws, so the two cannot drift apart.

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_client::alerts::{Memory, NotifyPolicy, decide};
use svetofor_client::view;
use svetofor_feed::{Feed, Notice, Severity, Snapshot};

use crate::banner::{self, Banner, BannerCommand, BannerModel};
use crate::i18n::{Catalog, Lang};
use crate::notification::{self, MarkupRules};
use crate::tray;

/// What employees would see of one notice, in one language, in UTC.
#[derive(Debug, Clone)]
pub struct NoticePreview {
    pub severity: Severity,
    /// The banner, when the notice opens one (not planned maintenance, not news).
    pub banner: Option<BannerModel>,
    /// The tray's first menu line.
    pub tray: String,
    /// The OS notification: summary and body, when the notice notifies.
    pub notification: Option<(String, String)>,
}

/// The preview of `notice` as the only notice of a feed.
pub fn notice(notice: &Notice, lang: Lang, offset_minutes: i32) -> Option<NoticePreview> {
    let cat = Catalog::new(lang);
    let now = Utc::now().max(notice.created_at);
    // The writer's zone, as the console's form says: what employees there will read.
    let utc = FixedOffset::east_opt(offset_minutes.clamp(-14 * 60, 14 * 60) * 60)?;
    let snapshot = Feed::of_notice(notice).into_snapshot();
    let view = view::build(&snapshot, now, &[], lang.tag());
    let banner = match Banner::new().on_view(&cat, &view, now, utc) {
        BannerCommand::Show(m) => Some(m),
        _ => None,
    };
    let notification = decide(
        &snapshot,
        now,
        &mut Memory::default(),
        NotifyPolicy::default(),
        &[],
        lang.tag(),
    )
    .into_iter()
    .next()
    .map(|a| {
        let n = notification::for_alert(&cat, &a, MarkupRules::NONE, now, utc);
        (n.summary, n.body)
    });
    Some(NoticePreview {
        severity: notice.severity,
        banner,
        tray: tray::status_line(&cat, &view, now, utc),
        notification,
    })
}

/// What a product page asks of the in-product banner.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub lang: Lang,
    /// Only notices about these components (and the whole product); empty: all.
    pub components: &'a [String],
    /// Nothing below this; green lets news show too.
    pub min: Severity,
    /// The reader's zone, minutes east of UTC.
    pub offset_minutes: i32,
    pub now: DateTime<Utc>,
}

/// What the in-product banner may show now, by the desktop banner's rules.
#[derive(Debug, Clone, Default)]
pub struct InProduct {
    /// The worst of what is in effect, with the versions a dismissal holds for.
    pub banner: Option<(BannerModel, Vec<String>)>,
    /// The green "Resolved" banner for a notice that ended moments ago, and until when.
    pub recovery: Option<(BannerModel, DateTime<Utc>)>,
}

/// The in-product banner for a whole feed.
pub fn in_product(snapshot: &Snapshot, ask: &Ask<'_>) -> InProduct {
    let Some(tz) = FixedOffset::east_opt(ask.offset_minutes.clamp(-14 * 60, 14 * 60) * 60) else {
        return InProduct::default();
    };
    let cat = Catalog::new(ask.lang);
    let mut view = view::build(snapshot, ask.now, ask.components, ask.lang.tag());
    let recovery = banner::recovered(&cat, &view, ask.now, tz);
    view.notices.retain(|n| n.severity >= ask.min);
    let news = ask.min == Severity::Green;
    let banner = banner::in_effect(&cat, &view, ask.now, tz, news);
    InProduct { banner, recovery }
}
