//! The controller's side of the window process: the banner, details and settings windows it
//! asks for, and what it does with what the user did in them (every action checked here).

use std::time::Instant;

use chrono::Utc;
use serde_json::Value;
use svetofor_desktop_model::banner::{BannerCommand, BannerModel};
use svetofor_desktop_model::details;
use svetofor_desktop_model::i18n::Arg;
use svetofor_desktop_model::window_protocol::{Down, Up, WindowKind};

use crate::settings_ops::{self};
use crate::window_process::{self};

use super::*;

impl Controller {
    /// Sends to the window process, if it runs.
    pub(super) fn send(&self, message: Down) {
        if let Some(p) = &self.windows.process {
            p.send(message);
        }
    }

    pub(super) fn words(&self) -> Down {
        Down::Words {
            lang: self.cat.lang().tag().to_owned(),
            strings: serde_json::json!(self.cat.with_prefix("page-")),
            details_title: self.cat.t("window-details"),
            settings_title: self.cat.t("window-settings"),
        }
    }

    /// Makes sure the window process runs (it starts with the words of the pages).
    pub(super) fn ensure_process(&mut self) -> bool {
        if self.windows.process.is_some() {
            return true;
        }
        self.windows.generation += 1;
        let requests = self.requests.clone();
        let report = move |generation, event| {
            let _ = requests.send(Request::Windows { generation, event });
        };
        match window_process::spawn(&self.windows.program, self.windows.generation, report) {
            Ok(p) => {
                self.windows.process = Some(p);
                self.send(self.words());
                true
            }
            Err(e) => {
                tracing::error!(
                    "cannot start the window process {}: {e}",
                    self.windows.program.display()
                );
                false
            }
        }
    }

    pub(super) fn show_banner(&mut self, model: &BannerModel) {
        let title = self.cat.tr(
            "window-banner",
            &[
                ("word", Arg::from(&model.word)),
                ("title", Arg::from(&model.title)),
            ],
        );
        if !self.ensure_process() {
            self.banner.closed();
            return;
        }
        self.windows.open.insert(WindowKind::Banner);
        self.send(Down::Banner {
            title,
            model: serde_json::json!(model),
        });
    }

    pub(super) fn close_banner(&mut self) {
        if self.windows.open.remove(&WindowKind::Banner) && self.windows.process.is_some() {
            self.windows.banner_closes += 1;
            self.send(Down::CloseBanner);
        }
    }

    /// Carries out what the banner rules decided.
    pub(super) fn apply_banner(&mut self, cmd: BannerCommand) {
        match cmd {
            BannerCommand::Show(model) => {
                self.show_banner(&model);
                self.banner_model = Some(model);
            }
            BannerCommand::Refresh(model) => {
                if self.windows.open.contains(&WindowKind::Banner) {
                    self.show_banner(&model);
                }
                self.banner_model = Some(model);
            }
            BannerCommand::Close => self.close_banner(),
            BannerCommand::Nothing => {}
        }
        self.refresh_tray();
    }

    pub(super) fn details_model(&self) -> Value {
        let model = details::model(&self.cat, &self.view, Utc::now(), local_tz())
            .with_problem(&self.cat, self.problem.as_ref());
        serde_json::json!(model)
    }

    /// Opens (or raises) the details window, at a notice if given.
    pub(super) fn open_details(&mut self, notice: Option<String>) {
        self.focus = notice;
        if !self.ensure_process() {
            return;
        }
        self.windows.open.insert(WindowKind::Details);
        self.send(Down::Details {
            model: self.details_model(),
            focus: self.focus.clone(),
            raise: true,
        });
    }

    /// Sends the details window its model, when it is open.
    pub(super) fn refresh_details(&self) {
        if self.windows.open.contains(&WindowKind::Details) {
            self.send(Down::Details {
                model: self.details_model(),
                focus: None,
                raise: false,
            });
        }
    }

    pub(super) fn settings_state(&self) -> Value {
        serde_json::json!(settings_ops::state(
            &self.settings,
            &self.cat,
            &self.view.components
        ))
    }

