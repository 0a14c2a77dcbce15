//! Starting and stopping a server; keys; static export.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::Utc;
use svetofor_feed::SigningKey;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::timeout::TimeoutLayer;

use crate::api::feed as feed_http;
use crate::error::ApiError;
use crate::http::limits::{AddressCounter, Capacity, FdBudget, Limits, WriteLimiter};
use crate::{AppState, api};
use svetofor_publisher::publisher::{FeedSettings, PublishError, Publisher, render, write_pair};
use svetofor_store::{AccountStore, Backend, Database, Store, StoreError};

/// How to run a server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The database: a SQLite file or PostgreSQL.
    pub db: Database,
    /// Secret signing key file; created on first start if missing.
    pub key: PathBuf,
    /// Whether reading the feed needs a reader token.
    pub private: bool,
    /// A folder kept up to date with `feed.json` and `feed.json.minisig`.
    pub mirror_dir: Option<PathBuf>,
    /// What the feed says about itself.
    pub feed: FeedSettings,
    pub limits: Limits,
    /// Where browsers reach this server (`https://status.example.com`): the console's origin
    /// for its checks, and `Secure` cookies when it is https.
    pub public_url: Option<String>,
    /// Draws the console's preview and the in-product banner from the desktop app's models
    /// (`svetoforctl` gives one).
    pub previewer: Option<Arc<dyn crate::web::console::preview::Previewer>>,
    /// Product origins whose pages may read the feed (`--embed-origin`).
    pub embed_origins: crate::web::public::EmbedOrigins,
    /// Runs as an edge replica with this public key file (the feed's `.pub`) instead of
    /// the signing key: serves the feed, its events and the public pages from a shared
    /// database, and takes no changes.
    pub edge: Option<PathBuf>,
    /// An S3-compatible bucket kept up to date with the feed (`--mirror s3://…`).
    pub mirror: Option<svetofor_publisher::object_mirror::ObjectMirror>,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database could not be opened.
    #[error("database {path}: {source}")]
    Store { path: String, source: StoreError },
    /// A folder or file could not be created or written.
    #[error("{path}: {source}")]
    Io {
        /// The folder or file.
        path: String,
        source: std::io::Error,
    },
    /// The key could not be read or written.
    #[error("signing key {path}: {reason}")]
    Key { path: String, reason: String },
    /// The first feed could not be published.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// The channels' HTTP client could not be made.
    #[error(transparent)]
    Channels(svetofor_channels::SetupError),
    /// An edge replica needs someone to follow.
    #[error("--edge needs the shared database of the publishing replicas (--db postgres://…)")]
    EdgeAlone,
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Reads the secret key at `path`, or creates a new pair there (`path` with mode 0600, and
/// the public key beside it with the extension `.pub`). Returns the key and whether it was
/// created.
pub fn load_or_create_key(path: &Path) -> Result<(SigningKey, bool), ServeError> {
    let err = |reason: String| ServeError::Key {
        path: path.display().to_string(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((
            SigningKey::from_secret_file(&text).map_err(|e| err(e.to_string()))?,
            false,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
            }
            let keys = SigningKey::generate().map_err(|e| err(e.to_string()))?;
            svetofor_atomic::write_atomic(
                path,
                keys.secret_file.as_bytes(),
                svetofor_atomic::Mode::Private,
            )
            .map_err(|e| err(e.to_string()))?;
            svetofor_atomic::write_atomic(
                &path.with_extension("pub"),
                keys.public_file.as_bytes(),
                svetofor_atomic::Mode::Public,
            )
            .map_err(|e| err(e.to_string()))?;
            Ok((keys.key, true))
        }
        Err(e) => Err(err(e.to_string())),
    }
}

fn open_store(db: &Database) -> Result<Arc<dyn Backend>, ServeError> {
    db.open().map_err(|source| ServeError::Store {
        path: db.to_string(),
        source,
    })
}

/// The whole HTTP application (on an edge replica, only what it can serve: the feed, its
/// events and the public pages).
pub fn router(app: Arc<AppState>, limits: &Limits) -> Router {
    if app.publisher.is_edge() {
        return edge_router(app);
    }
    let api = api::routes()
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    feed_routes()
        .nest("/api/v1", api)
        .merge(crate::web::console::routes())
        .merge(crate::web::public::routes())
        .fallback(|| async { ApiError::not_found("no such endpoint; see docs/api.md") })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::web::public::cors,
        ))
        .with_state(app)
}

fn feed_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/feed.json", get(feed_http::feed))
        .route("/feed.json.minisig", get(feed_http::signature))
        .route("/feed.bundle.json", get(feed_http::bundle))
        .route("/feed.pub", get(feed_http::public_key))
        .route("/healthz", get(feed_http::health))
        .route("/events", get(feed_http::events))
}

fn edge_router(app: Arc<AppState>) -> Router {
    feed_routes()
        .merge(crate::web::public::routes())
        .fallback(|uri: axum::http::Uri| async move {
            let path = uri.path();
            if path.starts_with("/api/v1") || path.starts_with("/console") {
                ApiError::from(PublishError::Edge)
            } else {
                ApiError::not_found("no such endpoint; see docs/api.md")
            }
        })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::web::public::cors,
        ))
        .with_state(app)
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The publisher (current feed, public key).
    pub publisher: Arc<Publisher>,
    /// Whether the key was created at start.
    pub key_created: bool,
    /// What it admits, and how the file descriptors are shared out.
    pub capacity: Capacity,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
    clock: JoinHandle<()>,
    follower: JoinHandle<()>,
    mirror: JoinHandle<()>,
    outbox: JoinHandle<()>,
    revocations: JoinHandle<()>,
}

