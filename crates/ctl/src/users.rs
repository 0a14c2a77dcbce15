//! `user add | list | disable | reset-password`: console accounts, on the server's own
//! database (like `token`). Passwords are read from standard input (`--password-stdin`) or
//! asked twice at the terminal without echo; only their Argon2id hash is stored.

use std::io::BufRead;

use chrono::Utc;
use clap::Subcommand;
use svetofor_publisher::accounts::{self, UserRecord};
use svetofor_publisher::auth::Role;
use svetofor_store::{AccountChange, AuditAction, AuditEntry};

use crate::Failure;
use crate::server_cmds::{DbArg, open, operator};

/// `user` subcommands.
#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account for the web console.
    Add {
        /// Sign-in name (lower case; letters, digits, '.', '-', '_', '@').
        name: String,
        /// reader (sees), support (publishes) or admin (everything).
        #[arg(long, value_parser = person_role)]
        role: Role,
        /// Read the password from standard input (one line), for scripts.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// List accounts (never their passwords).
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Disable an account: it cannot sign in, and its sessions end at once.
    Disable {
        /// Sign-in name.
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Set a new password; the account's sessions end.
    ResetPassword {
        /// Sign-in name.
        name: String,
        /// Read the password from standard input (one line), for scripts.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

fn audit(action: AuditAction, target: &str, detail: serde_json::Value) -> AuditEntry {
    AuditEntry::new(operator(), action, Some(target), detail)
}

/// The password: a line of standard input, or typed twice at the terminal.
fn password(from_stdin: bool) -> Result<String, Failure> {
    let read = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("Password: ").map_err(|e| {
            Failure::usage(format!(
                "cannot read the password ({e}); use --password-stdin"
            ))
        })?;
        let again = rpassword::prompt_password("Again: ")
            .map_err(|e| Failure::usage(format!("cannot read the password: {e}")))?;
        if first != again {
            return Err(Failure::usage(
                "the two passwords differ; nothing was changed",
            ));
        }
        first
    };
    Ok(read)
}

fn hashed(from_stdin: bool) -> Result<String, Failure> {
    accounts::hash_password(&password(from_stdin)?).map_err(|e| Failure::usage(e.to_string()))
}

fn name_of(raw: &str) -> Result<String, Failure> {
    accounts::user_name(raw).map_err(|e| Failure::usage(e.to_string()))
}

fn store_err(e: impl std::fmt::Display) -> Failure {
    Failure::unreadable(e.to_string())
}

/// A role a person can have: intake is for monitoring's tokens.
fn person_role(s: &str) -> Result<Role, String> {
    match s.parse::<Role>().map_err(|e| e.to_string())? {
        Role::Intake => Err(
            "intake is a role for monitoring's tokens (svetoforctl token create \
                             --role intake), not for people; use reader, support or admin"
                .to_owned(),
        ),
        r => Ok(r),
    }
}

pub fn run(cmd: UserCmd) -> Result<(), Failure> {
    match cmd {
        UserCmd::Add {
            name,
            role,
            password_stdin,
            db,
        } => {
            let name = name_of(&name)?;
            let hash = hashed(password_stdin)?;
            let store = open(db)?;
            let user = UserRecord {
                name: name.clone(),
                role,
                password_hash: hash,
                created_at: Utc::now(),
                disabled_at: None,
            };
            let detail = serde_json::json!({ "role": role });
            if !store
                .insert_user(&user, &audit(AuditAction::UserCreate, &name, detail))
                .map_err(store_err)?
            {
                return Err(Failure::rejected(format!(
                    "there is already an account \"{name}\"; use reset-password to change its password"
                )));
            }
            eprintln!("Created {role} account \"{name}\".");
            Ok(())
        }
        UserCmd::List { db } => {
            let store = open(db)?;
            let users = store.users().map_err(store_err)?;
            if users.is_empty() {
                eprintln!("No accounts. Create one: svetoforctl user add NAME --role support");
            }
            for u in users {
                let state = match u.disabled_at {
                    Some(at) => format!("disabled {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "active".to_owned(),
                };
                println!(
                    "{:<24} {:<8} created {}  {state}",
                    u.name,
                    u.role,
                    u.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        UserCmd::Disable { name, db } => {
            let name = name_of(&name)?;
            let store = open(db)?;
            let a = audit(AuditAction::UserDisable, &name, serde_json::json!({}));
            if !store
                .change_user(&name, AccountChange::Disable, &a)
                .map_err(store_err)?
            {
                return Err(Failure::rejected(format!("no account \"{name}\"")));
            }
            eprintln!("Account \"{name}\" is disabled; its sessions have ended.");
            Ok(())
        }
        UserCmd::ResetPassword {
            name,
            password_stdin,
            db,
        } => {
            let name = name_of(&name)?;
            let store = open(db)?;
            if store.user(&name).map_err(store_err)?.is_none() {
                return Err(Failure::rejected(format!("no account \"{name}\"")));
            }
            let hash = hashed(password_stdin)?;
            let a = audit(AuditAction::UserPassword, &name, serde_json::json!({}));
            store
                .change_user(&name, AccountChange::Password(&hash), &a)
                .map_err(store_err)?;
            eprintln!("New password set for \"{name}\"; its sessions have ended.");
            Ok(())
        }
    }
}
