//! Writing files so that a crash never leaves half of one behind, and a file planted in the
//! same folder never redirects the write.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// Who may read a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The owner only (0600 on Unix) from the moment the file exists: keys, tokens, settings.
    Private,
    /// Everybody may read it (0644 on Unix): feeds, public keys, desktop entries.
    Public,
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename over
/// `path`, and an fsync of the folder so the rename itself survives a power cut.
///
/// The temporary file has an unpredictable name and is created exclusively (`O_EXCL`), so a
/// symlink planted where it would be is never followed; the rename replaces a link at
/// `path` itself rather than writing through it.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bits = match mode {
            Mode::Private => 0o600,
            Mode::Public => 0o644,
        };
        builder.permissions(std::fs::Permissions::from_mode(bits));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when the error drops it.
    tmp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.json");
        write_atomic(&path, b"one", Mode::Public).unwrap();
        write_atomic(&path, b"two", Mode::Public).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("feed.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only_and_public_ones_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("svetofor.key");
        let feed = dir.path().join("feed.json");
        write_atomic(&key, b"secret", Mode::Private).unwrap();
        write_atomic(&feed, b"{}", Mode::Public).unwrap();
        let bits = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(bits(&key), 0o600);
        assert_eq!(bits(&feed), 0o644);
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"keep me").unwrap();
        let path = dir.path().join("feed.json");
        // Old predictable temporary names, and the target itself, pointing at the victim.
        for planted in [
            dir.path()
                .join(format!(".feed.json.tmp-{}", std::process::id())),
            path.clone(),
        ] {
            std::os::unix::fs::symlink(&victim, &planted).unwrap();
        }
        write_atomic(&path, b"new", Mode::Public).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
    }
}
