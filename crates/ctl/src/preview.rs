//! The console's preview and the in-product banner, as the server's `Previewer` asks for them:
//! drawn by `svetofor_desktop_model::preview` (the desktop's own models and words), mapped to
//! the server's plain types here so the server links no desktop code.

use svetofor_desktop_model::banner::BannerModel;
use svetofor_desktop_model::i18n::Lang;
use svetofor_desktop_model::preview::{self, Ask};
use svetofor_feed::{Notice, Snapshot};
use svetofor_server::web::console::preview::{
    BannerPreview, InProduct, InProductAsk, InProductBanner, InProductRecovery, Preview, Previewer,
};

/// Previews from the desktop models, in the writer's zone.
#[derive(Debug, Default)]
pub struct DesktopPreview;

impl Previewer for DesktopPreview {
    fn preview(&self, notice: &Notice, lang: &str, offset_minutes: i32) -> Option<Preview> {
        let p = preview::notice(notice, Lang::read(lang), offset_minutes)?;
        Some(Preview {
            severity: p.severity,
            banner: p.banner.map(|m| BannerPreview {
                word: m.word,
                title: m.title,
                line: m.line,
                when: m.since,
                next_update: m.next_update,
            }),
            tray: p.tray,
            notification: p.notification,
        })
    }

    fn in_product(&self, snapshot: &Snapshot, ask: &InProductAsk) -> InProduct {
        let shown = preview::in_product(
            snapshot,
            &Ask {
                lang: Lang::read(&ask.lang),
                components: &ask.components,
                min: ask.min,
                offset_minutes: ask.offset_minutes,
                now: ask.now,
            },
        );
        InProduct {
            banner: shown.banner.map(|(m, dismiss)| words(m, dismiss)),
            recovery: shown.recovery.map(|(m, until)| InProductRecovery {
                banner: words(m, vec![]),
                until,
            }),
        }
    }
}

/// The in-product banner's words from the desktop banner's model.
fn words(m: BannerModel, dismiss: Vec<String>) -> InProductBanner {
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
