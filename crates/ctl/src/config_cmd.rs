//! `config show`: the configuration `watch` (and the desktop app) would use on this machine.
//! `config check FILE`: a policy or user file checked before it is rolled out.

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
    /// Check a policy or user file as the app would read it, before rolling it out: every
    /// key, with the line of the first mistake. Exit status 0 when it can be used.
    Check {
        /// The file to check.
        file: PathBuf,
    },
}

pub fn run(cmd: ConfigCmd) -> Result<(), Failure> {
    let (user, json) = match cmd {
        ConfigCmd::Show { config, json } => (config, json),
        ConfigCmd::Check { file } => return check(&file),
    };
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

fn check(file: &std::path::Path) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::rejected(format!("{}: cannot read: {e}", file.display())))?;
    let settings = config::parse_str(&text, &file.display().to_string())
        .map_err(|e| Failure::rejected(e.to_string()))?;
    let set: Vec<&str> = Key::ALL
        .into_iter()
        .filter(|k| settings.sets(*k))
        .map(Key::as_str)
        .collect();
    if set.is_empty() {
        println!("{}: usable, but sets nothing", file.display());
    } else {
        println!("{}: usable; sets {}", file.display(), set.join(", "));
    }
    if settings.sets(Key::Feeds) && !settings.sets(Key::PublicKeys) {
        eprintln!(
            "warning: feeds without public_keys are not verified: anyone who can answer for \
             the feed's address could show a false status. Add the key from svetofor.pub."
        );
    }
    Ok(())
}
