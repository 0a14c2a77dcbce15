//! The engine against a hostile feed server on real loopback sockets. In every case: no
//! panic, the last good status stays, the view turns stale within the configured time, and
//! it comes back live when the server behaves again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeDelta, Utc};
use svetofor_client::FetcherOptions;
use svetofor_client::engine::{Engine, EngineEvent, EngineOptions};
use svetofor_client::view::{Freshness, ViewState};
use svetofor_feed::{Feed, Kind, Notice, Severity, SigningKey, State, Text};
use tokio::sync::mpsc;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Good,
    Error500,
    Hang,
    Trickle,
    Truncated,
    Huge,
    InvalidUtf8,
    RedirectLoop,
    WrongSignature,
    Expired,
    Replay,
    /// Serves `/events`: one snapshot, then cuts the connection in the middle of the next.
    StreamThenCut,
    /// `/events` answers, then never sends a byte (a proxy that buffers the stream).
    SilentStream,
    /// `/events` sends a good snapshot, then one signed by another key, then keep-alives.
    StreamThenForged,
    /// `/feed.json` serves another feed (id `other`, green) signed by the same key.
    OtherFeed,
    /// `/feed.json` is 10 MiB of spaces, gzip-compressed to a few KiB.
    GzipBomb,
    /// `/events` answers 503 with `Retry-After: 1` (no room for more streams).
    BusyStream,
    /// `/events` sends a good snapshot, then bytes that are neither events nor comments.
    StreamThenGarbage,
    /// `/events` sends a good snapshot, then keep-alives until the mode changes, then ends.
    KeptAlive,
}

struct Hostile {
    mode: Mode,
    key: SigningKey,
    other_key: SigningKey,
    seq: u64,
    /// How many times `/events` was asked for.
    stream_requests: u32,
    /// The `Authorization` header of each `/feed.json` request (empty: none).
    authorizations: Vec<String>,
}

/// Documents are built from a fixed time so the feed and its signature, fetched separately,
/// always match.
fn base_time() -> chrono::DateTime<Utc> {
    static BASE: std::sync::OnceLock<chrono::DateTime<Utc>> = std::sync::OnceLock::new();
    *BASE.get_or_init(Utc::now)
}

fn feed(seq: u64, severity: Severity, expires_in: TimeDelta) -> Feed {
    let now = base_time();
    Feed {
        format: "svetofor/1".into(),
        id: "acme".into(),
        name: "Acme".into(),
        default_language: "en".into(),
        seq,
        generated_at: now - TimeDelta::minutes(1),
        expires_at: now + expires_in,
        components: vec![],
        notices: vec![Notice {
            id: "n1".into(),
            severity,
            kind: Kind::Outage,
            state: State::Identified,
            title: Text::Plain("Payments down".into()),
            body: Text::default(),
            components: vec![],
            created_at: now - TimeDelta::minutes(1),
            updated_at: now - TimeDelta::minutes(1),
            window: None,
            next_update_at: None,
            url: None,
            updates: vec![],
        }],
    }
}

type Shared = Arc<Mutex<Hostile>>;

fn signed(_h: &Hostile, f: &Feed, key: &SigningKey) -> (Vec<u8>, String) {
    let bytes = f.to_bytes();
    let sig = key.sign(&bytes, "test").unwrap();
    (bytes, sig)
}

/// The document and signature the server serves in its mode (the signature from another
/// key for `WrongSignature`).
fn served(h: &Hostile) -> (Vec<u8>, String) {
    match h.mode {
        Mode::Expired => signed(
            h,
            &feed(h.seq, Severity::Red, TimeDelta::seconds(-30)),
            &h.key,
        ),
        Mode::Replay => signed(
            h,
            &feed(h.seq - 5, Severity::Green, TimeDelta::hours(1)),
            &h.key,
        ),
        Mode::WrongSignature => signed(
            h,
            &feed(h.seq, Severity::Red, TimeDelta::hours(1)),
            &h.other_key,
        ),
        Mode::OtherFeed => {
            let mut other = feed(h.seq + 10, Severity::Green, TimeDelta::hours(1));
            other.id = "other".into();
            signed(h, &other, &h.key)
        }
        _ => signed(h, &feed(h.seq, Severity::Red, TimeDelta::hours(1)), &h.key),
    }
}

