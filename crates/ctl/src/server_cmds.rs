//! `serve`, `export`, `token` and `audit`: the publisher's side.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use clap::{Args, Subcommand};
use svetofor_publisher::auth::{self, Role};
use svetofor_publisher::publisher::FeedSettings;
use svetofor_server::http::limits::Limits;
use svetofor_server::{ServeOptions, Server};
use svetofor_store::{AuditAction, AuditEntry, Backend, Database};

use crate::Failure;

/// The folder for the database and key when none is given: `$SVETOFOR_DATA_DIR`, else the
/// OS data folder (`~/.local/share/svetofor` on Linux).
pub fn data_dir() -> PathBuf {
    std::env::var_os("SVETOFOR_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("svetofor")))
        .unwrap_or_else(|| PathBuf::from("svetofor-data"))
}

fn default_db() -> PathBuf {
    data_dir().join("svetofor.db")
}

/// `--db`, for every command that works on the publisher's database.
#[derive(Args, Clone)]
pub struct DbArg {
    /// SQLite file (created if missing) or postgres:// URL (the password from PGPASSWORD or
    /// $SVETOFOR_DB, not the command line). Default: DATA_DIR/svetofor.db.
    #[arg(
        long = "db",
        value_name = "PATH|URL",
        env = "SVETOFOR_DB",
        hide_env_values = true
    )]
    db: Option<String>,
}

/// The database `--db` names (default DATA_DIR/svetofor.db): a SQLite file or a
/// postgres:// URL. Any other URL is refused, not taken as a file name.
fn database(db: DbArg) -> Result<Database, Failure> {
    match db.db {
        None => Ok(Database::Sqlite(default_db())),
        Some(text) => Database::parse(&text).map_err(|e| Failure::usage(e.to_string())),
    }
}

fn default_key() -> PathBuf {
    data_dir().join("svetofor.key")
}

/// What the feed says about itself.
#[derive(Args, Clone)]
pub struct FeedArgs {
    #[arg(long, default_value = "svetofor")]
    feed_id: String,
    /// Feed name shown to people. Default: "Статус сервиса" for --language ru, else
    /// "Service status".
    #[arg(long)]
    feed_name: Option<String>,
    /// Language of notice texts given without one (ru, en, …).
    #[arg(long, default_value = "en")]
    language: String,
    /// How long a signed feed stays valid; it is re-signed at half this.
    #[arg(long, default_value = "1h", value_parser = crate::when::duration)]
    feed_ttl: std::time::Duration,
    /// How long resolved notices stay in the feed.
    #[arg(long, default_value = "72h", value_parser = crate::when::duration)]
    history: std::time::Duration,
}

impl FeedArgs {
    fn settings(&self) -> Result<FeedSettings, Failure> {
        if !svetofor_feed::v1::is_language_tag(&self.language) {
            return Err(Failure::usage(format!(
                "--language {}: not a language tag such as ru or en",
                self.language
            )));
        }
        let most = svetofor_feed::v1::MAX_LIFETIME_DAYS as u64 * 86_400;
        if self.feed_ttl < std::time::Duration::from_secs(60)
            || self.feed_ttl > std::time::Duration::from_secs(most)
        {
            return Err(Failure::usage(format!(
                "--feed-ttl: from 1m to {}d (clients refuse a feed valid longer)",
                svetofor_feed::v1::MAX_LIFETIME_DAYS
            )));
        }
        Ok(FeedSettings {
            id: self.feed_id.clone(),
            name: self.feed_name.clone().unwrap_or_else(|| {
                match self.language.split('-').next() {
                    Some("ru") => "Статус сервиса",
                    _ => "Service status",
                }
                .to_owned()
            }),
            default_language: self.language.clone(),
            ttl: self.feed_ttl,
            history: self.history,
        })
    }
}

