//! Who may do what: roles from Okta groups.
//!
//! Okta puts the groups a user is in into the login's claims: a `groups`
//! claim in the ID token, on a custom authorization server where an admin
//! has added one, or in userinfo, on the org authorization server, for a
//! login that asks for the `groups` scope (`identity.rs` reads either). A
//! group is a role here: one layer guards a whole group of routes, and a
//! user outside the group gets a page that says which group it takes and
//! who can add them to it.

use crate::guard::to_login;
use crate::pages::{no_groups_claim, not_in_group};
use crate::session::LoggedInUser;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Once};

/// Okta lists at most this many groups in a `groups` claim (its group
/// functions take a limit of 1 to 100: "Limitations of Group Functions -
/// Dynamic Allowlists", Okta support): a list this long may have been cut.
pub const GROUPS_CLAIM_LIMIT: usize = 100;

/// The warning that Okta sends no groups claim, logged once.
static NO_GROUPS_CLAIM: Once = Once::new();

// ANCHOR: require_group
/// Runs before every route of a group of routes, after the login guard
/// (which put the [`LoggedInUser`] in the request): lets a member of
/// `group` (`ADMIN_GROUP`) through, and shows anyone else a 403 page; a
/// page that says so when Okta sent no groups at all, as nobody can tell
/// who is in the group then.
pub async fn require_group(
    State(group): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    // Only if the routes were left outside the login guard: a login.
    let Some(user) = request.extensions().get::<LoggedInUser>() else {
        return to_login(request.uri()).into_response();
    };
    match &user.identity.groups {
        Some(groups) if groups.iter().any(|g| **g == *group) => next.run(request).await,
        Some(groups) => {
            let maybe_cut = groups.len() >= GROUPS_CLAIM_LIMIT;
            not_in_group(&group, &user.identity.email, maybe_cut).into_response()
        }
        None => {
            NO_GROUPS_CLAIM.call_once(|| tracing::warn!("Okta sent no groups claim, so no one can open the pages of the group {group}: add a groups claim at Okta (see the roles chapter)"));
            no_groups_claim(&group).into_response()
        }
    }
}
// ANCHOR_END: require_group
