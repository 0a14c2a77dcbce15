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
    fn sse_parser_handles_split_events_comments_and_limits() {
        let mut p = SseParser::default();
        assert!(p.push(b": keep-alive\n\n").unwrap().is_empty());
        assert!(p.push(b"event: snapshot\nid: 4\nda").unwrap().is_empty());
        let evs = p
            .push(b"ta: {\"a\":1}\ndata: x\n\nevent: other\r\ndata: y\r\n\r\n")
            .unwrap();
        assert_eq!(evs.len(), 2);
        assert_eq!(
            (
                evs[0].event.as_str(),
                evs[0].id.as_str(),
                evs[0].data.as_str()
            ),
            ("snapshot", "4", "{\"a\":1}\nx")
        );
        assert_eq!(evs[1].data, "y");
        let huge = vec![b'a'; MAX_EVENT_BYTES + 1];
        assert!(p.push(&huge).is_err());
        assert_eq!(
            events_url("https://s.example/x/feed.json").as_deref(),
            Some("https://s.example/x/events")
        );
        assert_eq!(events_url("https://s.example/summary.json"), None);
    }
}
