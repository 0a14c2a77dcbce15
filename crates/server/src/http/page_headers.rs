//! The security headers every HTML page of the publisher carries (the console's and the
//! public ones): its Content-Security-Policy, no framing, no type sniffing, and a referrer
//! policy.

use axum::http::{HeaderMap, HeaderValue, header};

/// Sets the page headers: `csp` and `referrer` are the page's own; the rest is the same for
/// every page.
pub fn secure(h: &mut HeaderMap, csp: &'static str, referrer: &'static str) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
}
