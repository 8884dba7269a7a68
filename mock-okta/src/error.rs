//! How a request fails, as Okta answers it, and what a handler tells the
//! log about its answer. It imports nothing of the crate, so every other
//! module may use it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use std::convert::Infallible;

/// An OAuth 2.0 error, answered as Okta does:
/// `{"error": …, "error_description": …}` with a 4xx or 5xx status
/// (RFC 6749 §5.2).
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// A `WWW-Authenticate` challenge to send with it, if any.
    pub challenge: Option<&'static str>,
    /// What the log line says of it, if more than `error` (never a secret).
    pub logged: Option<String>,
}

impl OAuthError {
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            challenge: None,
            logged: None,
        }
    }

    /// The same, its log line saying `why` after the error's name: what a
    /// test author needs to see that the answer, in Okta's words, does not
    /// say (the URI sent, and those registered).
    pub(crate) fn logged(mut self, why: impl Into<String>) -> Self {
        self.logged = Some(format!("{}: {}", self.error, why.into()));
        self
    }

    /// The outcome for the log line.
    pub(crate) fn outcome(&self) -> Outcome {
        Outcome::new(self.logged.as_deref().unwrap_or(self.error))
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    pub(crate) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// Adds a `WWW-Authenticate` challenge.
    pub(crate) fn with_challenge(self, challenge: &'static str) -> Self {
        OAuthError {
            challenge: Some(challenge),
            ..self
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": self.error, "error_description": self.description });
        let challenge = self
            .challenge
            .map(|c| [(header::WWW_AUTHENTICATE, HeaderValue::from_static(c))]);
        (self.status, self.outcome(), challenge, axum::Json(body)).into_response()
    }
}

/// What a handler tells the log about its answer (e.g. `invalid_grant`,
/// `tokens for alice@example.com`). A part of the response, so a handler
/// answers `(Outcome::new("login page"), page)`; the log line reads it.
#[derive(Debug, Clone)]
pub(crate) struct Outcome(String);

impl Outcome {
    pub(crate) fn new(outcome: impl Into<String>) -> Self {
        Outcome(outcome.into())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl IntoResponseParts for Outcome {
    type Error = Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Infallible> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}
