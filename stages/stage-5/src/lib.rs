//! # Stage 5: going to production
//!
//! Stage 4's app, made ready for the open internet. Okta is found by
//! OpenID Connect discovery, and who logged in comes from the validated ID
//! token (with a nonce). Sessions live in Redis (`REDIS_URL`), shared by
//! every instance behind one `APP_URL` and kept across restarts. A refresh
//! token keeps a login alive past the access token's hour. And what a
//! server needs around it: `/healthz`, a graceful shutdown on SIGTERM, a
//! time limit and a size limit on every request, and security headers.
//!
//! Chapter: "Going to production" (`book/src/production.md`).
//!
//! Run it, with the mock Okta in another terminal (and, to share sessions
//! between instances, a Redis and `REDIS_URL`), then open
//! <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-5
//! ```

pub mod config;
pub mod guard;
pub mod health;
pub mod okta;
pub mod pages;
pub mod session;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::{Router, middleware};
use config::Config;
use std::future::{Future, IntoFuture};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

// ANCHOR: app
/// The whole application: its routes and layers, in one place. Starts
/// finding Okta in the background, so call it inside a Tokio runtime.
pub fn app(config: Config) -> Router {
    let okta = Arc::new(okta::Okta::new(&config));
    tokio::spawn(okta.clone().discover());
    let sessions = session::Sessions::connect(&config);
    Router::new()
        .route("/", get(pages::home))
        .route("/user", get(pages::user))
        .route("/members", get(pages::members))
        .route_layer(middleware::from_fn_with_state(okta.clone(), guard::require_login))
        .route(okta::LOGIN_PATH, get(okta::login))
        .route(okta::CALLBACK_PATH, get(okta::callback))
        .route(okta::LOGOUT_PATH, post(okta::logout))
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::wrong_method)
        .layer(sessions.layer(&config))
        .with_state(okta.clone())
        // Outside the session layer: a health check touches no session.
        .merge(health::routes(okta, sessions.redis))
        // Around every request: a time limit, a size limit, and headers
        // that tell browsers what this site's pages may do.
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout))
        .layer(RequestBodyLimitLayer::new(16 * 1024))
        .layer(SetResponseHeaderLayer::overriding(CONTENT_SECURITY_POLICY, policy(&config)))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Pages name the user: no cache (shared, or the back button after
        // logging out) may keep them.
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
// ANCHOR_END: app

// ANCHOR: serve
/// Serves the app on `listener` until `signal` (Ctrl-C, SIGTERM) comes,
/// then takes no new connections and waits for the requests in flight, at
/// most `config.shutdown_grace`: axum has no time limit on reading a
/// request's headers, so a client that never finishes sending one would
/// otherwise keep the process alive. Errors: the server's own I/O errors.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = config.shutdown_grace;
    let stop = Arc::new(Notify::new());
    let signalled = stop.clone();
    let server = axum::serve(listener, app(config)).with_graceful_shutdown(async move {
        signal.await;
        signalled.notify_one();
    });
    tokio::select! {
        served = server.into_future() => {
            tracing::info!("stopped: every request in flight was answered");
            served
        }
        () = async { stop.notified().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("stopped: requests still open {} s after the signal", grace.as_secs());
            Ok(())
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: policy
/// The pages load nothing from anywhere (`default-src 'none'`) but their
/// own inline style; no other site may frame them; and their forms post
/// only here, or on to Okta (the logout form's redirect goes there).
fn policy(config: &Config) -> HeaderValue {
    let okta =
        url::Url::parse(&config.issuer).expect("a checked URL").origin().ascii_serialization();
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' {okta}; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy).expect("an origin is a valid header value")
}
// ANCHOR_END: policy
