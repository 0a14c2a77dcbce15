//! What a run starts from: the configuration files, the command line, and the engine options
//! they give.

use std::path::PathBuf;

use svetofor_client::config::{self, Config};
use svetofor_client::engine::EngineOptions;
use svetofor_desktop_model::i18n::Lang;
use svetofor_desktop_model::problem::SetupProblem;

use crate::args::Args;

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

/// The engine options for the settings in effect, or why there are none.
pub fn engine_options(settings: &RunSettings, lang: Lang) -> Result<EngineOptions, SetupProblem> {
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
