//! Format detection and reading of any document must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(snap) = svetofor_feed::read(data) {
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let _ = snap.status(now);
        let _ = snap.upcoming(now);
        let _ = snap.past(now);
    }
});
