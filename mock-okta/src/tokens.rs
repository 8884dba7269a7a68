//! Signing keys, JWT minting and verification.
//!
//! Tokens are RS256 JWTs with a `kid`, like Okta's. The keys are fixed test
//! keys shipped in `keys/` (see its README), so the mock starts without
//! generating one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::SystemRandom;
use ring::signature::{self, RsaKeyPair};
use serde_json::{Value, json};

const KEY_1: &[u8] = include_bytes!("../keys/key-1.pk8");
const KEY_2: &[u8] = include_bytes!("../keys/key-2.pk8");
const KEY_3: &[u8] = include_bytes!("../keys/key-3.pk8");

/// Which of the built-in keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyName {
    /// Active at start, published.
    First,
    /// Active after a key rotation; published then, beside the first.
    Second,
    /// Never published: signs "bad signature" tokens.
    Unpublished,
}

struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    jwk: Value,
}

/// The mock's signing keys.
pub(crate) struct Keys {
    first: SigningKey,
    second: SigningKey,
    unpublished: SigningKey,
    rng: SystemRandom,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("first", &self.first.kid)
            .field("second", &self.second.kid)
            .finish_non_exhaustive()
    }
}

fn load(der: &[u8]) -> SigningKey {
    let pair = RsaKeyPair::from_pkcs8(der).expect("the built-in keys are valid PKCS#8 RSA keys");
    let components = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
    let (n, e) = (components.n, components.e);
    // A stable kid derived from the key, as a JWKS consumer expects.
    let kid = B64.encode(&ring::digest::digest(&ring::digest::SHA256, &n).as_ref()[..12]);
    let jwk = json!({
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
        "n": B64.encode(&n), "e": B64.encode(&e),
    });
    SigningKey { kid, pair, jwk }
}

impl Keys {
    pub(crate) fn new() -> Self {
        Keys {
            first: load(KEY_1),
            second: load(KEY_2),
            unpublished: load(KEY_3),
            rng: SystemRandom::new(),
        }
    }

    fn key(&self, name: KeyName) -> &SigningKey {
        match name {
            KeyName::First => &self.first,
            KeyName::Second => &self.second,
            KeyName::Unpublished => &self.unpublished,
        }
    }

    /// The kid of a key.
    pub(crate) fn kid(&self, name: KeyName) -> &str {
        &self.key(name).kid
    }

    /// The JWKS document: the first key, and the second once keys rotated.
    pub(crate) fn jwks(&self, rotated: bool) -> Value {
        let mut keys = vec![self.first.jwk.clone()];
        if rotated {
            keys.insert(0, self.second.jwk.clone());
        }
        json!({ "keys": keys })
    }

    /// A JWT over `claims`, signed by `key`, with the header's `kid` set to
    /// `kid` (normally that key's own).
    pub(crate) fn sign(&self, key: KeyName, kid: &str, claims: &Value) -> String {
        let header = json!({ "alg": "RS256", "kid": kid, "typ": "JWT" });
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let pair = &self.key(key).pair;
        let mut signature = vec![0; pair.public().modulus_len()];
        pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &self.rng,
            signing_input.as_bytes(),
            &mut signature,
        )
        .expect("RS256 signing with a valid key and a right-sized buffer cannot fail");
        format!("{signing_input}.{}", B64.encode(signature))
    }

    /// An unsigned JWT (`alg: none`): what a forged token looks like.
    pub(crate) fn unsigned(&self, claims: &Value) -> String {
        let header = json!({ "alg": "none", "typ": "JWT" });
        format!(
            "{}.{}.",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        )
    }

    /// The claims of a JWT this mock signed with a published key, or `None`.
    /// Expiry is not checked: callers decide what an old token may still do.
    pub(crate) fn verify(&self, token: &str, rotated: bool) -> Option<Value> {
        let mut parts = token.split('.');
        let (header, claims, sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&B64.decode(header).ok()?).ok()?;
        if header["alg"] != "RS256" {
            return None;
        }
        let published: &[&SigningKey] = if rotated {
            &[&self.first, &self.second]
        } else {
            &[&self.first]
        };
        let key = published.iter().find(|k| header["kid"] == k.kid.as_str())?;
        let public = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            key.pair.public().as_ref(),
        );
        let (signed, _) = token.rsplit_once('.')?;
        public
            .verify(signed.as_bytes(), &B64.decode(sig).ok()?)
            .ok()?;
        serde_json::from_slice(&B64.decode(claims).ok()?).ok()
    }
}

/// The claims of a JWT, unverified: for tests that inspect what was issued.
pub fn decode_claims(token: &str) -> Option<Value> {
    let claims = token.split('.').nth(1)?;
    serde_json::from_slice(&B64.decode(claims).ok()?).ok()
}

/// The header of a JWT, unverified.
pub fn decode_header(token: &str) -> Option<Value> {
    let header = token.split('.').next()?;
    serde_json::from_slice(&B64.decode(header).ok()?).ok()
}

/// `BASE64URL(SHA256(verifier))`: the S256 PKCE transform (RFC 7636 §4.2).
pub(crate) fn s256(verifier: &str) -> String {
    B64.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// A random, URL-safe identifier with 128 bits of entropy.
pub(crate) fn random_id() -> String {
    B64.encode(rand::random::<[u8; 16]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_changed_one_does_not() {
        let keys = Keys::new();
        let claims = json!({ "sub": "alice" });
        let token = keys.sign(KeyName::First, keys.kid(KeyName::First), &claims);
        assert_eq!(keys.verify(&token, false), Some(claims));
        let tampered = token.replacen('.', ".e30", 1);
        assert_eq!(keys.verify(&tampered, false), None);
        let bad = keys.sign(KeyName::Unpublished, keys.kid(KeyName::First), &json!({}));
        assert_eq!(keys.verify(&bad, false), None);
        assert_eq!(keys.verify(&keys.unsigned(&json!({})), false), None);
    }

    #[test]
    fn the_second_key_verifies_only_after_rotation() {
        let keys = Keys::new();
        let token = keys.sign(KeyName::Second, keys.kid(KeyName::Second), &json!({}));
        assert_eq!(keys.verify(&token, false), None);
        assert!(keys.verify(&token, true).is_some());
        assert_eq!(keys.jwks(true)["keys"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn s256_matches_the_rfc_7636_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
