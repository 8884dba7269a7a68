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
//! - [`Client`], [`User`], [`ConfigFile`]: who the server knows.
//! - [`Fault`] and [`FAULTS`]: what can go wrong, switched on and off at run time.
//! - [`RecordedRequest`]: what an app sent.
//! - [`Browser`]: a cookie-jar client that logs in like a person.
//!
//! Its JWTs are made and checked by jsonwebtoken, on aws-lc-rs. When the
//! first server starts, it installs jsonwebtoken's process-wide
//! `CryptoProvider` (aws-lc-rs, with its built-in keys parsed once), unless
//! the process installed one before: a test that needs its own provider
//! installs it before starting a [`MockOkta`].

#![warn(missing_docs)]

mod browser;
mod config;
mod faults;
mod org;
mod params;
mod record;
mod routes;
mod store;
mod tokens;

pub use browser::{Browser, MAX_REDIRECTS, Page};
pub use config::{
    Client, ConfigFile, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, User,
    check_auth_server_name, check_host,
};
pub use faults::{FAULTS, Fault, FaultSpec, LONGEST_DURATION, parse_duration};
pub use record::{BODY_LIMIT, RECORD_LIMIT, RecordedRequest};
pub use tokens::{decode_claims, decode_header};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use org::{AuthServer, Org};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

/// The mock's login cookie. Its own name, and `Path=/oauth2`, so it never
/// collides with an app's cookies on another port of the same host; both
/// authorization servers read it, as an Okta session is org-wide.
pub const LOGIN_COOKIE: &str = "mock_okta_sid";

/// An OAuth 2.0 error, answered as Okta does:
/// `{"error": …, "error_description": …}` with a 4xx or 5xx status.
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// A `WWW-Authenticate` challenge to send with it, if any.
    pub challenge: Option<&'static str>,
}

impl OAuthError {
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            challenge: None,
        }
    }

    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }

    /// Adds a `WWW-Authenticate` challenge.
    pub(crate) fn with_challenge(self, challenge: &'static str) -> Self {
        OAuthError {
            challenge: Some(challenge),
            ..self
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": self.error, "error_description": self.description });
        let challenge = self
            .challenge
            .map(|c| [(header::WWW_AUTHENTICATE, HeaderValue::from_static(c))]);
        (
            self.status,
            record::Outcome::new(self.error),
            challenge,
            axum::Json(body),
        )
            .into_response()
    }
}

/// A running mock Okta org: its org authorization server and one custom
/// authorization server, served together. Dropping it stops the server.
///
/// ```
/// use mock_okta::{Client, MockOkta, User};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let okta = MockOkta::start().await?;
/// okta.add_client(Client::web("my-app", "s3cret").redirect_uri("http://localhost:3000/cb"));
/// okta.add_user(User::new("carol@example.com", "Carol", "carol-password"));
/// assert!(okta.org_issuer().starts_with("http://127.0.0.1:"));
/// assert_eq!(okta.issuer(), format!("{}/oauth2/default", okta.org_issuer()));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MockOkta {
    org: Arc<Org>,
    custom: Arc<AuthServer>,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for MockOkta {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

impl MockOkta {
    /// A builder, to choose the port, clients, users and faults.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Starts a mock with the built-in clients and users on a free port of
    /// 127.0.0.1.
    pub async fn start() -> std::io::Result<MockOkta> {
        Builder::default().start().await
    }

    /// The custom authorization server's issuer, e.g.
    /// `http://127.0.0.1:41234/oauth2/default`: the value an app calls
    /// `OKTA_BASE_URL` when it uses a custom authorization server. Its
    /// endpoints are `{issuer}/v1/authorize`, `/v1/token`, …
    pub fn issuer(&self) -> &str {
        &self.custom.issuer
    }

    /// The org authorization server's issuer, e.g. `http://127.0.0.1:41234`:
    /// the org's own URL, as in Okta, and the `OKTA_BASE_URL` of an app that
    /// uses the org authorization server. Its endpoints are
    /// `{org_issuer}/oauth2/v1/authorize`, `/oauth2/v1/token`, …, its
    /// discovery document `{org_issuer}/.well-known/openid-configuration`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = mock_okta::MockOkta::start().await?;
    /// let discovery = format!("{}/.well-known/openid-configuration", okta.org_issuer());
    /// let body: serde_json::Value = reqwest::get(discovery).await.unwrap().json().await.unwrap();
    /// assert_eq!(body["issuer"], okta.org_issuer());
    /// assert_eq!(body["token_endpoint"], format!("{}/oauth2/v1/token", okta.org_issuer()));
    /// # Ok(()) }
    /// ```
    pub fn org_issuer(&self) -> &str {
        &self.org.base
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers another client (or replaces one with the same id), for
    /// both authorization servers.
    pub fn add_client(&self, client: Client) {
        self.org.add_client(client);
    }

    /// Adds a user (or replaces one with the same email).
    pub fn add_user(&self, user: User) {
        self.org.add_user(user);
    }

    /// Switches a fault on, on both authorization servers. A fault of the
    /// same kind that was on (say, a `TokenSlow` with another delay) is
    /// replaced.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use mock_okta::{Fault, MockOkta};
    /// let okta = MockOkta::start().await?;
    /// okta.set_fault(Fault::DenyConsent);
    /// assert_eq!(okta.faults(), [Fault::DenyConsent]);
    /// okta.clear_faults();
    /// # Ok(()) }
    /// ```
    pub fn set_fault(&self, fault: Fault) {
        self.org.set_fault(fault);
    }

    /// Switches one fault off.
    pub fn clear_fault(&self, fault: &Fault) {
        self.org.clear_fault(fault);
    }

    /// Switches every fault off.
    pub fn clear_faults(&self) {
        self.org.clear_faults();
    }

    /// The faults that are on.
    pub fn faults(&self) -> Vec<Fault> {
        self.org.faults()
    }

    /// Every request received so far (the latest [`RECORD_LIMIT`]), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.org.recorder.all()
    }

    /// The recorded requests whose path ends with `endpoint`: `"/v1/token"`
    /// matches the token endpoints of both authorization servers,
    /// `"/oauth2/v1/token"` the org server's only.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = mock_okta::MockOkta::start().await?;
    /// // … drive an app through a login …
    /// assert!(okta.requests_to("/v1/token").is_empty(), "no token was asked for");
    /// # Ok(()) }
    /// ```
    pub fn requests_to(&self, endpoint: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.is(endpoint))
            .collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.org.recorder.clear();
    }

    /// The clients the server knows now.
    pub fn clients(&self) -> Vec<Client> {
        self.org.clients()
    }

    /// The users the server knows now.
    pub fn users(&self) -> Vec<User> {
        self.org.users()
    }
}

