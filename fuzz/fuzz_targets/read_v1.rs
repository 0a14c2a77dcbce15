//! The Svetofor v1 reader must never panic, and what it accepts must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(feed) = svetofor_feed::read_v1(data) {
        let again = svetofor_feed::read_v1(&feed.to_bytes()).expect("a read feed re-reads");
        assert_eq!(again, feed);
        let now = feed.generated_at;
        let _ = feed.into_snapshot().status(now);
    }
});
