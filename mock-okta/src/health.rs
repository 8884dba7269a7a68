//! `GET /__mock/health`: whether the mock serves, for a container's
//! health check or a script that waits for it. Served even without the
//! control API: it changes nothing and tells only what the discovery
//! documents publish. Neither recorded nor logged (a health check every
//! few seconds would bury the log).

use crate::org::AuthServer;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Where the health endpoint is, under the org's URL.
pub(crate) const HEALTH_PATH: &str = "/__mock/health";

/// The health endpoint of a mock serving `servers`:
///
/// ```json
/// {"status": "ok", "tls": false,
///  "issuers": {"org": "http://localhost:8081",
///              "custom": {"default": "http://localhost:8081/oauth2/default"}}}
/// ```
///
/// `custom` maps each custom authorization server's name to its issuer.
pub(crate) fn router(servers: &[Arc<AuthServer>], tls: bool) -> Router {
    let mut custom = Map::new();
    let mut org = Value::Null;
    for server in servers {
        if server.is_org {
            org = server.issuer.clone().into();
        } else {
            let name = server.metadata_path.trim_start_matches("/oauth2/");
            custom.insert(name.into(), server.issuer.clone().into());
        }
    }
    let body = json!({
        "status": "ok",
        "tls": tls,
        "issuers": {"org": org, "custom": custom},
    });
    Router::new().route(HEALTH_PATH, get(move || async move { Json(body) }))
}
