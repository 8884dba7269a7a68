//! # Stage 8: ready for the internet
//!
//! Stage 7's app, with what a server needs around it: health checks for
//! whatever runs it (`health.rs`), a graceful stop on SIGTERM and a limit
//! on how long a client may take to send its headers (`server.rs`), a time
//! limit and a size limit on every request, and security headers on every
//! answer (here).
//!
//! Chapter: "Ready for the internet" (`book/src/internet.md`).
//!
//! Run it, with the mock Okta in another terminal (and, to share sessions
//! between instances, a Redis and `REDIS_URL`), then open
//! <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-8
//! ```

pub mod attempt;
pub mod config;
pub mod error;
pub mod guard;
pub mod health;
pub mod identity;
pub mod okta;
pub mod pages;
pub mod provider;
pub mod refresh;
pub mod server;
pub mod session;
pub mod tokens;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::{Router, middleware};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use config::Config;
use ring::digest::{SHA256, digest};
use std::sync::Arc;
use tower::util::option_layer;
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

// ANCHOR: app
/// The whole application: its routes and layers, in one place. Starts
/// finding Okta in the background, so call it inside a Tokio runtime.
pub fn app(config: Config) -> Router {
    let sessions = session::Sessions::connect(&config);
    let tokens = tokens::TokenStore::new(&sessions, config.idle_limit);
    let okta = Arc::new(okta::Okta::new(&config, tokens));
    let https = config.app_url.scheme() == "https";
    tokio::spawn(okta.discovery.clone().run());
    // A logout (any state-changing request) from another origin is refused,
    // even from the same site (another port of this host, a sibling
    // subdomain), which `SameSite=Lax` lets through.
    let app_origin = config.app_url.origin().ascii_serialization();
    let csrf = CsrfLayer::new().add_trusted_origin(app_origin).expect("APP_URL is an origin");
    let same_origin_only = csrf.with_rejection_response(pages::cross_origin);
    // Outside the session layer: cookies made under an older key, made
    // again under the current one before the session reads them.
    let keys = session::CookieKeys::new(&config);
    let older_keys = middleware::from_fn_with_state(keys, session::older_keys);
    // Every route above `route_layer` is guarded; the routes below it are
    // not. The login and callback must stay outside: guarded, a stranger
    // sent to the login would be sent to the login again, forever.
    // (`route_layer`, not `layer`, so an unknown path stays a 404.)
    Router::new()
        .route("/", get(pages::home))
        .route("/user", get(pages::user))
        .route("/members", get(pages::members))
        .route_layer(middleware::from_fn_with_state(okta.clone(), guard::require_login))
        .route(okta::LOGIN_PATH, get(okta::login))
        .route(okta::CALLBACK_PATH, get(okta::callback))
        .route(okta::LOGOUT_PATH, post(okta::logout))
        .fallback(pages::not_found)
        // Around every route: the session, then, inside it, the origin
        // check. One `layer` call for both: each call wraps every route
        // once more, a cost on every request (about a tenth of stage 4's
        // throughput for the second call).
        .layer((older_keys, sessions.layer(&config), same_origin_only))
        .with_state(okta.clone())
        // Outside the session layer: a health check touches no session.
        .merge(health::routes(okta, sessions.redis))
        .method_not_allowed_fallback(pages::wrong_method)
        // Around every request: headers that tell browsers what this
        // site's pages may do, a size limit and a time limit (the first
        // layer of the tuple is the outermost).
        .layer((
            header(CONTENT_SECURITY_POLICY, policy(&config)),
            header(X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            header(REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            header(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            // Over https, browsers are to come back over https only, for a
            // year, without trying http first (HSTS, RFC 6797).
            option_layer(https.then(|| header(STRICT_TRANSPORT_SECURITY, hsts()))),
            // Pages name the user: no cache (shared, or the back button
            // after logging out) may keep them.
            SetResponseHeaderLayer::if_not_present(
                CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ),
            RequestBodyLimitLayer::new(16 * 1024),
            TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout),
        ))
}
// ANCHOR_END: app

/// A header set on every answer, whatever the handler set.
fn header(name: HeaderName, value: HeaderValue) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, value)
}

/// HSTS for a year, for this host and any below it.
fn hsts() -> HeaderValue {
    HeaderValue::from_static("max-age=31536000; includeSubDomains")
}

// ANCHOR: policy
/// The pages load nothing from anywhere (`default-src 'none'`) but their
/// own inline style and one script, the logout page's; no other site may
/// frame them; and their forms post only here, or to Okta (the logout
/// page's form posts to Okta's logout).
fn policy(config: &Config) -> HeaderValue {
    // The logout page's script is allowed by its hash: a browser runs an
    // inline script only if the script's SHA-256 is listed here. It is
    // one fixed line, so the hash is made once, and the policy is the same
    // in every answer. (A nonce, the other way, must be new in each answer,
    // and the policy with it; `'unsafe-inline'` would let any script run
    // that someone manages to slip into a page.)
    let script = STANDARD.encode(digest(&SHA256, okta::SUBMIT_LOGOUT.as_bytes()));
    let okta =
        url::Url::parse(&config.issuer).expect("a checked URL").origin().ascii_serialization();
    let policy = format!(
        "default-src 'none'; script-src 'sha256-{script}'; style-src 'unsafe-inline'; form-action 'self' {okta}; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy).expect("an origin is a valid header value")
}
// ANCHOR_END: policy
