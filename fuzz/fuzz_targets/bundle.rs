//! Reading a bundle must never panic, and what it unwraps is only ever handed on as bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(b) = svetofor_feed::Bundle::read(data) {
        let _ = svetofor_feed::read(b.feed.as_bytes());
    }
});