async fn feed_handler(
    axum::extract::State(s): axum::extract::State<Shared>,
    headers: HeaderMap,
) -> Response {
    let (mode, bytes) = {
        let mut h = s.lock().unwrap();
        let auth = headers.get(header::AUTHORIZATION);
        let auth = auth.and_then(|v| v.to_str().ok()).unwrap_or_default();
        h.authorizations.push(auth.to_owned());
        (h.mode, served(&h).0)
    };
    match mode {
        Mode::Good
        | Mode::WrongSignature
        | Mode::Expired
        | Mode::Replay
        | Mode::StreamThenCut
        | Mode::SilentStream
        | Mode::StreamThenForged
        | Mode::OtherFeed
        | Mode::BusyStream
        | Mode::StreamThenGarbage
        | Mode::KeptAlive => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Mode::Error500 => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Mode::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "late".into_response()
        }
        Mode::Trickle => {
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let b = bytes.get(i).copied();
                async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    b.map(|b| (Ok::<_, std::io::Error>(vec![b]), i + 1))
                }
            });
            Body::from_stream(stream).into_response()
        }
        Mode::Truncated => bytes[..bytes.len() / 2].to_vec().into_response(),
        Mode::Huge => vec![b' '; 10 * 1024 * 1024].into_response(),
        Mode::GzipBomb => {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(vec![], flate2::Compression::best());
            enc.write_all(&vec![b' '; 10 * 1024 * 1024]).unwrap();
            let body = enc.finish().unwrap();
            ([(header::CONTENT_ENCODING, "gzip")], body).into_response()
        }
        Mode::InvalidUtf8 => {
            let mut b = bytes.clone();
            let i = b.windows(7).position(|w| w == b"Payment").unwrap();
            b[i] = 0xff;
            b.into_response()
        }
        Mode::RedirectLoop => {
            (StatusCode::FOUND, [(header::LOCATION, "/feed.json")]).into_response()
        }
    }
}

async fn sig_handler(axum::extract::State(s): axum::extract::State<Shared>) -> Response {
    let h = s.lock().unwrap();
    served(&h).1.into_response()
}

async fn events_handler(
    axum::extract::State(s): axum::extract::State<Shared>,
    _h: HeaderMap,
) -> Response {
    let (mode, data) = {
        let mut h = s.lock().unwrap();
        h.stream_requests += 1;
        let (b, sig) = signed(&h, &feed(h.seq, Severity::Red, TimeDelta::hours(1)), &h.key);
        let data = serde_json::json!({"seq": h.seq, "feed": String::from_utf8(b).unwrap(), "signature": sig}).to_string();
        (h.mode, data)
    };
    if mode == Mode::StreamThenForged {
        let forged = {
            let h = s.lock().unwrap();
            let (b, sig) = signed(
                &h,
                &feed(h.seq + 1, Severity::Green, TimeDelta::hours(1)),
                &h.other_key,
            );
            serde_json::json!({"seq": h.seq + 1, "feed": String::from_utf8(b).unwrap(), "signature": sig}).to_string()
        };
        let first = format!("event: snapshot\nid: 1\ndata: {data}\n\n");
        let second = format!("event: snapshot\nid: 2\ndata: {forged}\n\n");
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(first.into_bytes())])
            .chain(futures_util::stream::once(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(second.into_bytes())
            }))
            .chain(futures_util::stream::unfold((), |_| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some((Ok(b":\n\n".to_vec()), ()))
            }));
        return (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(stream),
        )
            .into_response();
    }
    if mode == Mode::BusyStream {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            "poll /feed.json instead",
        )
            .into_response();
    }
    if mode == Mode::StreamThenGarbage {
        let first = format!("event: snapshot\nid: 1\ndata: {data}\n\n");
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(first.into_bytes())])
            .chain(futures_util::stream::unfold((), |_| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some((Ok(b"\x00\xff junk\nnot-a-field\n\n".to_vec()), ()))
            }));
        return (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(stream),
        )
            .into_response();
    }
    if mode == Mode::KeptAlive {
        let first = format!("event: snapshot\nid: 1\ndata: {data}\n\n");
        let kept = s.clone();
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(first.into_bytes())])
            .chain(futures_util::stream::unfold((), move |_| {
                let kept = kept.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    (kept.lock().unwrap().mode == Mode::KeptAlive)
                        .then(|| (Ok(b":\n\n".to_vec()), ()))
                }
            }));
        return (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(stream),
        )
            .into_response();
    }
    if mode == Mode::SilentStream {
        let silent = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
        return (
            [(header::CONTENT_TYPE, "text/event-stream")],
            Body::from_stream(silent),
        )
            .into_response();
    }
    if mode != Mode::StreamThenCut {
        return StatusCode::NOT_FOUND.into_response();
    }
    let first = format!("event: snapshot\nid: 1\ndata: {data}\n\n");
    let partial = format!("event: snapshot\nid: 2\ndata: {}", &data[..data.len() / 2]);
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(first.into_bytes())])
        .chain(futures_util::stream::once(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(partial.into_bytes())
        }))
        .chain(futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Err(std::io::Error::other("killed"))
        }));
    (
        [(header::CONTENT_TYPE, "text/event-stream")],
        Body::from_stream(stream),
    )
        .into_response()
}

