//! Single instance on Windows: a named pipe per user and session (pipes are machine-wide, and
//! a terminal server runs many sessions). Not built or run on the Linux CI.

use std::io::Write;

use tokio::io::AsyncReadExt;
use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};

use super::{Claim, MAX_REQUEST, Request, session_tag};

/// The first pipe instance of the first app.
pub struct Listener {
    server: NamedPipeServer,
    name: String,
}

fn pipe_name() -> String {
    let user: String = std::env::var("USERNAME")
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let session = std::env::var("SESSIONNAME").unwrap_or_else(|_| session_tag());
    format!(r"\\.\pipe\svetofor-{user}-{session}")
}

/// Becomes the instance, or hands `request` to the one running.
pub fn claim(request: &Request) -> std::io::Result<Claim> {
    let name = pipe_name();
    // Called inside the app's runtime: the pipe registers with its reactor.
    match ServerOptions::new().first_pipe_instance(true).create(&name) {
        Ok(server) => Ok(Claim::First(Listener { server, name })),
        Err(_) => {
            let mut pipe = std::fs::OpenOptions::new().write(true).open(&name)?;
            pipe.write_all(&serde_json::to_vec(request).map_err(std::io::Error::other)?)?;
            Ok(Claim::Handed)
        }
    }
}

impl Listener {
    /// Serves second starts on the app's runtime for the life of the app.
    pub fn serve(self, on_request: impl Fn(Request) + Send + 'static) {
        tokio::spawn(async move {
            let Listener { mut server, name } = self;
            loop {
                if server.connect().await.is_err() {
                    continue;
                }
                let mut bytes = Vec::new();
                let _ = (&mut server)
                    .take(MAX_REQUEST as u64 + 1)
                    .read_to_end(&mut bytes)
                    .await;
                match Request::parse(&bytes) {
                    Some(request) => on_request(request),
                    None => tracing::warn!("second start: not a request; ignored"),
                }
                server = match ServerOptions::new().create(&name) {
                    Ok(next) => next,
                    Err(e) => {
                        tracing::warn!("cannot listen for second starts: {e}");
                        return;
                    }
                };
            }
        });
    }
}
