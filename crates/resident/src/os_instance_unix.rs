//! Single instance on Linux, the BSDs and macOS: a Unix socket, private to the user, in the
//! runtime folder (`$XDG_RUNTIME_DIR`; macOS: the per-user temporary folder).

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use super::{Claim, MAX_REQUEST, Request, session_tag};

/// The listening socket of the first instance.
pub struct Listener {
    socket: UnixListener,
    path: PathBuf,
}

fn socket_path() -> PathBuf {
    let dir = dirs::runtime_dir().unwrap_or_else(std::env::temp_dir);
    dir.join(format!("svetofor-{}.sock", session_tag()))
}

fn hand_over(path: &PathBuf, request: &Request) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(&serde_json::to_vec(request).map_err(std::io::Error::other)?)?;
    Ok(())
}

/// Becomes the instance, or hands `request` to the one running.
pub fn claim(request: &Request) -> std::io::Result<Claim> {
    let path = socket_path();
    for _ in 0..2 {
        match UnixListener::bind(&path) {
            Ok(socket) => {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
                return Ok(Claim::First(Listener { socket, path }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if hand_over(&path, request).is_ok() {
                    return Ok(Claim::Handed);
                }
                // Nobody answers: a crashed instance left its socket behind.
                tracing::info!("removing a stale instance socket {}", path.display());
                std::fs::remove_file(&path)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "cannot listen on {}",
        path.display()
    )))
}

impl Listener {
    /// Serves second starts on a thread of its own for the life of the app.
    pub fn serve(self, on_request: impl Fn(Request) + Send + 'static) {
        let spawned = std::thread::Builder::new()
            .name("instance".into())
            .spawn(move || {
                for stream in self.socket.incoming() {
                    let Ok(stream) = stream else { continue };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut bytes = Vec::new();
                    let read = stream.take(MAX_REQUEST as u64 + 1).read_to_end(&mut bytes);
                    match read.ok().and_then(|_| Request::parse(&bytes)) {
                        Some(request) => {
                            tracing::info!(?request, "second start");
                            on_request(request);
                        }
                        None => tracing::warn!("second start: not a request; ignored"),
                    }
                }
                let _ = std::fs::remove_file(&self.path);
            });
        if let Err(e) = spawned {
            tracing::warn!("cannot listen for second starts: {e}");
        }
    }
}
