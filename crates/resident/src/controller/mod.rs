//! The one owner of the desktop app's state. The tray menu, the engine, the timer, the
//! notifications, second starts and the window process all send [`Request`]s; one task takes
//! them in turn, asks `svetofor-desktop-model` what to show, and tells the shell (the tray) and
//! the window process. No locks: nothing else touches this state.

use std::collections::{BTreeSet, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;
use svetofor_client::config;
use svetofor_client::engine::{Engine, EngineEvent, EngineOptions, Health};
use svetofor_client::view::ViewState;
use svetofor_desktop_model::banner::{Banner, BannerCommand, BannerModel};
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::problem::SetupProblem;
use svetofor_desktop_model::settings::{self, SettingsForm};
use svetofor_desktop_model::tray::{self, MenuAction, TrayContext, TrayModel};
use svetofor_desktop_model::window_protocol::{Down, WindowKind};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::args::Open;
use crate::engine_tasks::EngineTasks;
use crate::notify::Notifier;
use crate::settings_ops::{self, SaveJob, SaveReply};
use crate::setup::{RunSettings, engine_options};
use crate::window_process::{self, FromWindows, WindowProcess};

mod windows;

/// How often time-dependent text ("5 min ago") and timers are looked at.
const TICK: Duration = Duration::from_secs(15);

/// Restarts of a window process that ended with windows open, within [`RESTART_WINDOW`],
/// before the app stops reopening them (until the user opens one again).
const RESTARTS: usize = 3;
const RESTART_WINDOW: Duration = Duration::from_secs(60);

/// Something for the controller to handle.
#[derive(Debug)]
pub enum Request {
    /// A tray menu item (by id).
    Menu(String),
    /// The engine said something.
    Engine(EngineEvent),
    /// Time passed.
    Tick,
    /// `--open` at start or from a second start.
    Open(Option<Open>),
    /// The user clicked the notification of this notice.
    NotificationClicked(String),
    /// The window process said something, or ended.
    Windows {
        /// Which start of the window process.
        generation: u64,
        /// What.
        event: FromWindows,
    },
    /// A feed check finished (for the window process of `generation`).
    Checked {
        /// Which start of the window process asked.
        generation: u64,
        /// Its request id.
        id: u64,
        /// The report.
        report: Value,
    },
}

/// What the shell (the event loop's thread) is told to do.
#[derive(Debug)]
pub enum ShellEvent {
    /// Draw the tray.
    Tray(TrayModel),
    /// Quit the app.
    Quit,
}

/// The window process and which of its windows are open.
struct Windows {
    program: PathBuf,
    process: Option<WindowProcess>,
    generation: u64,
    /// Windows open or asked for: reopened if the process ends unasked.
    open: BTreeSet<WindowKind>,
    /// Closes of the banner asked for and not yet confirmed: their `Closed` is not the user's.
    banner_closes: u32,
    /// When the window process was restarted unasked.
    restarts: VecDeque<Instant>,
}

/// The app's state, and everything that changes it.
pub struct Controller {
    requests: UnboundedSender<Request>,
    shell: Box<dyn Fn(ShellEvent) + Send>,
    cat: Arc<Catalog>,
    view: ViewState,
    banner: Banner,
    banner_model: Option<BannerModel>,
    paused_until: Option<DateTime<Utc>>,
    drawn_tray: Option<TrayModel>,
    /// The notice the details window shows first.
    focus: Option<String>,
    /// What is wrong with this computer's setup, if anything.
    problem: Option<SetupProblem>,
    settings: RunSettings,
    health: Option<Health>,
    engine: Option<EngineTasks>,
    windows: Windows,
    notifier: Notifier,
    /// Kept while the app runs: on X11 the copied text lives as long as its owner.
    clipboard: Option<arboard::Clipboard>,
}

/// The user's time zone now (it may change while the app runs).
fn local_tz() -> FixedOffset {
    *chrono::Local::now().offset()
}

impl Controller {
    /// A controller for `settings` in `lang`; `shell` draws on the event loop's thread.
    pub fn new(
        lang: Lang,
        settings: RunSettings,
        requests: UnboundedSender<Request>,
        shell: Box<dyn Fn(ShellEvent) + Send>,
    ) -> Controller {
        let store = settings.cache_dir.join("notifications.json");
        let clicks = requests.clone();
        let notifier = Notifier::start(store, move |notice| {
            let _ = clicks.send(Request::NotificationClicked(notice));
        });
        Controller {
            requests,
            shell,
            cat: Arc::new(Catalog::new(lang)),
            view: ViewState::unknown(),
            banner: Banner::new(),
            banner_model: None,
            paused_until: None,
            drawn_tray: None,
            focus: None,
            problem: None,
            settings,
            health: None,
            engine: None,
            windows: Windows {
                program: window_process::program(),
                process: None,
                generation: 0,
                open: BTreeSet::new(),
                banner_closes: 0,
                restarts: VecDeque::new(),
            },
            notifier,
            clipboard: None,
        }
    }

    /// Takes requests until the user quits.
    pub async fn run(mut self, mut requests: UnboundedReceiver<Request>) {
        self.refresh_tray();
        let ticks = self.requests.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(TICK).await;
                if ticks.send(Request::Tick).is_err() {
                    break;
                }
            }
        });
        self.restart_engine().await;
        while let Some(request) = requests.recv().await {
            if !self.handle(request).await {
                break;
            }
        }
        // Closing the window process's stdin ends it.
        self.windows.process = None;
        (self.shell)(ShellEvent::Quit);
    }

    /// Handles one request; `false` when the app is to quit.
    async fn handle(&mut self, request: Request) -> bool {
        match request {
            Request::Menu(id) => {
                let Some(action) = MenuAction::from_id(&id) else {
                    return true;
                };
                tracing::info!(?action, "menu");
                return self.on_menu(action);
            }
            Request::Engine(EngineEvent::State(view)) => {
                tracing::info!(status = ?view.status, freshness = ?view.freshness, notices = view.notices.len(), "view");
                let cmd = self
                    .banner
                    .on_view(&self.cat, &view, Utc::now(), local_tz());
                self.view = view;
                self.apply_banner(cmd);
                self.refresh_details();
            }
            Request::Engine(EngineEvent::Alert(alert)) => {
                if self.paused(Utc::now()) {
                    tracing::info!(notice = %alert.notice_id, "notification held back: paused");
                } else {
                    self.notifier.show(alert, self.cat.clone());
                }
            }
            Request::Tick => {
                let cmd = self
                    .banner
                    .on_tick(&self.cat, &self.view, Utc::now(), local_tz());
                self.apply_banner(cmd);
            }
            Request::Open(open) => self.open_requested(open),
            Request::NotificationClicked(notice) => self.open_details(Some(notice)),
            Request::Windows { generation, event } => {
                if generation == self.windows.generation {
                    match event {
                        FromWindows::Message(up) => self.on_window(up).await,
                        FromWindows::Exited { success, how } => self.on_window_exit(success, &how),
                    }
                }
            }
            Request::Checked {
                generation,
                id,
                report,
            } => {
                if generation == self.windows.generation {
                    self.send(Down::Reply {
                        id,
                        result: Ok(report),
                    });
                }
            }
        }
        true
    }

    fn paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|u| u > now)
    }

    fn tray_context(&self, now: DateTime<Utc>) -> TrayContext<'_> {
        TrayContext {
            cat: &self.cat,
            now,
            tz: local_tz(),
            banner_open: self.banner.is_open(),
            paused_until: self.paused_until,
            problem: self.problem.as_ref(),
        }
    }

    /// Redraws the tray if it changed.
    fn refresh_tray(&mut self) {
        let model = tray::model(&self.view, &self.tray_context(Utc::now()));
        if self.drawn_tray.as_ref() == Some(&model) {
            return;
        }
        self.drawn_tray = Some(model.clone());
        (self.shell)(ShellEvent::Tray(model));
    }

    /// A tray menu item; `false` for Quit.
    fn on_menu(&mut self, action: MenuAction) -> bool {
        match action {
            MenuAction::Notice(id) => self.open_details(Some(id)),
            MenuAction::Details => self.open_details(None),
            MenuAction::Settings => self.open_settings(),
            MenuAction::ShowBanner => {
                let cmd = self
                    .banner
                    .show(&self.cat, &self.view, Utc::now(), local_tz());
                self.apply_banner(cmd);
            }
            MenuAction::HideBanner => {
                let cmd = self.banner.dismiss(&self.view);
                self.apply_banner(cmd);
            }
            MenuAction::Pause => {
                self.paused_until = Some(Utc::now() + chrono::TimeDelta::hours(1));
                self.refresh_tray();
            }
            MenuAction::Resume => {
                self.paused_until = None;
                self.refresh_tray();
            }
            MenuAction::CopyDiagnostics => self.copy_diagnostics(),
            MenuAction::Quit => return false,
        }
        true
    }

    /// Handles `--open` (at start, or from a second start).
    fn open_requested(&mut self, open: Option<Open>) {
        match open {
            Some(Open::Banner) => {
                let _ = self.on_menu(MenuAction::ShowBanner);
            }
            Some(Open::Settings) => self.open_settings(),
            Some(Open::Details) | None => self.open_details(None),
        }
    }

    /// Puts a diagnostics report on the clipboard.
    fn copy_diagnostics(&mut self) {
        let sources = self
            .health
            .as_ref()
            .map(|h| h.sources())
            .unwrap_or_default();
        let s = &self.settings;
        let text = svetofor_desktop_model::diagnostics::report(
            &svetofor_desktop_model::diagnostics::Inputs {
                version: env!("CARGO_PKG_VERSION"),
                language: self.cat.lang().tag(),
                config: s.config.as_ref().map_err(String::as_str),
                user_file: s.user_file.as_deref(),
                policy_file: &s.policy_file,
                feeds_override: s.feeds_override(),
                sources: &sources,
                view: &self.view,
                cache_dir: Some(&s.cache_dir),
                now: Utc::now(),
            },
        );
        if self.clipboard.is_none() {
            match arboard::Clipboard::new() {
                Ok(c) => self.clipboard = Some(c),
                Err(e) => {
                    tracing::warn!("cannot copy diagnostics: {e}");
                    return;
                }
            }
        }
        let copied = self.clipboard.as_mut().map(|c| c.set_text(text));
        match copied {
            Some(Ok(())) => {
                tracing::info!("diagnostics copied to the clipboard");
                self.notifier.done(
                    self.cat.t("diagnostics-copied"),
                    self.cat.t("diagnostics-copied-body"),
                );
            }
            Some(Err(e)) => tracing::warn!("cannot copy diagnostics: {e}"),
            None => {}
        }
    }

    // ---- windows ----

    /// Validates and saves the settings window's form, then puts it into effect.
    async fn save_settings(&mut self, form: SettingsForm) -> SaveReply {
        let job = SaveJob::of(&self.settings);
        let cat = self.cat.clone();
        let done = tokio::task::spawn_blocking(move || job.run(&form, &cat)).await;
        match done {
            Ok(Ok(cfg)) => {
                self.apply_settings(cfg).await;
                SaveReply::saved(settings_ops::state(
                    &self.settings,
                    &self.cat,
                    &self.view.components,
                ))
            }
            Ok(Err(refused)) => refused,
            Err(e) => {
                tracing::error!("settings save failed: {e}");
                SaveReply::internal(&self.cat, e.to_string())
            }
        }
    }

    // ---- engine and settings ----

    /// Stops the engine if one runs, and starts one with the settings in effect. The new
    /// engine shows the cached status at once and keeps the alert memory, so nothing notifies
    /// twice.
    async fn restart_engine(&mut self) {
        if let Some(old) = self.engine.take() {
            old.stop().await;
            tracing::info!("engine stopped for new settings");
        }
        // What the stopped engine last heard vouches for the cache the new one starts from, so
        // a settings save does not flash the tray offline.
        let heard_at = self.health.as_ref().and_then(|h| h.last_heard());
        let lang = self.cat.lang();
        let opts = engine_options(&self.settings, lang).map(|mut o| {
            o.heard_at = heard_at;
            o
        });
        let problem = match opts.map(Engine::new) {
            Ok(Ok((engine, rx))) => {
                self.health = Some(engine.health());
                crate::network::wake_on_change(engine.waker());
                self.problem = self.settings.problem.clone();
                self.engine = Some(EngineTasks::spawn(engine, rx, self.requests.clone()));
                self.refresh_tray();
                return;
            }
            Ok(Err(e)) => SetupProblem::Engine {
                detail: e.to_string(),
            },
            Err(problem) => problem,
        };
        tracing::error!(?problem, "the feed is not followed");
        self.health = None;
        let cache_only = matches!(problem, SetupProblem::Policy { .. });
        self.problem = Some(problem);
        if cache_only {
            // Nothing is checked, but the last status this computer verified is still the best
            // an employee can have: shown from the cache, marked as old.
            let mut opts = EngineOptions::new(vec![], self.settings.cache_dir.clone());
            opts.language = lang.tag().to_owned();
            if let Ok((engine, rx)) = Engine::new(opts) {
                self.engine = Some(EngineTasks::spawn(engine, rx, self.requests.clone()));
            }
        } else {
            // Nothing follows the feed any more: show that, not the last status as if live.
            self.view = ViewState::unknown();
            self.close_banner();
        }
        self.refresh_tray();
        self.refresh_details();
    }

    /// Puts saved settings into effect without a restart: the language of every window, the
    /// engine (when anything it uses changed), and start at login.
    async fn apply_settings(&mut self, new: config::Config) {
        let old = std::mem::replace(&mut self.settings.config, Ok(new.clone()));
        let changes = match &old {
            Ok(old) => settings::changes(old, &new),
            Err(_) => settings::Changes {
                language: true,
                engine: true,
                autostart: true,
            },
        };
        tracing::info!(?changes, "settings saved");
        let lang = Lang::from_config(&new.language);
        if lang != self.cat.lang() {
            self.cat = Arc::new(Catalog::new(lang));
            self.send(self.words());
        }
        if changes.engine || self.engine.is_none() {
            self.restart_engine().await;
        }
        if changes.autostart {
            crate::autostart::apply(new.autostart);
        }
        // Redraw what is open in the (maybe new) language.
        let cmd = match &self.banner_model {
            Some(m) if self.banner.is_open() && !m.recovery => {
                self.banner
                    .show(&self.cat, &self.view, Utc::now(), local_tz())
            }
            _ => BannerCommand::Nothing,
        };
        self.apply_banner(cmd);
        self.refresh_details();
    }
}
