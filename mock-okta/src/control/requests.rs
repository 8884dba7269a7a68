//! `/__mock/requests`: what apps sent, secrets redacted.

use super::{Control, Refused};
use crate::error::Outcome;
use crate::params::Params;
use crate::record::RecordedRequest;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

/// The parameters whose values a recorded request never shows over HTTP:
/// secrets, passwords, codes and tokens.
const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "password",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "id_token_hint",
    "token",
    "assertion",
];

/// `GET /__mock/requests[?path=P]`: the recorded requests (to paths ending
/// with `P`), oldest first.
pub(super) async fn list(
    State(control): State<Arc<Control>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Refused> {
    let params = Params::parse(query.unwrap_or_default().as_bytes())
        .ok()
        .filter(|params| params.iter().all(|(name, _)| name == "path"))
        .ok_or_else(|| {
            Refused::bad("the only parameter is path, once: e.g. /__mock/requests?path=/v1/token")
        })?;
    let path = params.get("path").unwrap_or("");
    let requests: Vec<Value> = control.requests(path).iter().map(redacted).collect();
    Ok(Json(json!({ "requests": requests })))
}

/// `DELETE /__mock/requests`: every recorded request forgotten.
pub(super) async fn clear(State(control): State<Arc<Control>>) -> Response {
    control.clear_requests();
    let answer = Json(json!({ "requests": [] }));
    (Outcome::new("recorded requests forgotten"), answer).into_response()
}

/// A recorded request as JSON, with the values of secrets, passwords,
/// codes, tokens, the `Authorization` header's credentials and cookies
/// replaced by `[redacted]`.
fn redacted(request: &RecordedRequest) -> Value {
    let params = |pairs: &[(String, String)]| {
        let mut map = Map::new();
        for (name, value) in pairs {
            let shown = if SECRET_PARAMS.contains(&name.as_str()) {
                "[redacted]"
            } else {
                value
            };
            map.entry(name.clone()).or_insert_with(|| json!(shown));
        }
        Value::Object(map)
    };
    let mut headers = Map::new();
    for name in request.headers.keys() {
        let values: Vec<String> = request
            .headers
            .get_all(name)
            .iter()
            .map(|value| {
                let value = value.to_str().unwrap_or("[not ASCII]");
                if *name == header::AUTHORIZATION {
                    let scheme = value.split(' ').next().unwrap_or("");
                    format!("{scheme} [redacted]")
                } else if *name == header::COOKIE {
                    "[redacted]".to_string()
                } else {
                    value.to_string()
                }
            })
            .collect();
        headers.insert(name.to_string(), json!(values.join(", ")));
    }
    let at = request
        .at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    json!({
        "method": request.method.as_str(),
        "path": request.path,
        "query": params(&request.query),
        "form": params(&request.form),
        "headers": headers,
        "at_ms": at,
        "status": request.status.map(|status| status.as_u16()),
        "cut_bytes": request.cut_bytes,
    })
}
