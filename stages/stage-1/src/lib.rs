//! # Stage 1: Hello, World!
//!
//! The smallest web app of the workbook, and the Rust counterpart of the
//! tutorial's `flask run -h localhost -p 8080`: one route, `GET /`, that
//! answers `Hello, World!`. Every later stage grows from this file.
//!
//! Chapter: "Hello, World!" (`book/src/hello-world.md`).
//!
//! Run it, then open <http://localhost:8080/>:
//!
//! ```text
//! cargo run -p stage-1
//! ```

use axum::{Router, routing::get};

// ANCHOR: app
/// The whole application: its routes, in one place.
///
/// Kept apart from `main` so that tests can call it without starting a server.
pub fn app() -> Router {
    Router::new().route("/", get(hello_world))
}

async fn hello_world() -> &'static str {
    "Hello, World!"
}
// ANCHOR_END: app

// ANCHOR: listen_addr
/// Where to listen: the host and port of `APP_URL`.
///
/// `APP_URL` is the address a browser uses to reach the app, and every later
/// stage reads it too (it becomes part of the login redirect URI), so the app
/// listens where that address points instead of taking a second setting.
pub fn listen_addr(app_url: &str) -> Result<String, String> {
    let fix = "set APP_URL to an http(s) URL with a host, e.g. APP_URL=http://localhost:8080";
    let url = url::Url::parse(app_url)
        .map_err(|e| format!("APP_URL={app_url:?} is not a URL ({e}): {fix}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("APP_URL={app_url:?} is not http or https: {fix}"));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => return Err(format!("APP_URL={app_url:?} has no host: {fix}")),
    };
    let port = url.port_or_known_default().expect("http and https have a default port");
    Ok(format!("{host}:{port}"))
}
// ANCHOR_END: listen_addr
