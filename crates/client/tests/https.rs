//! The engine's HTTPS over a real TLS server on loopback: rustls on ring, the certificate
//! checked against the system's roots plus `extra_ca_file`. The certificates in `data/` are a
//! test CA and a `localhost` certificate it signed, valid until 2126, made for these tests.

use std::sync::Arc;

use svetofor_client::fetch::{FetchError, Fetcher, FetcherOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ServerConfig, crypto::ring};

const CA: &[u8] = include_bytes!("data/test-ca.pem");
const CERT: &[u8] = include_bytes!("data/localhost.pem");
const KEY: &[u8] = include_bytes!("data/localhost.key");
const BODY: &str = r#"{"served":"over tls"}"#;

/// Serves `BODY` to every request, one per connection, until the test ends.
async fn https_server() -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(CERT).expect("cert")];
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("key");
    let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = vec![];
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
                    BODY.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_feed_over_https_is_read_when_its_ca_is_trusted() {
    let port = https_server().await;
    let fetcher = Fetcher::new(FetcherOptions {
        extra_ca_pem: Some(CA.to_vec()),
        ..FetcherOptions::default()
    })
    .expect("fetcher");
    let got = fetcher
        .get(&format!("https://localhost:{port}/feed.json"))
        .await
        .expect("fetched over TLS");
    assert_eq!(String::from_utf8(got.bytes).expect("utf-8"), BODY);
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused() {
    let port = https_server().await;
    let fetcher = Fetcher::new(FetcherOptions::default()).expect("fetcher");
    let url = format!("https://localhost:{port}/feed.json");
    match fetcher.get(&url).await {
        Err(FetchError::Connect { reason, .. }) => {
            assert!(reason.contains("certificate"), "{reason}");
        }
        other => panic!("expected a refused certificate, got {other:?}"),
    }
}
