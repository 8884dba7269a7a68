//! Signing keys, and the JWTs they sign: encoded and verified by
//! jsonwebtoken.
//!
//! Tokens are RS256 JWTs with a `kid`, like Okta's. The keys are fixed test
//! keys shipped in `keys/` (see its README), so the mock starts without
//! generating one; each authorization server has its own pair.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, KeyUtils, aws_lc};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The built-in keys, by name (the files in `keys/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyName {
    Custom1,
    Custom2,
    Org1,
    Org2,
    /// Never published: signs "bad signature" tokens.
    Unpublished,
    /// The second, third and fourth custom authorization servers' pairs.
    Custom3,
    Custom4,
    Custom5,
    Custom6,
    Custom7,
    Custom8,
}

/// The keys' PKCS#1 DER, in `KeyName` order.
const DER: [&[u8]; 11] = [
    include_bytes!("../keys/custom-1.der"),
    include_bytes!("../keys/custom-2.der"),
    include_bytes!("../keys/org-1.der"),
    include_bytes!("../keys/org-2.der"),
    include_bytes!("../keys/unpublished.der"),
    include_bytes!("../keys/custom-3.der"),
    include_bytes!("../keys/custom-4.der"),
    include_bytes!("../keys/custom-5.der"),
    include_bytes!("../keys/custom-6.der"),
    include_bytes!("../keys/custom-7.der"),
    include_bytes!("../keys/custom-8.der"),
];

/// How many custom authorization servers the built-in keys serve: each
/// has a pair of its own (its key, and the one it rotates to).
pub const CUSTOM_SERVERS_MAX: usize = 4;

/// The pair of keys of the `index`-th custom authorization server (from
/// 0), if there are keys for it.
pub(crate) fn custom_keys(index: usize) -> Option<Keys> {
    use KeyName::*;
    let pairs = [
        (Custom1, Custom2),
        (Custom3, Custom4),
        (Custom5, Custom6),
        (Custom7, Custom8),
    ];
    pairs
        .get(index)
        .map(|&(first, second)| Keys::new(first, second))
}

/// A key, parsed once per process, on first use (parsing and checking an
/// RSA key costs about a millisecond; a mock that never rotates its keys
/// never parses the rotation keys).
struct SigningKey {
    pair: RsaKeyPair,
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    jwk: Jwk,
}

static KEYS: [LazyLock<SigningKey>; 11] = [
    LazyLock::new(|| load(DER[0])),
    LazyLock::new(|| load(DER[1])),
    LazyLock::new(|| load(DER[2])),
    LazyLock::new(|| load(DER[3])),
    LazyLock::new(|| load(DER[4])),
    LazyLock::new(|| load(DER[5])),
    LazyLock::new(|| load(DER[6])),
    LazyLock::new(|| load(DER[7])),
    LazyLock::new(|| load(DER[8])),
    LazyLock::new(|| load(DER[9])),
    LazyLock::new(|| load(DER[10])),
];

fn load(der: &'static [u8]) -> SigningKey {
    let pair = RsaKeyPair::from_der(der).expect("the built-in keys are valid PKCS#1 RSA keys");
    // The public key from the pair parsed here: asking jsonwebtoken for the
    // JWK of the private key would parse it a second time.
    let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    let decoding = DecodingKey::from_rsa_raw_components(&public.n, &public.e);
    let mut jwk = Jwk::from_decoding_key(&decoding, Some(Algorithm::RS256))
        .expect("an RSA key has a public JWK");
    // The kid is the key's RFC 7638 thumbprint: stable, and derived from
    // the key, as a JWKS consumer expects.
    let kid = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .expect("an RSA JWK has a thumbprint");
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    SigningKey {
        pair,
        encoding: EncodingKey::from_rsa_der(der),
        decoding,
        kid,
        jwk,
    }
}

fn key(name: KeyName) -> &'static SigningKey {
    &KEYS[name as usize]
}

/// jsonwebtoken's aws-lc-rs provider, except that RS256 signatures by a
/// built-in key use the key pair parsed once. jsonwebtoken's own signer
/// parses and checks the RSA key for every signature, which costs more
/// than the signature itself and would halve the mock's token rate.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: aws_lc::DEFAULT_PROVIDER.verifier_factory,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: aws_lc::DEFAULT_PROVIDER
            .key_utils
            .rsa_pub_components_from_private_key,
        rsa_pub_components_from_public_key: aws_lc::DEFAULT_PROVIDER
            .key_utils
            .rsa_pub_components_from_public_key,
        ec_pub_components_from_private_key: aws_lc::DEFAULT_PROVIDER
            .key_utils
            .ec_pub_components_from_private_key,
        ed_pub_components_from_private_key: aws_lc::DEFAULT_PROVIDER
            .key_utils
            .ed_pub_components_from_private_key,
        compute_digest: aws_lc::DEFAULT_PROVIDER.key_utils.compute_digest,
    },
};

