//! The support console under `/console/`: sign-in with a name and password, sessions, and the
//! pages support and admins work in. Server-rendered HTML that works without script; the CSP
//! allows nothing but this origin's stylesheet and one script (`static/console.js`: local
//! times, live refresh), and every state-changing form carries its session's CSRF token and
//! must come from this origin (`Origin`), both checked.
//!
//! - [`session`]: cookies, ids, lifetimes.
//! - `web::words`: the console's and the public pages' Russian and English.
//! - [`pages`]: the HTML, every untrusted text escaped.

mod audit_page;
mod channels;
pub mod checks;
mod compose;
mod compose_form;
mod deliveries;
mod form;
mod guard;
mod manage;
mod notice_page;
mod now_page;
mod origin;
pub mod pages;
mod people;
pub mod preview;
pub mod session;
mod timeline;
mod together;
mod update_form;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::http::limits::AuthThrottle;
use crate::web::words::{Lang, Words};
use origin::{console_path, same_origin, url_origin};
use svetofor_publisher::accounts::{self, UserRecord};
use svetofor_store::{AccountStore, SessionRecord, StoreError, blocking};

/// What the console keeps besides the store.
pub struct Console {
    /// Accounts and sessions.
    pub accounts: Arc<dyn AccountStore>,
    /// The origin browsers reach the console at (`https://status.example.com`), when it is
    /// known (`--public-url`); else the request's `Host` is the origin.
    pub public_origin: Option<String>,
    /// Failed sign-ins by address.
    pub by_address: AuthThrottle<IpAddr>,
    /// Failed sign-ins by account name (an attacker with many addresses).
    pub by_name: AuthThrottle<String>,
    /// Draws the preview beside the compose form, when one was given.
    pub previewer: Option<Arc<dyn preview::Previewer>>,
    /// Who has which notice open.
    pub presence: svetofor_publisher::presence::Presence,
}

impl Console {
    /// A console over `accounts`, reached at `public_url` when given, previewing with
    /// `previewer`.
    pub fn new(
        accounts: Arc<dyn AccountStore>,
        public_url: Option<&str>,
        previewer: Option<Arc<dyn preview::Previewer>>,
    ) -> Console {
        let public_origin = public_url.and_then(url_origin);
        Console {
            accounts,
            public_origin,
            by_address: AuthThrottle::default(),
            by_name: AuthThrottle::default(),
            previewer,
            presence: Default::default(),
        }
    }

    /// Cookies are `Secure` when the console is served over https.
    fn secure(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }
}

/// The console's routes, under `/console/`.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(|| async { redirect("/console/", &[]) }))
        .route("/console/", get(now_page))
        .route("/console/login", get(login_form).post(login))
        .route("/console/logout", post(logout))
        .route("/console/language", get(language))
        .route(
            "/console/compose",
            get(compose::compose_form).post(compose::compose),
        )
        .route("/console/notices/{id}", get(notice_page::notice))
        .route("/console/notices/{id}/here", get(notice_page::here))
        .route("/console/notices/{id}/{action}", post(notice_page::change))
        .route("/console/drafts/{id}", get(compose::draft))
        .route("/console/drafts/{id}/delete", post(compose::delete_draft))
        .route(
            "/console/templates",
            get(manage::templates).post(manage::save_template),
        )
        .route(
            "/console/components",
            get(manage::components).post(manage::save_component),
        )
        .route("/console/audit", get(audit_page::audit))
        .route(
            "/console/channels",
            get(channels::channels).post(channels::change),
        )
        .route(
            "/console/users",
            get(people::users).post(people::change_users),
        )
        .route(
            "/console/tokens",
            get(people::tokens).post(people::change_tokens),
        )
        .route("/console/deliveries/{id}/retry", post(deliveries::retry))
        .route("/console/pulse", get(pulse))
        .route("/console/style.css", get(style))
        .route("/console/console.js", get(script))
}

const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                   img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// An HTML answer with the console's security headers.
fn html(status: StatusCode, cookies: &[String], body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Not `no-referrer`: with it, browsers send `Origin: null` on the console's own forms.
    crate::http::page_headers::secure(h, CSP, "same-origin");
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

fn redirect(to: &'static str, cookies: &[String]) -> Response {
    let mut resp = html(StatusCode::SEE_OTHER, cookies, String::new());
    resp.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    resp
}

fn cookie_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| session::cookie_value(h, name))
}

fn words_for(headers: &HeaderMap) -> &'static Words {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    crate::web::words::of(Lang::of_request(
        cookie_of(headers, "svetofor_lang").as_deref(),
        accept,
    ))
}

/// Whether a state-changing form lacks its session's CSRF token or came from elsewhere (both
/// are required); logged when it does.
fn forged(console: &Console, headers: &HeaderMap, session: &SessionRecord, csrf: &str) -> bool {
    forgery(console, headers, session, csrf).is_some()
}

/// Why a posted form is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forgery {
    /// It did not come from this console's pages.
    Origin,
    /// It came from this console, but from a page of an earlier session: the person signed
    /// in again (in another tab) or was signed out and back in since the page was drawn.
    StaleToken,
}

