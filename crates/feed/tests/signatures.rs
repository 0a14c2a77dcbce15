//! Signing, verifying, key rotation, and the checks of `accept` with their own errors.

mod common;

use common::*;
use svetofor_feed::signature::{signature_key_id, verify};
use svetofor_feed::{
    FeedError, Kind, ReadError, Severity, SignatureError, SigningKey, State, TrustedKey, accept,
};

fn signed_feed() -> (SigningKey, Vec<u8>, String) {
    let keys = SigningKey::generate().unwrap();
    let bytes = feed(vec![notice(
        "a",
        Severity::Red,
        Kind::Outage,
        State::Identified,
    )])
    .to_bytes();
    let sig = keys.key.sign(&bytes, "svetofor feed acme seq 7").unwrap();
    (keys.key, bytes, sig)
}

#[test]
fn signed_feed_is_accepted_with_its_key() {
    let (key, bytes, sig) = signed_feed();
    let ok = accept(&bytes, Some(&sig), &[key.trusted()], t0(), Some(7)).unwrap();
    assert_eq!(ok.signed_by, Some(key.id()));
    assert_eq!(ok.snapshot.status(t0()), Severity::Red);
}

#[test]
fn one_flipped_byte_is_a_bad_signature() {
    let (key, mut bytes, sig) = signed_feed();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    let err = accept(&bytes, Some(&sig), &[key.trusted()], t0(), None).unwrap_err();
    assert_eq!(
        err,
        FeedError::Signature(SignatureError::BadSignature { key: key.id() })
    );
    assert!(err.to_string().contains(&key.id().to_string()));
}

#[test]
fn altered_trusted_comment_is_a_bad_signature() {
    let (key, bytes, sig) = signed_feed();
    let forged = sig.replace("seq 7", "seq 9");
    assert_ne!(forged, sig);
    assert!(matches!(
        verify(&bytes, &forged, &[key.trusted()]),
        Err(SignatureError::BadSignature { .. })
    ));
}

#[test]
fn wrong_key_is_an_unknown_key_naming_both() {
    let (key, bytes, sig) = signed_feed();
    let other = SigningKey::generate().unwrap().key;
    let err = accept(&bytes, Some(&sig), &[other.trusted()], t0(), None).unwrap_err();
    assert_eq!(
        err,
        FeedError::Signature(SignatureError::UnknownKey {
            found: key.id(),
            trusted: vec![other.id()]
        })
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&key.id().to_string()) && msg.contains(&other.id().to_string()),
        "{msg}"
    );
}

#[test]
fn rotation_accepts_any_pinned_key() {
    let (key, bytes, sig) = signed_feed();
    let old = SigningKey::generate().unwrap().key;
    let pinned = [old.trusted(), key.trusted()];
    assert_eq!(verify(&bytes, &sig, &pinned), Ok(key.id()));
}

#[test]
fn unsigned_is_refused_when_keys_are_pinned_and_fine_otherwise() {
    let (key, bytes, _) = signed_feed();
    assert_eq!(
        accept(&bytes, None, &[key.trusted()], t0(), None),
        Err(FeedError::Unsigned)
    );
    assert!(accept(&bytes, None, &[], t0(), None).is_ok());
}

#[test]
fn signature_runs_before_parsing() {
    // Garbage that is correctly signed gets past the signature and fails as malformed;
    // garbage with a bad signature never reaches the parser.
    let keys = SigningKey::generate().unwrap().key;
    let junk = b"not json at all";
    let sig = keys.sign(junk, "junk").unwrap();
    assert!(matches!(
        accept(junk, Some(&sig), &[keys.trusted()], t0(), None),
        Err(FeedError::Read(ReadError::Malformed { .. }))
    ));
    let other_junk = b"not json at all!";
    assert!(matches!(
        accept(other_junk, Some(&sig), &[keys.trusted()], t0(), None),
        Err(FeedError::Signature(SignatureError::BadSignature { .. }))
    ));
}

#[test]
fn expired_and_replayed_feeds_are_refused() {
    let (key, bytes, sig) = signed_feed();
    let later = t0() + mins(61);
    let err = accept(&bytes, Some(&sig), &[key.trusted()], later, None).unwrap_err();
    assert_eq!(
        err,
        FeedError::Expired {
            at: t0() + mins(60),
            now: later
        }
    );
    assert!(err.to_string().contains("2026-11-22 15:25:00 UTC"), "{err}");
    assert!(err.to_string().contains("1 min ago"), "{err}");

    let err = accept(&bytes, Some(&sig), &[key.trusted()], t0(), Some(8)).unwrap_err();
    assert_eq!(err, FeedError::Replay { seq: 7, highest: 8 });
}

#[test]
fn malformed_signatures_and_keys_are_named() {
    let (key, bytes, _) = signed_feed();
    for bad in [
        "",
        "untrusted comment: x\n!!!not base64",
        "untrusted comment: x\nRWQf6LRCGA9i53ml\n",
    ] {
        assert!(
            matches!(
                verify(&bytes, bad, &[key.trusted()]),
                Err(SignatureError::Malformed(_))
            ),
            "{bad:?}"
        );
    }
    assert!("hello".parse::<TrustedKey>().is_err());
    assert!("RWQ".parse::<TrustedKey>().is_err());
    // A .pub file and its bare base64 line are the same key.
    let from_file: TrustedKey = key.public_file().parse().unwrap();
    assert_eq!(from_file, key.trusted());
    assert_eq!(from_file.id(), key.id());
}

#[test]
fn secret_key_file_round_trips() {
    let generated = SigningKey::generate().unwrap();
    let reread = SigningKey::from_secret_file(&generated.secret_file).unwrap();
    assert_eq!(reread.id(), generated.key.id());
    let sig = reread.sign(b"x", "c").unwrap();
    assert_eq!(signature_key_id(&sig), Ok(generated.key.id()));
    let pinned: TrustedKey = generated.public_file.parse().unwrap();
    assert_eq!(verify(b"x", &sig, &[pinned]), Ok(generated.key.id()));
    assert!(SigningKey::from_secret_file("untrusted comment: x\nAAAA\n").is_err());
}
