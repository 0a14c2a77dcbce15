//! The publisher's event stream: where it lives beside a feed, and what its `snapshot`
//! events carry. The framing itself is `svetofor_feed::sse` (pure, fuzzed).

pub use svetofor_feed::sse::{MAX_EVENT_BYTES, SseEvent, SseParser};

/// `/events` beside a `/feed.json` URL, where the publisher serves its stream.
pub fn events_url(feed_url: &str) -> Option<String> {
    let (base, query) = match feed_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (feed_url, None),
    };
    let base = base.strip_suffix("/feed.json")?;
    Some(match query {
        Some(q) => format!("{base}/events?{q}"),
        None => format!("{base}/events"),
    })
}

/// The data of a `snapshot` event: the feed document and its signature.
#[derive(serde::Deserialize)]
pub(super) struct SnapshotEvent {
    pub feed: String,
    pub signature: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_lives_beside_the_feed_and_keeps_its_query() {
        assert_eq!(
            events_url("https://s.example/x/feed.json").as_deref(),
            Some("https://s.example/x/events")
        );
        assert_eq!(
            events_url("https://s.example/feed.json?t=1").as_deref(),
            Some("https://s.example/events?t=1")
        );
        assert_eq!(events_url("https://s.example/summary.json"), None);
    }
}
