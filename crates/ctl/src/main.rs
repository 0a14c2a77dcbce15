//! `svetoforctl`: one binary for Svetofor's command line — the publishing server, the
//! support commands, keys, and checking feeds.
//!
//! Thin by design: it parses arguments and calls the `svetofor-*` crates.

mod channels;
mod check;
mod components;
mod config_cmd;
mod drafts;
mod failure;
mod keys;
mod preview;
mod render;
mod server_cmds;
mod support;
mod users;
mod watch;
mod when;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use server_cmds::DbArg;

pub use failure::{Failure, exit};

// jemalloc, because it measured 9.9-10.6 KiB per open event stream against 12.8 with glibc
// malloc and 29.3 with mimalloc (docs/performance.md): streams are what a publisher holds most.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "svetoforctl",
    version,
    about = "Svetofor: publish and check status feeds for the traffic-light desktop app",
    after_help = "Exit status: 0 success, 1 the feed or signature was rejected, 2 usage error, \
                  3 the source or a file could not be read."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new signing key pair: DIR/svetofor.key (secret, mode 0600) and DIR/svetofor.pub.
    ///
    /// Prints the public key alone on stdout: pin it in every client.
    Keygen {
        /// Folder to write the keys into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace keys that already exist there.
        #[arg(long)]
        force: bool,
    },
    /// Sign FILE with a secret key, writing FILE.minisig beside it.
    Sign {
        /// The secret key file written by `keygen`.
        #[arg(long, value_name = "SECRET")]
        key: PathBuf,
        /// The feed to sign.
        file: PathBuf,
        /// Sign even if FILE is not a valid feed.
        #[arg(long)]
        no_check: bool,
    },
    /// Read, verify and show a feed, as a client would see it now.
    ///
    /// SOURCE is a file or an http(s) URL. The signature is read from SOURCE.minisig. When
    /// --pubkey is given the feed must be signed by one of the keys.
    Check {
        /// Feed file or URL.
        source: String,
        /// Trusted public key: the base64 line, or a minisign .pub file. Repeat for several.
        #[arg(long = "pubkey", value_name = "KEY_OR_FILE")]
        pubkeys: Vec<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Language for notice texts (default: the feed's own).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
    },
    /// Run the publishing server: notices API, signed feed, event stream.
    Serve(server_cmds::ServeArgs),
    /// Write feed.json and feed.json.minisig from the database, for a static mirror.
    Export(server_cmds::ExportArgs),
    /// Manage API tokens (directly in the database).
    #[command(subcommand)]
    Token(server_cmds::TokenCmd),
    /// Print the audit log: who changed what, when.
    Audit {
        #[command(flatten)]
        db: DbArg,
        /// How many of the latest entries.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Post a notice. Prints its id alone on stdout.
    Post(support::PostArgs),
    /// Add an update to a notice: new text, state, severity or promised time.
    Update(support::UpdateArgs),
    /// Resolve a notice (complete a maintenance).
    Resolve(support::CloseArgs),
    /// Withdraw a notice published by mistake.
    Withdraw(support::CloseArgs),
    /// List notices (or drafts, with --drafts).
    List(support::ListArgs),
    /// Publish a draft now. Prints the notice's id alone on stdout.
    Publish(drafts::PublishArgs),
    /// Console accounts: add, list, disable, reset a password (on the server's database).
    #[command(subcommand)]
    User(users::UserCmd),
    /// Name the parts of the product, or retire an id (admin token).
    #[command(subcommand)]
    Component(components::ComponentCmd),
    /// Where notices go besides the feed: Telegram, webhooks, e-mail (admin token).
    #[command(subcommand)]
    Channel(channels::ChannelCmd),
    /// Follow feeds like the desktop app, printing each view change and alert.
    Watch(watch::WatchArgs),
    /// The client configuration in effect on this machine.
    #[command(subcommand)]
    Config(config_cmd::ConfigCmd),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SVETOFOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen { out, force } => keys::keygen(&out, force),
        Command::Sign {
            key,
            file,
            no_check,
        } => keys::sign(&key, &file, no_check),
        Command::Check {
            source,
            pubkeys,
            json,
            lang,
        } => check::run(&source, &pubkeys, json, lang.as_deref()),
        Command::Serve(args) => server_cmds::serve(args),
        Command::Export(args) => server_cmds::export(args),
        Command::Token(cmd) => server_cmds::token(cmd),
        Command::Audit { db, limit, json } => server_cmds::audit(db, limit, json),
        Command::Post(a) => support::post(a),
        Command::Update(a) => support::update(a),
        Command::Resolve(a) => support::resolve(a),
        Command::Withdraw(a) => support::withdraw(a),
        Command::List(a) => support::list(a),
        Command::Publish(a) => drafts::publish(a),
        Command::Component(c) => components::run(c),
        Command::Channel(c) => channels::run(c),
        Command::User(c) => users::run(c),
        Command::Watch(a) => watch::run(a),
        Command::Config(c) => config_cmd::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("svetoforctl: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
