//! The console's preview drawn by the desktop app's own models (`svetofor-desktop-model`):
//! the banner, the tray line and the notification exactly as a desktop would word them.

use chrono::{FixedOffset, Utc};
use svetofor_client::alerts::{Memory, NotifyPolicy, decide};
use svetofor_client::view;
use svetofor_desktop_model::banner::{self, Banner, BannerCommand};
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::notification::{self, MarkupRules};
use svetofor_desktop_model::tray;
use svetofor_feed::{Notice, Snapshot};
use svetofor_server::web::console::preview::{
    BannerPreview, InProduct, InProductAsk, InProductBanner, InProductRecovery, Preview, Previewer,
    snapshot_of,
};

/// Previews from the desktop models, in UTC (the console says so).
#[derive(Debug, Default)]
pub struct DesktopPreview;

impl Previewer for DesktopPreview {
    fn preview(&self, notice: &Notice, lang: &str) -> Option<Preview> {
        let lang = match lang {
            "ru" => Lang::Ru,
            _ => Lang::En,
        };
        let cat = Catalog::new(lang);
        let now = Utc::now().max(notice.created_at);
        let utc = FixedOffset::east_opt(0)?;
        let snapshot = snapshot_of(notice);
        let view = view::build(&snapshot, now, &[], lang.tag());
        let banner = match Banner::new().on_view(&cat, &view, now, utc) {
            BannerCommand::Show(m) => Some(BannerPreview {
                word: m.word,
                title: m.title,
                line: m.line,
                when: m.since,
            }),
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
        Some(Preview {
            severity: notice.severity,
            banner,
            tray: tray::status_line(&cat, &view, now, utc),
            notification,
        })
    }

    fn in_product(&self, snapshot: &Snapshot, ask: &InProductAsk) -> InProduct {
        let lang = match ask.lang.as_str() {
            "ru" => Lang::Ru,
            _ => Lang::En,
        };
        let Some(tz) = FixedOffset::east_opt(ask.offset_minutes.clamp(-14 * 60, 14 * 60) * 60)
        else {
            return InProduct::default();
        };
        let cat = Catalog::new(lang);
        let mut view = view::build(snapshot, ask.now, &ask.components, lang.tag());
        let recovery =
            banner::recovered(&cat, &view, ask.now, tz).map(|(m, until)| InProductRecovery {
                banner: words(m, vec![]),
                until,
            });
        view.notices.retain(|n| n.severity >= ask.min);
        let news = ask.min == svetofor_feed::Severity::Green;
        let banner =
            banner::in_effect(&cat, &view, ask.now, tz, news).map(|(m, dismiss)| words(m, dismiss));
        InProduct { banner, recovery }
    }
}

/// The in-product banner's words from the desktop banner's model.
fn words(m: banner::BannerModel, dismiss: Vec<String>) -> InProductBanner {
    InProductBanner {
        severity: m.severity,
        word: m.word,
        notice_id: m.notice_id,
        title: m.title,
        line: m.line,
        since: m.since,
        next_update: m.next_update,
        overdue: m.overdue,
        more: m.more,
        dismiss,
    }
}
