//! The HTML a person sees: pages, and the error pages that say what went
//! wrong and what to do next. Everything that comes from Okta or the
//! request is escaped (`encode_text`) before it is shown.

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
/// `GET /admin`: only for members of `admins` (`roles.rs` checks).
pub async fn admin(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let email = encode_text(&user.identity.email);
    page("Admin", &format!("<p data-admin>The admin page, for {email}, a member of admins.</p>"))
}

/// 403: a logged-in user outside `group` asked for a page of its members.
/// Never the login again: logging in again changes nothing.
pub fn not_in_group(group: &str, email: &str) -> (StatusCode, Html<String>) {
    let (group, email) = (encode_text(group), encode_text(email));
    let body = format!(
        "<div class=\"error\" data-error=\"not-in-group\"><p>This page is for members of the Okta group <strong>{group}</strong>, and {email} is not in it. An Okta admin can add you (admin console: Directory, Groups, {group}, Assign people), and the page opens for you at your next login, or within the hour, when your login is refreshed.</p></div>\n<p><a href=\"/\">Go home</a></p>"
    );
    (StatusCode::FORBIDDEN, page("Not for you", &body))
}
// ANCHOR_END: admin

/// The API's answer to this app's call, as a page: its messages, or why it
/// refused (`GET /messages`, `api.rs`).
pub fn messages(status: StatusCode, answer: &serde_json::Value) -> (StatusCode, Html<String>) {
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

/// A whole page: plain HTML, no outside assets. `body` is HTML already.
pub fn page(title: &str, body: &str) -> Html<String> {
    let title = encode_text(title);
    let style = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}.error{border-left:4px solid #b00020;padding-left:1rem}";
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{style}</style></head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    ))
}

/// Everything that can go wrong in a login. The message is what the error
/// page says (escaped there, as it may quote Okta or the request).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the callback is not the answer to a login this browser started.
    #[error("Okta's answer was refused: {0}. Was a login link reused, or opened elsewhere?")]
    BadCallback(&'static str),
    /// 403: Okta said `access_denied` (the user said no, or is not assigned
    /// to the app). A page, never a new login.
    #[error(
        "Okta says: {0}. Nothing was shared with this app. If you are not assigned to it, an Okta admin can assign you (admin console: Applications, this app, Assignments)."
    )]
    Denied(String),
    /// 502: Okta answered the login with another `error=…`.
    #[error("Okta says: {0}")]
    Okta(String),
    /// 502: only an Okta admin can fix this; trying again will not help.
    #[error(
        "{0}: this app lacks a permission at Okta. Only an Okta admin can grant it: the openid, email and profile scopes must be allowed for this app (for a custom authorization server, in Security, API, its Access Policies)."
    )]
    NotGranted(String),
    /// 502: Okta's ID token is not valid, and nothing is kept.
    #[error("Okta's ID token was refused, so you are not logged in: {0}.")]
    BadIdToken(String),
    /// 502: Okta failed, or answered nonsense.
    #[error("{0}. Try again in a moment.")]
    Idp(String),
    /// 504: Okta did not answer in time.
    #[error("{0}. Try again in a moment.")]
    IdpTimeout(String),
    /// 503: Okta's discovery document has not been read yet.
    #[error("The app cannot log anyone in yet: {0}. It keeps trying: try again in a moment.")]
    NotReady(String),
    /// 401: a refresh was refused: the login was ended at Okta.
    #[error("Your login has ended (Okta says: {0}). Log in again to go on.")]
    LoginEnded(String),
    /// 503: the session store did not answer.
    #[error(
        "Your session cannot be read right now: the session store is not answering. Try again in a moment."
    )]
    Session(#[from] tower_sessions::session::Error),
}

impl AppError {
    /// What went wrong calling Okta's `endpoint`, as a page.
    pub fn from_http(endpoint: &str, error: &reqwest::Error) -> AppError {
        let okta = format!("Okta's {endpoint} endpoint");
        match error.status() {
            Some(status) => AppError::from_status(endpoint, status),
            None if error.is_timeout() => AppError::IdpTimeout(format!("{okta} timed out")),
            None if error.is_connect() => AppError::Idp(format!("{okta} cannot be reached")),
            None if error.is_decode() => AppError::Idp(format!("{okta} did not answer JSON")),
            None => AppError::Idp(format!("the request to {okta} failed")),
        }
    }

    /// Okta's `endpoint` answered `status`, an error.
    pub fn from_status(endpoint: &str, status: StatusCode) -> AppError {
        let okta = format!("Okta's {endpoint} endpoint");
        match status {
            StatusCode::FORBIDDEN => AppError::NotGranted(format!("{okta} answered 403")),
            status => AppError::Idp(format!("{okta} answered {status}")),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, kind) = match self {
            AppError::BadCallback(_) => (StatusCode::BAD_REQUEST, "bad-callback"),
            AppError::Denied(_) => (StatusCode::FORBIDDEN, "access-denied"),
            AppError::Okta(_) => (StatusCode::BAD_GATEWAY, "okta-error"),
            AppError::NotGranted(_) => (StatusCode::BAD_GATEWAY, "not-granted"),
            AppError::BadIdToken(_) => (StatusCode::BAD_GATEWAY, "bad-id-token"),
            AppError::Idp(_) => (StatusCode::BAD_GATEWAY, "idp-failed"),
            AppError::IdpTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, "idp-timeout"),
            AppError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not-ready"),
            AppError::LoginEnded(_) => (StatusCode::UNAUTHORIZED, "login-ended"),
            AppError::Session(_) => (StatusCode::SERVICE_UNAVAILABLE, "session"),
        };
        tracing::warn!("{kind}: {self:?}");
        // A session store that does not answer fails any page, not a login.
        let (title, retry) = match self {
            AppError::Session(_) => ("Not available right now", "<a href=\"/\">Try again</a>"),
            _ => (
                "The login did not work",
                "<a href=\"/login/okta\" data-action=\"login\">Try logging in again</a>",
            ),
        };
        let text = self.to_string();
        let text = encode_text(&text);
        let body = format!(
            "<div class=\"error\" data-error=\"{kind}\"><p>{text}</p></div>\n<p>{retry}</p>"
        );
        (status, page(title, &body)).into_response()
    }
}
