//! The HTML a person sees. Everything that comes from Okta or the request
//! is escaped (`encode_text`) before it is shown; the error pages, and the
//! shell every page is drawn in, are in `error.rs`.

use crate::error::page;
use crate::session::LoggedInUser;
use axum::http::StatusCode;
use axum::response::Html;
use html_escape::encode_text;

// ANCHOR: home
/// `GET /`: only for a logged-in user, who asks for it by taking a
/// [`LoggedInUser`]; a stranger is sent to the login (see `guard.rs`).
pub async fn home(user: LoggedInUser) -> Html<String> {
    let email = encode_text(&user.email);
    page(
        "Hello, World!",
        &format!(
            "<p data-user-email>You are logged in as {email}</p>\n<p><a href=\"/user\">Your account</a> · <a href=\"/members\">Members</a></p>"
        ),
    )
}

/// `GET /user`: the same check, written again.
pub async fn user(user: LoggedInUser) -> Html<String> {
    let email = encode_text(&user.email);
    page("Your account", &format!("<p data-user-email>You are logged in as {email}</p>"))
}
// ANCHOR_END: home

// ANCHOR: members
/// `GET /members`: meant for logged-in users only, but the check was
/// forgotten: no `LoggedInUser` here, so anyone can read it. Nothing in the
/// compiler or the router notices. Stage 4 closes this gap for every route.
pub async fn members() -> Html<String> {
    page("Members", "<p data-members>The members' page: meant for logged-in users only.</p>")
}
// ANCHOR_END: members

/// Any path the app does not know.
pub async fn not_found() -> (StatusCode, Html<String>) {
    let body = "<p>There is no page here. <a href=\"/\">Go home</a></p>";
    (StatusCode::NOT_FOUND, page("Not found", body))
}
