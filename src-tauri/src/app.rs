//! Wiring: the engine's events become tray, banner, details and notification updates.

use std::time::Duration;

use chrono::Utc;
use svetofor_client::config;
use svetofor_client::engine::{Engine, EngineEvent, EngineOptions};
use svetofor_desktop_model::banner::BannerCommand;
use svetofor_desktop_model::details;
use svetofor_desktop_model::i18n::Lang;
use svetofor_desktop_model::problem::SetupProblem;
use svetofor_desktop_model::settings;
use svetofor_desktop_model::tray::{self, MenuAction};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::args::{Args, Open};
use crate::notify::Notifier;
use crate::state::{AppState, CommandLineSettings, RunSettings, local_tz};
use crate::{tray_ui, windows};

/// How often time-dependent text ("5 min ago") and timers are looked at.
const TICK: Duration = Duration::from_secs(15);

/// What a run starts with: the UI language and the settings.
pub struct Setup {
    /// UI language.
    pub lang: Lang,
    /// The settings of this run.
    pub settings: RunSettings,
}

/// The setup for this run: configuration files, then the command line.
pub fn setup(args: &Args) -> Setup {
    let user = args.config.clone().or_else(config::user_config_path);
    let policy = config::policy_path();
    let loaded = config::load_each(user.as_deref(), Some(&policy));
    let lang = Lang::from_config(&loaded.config.language);
    // A broken policy stops the checks (it may pin keys it no longer can); a broken user
    // file is set aside. Either way the user is told in their words, the admin in the log.
    let problem = match (&loaded.policy_error, &loaded.user_error) {
        (Some(e), _) => Some(SetupProblem::Policy {
            detail: e.to_string(),
        }),
        (None, Some(e)) => Some(SetupProblem::UserFile {
            detail: e.to_string(),
        }),
        (None, None) => None,
    };
    let cfg = match &loaded.policy_error {
        Some(e) => Err(e.to_string()),
        None => Ok(loaded.config),
    };
    let command_line = CommandLineSettings {
        feeds: args.feeds.clone(),
        pubkeys: args.pubkeys.clone(),
        interval: args.interval,
    };
    let settings = RunSettings {
        config: cfg,
        problem,
        user_file: user,
        policy_file: policy,
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(config::default_cache_dir),
        command_line,
    };
    Setup { lang, settings }
}

/// Puts a diagnostics report on the clipboard.
fn copy_diagnostics<R: Runtime>(app: &AppHandle<R>) {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    let state = app.state::<AppState>();
    let sources = state
        .health
        .lock()
        .ok()
        .and_then(|h| h.clone())
        .map(|h| h.sources())
        .unwrap_or_default();
    let text = state.settings(|d| {
        state.with(|s, cat| {
            svetofor_desktop_model::diagnostics::report(
                &svetofor_desktop_model::diagnostics::Inputs {
                    version: env!("CARGO_PKG_VERSION"),
                    language: cat.lang().tag(),
                    config: d.config.as_ref().map_err(String::as_str),
                    user_file: d.user_file.as_deref(),
                    policy_file: &d.policy_file,
                    feeds_override: d.feeds_override(),
                    sources: &sources,
                    view: &s.view,
                    cache_dir: Some(&d.cache_dir),
                    now: Utc::now(),
                },
            )
        })
    });
    match app.clipboard().write_text(text) {
        Ok(()) => {
            tracing::info!("diagnostics copied to the clipboard");
            let cat = state.cat();
            app.state::<Notifier>().done(
                cat.t("diagnostics-copied"),
                cat.t("diagnostics-copied-body"),
            );
        }
        Err(e) => tracing::warn!("cannot copy diagnostics: {e}"),
    }
}

/// The engine options for the settings in effect, or why there are none.
fn engine_options(settings: &RunSettings, lang: Lang) -> Result<EngineOptions, SetupProblem> {
    let mut cfg = settings
        .config
        .clone()
        .map_err(|detail| SetupProblem::Policy { detail })?;
    let engine = |detail: String| SetupProblem::Engine { detail };
    cfg.apply_command_line(settings.command_line.as_config())
        .map_err(|e| engine(e.to_string()))?;
    if cfg.feeds.is_empty() {
        tracing::error!(
            "no feed: set feeds in the configuration or policy, or start with --feed URL"
        );
        return Err(SetupProblem::NoFeed);
    }
    let mut opts = EngineOptions::from_config(&cfg, settings.cache_dir.clone())
        .map_err(|e| engine(e.to_string()))?;
    // Notices in the UI language when they carry it.
    opts.language = lang.tag().to_owned();
    Ok(opts)
}

