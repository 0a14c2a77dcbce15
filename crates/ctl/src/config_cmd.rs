//! `config show`: the configuration `watch` (and the desktop app) would use on this machine.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};
use svetofor_client::config::{self, Key, Origin};

use crate::Failure;

/// `config` subcommands.
#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Print every key with its value, where it came from, and whether the policy locks it.
    /// Secrets are masked.
    Show {
        /// User configuration file. Default: ~/.config/svetofor/config.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// One JSON object keyed by setting.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: ConfigCmd) -> Result<(), Failure> {
    let ConfigCmd::Show { config: user, json } = cmd;
    let user = user.or_else(config::user_config_path);
    let policy = config::policy_path();
    let cfg = config::load(user.as_deref(), Some(&policy))
        .map_err(|e| Failure::rejected(e.to_string()))?;
    if json {
        let mut obj = serde_json::Map::new();
        for key in Key::ALL {
            let origin = cfg.origins.get(&key).copied().unwrap_or(Origin::Default);
            obj.insert(
                key.as_str().to_owned(),
                json!({ "value": cfg.shown_value(key), "source": origin, "locked": origin == Origin::Policy }),
            );
        }
        println!("{}", Value::Object(obj));
        return Ok(());
    }
    println!(
        "User file:   {}\nPolicy file: {}{}",
        user.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(none)".to_owned()),
        policy.display(),
        if policy.exists() { "" } else { " (absent)" }
    );
    for key in Key::ALL {
        let origin = cfg.origins.get(&key).copied().unwrap_or(Origin::Default);
        let source = match origin {
            Origin::Default => "default",
            Origin::User => "user",
            Origin::Policy => "policy, locked",
        };
        println!(
            "{:<20} = {:<50} ({source})",
            key.as_str(),
            cfg.shown_value(key)
        );
    }
    Ok(())
}