    /// Opens (or raises) the settings window.
    pub(super) fn open_settings(&mut self) {
        if !self.ensure_process() {
            return;
        }
        self.windows.open.insert(WindowKind::Settings);
        self.send(Down::Settings {
            state: self.settings_state(),
            raise: true,
        });
    }

    /// A message from the window process: what the user did there, checked before it is done.
    pub(super) async fn on_window(&mut self, up: Up) {
        match up {
            Up::Closed {
                window: WindowKind::Banner,
            } if self.windows.banner_closes > 0 => self.windows.banner_closes -= 1,
            Up::Closed { window } => {
                self.windows.open.remove(&window);
                if window == WindowKind::Banner {
                    self.banner.closed();
                    self.refresh_tray();
                }
            }
            Up::Dismiss => {
                if self.windows.open.contains(&WindowKind::Banner) {
                    let cmd = self.banner.dismiss(&self.view);
                    self.apply_banner(cmd);
                }
            }
            Up::OpenDetails => self.open_details(None),
            Up::OpenLink { id, url } => {
                let result = self.open_link(&url).map(|()| Value::Null);
                self.send(Down::Reply { id, result });
            }
            Up::SaveSettings { id, form } => {
                let reply = self.save_settings(form).await;
                self.send(Down::Reply {
                    id,
                    result: Ok(serde_json::json!(reply)),
                });
            }
            Up::CheckFeed {
                id,
                url,
                public_keys,
            } => {
                let generation = self.windows.generation;
                let requests = self.requests.clone();
                let (config, cat) = (self.settings.config.clone(), self.cat.clone());
                tokio::spawn(async move {
                    let report = settings_ops::check(url, public_keys, config, cat).await;
                    let _ = requests.send(Request::Checked {
                        generation,
                        id,
                        report: serde_json::json!(report),
                    });
                });
            }
        }
    }

    /// Opens a notice's link in the OS browser: only links the feed gave, only http(s).
    pub(super) fn open_link(&self, url: &str) -> Result<(), String> {
        let known = self
            .view
            .notices
            .iter()
            .chain(&self.view.upcoming)
            .chain(&self.view.recent)
            .any(|n| n.url.as_deref() == Some(url));
        let failed = || self.cat.tr("page-link-failed", &[("url", Arg::from(url))]);
        if !known || !svetofor_feed::is_web_url(url) {
            tracing::warn!(%url, "refused to open a link the feed did not give");
            return Err(failed());
        }
        open::that_detached(url).map_err(|e| {
            tracing::warn!(%url, "cannot open the browser: {e}");
            failed()
        })
    }

    /// The window process ended. With windows open (a crash, or it was closing its last
    /// window as another was asked for) they are opened again, a few times a minute at most.
    pub(super) fn on_window_exit(&mut self, success: bool, how: &str) {
        self.windows.process = None;
        self.windows.banner_closes = 0;
        let open = std::mem::take(&mut self.windows.open);
        if open.is_empty() {
            tracing::info!(%how, "window process ended");
            return;
        }
        if success {
            tracing::info!(%how, ?open, "window process ended as windows were asked for");
        } else {
            tracing::error!(%how, ?open, "window process ended with windows open");
        }
        let now = Instant::now();
        let recent = &mut self.windows.restarts;
        recent.retain(|t| now.duration_since(*t) < RESTART_WINDOW);
        if recent.len() >= RESTARTS {
            tracing::error!("window process ended {RESTARTS} times within a minute: not reopening");
            if open.contains(&WindowKind::Banner) {
                self.banner.closed();
                self.refresh_tray();
            }
            return;
        }
        recent.push_back(now);
        for window in open {
            match window {
                WindowKind::Banner => match self.banner_model.clone() {
                    Some(model) if self.banner.is_open() => self.show_banner(&model),
                    _ => {}
                },
                WindowKind::Details => self.open_details(self.focus.clone()),
                WindowKind::Settings => self.open_settings(),
            }
        }
    }
}
