//! Sign-in sessions: a random 256-bit id in an `HttpOnly`, `SameSite=Strict` cookie, stored
//! only as its SHA-256; an idle limit and an absolute one; a CSRF token per session.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use svetofor_store::SessionRecord;

/// The session cookie's name.
pub const COOKIE: &str = "svetofor_session";
/// The cookie of a sign-in form, before there is a session (its CSRF token).
pub const LOGIN_COOKIE: &str = "svetofor_login";
/// A session ends after this long without a request.
pub const IDLE: TimeDelta = TimeDelta::hours(8);
/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE: TimeDelta = TimeDelta::days(7);
/// `last_seen` is written at most this often, so reading pages does not write every time.
pub const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// A new random secret of 256 bits, URL-safe base64.
pub fn secret() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// What is stored for a session id.
pub fn hash(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// Whether a stored session is still good at `now`.
pub fn alive(s: &SessionRecord, now: DateTime<Utc>) -> bool {
    now - s.last_seen < IDLE && now - s.created_at < ABSOLUTE
}

/// The `Set-Cookie` value for a session id (`Secure` when the console is reached over https).
pub fn cookie(name: &str, value: &str, max_age: Duration, secure: bool) -> String {
    console_cookie(name, value, max_age, secure)
        .http_only(true)
        .build()
        .to_string()
}

/// A cookie for the console's pages only, sent to this site only, lasting `max_age`.
pub fn console_cookie<'c>(
    name: &'c str,
    value: &'c str,
    max_age: Duration,
    secure: bool,
) -> cookie::CookieBuilder<'c> {
    let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
    cookie::Cookie::build((name, value))
        .path("/console")
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(seconds))
        .secure(secure)
}

/// The `Set-Cookie` value that removes a cookie.
pub fn removal(name: &str, secure: bool) -> String {
    cookie(name, "", Duration::ZERO, secure)
}

/// A cookie's value from a `Cookie` header (none that is empty or over 128 bytes: ours
/// never are).
pub fn cookie_value(header: &str, name: &str) -> Option<String> {
    cookie::Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_idle_and_absolutely() {
        let t0 = Utc::now();
        let s = SessionRecord {
            id_hash: hash("x"),
            user: "anna".into(),
            csrf: "c".into(),
            created_at: t0,
            last_seen: t0,
        };
        assert!(alive(&s, t0 + TimeDelta::hours(7)));
        assert!(!alive(&s, t0 + IDLE), "idle");
        let busy = SessionRecord {
            last_seen: t0 + TimeDelta::days(7) - TimeDelta::minutes(1),
            ..s
        };
        assert!(!alive(&busy, t0 + ABSOLUTE), "absolute");
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let c = cookie(COOKIE, "abc", Duration::from_secs(60), true);
        let parsed = cookie::Cookie::parse(c.as_str()).unwrap();
        assert_eq!((parsed.name(), parsed.value()), (COOKIE, "abc"));
        assert_eq!(parsed.path(), Some("/console"));
        assert_eq!(parsed.http_only(), Some(true));
        assert_eq!(parsed.same_site(), Some(cookie::SameSite::Strict));
        assert_eq!(parsed.max_age(), Some(cookie::time::Duration::seconds(60)));
        assert_eq!(parsed.secure(), Some(true));
        let plain = cookie(COOKIE, "abc", Duration::from_secs(60), false);
        assert!(!plain.contains("Secure"), "{plain}");
        assert_eq!(
            cookie_value("a=1; svetofor_session=abc; b=2", COOKIE).as_deref(),
            Some("abc")
        );
        assert_eq!(cookie_value("svetofor_session=", COOKIE), None);
        assert_ne!(secret().unwrap(), secret().unwrap());
        assert_eq!(secret().unwrap().len(), 43, "256 bits");
    }
}
