//! Rules every crate applies the same way to what people and feeds write: which links count
//! as web links, and how an error chain is told to a person.

use url::Url;

/// A link that is not an absolute http(s) URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an http or https URL")]
pub struct NotWebUrl(pub String);

/// Parses `url` as an absolute http or https URL with a host: the only links a client
/// fetches or opens, and the only feed addresses a configuration accepts.
pub fn parse_web_url(url: &str) -> Result<Url, NotWebUrl> {
    match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        _ => Err(NotWebUrl(url.to_owned())),
    }
}

/// True when [`parse_web_url`] accepts `url`.
pub fn is_web_url(url: &str) -> bool {
    parse_web_url(url).is_ok()
}

/// Escapes untrusted text for HTML (element content and quoted attributes) and for the
/// markup subset notification servers read: `&`, `<`, `>` and both quotes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The innermost cause of an error: the part a person can act on ("connection refused"
/// rather than "error sending request").
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_links_with_a_host_are_web_links() {
        for ok in [
            "https://status.example.com/x",
            "HTTP://a.b",
            "http://127.0.0.1:8380/",
        ] {
            assert!(is_web_url(ok), "{ok}");
        }
        for bad in [
            "",
            "http://",
            "https://",
            "javascript:alert(1)",
            "file:///etc",
            "/rel",
            "ftp://a.b",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn root_cause_is_the_innermost_error() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(root_cause(&e), "connection refused");
    }
}
