//! What the shell remembers between events: the view and the decisions made on it, the
//! settings in effect, and the running engine.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, FixedOffset, Utc};
use svetofor_client::config::{self, Config};
use svetofor_client::engine::Health;
use svetofor_client::view::ViewState;
use svetofor_desktop_model::banner::{Banner, BannerModel};
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::problem::SetupProblem;
use svetofor_desktop_model::tray::{TrayContext, TrayModel};

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
    /// What is wrong with this computer's setup, if anything.
    pub problem: Option<SetupProblem>,
}

/// What the command line set for this run; it wins over the files until the app quits.
#[derive(Debug, Clone, Default)]
pub struct CommandLineSettings {
    /// `--feed`.
    pub feeds: Vec<String>,
    /// `--pubkey`.
    pub pubkeys: Vec<String>,
    pub interval: Option<u64>,
}

impl CommandLineSettings {
    /// The borrowed form the configuration code takes.
    pub fn as_config(&self) -> config::CommandLine<'_> {
        config::CommandLine {
            feeds: &self.feeds,
            pubkeys: &self.pubkeys,
            interval: self.interval,
        }
    }
}

/// The settings of this run: the files they come from, the command line, and the
/// effective configuration (replaced when the settings window saves).
pub struct RunSettings {
    /// The effective configuration from the files, or why the policy could not be read.
    pub config: Result<Config, String>,
    /// What is wrong with the files (a broken user file is set aside, not an error above).
    pub problem: Option<SetupProblem>,
    /// The user's settings file.
    pub user_file: Option<PathBuf>,
    pub policy_file: PathBuf,
    /// What the command line set.
    pub command_line: CommandLineSettings,
    /// The cache folder the engine uses (`--cache-dir`, else the default).
    pub cache_dir: PathBuf,
}

impl RunSettings {
    /// `--feed` replaced the configured feeds: a one-off run that leaves login alone.
    pub fn feeds_override(&self) -> bool {
        !self.command_line.feeds.is_empty()
    }
}

/// Shared app state.
pub struct AppState {
    inner: Mutex<Inner>,
    /// The UI language's messages; replaced when the language changes.
    cat: RwLock<Arc<Catalog>>,
    /// The settings in effect.
    pub settings: Mutex<RunSettings>,
    /// How the engine's sources are doing (set while an engine runs).
    pub health: Mutex<Option<Health>>,
    /// The running engine's tasks, stopped when the settings change.
    pub engine: tokio::sync::Mutex<Option<crate::app::EngineTasks>>,
}

impl AppState {
    pub fn new(lang: Lang, settings: RunSettings) -> Self {
        AppState {
            inner: Mutex::new(Inner {
                view: ViewState::unknown(),
                banner: Banner::new(),
                banner_model: None,
                paused_until: None,
                drawn_tray: None,
                focus: None,
                problem: None,
            }),
            cat: RwLock::new(Arc::new(Catalog::new(lang))),
            settings: Mutex::new(settings),
            health: Mutex::new(None),
            engine: tokio::sync::Mutex::new(None),
        }
    }

    /// The UI language's messages now.
    pub fn cat(&self) -> Arc<Catalog> {
        self.cat.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Switches the UI language.
    pub fn set_lang(&self, lang: Lang) {
        *self.cat.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Catalog::new(lang));
    }

    /// Runs `f` on the state. A panic elsewhere while holding the lock leaves plain data
    /// behind, which is still usable.
    pub fn with<T>(&self, f: impl FnOnce(&mut Inner, &Catalog) -> T) -> T {
        let cat = self.cat();
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard, &cat)
    }

    /// Runs `f` on the settings in effect.
    pub fn settings<T>(&self, f: impl FnOnce(&mut RunSettings) -> T) -> T {
        let mut guard = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// The user's time zone now (it may change while the app runs).
pub fn local_tz() -> FixedOffset {
    *chrono::Local::now().offset()
}

impl Inner {
    /// The tray context right now.
    pub fn tray_context<'a>(&'a self, cat: &'a Catalog, now: DateTime<Utc>) -> TrayContext<'a> {
        TrayContext {
            cat,
            now,
            tz: local_tz(),
            banner_open: self.banner.is_open(),
            paused_until: self.paused_until,
            problem: self.problem.as_ref(),
        }
    }

    /// Notifications are paused.
    pub fn paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|u| u > now)
    }
}
