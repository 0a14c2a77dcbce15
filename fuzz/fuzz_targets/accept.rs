//! Signature checking must never panic: the input is split into a signature and a document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn key() -> &'static svetofor_feed::TrustedKey {
    static KEY: OnceLock<svetofor_feed::TrustedKey> = OnceLock::new();
    KEY.get_or_init(|| {
        "RWTYBp7787ZHrJTYiDYgWbwE9ianRzCLdUc1+79/ag6r2UbIctO9Ziva"
            .parse()
            .expect("valid key")
    })
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (sig, doc) = data.split_at(split);
    let sig = String::from_utf8_lossy(sig);
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let _ = svetofor_feed::accept(doc, Some(&sig), std::slice::from_ref(key()), now, Some(3));
});
