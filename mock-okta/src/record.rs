//! Recorded requests, so a test can assert what an app sent; and the one
//! log line per request that lets a learner watch a login happen.

use crate::org::Org;
use crate::params::{is_form, pairs_lossy};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The most recorded requests kept; older ones are dropped first.
pub const RECORD_LIMIT: usize = 10_000;
/// The largest request body the mock accepts.
pub const BODY_LIMIT: usize = 64 * 1024;

/// One request the mock received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: Method,
    /// The path, e.g. `/oauth2/default/v1/token`.
    pub path: String,
    /// Query parameters, decoded (lossily, if they were not UTF-8).
    pub query: Vec<(String, String)>,
    /// Form body parameters, decoded likewise.
    pub form: Vec<(String, String)>,
    /// The request headers.
    pub headers: HeaderMap,
    /// When it arrived.
    pub at: SystemTime,
}

impl RecordedRequest {
    /// Whether the request went to this endpoint, e.g. `"/v1/token"`.
    pub fn is(&self, endpoint: &str) -> bool {
        self.path.ends_with(endpoint)
    }

    /// A parameter from the query or the form (the first, if repeated).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The recorded requests, bounded.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    requests: Mutex<VecDeque<RecordedRequest>>,
}

impl Recorder {
    fn push(&self, request: RecordedRequest) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        if requests.len() == RECORD_LIMIT {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        let requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        requests.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
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
}

impl IntoResponseParts for Outcome {
    type Error = Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Infallible> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}

/// Buffers the body (bounded), records the request, runs the handler and
/// logs one line: method, path, client, status and outcome. Never the query,
/// a secret, a password or a token.
pub(crate) async fn record_and_log(
    State(org): State<Arc<Org>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        tracing::info!(
            "{} {} -> 413 body too large",
            parts.method,
            parts.uri.path()
        );
        return crate::OAuthError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "The request body is larger than 64 KiB.",
        )
        .into_response();
    };
    let recorded = RecordedRequest::new(&parts, &bytes);
    let line = format!(
        "{} {}{}",
        recorded.method,
        recorded.path,
        client_of(&recorded)
            .map(|client| format!(" client={client:?}"))
            .unwrap_or_default()
    );
    org.recorder.push(recorded);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let outcome = response.extensions().get::<Outcome>().map_or("", |o| &o.0);
    tracing::info!("{line} -> {} {outcome}", response.status().as_u16());
    response
}

impl RecordedRequest {
    /// What arrived: the query and a form body decoded, whatever they hold.
    fn new(parts: &Parts, body: &[u8]) -> Self {
        let form = if is_form(&parts.headers) {
            pairs_lossy(body)
        } else {
            Vec::new()
        };
        RecordedRequest {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: pairs_lossy(parts.uri.query().unwrap_or("").as_bytes()),
            form,
            headers: parts.headers.clone(),
            at: SystemTime::now(),
        }
    }
}

/// The client id a request names, from the query, the form or Basic auth.
fn client_of(request: &RecordedRequest) -> Option<String> {
    let named = request.param("client_id").map(String::from);
    named.or_else(|| crate::routes::basic_auth(&request.headers).map(|(id, _secret)| id))
}