/// Chooses how a [`MockOkta`] starts.
///
/// ```
/// use mock_okta::{Client, Fault, MockOkta, User};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let okta = MockOkta::builder()
///     .auth_server("aus1")
///     .client(Client::web("my-app", "s3cret").redirect_uri("http://127.0.0.1:3000/cb"))
///     .user(User::new("carol@example.com", "Carol", "carol-password"))
///     .fault(Fault::TokenSlow(Duration::from_millis(200)))
///     .start()
///     .await?;
/// assert!(okta.issuer().ends_with("/oauth2/aus1"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    ip: IpAddr,
    port: u16,
    host: Option<String>,
    auth_server: String,
    clients: Vec<Client>,
    users: Vec<User>,
    faults: Vec<Fault>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            host: None,
            auth_server: "default".into(),
            clients: vec![
                Client::workbook(),
                Client::service(DEFAULT_SERVICE_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            ],
            users: User::defaults(),
            faults: Vec::new(),
        }
    }
}

impl Builder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default 127.0.0.1).
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = ip;
        self
    }

    /// The host name in the issuers, e.g. `localhost` (default: the IP).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The custom authorization server's name: its issuer ends
    /// `/oauth2/{name}` (default `default`). [`Builder::start`] refuses a
    /// name that [`check_auth_server_name`] refuses.
    pub fn auth_server(mut self, name: impl Into<String>) -> Self {
        self.auth_server = name.into();
        self
    }

    /// Adds a client to the built-in ones (or replaces one with its id).
    pub fn client(mut self, client: Client) -> Self {
        self.clients.retain(|c| c.id != client.id);
        self.clients.push(client);
        self
    }

    /// Replaces all clients.
    pub fn clients(mut self, clients: Vec<Client>) -> Self {
        self.clients = clients;
        self
    }

    /// Adds a user to the built-in ones (or replaces one with its email).
    pub fn user(mut self, user: User) -> Self {
        self.users
            .retain(|u| !u.email.eq_ignore_ascii_case(&user.email));
        self.users.push(user);
        self
    }

    /// Replaces all users.
    pub fn users(mut self, users: Vec<User>) -> Self {
        self.users = users;
        self
    }

    /// Starts with a fault on.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.retain(|f| !f.same_kind(&fault));
        self.faults.push(fault);
        self
    }

    /// Binds the port and serves both authorization servers in the
    /// background.
    ///
    /// # Errors
    /// The port cannot be bound, or the custom authorization server's name
    /// is not one, or the host is not a host name (`InvalidInput`, with
    /// what [`check_auth_server_name`] or [`check_host`] says).
    pub async fn start(self) -> std::io::Result<MockOkta> {
        check_auth_server_name(&self.auth_server)
            .map_err(|problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem))?;
        if let Some(host) = &self.host {
            check_host(host).map_err(|problem| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, problem)
            })?;
        }
        let listener = tokio::net::TcpListener::bind((self.ip, self.port)).await?;
        let addr = listener.local_addr()?;
        let host = self.host.clone().unwrap_or_else(|| match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        });
        let base = format!("http://{host}:{}", addr.port());
        let org = Arc::new(Org::new(base, self.clients, self.users, self.faults));
        let custom = Arc::new(AuthServer::custom(org.clone(), &self.auth_server));
        let org_server = Arc::new(AuthServer::org(org.clone()));
        let app = router(org.clone(), [custom.clone(), org_server]);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                stopped.await.ok();
            });
            if let Err(e) = serve.await {
                tracing::error!("mock-okta stopped: {e}");
            }
        });
        Ok(MockOkta {
            org,
            custom,
            addr,
            stop: Some(stop),
        })
    }
}

/// Both authorization servers' routes, an Okta-shaped 404 for the rest,
/// and every request recorded and logged.
fn router(org: Arc<Org>, servers: [Arc<AuthServer>; 2]) -> Router {
    servers
        .into_iter()
        .fold(Router::new(), |app, server| {
            app.merge(routes::auth_server(server))
        })
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            org,
            record::record_and_log,
        ))
}
