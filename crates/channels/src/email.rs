//! E-mail through an SMTP server (lettre on tokio with rustls). One thread per notice: the
//! first message's `Message-ID` is made from the notice and the channel, so every later one
//! refers to it (`In-Reply-To`, `References`) without anything stored.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use svetofor_api::{ChannelConfig, EventKind, NoticeEvent};

use crate::words::{self, Lang};
use crate::{Addressed, Outcome};

/// The subject: `[Сбой] title`.
pub fn subject(event: &NoticeEvent, lang: Lang) -> String {
    let m = words::message(event, lang, 0);
    let title = event.notice.title.get(
        match lang {
            Lang::Ru => "ru",
            Lang::En => "en",
        },
        "",
    );
    format!("[{}] {}", m.word, title.trim())
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// The plain-text body.
pub fn body(event: &NoticeEvent, lang: Lang, offset_minutes: i32) -> String {
    let m = words::message(event, lang, offset_minutes);
    let mut out = m.headline.clone();
    for line in &m.lines {
        out.push_str("\n\n");
        out.push_str(line);
    }
    out.push('\n');
    out
}

fn thread_id(event: &NoticeEvent, host: &str) -> String {
    format!("<{}.{}@{host}>", event.notice.id, event.feed_id)
}

struct Smtp<'a> {
    url: &'a str,
    from: &'a str,
    to: &'a [String],
    user: Option<&'a str>,
    password: Option<&'a str>,
}

fn smtp_of(config: &ChannelConfig) -> Option<Smtp<'_>> {
    match config {
        ChannelConfig::Email {
            smtp,
            from,
            to,
            user,
            password,
        } => Some(Smtp {
            url: smtp,
            from,
            to,
            user: user.as_deref(),
            password: password.as_deref(),
        }),
        _ => None,
    }
}

/// A transport for `smtp://`, `smtp+starttls://` or `smtps://` `host:port`.
fn transport(s: &Smtp<'_>) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = url::Url::parse(s.url).map_err(|e| match e {
        url::ParseError::InvalidPort => format!("bad port in \"{}\"", s.url),
        _ => format!("\"{}\" is not smtp://, smtp+starttls:// or smtps://", s.url),
    })?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("no host in \"{}\"", s.url))?;
    let port = url.port().unwrap_or(0);
    let builder = match url.scheme() {
        "smtp" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(if port == 0 { 25 } else { port }),
        "smtp+starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| e.to_string())?
            .port(if port == 0 { 587 } else { port }),
        "smtps" => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|e| e.to_string())?
            .port(if port == 0 { 465 } else { port }),
        other => return Err(format!("\"{other}\" is not smtp, smtp+starttls or smtps")),
    };
    let builder = match (s.user, s.password) {
        (Some(u), Some(p)) => builder.credentials(Credentials::new(u.to_owned(), p.to_owned())),
        _ => builder,
    };
    Ok(builder
        .timeout(Some(std::time::Duration::from_secs(15)))
        .build())
}

fn mailbox(s: &str) -> Result<Mailbox, String> {
    s.parse::<Mailbox>()
        .map_err(|e| format!("\"{s}\" is not an address: {e}"))
}

async fn send(
    s: &Smtp<'_>,
    build: impl FnOnce(lettre::message::MessageBuilder) -> lettre::message::MessageBuilder,
    subject: String,
    text: String,
) -> Outcome {
    let mut b = Message::builder();
    match mailbox(s.from) {
        Ok(m) => b = b.from(m),
        Err(error) => {
            return Outcome::Refused {
                error,
                disable: false,
            };
        }
    }
    for to in s.to {
        match mailbox(to) {
            Ok(m) => b = b.to(m),
            Err(error) => {
                return Outcome::Refused {
                    error,
                    disable: false,
                };
            }
        }
    }
    let message = match build(b.subject(subject))
        .header(ContentType::TEXT_PLAIN)
        .body(text)
    {
        Ok(m) => m,
        Err(e) => {
            return Outcome::Refused {
                error: e.to_string(),
                disable: false,
            };
        }
    };
    let transport = match transport(s) {
        Ok(t) => t,
        Err(error) => {
            return Outcome::Refused {
                error,
                disable: false,
            };
        }
    };
    match transport.send(message).await {
        Ok(_) => Outcome::Sent { thread: None },
        Err(e) if e.is_permanent() => Outcome::Refused {
            error: format!("SMTP: {e}"),
            disable: false,
        },
        Err(e) => Outcome::Retry {
            after: None,
            error: format!("SMTP: {e}"),
        },
    }
}

/// Mails `event`; the first message about a notice starts its thread, the rest reply to it.
pub async fn deliver(config: &ChannelConfig, event: &NoticeEvent, to: Addressed<'_>) -> Outcome {
    let Some(s) = smtp_of(config) else {
        return Outcome::Refused {
            error: "not an e-mail channel".into(),
            disable: false,
        };
    };
    let lang = Lang::read(to.language);
    let host = s
        .from
        .rsplit('@')
        .next()
        .unwrap_or("svetofor")
        .trim_end_matches('>')
        .to_owned();
    let first = thread_id(event, &host);
    let is_first = matches!(event.kind, EventKind::Created | EventKind::DraftCreated);
    let id = if is_first {
        first.clone()
    } else {
        format!(
            "<{}.{}.{}@{host}>",
            event.notice.id, event.seq, to.delivery_id
        )
    };
    send(
        &s,
        |b| {
            let b = b.message_id(Some(id));
            if is_first {
                b
            } else {
                b.in_reply_to(first.clone()).references(first)
            }
        },
        subject(event, lang),
        body(event, lang, to.utc_offset_minutes),
    )
    .await
}

/// Mails a test message.
pub async fn test(config: &ChannelConfig, language: &str) -> Result<String, String> {
    let Some(s) = smtp_of(config) else {
        return Err("not an e-mail channel".into());
    };
    let lang = Lang::read(language);
    let subject = format!(
        "[{}] {}",
        words::say(lang, "test-word"),
        words::say(lang, "test-product")
    );
    let text = format!("{}\n", words::say(lang, "test-body"));
    match send(&s, |b| b, subject, text).await {
        Outcome::Sent { .. } => Ok(format!(
            "{} accepted a test message to {}",
            s.url,
            s.to.join(", ")
        )),
        Outcome::Retry { error, .. } | Outcome::Refused { error, .. } => Err(error),
    }
}
