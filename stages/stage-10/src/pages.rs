//! The HTML a person sees. Everything that comes from Okta or the request
//! is escaped (`encode_text`) before it is shown; the error pages, and the
//! shell every page is drawn in, are in `error.rs`.

use crate::api::MESSAGES_PATH;
use crate::error::{AppError, page};
use crate::okta::Okta;
use crate::session::LoggedInUser;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::encode_text;
use std::sync::Arc;
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
            "<p data-user-email>You are logged in as {email}</p>\n<p><a href=\"/user\">Your account</a> · <a href=\"/members\">Members</a> · <a href=\"/admin\">Admin</a> · <a href=\"/messages\">Messages</a></p>\n{LOGOUT}"
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

// ANCHOR: admin
/// `GET /admin`: only for members of `ADMIN_GROUP` (`roles.rs` checks).
pub async fn admin(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let email = encode_text(&user.identity.email);
    page("Admin", &format!("<p data-admin>The admin page, for {email}.</p>"))
}

/// 403: a logged-in user outside `group` asked for a page of its members.
/// Never the login again: logging in again changes nothing. When the list
/// Okta sent is as long as it lists (`maybe_cut`), the group may be one it
/// left out, and the page says so.
pub fn not_in_group(group: &str, email: &str, maybe_cut: bool) -> (StatusCode, Html<String>) {
    let (group, email) = (encode_text(group), encode_text(email));
    let cut = match maybe_cut {
        true => {
            " Okta sent as many of your groups as its groups claim lists at most, so the list may have been cut: an Okta admin can make the claim's filter match fewer groups (e.g. those starting with this app's prefix)."
        }
        false => "",
    };
    let body = format!(
        "<div class=\"error\" data-error=\"not-in-group\"><p>This page is for members of the Okta group <strong>{group}</strong>, and {email} is not in it. An Okta admin can add you (admin console: Directory, Groups, {group}, Assign people), and the page opens for you at your next login, or within the hour, when your login is refreshed.{cut}</p></div>\n<p><a href=\"/\">Go home</a></p>"
    );
    (StatusCode::FORBIDDEN, page("Not for you", &body))
}

/// 403: Okta sent no groups for this login, so nobody can tell whether the
/// user is in `group`: the setup at Okta lacks a groups claim.
pub fn no_groups_claim(group: &str) -> (StatusCode, Html<String>) {
    let group = encode_text(group);
    let body = format!(
        "<div class=\"error\" data-error=\"no-groups-claim\"><p>This page is for members of the Okta group <strong>{group}</strong>, but Okta sent no groups with your login, so the app cannot tell whether you are in it. An Okta admin must add a groups claim (admin console: Security, API, the authorization server, Claims: a claim named groups, of value type Groups, in the ID token), and you log in again.</p></div>\n<p><a href=\"/\">Go home</a></p>"
    );
    (StatusCode::FORBIDDEN, page("Not for you", &body))
}
// ANCHOR_END: admin

// ANCHOR: messages
/// `GET /messages`: this app's own page calls its API (`api.rs`), as the
/// logged-in user, with the access token the login keeps (refreshed by the
/// guard).
pub async fn messages(
    State(okta): State<Arc<Okta>>,
    Extension(user): Extension<LoggedInUser>,
) -> Result<(StatusCode, Html<String>), AppError> {
    let tokens = okta.tokens.get(&user.tokens).await?;
    let token = tokens.map(|t| t.access_token).ok_or(AppError::LoginEnded("no token".into()))?;
    let url = format!("{}{MESSAGES_PATH}", okta.app_url);
    let answer = okta.http.get(url).bearer_auth(token.secret()).send().await;
    let answer = answer.map_err(|e| AppError::from_http("API's messages", &e))?;
    let status = answer.status();
    let body: serde_json::Value = answer.json().await.unwrap_or_default();
    Ok(show_messages(status, &body))
}
// ANCHOR_END: messages

/// The API's answer, as a page: its messages, or why it refused.
fn show_messages(status: StatusCode, answer: &serde_json::Value) -> (StatusCode, Html<String>) {
    let items: String = answer["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| format!("<li>{}</li>", encode_text(m["text"].as_str().unwrap_or_default())))
        .collect();
    // The API refusing is this page failing at what it calls: a 502.
    let (own_status, body) = match status.is_success() {
        true => (StatusCode::OK, format!("<ul data-messages>{items}</ul>")),
        false => (
            StatusCode::BAD_GATEWAY,
            format!(
                "<div class=\"error\" data-error=\"api-refused\"><p>The API answered {status}: {}</p></div>",
                encode_text(answer["error_description"].as_str().unwrap_or_default())
            ),
        ),
    };
    (own_status, page("Messages", &format!("{body}\n<p><a href=\"/\">Go home</a></p>")))
}

/// Any path the app does not know.
pub async fn not_found() -> (StatusCode, Html<String>) {
    let body = "<p>There is no page here. <a href=\"/\">Go home</a></p>";
    (StatusCode::NOT_FOUND, page("Not found", body))
}

/// A path asked the wrong way, e.g. `/logout` typed into the address bar.
pub async fn wrong_method() -> (StatusCode, Html<String>) {
    let body = "<p>This address does not open that way. To log out, use the Log out button. <a href=\"/\">Go home</a></p>";
    (StatusCode::METHOD_NOT_ALLOWED, page("Not this way", body))
}
