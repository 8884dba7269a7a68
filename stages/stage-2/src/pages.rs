//! The HTML a person sees. Everything that comes from Okta or the request
//! is escaped (`encode_text`) before it is shown; the error pages, and the
//! shell every page is drawn in, are in `error.rs`.

use crate::error::{AppError, page};
use crate::session::logged_in_user;
use axum::http::StatusCode;
use axum::response::Html;
use html_escape::encode_text;
use tower_sessions::Session;

// ANCHOR: home
/// `GET /`: the greeting, and who is logged in (nothing is protected yet).
pub async fn home(session: Session) -> Result<Html<String>, AppError> {
    let body = match logged_in_user(&session).await? {
        Some(user) => format!("<p data-user-email>You are logged in as {}</p>", encode_text(&user.email)),
        None => "<p>You are not logged in. <a href=\"/login/okta\" data-action=\"login\">Log in with Okta</a></p>".into(),
    };
    Ok(page("Hello, World!", &body))
}
// ANCHOR_END: home

/// Any path the app does not know.
pub async fn not_found() -> (StatusCode, Html<String>) {
    let body = "<p>There is no page here. <a href=\"/\">Go home</a></p>";
    (StatusCode::NOT_FOUND, page("Not found", body))
}
