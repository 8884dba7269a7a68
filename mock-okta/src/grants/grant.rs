//! What a grant says a token request is granted, shared by the grants and
//! by [`super::mint`], which makes the tokens from it.

use crate::clients::Client;
use crate::users::User;

/// What a code's replay, or a refresh token of another client, gets.
pub(crate) const INVALID_CODE: &str = "The authorization code is invalid or has expired.";

/// What a token request is granted: the tokens follow from it.
#[derive(Debug)]
pub(super) struct Grant {
    pub(super) client: Client,
    /// The user; `None` for `client_credentials`.
    pub(super) user: Option<User>,
    pub(super) scopes: Vec<String>,
    pub(super) nonce: Option<String>,
    pub(super) auth_time: u64,
    /// The authorization code the tokens descend from, if any.
    pub(super) grant: Option<String>,
    /// The refresh token the answer carries.
    pub(super) refresh: Refresh,
}

/// The refresh token a grant's answer carries.
#[derive(Debug)]
pub(super) enum Refresh {
    /// A new one, if the grant gets one (`offline_access`).
    Mint,
    /// The one presented, which stays valid: sent back, unless the
    /// `refresh-token-not-sent` fault is on.
    Keep(String),
    /// The one that replaced the one presented (a rotation), stored already.
    Rotated(String),
}

impl Grant {
    pub(super) fn gets_id_token(&self) -> bool {
        self.user.is_some() && self.scopes.iter().any(|s| s == "openid")
    }

    pub(super) fn gets_refresh_token(&self) -> bool {
        self.user.is_some()
            && self.scopes.iter().any(|s| s == "offline_access")
            && self.client.allows("refresh_token")
    }
}
