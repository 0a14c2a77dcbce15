//! The event-stream parser must never panic, and must find the same events however the
//! bytes are split between reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use svetofor_feed::sse::SseParser;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let at = usize::from(split).min(rest.len());
    let mut whole = SseParser::default();
    let mut parts = SseParser::default();
    let (Ok(a), Ok(b1), Ok(b2)) = (
        whole.push(rest),
        parts.push(&rest[..at]),
        parts.push(&rest[at..]),
    ) else {
        return;
    };
    let mut split_events = b1.events;
    split_events.extend(b2.events);
    assert_eq!(a.events, split_events);
});
