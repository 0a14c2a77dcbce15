//! Who may do what in the console: a signed-in person with a role, and a posted form that
//! carries its session's token from this console's own page, within the write rate.

use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use svetofor_publisher::accounts::UserRecord;
use svetofor_publisher::auth::Role;
use svetofor_store::SessionRecord;

use super::origin::console_path;
use super::pages::{Nav, message};
use super::{Forgery, failure, forgery, html, redirect, signed_in, words_for};
use crate::AppState;
use crate::web::words::Words;

/// A signed-in person with at least `role`, or the page that says why not.
async fn person_of(
    app: &AppState,
    headers: &HeaderMap,
    role: Role,
) -> Result<(UserRecord, SessionRecord), Response> {
    let w = words_for(headers);
    match signed_in(app, headers).await {
        Ok(Some((u, s))) if u.role >= role => Ok((u, s)),
        Ok(Some(_)) => {
            let key = if role >= Role::Admin {
                "console-admins-only"
            } else {
                "console-not-allowed"
            };
            Err(html(
                StatusCode::FORBIDDEN,
                &[],
                message(w, &w.t("console-title"), w.t(key)),
            ))
        }
        Ok(None) => Err(redirect("/console/login", &[])),
        Err(e) => Err(failure(e)),
    }
}

/// The person behind a posted form: signed in with at least `role`, and the form genuine
/// (see [`refusal`]); else the page that says why not. `typed` is the form as posted, for
/// the texts a refused form gives back.
async fn poster_as(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    (csrf, typed): (&str, &[u8]),
    role: Role,
) -> Result<(UserRecord, SessionRecord), Response> {
    let (user, s) = person_of(app, headers, role).await?;
    match refusal(app, headers, peer, &s, (csrf, typed)) {
        Some(r) => Err(r),
        None => Ok((user, s)),
    }
}

/// The refusal of a posted form that did not come from this console's page with its
/// session's token, or that exceeds the write rate, each saying which; `None` for a genuine
/// one.
fn refusal(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    session: &SessionRecord,
    (csrf, typed): (&str, &[u8]),
) -> Option<Response> {
    let w = words_for(headers);
    match forgery(&app.console, headers, session, csrf) {
        Some(Forgery::Origin) => {
            return Some(html(StatusCode::FORBIDDEN, &[], super::pages::refused(w)));
        }
        // A sign-in elsewhere replaced the session this page was drawn for: say so, give
        // the texts back to copy, and the page to open again.
        Some(Forgery::StaleToken) => {
            let back = headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| console_path(&app.console, headers, r));
            let page = super::pages::session_changed(w, kept_texts(w, typed), back.as_deref());
            return Some(html(StatusCode::FORBIDDEN, &[], page));
        }
        None => {}
    }
    if app.write_limiter.check(peer.ip()).is_err() {
        return Some(html(
            StatusCode::TOO_MANY_REQUESTS,
            &[],
            message(w, &w.t("console-title"), w.t("console-too-fast")),
        ));
    }
    None
}

/// The free texts of a posted form, each with the label of its field, in the order posted.
fn kept_texts(w: &Words, body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .filter_map(|(name, value)| {
            let key = match name.as_ref() {
                "title_ru" => "console-compose-title-ru",
                "title_en" => "console-compose-title-en",
                "body_ru" => "console-compose-body-ru",
                "body_en" => "console-compose-body-en",
                "text_ru" => "console-update-text-ru",
                "text_en" => "console-update-text-en",
                "confirm_reason" => "console-compose-confirm-reason",
                _ => return None,
            };
            let value = value.trim();
            (!value.is_empty()).then(|| (w.t(key), value.to_owned()))
        })
        .collect()
}

/// The menu of a signed-in person.
pub(super) fn nav_of<'a>(user: &'a UserRecord, s: &'a SessionRecord) -> Nav<'a> {
    Nav {
        user: &user.name,
        role: user.role,
        csrf: &s.csrf,
        live: false,
    }
}

/// The role a console route needs, as a type, for [`Person`] and [`Posted`].
pub(super) trait Needs: Send + Sync + 'static {
    /// The least role.
    const ROLE: Role;
}

/// Any signed-in person.
pub(super) struct Reader;
/// Support and admins.
pub(super) struct Support;
/// Admins.
pub(super) struct Admin;

impl Needs for Reader {
    const ROLE: Role = Role::Reader;
}
impl Needs for Support {
    const ROLE: Role = Role::Support;
}
impl Needs for Admin {
    const ROLE: Role = Role::Admin;
}

/// A signed-in person with at least `R`'s role, and their session; else the page that says
/// why not (the sign-in page, or "not allowed").
pub(super) struct Person<R>(
    pub UserRecord,
    pub SessionRecord,
    /// The words of the request's language.
    pub &'static Words,
    pub PhantomData<R>,
);

impl<R: Needs> FromRequestParts<Arc<AppState>> for Person<R> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<AppState>) -> Result<Self, Response> {
        let (user, session) = person_of(app, &parts.headers, R::ROLE).await?;
        Ok(Person(
            user,
            session,
            words_for(&parts.headers),
            PhantomData,
        ))
    }
}

/// A form that carries its session's CSRF token.
pub(super) trait WithCsrf {
    /// The token as posted.
    fn csrf(&self) -> &str;
}

/// A form `F` posted by a signed-in person with at least `R`'s role, genuine: its session,
/// `Origin`, CSRF token and the write rate checked (see [`refusal`]).
pub(super) struct Posted<R, F>(
    pub UserRecord,
    pub SessionRecord,
    pub F,
    /// The words of the request's language.
    pub &'static Words,
    pub PhantomData<R>,
);

impl<R, F> FromRequest<Arc<AppState>> for Posted<R, F>
where
    R: Needs,
    F: DeserializeOwned + WithCsrf + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, app: &Arc<AppState>) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let ConnectInfo(peer) = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
        let RawForm(body) = RawForm::from_request(req, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let form: F = serde_urlencoded::from_bytes(&body).map_err(|e| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Failed to deserialize form body: {e}"),
            )
                .into_response()
        })?;
        let (user, session) = poster_as(app, &headers, peer, (form.csrf(), &body), R::ROLE).await?;
        Ok(Posted(
            user,
            session,
            form,
            words_for(&headers),
            PhantomData,
        ))
    }
}
