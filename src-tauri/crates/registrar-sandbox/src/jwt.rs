//! Access tokens as compact JWS signed with Ed25519 ("EdDSA"). Written here because the sandbox needs
//! one algorithm and a fixed set of claims, which a general JWT library would only widen.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub(crate) const LIFETIME_SECS: i64 = 3600;
const ALG: &str = "EdDSA";
const TYP: &str = "at+jwt";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub iss: String,
    /// The resources the token is for: those of its scopes (RFC 9068 §2.2).
    pub aud: Vec<String>,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub sub_type: String,
    pub prt_id: String,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum JwtError {
    #[error("not a compact JWS")]
    Malformed,
    #[error("not an EdDSA access token under this sandbox's key id")]
    ForeignKey,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("issued by another issuer")]
    WrongIssuer,
    #[error("expired")]
    Expired,
    #[error("not valid yet")]
    NotYetValid,
}

pub(crate) struct TokenKey {
    signing: SigningKey,
    kid: String,
}

impl TokenKey {
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(seed);
        // The RFC 7638 thumbprint: stable for the key, so the kid needs no storage of its own.
        let canonical = format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes())
        );
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Self { signing, kid }
    }

    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.signing.verifying_key().as_bytes()),
            "kid": self.kid,
            "use": "sig",
            "alg": ALG,
        })
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let header = Header {
            alg: ALG.into(),
            typ: TYP.into(),
            kid: self.kid.clone(),
        };
        let signing_input = format!("{}.{}", encode_json(&header), encode_json(claims));
        let signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// Checks the signature, the issuer and the validity window at `now` (Unix seconds).
    pub fn verify(&self, token: &str, issuer: &str, now: i64) -> Result<Claims, JwtError> {
        let mut parts = token.split('.');
        let (Some(header_part), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header: Header = decode_json(header_part)?;
        if header.alg != ALG || header.typ != TYP || header.kid != self.kid {
            return Err(JwtError::ForeignKey);
        }
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(JwtError::Malformed)?;
        let signing_input = &token[..header_part.len() + 1 + payload.len()];
        self.signing
            .verifying_key()
            .verify_strict(signing_input.as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| JwtError::BadSignature)?;
        let claims: Claims = decode_json(payload)?;
        if claims.iss != issuer {
            return Err(JwtError::WrongIssuer);
        }
        if now >= claims.exp {
            return Err(JwtError::Expired);
        }
        if now < claims.nbf {
            return Err(JwtError::NotYetValid);
        }
        Ok(claims)
    }
}

fn encode_json(value: &impl Serialize) -> String {
    let json = serde_json::to_vec(value).expect("strings and integers always serialize");
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_json<T: DeserializeOwned>(part: &str) -> Result<T, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://127.0.0.1:1/identity_";

    fn claims(iat: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            aud: vec!["PlatformManagement".into()],
            sub: "client".into(),
            client_id: "client".into(),
            scope: "OR.Jobs PM.OAuthApp".into(),
            iat,
            nbf: iat,
            exp: iat + LIFETIME_SECS,
            jti: "jti".into(),
            sub_type: "service.external".into(),
            prt_id: "partition".into(),
        }
    }

    fn part(token: &str, index: usize) -> Value {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(index).unwrap())
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn round_trip() {
        let key = TokenKey::from_seed(&[7; 32]);
        let token = key.sign(&claims(1_000));
        assert_eq!(key.verify(&token, ISSUER, 1_000), Ok(claims(1_000)));
        assert_eq!(
            key.verify(&token, ISSUER, 1_000 + LIFETIME_SECS - 1),
            Ok(claims(1_000))
        );
        let header = part(&token, 0);
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["typ"], "at+jwt");
        assert_eq!(header["kid"], key.public_jwk()["kid"]);
        assert!(!token.contains('='), "base64url without padding");
    }

    #[test]
    fn the_window_and_issuer_are_enforced() {
        let key = TokenKey::from_seed(&[7; 32]);
        let token = key.sign(&claims(1_000));
        assert_eq!(
            key.verify(&token, ISSUER, 1_000 + LIFETIME_SECS),
            Err(JwtError::Expired)
        );
        assert_eq!(key.verify(&token, ISSUER, 999), Err(JwtError::NotYetValid));
        assert_eq!(
            key.verify(&token, "http://elsewhere/identity_", 1_000),
            Err(JwtError::WrongIssuer)
        );
    }

    #[test]
    fn tampering_and_other_keys_are_refused() {
        let key = TokenKey::from_seed(&[7; 32]);
        let token = key.sign(&claims(1_000));
        let mut forged = claims(1_000);
        forged.scope = "PM.OAuthApp".into();
        let forged_payload = encode_json(&forged);
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(
            key.verify(&tampered, ISSUER, 1_000),
            Err(JwtError::BadSignature)
        );

        let other = TokenKey::from_seed(&[8; 32]);
        assert_eq!(
            other.verify(&token, ISSUER, 1_000),
            Err(JwtError::ForeignKey)
        );
        // The right kid on a signature by another key.
        let foreign_signature = other.sign(&claims(1_000));
        let spliced = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            foreign_signature.rsplit('.').next().unwrap()
        );
        assert_eq!(
            key.verify(&spliced, ISSUER, 1_000),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn unsigned_and_malformed_tokens_are_refused() {
        let key = TokenKey::from_seed(&[7; 32]);
        let token = key.sign(&claims(1_000));
        let payload = token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{payload}.",
            encode_json(&json!({"alg": "none", "typ": "at+jwt"}))
        );
        assert_eq!(key.verify(&none, ISSUER, 1_000), Err(JwtError::Malformed));
        let kid = key.public_jwk()["kid"].as_str().unwrap().to_owned();
        let none_with_kid = format!(
            "{}.{payload}.",
            encode_json(&json!({"alg": "none", "typ": "at+jwt", "kid": kid}))
        );
        assert_eq!(
            key.verify(&none_with_kid, ISSUER, 1_000),
            Err(JwtError::ForeignKey)
        );
        assert_eq!(key.verify("a.b", ISSUER, 1_000), Err(JwtError::Malformed));
        assert_eq!(
            key.verify(&format!("{token}.x"), ISSUER, 1_000),
            Err(JwtError::Malformed)
        );
        assert_eq!(key.verify("", ISSUER, 1_000), Err(JwtError::Malformed));
    }

    #[test]
    fn the_jwk_carries_the_public_key_and_a_stable_kid() {
        let key = TokenKey::from_seed(&[7; 32]);
        let jwk = key.public_jwk();
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
        assert_eq!(
            x,
            SigningKey::from_bytes(&[7; 32]).verifying_key().as_bytes()
        );
        assert_eq!(
            jwk["kid"],
            TokenKey::from_seed(&[7; 32]).public_jwk()["kid"]
        );
        assert_ne!(
            jwk["kid"],
            TokenKey::from_seed(&[8; 32]).public_jwk()["kid"]
        );
    }
}
