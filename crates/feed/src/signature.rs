//! Minisign (Ed25519) signatures over the exact bytes of a document.
//!
//! Verification uses `minisign-verify`; signing and key generation use `minisign`. Both run
//! in memory: reading and writing key files is the caller's business.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The 8-byte key number minisign stores in keys and signatures, shown as 16 hex digits the
/// way the `minisign` tool shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", u64::from_le_bytes(self.0))
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature text is not a minisign signature.
    #[error("the signature is not a valid minisign signature: {0}")]
    Malformed(String),
    /// Signed by a key that is not pinned.
    #[error("signed with key {found}, which is not among the trusted keys ({})", list(.trusted))]
    UnknownKey {
        /// The key that signed.
        found: KeyId,
        /// The keys that are trusted.
        trusted: Vec<KeyId>,
    },
    /// The key matches but the signature does not: the bytes or the signature were altered.
    #[error("bad signature: the document was changed after key {key} signed it")]
    BadSignature {
        /// The key that was expected to match.
        key: KeyId,
    },
    /// No key to verify with.
    #[error("no trusted public key to verify with")]
    NoKeys,
}

fn list(ids: &[KeyId]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a public or secret key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not a minisign public key.
    #[error(
        "not a minisign public key (expected a base64 line starting with \"RW\", or a minisign .pub file)"
    )]
    NotAPublicKey,
    /// Not a usable minisign secret key.
    #[error("not a usable minisign secret key: {0}")]
    BadSecretKey(String),
    /// Key generation or signing failed inside the minisign library.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// A pinned public key that signatures are checked against.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    id: KeyId,
    base64: String,
    key: minisign_verify::PublicKey,
}

impl TrustedKey {
    /// Its key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The key as the one base64 line minisign uses.
    pub fn to_base64(&self) -> &str {
        &self.base64
    }
}

impl PartialEq for TrustedKey {
    fn eq(&self, other: &Self) -> bool {
        self.base64 == other.base64
    }
}

impl FromStr for TrustedKey {
    type Err = KeyError;

    /// Reads either the bare base64 key or the contents of a minisign `.pub` file.
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let line = s
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .ok_or(KeyError::NotAPublicKey)?;
        let raw = STANDARD.decode(line).map_err(|_| KeyError::NotAPublicKey)?;
        if raw.len() != 42 || &raw[..2] != b"Ed" {
            return Err(KeyError::NotAPublicKey);
        }
        let key =
            minisign_verify::PublicKey::from_base64(line).map_err(|_| KeyError::NotAPublicKey)?;
        let mut id = [0u8; 8];
        id.copy_from_slice(&raw[2..10]);
        Ok(TrustedKey {
            id: KeyId(id),
            base64: line.to_owned(),
            key,
        })
    }
}

/// The key id a signature names, read without verifying anything.
pub fn signature_key_id(signature: &str) -> Result<KeyId, SignatureError> {
    let sig_line = signature
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or_else(|| SignatureError::Malformed("it is empty".to_owned()))?;
    let raw = STANDARD
        .decode(sig_line)
        .map_err(|_| SignatureError::Malformed("its signature line is not base64".to_owned()))?;
    if raw.len() != 74 {
        return Err(SignatureError::Malformed(
            "its signature line has the wrong length".to_owned(),
        ));
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(&raw[2..10]);
    Ok(KeyId(id))
}

/// Verifies `signature` (the text of a `.minisig` file) over `bytes` with whichever trusted
/// key it names. Returns the key that verified.
pub fn verify(
    bytes: &[u8],
    signature: &str,
    trusted: &[TrustedKey],
) -> Result<KeyId, SignatureError> {
    if trusted.is_empty() {
        return Err(SignatureError::NoKeys);
    }
    let found = signature_key_id(signature)?;
    let sig = minisign_verify::Signature::decode(signature)
        .map_err(|e| SignatureError::Malformed(format!("{e:?}").to_lowercase()))?;
    let key = trusted
        .iter()
        .find(|k| k.id == found)
        .ok_or_else(|| SignatureError::UnknownKey {
            found,
            trusted: trusted.iter().map(|k| k.id).collect(),
        })?;
    key.key
        .verify(bytes, &sig, false)
        .map_err(|_| SignatureError::BadSignature { key: found })?;
    Ok(found)
}

/// A secret key that signs feeds.
pub struct SigningKey {
    sk: minisign::SecretKey,
    pk: minisign::PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({})", self.id())
    }
}

/// A freshly generated key pair, as the texts of its two files.
pub struct GeneratedKeys {
    /// The signing key.
    pub key: SigningKey,
    /// Contents for the secret key file (keep private: mode 0600).
    pub secret_file: String,
    /// Contents for the public key file (`minisign.pub` format).
    pub public_file: String,
}

impl SigningKey {
    /// Generates a new unencrypted key pair. Unencrypted because the publisher signs
    /// unattended; the secret file's permissions protect it.
    pub fn generate() -> Result<GeneratedKeys, KeyError> {
        let kp = minisign::KeyPair::generate_unencrypted_keypair()
            .map_err(|e| KeyError::Signing(e.to_string()))?;
        let key = SigningKey {
            sk: kp.sk,
            pk: kp.pk,
        };
        let secret_file = key
            .sk
            .to_box(Some("svetofor feed signing key"))
            .map_err(|e| KeyError::Signing(e.to_string()))?
            .to_string();
        let public_file = key.public_file();
        Ok(GeneratedKeys {
            key,
            secret_file,
            public_file,
        })
    }

    /// Reads the contents of a secret key file written by [`SigningKey::generate`] (or by
    /// `minisign -G -W`, which writes unencrypted keys).
    pub fn from_secret_file(text: &str) -> Result<Self, KeyError> {
        let bad = |e: minisign::PError| KeyError::BadSecretKey(e.to_string());
        let sk_box = minisign::SecretKeyBox::from_string(text).map_err(bad)?;
        let sk = sk_box.into_unencrypted_secret_key().map_err(bad)?;
        let pk = minisign::PublicKey::from_secret_key(&sk).map_err(bad)?;
        Ok(SigningKey { sk, pk })
    }

    /// This key's id.
    pub fn id(&self) -> KeyId {
        let mut id = [0u8; 8];
        id.copy_from_slice(&self.pk.keynum()[..8]);
        KeyId(id)
    }

    /// The public key as one base64 line.
    pub fn public_base64(&self) -> String {
        self.pk.to_base64()
    }

    /// The public key in `minisign.pub` format.
    pub fn public_file(&self) -> String {
        format!(
            "untrusted comment: svetofor public key {}\n{}\n",
            self.id(),
            self.pk.to_base64()
        )
    }

    /// The public key as a [`TrustedKey`].
    pub fn trusted(&self) -> TrustedKey {
        // Our own key always reads back.
        self.public_base64()
            .parse()
            .expect("a generated public key is well-formed")
    }

    /// Signs `bytes`, returning the text of the `.minisig` file. The trusted comment (covered
    /// by the signature) says what was signed.
    pub fn sign(&self, bytes: &[u8], trusted_comment: &str) -> Result<String, KeyError> {
        let comment = trusted_comment.replace(['\n', '\r'], " ");
        minisign::sign(
            Some(&self.pk),
            &self.sk,
            bytes,
            Some(&comment),
            Some("signature from svetofor"),
        )
        .map(|b| b.to_string())
        .map_err(|e| KeyError::Signing(e.to_string()))
    }
}
