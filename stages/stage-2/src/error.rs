//! What can go wrong, as a page a person can act on: the error type, and
//! the HTML shell every page of the site is drawn in. It uses nothing else
//! of the app, so every module may use it.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use html_escape::encode_text;

/// A whole page: plain HTML, no outside assets. `body` is HTML already.
pub fn page(title: &str, body: &str) -> Html<String> {
    let title = encode_text(title);
    let style = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}.error{border-left:4px solid #b00020;padding-left:1rem}";
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{style}</style></head>\n<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    ))
}

// ANCHOR: app_error
/// Everything that can go wrong in a login. The message is what the error
/// page says (escaped there, as it may quote Okta or the request).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the callback is not the answer to a login this browser started.
    #[error("Okta's answer was refused: {0}. Was a login link reused, or opened elsewhere?")]
    BadCallback(&'static str),
    /// 400: Okta refused the callback's code (`invalid_grant`): it expired,
    /// was used already, or was not issued to this app. That login is
    /// spent, and Okta is fine: a new login, not a 5xx (RFC 6749 §5.2).
    #[error(
        "Okta refused this login's code ({0}): it expired, was used already, or was not issued to this app. Log in again."
    )]
    CodeRefused(String),
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
    /// 502: Okta failed, or answered nonsense.
    #[error("{0}. Try again in a moment.")]
    Idp(String),
    /// 504: Okta did not answer in time.
    #[error("{0}. Try again in a moment.")]
    IdpTimeout(String),
    /// 500: the session could not be read or written.
    #[error("Your session could not be read or saved. Try again in a moment.")]
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
        tracing::warn!("login failed: {self:?}");
        let (status, kind) = match self {
            AppError::BadCallback(_) => (StatusCode::BAD_REQUEST, "bad-callback"),
            AppError::CodeRefused(_) => (StatusCode::BAD_REQUEST, "code-refused"),
            AppError::Denied(_) => (StatusCode::FORBIDDEN, "access-denied"),
            AppError::Okta(_) => (StatusCode::BAD_GATEWAY, "okta-error"),
            AppError::NotGranted(_) => (StatusCode::BAD_GATEWAY, "not-granted"),
            AppError::Idp(_) => (StatusCode::BAD_GATEWAY, "idp-failed"),
            AppError::IdpTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, "idp-timeout"),
            AppError::Session(_) => (StatusCode::INTERNAL_SERVER_ERROR, "session"),
        };
        let text = self.to_string();
        let text = encode_text(&text);
        let retry = "<a href=\"/login/okta\" data-action=\"login\">Try logging in again</a>";
        let body = format!(
            "<div class=\"error\" data-error=\"{kind}\"><p>{text}</p></div>\n<p>{retry}</p>"
        );
        (status, page("The login did not work", &body)).into_response()
    }
}
// ANCHOR_END: app_error
