//! `channel add|list|test|remove`: where notices go besides the feed (admin token). Secrets
//! are read from files, never from the command line (which other users can see).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use svetofor_api::{ChannelConfig, NewChannel};
use svetofor_feed::Severity;

use crate::Failure;
use crate::failure::block_on;
use crate::render::clean;
use crate::support::{Conn, client, parse_severity};

/// `channel` subcommands.
#[derive(Subcommand)]
pub enum ChannelCmd {
    /// Add a channel. A webhook's signing secret is printed once, alone on stdout.
    #[command(subcommand)]
    Add(AddCmd),
    /// Every channel, with its rule and its latest delivery.
    List {
        #[command(flatten)]
        conn: Conn,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Check that a channel can be reached (Telegram: the bot; webhook: a signed test post;
    /// e-mail: a test message).
    Test {
        #[command(flatten)]
        conn: Conn,
        name: String,
    },
    /// Remove a channel; what it had not been sent yet is dropped.
    Remove {
        #[command(flatten)]
        conn: Conn,
        name: String,
    },
}

/// What every channel takes.
#[derive(Args)]
pub struct Common {
    #[command(flatten)]
    conn: Conn,
    /// Its name: lower-case letters, digits and -.
    name: String,
    /// Notices at least this severe go there (red, yellow, green). Default: red for Telegram
    /// and e-mail (backup channels for outages), green (everything) for webhooks.
    #[arg(long, value_parser = parse_severity)]
    min_severity: Option<Severity>,
    /// ru or en.
    #[arg(long, value_parser = ["ru", "en"])]
    language: Option<String>,
    /// Times in texts in UTC plus this many minutes (default 180, Moscow).
    #[arg(long, allow_hyphen_values = true)]
    utc_offset_minutes: Option<i32>,
    /// Also tell this channel about each new draft from monitoring (support's own chat).
    #[arg(long)]
    drafts: bool,
}

/// `channel add` kinds.
#[derive(Subcommand)]
pub enum AddCmd {
    /// A Telegram chat or channel, through a bot (add the bot to the channel as an admin).
    Telegram {
        #[command(flatten)]
        common: Common,
        /// @channelname or a numeric chat id.
        #[arg(long)]
        chat: String,
        /// A file holding the bot's token from @BotFather.
        #[arg(long, value_name = "FILE")]
        bot_token_file: PathBuf,
        /// The Bot API's address, for a relay or a proxy (default the public Bot API).
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
    },
    /// An endpoint that gets Standard Webhooks v1 posts, signed.
    Webhook {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        url: String,
    },
    /// Mail through an SMTP server.
    Email {
        #[command(flatten)]
        common: Common,
        /// smtp://HOST:PORT, smtp+starttls://HOST:PORT or smtps://HOST:PORT.
        #[arg(long, value_name = "URL")]
        smtp: String,
        /// The sender: "Helpdesk <helpdesk@example.com>".
        #[arg(long, value_name = "ADDR")]
        from: String,
        /// A recipient; repeat for several.
        #[arg(long = "to", value_name = "ADDR", required = true)]
        to: Vec<String>,
        /// SMTP user.
        #[arg(long, requires = "password_file")]
        user: Option<String>,
        /// A file holding the SMTP password.
        #[arg(long, value_name = "FILE", requires = "user")]
        password_file: Option<PathBuf>,
    },
}

fn secret_from(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(Failure::usage(format!("{} is empty", path.display())));
    }
    Ok(text)
}

fn add(cmd: AddCmd) -> Result<(), Failure> {
    let (common, config) = match cmd {
        AddCmd::Telegram {
            common,
            chat,
            bot_token_file,
            api_url,
        } => (
            common,
            ChannelConfig::Telegram {
                chat,
                bot_token: secret_from(&bot_token_file)?,
                api_url,
            },
        ),
        AddCmd::Webhook { common, url } => (common, ChannelConfig::Webhook { url, secret: None }),
        AddCmd::Email {
            common,
            smtp,
            from,
            to,
            user,
            password_file,
        } => (
            common,
            ChannelConfig::Email {
                smtp,
                from,
                to,
                user,
                password: password_file.as_deref().map(secret_from).transpose()?,
            },
        ),
    };
    let api = client(&common.conn)?;
    let req = NewChannel {
        name: common.name,
        config,
        min_severity: common.min_severity,
        language: common.language,
        utc_offset_minutes: common.utc_offset_minutes,
        drafts: Some(common.drafts),
    };
    let created = block_on(api.add_channel(&req))??;
    let c = &created.channel;
    eprintln!(
        "Added {} channel \"{}\" to {}: notices from {} up.",
        c.kind,
        c.name,
        clean(&c.target),
        c.min_severity
    );
    if let Some(secret) = created.secret {
        eprintln!("Its signing secret (shown once; give it to the receiver):");
        println!("{secret}");
    }
    Ok(())
}

/// Runs a `channel` subcommand.
pub fn run(cmd: ChannelCmd) -> Result<(), Failure> {
    match cmd {
        ChannelCmd::Add(a) => add(a),
        ChannelCmd::List { conn, json } => {
            let api = client(&conn)?;
            let list = block_on(api.channels())??.channels;
            if list.is_empty() && !json {
                eprintln!("No channels.");
            }
            for c in &list {
                if json {
                    println!("{}", serde_json::to_string(c).unwrap_or_default());
                    continue;
                }
                let last = c.last.as_ref().map_or_else(
                    || "nothing sent yet".to_owned(),
                    |d| {
                        let when = d.sent_at.unwrap_or(d.created_at);
                        let error = d
                            .last_error
                            .as_deref()
                            .map(|e| format!(": {}", clean(e)))
                            .unwrap_or_default();
                        format!(
                            "last {} {:?} at {}{error}",
                            d.event.as_str(),
                            d.state,
                            when.format("%Y-%m-%d %H:%M UTC")
                        )
                        .to_lowercase()
                    },
                );
                let off = if c.disabled_at.is_some() {
                    "  (switched off)"
                } else {
                    ""
                };
                println!(
                    "{:<20} {:<9} {}+  {}  {last}{off}",
                    c.name,
                    c.kind,
                    c.min_severity,
                    clean(&c.target)
                );
            }
            Ok(())
        }
        ChannelCmd::Test { conn, name } => {
            let api = client(&conn)?;
            let answer = block_on(api.test_channel(&name))??;
            if answer["ok"] == true {
                eprintln!(
                    "{name}: {}",
                    clean(answer["detail"].as_str().unwrap_or("ok"))
                );
                Ok(())
            } else {
                Err(Failure::usage(format!(
                    "{name} cannot be reached: {}",
                    clean(answer["error"].as_str().unwrap_or("?"))
                )))
            }
        }
        ChannelCmd::Remove { conn, name } => {
            let api = client(&conn)?;
            block_on(api.remove_channel(&name))??;
            eprintln!("Removed channel \"{name}\".");
            Ok(())
        }
    }
}
