//! The feed over HTTP: `/feed.json` and its signature with ETags, and `/events` (SSE).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::AppState;
use crate::error::ApiError;
use crate::http::extract::MaybeCaller;
use crate::http::limits::StreamRefusal;
use svetofor_api::ErrorCode;
use svetofor_publisher::publisher::Published;

/// Keep-alive comment interval on event streams (below the 25 s clients expect at most).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `Cache-Control` of the feed: clients and caches may reuse it for a few seconds.
pub fn cache_control(private: bool) -> HeaderValue {
    HeaderValue::from_static(if private {
        "private, max-age=10"
    } else {
        "public, max-age=10"
    })
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == etag || t == "*" || t.strip_prefix("W/") == Some(etag))
}

fn conditional(
    app: &AppState,
    headers: &HeaderMap,
    etag: &HeaderValue,
    content_type: &'static str,
    (body, encoding): (Bytes, Option<&'static str>),
    last_modified: &HeaderValue,
) -> Response {
    let matched = etag.to_str().is_ok_and(|e| etag_matches(headers, e));
    let mut resp = if matched {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = resp.headers_mut();
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    h.insert(header::ETAG, etag.clone());
    h.insert(header::CACHE_CONTROL, app.cache_control.clone());
    h.insert(header::LAST_MODIFIED, last_modified.clone());
    // The document comes plain or gzip-compressed; a cache must keep the two apart.
    let vary = match (app.private, content_type == "application/json") {
        (true, true) => "Authorization, Accept-Encoding",
        (true, false) => "Authorization",
        (false, true) => "Accept-Encoding",
        (false, false) => "",
    };
    if !vary.is_empty() {
        h.insert(header::VARY, HeaderValue::from_static(vary));
    }
    resp
}

/// Whether the request accepts a gzip-compressed body (`Accept-Encoding: gzip`, not `q=0`).
pub(crate) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

type Reply = Result<Response, ApiError>;

/// Which part of the signed pair a request asks for.
#[derive(Clone, Copy)]
enum Half {
    Document,
    Signature,
    /// Both in one object (`feed.bundle.json`).
    Bundle,
}

/// `GET /feed.json`. Takes the request whole rather than a copy of its headers: this is the
/// endpoint thousands of desktops poll.
pub async fn feed(app: State<Arc<AppState>>, caller: MaybeCaller, req: Request) -> Reply {
    serve_half(&app, caller, &req, Half::Document)
}

/// `GET /feed.bundle.json`: the document and its signature in one object, for CDNs that
/// would cache the two apart.
pub async fn bundle(app: State<Arc<AppState>>, caller: MaybeCaller, req: Request) -> Reply {
    serve_half(&app, caller, &req, Half::Bundle)
}

/// `GET /feed.json.minisig`.
pub async fn signature(app: State<Arc<AppState>>, caller: MaybeCaller, req: Request) -> Reply {
    serve_half(&app, caller, &req, Half::Signature)
}

fn serve_half(
    app: &AppState,
    MaybeCaller(caller): MaybeCaller,
    req: &Request,
    half: Half,
) -> Result<Response, ApiError> {
    crate::http::extract::require_read(app, caller)?;
    let p = app.publisher.current();
    let (etag, content_type, body) = match half {
        Half::Document if accepts_gzip(req.headers()) => (
            &p.gzip_etag,
            "application/json",
            (p.gzip.clone(), Some("gzip")),
        ),
        Half::Document => (&p.etag, "application/json", (p.bytes.clone(), None)),
        Half::Signature => (
            &p.signature_etag,
            "text/plain; charset=utf-8",
            (p.signature_bytes.clone(), None),
        ),
        Half::Bundle => (&p.bundle_etag, "application/json", (p.bundle.clone(), None)),
    };
    Ok(conditional(
        app,
        req.headers(),
        etag,
        content_type,
        body,
        &p.last_modified,
    ))
}

/// `GET /feed.pub`: the public key that verifies the feed. Public keys are not secret.
pub async fn public_key(State(app): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        app.publisher.public_key_file(),
    )
        .into_response()
}

/// `GET /healthz`.
/// `GET /healthz`: 200 and `"status": "ok"` while the served feed has more than a quarter
/// of its lifetime left (it is re-signed at half); else 503 with `"expiring"` or `"expired"`
/// and why, so a load balancer or a monitor sees a publisher that stopped re-signing.
pub async fn health(State(app): State<Arc<AppState>>) -> Response {
    let p = app.publisher.current();
    let now = chrono::Utc::now();
    let quarter = (p.expires_at - p.generated_at) / 4;
    let (status, problem) = if p.expires_at <= now {
        (
            "expired",
            Some("the served feed has expired: re-signing has stopped"),
        )
    } else if p.expires_at - now < quarter {
        (
            "expiring",
            Some("the served feed is near its expiry: re-signing is late"),
        )
    } else {
        ("ok", None)
    };
    let code = if problem.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut body = serde_json::json!({
        "status": status,
        "seq": p.seq,
        "expires_at": p.expires_at,
        "streams": app.streams.open(),
    });
    if let Some(problem) = problem {
        body["problem"] = serde_json::json!(problem);
    }
    (code, axum::Json(body)).into_response()
}

/// `GET /events`: a `snapshot` event with the signed feed on connect (unless
/// `Last-Event-ID` says the client has the current one), then one per new document.
pub async fn events(
    State(app): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token_id = caller.as_ref().map(|c| c.token_id.clone());
    crate::http::extract::require_read(&app, caller)?;
    let place = app.streams.enter(addr.ip()).map_err(|r| match r {
        StreamRefusal::PerIp(n) => ApiError::too_many(
            format!("{} already has {n} open event streams", addr.ip()),
            Duration::from_secs(30),
        ),
        StreamRefusal::Total(n) => ApiError::new(
            ErrorCode::Busy,
            format!("the server has {n} open event streams; poll /feed.json instead"),
        )
        // Soon: behind a load balancer another replica (or this one) has room again.
        .retry_after(jittered(Duration::from_secs(10))),
    })?;
    let last_id: Option<u64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let mut rx = app.publisher.subscribe();
    let current = rx.borrow_and_update().clone();
    let first = (last_id != Some(current.seq)).then_some(current);
    let mut shutdown = app.shutdown.clone();
    let ends_at = app
        .stream_lifetime
        .map(|most| tokio::time::Instant::now() + most.mul_f64(0.5 + 0.5 * spread()));
    // Made once per stream and kept: a document wakes every stream at once, and futures
    // made anew on each wake-up would each register and unregister a timer or a waiter.
    let end: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
        let lifetime = async {
            match ends_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => {}
            () = lifetime => {}
        }
    });

    struct Stream_ {
        rx: watch::Receiver<Arc<Published>>,
        first: Option<Arc<Published>>,
        /// Done when the server shuts down or the stream's lifetime is over.
        end: Pin<Box<dyn Future<Output = ()> + Send>>,
        keep_alive: Pin<Box<tokio::time::Sleep>>,
        /// The token the stream was opened with, while its revocation is watched.
        token_id: Option<String>,
        revoked: svetofor_publisher::revocation::Revoked,
        _place: crate::http::limits::AddressPlace,
    }
    let state = Stream_ {
        rx,
        first,
        end,
        keep_alive: Box::pin(tokio::time::sleep(KEEP_ALIVE)),
        token_id,
        revoked: app.revoked.clone(),
        _place: place,
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        if let Some(p) = s.first.take() {
            return Some((Ok::<_, Infallible>(p.event_frame.clone()), s));
        }
        enum Next {
            Document,
            KeepAlive,
            End,
            Revocations { lost: bool },
        }
        loop {
            let next = tokio::select! {
                changed = s.rx.changed() => match changed {
                    Ok(()) => Next::Document,
                    Err(_) => Next::End,
                },
                () = s.end.as_mut() => Next::End,
                () = s.keep_alive.as_mut() => Next::KeepAlive,
                r = s.revoked.changed(), if s.token_id.is_some() => Next::Revocations { lost: r.is_err() },
            };
            match next {
                Next::Document => {
                    let p = s.rx.borrow_and_update().clone();
                    return Some((Ok(p.event_frame.clone()), s));
                }
                Next::KeepAlive => {
                    // Every 15 s whatever else was sent: cheaper than moving it per document.
                    s.keep_alive
                        .as_mut()
                        .reset(tokio::time::Instant::now() + KEEP_ALIVE);
                    return Some((Ok(Bytes::from_static(b":\n\n")), s));
                }
                Next::End => return None,
                // No more news of revocations: stop asking.
                Next::Revocations { lost: true } => s.token_id = None,
                Next::Revocations { lost: false } => {
                    let revoked = s.revoked.borrow_and_update().clone();
                    if s.token_id.as_ref().is_some_and(|t| revoked.contains(t)) {
                        return None;
                    }
                }
            }
        }
    });
    // The frames are built once per document and shared (reference-counted) by every
    // stream; hyper takes the next one only when the client has taken the last, so a
    // subscriber that stops reading pins no more than one document's bytes, and the write
    // timeout in `http1` drops it before long.
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// `base` to twice `base`, spread at random: refused clients must not all come back at once.
fn jittered(base: Duration) -> Duration {
    base.mul_f64(1.0 + spread())
}

/// A number from 0 to 1 at random (0.5 if the OS gives no randomness).
fn spread() -> f64 {
    let mut b = [0u8; 2];
    getrandom::fill(&mut b).map_or(0.5, |()| f64::from(u16::from_le_bytes(b)) / 65_535.0)
}