use futures_util::StreamExt;

async fn hostile_server(mode: Mode) -> (SocketAddr, Shared) {
    let key = SigningKey::generate().unwrap().key;
    let shared: Shared = Arc::new(Mutex::new(Hostile {
        mode,
        key,
        other_key: SigningKey::generate().unwrap().key,
        seq: 10,
        stream_requests: 0,
        authorizations: vec![],
    }));
    let app = Router::new()
        .route("/feed.json", get(feed_handler))
        .route("/feed.json.minisig", get(sig_handler))
        .route("/events", get(events_handler))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, shared)
}

const STALE_AFTER: Duration = Duration::from_secs(3);

/// [`options`] for one source at `addr` whose next poll is a minute away.
fn polling_a_minute_apart(
    addr: std::net::SocketAddr,
    shared: &Shared,
    cache: &std::path::Path,
    push: bool,
) -> EngineOptions {
    let mut o = options(
        vec![format!("http://{addr}/feed.json")],
        shared,
        cache,
        push,
    );
    o.poll_interval = Duration::from_secs(60);
    o.stale_after = Duration::from_secs(180);
    o
}

fn options(
    sources: Vec<String>,
    shared: &Shared,
    cache: &std::path::Path,
    push: bool,
) -> EngineOptions {
    let mut o = EngineOptions::new(sources, cache.to_path_buf());
    o.keys = vec![shared.lock().unwrap().key.trusted()];
    o.poll_interval = Duration::from_millis(500);
    o.stale_after = STALE_AFTER;
    o.max_backoff = Duration::from_millis(500);
    o.push = push;
    o.push_retry = Duration::from_secs(1);
    o.fetcher = FetcherOptions {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(2),
        stream_idle_timeout: Duration::from_secs(2),
        ..FetcherOptions::default()
    };
    o
}

fn start_engine(
    sources: Vec<String>,
    shared: &Shared,
    cache: &std::path::Path,
    push: bool,
) -> (tokio::task::JoinHandle<()>, mpsc::Receiver<EngineEvent>) {
    let (engine, rx) = Engine::new(options(sources, shared, cache, push)).unwrap();
    (tokio::spawn(engine.run()), rx)
}

/// Asserts that every state for `within` is live.
async fn assert_stays_live(rx: &mut mpsc::Receiver<EngineEvent>, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if let EngineEvent::State(v) = ev {
            assert_eq!(v.freshness, Freshness::Live, "{v:?}");
        }
    }
}

/// A hostile server in `mode` and an engine following its feed (over its stream when
/// `push`), with the engine's cache folder, which lives as long as the returned value.
async fn follow(
    mode: Mode,
    push: bool,
) -> (
    SocketAddr,
    Shared,
    tempfile::TempDir,
    tokio::task::JoinHandle<()>,
    mpsc::Receiver<EngineEvent>,
) {
    let (addr, shared) = hostile_server(mode).await;
    let cache = tempfile::tempdir().unwrap();
    let (task, rx) = start_engine(
        vec![format!("http://{addr}/feed.json")],
        &shared,
        cache.path(),
        push,
    );
    (addr, shared, cache, task, rx)
}

async fn wait_state(
    rx: &mut mpsc::Receiver<EngineEvent>,
    within: Duration,
    pred: impl Fn(&ViewState) -> bool,
) -> ViewState {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(EngineEvent::State(v))) if pred(&v) => return v,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the engine stopped (panicked?)"),
            Err(_) => panic!("no matching state within {within:?}"),
        }
    }
}

fn is_stale(v: &ViewState) -> bool {
    v.freshness == Freshness::Stale
}

fn live_red(v: &ViewState) -> bool {
    v.freshness == Freshness::Live && v.status == Some(Severity::Red)
}

