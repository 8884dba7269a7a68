//! # Stage 3: protect routes by hand
//!
//! Stage 2's app, with pages only a logged-in user may see. Each protected
//! handler asks for a [`LoggedInUser`](session::LoggedInUser); a visitor
//! without one is sent to `/login/okta` and, after the login, back to the
//! page they asked for. This is the tutorial's
//! `if not okta_blueprint.session.token: return redirect(...)`, once per
//! route, and `/members` shows why that does not scale: its check was
//! forgotten, so it is open to anyone.
//!
//! Chapter: "Protect routes by hand" (`book/src/protect-by-hand.md`).
//!
//! Run it, with the mock Okta in another terminal, then open
//! <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-3
//! ```

pub mod attempt;
pub mod config;
pub mod error;
pub mod guard;
pub mod okta;
pub mod pages;
pub mod session;

use axum::{Router, routing::get};
use config::Config;
use std::sync::Arc;

// ANCHOR: app
/// The whole application: its routes and layers, in one place.
pub fn app(config: Config) -> Router {
    let okta = Arc::new(okta::Okta::new(&config));
    Router::new()
        .route("/", get(pages::home))
        .route("/user", get(pages::user))
        .route("/members", get(pages::members))
        .route(okta::LOGIN_PATH, get(okta::login))
        .route(okta::CALLBACK_PATH, get(okta::callback))
        .fallback(pages::not_found)
        .layer(session::layer(&config))
        .with_state(okta)
}
// ANCHOR_END: app
