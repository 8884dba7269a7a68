//! Health checks for whatever runs the app (a load balancer, Kubernetes):
//! `GET /healthz` answers while the process serves (liveness), and
//! `GET /healthz/ready` only once it can log users in: Okta discovered and
//! the session store answering (readiness). Neither touches a session.

use crate::okta::Okta;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fred::prelude::{ClientLike, Pool};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// What the readiness check looks at.
#[derive(Debug, Clone)]
struct Health {
    okta: Arc<Okta>,
    redis: Option<Pool>,
}

// ANCHOR: health
/// The two health routes.
pub fn routes(okta: Arc<Okta>, redis: Option<Pool>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/healthz/ready", get(ready))
        .with_state(Health { okta, redis })
}

/// 200 when ready, 503 when not, with each check's finding.
async fn ready(State(health): State<Health>) -> (StatusCode, Json<Value>) {
    let okta =
        health.okta.discovery.provider().map(|_| "ok".to_string()).map_err(|e| e.to_string());
    let sessions = match &health.redis {
        None => Ok("in memory".to_string()),
        Some(pool) => {
            match tokio::time::timeout(Duration::from_secs(2), pool.ping::<String>(None)).await {
                Ok(Ok(_)) => Ok("ok".to_string()),
                Ok(Err(e)) => Err(format!("Redis: {e}")),
                Err(_) => Err("Redis did not answer in 2 s".to_string()),
            }
        }
    };
    let status = match okta.is_ok() && sessions.is_ok() {
        true => StatusCode::OK,
        false => StatusCode::SERVICE_UNAVAILABLE,
    };
    let finding = |check: Result<String, String>| check.unwrap_or_else(|e| e);
    (status, Json(json!({ "okta": finding(okta), "sessions": finding(sessions) })))
}
// ANCHOR_END: health
