//! # Stage 2: log in with Okta
//!
//! Stage 1's app, plus a login: `/login/okta` sends the browser to Okta with
//! a `state` and a PKCE challenge, keeping the login attempt in an
//! encrypted cookie; `/login/okta/authorized` checks what comes back,
//! trades the code for tokens, fetches the email once and keeps the user in
//! a server-side session. Nothing is protected yet: `/` says who is logged
//! in, if anyone.
//!
//! Chapter: "Log in with Okta" (`book/src/log-in.md`).
//!
//! Run it, with the mock Okta in another terminal, then open
//! <http://localhost:8080/login/okta>:
//!
//! ```text
//! cargo run -p mock-okta
//! cargo run -p stage-2
//! ```

pub mod attempt;
pub mod config;
pub mod error;
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
        .route(okta::LOGIN_PATH, get(okta::login))
        .route(okta::CALLBACK_PATH, get(okta::callback))
        .fallback(pages::not_found)
        .layer(session::layer(&config))
        .with_state(okta)
}
// ANCHOR_END: app
