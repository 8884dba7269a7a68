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
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
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
        .layer(sessions.layer(&config))
        .with_state(okta.clone())
        // Outside the session layer: a health check touches no session.
        .merge(health::routes(okta, sessions.redis))
        .method_not_allowed_fallback(pages::wrong_method)
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
/// Serves the app on `listener` until `signal` (Ctrl-C, SIGTERM) comes.
/// A client gets `config.header_timeout` to send a request's headers (axum's
/// own `serve` has no such limit, so a client that sends half a request
/// would hold its connection forever). After the signal: no new
/// connections, and the requests in flight get at most
/// `config.shutdown_grace` to finish.
pub async fn serve(listener: TcpListener, config: Config, signal: impl Future<Output = ()>) {
    let (header_timeout, grace) = (config.header_timeout, config.shutdown_grace);
    let app = TowerToHyperService::new(app(config));
    let mut http = http1::Builder::new();
    // hyper's header limit counts time with a timer it must be given.
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let connections = GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let connection = http.serve_connection(TokioIo::new(stream), app.clone());
                tokio::spawn(connections.watch(connection));
            }
            // Out of file descriptors, most likely: wait for some to close.
            Err(e) => {
                tracing::warn!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {
            tracing::info!("stopped: every request in flight was answered");
        }
        () = tokio::time::sleep(grace) => {
            tracing::warn!("stopped: requests still open {} s after the signal", grace.as_secs());
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