/// Redraws the tray from the state if it changed.
pub fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let (drawn, model) = state.with(|s, cat| {
        let model = tray::model(&s.view, &s.tray_context(cat, Utc::now()));
        let drawn = s.drawn_tray.replace(model.clone());
        (drawn, model)
    });
    if drawn.as_ref() == Some(&model) {
        return;
    }
    if let Err(e) = tray_ui::update(app, drawn.as_ref(), &model) {
        tracing::warn!("cannot update the tray: {e}");
    }
}

/// Carries out what the banner rules decided.
pub fn apply_banner<R: Runtime>(app: &AppHandle<R>, cmd: BannerCommand) {
    let state = app.state::<AppState>();
    match cmd {
        BannerCommand::Show(model) => {
            state.with(|s, _| s.banner_model = Some(model.clone()));
            windows::show_banner(app, &model);
        }
        BannerCommand::Refresh(model) => {
            state.with(|s, _| s.banner_model = Some(model.clone()));
            if app.get_webview_window(windows::BANNER).is_some() {
                windows::show_banner(app, &model);
            }
        }
        BannerCommand::Close => windows::close_banner(app),
        BannerCommand::Nothing => {}
    }
    refresh_tray(app);
}

/// Sends the details window its model, when it is open.
pub fn refresh_details<R: Runtime>(app: &AppHandle<R>) {
    if app.get_webview_window(windows::DETAILS).is_none() {
        return;
    }
    let model = app.state::<AppState>().with(|s, cat| {
        details::model(cat, &s.view, Utc::now(), local_tz()).with_problem(cat, s.problem.as_ref())
    });
    let _ = app.emit_to(windows::DETAILS, "details", &model);
}

/// Opens the details window, at a notice if given.
pub fn open_details<R: Runtime>(app: &AppHandle<R>, notice: Option<String>) {
    app.state::<AppState>()
        .with(|s, _| s.focus = notice.clone());
    windows::open_details(app);
    if let Some(id) = notice {
        let _ = app.emit_to(windows::DETAILS, "focus", id);
    }
}

/// A tray menu item was clicked.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: String) {
    let Some(action) = MenuAction::from_id(&id) else {
        return;
    };
    tracing::info!(?action, "menu");
    let state = app.state::<AppState>();
    match action {
        MenuAction::Notice(id) => open_details(app, Some(id)),
        MenuAction::Details => open_details(app, None),
        MenuAction::Settings => windows::open_settings(app),
        MenuAction::ShowBanner => {
            let cmd = state.with(|s, cat| s.banner.show(cat, &s.view, Utc::now(), local_tz()));
            apply_banner(app, cmd);
        }
        MenuAction::HideBanner => {
            let cmd = state.with(|s, _| s.banner.dismiss(&s.view));
            apply_banner(app, cmd);
        }
        MenuAction::Pause => {
            state.with(|s, _| s.paused_until = Some(Utc::now() + chrono::TimeDelta::hours(1)));
            refresh_tray(app);
        }
        MenuAction::Resume => {
            state.with(|s, _| s.paused_until = None);
            refresh_tray(app);
        }
        MenuAction::CopyDiagnostics => copy_diagnostics(app),
        MenuAction::Quit => app.exit(0),
    }
}

/// Handles `--open` (at start, or from a second start).
pub fn open_requested<R: Runtime>(app: &AppHandle<R>, open: Option<Open>) {
    match open {
        Some(Open::Banner) => on_menu(app, MenuAction::ShowBanner.id()),
        Some(Open::Settings) => windows::open_settings(app),
        Some(Open::Details) | None => open_details(app, None),
    }
}

/// The tasks of a running engine: the engine itself and the loop that carries its events to
/// the windows.
pub struct EngineTasks {
    run: tauri::async_runtime::JoinHandle<()>,
    pump: tauri::async_runtime::JoinHandle<()>,
}

impl EngineTasks {
    /// Runs `engine` and carries its events to the windows.
    fn spawn<R: Runtime>(
        app: &AppHandle<R>,
        engine: Engine,
        rx: tokio::sync::mpsc::Receiver<EngineEvent>,
    ) -> EngineTasks {
        let run = tauri::async_runtime::spawn(engine.run());
        let pump = tauri::async_runtime::spawn(pump(app.clone(), rx));
        EngineTasks { run, pump }
    }

    /// Stops both, and waits until the engine has let go of its cache.
    async fn stop(self) {
        self.pump.abort();
        self.run.abort();
        let _ = self.run.await;
    }
}

/// Starts what lives as long as the app: notifications and timers; then the engine.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let store = app
        .state::<AppState>()
        .settings(|s| s.cache_dir.join("notifications.json"));
    app.manage(Notifier::start(store, move |notice| {
        let h = handle.clone();
        let _ = handle.run_on_main_thread(move || open_details(&h, Some(notice)));
    }));
    // Timers: relative times in the tray, the recovery banner closing, the pause ending.
    let ticker = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            let cmd = ticker
                .state::<AppState>()
                .with(|s, cat| s.banner.on_tick(cat, &s.view, Utc::now(), local_tz()));
            apply_banner(&ticker, cmd);
        }
    });
    let app = app.clone();
    tauri::async_runtime::spawn(async move { restart_engine(&app).await });
}

