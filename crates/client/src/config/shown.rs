//! A configuration's values as `config show`, diagnostics and change detection see them.

use serde_json::{Value, json};

use super::{Config, Key};

impl Config {
    /// The value of `key`, secrets included: for comparing two configurations.
    pub fn value(&self, key: Key) -> Value {
        match key {
            Key::Feeds => json!(self.feeds),
            Key::PublicKeys => json!(
                self.public_keys
                    .iter()
                    .map(|k| k.to_base64().to_owned())
                    .collect::<Vec<_>>()
            ),
            Key::PollInterval => json!(self.poll_interval.as_secs()),
            Key::Components => json!(self.components),
            Key::NotifyMinSeverity => json!(self.notify_min_severity),
            Key::NotifyRedAlways => json!(self.notify_red_always),
            Key::Language => json!(self.language),
            Key::Proxy => json!(self.proxy),
            Key::ExtraCaFile => json!(self.extra_ca_file),
            Key::Token => json!(self.token),
            Key::Autostart => json!(self.autostart),
        }
    }

    /// The value of `key` as `config show` and diagnostics print it: secrets masked (a token
    /// shows its first characters only, a proxy password is starred).
    pub fn shown_value(&self, key: Key) -> Value {
        match key {
            Key::Proxy => mask_proxy(&self.proxy),
            Key::Token => mask(&self.token),
            other => self.value(other),
        }
    }
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

/// Hides a password in a proxy URL (`http://user:pass@host` → `http://user:***@host/`); what
/// is not a URL is not shown at all.
fn mask_proxy(p: &Option<String>) -> Value {
    match p {
        Some(url) => match url::Url::parse(url) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                json!(parsed.as_str())
            }
            Ok(_) => json!(url),
            // Not a URL: it may still hold a password, so it is not shown.
            Err(_) => json!("(not a URL)"),
        },
        None => Value::Null,
    }
}
