//! `text/event-stream` framing, as the publisher's `/events` speaks it: an incremental
//! parser, linear in what it is given and bounded in memory. Pure: bytes in, events out.

/// Largest event accepted: a 1 MiB document, JSON-escaped, plus its signature.
pub const MAX_EVENT_BYTES: usize = 8 * 1024 * 1024;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// `event:` (default `message`).
    pub event: String,
    /// `id:` (empty when the event has none).
    pub id: String,
    /// `data:` lines joined by newlines.
    pub data: String,
}

/// What one call of [`SseParser::push`] completed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// Whole events, in order.
    pub events: Vec<SseEvent>,
    /// Whole blocks of comments only (`: keep-alive`): the sender is there, with nothing new.
    /// Bytes that make neither an event nor a comment count for nothing.
    pub keep_alives: usize,
}

/// An event larger than [`MAX_EVENT_BYTES`]; what was buffered is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an event larger than {MAX_EVENT_BYTES} bytes")]
pub struct EventTooLarge;

/// An incremental parser of `text/event-stream`, bounded in memory.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    /// How far `buf` is known to hold no blank line, so each byte is searched once.
    scanned: usize,
}

/// The first blank line in `b` (a block's end): its offset and length.
fn blank_line(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'\n', b'\n') => return Some((i, 2)),
            (b'\r', b'\n') if b[i + 2..].starts_with(b"\r\n") => return Some((i, 4)),
            _ => {}
        }
        i += 1;
    }
    None
}

enum Block {
    Event(SseEvent),
    Comment,
    Nothing,
}

fn block(bytes: &[u8]) -> Block {
    let text = String::from_utf8_lossy(bytes);
    let mut ev = SseEvent {
        event: "message".to_owned(),
        ..SseEvent::default()
    };
    let (mut data, mut comment) = (false, false);
    for line in text.lines() {
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "" => comment = true,
            "event" => ev.event = value.to_owned(),
            "id" => ev.id = value.to_owned(),
            "data" => {
                if data {
                    ev.data.push('\n');
                }
                ev.data.push_str(value);
                data = true;
            }
            _ => {}
        }
    }
    match (data, comment) {
        (true, _) => Block::Event(ev),
        (false, true) => Block::Comment,
        (false, false) => Block::Nothing,
    }
}

impl SseParser {
    /// Feeds bytes; returns what they complete. An event larger than [`MAX_EVENT_BYTES`] is
    /// an error.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Parsed, EventTooLarge> {
        self.buf.extend_from_slice(bytes);
        let mut out = Parsed::default();
        let mut start = 0;
        while let Some((at, sep)) = blank_line(&self.buf[self.scanned..]) {
            let end = self.scanned + at;
            match block(&self.buf[start..end]) {
                Block::Event(ev) => out.events.push(ev),
                Block::Comment => out.keep_alives += 1,
                Block::Nothing => {}
            }
            start = end + sep;
            self.scanned = start;
        }
        self.buf.drain(..start);
        // A blank line may straddle this chunk and the next: look at the last 3 bytes again.
        self.scanned = self.buf.len().saturating_sub(3);
        if self.buf.len() > MAX_EVENT_BYTES {
            self.buf.clear();
            self.scanned = 0;
            return Err(EventTooLarge);
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
        let first = p.push(b": keep-alive\n\n").unwrap();
        assert!(first.events.is_empty());
        assert_eq!(first.keep_alives, 1);
        assert!(
            p.push(b"event: snapshot\nid: 4\nda")
                .unwrap()
                .events
                .is_empty()
        );
        let evs = p
            .push(b"ta: {\"a\":1}\ndata: x\n\nevent: other\r\ndata: y\r\n\r\n")
            .unwrap()
            .events;
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
    }

    #[test]
    fn a_blank_line_split_between_chunks_ends_the_event() {
        for split in 1..12 {
            let whole = b"data: one\r\n\r\n";
            let mut p = SseParser::default();
            let mut events = p.push(&whole[..split]).unwrap().events;
            events.extend(p.push(&whole[split..]).unwrap().events);
            assert_eq!(events.len(), 1, "split at {split}");
            assert_eq!(events[0].data, "one");
        }
    }

    #[test]
    fn garbage_is_neither_an_event_nor_a_keep_alive() {
        let mut p = SseParser::default();
        let got = p.push(b"\x00\xffjunk junk\n\nnot-a-field\n\n").unwrap();
        assert_eq!(got, Parsed::default());
        assert_eq!(
            p.push(b"more junk without an end").unwrap(),
            Parsed::default()
        );
    }

    #[test]
    fn each_byte_is_searched_once_however_the_junk_comes() {
        // 7 MiB of junk without a blank line, in 4 KiB chunks: a parser that searched its
        // whole buffer on every chunk would do ~6 billion comparisons; this one only looks
        // again at the last 3 bytes of each chunk.
        let mut p = SseParser::default();
        let chunk = vec![b'x'; 4096];
        for _ in 0..(7 * 256) {
            assert_eq!(p.push(&chunk).unwrap(), Parsed::default());
            assert_eq!(p.scanned, p.buf.len() - 3);
        }
    }
}
