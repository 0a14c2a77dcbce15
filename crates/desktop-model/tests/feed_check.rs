//! The settings window's Check button: the shared check against a real loopback server,
//! and its result in words in both languages.

use std::net::SocketAddr;

use chrono::FixedOffset;
use svetofor_client::feed_check::{CheckError, check};
use svetofor_client::{Fetcher, FetcherOptions};
use svetofor_desktop_model::i18n::{Catalog, Lang};
use svetofor_desktop_model::settings_text::check_report;
use svetofor_feed::SigningKey;

fn feed_json() -> String {
    let now = chrono::Utc::now();
    serde_json::json!({
        "format": "svetofor/1",
        "id": "acme",
        "name": "Acme Cloud",
        "default_language": "en",
        "seq": 3,
        "generated_at": now.to_rfc3339(),
        "expires_at": (now + chrono::TimeDelta::hours(1)).to_rfc3339(),
        "notices": []
    })
    .to_string()
}

/// Serves `feed.json` and, when given, `feed.json.minisig` on loopback.
async fn serve(doc: String, sig: Option<String>) -> SocketAddr {
    use axum::routing::get;
    let mut app = axum::Router::new().route("/feed.json", get(move || async move { doc }));
    if let Some(sig) = sig {
        app = app.route("/feed.json.minisig", get(move || async move { sig }));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn new_key() -> SigningKey {
    SigningKey::generate().unwrap().key
}

fn tz() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).unwrap()
}

#[tokio::test]
async fn a_signed_feed_checks_out_and_says_so() {
    let signer = new_key();
    let doc = feed_json();
    let sig = signer.sign(doc.as_bytes(), "test").unwrap();
    let addr = serve(doc, Some(sig)).await;
    let fetcher = Fetcher::new(FetcherOptions::default()).unwrap();
    let url = format!("http://{addr}/feed.json");
    let result = check(&url, &[signer.trusted()], &fetcher).await;
    let en = check_report(&Catalog::new(Lang::En), &result, tz());
    assert!(en.ok, "{en:?}");
    assert_eq!(
        en.text,
        format!(
            "Works: “Acme Cloud” says “All systems working”. Signed with a trusted key ({}).",
            signer.id()
        )
    );
    let ru = check_report(&Catalog::new(Lang::Ru), &result, tz());
    assert!(ru.text.starts_with("Работает: «Acme Cloud»"), "{}", ru.text);

    // Another key: refused, and said so with the key that did sign.
    let other = new_key();
    let result = check(&url, &[other.trusted()], &fetcher).await;
    assert!(matches!(result, Err(CheckError::Rejected { .. })));
    let en = check_report(&Catalog::new(Lang::En), &result, tz());
    assert!(!en.ok);
    assert_eq!(
        en.text,
        format!(
            "The feed is signed with key {}, which is not among the public keys.",
            signer.id()
        )
    );
    assert!(
        en.detail
            .as_deref()
            .is_some_and(|d| d.contains("not among the trusted keys")),
        "the technical reason stays for admins: {en:?}"
    );
}

#[tokio::test]
async fn unreachable_unsigned_and_not_a_feed_are_told_apart() {
    let fetcher = Fetcher::new(FetcherOptions::default()).unwrap();
    let en = Catalog::new(Lang::En);
    let key = new_key();

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let down = check(&format!("http://127.0.0.1:{port}/feed.json"), &[], &fetcher).await;
    assert!(matches!(down, Err(CheckError::Unreadable(_))), "{down:?}");
    assert_eq!(
        check_report(&en, &down, tz()).text,
        "Cannot reach this address."
    );

    let addr = serve(feed_json(), None).await;
    let url = format!("http://{addr}/feed.json");
    let unsigned = check(&url, &[key.trusted()], &fetcher).await;
    assert_eq!(
        check_report(&en, &unsigned, tz()).text,
        "The feed is not signed, but public keys are set: it would be refused."
    );
    let open = check(&url, &[], &fetcher).await;
    let report = check_report(&en, &open, tz());
    assert!(report.ok);
    assert!(
        report
            .text
            .ends_with("Not verified: without a public key, a forged status would look the same."),
        "{}",
        report.text
    );

    let page = serve("<html>hello</html>".into(), None).await;
    let not_feed = check(&format!("http://{page}/feed.json"), &[], &fetcher).await;
    assert_eq!(
        check_report(&en, &not_feed, tz()).text,
        "The address answers, but not with a status feed."
    );
    let missing = check(&format!("http://{page}/nothing.json"), &[], &fetcher).await;
    assert_eq!(
        check_report(&en, &missing, tz()).text,
        "The server answered with an error (HTTP 404)."
    );
}
