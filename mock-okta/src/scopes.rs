//! The scopes an authorization server knows.

/// The OpenID Connect scopes the authorization servers know: what an
/// authorize request may ask for, and what `client_credentials` may not.
pub(crate) const OIDC_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "offline_access",
    "address",
    "phone",
];
