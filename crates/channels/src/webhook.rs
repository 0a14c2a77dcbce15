//! Standard Webhooks v1: `webhook-id` (the same on every try of one delivery),
//! `webhook-timestamp` (seconds), `webhook-signature` = `v1,` + base64 of HMAC-SHA256 over
//! `id.timestamp.body` keyed with the secret's bytes (`whsec_` + base64).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;
use svetofor_api::NoticeEvent;

use crate::{Outcome, cause};

/// A new signing secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("whsec_{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` value for `body` sent as `id` at `timestamp`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The body a receiver gets.
fn body(event: &NoticeEvent) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": event.kind.as_str(),
        "timestamp": event.timestamp,
        "data": {
            "feed_id": event.feed_id,
            "seq": event.seq,
            "notice": event.notice,
        },
    }))
    .unwrap_or_default()
}

async fn post(http: &reqwest::Client, url: &str, secret: &str, id: &str, body: Vec<u8>) -> Outcome {
    let timestamp = chrono::Utc::now().timestamp();
    let Some(signature) = sign(secret, id, timestamp, &body) else {
        return Outcome::Refused {
            error: "the channel's signing secret is not whsec_ + base64".to_owned(),
            disable: false,
        };
    };
    let sent = http
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome::Sent { thread: None },
        Ok(r) if r.status() == StatusCode::GONE => Outcome::Refused {
            error: "the endpoint answered 410 Gone: the channel is switched off".to_owned(),
            disable: true,
        },
        Ok(r) => Outcome::Retry {
            after: None,
            error: format!("the endpoint answered HTTP {}", r.status().as_u16()),
        },
        Err(e) => Outcome::Retry {
            after: None,
            error: cause(e),
        },
    }
}

/// Posts `event` as delivery `delivery_id`.
pub async fn deliver(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    event: &NoticeEvent,
    delivery_id: i64,
) -> Outcome {
    post(
        http,
        url,
        secret,
        &format!("msg_{delivery_id}"),
        body(event),
    )
    .await
}

/// Posts a signed `{"type": "test"}`.
pub async fn test(http: &reqwest::Client, url: &str, secret: &str) -> Result<String, String> {
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "test",
        "timestamp": chrono::Utc::now(),
        "data": {},
    }))
    .unwrap_or_default();
    let id = format!("msg_test_{}", chrono::Utc::now().timestamp_millis());
    match post(http, url, secret, &id, body).await {
        Outcome::Sent { .. } => Ok(format!("{url} took a signed test post")),
        Outcome::Retry { error, .. } | Outcome::Refused { error, .. } => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_standard_webhooks_one() {
        // The example from the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(sign("whsec_%%%", "m", 1, b""), None);
    }
}
