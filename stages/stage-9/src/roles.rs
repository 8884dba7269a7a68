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
use crate::pages::not_in_group;
use crate::session::LoggedInUser;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

// ANCHOR: require_group
/// The group whose members may open the admin pages.
pub const ADMINS: &str = "admins";

/// Runs before every route of a group of routes, after the login guard
/// (which put the [`LoggedInUser`] in the request): lets a member of
/// `group` through, and shows anyone else a 403 page.
pub async fn require_group(
    State(group): State<&'static str>,
    request: Request,
    next: Next,
) -> Response {
    match request.extensions().get::<LoggedInUser>() {
        Some(user) if user.identity.groups.iter().any(|g| g == group) => next.run(request).await,
        Some(user) => not_in_group(group, &user.identity.email).into_response(),
        // Only if the routes were left outside the login guard: a login.
        None => to_login(request.uri()).into_response(),
    }
}
// ANCHOR_END: require_group
