//! `text/event-stream`, as the publisher's `/events` speaks it: an incremental parser
//! bounded in memory, and where the stream lives beside a feed.

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

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// `event:` (default `message`).
    pub event: String,
    /// `id:`.
    pub id: String,
    /// `data:` lines joined by newlines.
    pub data: String,
}

/// An incremental parser of `text/event-stream`, bounded in memory.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
}

/// Largest event accepted: a 1 MiB document, JSON-escaped, plus its signature.
pub const MAX_EVENT_BYTES: usize = 8 * 1024 * 1024;

impl SseParser {
    /// Feeds bytes; returns the complete events in them. An event larger than
    /// [`MAX_EVENT_BYTES`] is an error.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.buf.extend_from_slice(bytes);
        let mut out = vec![];
        loop {
            let end = self
                .buf
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, 2))
                .or_else(|| {
                    self.buf
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .map(|i| (i, 4))
                });
            let Some((i, sep)) = end else { break };
            let block: Vec<u8> = self.buf.drain(..i + sep).collect();
            let text = String::from_utf8_lossy(&block);
            let mut ev = SseEvent {
                event: "message".to_owned(),
                ..SseEvent::default()
            };
            let mut any = false;
            for line in text.lines() {
                let (field, value) = match line.split_once(':') {
                    Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                    None => (line, ""),
                };
                match field {
                    "" => {} // a comment
                    "event" => ev.event = value.to_owned(),
                    "id" => ev.id = value.to_owned(),
                    "data" => {
                        if any {
                            ev.data.push('\n');
                        }
                        ev.data.push_str(value);
                        any = true;
                    }
                    _ => {}
                }
            }
            if any {
                out.push(ev);
            }
        }
        if self.buf.len() > MAX_EVENT_BYTES {
            self.buf.clear();
            return Err(format!("an event larger than {MAX_EVENT_BYTES} bytes"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_sit_beside_the_feed_and_keep_its_query() {
        assert_eq!(
            events_url("https://s.example/feed.json").as_deref(),
            Some("https://s.example/events")
        );
        assert_eq!(
            events_url("https://s.example/a/feed.json?t=1").as_deref(),
            Some("https://s.example/a/events?t=1")
        );
        assert_eq!(events_url("https://s.example/summary.json"), None);
    }

    #[test]
    fn events_split_across_chunks_and_line_endings() {
        let mut p = SseParser::default();
        assert!(p.push(b": keep-alive\n\nevent: snap").unwrap().is_empty());
        let evs = p
            .push(b"shot\nid: 7\ndata: a\ndata: b\n\ndata: c\r\n\r\n")
            .unwrap();
        assert_eq!(evs.len(), 2);
        assert_eq!(
            (
                evs[0].event.as_str(),
                evs[0].id.as_str(),
                evs[0].data.as_str()
            ),
            ("snapshot", "7", "a\nb")
        );
        assert_eq!(
            (evs[1].event.as_str(), evs[1].data.as_str()),
            ("message", "c")
        );
    }

    #[test]
    fn an_event_over_the_limit_is_an_error_and_frees_the_buffer() {
        let mut p = SseParser::default();
        let junk = vec![b'x'; MAX_EVENT_BYTES + 1];
        assert!(p.push(&junk).is_err());
        assert!(p.push(b"data: ok\n\n").unwrap().len() == 1);
    }
}
