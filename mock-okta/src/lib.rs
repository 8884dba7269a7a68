//! # mock-okta
//!
//! An offline stand-in for an Okta org: its **org authorization server**
//! and a **custom authorization server** (`default`), served together, each
//! with its own issuer, keys and tokens, strict where Okta is strict, with
//! **faults on demand**, **recorded requests** and a **test browser**, so an
//! app's login can be tested end to end without an Okta account or a
//! network.
//!
//! As a binary (`cargo run -p mock-okta`), it serves the org
//! `http://localhost:8081`, whose custom authorization server
//! `http://localhost:8081/oauth2/default` the workbook's stages use. As a
//! library, each test starts its own instance on a free port in a few
//! milliseconds:
//!
//! ```
//! use mock_okta::{Fault, MockOkta};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
//! let okta = MockOkta::builder().fault(Fault::Token503).start().await?;
//! assert!(okta.issuer().ends_with("/oauth2/default"));
//!
//! let discovery = format!("{}/.well-known/openid-configuration", okta.issuer());
//! let body: serde_json::Value = reqwest::get(discovery).await.unwrap().json().await.unwrap();
//! assert_eq!(body["token_endpoint"], format!("{}/v1/token", okta.issuer()));
//!
//! // The org authorization server: issuer = the org's URL, endpoints under /oauth2/v1.
//! let discovery = format!("{}/.well-known/openid-configuration", okta.org_issuer());
//! let body: serde_json::Value = reqwest::get(discovery).await.unwrap().json().await.unwrap();
//! assert_eq!(body["token_endpoint"], format!("{}/oauth2/v1/token", okta.org_issuer()));
//!
//! assert_eq!(okta.requests().len(), 2, "every request is recorded");
//! # Ok(()) }
//! ```
//!
//! The pieces:
//! - [`MockOkta`] and [`Builder`]: start, configure and inspect a server.
//! - [`Client`], [`User`]: who the server knows.
//! - [`Fault`] and [`FAULTS`]: what can go wrong, switched on and off at run time.
//! - [`RecordedRequest`]: what an app sent.
//! - [`MockOkta::advance`]: the mock's own clock, moved forward.
//! - [`MockOkta::mint`] and [`TokenRequest`]: tokens on demand, for any
//!   subject, scopes, audience, lifetime (expired too), claims and key.
//! - The control API: the same operations over HTTP, under `/__mock/` on
//!   the mock's port ([`MockOkta::control_url`]), for test suites in any
//!   language; see the crate README.
//! - [`Browser`] (in [`testing`]): a cookie-jar client that logs in like a person.
//!
//! Its JWTs are made and checked by jsonwebtoken, on aws-lc-rs. When the
//! first server starts, it installs jsonwebtoken's process-wide
//! `CryptoProvider` (aws-lc-rs, with its built-in keys parsed once), unless
//! the process installed one before: a test that needs its own provider
//! installs it before starting a [`MockOkta`].

#![warn(missing_docs)]

mod authorize_request;
mod claims;
mod client_auth;
mod clients;
mod clock;
mod control;
mod error;
mod faults;
mod grants;
mod health;
mod org;
mod pages;
mod params;
mod record;
mod routes;
mod scopes;
mod serve;
mod server;
mod store;
pub mod testing;
mod tls;
mod token_request;
mod tokens;
mod users;

pub use clients::{Client, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID};
pub use faults::{FAULTS, Fault, FaultSpec, LONGEST_DURATION, parse_duration};
pub use org::CustomServer;
pub use record::{BODY_LIMIT, RECORD_LIMIT, RECORDED_BYTES, RECORDED_ENTRIES, RecordedRequest};
pub use routes::LOGIN_COOKIE;
pub use server::{Builder, MockOkta, check_auth_server_name, check_host};
pub use testing::{Browser, MAX_REDIRECTS, Page};
pub use token_request::{Key, Minted, MintedToken, Server, TokenRequest, Tokens};
pub use tokens::{CUSTOM_SERVERS_MAX, decode_claims, decode_header};
pub use users::User;
