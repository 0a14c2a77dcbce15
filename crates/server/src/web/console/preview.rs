//! The live preview beside the compose form: what desktops will show of the notice, in both
//! languages. The console does not draw it itself: a [`Previewer`] given at start (by
//! `svetoforctl serve`, from the desktop app's own models) says what the banner, the tray
//! and the notification would read, so the preview cannot drift from the app.

use svetofor_feed::{Notice, Severity, Snapshot};

/// What employees would see of one notice, in one language. All plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub severity: Severity,
    /// The banner, when the notice opens one (not planned maintenance, not news).
    pub banner: Option<BannerPreview>,
    /// The tray's first menu line.
    pub tray: String,
    /// The OS notification: summary and body, when the notice notifies.
    pub notification: Option<(String, String)>,
}

/// The banner strip's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerPreview {
    /// "Outage", "Maintenance"…
    pub word: String,
    pub title: String,
    /// The first line of the text.
    pub line: String,
    /// "since 14:25", "until 16:00".
    pub when: String,
    /// "next update by 15:00", when support promised one.
    pub next_update: Option<String>,
}

/// Renders previews from the desktop app's models.
pub trait Previewer: Send + Sync + std::fmt::Debug {
    /// The preview of `notice` as the only notice of a feed, in `lang` (`ru`, `en`), its
    /// times in the writer's zone (`offset_minutes` east of UTC).
    fn preview(&self, notice: &Notice, lang: &str, offset_minutes: i32) -> Option<Preview>;

    /// The in-product banner (`/embed.js`) for a whole feed: what the desktop banner would
    /// show now, by the desktop's own rules and words.
    fn in_product(&self, snapshot: &Snapshot, ask: &InProductAsk) -> InProduct;
}

/// What a product page asks of the in-product banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProductAsk {
    /// `ru` or `en`.
    pub lang: String,
    /// Only notices about these components (and the whole product); empty: all.
    pub components: Vec<String>,
    /// Nothing below this; green lets news show too (a product page may want it, a desktop
    /// strip over every window never does).
    pub min: Severity,
    /// The reader's zone, minutes east of UTC, for "since 14:25".
    pub offset_minutes: i32,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// What the in-product banner may show now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InProduct {
    /// The worst of what is in effect; `None` when nothing is.
    pub banner: Option<InProductBanner>,
    /// The green "Resolved" banner for a notice that ended moments ago, for a page that was
    /// showing it (the desktop shows one for 30 s when a problem it knew ends).
    pub recovery: Option<InProductRecovery>,
}

/// A recovery banner and until when it shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InProductRecovery {
    /// Its words (green, "Устранено").
    #[serde(flatten)]
    pub banner: InProductBanner,
    /// It closes itself then.
    pub until: chrono::DateTime<chrono::Utc>,
}

/// The banner's words, all plain text for `textContent`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InProductBanner {
    pub severity: Severity,
    /// "Сбой", "Техработы": never colour alone.
    pub word: String,
    pub notice_id: String,
    pub title: String,
    pub line: String,
    /// "с 14:25", "до 16:00".
    pub since: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_update: Option<String>,
    pub overdue: bool,
    /// "+2 more".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more: Option<String>,
    /// The versions of everything the banner covers: a dismissal holds while every one of
    /// them is still the same (the desktop's rule: until a state or severity changes, for an
    /// outage until its next update, and until something new comes).
    pub dismiss: Vec<String>,
}