async fn scenario(mode: Mode) {
    let (_, shared, _cache, task, mut rx) = follow(Mode::Good, mode == Mode::StreamThenCut).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;

    shared.lock().unwrap().mode = mode;
    let started = std::time::Instant::now();
    let stale = wait_state(&mut rx, STALE_AFTER + Duration::from_secs(4), is_stale).await;
    assert!(
        started.elapsed() <= STALE_AFTER + Duration::from_secs(3),
        "{mode:?}: stale only after {:?}",
        started.elapsed()
    );
    assert_eq!(
        stale.status,
        Some(Severity::Red),
        "{mode:?}: the last good status stays"
    );
    assert_eq!(stale.notices.len(), 1, "{mode:?}: the last notices stay");
    assert!(stale.stale_reason.is_some(), "{mode:?}: says why");
    assert!(!task.is_finished(), "{mode:?}: engine still running");

    {
        let mut h = shared.lock().unwrap();
        h.mode = Mode::Good;
        h.seq += 1;
    }
    wait_state(&mut rx, Duration::from_secs(8), live_red).await;
    task.abort();
}

#[tokio::test]
async fn server_errors() {
    scenario(Mode::Error500).await;
}

#[tokio::test]
async fn hanging_server() {
    scenario(Mode::Hang).await;
}

#[tokio::test]
async fn trickling_body() {
    scenario(Mode::Trickle).await;
}

#[tokio::test]
async fn truncated_json() {
    scenario(Mode::Truncated).await;
}

#[tokio::test]
async fn ten_megabyte_body() {
    scenario(Mode::Huge).await;
}

#[tokio::test]
async fn invalid_utf8() {
    scenario(Mode::InvalidUtf8).await;
}

#[tokio::test]
async fn redirect_loop() {
    scenario(Mode::RedirectLoop).await;
}

#[tokio::test]
async fn wrong_signature() {
    scenario(Mode::WrongSignature).await;
}

#[tokio::test]
async fn expired_feed() {
    scenario(Mode::Expired).await;
}

#[tokio::test]
async fn replayed_older_seq() {
    scenario(Mode::Replay).await;
}

#[tokio::test]
async fn server_killed_mid_stream() {
    // The stream delivers one snapshot, then dies mid-event; afterwards /events is gone and
    // the feed errors, so the engine must poll, fail, and turn stale.
    let (_, shared, _cache, task, mut rx) = follow(Mode::StreamThenCut, true).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    shared.lock().unwrap().mode = Mode::Error500;
    let stale = wait_state(&mut rx, STALE_AFTER + Duration::from_secs(4), is_stale).await;
    assert_eq!(stale.status, Some(Severity::Red));
    shared.lock().unwrap().mode = Mode::StreamThenCut;
    wait_state(&mut rx, Duration::from_secs(8), live_red).await;
    assert!(!task.is_finished());
    task.abort();
}

#[tokio::test]
async fn a_feed_that_goes_down_shows_within_seconds_and_an_outage_comes_back_fast() {
    // Real-life windows: polls a minute apart, stale after three, long backoff.
    let (addr, shared) = hostile_server(Mode::KeptAlive).await;
    let cache = tempfile::tempdir().unwrap();
    let mut o = options(
        vec![format!("http://{addr}/feed.json")],
        &shared,
        cache.path(),
        true,
    );
    let defaults = EngineOptions::new(vec![], cache.path().to_path_buf());
    o.poll_interval = defaults.poll_interval;
    o.stale_after = defaults.stale_after;
    o.max_backoff = defaults.max_backoff;
    let (engine, mut rx) = Engine::new(o).unwrap();
    let task = tokio::spawn(engine.run());
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;

    shared.lock().unwrap().mode = Mode::Error500;
    let started = std::time::Instant::now();
    let stale = wait_state(&mut rx, Duration::from_secs(30), is_stale).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "offline shown after {:?}",
        started.elapsed()
    );
    assert_eq!(stale.status, Some(Severity::Red), "the last status stays");
    // Down for a while: the backoff grows, but not past a few seconds while red.
    tokio::time::sleep(Duration::from_secs(20)).await;
    {
        let mut h = shared.lock().unwrap();
        h.mode = Mode::KeptAlive;
        h.seq += 1;
    }
    let back = std::time::Instant::now();
    wait_state(&mut rx, Duration::from_secs(10), live_red).await;
    assert!(back.elapsed() < Duration::from_secs(10));
    task.abort();
}