/// Stops the engine if one runs, and starts one with the settings in effect. The new engine
/// shows the cached status at once and keeps the alert memory, so nothing notifies twice.
pub async fn restart_engine<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let mut slot = state.engine.lock().await;
    if let Some(old) = slot.take() {
        old.stop().await;
        tracing::info!("engine stopped for new settings");
    }
    // What the stopped engine last heard vouches for the cache the new one starts from, so a
    // settings save does not flash the tray offline.
    let heard_at = state
        .health
        .lock()
        .ok()
        .and_then(|h| h.as_ref().and_then(|h| h.last_heard()));
    let lang = state.cat().lang();
    let opts = state.settings(|s| engine_options(s, lang)).map(|mut o| {
        o.heard_at = heard_at;
        o
    });
    let file_problem = state.settings(|s| s.problem.clone());
    let problem = match opts.map(Engine::new) {
        Ok(Ok((engine, rx))) => {
            if let Ok(mut h) = state.health.lock() {
                *h = Some(engine.health());
            }
            crate::network::wake_on_change(engine.waker());
            state.with(|s, _| s.problem = file_problem);
            *slot = Some(EngineTasks::spawn(app, engine, rx));
            return;
        }
        Ok(Err(e)) => SetupProblem::Engine {
            detail: e.to_string(),
        },
        Err(problem) => problem,
    };
    tracing::error!(?problem, "the feed is not followed");
    if let Ok(mut h) = state.health.lock() {
        *h = None;
    }
    let cache_only = matches!(problem, SetupProblem::Policy { .. });
    state.with(|s, _| {
        s.problem = Some(problem);
        if !cache_only {
            // Nothing follows the feed any more: show that, not the last status as if live.
            s.view = svetofor_client::view::ViewState::unknown();
        }
    });
    if cache_only {
        // Nothing is checked, but the last status this computer verified is still the best
        // an employee can have: shown from the cache, marked as old.
        let mut opts = EngineOptions::new(vec![], state.settings(|s| s.cache_dir.clone()));
        opts.language = lang.tag().to_owned();
        if let Ok((engine, rx)) = Engine::new(opts) {
            *slot = Some(EngineTasks::spawn(app, engine, rx));
        }
    } else {
        windows::close_banner(app);
    }
    refresh_tray(app);
    refresh_details(app);
}

/// Carries the engine's events to the tray, banner, details and notifications.
async fn pump<R: Runtime>(app: AppHandle<R>, mut rx: tokio::sync::mpsc::Receiver<EngineEvent>) {
    while let Some(event) = rx.recv().await {
        match event {
            EngineEvent::State(view) => {
                tracing::info!(status = ?view.status, freshness = ?view.freshness, notices = view.notices.len(), "view");
                let cmd = app.state::<AppState>().with(|s, cat| {
                    let cmd = s.banner.on_view(cat, &view, Utc::now(), local_tz());
                    s.view = view;
                    cmd
                });
                apply_banner(&app, cmd);
                refresh_details(&app);
            }
            EngineEvent::Alert(alert) => {
                let state = app.state::<AppState>();
                let paused = state.with(|s, _| s.paused(Utc::now()));
                if paused {
                    tracing::info!(notice = %alert.notice_id, "notification held back: paused");
                } else {
                    app.state::<Notifier>().show(alert, state.cat());
                }
            }
        }
    }
}

/// Puts saved settings into effect without a restart: the language of every window, the
/// engine (when anything it uses changed), and start at login.
pub async fn apply_settings<R: Runtime>(app: &AppHandle<R>, new: config::Config) {
    let state = app.state::<AppState>();
    let old = state.settings(|s| std::mem::replace(&mut s.config, Ok(new.clone())));
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
    if lang != state.cat().lang() {
        state.set_lang(lang);
        windows::retitle(app);
        let _ = app.emit("language", lang.tag());
    }
    let running = state.engine.lock().await.is_some();
    if changes.engine || !running {
        restart_engine(app).await;
    }
    if changes.autostart {
        crate::autostart::apply(app, new.autostart);
    }
    // Redraw what is open in the (maybe new) language.
    let cmd = state.with(|s, cat| match &s.banner_model {
        Some(m) if s.banner.is_open() && !m.recovery => {
            s.banner.show(cat, &s.view, Utc::now(), local_tz())
        }
        _ => BannerCommand::Nothing,
    });
    apply_banner(app, cmd);
    refresh_details(app);
}
