//! What a grant says a token request is granted, shared by the grants and
//! by [`super::mint`], which makes the tokens from it.

use crate::clients::Client;
use crate::error::OAuthError;
use crate::faults::Fault;
use crate::org::AuthServer;
use crate::users::User;

/// What a code's replay, or a refresh token of another client, gets.
pub(crate) const INVALID_CODE: &str = "The authorization code is invalid or has expired.";

/// Okta's words when a groups claim matches more groups than it may list
/// (Okta's support article of that title).
const TOO_MANY_GROUPS: &str =
    "The groups claim matched too many groups and must be configured to match fewer groups.";

/// Refuses tokens for a user in more groups than the `groups-limit-refuse`
/// fault allows, when the tokens' `groups` claim would carry them (for
/// these scopes, on this server). Okta's limit is 100 groups, and its
/// token endpoint answers `400` past it (okta-auth-js issue #1031); its
/// error code there is not documented: `invalid_request` is the mock's
/// choice.
///
/// # Errors
/// `400 invalid_request` with Okta's words, the log line saying how many
/// groups the user is in.
pub(super) fn check_groups(
    server: &AuthServer,
    user: &User,
    scopes: &[String],
) -> Result<(), OAuthError> {
    let most = server.org.fault(|f| match f {
        Fault::GroupsLimitRefuse(most) => Some(*most),
        _ => None,
    });
    let count = user.all_groups().len();
    match most {
        Some(most) if count > most && server.groups_claim().answered(scopes) => {
            Err(OAuthError::invalid_request(TOO_MANY_GROUPS).logged(format!(
                "{} is in {count} groups, more than {most} (groups-limit-refuse)",
                user.email
            )))
        }
        _ => Ok(()),
    }
}

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
