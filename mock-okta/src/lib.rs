//! # mock-okta
//!
//! An offline stand-in for an Okta org's `default` authorization server:
//! strict where Okta is strict, with **faults on demand**, **recorded
//! requests** and a **test browser**, so an app's login can be tested
//! end to end without an Okta account or a network.
//!
//! As a binary (`cargo run -p mock-okta`), it serves
//! `http://localhost:8081/oauth2/default` for the workbook's stages. As a
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
//! assert_eq!(okta.requests().len(), 1, "every request is recorded");
//! # Ok(()) }
//! ```
//!
//! The pieces:
//! - [`MockOkta`] and [`Builder`]: start, configure and inspect a server.
//! - [`Client`], [`User`], [`ConfigFile`]: who the server knows.
//! - [`Fault`] and [`FAULTS`]: what can go wrong, switched on and off at run time.
//! - [`RecordedRequest`]: what an app sent.
//! - [`Browser`]: a cookie-jar client that logs in like a person.

#![warn(missing_docs)]

mod browser;
mod config;
mod faults;
mod params;
mod record;
mod routes;
mod store;
mod tokens;

pub use browser::{Browser, MAX_REDIRECTS, Page};
pub use config::{
    Client, ConfigFile, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID, User,
};
pub use faults::{FAULTS, Fault, FaultSpec, parse_duration};
pub use record::{BODY_LIMIT, RECORD_LIMIT, RecordedRequest};
pub use tokens::{decode_claims, decode_header};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

/// The mock's login cookie. Its own name, and `Path=/oauth2`, so it never
/// collides with an app's cookies on another port of the same host.
pub const LOGIN_COOKIE: &str = "mock_okta_sid";

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    issuer: String,
    keys: tokens::Keys,
    clients: RwLock<Vec<Client>>,
    users: RwLock<Vec<User>>,
    faults: RwLock<Vec<Fault>>,
    store: store::Store,
    recorder: record::Recorder,
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn client(&self, id: &str) -> Option<Client> {
        read(&self.clients).iter().find(|c| c.id == id).cloned()
    }

    pub(crate) fn user(&self, email: &str) -> Option<User> {
        read(&self.users)
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .cloned()
    }

    /// The first fault that `pick` selects, if any is on.
    pub(crate) fn fault<T>(&self, pick: impl Fn(&Fault) -> Option<T>) -> Option<T> {
        read(&self.faults).iter().find_map(pick)
    }

    pub(crate) fn has_fault(&self, fault: &Fault) -> bool {
        read(&self.faults).contains(fault)
    }
}

/// An OAuth 2.0 error, answered as Okta does:
/// `{"error": …, "error_description": …}` with a 4xx or 5xx status.
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
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
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body =
            serde_json::json!({ "error": self.error, "error_description": self.description });
        let mut response = (self.status, axum::Json(body)).into_response();
        response
            .extensions_mut()
            .insert(record::Outcome(self.error.to_string()));
        response
    }
}

/// A running mock Okta server. Dropping it stops the server.
///
/// ```
/// use mock_okta::{Client, MockOkta, User};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// let okta = MockOkta::start().await?;
/// okta.add_client(Client::web("my-app", "s3cret").redirect_uri("http://localhost:3000/cb"));
/// okta.add_user(User::new("carol@example.com", "Carol", "carol-password"));
/// assert!(okta.issuer().starts_with("http://127.0.0.1:"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MockOkta {
    shared: Arc<Shared>,
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

    /// The issuer, e.g. `http://127.0.0.1:41234/oauth2/default`: the value
    /// an app calls `OKTA_BASE_URL`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers another client (or replaces one with the same id).
    pub fn add_client(&self, client: Client) {
        let mut clients = write(&self.shared.clients);
        clients.retain(|c| c.id != client.id);
        clients.push(client);
    }

    /// Adds a user (or replaces one with the same email).
    pub fn add_user(&self, user: User) {
        let mut users = write(&self.shared.users);
        users.retain(|u| !u.email.eq_ignore_ascii_case(&user.email));
        users.push(user);
    }

    /// Switches a fault on. A fault of the same kind that was on (say, a
    /// `TokenSlow` with another delay) is replaced.
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
        let mut faults = write(&self.shared.faults);
        faults.retain(|f| !f.same_kind(&fault));
        faults.push(fault);
    }

    /// Switches one fault off.
    pub fn clear_fault(&self, fault: &Fault) {
        write(&self.shared.faults).retain(|f| !f.same_kind(fault));
    }

    /// Switches every fault off.
    pub fn clear_faults(&self) {
        write(&self.shared.faults).clear();
    }

    /// The faults that are on.
    pub fn faults(&self) -> Vec<Fault> {
        read(&self.shared.faults).clone()
    }

    /// Every request received so far (the latest [`RECORD_LIMIT`]), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.all()
    }

    /// The recorded requests to one endpoint, e.g. `"/v1/token"`.
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
        self.shared.recorder.clear();
    }

    /// The clients the server knows now.
    pub fn clients(&self) -> Vec<Client> {
        read(&self.shared.clients).clone()
    }

    /// The users the server knows now.
    pub fn users(&self) -> Vec<User> {
        read(&self.shared.users).clone()
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

    /// The host name in the issuer, e.g. `localhost` (default: the IP).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The authorization server's name: the issuer ends `/oauth2/{name}`.
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

    /// Binds the port and starts serving in the background.
    pub async fn start(self) -> std::io::Result<MockOkta> {
        let listener = tokio::net::TcpListener::bind((self.ip, self.port)).await?;
        let addr = listener.local_addr()?;
        let host = self.host.clone().unwrap_or_else(|| match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        });
        let issuer = format!("http://{host}:{}/oauth2/{}", addr.port(), self.auth_server);
        let shared = Arc::new(Shared {
            issuer,
            keys: tokens::Keys::new(),
            clients: RwLock::new(self.clients),
            users: RwLock::new(self.users),
            faults: RwLock::new(self.faults),
            store: store::Store::default(),
            recorder: record::Recorder::default(),
        });
        let app = router(shared.clone(), &self.auth_server);
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
            shared,
            addr,
            stop: Some(stop),
        })
    }
}

fn router(shared: Arc<Shared>, auth_server: &str) -> Router {
    Router::new()
        .nest(&format!("/oauth2/{auth_server}"), routes::issuer_routes())
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            record::record_and_log,
        ))
        .with_state(shared)
}
