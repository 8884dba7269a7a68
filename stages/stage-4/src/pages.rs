//! The HTML a person sees: pages, and the error pages that say what went
//! wrong and what to do next. Everything that comes from Okta or the
//! request is escaped before it is shown.

use crate::session::LoggedInUser;
use axum::Extension;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A button that logs out: a form, because logging out changes state (and a
/// `POST` from another site carries no `SameSite=Lax` cookie).
const LOGOUT: &str = "<form method=\"post\" action=\"/logout\"><button type=\"submit\" data-action=\"logout\">Log out</button></form>";

// ANCHOR: home
/// `GET /`: the guard has already checked the login, and hands the
/// handler the [`LoggedInUser`] it found.
pub async fn home(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let body = format!(
        "<p data-user-email>You are logged in as {}</p>\n<p><a href=\"/user\">Your account</a> · <a href=\"/members\">Members</a></p>\n{LOGOUT}",
        escape(&user.email)
    );
    page("Hello, World!", &body)
}

/// `GET /user`: no check of its own.
pub async fn user(Extension(user): Extension<LoggedInUser>) -> Html<String> {
    let body = format!(
        "<p data-user-email>You are logged in as {}</p>\n{LOGOUT}",
        escape(&user.email)
    );
    page("Your account", &body)
}
// ANCHOR_END: home

// ANCHOR: members
/// `GET /members`: still no check of its own, as in stage 3, but now the
/// guard covers it like every other route.
pub async fn members() -> Html<String> {
    page(
        "Members",
        "<p data-members>The members' page: meant for logged-in users only.</p>",
    )
}
// ANCHOR_END: members

/// Any path the app does not know.
pub async fn not_found() -> (StatusCode, Html<String>) {
    (
        StatusCode::NOT_FOUND,
        page(
            "Not found",
            "<p>There is no page here. <a href=\"/\">Go home</a></p>",
        ),
    )
}

/// A whole page: plain HTML, no outside assets.
pub fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         .error{{border-left:4px solid #b00020;padding-left:1rem}}</style></head>\n\
         <body><h1>{title}</h1>\n{body}\n</body></html>\n",
        title = escape(title)
    ))
}

/// Escapes text for HTML, so a name like `<script>` shows as text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

// ANCHOR: app_error
/// Everything that can go wrong in a login, each with the page it shows.
#[derive(Debug)]
pub enum AppError {
    /// The callback is not the answer to a login this browser started
    /// (state missing or wrong, another issuer, no code): 400.
    BadCallback(&'static str),
    /// Okta answered the login with `error=…` (the user said no, or is not
    /// assigned to the app): a page that says so, and never a new login.
    Okta { error: String, description: String },
    /// Okta failed, or answered nonsense: 502.
    Idp(String),
    /// Okta did not answer in time: 504.
    IdpTimeout(String),
    /// The session could not be read or written: 500.
    Session(tower_sessions::session::Error),
}

impl AppError {
    /// An HTTP failure talking to Okta's `endpoint`, as a page.
    pub fn from_http(endpoint: &str, error: &reqwest::Error) -> AppError {
        if error.is_timeout() {
            AppError::IdpTimeout(format!("Okta's {endpoint} endpoint did not answer in time"))
        } else if error.is_connect() {
            AppError::Idp(format!("Okta's {endpoint} endpoint cannot be reached"))
        } else if error.is_decode() {
            AppError::Idp(format!(
                "Okta's {endpoint} endpoint answered something that is not JSON"
            ))
        } else {
            AppError::Idp(format!("the request to Okta's {endpoint} endpoint failed"))
        }
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(error: tower_sessions::session::Error) -> Self {
        AppError::Session(error)
    }
}

/// Text to go before a full stop of ours, without its own.
fn sentence(text: &str) -> &str {
    text.trim_end_matches('.')
}

const RETRY: &str = "<p><a href=\"/login/okta\" data-action=\"login\">Try logging in again</a></p>";

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::warn!("login failed: {self:?}");
        let (status, kind, title, explanation) = match &self {
            AppError::BadCallback(reason) => (
                StatusCode::BAD_REQUEST,
                "bad-callback",
                "The login could not be finished",
                format!(
                    "{reason}. This happens when a login link is reused or opened in another browser."
                ),
            ),
            AppError::Okta { error, description } if description.contains("not assigned") => (
                StatusCode::FORBIDDEN,
                "not-assigned",
                "You are not assigned to this application",
                format!(
                    "Okta says: {}. An Okta admin can assign you in the admin console \
                     (Applications, this app, Assignments); then try again. ({})",
                    escape(sentence(description)),
                    escape(error)
                ),
            ),
            AppError::Okta { error, description } if error == "access_denied" => (
                StatusCode::FORBIDDEN,
                "access-denied",
                "The login was declined",
                format!(
                    "Okta says: {}. Nothing was shared with this app.",
                    escape(sentence(description))
                ),
            ),
            AppError::Okta { error, description } => (
                StatusCode::BAD_GATEWAY,
                "okta-error",
                "Okta reported an error",
                format!("Okta says: {}: {}", escape(error), escape(description)),
            ),
            AppError::Idp(reason) => (
                StatusCode::BAD_GATEWAY,
                "idp-failed",
                "Okta is not answering as it should",
                format!("{}. Try again in a moment.", escape(sentence(reason))),
            ),
            AppError::IdpTimeout(reason) => (
                StatusCode::GATEWAY_TIMEOUT,
                "idp-timeout",
                "Okta did not answer in time",
                format!("{}. Try again in a moment.", escape(sentence(reason))),
            ),
            AppError::Session(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "session",
                "Your session could not be read or saved",
                "Try again; if it keeps happening, the server needs a look.".into(),
            ),
        };
        let body = format!(
            "<div class=\"error\" data-error=\"{kind}\"><p>{explanation}</p></div>\n{RETRY}"
        );
        (status, page(title, &body)).into_response()
    }
}
// ANCHOR_END: app_error