async fn first_view(rx: &mut mpsc::Receiver<EngineEvent>) -> ViewState {
    wait_state(rx, Duration::from_secs(5), |v| v.status.is_some()).await
}

#[tokio::test]
async fn a_settings_restart_does_not_flash_offline() {
    let (addr, shared) = hostile_server(Mode::Good).await;
    let cache = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/feed.json");
    let (task, mut rx) = start_engine(vec![url.clone()], &shared, cache.path(), false);
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    task.abort();
    let _ = task.await;
    // The server now answers nothing: only the restart's own rule can keep the view live.
    shared.lock().unwrap().mode = Mode::Hang;
    let mut o = options(vec![url.clone()], &shared, cache.path(), false);
    o.heard_at = Some(Utc::now());
    let (engine, mut rx) = Engine::new(o).unwrap();
    let task = tokio::spawn(engine.run());
    let v = first_view(&mut rx).await;
    assert_eq!(
        (v.freshness, v.cached),
        (Freshness::Live, false),
        "what the stopped engine just heard vouches for the cache"
    );
    task.abort();
    // A start of the app (nothing heard in this process) shows the cache as what it is.
    let (task, mut rx) = start_engine(vec![url], &shared, cache.path(), false);
    let v = first_view(&mut rx).await;
    assert_eq!((v.freshness, v.cached), (Freshness::Stale, true));
    task.abort();
}

#[tokio::test]
async fn a_network_change_asks_the_sources_at_once() {
    let (addr, shared) = hostile_server(Mode::Good).await;
    let cache = tempfile::tempdir().unwrap();
    let o = polling_a_minute_apart(addr, &shared, cache.path(), false);
    let (engine, mut rx) = Engine::new(o).unwrap();
    let waker = engine.waker();
    let task = tokio::spawn(engine.run());
    let first = wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The next poll is about a minute away; the wake asks now.
    waker.wake();
    wait_state(&mut rx, Duration::from_secs(3), |v| {
        live_red(v) && v.fetched_at > first.fetched_at
    })
    .await;
    task.abort();
}

#[tokio::test]
async fn primary_down_mirror_up_stays_live() {
    let (mirror, shared) = hostile_server(Mode::Good).await;
    // Nothing listens on the primary's port.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let (task, mut rx) = start_engine(
        vec![
            format!("http://{dead}/feed.json"),
            format!("http://{mirror}/feed.json"),
        ],
        &shared,
        cache.path(),
        false,
    );
    let v = wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    assert_eq!(
        v.source.as_deref(),
        Some(format!("http://{mirror}/feed.json").as_str())
    );
    // And it stays live past the staleness window.
    assert_stays_live(&mut rx, STALE_AFTER + Duration::from_secs(2)).await;
    task.abort();
}

#[tokio::test]
async fn corrupt_cache_is_set_aside_not_fatal() {
    let (addr, shared) = hostile_server(Mode::Good).await;
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(cache.path().join("last-feed.json"), b"{\"source\": \"trunc").unwrap();
    std::fs::write(cache.path().join("state.json"), [0xffu8, 0xfe, 0x00]).unwrap();
    let (task, mut rx) = start_engine(
        vec![format!("http://{addr}/feed.json")],
        &shared,
        cache.path(),
        false,
    );
    let first = wait_state(&mut rx, Duration::from_secs(2), |_| true).await;
    assert_eq!(
        first.freshness,
        Freshness::Unknown,
        "nothing usable was cached"
    );
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    let names: Vec<String> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("last-feed.json.corrupt-")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("state.json.corrupt-")),
        "{names:?}"
    );
    assert!(
        names.contains(&"last-feed.json".to_owned()),
        "a good cache was written again"
    );
    task.abort();
}

#[tokio::test]
async fn a_stream_that_never_speaks_falls_back_to_polling() {
    let (_, _, _cache, task, mut rx) = follow(Mode::SilentStream, true).await;
    // Three stalls of 2 s, then polling brings the feed in.
    let v = wait_state(&mut rx, Duration::from_secs(15), live_red).await;
    assert_eq!(v.notices.len(), 1);
    // And it stays live from then on (polls every 0.5 s).
    assert_stays_live(&mut rx, STALE_AFTER + Duration::from_secs(1)).await;
    task.abort();
}

