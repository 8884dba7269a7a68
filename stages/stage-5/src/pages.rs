//! The HTML a person sees. Everything that comes from Okta or the request
//! is escaped (`encode_text`) before it is shown; the error pages, and the
//! shell every page is drawn in, are in `error.rs`.

use crate::error::page;
use crate::session::LoggedInUser;
use axum::Extension;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::encode_text;
use tower_http::csrf::ProtectionError;

/// A button that logs out: a form, because logging out changes state (and a
/// `POST` from another site carries no `SameSite=Lax` cookie).
const LOGOUT: &str = "<form method=\"post\" action=\"/logout\"><button type=\"submit\" data-action=\"logout\">Log out</button></form>";

// ANCHOR: home
/// `GET /`: the guard has already checked the login, and hands the
/// handler the [`LoggedInUser`] it found.
pub async fn home(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let email = encode_text(&user.identity.email);
    page(
        "Hello, World!",
        &format!(
            "<p data-user-email>You are logged in as {email}</p>\n<p><a href=\"/user\">Your account</a> · <a href=\"/members\">Members</a></p>\n{LOGOUT}"
        ),
    )
}

/// `GET /user`: no check of its own.
pub async fn user(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let email = encode_text(&user.identity.email);
    page("Your account", &format!("<p data-user-email>You are logged in as {email}</p>\n{LOGOUT}"))
}
// ANCHOR_END: home

// ANCHOR: members
/// `GET /members`: still no check of its own, as in stage 3, but now the
/// guard covers it like every other route.
pub async fn members() -> Html<String> {
    page("Members", "<p data-members>The members' page: meant for logged-in users only.</p>")
}
// ANCHOR_END: members

/// A state-changing request from another origin: 403 (the csrf layer in
/// `lib.rs` answers it with this).
pub fn cross_origin(_: ProtectionError) -> Response {
    let body = "<p>This request came from another site, or another port of this one, so it was refused. To log out, use the Log out button on this site's own pages. <a href=\"/\">Go home</a></p>";
    (StatusCode::FORBIDDEN, page("Refused", body)).into_response()
}

/// Any path the app does not know.
pub async fn not_found() -> (StatusCode, Html<String>) {
    let body = "<p>There is no page here. <a href=\"/\">Go home</a></p>";
    (StatusCode::NOT_FOUND, page("Not found", body))
}