fn signer(
    algorithm: &Algorithm,
    encoding: &EncodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    match DER.iter().position(|der| *der == encoding.as_bytes()) {
        Some(index) if *algorithm == Algorithm::RS256 => Ok(Box::new(ParsedRs256(&KEYS[index]))),
        _ => (aws_lc::DEFAULT_PROVIDER.signer_factory)(algorithm, encoding),
    }
}

/// RS256 with a key pair parsed once.
struct ParsedRs256(&'static LazyLock<SigningKey>);

impl jsonwebtoken::signature::Signer<Vec<u8>> for ParsedRs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, jsonwebtoken::signature::Error> {
        let pair = &self.0.pair;
        let mut signature = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            message,
            &mut signature,
        )
        .map_err(jsonwebtoken::signature::Error::from_source)?;
        Ok(signature)
    }
}

impl JwtSigner for ParsedRs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

/// Makes jsonwebtoken use [`PROVIDER`] in this process. If the process
/// chose another provider first, tokens are still right, only slower.
pub(crate) fn use_parsed_keys() {
    PROVIDER.install_default().ok();
}

/// Where an authorization server's keys are in a rotation, as Okta plays
/// it: the next key is published weeks before it signs, the old one stays
/// published a while after (Okta's key rotation guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyPhase {
    /// The first key signs, and is the only one published.
    Current,
    /// The first key signs; the second is published beside it.
    NextPublished,
    /// The second key signs; both are published.
    Rotated,
    /// The second key signs, and is the only one published: the first was
    /// withdrawn.
    Withdrawn,
}

/// One authorization server's keys: the one it signs with, and the one it
/// rotates to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    first: KeyName,
    second: KeyName,
}

impl Keys {
    pub(crate) fn new(first: KeyName, second: KeyName) -> Self {
        use_parsed_keys();
        Keys { first, second }
    }

    /// The key tokens are signed with: the second once keys rotated.
    pub(crate) fn active(&self, phase: KeyPhase) -> KeyName {
        match phase {
            KeyPhase::Current | KeyPhase::NextPublished => self.first,
            KeyPhase::Rotated | KeyPhase::Withdrawn => self.second,
        }
    }

    /// The first key: the one that signs before any rotation.
    pub(crate) fn first(&self) -> KeyName {
        self.first
    }

    /// The keys published, the signing one first.
    fn published(&self, phase: KeyPhase) -> Vec<KeyName> {
        match phase {
            KeyPhase::Current => vec![self.first],
            KeyPhase::NextPublished => vec![self.first, self.second],
            KeyPhase::Rotated => vec![self.second, self.first],
            KeyPhase::Withdrawn => vec![self.second],
        }
    }

    /// The JWKS document: the keys published in `phase`.
    pub(crate) fn jwks(&self, phase: KeyPhase) -> JwkSet {
        let keys = self.published(phase);
        JwkSet {
            keys: keys.into_iter().map(|name| key(name).jwk.clone()).collect(),
        }
    }

    /// The claims of a JWT that this server signed with a published key
    /// and that names `issuer`, or `None`. Expiry is not checked: callers
    /// decide what an old token may still do.
    pub(crate) fn verify(&self, token: &str, phase: KeyPhase, issuer: &str) -> Option<Value> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let signer = self
            .published(phase)
            .into_iter()
            .map(key)
            .find(|k| k.kid == kid)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[issuer]);
        jsonwebtoken::decode::<Value>(token, &signer.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// The kid of a key.
pub(crate) fn kid(name: KeyName) -> &'static str {
    &key(name).kid
}

/// A JWT over `claims`, signed by `name`, with the header's `kid` set to
/// `kid` (normally that key's own: see [`kid`]).
pub(crate) fn sign(name: KeyName, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &key(name).encoding)
        .expect("RS256 with a built-in key signs any JSON claims")
}