#[tokio::test]
async fn keep_alives_do_not_vouch_for_a_refused_stream() {
    let (_, _, _cache, task, mut rx) = follow(Mode::StreamThenForged, true).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    // The forged green document is refused; keep-alives keep coming, yet the view goes stale
    // and keeps the last good red.
    let stale = wait_state(&mut rx, STALE_AFTER + Duration::from_secs(3), is_stale).await;
    assert_eq!(stale.status, Some(Severity::Red));
    assert!(
        stale
            .stale_reason
            .unwrap()
            .contains("not among the trusted keys")
    );
    task.abort();
}

#[tokio::test]
async fn another_feed_signed_by_the_same_key() {
    scenario(Mode::OtherFeed).await;
}

#[tokio::test]
async fn another_feed_is_refused_saying_so() {
    let (_, shared, _cache, task, mut rx) = follow(Mode::Good, false).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    shared.lock().unwrap().mode = Mode::OtherFeed;
    let stale = wait_state(&mut rx, STALE_AFTER + Duration::from_secs(3), is_stale).await;
    assert_eq!(
        stale.status,
        Some(Severity::Red),
        "never the other feed's green"
    );
    let reason = stale.stale_reason.unwrap();
    assert!(
        reason.contains("another feed signed by the same key"),
        "{reason}"
    );
    task.abort();
}

#[tokio::test]
async fn a_busy_stream_means_polling_at_once_and_the_stream_again_when_told() {
    // /events says 503 with Retry-After: 1; the feed itself is fine. The next poll is a
    // minute away, so only Retry-After explains a second try of the stream.
    let (addr, shared) = hostile_server(Mode::BusyStream).await;
    let cache = tempfile::tempdir().unwrap();
    let mut o = polling_a_minute_apart(addr, &shared, cache.path(), true);
    o.push_retry = Duration::from_secs(600);
    let (engine, mut rx) = Engine::new(o).unwrap();
    let task = tokio::spawn(engine.run());
    wait_state(&mut rx, Duration::from_secs(3), live_red).await;
    // Asked again after a second, not after the poll interval (or push_retry).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let asked = shared.lock().unwrap().stream_requests;
    assert!(asked >= 2, "/events asked {asked} time(s)");
    task.abort();
}

#[tokio::test]
async fn garbage_on_the_stream_vouches_for_nothing() {
    let (_, _, _cache, task, mut rx) = follow(Mode::StreamThenGarbage, true).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    let stale = wait_state(&mut rx, STALE_AFTER + Duration::from_secs(3), is_stale).await;
    assert_eq!(stale.status, Some(Severity::Red));
    task.abort();
}

#[tokio::test]
async fn a_source_without_a_stream_is_asked_again_later() {
    // Mode::Good has no /events (404): polled, and after push_retry (1 s here) the stream is
    // tried again, in case the publisher was upgraded.
    let (_, shared, _cache, task, mut rx) = follow(Mode::Good, true).await;
    wait_state(&mut rx, Duration::from_secs(5), live_red).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let asked = shared.lock().unwrap().stream_requests;
    assert!(asked >= 2, "/events asked {asked} time(s)");
    task.abort();
}

#[tokio::test]
async fn the_token_goes_to_its_feed_and_not_to_a_mirror() {
    let (own, own_shared) = hostile_server(Mode::Good).await;
    let (mirror, mirror_shared) = hostile_server(Mode::Good).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for (sources, shared, expect) in [
        (
            vec![format!("http://{own}/feed.json")],
            &own_shared,
            "Bearer svt_t",
        ),
        (
            vec![
                format!("http://{dead}/feed.json"),
                format!("http://{mirror}/feed.json"),
            ],
            &mirror_shared,
            "",
        ),
    ] {
        let cache = tempfile::tempdir().unwrap();
        let mut o = options(sources.clone(), shared, cache.path(), false);
        o.keys = [&own_shared, &mirror_shared]
            .map(|s| s.lock().unwrap().key.trusted())
            .to_vec();
        o.fetcher.token = Some(svetofor_client::fetch::ScopedToken {
            secret: "svt_t".into(),
            feed: sources[0].parse().unwrap(),
        });
        let (engine, mut rx) = Engine::new(o).unwrap();
        let task = tokio::spawn(engine.run());
        wait_state(&mut rx, Duration::from_secs(5), live_red).await;
        task.abort();
        let seen = shared.lock().unwrap().authorizations.clone();
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|a| a == expect), "{sources:?}: {seen:?}");
    }
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_at_the_size_limit() {
    scenario(Mode::GzipBomb).await;
}