impl Server {
    /// Opens the store, loads or creates the key, publishes a fresh feed and starts serving.
    pub async fn start(opts: ServeOptions) -> Result<Server, ServeError> {
        let backend = open_store(&opts.db)?;
        let store: Arc<dyn Store> = backend.clone();
        let accounts: Arc<dyn AccountStore> = backend;
        let (publisher, key_created) = match &opts.edge {
            Some(public) => {
                if !store.shared() {
                    return Err(ServeError::EdgeAlone);
                }
                let text = std::fs::read_to_string(public).map_err(|e| ServeError::Key {
                    path: public.display().to_string(),
                    reason: e.to_string(),
                })?;
                let publisher = Publisher::start_edge(
                    store.clone(),
                    text,
                    opts.feed.clone(),
                    opts.mirror_dir.clone(),
                )
                .await
                .map_err(|e| match e {
                    PublishError::Signing(reason) => ServeError::Key {
                        path: public.display().to_string(),
                        reason: reason.to_string(),
                    },
                    e => e.into(),
                })?;
                (publisher, false)
            }
            None => {
                let (key, created) = load_or_create_key(&opts.key)?;
                let publisher = Publisher::start(
                    store.clone(),
                    key,
                    opts.feed.clone(),
                    opts.mirror_dir.clone(),
                )
                .await?;
                (publisher, created)
            }
        };
        let capacity = Capacity::new(&opts.limits, FdBudget::of_this_process());
        tracing::info!("{capacity}");
        let budget = capacity.budget;
        let (stop, shutdown) = watch::channel(false);
        let (revoked, revocations) = svetofor_publisher::revocation::watch(store.clone());
        let app_senders =
            Arc::new(svetofor_channels::Senders::new().map_err(ServeError::Channels)?);
        let app = Arc::new(AppState {
            publisher: publisher.clone(),
            store,
            private: opts.private,
            cache_control: feed_http::cache_control(opts.private),
            write_limiter: WriteLimiter::new(
                opts.limits.writes_per_minute,
                opts.limits.write_burst,
            ),
            streams: AddressCounter::new(capacity.streams_per_ip, capacity.streams_total),
            stream_lifetime: opts.limits.stream_lifetime,
            shutdown: shutdown.clone(),
            revoked,
            auth_throttle: Default::default(),
            senders: app_senders.clone(),
            console: crate::web::console::Console::new(
                accounts,
                opts.public_url.as_deref(),
                opts.previewer.clone(),
            ),
            embed_origins: opts.embed_origins.clone(),
            sight: Default::default(),
            embed: Default::default(),
        });
        let socket = if opts.listen.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        }
        .map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
        let bind = |s: &tokio::net::TcpSocket| -> std::io::Result<()> {
            s.set_reuseaddr(true)?;
            s.bind(opts.listen)
        };
        bind(&socket).map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
        // A deep backlog: thousands of desktops reconnect together after a network blip.
        let listener = socket.listen(4096).map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: opts.listen,
            source,
        })?;
        let connections = AddressCounter::new(budget.connections_per_ip(), budget.connections());
        let task = tokio::spawn(crate::http::http1::serve(
            listener,
            router(app, &opts.limits),
            connections,
            budget.connections_per_ip(),
            shutdown,
        ));
        // The clock and the outbox change what is stored: the signing replicas' work.
        let (clock, outbox) = if publisher.is_edge() {
            (tokio::spawn(async {}), tokio::spawn(async {}))
        } else {
            (
                tokio::spawn(publisher.clone().run_clock()),
                tokio::spawn(svetofor_publisher::outbox::run(
                    publisher.clone(),
                    app_senders.clone(),
                )),
            )
        };
        let follower = tokio::spawn(publisher.clone().run_follower());
        let mirror = match opts.mirror.clone() {
            Some(m) => tokio::spawn(m.run(publisher.subscribe())),
            None => tokio::spawn(async {}),
        };
        Ok(Server {
            addr,
            publisher,
            key_created,
            capacity,
            stop,
            task,
            clock,
            follower,
            mirror,
            outbox,
            revocations,
        })
    }

    /// Stops accepting, ends event streams, and waits for open requests to finish.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.clock.abort();
        self.follower.abort();
        self.mirror.abort();
        self.outbox.abort();
        self.revocations.abort();
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Serves until the task ends on its own (it does not, short of an error).
    pub async fn wait(self) -> std::io::Result<()> {
        match self.task.await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// A handle that stops the server when sent `true`.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Writes `feed.json` and `feed.json.minisig` for the notices in `db` into `out`, signed
/// with `key`, without a running server. Uses the database's current seq.
pub fn export(
    db: &Database,
    key: &Path,
    out: &Path,
    feed: &FeedSettings,
) -> Result<(u64, PathBuf), ServeError> {
    let store = open_store(db)?;
    let text = std::fs::read_to_string(key).map_err(|e| ServeError::Key {
        path: key.display().to_string(),
        reason: e.to_string(),
    })?;
    let key = SigningKey::from_secret_file(&text).map_err(|e| ServeError::Key {
        path: key.display().to_string(),
        reason: e.to_string(),
    })?;
    let now = Utc::now();
    let since =
        now - chrono::TimeDelta::from_std(feed.history).unwrap_or(chrono::TimeDelta::days(3));
    let store_err = |source| ServeError::Store {
        path: db.to_string(),
        source,
    };
    let notices = store
        .feed_notices(since)
        .map_err(store_err)?
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect();
    let components = store.components().map_err(store_err)?;
    let seq = store.seq().map_err(store_err)?;
    let published = render(feed, &key, &notices, &components, seq, now)?;
    write_pair(out, &published).map_err(|source| ServeError::Io {
        path: out.display().to_string(),
        source,
    })?;
    Ok((seq, out.join("feed.json")))
}
