//! `keygen` and `sign`.

use std::path::Path;

use svetofor_atomic::{Mode, write_atomic};
use svetofor_feed::{MAX_DOCUMENT_BYTES, SigningKey, read};

use crate::Failure;

/// File names `keygen` writes.
pub const SECRET_FILE: &str = "svetofor.key";
/// See [`SECRET_FILE`].
pub const PUBLIC_FILE: &str = "svetofor.pub";

pub fn keygen(out: &Path, force: bool) -> Result<(), Failure> {
    let secret = out.join(SECRET_FILE);
    let public = out.join(PUBLIC_FILE);
    if !force && let Some(existing) = [&secret, &public].into_iter().find(|p| p.exists()) {
        return Err(Failure::rejected(format!(
            "{} already exists; refusing to replace a signing key (clients pinned to it would \
             reject the feed). Use --force to replace it.",
            existing.display()
        )));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::unreadable(format!("cannot create {}: {e}", out.display())))?;
    let keys = SigningKey::generate().map_err(|e| Failure::rejected(e.to_string()))?;
    let write = |path: &Path, text: &str, mode: Mode| {
        write_atomic(path, text.as_bytes(), mode)
            .map_err(|e| Failure::unreadable(format!("cannot write {}: {e}", path.display())))
    };
    write(&secret, &keys.secret_file, Mode::Private)?;
    write(&public, &keys.public_file, Mode::Public)?;
    eprintln!(
        "Wrote {} (secret, keep it private) and {}.\nKey ID {}. Pin this public key in clients:",
        secret.display(),
        public.display(),
        keys.key.id()
    );
    println!("{}", keys.key.public_base64());
    Ok(())
}

pub fn sign(key_path: &Path, file: &Path, no_check: bool) -> Result<(), Failure> {
    let key_text = std::fs::read_to_string(key_path)
        .map_err(|e| Failure::unreadable(format!("cannot read key {}: {e}", key_path.display())))?;
    let key = SigningKey::from_secret_file(&key_text)
        .map_err(|e| Failure::rejected(format!("{}: {e}", key_path.display())))?;
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::unreadable(format!("cannot read {}: {e}", file.display())))?;
    if !no_check {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(Failure::rejected(format!(
                "refusing to sign {}: {} bytes, more than clients accept ({MAX_DOCUMENT_BYTES})",
                file.display(),
                bytes.len()
            )));
        }
        read(&bytes).map_err(|e| {
            Failure::rejected(format!(
                "refusing to sign {}: {e} (use --no-check to sign it anyway)",
                file.display()
            ))
        })?;
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let comment = format!("timestamp:{}\tfile:{name}", chrono::Utc::now().timestamp());
    let sig = key
        .sign(&bytes, &comment)
        .map_err(|e| Failure::rejected(e.to_string()))?;
    let mut sig_path = file.as_os_str().to_owned();
    sig_path.push(".minisig");
    let sig_path = std::path::PathBuf::from(sig_path);
    write_atomic(&sig_path, sig.as_bytes(), Mode::Public)
        .map_err(|e| Failure::unreadable(format!("cannot write {}: {e}", sig_path.display())))?;
    eprintln!(
        "Signed {} with key {}: {}",
        file.display(),
        key.id(),
        sig_path.display()
    );
    Ok(())
}
