//! Recorded requests, so a test can assert what an app sent; and the one
//! log line per request that lets a learner watch a login happen.

use crate::error::{OAuthError, Outcome};
use crate::params::{basic_auth, is_form, pairs_lossy};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
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
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<RecordedRequest>> {
        // Each operation is one call on the queue: a poisoned lock is safe.
        self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, request: RecordedRequest) {
        let mut requests = self.lock();
        if requests.len() == RECORD_LIMIT {
            requests.pop_front();
        }
        requests.push_back(request);
    }

    /// The recorded requests whose path ends with `endpoint` (all of them
    /// for `""`), oldest first.
    pub(crate) fn to(&self, endpoint: &str) -> Vec<RecordedRequest> {
        self.lock()
            .iter()
            .filter(|r| r.is(endpoint))
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

/// The client a request named, for the log line: a part of the response
/// that [`record`] adds.
#[derive(Debug, Clone)]
struct ClientId(String);

/// Buffers the body (bounded), records the request, and runs the handler;
/// the answer carries the client the request named, for [`log`].
pub(crate) async fn record(
    State(recorder): State<Arc<Recorder>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        let error = OAuthError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            "The request body is larger than 64 KiB.",
        );
        return (Outcome::new("body too large"), error).into_response();
    };
    let recorded = RecordedRequest::new(&parts, &bytes);
    let client = client_of(&recorded);
    recorder.push(recorded);
    let mut response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if let Some(client) = client {
        response.extensions_mut().insert(ClientId(client));
    }
    response
}

/// Logs one line per request: method, path, client, status and outcome.
/// Never the query, a secret, a password or a token.
pub(crate) async fn log(request: Request, next: Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri().path());
    let response = next.run(request).await;
    let client = response
        .extensions()
        .get::<ClientId>()
        .map(|c| format!(" client={:?}", c.0))
        .unwrap_or_default();
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .map_or("", Outcome::as_str);
    tracing::info!("{line}{client} -> {} {outcome}", response.status().as_u16());
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
    named.or_else(|| basic_auth(&request.headers).map(|(id, _secret)| id))
}
