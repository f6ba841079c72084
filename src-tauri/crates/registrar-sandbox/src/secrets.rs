//! Client secret values and the hashes that are all the database keeps of them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use registrar_shared::Secret;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// 256 bits from the OS CSPRNG, base64url without padding (43 characters).
pub(crate) fn generate() -> Result<Secret, getrandom::Error> {
    Ok(Secret::new(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)))
}

/// A plain SHA-256 is enough: the values are 256-bit random strings, so there is nothing for a slow
/// password hash to protect against guessing.
pub(crate) fn hash(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

/// Compares against every stored hash in constant time, so timing tells nothing about which, if
/// any, matched.
pub(crate) fn matches_any<'a>(
    stored: impl IntoIterator<Item = &'a [u8]>,
    presented: &[u8; 32],
) -> bool {
    stored
        .into_iter()
        .fold(Choice::from(0), |found, hash| found | hash.ct_eq(presented))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_url_safe_and_distinct() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert!(a
            .expose()
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_ne!(a, b);
    }

    #[test]
    fn a_hash_matches_its_value_only() {
        let first = hash("first");
        let second = hash("second");
        assert!(matches_any([&first[..]], &hash("first")));
        assert!(matches_any([&second[..], &first[..]], &hash("first")));
        assert!(!matches_any([&second[..]], &hash("first")));
        assert!(!matches_any([], &hash("first")));
        assert!(!matches_any([&first[..31]], &hash("first")));
    }
}