/// `serve` options.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Secret signing key (created with its .pub on first start). Default: DATA_DIR/svetofor.key.
    #[arg(long, value_name = "SECRET")]
    key: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8380", value_name = "ADDR")]
    listen: SocketAddr,
    /// Require a reader token to read the feed.
    #[arg(long)]
    private: bool,
    /// Keep feed.json and feed.json.minisig in this folder up to date (for a static mirror).
    #[arg(long, value_name = "DIR")]
    mirror_dir: Option<PathBuf>,
    /// Keep the feed in an S3-compatible bucket (a CDN's origin): s3://bucket/prefix.
    /// Credentials, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_REGION and AWS_ENDPOINT_URL (a store other than AWS).
    #[arg(long, value_name = "S3_URL")]
    mirror: Option<String>,
    /// Run as an edge replica: no signing key; serve the feed, its events and the public
    /// pages from the publishing replicas' database (--db postgres://…), checked with the
    /// public key (--public-key).
    #[arg(long)]
    edge: bool,
    /// The feed's public key, for --edge. Default: the --key path with the extension .pub.
    #[arg(long, value_name = "PUB", requires = "edge")]
    public_key: Option<PathBuf>,
    #[command(flatten)]
    feed: FeedArgs,
    /// Changes allowed per client address per minute.
    #[arg(long, default_value_t = Limits::default().writes_per_minute)]
    writes_per_minute: u32,
    /// Open event streams allowed per client address (a company behind one NAT needs many);
    /// never more than the open-file limit less a reserve for requests.
    #[arg(long, default_value_t = Limits::default().streams_per_ip)]
    streams_per_ip: usize,
    /// Open event streams allowed in all; never more than the open-file limit less a reserve.
    #[arg(long, default_value_t = Limits::default().streams_total)]
    streams_total: usize,
    /// End each event stream after a time spread between half this and this (the desktop
    /// reconnects within seconds, through the load balancer, and gets nothing it already
    /// has): replicas behind a load balancer get their share back after a restart. 0: never.
    #[arg(long, default_value = "1h", value_parser = crate::when::duration)]
    stream_lifetime: std::time::Duration,
    /// Threads that serve requests and streams. Default: one per core. Give several replicas
    /// on one machine a share each (e.g. 1 each for 6 replicas on 2 cores): more threads
    /// than cores only switch between each other.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Where browsers reach this server, e.g. https://status.example.com behind a reverse
    /// proxy: the console checks requests come from it, and sets Secure cookies over https.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// A product origin whose pages show the in-product banner (`/embed.js`), e.g.
    /// https://app.example.com: it may read the feed and its events cross-origin. Repeat for
    /// several; `*` for any. Never applies to a --private publisher.
    #[arg(long = "embed-origin", value_name = "ORIGIN")]
    embed_origins: Vec<String>,
}

pub fn serve(args: ServeArgs) -> Result<(), Failure> {
    if !args.stream_lifetime.is_zero() && args.stream_lifetime < std::time::Duration::from_secs(60)
    {
        return Err(Failure::usage(
            "--stream-lifetime: at least 1m (or 0 for never): shorter makes clients reconnect all the time",
        ));
    }
    let key = args.key.unwrap_or_else(default_key);
    let edge = args
        .edge
        .then(|| args.public_key.unwrap_or_else(|| key.with_extension("pub")));
    let opts = ServeOptions {
        listen: args.listen,
        db: database(args.db)?,
        key,
        edge,
        mirror: args
            .mirror
            .as_deref()
            .map(svetofor_publisher::object_mirror::ObjectMirror::new)
            .transpose()
            .map_err(|e| Failure::usage(e.to_string()))?,
        private: args.private,
        mirror_dir: args.mirror_dir,
        feed: args.feed.settings()?,
        public_url: match args.public_url {
            Some(u) if !svetofor_feed::is_web_url(&u) => {
                return Err(Failure::usage(format!(
                    "--public-url {u}: an http or https URL, e.g. https://status.example.com"
                )));
            }
            u => u,
        },
        previewer: Some(Arc::new(crate::preview::DesktopPreview)),
        embed_origins: svetofor_server::web::public::EmbedOrigins::new(&args.embed_origins)
            .map_err(|e| Failure::usage(e.to_string()))?,
        limits: Limits {
            writes_per_minute: args.writes_per_minute,
            streams_per_ip: args.streams_per_ip,
            streams_total: args.streams_total,
            stream_lifetime: Some(args.stream_lifetime).filter(|d| !d.is_zero()),
            ..Limits::default()
        },
    };
    crate::failure::block_on_cores(args.threads.map(usize::from), async move {
        let server = Server::start(opts.clone())
            .await
            .map_err(|e| Failure::unreadable(e.to_string()))?;
        let base = format!("http://{}", server.addr);
        eprintln!("Limits: {}.", server.capacity);
        let pub_path = opts.key.with_extension("pub");
        if server.key_created {
            eprintln!(
                "Created signing key {} (public key {}).",
                opts.key.display(),
                pub_path.display()
            );
        }
        if server.publisher.is_edge() {
            eprintln!(
                "Svetofor edge replica on {base} (no signing key; changes go to the publishing replicas)\n  \
                 feed:        {base}/feed.json (signed: {base}/feed.json.minisig)\n  \
                 events:      {base}/events\n  status page: {base}/\n  \
                 checked with {}",
                opts.edge.as_deref().unwrap_or(&pub_path).display(),
            );
        } else {
            eprintln!(
                "Svetofor publisher on {base}\n  feed:        {base}/feed.json (signed: {base}/feed.json.minisig)\n  \
                 events:      {base}/events\n  public key:  {} ({base}/feed.pub)\n  database:    {}\n  \
                 status page: {base}/  (Statuspage API: {base}/api/v2/summary.json; {base}/history.atom)\n  \
                 console:     {base}/console/\n  \
                 banner:      <script src=\"{base}/embed.js\" async></script>{origins}\n\
                 Create a support token:  svetoforctl token create --db {} --role support --name NAME",
                pub_path.display(),
                opts.db,
                match &opts.db {
                    Database::Sqlite(path) => path.display().to_string(),
                    // The URL may hold a password: the command names the variable instead.
                    Database::Postgres(_) => "\"$SVETOFOR_DB\"".to_owned(),
                },
                origins = if opts.embed_origins.is_empty() {
                    "  (add --embed-origin for the product's pages)"
                } else {
                    ""
                },
            );
        }
        let stopper = server.stopper();
        tokio::spawn(async move {
            shutdown_signal().await;
            eprintln!("Stopping.");
            let _ = stopper.send(true);
        });
        server
            .wait()
            .await
            .map_err(|e| Failure::unreadable(format!("server stopped: {e}")))
    })?
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `export` options.
#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArg,
    /// Secret signing key. Default: DATA_DIR/svetofor.key.
    #[arg(long, value_name = "SECRET")]
    key: Option<PathBuf>,
    /// Folder to write feed.json and feed.json.minisig into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    feed: FeedArgs,
}