/// An unsigned JWT (`alg: none`): what a forged token looks like.
/// jsonwebtoken rightly refuses to make one, so it is spelled out here.
pub(crate) fn unsigned(claims: &Value) -> String {
    let header = json!({ "alg": "none", "typ": "JWT" });
    format!(
        "{}.{}.",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

/// The claims of a JWT, unverified: for tests that inspect what was issued.
pub fn decode_claims(token: &str) -> Option<Value> {
    jsonwebtoken::dangerous::insecure_decode_claims(token).ok()
}

/// The header of a JWT, unverified, as JSON: unlike jsonwebtoken's
/// `Header`, it can show `"alg": "none"`.
pub fn decode_header(token: &str) -> Option<Value> {
    let header = token.split('.').next()?;
    serde_json::from_slice(&B64.decode(header).ok()?).ok()
}

/// `BASE64URL(SHA256(verifier))`: the S256 PKCE transform (RFC 7636 §4.2).
pub(crate) fn s256(verifier: &str) -> String {
    B64.encode(digest(&SHA256, verifier.as_bytes()))
}

/// The `at_hash` of an ID token issued with `access_token` (OpenID Connect
/// Core §3.1.3.6): the left half of its SHA-256, base64url-encoded.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = digest(&SHA256, access_token.as_bytes());
    B64.encode(&digest.as_ref()[..16])
}

/// SHA-256 of some bytes.
pub(crate) fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

/// A random, URL-safe identifier with 128 bits of entropy.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system's random source works");
    B64.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "http://localhost:8081/oauth2/default";

    #[test]
    fn a_signed_token_verifies_and_a_changed_one_does_not() {
        let keys = Keys::new(KeyName::Custom1, KeyName::Custom2);
        let claims = json!({ "sub": "alice", "iss": ISSUER });
        let token = sign(KeyName::Custom1, kid(KeyName::Custom1), &claims);
        assert_eq!(keys.verify(&token, KeyPhase::Current, ISSUER), Some(claims));
        let (signed, _) = token.rsplit_once('.').expect("three parts");
        let other = sign(
            KeyName::Custom1,
            kid(KeyName::Custom1),
            &json!({ "iss": ISSUER }),
        );
        let (_, other_signature) = other.rsplit_once('.').expect("three parts");
        assert_eq!(
            keys.verify(
                &format!("{signed}.{other_signature}"),
                KeyPhase::Current,
                ISSUER
            ),
            None
        );
        let bad = sign(
            KeyName::Unpublished,
            kid(KeyName::Custom1),
            &json!({ "iss": ISSUER }),
        );
        assert_eq!(keys.verify(&bad, KeyPhase::Current, ISSUER), None);
        assert_eq!(
            keys.verify(
                &unsigned(&json!({ "iss": ISSUER })),
                KeyPhase::Current,
                ISSUER
            ),
            None
        );
    }

    #[test]
    fn a_token_of_another_issuer_or_another_server_does_not_verify() {
        let custom = Keys::new(KeyName::Custom1, KeyName::Custom2);
        let org = Keys::new(KeyName::Org1, KeyName::Org2);
        let token = sign(
            KeyName::Custom1,
            kid(KeyName::Custom1),
            &json!({ "iss": ISSUER }),
        );
        assert_eq!(
            custom.verify(&token, KeyPhase::Current, "http://localhost:8081"),
            None
        );
        assert_eq!(org.verify(&token, KeyPhase::Current, ISSUER), None);
    }

    #[test]
    fn a_rotation_publishes_the_next_key_first_and_withdraws_the_old_one_last() {
        let keys = Keys::new(KeyName::Custom1, KeyName::Custom2);
        let kids = |phase| -> Vec<String> {
            keys.jwks(phase)
                .keys
                .into_iter()
                .filter_map(|k| k.common.key_id)
                .collect()
        };
        let (first, second) = (kid(KeyName::Custom1), kid(KeyName::Custom2));
        assert_eq!(kids(KeyPhase::Current), [first]);
        assert_eq!(kids(KeyPhase::NextPublished), [first, second]);
        assert_eq!(keys.active(KeyPhase::NextPublished), KeyName::Custom1);
        assert_eq!(kids(KeyPhase::Rotated), [second, first]);
        assert_eq!(kids(KeyPhase::Withdrawn), [second]);
        assert_eq!(keys.active(KeyPhase::Withdrawn), KeyName::Custom2);
        let old = sign(KeyName::Custom1, first, &json!({ "iss": ISSUER }));
        assert!(keys.verify(&old, KeyPhase::Rotated, ISSUER).is_some());
        assert_eq!(keys.verify(&old, KeyPhase::Withdrawn, ISSUER), None);
    }

    #[test]
    fn the_second_key_verifies_only_after_rotation() {
        let keys = Keys::new(KeyName::Custom1, KeyName::Custom2);
        let token = sign(
            KeyName::Custom2,
            kid(KeyName::Custom2),
            &json!({ "iss": ISSUER }),
        );
        assert_eq!(keys.verify(&token, KeyPhase::Current, ISSUER), None);
        assert!(keys.verify(&token, KeyPhase::Rotated, ISSUER).is_some());
        assert_eq!(keys.jwks(KeyPhase::Rotated).keys.len(), 2);
    }

    #[test]
    fn the_jwks_publishes_the_kid_and_use_of_each_key() {
        let keys = Keys::new(KeyName::Org1, KeyName::Org2);
        let jwks = serde_json::to_value(keys.jwks(KeyPhase::Current)).expect("JSON");
        let published = &jwks["keys"][0];
        assert_eq!(published["kid"], kid(KeyName::Org1));
        assert_eq!(
            (&published["kty"], &published["alg"], &published["use"]),
            (&json!("RSA"), &json!("RS256"), &json!("sig"))
        );
    }

    #[test]
    fn s256_matches_the_rfc_7636_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
