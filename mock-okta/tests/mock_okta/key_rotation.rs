//! Signing keys rotated as Okta does it: the next key published ahead,
//! then signing, the old one withdrawn; and how long the keys may be kept.

use crate::helpers::*;
use mock_okta::{Fault, Key, MockOkta, TokenRequest};
use std::time::Duration;

/// The `kid`s `/v1/keys` publishes, and its `Cache-Control`.
async fn published(okta: &MockOkta) -> (Vec<String>, String) {
    let answer = reqwest::get(format!("{}/v1/keys", okta.issuer()))
        .await
        .expect("an answer");
    let cache = answer.headers()["cache-control"]
        .to_str()
        .expect("ASCII")
        .to_string();
    let keys: serde_json::Value = answer.json().await.expect("JSON");
    let kids = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("a kid").to_string())
        .collect();
    (kids, cache)
}

/// The `kid` a token names.
fn kid(token: &str) -> String {
    let header = mock_okta::decode_header(token).expect("a JWT");
    header["kid"].as_str().expect("a kid").to_string()
}

#[tokio::test]
async fn the_keys_say_how_long_they_may_be_kept() {
    let okta = MockOkta::start().await.expect("start");
    assert_eq!(published(&okta).await.1, "max-age=86400, must-revalidate");
    okta.set_fault(Fault::KeysMaxAge(Duration::from_secs(90)));
    assert_eq!(published(&okta).await.1, "max-age=90, must-revalidate");
    okta.set_fault(Fault::KeysMaxAge(Duration::ZERO));
    assert_eq!(published(&okta).await.1, "no-cache, must-revalidate");
}

#[tokio::test]
async fn the_next_key_is_published_before_it_signs_and_the_first_withdrawn_after() {
    let okta = MockOkta::start().await.expect("start");
    let signed = |okta: &MockOkta| {
        let minted = okta.mint(&TokenRequest::new("svc").scope("messages:read"));
        kid(&minted.access_token.expect("an access token").token)
    };
    let (start, _) = published(&okta).await;
    let first = signed(&okta);
    assert_eq!(start, std::slice::from_ref(&first));

    okta.set_fault(Fault::NextKeyPublished);
    let (ahead, _) = published(&okta).await;
    assert_eq!(ahead.len(), 2);
    assert_eq!(signed(&okta), first, "the first key still signs");
    let next = ahead[1].clone();

    okta.set_fault(Fault::RotateKeys);
    assert_eq!(signed(&okta), next, "the next key signs");
    assert_eq!(published(&okta).await.0, [next.clone(), first.clone()]);

    okta.set_fault(Fault::KeyWithdrawn);
    assert_eq!(
        published(&okta).await.0,
        std::slice::from_ref(&next),
        "the first is gone"
    );
    // A token signed with the withdrawn key, as one forged with it would be.
    let old = okta.mint(
        &TokenRequest::new("svc")
            .scope("messages:read")
            .key(Key::First),
    );
    let old = old.access_token.expect("an access token").token;
    assert_eq!(kid(&old), first);
    assert_eq!(
        verify_with_jwks(&okta, &old).await,
        None,
        "no published key verifies it"
    );
}
