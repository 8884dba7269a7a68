//! # Stage 7: staying logged in: refresh tokens
//!
//! Stage 6's app, with a login that outlives its access token: Okta also
//! sends a refresh token (`offline_access`), and the guard trades it for
//! new tokens before the access token expires (`refresh.rs`). A refresh
//! that Okta refuses ends the login, with a page that says so.
//!
//! Chapter: "Staying logged in: refresh tokens" (`book/src/refresh.md`).
//!
//! Run it, with the mock Okta in another terminal (and, to share sessions
//! between instances, a Redis and `REDIS_URL`), then open
//! <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-7
//! ```

pub mod attempt;
pub mod config;
pub mod error;
pub mod guard;
pub mod identity;
pub mod okta;
pub mod pages;
pub mod provider;
pub mod refresh;
pub mod session;
pub mod tokens;

use axum::routing::{get, post};
use axum::{Router, middleware};
use config::Config;
use std::sync::Arc;
use tower_http::csrf::CsrfLayer;

// ANCHOR: app
/// The whole application: its routes and layers, in one place. Starts
/// finding Okta in the background, so call it inside a Tokio runtime.
pub fn app(config: Config) -> Router {
    let sessions = session::Sessions::connect(&config);
    let tokens = tokens::TokenStore::new(&sessions, config.idle_limit);
    let okta = Arc::new(okta::Okta::new(&config, tokens));
    tokio::spawn(okta.discovery.clone().run());
    // A logout (any state-changing request) from another origin is refused,
    // even from the same site (another port of this host, a sibling
    // subdomain), which `SameSite=Lax` lets through.
    let app_origin = config.app_url.origin().ascii_serialization();
    let csrf = CsrfLayer::new().add_trusted_origin(app_origin).expect("APP_URL is an origin");
    let same_origin_only = csrf.with_rejection_response(pages::cross_origin);
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
        .layer((sessions.layer(&config), same_origin_only))
        .with_state(okta)
}
// ANCHOR_END: app
