//! `/v1/token`: the transport around the grants. The faults that bite
//! here (slow before or after the work, failing, malformed, redirected,
//! cut short) wrap the real exchange, which [`grants`](crate::grants) does.

use crate::error::{OAuthError, Outcome};
use crate::faults::Fault;
use crate::grants::{self, INVALID_CODE, Issued};
use crate::org::{AuthServer, Org};
use crate::tokens::random_id;
use axum::Json;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use serde_json::json;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

pub(super) async fn token(
    State(server): State<Arc<AuthServer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(delay) = server.org.fault(|f| match f {
        Fault::TokenSlow(delay) => Some(*delay),
        _ => None,
    }) {
        tokio::time::sleep(delay).await;
    }
    if let Some(answer) = server.org.fault(|f| failure(&server.org, f)) {
        return answer;
    }
    let answer = match grants::exchange(&server, &headers, &body) {
        Ok(issued) => tokens(issued),
        Err(error) => error.into_response(),
    };
    // The work is done and stored: a client that gives up now has lost
    // what it presented (a spent code, a rotated refresh token).
    if let Some(delay) = server.org.fault(|f| match f {
        Fault::TokenSlowAfterIssue(delay) => Some(*delay),
        _ => None,
    }) {
        tokio::time::sleep(delay).await;
    }
    if server.org.has_fault(&Fault::TokenConnectionClosed) {
        return cut_short(answer).await;
    }
    answer
}

/// The answer with the tokens: JSON, never cached (RFC 6749 §5.1).
fn tokens(issued: Issued) -> Response {
    let no_store = [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ];
    let outcome = Outcome::new(format!("tokens for {}", issued.subject));
    (outcome, no_store, Json(issued.response)).into_response()
}

/// The answer a token-endpoint fault puts in place of the real one.
fn failure(org: &Org, fault: &Fault) -> Option<Response> {
    let outcome = Outcome::new(format!("{fault} (fault)"));
    let error = match fault {
        Fault::TokenInvalidGrant => OAuthError::invalid_grant(INVALID_CODE),
        Fault::Token500 => OAuthError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An internal error occurred.",
        ),
        Fault::Token503 => OAuthError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Try again later.",
        ),
        Fault::TokenMalformedJson => {
            let html = "<html><body>Upstream proxy error</body></html>";
            let json = [(header::CONTENT_TYPE, "application/json")];
            return Some((outcome, json, html).into_response());
        }
        Fault::TokenRedirect => {
            let sign_in = [(header::LOCATION, format!("{}/login/login.htm", org.base))];
            return Some((StatusCode::FOUND, outcome, sign_in).into_response());
        }
        Fault::Token429(retry_after) => {
            return Some((outcome, rate_limited(org, *retry_after)).into_response());
        }
        _ => return None,
    };
    Some((outcome, error).into_response())
}

/// Okta's answer past a rate limit: `429`, when to come back, and its
/// error body (Okta's "Rate limits" and "Error codes" references).
fn rate_limited(org: &Org, retry_after: Duration) -> Response {
    let seconds = retry_after.as_secs().max(1);
    let reset = org.clock.unix() + seconds;
    let headers = [
        (header::RETRY_AFTER, seconds.to_string()),
        (
            HeaderName::from_static("x-rate-limit-limit"),
            RATE_LIMIT.to_string(),
        ),
        (
            HeaderName::from_static("x-rate-limit-remaining"),
            "0".to_string(),
        ),
        (
            HeaderName::from_static("x-rate-limit-reset"),
            reset.to_string(),
        ),
    ];
    let body = json!({
        "errorCode": "E0000047",
        "errorSummary": "API call exceeded rate limit due to too many requests.",
        "errorLink": "E0000047",
        "errorId": format!("oae{}", random_id()),
        "errorCauses": [],
    });
    (StatusCode::TOO_MANY_REQUESTS, headers, Json(body)).into_response()
}

/// The `X-Rate-Limit-Limit` the `token-429` fault reports: requests a
/// minute, as in Okta's example.
const RATE_LIMIT: u32 = 1200;

/// Sends the answer's status, headers and the first half of its body, then
/// fails the body, which closes the connection: what a client sees when the
/// connection drops mid-answer.
async fn cut_short(answer: Response) -> Response {
    let (mut parts, body) = answer.into_parts();
    let whole = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, whole.len().into());
    let half = whole.slice(..whole.len() / 2);
    let outcome = Outcome::new("connection closed mid-answer (fault)");
    let body = CutShort {
        head: Some(half),
        pause: Box::pin(tokio::time::sleep(Duration::from_millis(50))),
    };
    (outcome, Response::from_parts(parts, Body::new(body))).into_response()
}

/// A body that yields its head, pauses (so the server sends what it has),
/// then fails.
struct CutShort {
    head: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for CutShort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        self.pause.as_mut().poll(context).map(|()| {
            Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "the token-connection-closed fault",
            )))
        })
    }
}
