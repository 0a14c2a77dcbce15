//! Console accounts: names, roles and passwords. Passwords are hashed with Argon2id at the
//! OWASP parameters (19 MiB, two passes, one lane) and stored as PHC strings; the clear
//! password is never stored or logged.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
pub use svetofor_store::UserRecord;

/// Shortest password accepted: there is no second factor yet, so a long passphrase is what
/// stands between a guessed password and the feed every employee trusts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password (Argon2 takes any length; this bounds the work a request can ask for).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why an account request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A name that cannot be a sign-in name.
    #[error("\"{0}\": a name is 1 to 64 letters, digits, '.', '-', '_' or '@'")]
    BadName(String),
    /// A password too short or too long.
    #[error("a password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")]
    BadPassword,
    /// The OS random generator failed.
    #[error("no random numbers: {0}")]
    Random(#[from] getrandom::Error),
    /// Hashing failed (a parameter rejected: a bug, not bad input).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The sign-in name for `raw`: trimmed and lower case, so "Anna" and "anna" are one person.
pub fn user_name(raw: &str) -> Result<String, AccountError> {
    let name = raw.trim().to_lowercase();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(name)
    } else {
        Err(AccountError::BadName(raw.to_owned()))
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(Params::DEFAULT_M_COST, 2, 1, None).expect("OWASP parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string to store for `password`.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(AccountError::BadPassword);
    }
    let mut salt = [0u8; argon2::password_hash::Salt::RECOMMENDED_LENGTH];
    getrandom::fill(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored `hash` (constant time inside Argon2; an unreadable
/// hash matches nothing).
pub fn password_matches(hash: &str, password: &str) -> bool {
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(hash)
        .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A hash of a password nobody has, so that a sign-in with an unknown name costs the same
/// time as one with a wrong password and does not tell which names exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password nobody has").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_salted_argon2id_and_only_the_right_one_matches() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "salted");
        assert!(password_matches(&a, "correct horse battery"));
        assert!(!password_matches(&a, "correct horse batterY"));
        assert!(!password_matches("not a hash", "correct horse battery"));
        assert!(matches!(
            hash_password("short"),
            Err(AccountError::BadPassword)
        ));
    }

    #[test]
    fn names_are_one_person_whatever_the_case() {
        assert_eq!(user_name(" Anna.Petrova ").unwrap(), "anna.petrova");
        assert_eq!(user_name("Анна").unwrap(), "анна");
        assert!(user_name("anna petrova").is_err());
        assert!(user_name("").is_err());
    }
}
