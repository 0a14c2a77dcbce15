//! Where a console request comes from: the origin a form must be posted from (`Origin`, CSRF's
//! second check), and the console page a language switch returns to (`Referer`). URLs are
//! read by the `url` crate, so `https://Status.Example.com:443/` and the browser's
//! `https://status.example.com` are one origin.

use axum::http::{HeaderMap, header};

use super::Console;

/// The origin (`scheme://host[:port]`, as browsers send it in `Origin`) of an http(s) URL.
pub(super) fn url_origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.origin().ascii_serialization())
}

/// Whether a state-changing request came from a page of this console: its `Origin` must be
/// present and be this console's origin.
pub(super) fn same_origin(console: &Console, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    match &console.public_origin {
        Some(expected) => origin == *expected,
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            host.is_some_and(|h| {
                let h = h.to_ascii_lowercase();
                origin == format!("http://{h}") || origin == format!("https://{h}")
            })
        }
    }
}

/// The path (and query) of `referer` when it is a page of this console at this origin.
pub(super) fn console_path(
    console: &Console,
    headers: &HeaderMap,
    referer: &str,
) -> Option<String> {
    let u = url::Url::parse(referer).ok()?;
    let ours = match &console.public_origin {
        Some(o) => *o == u.origin().ascii_serialization(),
        None => {
            let host = match u.port() {
                Some(p) => format!("{}:{p}", u.host_str()?),
                None => u.host_str()?.to_owned(),
            };
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|h| h.eq_ignore_ascii_case(&host))
        }
    };
    let path = match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    };
    let safe = path.starts_with("/console/")
        && !path.starts_with("/console/language")
        && !path.contains("//")
        && path.bytes().all(|b| b.is_ascii_graphic());
    (ours && safe).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console(public_url: Option<&str>) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let store = svetofor_store::SqliteStore::open(&dir.path().join("t.db")).unwrap();
        Console::new(std::sync::Arc::new(store), public_url, None)
    }

    #[test]
    fn an_origin_is_what_browsers_send() {
        assert_eq!(
            url_origin("https://Status.Example.com:443/console/").as_deref(),
            Some("https://status.example.com")
        );
        assert_eq!(
            url_origin("http://127.0.0.1:8380").as_deref(),
            Some("http://127.0.0.1:8380")
        );
        assert_eq!(url_origin("ftp://example.com/"), None);
        assert_eq!(url_origin("status.example.com"), None);
    }

    #[test]
    fn a_switch_returns_only_to_a_page_of_this_console() {
        let c = console(Some("https://status.example.com"));
        let h = HeaderMap::new();
        let back = |r: &str| console_path(&c, &h, r);
        assert_eq!(
            back("https://status.example.com/console/notices/x?lang=en").as_deref(),
            Some("/console/notices/x?lang=en")
        );
        assert_eq!(
            back("https://status.example.com:443/console/audit").as_deref(),
            Some("/console/audit")
        );
        assert_eq!(back("https://evil.example.com/console/audit"), None);
        assert_eq!(
            back("https://status.example.com/console/language?to=en"),
            None
        );
        assert_eq!(back("https://status.example.com/console/../status"), None);
        assert_eq!(back("https://status.example.com/other"), None);
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8380".parse().unwrap());
        let c = console(None);
        assert_eq!(
            console_path(&c, &h, "http://127.0.0.1:8380/console/users").as_deref(),
            Some("/console/users")
        );
        assert_eq!(
            console_path(&c, &h, "http://127.0.0.1:9999/console/users"),
            None
        );
    }
}