fn forgery(
    console: &Console,
    headers: &HeaderMap,
    session: &SessionRecord,
    csrf: &str,
) -> Option<Forgery> {
    let why = if !same_origin(console, headers) {
        Forgery::Origin
    } else if !equal(csrf, &session.csrf) {
        Forgery::StaleToken
    } else {
        return None;
    };
    tracing::warn!(user = %session.user, ?why, "console form refused");
    Some(why)
}

fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn failure(e: impl std::fmt::Display) -> Response {
    tracing::error!("console: {e}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the console cannot reach its storage now",
    )
        .into_response()
}

/// The session a request carries and its account, when both are good now.
async fn signed_in(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(UserRecord, SessionRecord)>, StoreError> {
    let Some(id) = cookie_of(headers, session::COOKIE) else {
        return Ok(None);
    };
    let id_hash = session::hash(&id);
    let accounts = app.console.accounts.clone();
    blocking(move || {
        let now = Utc::now();
        let Some(s) = accounts.session(&id_hash)? else {
            return Ok(None);
        };
        if !session::alive(&s, now) {
            accounts.delete_session(&id_hash)?;
            return Ok(None);
        }
        let Some(user) = accounts.user(&s.user)?.filter(|u| u.disabled_at.is_none()) else {
            accounts.delete_session(&id_hash)?;
            return Ok(None);
        };
        if now - s.last_seen >= session::TOUCH_EVERY {
            accounts.touch_session(&id_hash, now)?;
        }
        Ok(Some((user, s)))
    })
    .await
}

/// A fresh sign-in form with its own CSRF cookie; `message` says why the last try failed.
fn login_page(app: &AppState, w: &Words, status: StatusCode, message: Option<&str>) -> Response {
    let Ok(csrf) = session::secret() else {
        return failure("no random numbers for a sign-in form");
    };
    let cookie = session::cookie(
        session::LOGIN_COOKIE,
        &csrf,
        Duration::from_secs(1800),
        app.console.secure(),
    );
    html(status, &[cookie], pages::login(w, &csrf, message))
}

async fn login_form(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Ok(Some(_)) = signed_in(&app, &headers).await {
        return redirect("/console/", &[]);
    }
    login_page(&app, words_for(&headers), StatusCode::OK, None)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(app): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let w = words_for(&headers);
    let console = &app.console;
    let form_ok = cookie_of(&headers, session::LOGIN_COOKIE).is_some_and(|c| equal(&c, &form.csrf));
    if !same_origin(console, &headers) || !form_ok {
        tracing::warn!(ip = %peer.ip(), "console sign-in refused: no matching form token or origin");
        let m = w.t("console-login-expired");
        return login_page(&app, w, StatusCode::FORBIDDEN, Some(&m));
    }
    let name = accounts::user_name(&form.username).unwrap_or_default();
    let ip = peer.ip();
    let wait = console
        .by_address
        .check(&ip)
        .err()
        .max(console.by_name.check(&name).err());
    if let Some(wait) = wait {
        tracing::warn!(%ip, user = %name, "console sign-in throttled");
        let m = w.tr_str(
            "console-login-throttled",
            &[("seconds", &wait.as_secs().max(1).to_string())],
        );
        let mut resp = login_page(&app, w, StatusCode::TOO_MANY_REQUESTS, Some(&m));
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let accounts = console.accounts.clone();
    let (lookup, password) = (name.clone(), form.password);
    let checked = blocking(move || -> Result<Option<UserRecord>, StoreError> {
        let user = accounts.user(&lookup)?;
        // Unknown and disabled names cost one hash too: the time does not tell which exist.
        let hash = user
            .as_ref()
            .filter(|u| u.disabled_at.is_none())
            .map_or(accounts::decoy_hash(), |u| u.password_hash.as_str());
        let ok = accounts::password_matches(hash, &password);
        Ok(user.filter(|u| ok && u.disabled_at.is_none()))
    })
    .await;
    let user = match checked {
        Ok(Some(u)) => u,
        Ok(None) => {
            console.by_address.failed(ip);
            console.by_name.failed(name.clone());
            tracing::warn!(%ip, user = %name, "console sign-in failed");
            let m = w.t("console-login-failed");
            return login_page(&app, w, StatusCode::UNAUTHORIZED, Some(&m));
        }
        Err(e) => return failure(e),
    };
    console.by_address.succeeded(&ip);
    console.by_name.succeeded(&name);
    tracing::info!(%ip, user = %user.name, "console sign-in with a password");
    begin_session(&app, &user).await
}

/// Starts a session for a person whose identity was checked, and sends them to the Now page.
///
/// This is the seam for single sign-on: the password form above is one way in; an OpenID
/// Connect callback that has verified the provider's ID token and mapped its subject to an
/// account (`UserRecord`, with its role) calls this the same way, and everything after it —
/// cookies, CSRF, idle and absolute timeouts, sign-out — is shared.
pub async fn begin_session(app: &AppState, user: &UserRecord) -> Response {
    let console = &app.console;
    let (Ok(id), Ok(csrf)) = (session::secret(), session::secret()) else {
        return failure("no random numbers for a session");
    };
    let now = Utc::now();
    let record = SessionRecord {
        id_hash: session::hash(&id),
        user: user.name.clone(),
        csrf,
        created_at: now,
        last_seen: now,
    };
    let accounts = console.accounts.clone();
    if let Err(e) = blocking(move || accounts.insert_session(&record)).await {
        return failure(e);
    }
    let secure = console.secure();
    let max_age = session::ABSOLUTE.to_std().unwrap_or_default();
    redirect(
        "/console/",
        &[
            session::cookie(session::COOKIE, &id, max_age, secure),
            session::removal(session::LOGIN_COOKIE, secure),
        ],
    )
}

/// What the Now page was sent back with: the change just made, to confirm it.
#[derive(Deserialize)]
struct NowQuery {
    #[serde(default)]
    done: String,
}

async fn now_page(
    State(app): State<Arc<AppState>>,
    Query(q): Query<NowQuery>,
    headers: HeaderMap,
) -> Response {
    let (user, s) = match signed_in(&app, &headers).await {
        Ok(Some(x)) => x,
        Ok(None) => return redirect("/console/login", &[]),
        Err(e) => return failure(e),
    };
    let w = words_for(&headers);
    let published = app.publisher.current();
    let snapshot = match svetofor_feed::read(&published.bytes) {
        Ok(s) => s,
        Err(e) => return failure(e),
    };
    let now = Utc::now();
    let drafts = match app.publisher.drafts().await {
        Ok(d) => d,
        Err(e) => return failure(e),
    };
    let recent = match deliveries::recent(&app, None).await {
        Ok(d) => d,
        Err(e) => return failure(e),
    };
    let store = app.store.clone();
    let alerts = match blocking(move || store.alert_links(50)).await {
        Ok(a) => a,
        Err(e) => return failure(e),
    };
    let model = now_page::Now {
        nav: pages::Nav {
            user: &user.name,
            role: user.role,
            csrf: &s.csrf,
            live: true,
        },
        status: snapshot.status(now),
        notices: snapshot.in_effect(now),
        upcoming: snapshot.upcoming(now),
        drafts: &drafts,
        deliveries: &recent,
        alerts: &alerts,
        now,
        done: &q.done,
    };
    html(StatusCode::OK, &[], now_page::now(w, &model))
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    pub(super) csrf: String,
}

impl guard::WithCsrf for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn logout(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let w = words_for(&headers);
    let (user, s) = match signed_in(&app, &headers).await {
        Ok(Some(x)) => x,
        Ok(None) => return redirect("/console/login", &[]),
        Err(e) => return failure(e),
    };
    if forged(&app.console, &headers, &s, &form.csrf) {
        return html(StatusCode::FORBIDDEN, &[], pages::refused(w));
    }
    let accounts = app.console.accounts.clone();
    let id_hash = s.id_hash;
    if let Err(e) = blocking(move || accounts.delete_session(&id_hash)).await {
        return failure(e);
    }
    tracing::info!(user = %user.name, "console sign-out");
    redirect(
        "/console/login",
        &[session::removal(session::COOKIE, app.console.secure())],
    )
}

#[derive(Deserialize)]
struct LanguageQuery {
    to: String,
}

async fn language(
    State(app): State<Arc<AppState>>,
    Query(q): Query<LanguageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::read(&q.to);
    let cookie = session::console_cookie(
        "svetofor_lang",
        lang.tag(),
        std::time::Duration::from_secs(365 * 24 * 3600),
        app.console.secure(),
    )
    .build()
    .to_string();
    let mut resp = redirect("/console/", &[cookie]);
    // Back to the page the switch was pressed on, when it is one of this console's.
    if let Some(back) = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| console_path(&app.console, &headers, r))
        && let Ok(v) = HeaderValue::from_str(&back)
    {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// What changes the Now page besides the feed: drafts and alerts. The page's script asks
/// for this every few seconds and reloads when it changes.
async fn pulse(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers).await {
        Ok(Some(_)) => {}
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return failure(e),
    }
    let store = app.store.clone();
    let seen = blocking(move || {
        let drafts = store.drafts()?;
        let alerts = store.alert_links(50)?;
        let latest = drafts
            .iter()
            .map(|d| d.updated_at)
            .chain(alerts.iter().map(|a| a.updated_at))
            .max();
        Ok::<_, StoreError>(format!(
            "{}-{}-{}",
            drafts.len(),
            alerts.len(),
            latest.map_or(0, |t| t.timestamp_micros())
        ))
    })
    .await;
    match seen {
        Ok(s) => {
            let mut resp = s.into_response();
            resp.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => failure(e),
    }
}

async fn style() -> Response {
    asset(pages::STYLE, "text/css; charset=utf-8")
}

async fn script() -> Response {
    asset(
        concat!(
            include_str!("../../../static/times.js"),
            include_str!("../../../static/console.js")
        ),
        "text/javascript; charset=utf-8",
    )
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
