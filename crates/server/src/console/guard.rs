//! Who may do what in the console: a signed-in person with a role, and a posted form that
//! carries its session's token from this console's own page, within the write rate.

use std::net::SocketAddr;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use svetofor_publisher::accounts::UserRecord;
use svetofor_publisher::auth::Role;
use svetofor_store::SessionRecord;

use super::pages::{Nav, esc, page};
use super::{failure, forged, html, redirect, signed_in, words_for};
use crate::AppState;

/// A signed-in person with at least `role`, or the page that says why not.
pub(super) async fn person_of(
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
                page(
                    w,
                    &w.t("console-title"),
                    &format!("<p class=\"error\" role=\"alert\">{}</p>", esc(&w.t(key))),
                ),
            ))
        }
        Ok(None) => Err(redirect("/console/login", &[])),
        Err(e) => Err(failure(e)),
    }
}

/// A signed-in person allowed to publish, or the page that says why not.
pub(super) async fn publisher_of(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<(UserRecord, SessionRecord), Response> {
    person_of(app, headers, Role::Support).await
}

/// The person behind a posted form: signed in with at least `role`, and the form genuine
/// (see [`refusal`]); else the page that says why not.
pub(super) async fn poster_as(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    csrf: &str,
    role: Role,
) -> Result<(UserRecord, SessionRecord), Response> {
    let (user, s) = person_of(app, headers, role).await?;
    match refusal(app, headers, peer, &s, csrf) {
        Some(r) => Err(r),
        None => Ok((user, s)),
    }
}

/// [`poster_as`] for support.
pub(super) async fn poster_of(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    csrf: &str,
) -> Result<(UserRecord, SessionRecord), Response> {
    poster_as(app, headers, peer, csrf, Role::Support).await
}

/// The refusal of a posted form that did not come from this console's page with its
/// session's token, or that exceeds the write rate; `None` for a genuine one.
pub(super) fn refusal(
    app: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    session: &SessionRecord,
    csrf: &str,
) -> Option<Response> {
    let w = words_for(headers);
    if forged(&app.console, headers, session, csrf) {
        return Some(html(StatusCode::FORBIDDEN, &[], super::pages::refused(w)));
    }
    if app.write_limiter.check(peer.ip()).is_err() {
        return Some(html(
            StatusCode::TOO_MANY_REQUESTS,
            &[],
            super::pages::refused(w),
        ));
    }
    None
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
