//! What the shell remembers between events: the view and the decisions made on it.

use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_client::banner::{Banner, BannerModel};
use svetofor_client::engine::Health;
use svetofor_client::i18n::{Catalog, Lang};
use svetofor_client::tray::{TrayContext, TrayModel};
use svetofor_client::view::ViewState;

/// Everything behind one lock; held only for plain-data work, never across I/O.
pub struct Inner {
    /// The last view from the engine.
    pub view: ViewState,
    /// Banner rules and memory.
    pub banner: Banner,
    /// What the banner window shows (or last showed).
    pub banner_model: Option<BannerModel>,
    /// Notifications paused until then.
    pub paused_until: Option<DateTime<Utc>>,
    /// The tray as last drawn.
    pub drawn_tray: Option<TrayModel>,
    /// The notice the details window should show first.
    pub focus: Option<String>,
}

/// Shared app state.
pub struct AppState {
    inner: Mutex<Inner>,
    /// The UI language's messages.
    pub cat: Catalog,
    /// The settings side of diagnostics.
    pub diag: crate::app::DiagSetup,
    /// How the engine's sources are doing (set once the engine starts).
    pub health: Mutex<Option<Health>>,
}

impl AppState {
    pub fn new(lang: Lang, setup_problem: Option<String>, diag: crate::app::DiagSetup) -> Self {
        let mut view = ViewState::unknown();
        if let Some(p) = &setup_problem {
            view.stale_reason = Some(p.clone());
        }
        AppState {
            inner: Mutex::new(Inner {
                view,
                banner: Banner::new(),
                banner_model: None,
                paused_until: None,
                drawn_tray: None,
                focus: None,
            }),
            cat: Catalog::new(lang),
            diag,
            health: Mutex::new(None),
        }
    }

    /// Runs `f` on the state. A panic elsewhere while holding the lock leaves plain data
    /// behind, which is still usable.
    pub fn with<T>(&self, f: impl FnOnce(&mut Inner, &Catalog) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard, &self.cat)
    }
}

/// The user's time zone now (it may change while the app runs).
pub fn local_tz() -> FixedOffset {
    *chrono::Local::now().offset()
}

impl Inner {
    /// The tray context right now.
    pub fn tray_context<'a>(&self, cat: &'a Catalog, now: DateTime<Utc>) -> TrayContext<'a> {
        TrayContext {
            cat,
            now,
            tz: local_tz(),
            banner_open: self.banner.is_open(),
            paused_until: self.paused_until,
        }
    }

    /// Notifications are paused.
    pub fn paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|u| u > now)
    }
}
