//! # Stage 4: one global guard
//!
//! Stage 3's app, with the per-route checks replaced by one middleware
//! (`guard.rs`), the tutorial's `before_request`. It guards every route of
//! the site except the login and callback routes, which a stranger must
//! reach to log in at all; a page added later is protected without a line
//! of its own. And a logout, which ends the session here and at Okta.
//!
//! Chapter: "One global guard" (`book/src/global-guard.md`).
//!
//! Run it, with the mock Okta in another terminal, then open
//! <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-4
//! ```

pub mod attempt;
pub mod config;
pub mod error;
pub mod guard;
pub mod okta;
pub mod pages;
pub mod session;

use axum::routing::{get, post};
use axum::{Router, middleware};
use config::Config;
use std::sync::Arc;
use tower_http::csrf::CsrfLayer;

// ANCHOR: app
/// The whole application: its routes and layers, in one place.
pub fn app(config: Config) -> Router {
    let okta = Arc::new(okta::Okta::new(&config));
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
        .route_layer(middleware::from_fn(guard::require_login))
        .route(okta::LOGIN_PATH, get(okta::login))
        .route(okta::CALLBACK_PATH, get(okta::callback))
        .route(okta::LOGOUT_PATH, post(okta::logout))
        .fallback(pages::not_found)
        // Around every route: the session, then, inside it, the origin
        // check. One `layer` call for both: each call wraps every route
        // once more, a cost on every request (about a tenth of stage 4's
        // throughput for the second call).
        .layer((session::layer(&config), same_origin_only))
        .with_state(okta)
}
// ANCHOR_END: app
