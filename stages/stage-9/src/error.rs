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
    /// 502: Okta refused the app itself (`invalid_client`: its secret
    /// changed; `unauthorized_client`, `invalid_scope`, …): its
    /// registration at Okta or its settings here need its admin, and
    /// asking again will not help (RFC 6749 §5.2), so the app does not.
    #[error(
        "Okta refused this app ({0}). Its administrator must fix the app's registration at Okta (client id and secret, grant types, scopes) or its settings: logging in again will not help until then."
    )]
    AppRefused(String),
    /// 502: Okta would not send the user's groups: they are in more than
    /// its groups claim may list. Only its admin can narrow the claim.
    #[error(
        "Okta would not send your groups ({0}): you are in more groups than the app's groups claim may list. An Okta admin must make the claim match fewer groups (admin console: Security, API, the authorization server, Claims, groups: a filter such as Starts with the app's prefix); logging in again will not help until then."
    )]
    TooManyGroups(String),
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
            AppError::CodeRefused(_) => (StatusCode::BAD_REQUEST, "code-refused"),
            AppError::Denied(_) => (StatusCode::FORBIDDEN, "access-denied"),
            AppError::Okta(_) => (StatusCode::BAD_GATEWAY, "okta-error"),
            AppError::NotGranted(_) => (StatusCode::BAD_GATEWAY, "not-granted"),
            AppError::BadIdToken(_) => (StatusCode::BAD_GATEWAY, "bad-id-token"),
            AppError::Idp(_) => (StatusCode::BAD_GATEWAY, "idp-failed"),
            AppError::IdpTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, "idp-timeout"),
            AppError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not-ready"),
            AppError::LoginEnded(_) => (StatusCode::UNAUTHORIZED, "login-ended"),
            AppError::AppRefused(_) => (StatusCode::BAD_GATEWAY, "app-refused"),
            AppError::TooManyGroups(_) => (StatusCode::BAD_GATEWAY, "too-many-groups"),
            AppError::Session(_) => (StatusCode::SERVICE_UNAVAILABLE, "session"),
        };
        match &self {
            // For the operator, once: what to fix.
            AppError::AppRefused(why) => tracing::error!(
                "{kind}: Okta refused this app ({why}): check OAUTH_CLIENT_ID and OAUTH_CLIENT_SECRET, and the app's grant types and scopes at Okta"
            ),
            _ => tracing::warn!("{kind}: {self:?}"),
        }
        // A session store that does not answer fails any page, not a login.
        let (title, retry) = match self {
            AppError::Session(_) => ("Not available right now", "<a href=\"/\">Try again</a>"),
            AppError::AppRefused(_) | AppError::TooManyGroups(_) => {
                ("The app cannot log you in", "<a href=\"/\">Home</a>")
            }
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
