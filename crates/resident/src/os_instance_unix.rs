//! Single instance on Linux, the BSDs and macOS: a Unix socket, private to the user, in the
//! runtime folder (`$XDG_RUNTIME_DIR`), or else in a 0700 folder of the user's own in the
//! temporary folder (macOS: the per-user one).

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Claim, MAX_REQUEST, Request, session_tag};

/// The listening socket of the first instance.
pub struct Listener {
    socket: UnixListener,
    path: PathBuf,
}

fn socket_path() -> std::io::Result<PathBuf> {
    let dir = match dirs::runtime_dir() {
        Some(dir) => dir,
        None => private_dir(&std::env::temp_dir(), rustix::process::getuid().as_raw())?,
    };
    Ok(dir.join(format!("svetofor-{}.sock", session_tag())))
}

/// Without a runtime folder (no `$XDG_RUNTIME_DIR`; macOS), a folder of the user's own in the
/// temporary folder: made 0700, and refused unless it is the user's and private. In a shared
/// `/tmp` another user could otherwise take the socket's name first and so keep this tray
/// from starting (a second start hands over and exits).
fn private_dir(base: &Path, uid: u32) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let dir = base.join(format!("svetofor-{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!(
            "{} is not a folder private to this user",
            dir.display()
        )));
    }
    Ok(dir)
}

fn hand_over(path: &PathBuf, request: &Request) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(&serde_json::to_vec(request).map_err(std::io::Error::other)?)?;
    Ok(())
}

/// Becomes the instance, or hands `request` to the one running.
pub fn claim(request: &Request) -> std::io::Result<Claim> {
    let path = socket_path()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn the_fallback_folder_is_made_private_and_refused_when_it_is_not() {
        let base = tempfile::tempdir().expect("tempdir");
        let uid = std::fs::metadata(base.path()).expect("meta").uid();
        let dir = private_dir(base.path(), uid).expect("made");
        let meta = std::fs::metadata(&dir).expect("meta");
        assert_eq!(meta.mode() & 0o777, 0o700);
        assert_eq!(private_dir(base.path(), uid).expect("again"), dir);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert!(private_dir(base.path(), uid).is_err(), "readable by others");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        assert!(
            private_dir(base.path(), uid + 1).is_err(),
            "another user's name"
        );

        let other = tempfile::tempdir().expect("tempdir");
        std::fs::write(other.path().join(format!("svetofor-{uid}")), b"").expect("file");
        assert!(private_dir(other.path(), uid).is_err(), "not a folder");
    }
}
