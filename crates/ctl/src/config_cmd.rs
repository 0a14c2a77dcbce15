//! `config show`: the configuration `watch` (and the desktop app) would use on this machine.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};
use svetofor_client::config::{self, Config, KEYS, Origin};

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

fn mask(secret: &Option<String>) -> Value {
    match secret {
        Some(s) if s.len() > 8 => json!(format!(
            "{}…(hidden)",
            &s[..s.char_indices().nth(4).map_or(0, |(i, _)| i)]
        )),
        Some(_) => json!("(hidden)"),
        None => Value::Null,
    }
}

/// Hides a password in a proxy URL (`http://user:pass@host` → `http://user:***@host`).
fn mask_proxy(p: &Option<String>) -> Value {
    match p {
        Some(url) => match url.split_once("://").and_then(|(scheme, rest)| {
            let (cred, host) = rest.split_once('@')?;
            let user = cred.split(':').next().unwrap_or("");
            Some(format!("{scheme}://{user}:***@{host}"))
        }) {
            Some(masked) => json!(masked),
            None => json!(url),
        },
        None => Value::Null,
    }
}

fn value_of(cfg: &Config, key: &str) -> Value {
    match key {
        "feeds" => json!(cfg.feeds),
        "public_keys" => json!(
            cfg.public_keys
                .iter()
                .map(|k| k.to_base64().to_owned())
                .collect::<Vec<_>>()
        ),
        "poll_interval" => json!(cfg.poll_interval.as_secs()),
        "components" => json!(cfg.components),
        "notify_min_severity" => json!(cfg.notify_min_severity),
        "notify_red_always" => json!(cfg.notify_red_always),
        "language" => json!(cfg.language),
        "proxy" => mask_proxy(&cfg.proxy),
        "extra_ca_file" => json!(cfg.extra_ca_file),
        "token" => mask(&cfg.token),
        _ => Value::Null,
    }
}

pub fn run(cmd: ConfigCmd) -> Result<(), Failure> {
    let ConfigCmd::Show { config: user, json } = cmd;
    let user = user.or_else(config::user_config_path);
    let policy = config::policy_path();
    let cfg = config::load(user.as_deref(), Some(&policy))
        .map_err(|e| Failure::rejected(e.to_string()))?;
    if json {
        let mut obj = serde_json::Map::new();
        for key in KEYS {
            let origin = cfg.origins.get(key).copied().unwrap_or(Origin::Default);
            obj.insert(
                (*key).to_owned(),
                json!({ "value": value_of(&cfg, key), "source": origin, "locked": origin == Origin::Policy }),
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
    for key in KEYS {
        let origin = cfg.origins.get(key).copied().unwrap_or(Origin::Default);
        let source = match origin {
            Origin::Default => "default",
            Origin::User => "user",
            Origin::Policy => "policy, locked",
        };
        println!("{key:<20} = {:<50} ({source})", value_of(&cfg, key));
    }
    Ok(())
}