pub fn export(args: ExportArgs) -> Result<(), Failure> {
    let db = database(args.db)?;
    require_existing(&db)?;
    let key = args.key.unwrap_or_else(default_key);
    let (seq, path) = svetofor_server::export(&db, &key, &args.out, &args.feed.settings()?)
        .map_err(|e| Failure::unreadable(e.to_string()))?;
    eprintln!(
        "Wrote {}, its .minisig and feed.bundle.json (seq {seq}).",
        path.display()
    );
    Ok(())
}

fn require_existing(db: &Database) -> Result<(), Failure> {
    match db {
        Database::Sqlite(path) if !path.exists() => Err(Failure::unreadable(format!(
            "{}: no such database (start `svetoforctl serve` once, or give --db)",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// The database `--db` names, opened (a SQLite file's folder created).
pub(crate) fn open(db: DbArg) -> Result<Arc<dyn Backend>, Failure> {
    let db = database(db)?;
    db.open()
        .map_err(|e| Failure::unreadable(format!("{db}: {e}")))
}

/// `token` subcommands.
#[derive(Subcommand)]
pub enum TokenCmd {
    /// Create a token. Prints it once, alone on stdout; only its hash is stored.
    Create {
        #[command(flatten)]
        db: DbArg,
        /// admin (everything), support (notices) or reader (read a private feed).
        #[arg(long, value_parser = |s: &str| s.parse::<Role>())]
        role: Role,
        /// Who or what it is for (shown in the audit log).
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token by its id.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        /// The token id (the part between `svt_` and the next `_`).
        id: String,
    },
}

pub(crate) fn operator() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    if user.is_empty() {
        "cli".to_owned()
    } else {
        format!("cli:{user}")
    }
}

pub fn token(cmd: TokenCmd) -> Result<(), Failure> {
    match cmd {
        TokenCmd::Create { db, role, name } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
                return Err(Failure::usage("--name: 1 to 100 printable characters"));
            }
            let store = open(db)?;
            let now = Utc::now();
            let (secret, record) = auth::new_token(&name, role, now)
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            let audit = AuditEntry::new(
                operator(),
                AuditAction::TokenCreate,
                Some(&record.id),
                serde_json::json!({ "name": name, "role": role }),
            )
            .at(now);
            store
                .insert_token(&record, &audit)
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            eprintln!(
                "Created {role} token \"{name}\" (id {}). It is shown once:",
                record.id
            );
            println!("{secret}");
            Ok(())
        }
        TokenCmd::List { db } => {
            let store = open(db)?;
            let tokens = store
                .tokens()
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            if tokens.is_empty() {
                eprintln!(
                    "No tokens. Create one: svetoforctl token create --role support --name NAME"
                );
            }
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M UTC")),
                    None => "active".to_owned(),
                };
                println!(
                    "{}  {:<8} {:<24} created {}  {state}",
                    t.id,
                    t.role,
                    crate::render::clean(&t.name),
                    t.created_at.format("%Y-%m-%d %H:%M UTC")
                );
            }
            Ok(())
        }
        TokenCmd::Revoke { db, id } => {
            let store = open(db)?;
            let audit = AuditEntry::new(
                operator(),
                AuditAction::TokenRevoke,
                Some(&id),
                serde_json::Value::Null,
            );
            if store
                .revoke_token(&id, &audit)
                .map_err(|e| Failure::unreadable(e.to_string()))?
            {
                eprintln!("Revoked token {id}.");
                Ok(())
            } else {
                Err(Failure::rejected(format!("no active token with id {id}")))
            }
        }
    }
}

pub fn audit(db: DbArg, limit: usize, json: bool) -> Result<(), Failure> {
    require_existing(&database(db.clone())?)?;
    let store = open(db)?;
    let entries = store
        .audit(limit, None)
        .map_err(|e| Failure::unreadable(e.to_string()))?;
    for e in entries.iter().rev() {
        if json {
            println!("{}", serde_json::to_string(e).unwrap_or_default());
        } else {
            println!(
                "{}  {:<26} {:<16} {:<18} {}",
                e.entry.at.format("%Y-%m-%d %H:%M:%S UTC"),
                crate::render::clean(&e.entry.actor),
                e.entry.action,
                crate::render::clean(e.entry.target.as_deref().unwrap_or("-")),
                crate::render::clean(&e.entry.detail.to_string()),
            );
        }
    }
    Ok(())
}
