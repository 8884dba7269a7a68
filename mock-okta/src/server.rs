//! The server: [`MockOkta`], a running mock org, and the [`Builder`] that
//! starts one; its router puts the authorization servers, the recorder
//! and the log together.

use crate::clients::{Client, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID};
use crate::control::{self, Control};
use crate::faults::Fault;
use crate::org::{AuthServer, CustomServer, Org};
use crate::record::{RecordedRequest, Recorder, log, record};
use crate::scopes::{self, DEFAULT_CUSTOM_SCOPE};
use crate::serve::{HEADER_READ_TIMEOUT, serve};
use crate::tls::{Tls, TlsListener, TlsSource};
use crate::tokens::{CUSTOM_SERVERS_MAX, custom_keys};
use crate::users::User;
use crate::{health, routes};
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A running mock Okta org: its org authorization server and its custom
/// authorization servers (one, `default`, unless the [`Builder`] adds
/// more), served together. Dropping it stops the server.
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
    control: Arc<Control>,
    control_api: bool,
    /// The custom authorization servers, the first one first.
    customs: Vec<Arc<AuthServer>>,
    addr: SocketAddr,
    /// PEM: what a client trusts to reach it over https.
    tls_certificate: Option<String>,
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
        &self.customs[0].issuer
    }

    /// The `aud` of the custom authorization server's access tokens, e.g.
    /// `api://default`: the `API_AUDIENCE` of an API that takes them.
    pub fn audience(&self) -> &str {
        &self.customs[0].audience
    }

    /// The issuer of the custom authorization server named `name` (the
    /// first one's, or one added with [`Builder::custom_server`]), e.g.
    /// `http://127.0.0.1:41234/oauth2/orders`; `None` if the mock has no
    /// server of that name.
    ///
    /// ```
    /// use mock_okta::{CustomServer, MockOkta};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = MockOkta::builder()
    ///     .custom_server(CustomServer::new("orders").scope("orders:read"))
    ///     .start()
    ///     .await?;
    /// assert_eq!(okta.issuer_of("default"), Some(okta.issuer()));
    /// assert_eq!(okta.issuer_of("orders"), Some(format!("{}/oauth2/orders", okta.org_issuer()).as_str()));
    /// assert_eq!(okta.audience_of("orders"), Some("api://orders"));
    /// assert_eq!(okta.issuer_of("billing"), None);
    /// # Ok(()) }
    /// ```
    pub fn issuer_of(&self, name: &str) -> Option<&str> {
        self.custom(name).map(|server| server.issuer.as_str())
    }

    /// The `aud` of the access tokens of the custom authorization server
    /// named `name`, if the mock has one.
    pub fn audience_of(&self, name: &str) -> Option<&str> {
        self.custom(name).map(|server| server.audience.as_str())
    }

    /// The names of the custom authorization servers, the first one first.
    pub fn custom_server_names(&self) -> Vec<&str> {
        let names = self.customs.iter();
        names
            .filter_map(|s| s.metadata_path.strip_prefix("/oauth2/"))
            .collect()
    }

    fn custom(&self, name: &str) -> Option<&AuthServer> {
        let path = format!("/oauth2/{name}");
        self.customs
            .iter()
            .find(|s| s.metadata_path == path)
            .map(|s| &**s)
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
        &self.control.org.base
    }

    /// Where the control API is served, `{org_issuer}/__mock`, unless
    /// [`Builder::control_api`] turned it off.
    pub fn control_url(&self) -> Option<String> {
        self.control_api
            .then(|| format!("{}/__mock", self.org_issuer()))
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// When it serves https ([`Builder::tls`], [`Builder::tls_pem`]): the
    /// certificate a client trusts to reach it, in PEM. For a certificate
    /// the mock made, that is the certificate of the authority made to
    /// sign it (whose key is gone: trusting it trusts this mock only); for
    /// a given one, the chain as given. `None` over plain http.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = mock_okta::MockOkta::builder().tls(true).start().await?;
    /// let pem = okta.tls_certificate_pem().expect("https");
    /// let trusted = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    /// let client = reqwest::Client::builder()
    ///     .tls_built_in_root_certs(false)
    ///     .add_root_certificate(trusted)
    ///     .build()
    ///     .unwrap();
    /// let discovery = format!("{}/.well-known/openid-configuration", okta.issuer());
    /// let body: serde_json::Value = client.get(discovery).send().await.unwrap().json().await.unwrap();
    /// assert!(body["token_endpoint"].as_str().unwrap().starts_with("https://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub fn tls_certificate_pem(&self) -> Option<&str> {
        self.tls_certificate.as_deref()
    }

    /// Registers another client (or replaces one with the same id), for
    /// every authorization server; as `POST /__mock/clients` (a new
    /// client) and `PUT /__mock/clients/ID` (a known one) do.
    ///
    /// # Panics
    /// When [`Client::check`] refuses it (say, a redirect URI that is not
    /// an absolute URL), with what it says.
    pub fn add_client(&self, client: Client) {
        if let Err(problem) = self.control.add_client(client) {
            panic!("MockOkta::add_client: {problem}");
        }
    }

    /// Adds a user (or replaces one with the same email, which keeps its
    /// id); as `POST /__mock/users` (a new user) and `PUT
    /// /__mock/users/KEY` (a known one) do.
    ///
    /// # Panics
    /// When [`User::check`] refuses it (say, an email without `@`), with
    /// what it says.
    pub fn add_user(&self, user: User) {
        if let Err(problem) = self.control.add_user(user) {
            panic!("MockOkta::add_user: {problem}");
        }
    }

    /// Removes a user (by email or Okta user id), and with it its logins
    /// to the mock and every code and token issued to it, as deleting a
    /// user at Okta does; as `DELETE /__mock/users/KEY` does. Whether it
    /// was there.
    pub fn remove_user(&self, key: &str) -> bool {
        self.control.remove_user(key).is_ok()
    }

    /// Deactivates a user (by email or Okta user id), as Okta's lifecycle
    /// operation does: its logins to the mock and every code and token
    /// issued to it end (a refresh is `invalid_grant`, userinfo `401`,
    /// introspection inactive), and the login form refuses it, as a wrong
    /// password, until [`activate_user`](MockOkta::activate_user); as
    /// `POST /__mock/users/KEY/lifecycle/deactivate` does. Whether the
    /// user is there.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = mock_okta::MockOkta::start().await?;
    /// assert!(okta.deactivate_user("alice@example.com"));
    /// assert!(okta.activate_user("alice@example.com"));
    /// assert!(!okta.deactivate_user("nobody@example.com"));
    /// # Ok(()) }
    /// ```
    pub fn deactivate_user(&self, key: &str) -> bool {
        self.control.deactivate_user(key).is_ok()
    }

    /// Activates a deactivated user (by email or Okta user id): it may sign
    /// in again; what its deactivation ended stays ended. As `POST
    /// /__mock/users/KEY/lifecycle/activate` does. Whether the user is
    /// there.
    pub fn activate_user(&self, key: &str) -> bool {
        self.control.activate_user(key).is_ok()
    }

    /// How many refresh tokens of the user with this email or Okta user id
    /// could be presented now, on every authorization server: not expired,
    /// not revoked, not rotated past their grace. For a test that a logout
    /// left nothing live at Okta (RFC 7009 §2.1). `0` for an unknown user.
    pub fn live_refresh_tokens(&self, user: &str) -> usize {
        self.control.live_refresh_tokens(user).unwrap_or(0)
    }

    /// Unregisters a client, and forgets every code and token issued to
    /// it; as `DELETE /__mock/clients/ID` does. Whether it was there.
    pub fn remove_client(&self, id: &str) -> bool {
        self.control.remove_client(id).is_ok()
    }

    /// Back to how the mock started: the users, clients, faults and scopes
    /// it was built with, its clock at the system's time; every code,
    /// token, login to the mock and recorded request forgotten. As
    /// `POST /__mock/reset` does, for suites that share one mock.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use mock_okta::{Fault, MockOkta};
    /// let okta = MockOkta::start().await?;
    /// okta.set_fault(Fault::DenyConsent);
    /// okta.reset();
    /// assert!(okta.faults().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn reset(&self) {
        self.control.reset();
    }

    /// Switches a fault on, on every authorization server; as
    /// `POST /__mock/faults` does. A fault of the same kind that was on
    /// (say, a `TokenSlow` with another delay) is replaced.
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
        self.control.set_fault(fault);
    }

    /// Switches one fault off.
    pub fn clear_fault(&self, fault: &Fault) {
        self.control.clear_fault(fault);
    }

    /// Switches every fault off.
    pub fn clear_faults(&self) {
        self.control.clear_faults();
    }

    /// The faults that are on.
    pub fn faults(&self) -> Vec<Fault> {
        self.control.faults()
    }

    /// Moves the mock's clock forward, as `POST /__mock/clock` does: codes,
    /// tokens and logins expire as if that time had passed, and tokens
    /// issued from now on are dated by it (`iat`, `exp`, `auth_time`).
    /// Time never goes back.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let okta = mock_okta::MockOkta::start().await?;
    /// let before = okta.now();
    /// okta.advance(Duration::from_secs(2 * 3600));
    /// assert!(okta.now().duration_since(before).unwrap() >= Duration::from_secs(7200));
    /// # Ok(()) }
    /// ```
    pub fn advance(&self, by: Duration) {
        self.control.advance(by);
    }

    /// The time on the mock's clock: the system's, plus every
    /// [`advance`](MockOkta::advance).
    pub fn now(&self) -> SystemTime {
        self.control.org.clock.now()
    }

    /// Every request received so far (the latest [`RECORD_LIMIT`](crate::RECORD_LIMIT)), oldest first,
    /// each with the status the mock answered and kept within
    /// [`RECORDED_BYTES`](crate::RECORDED_BYTES).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.control.requests("")
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
        self.control.requests(endpoint)
    }

    /// Mints tokens on request, as `POST /__mock/tokens` does: for any
    /// subject, from either server, with the scopes, audience, lifetime
    /// (a past `exp` too), claims and key asked for; no login, no client
    /// secret. See [`TokenRequest`](crate::TokenRequest).
    ///
    /// # Panics
    /// When the request names a server the mock does not have, or a value
    /// a token cannot carry (see [`TokenRequest`](crate::TokenRequest)),
    /// with what is wrong.
    pub fn mint(&self, request: &crate::TokenRequest) -> crate::Minted {
        self.control
            .mint(request)
            .unwrap_or_else(|problem| panic!("MockOkta::mint: {problem}"))
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.control.clear_requests();
    }

    /// The clients the server knows now.
    pub fn clients(&self) -> Vec<Client> {
        self.control.org.clients()
    }

    /// The users the server knows now.
    pub fn users(&self) -> Vec<User> {
        self.control.org.users()
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
    audience: Option<String>,
    scopes: Vec<String>,
    groups_claim: bool,
    more_servers: Vec<CustomServer>,
    clients: Vec<Client>,
    users: Vec<User>,
    faults: Vec<Fault>,
    control_api: bool,
    tls: Option<TlsSource>,
    header_read_timeout: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            host: None,
            auth_server: "default".into(),
            audience: None,
            scopes: vec![DEFAULT_CUSTOM_SCOPE.into()],
            groups_claim: true,
            more_servers: Vec::new(),
            clients: vec![
                Client::workbook(),
                Client::service(DEFAULT_SERVICE_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            ],
            users: User::defaults(),
            faults: Vec::new(),
            control_api: true,
            tls: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

impl Builder {
    /// The port to listen on; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default 127.0.0.1): `0.0.0.0` for every
    /// IPv4 address of the machine (a container's), or one address of it.
    /// The issuers name [`host`](Builder::host), or this address when no
    /// host is given.
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = ip;
        self
    }

    /// The host name in the issuers, e.g. `localhost` (default: the IP):
    /// the issuers are then `http://{host}:{port}…` (`https` with
    /// [`tls`](Builder::tls)).
    ///
    /// Or a whole origin, `https://login.example.com` or
    /// `https://login.example.com:8443`, for a mock behind a proxy that
    /// serves that origin (and terminates TLS): the issuers, discovery
    /// documents, tokens and the handle's URLs
    /// ([`MockOkta::issuer`], [`MockOkta::control_url`]) name it, while
    /// the mock itself listens on [`ip`](Builder::ip) and
    /// [`port`](Builder::port) as ever ([`MockOkta::addr`]), over plain
    /// http unless [`tls`](Builder::tls) is on (its certificate then names
    /// the origin's host). [`Builder::start`] refuses what
    /// [`check_host`] refuses.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// let okta = mock_okta::MockOkta::builder()
    ///     .host("https://login.example.com")
    ///     .start()
    ///     .await?;
    /// assert_eq!(okta.issuer(), "https://login.example.com/oauth2/default");
    /// // The mock itself, over plain http:
    /// let discovery = format!("http://{}/oauth2/default/.well-known/openid-configuration", okta.addr());
    /// let body: serde_json::Value = reqwest::get(discovery).await.unwrap().json().await.unwrap();
    /// assert_eq!(body["token_endpoint"], "https://login.example.com/oauth2/default/v1/token");
    /// # Ok(()) }
    /// ```
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

    /// The `aud` of the custom authorization server's access tokens
    /// (default `api://{name}`: `api://default` for Okta's default server),
    /// what an API that takes them checks. The org server's access tokens
    /// are always for the org (its URL), as Okta's are for its own APIs.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Declares a custom scope on the custom authorization server, beside
    /// `messages:read`, as an admin does in Okta's console. A scope a
    /// server does not declare is refused with `invalid_scope`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope = scope.into();
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
        self
    }

    /// Whether the custom authorization server has a `groups` claim (the
    /// default: in the ID token always, every group, "Matches regex .*",
    /// as Okta's guide sets it up). Off, it answers no groups.
    pub fn groups_claim(mut self, on: bool) -> Self {
        self.groups_claim = on;
        self
    }

    /// Adds another custom authorization server (or replaces the one added
    /// with its name), beside the first: up to three more, each with its
    /// own issuer, keys, audience and scopes, as an org with one server per
    /// API has. [`MockOkta::issuer_of`] names its issuer.
    pub fn custom_server(mut self, server: CustomServer) -> Self {
        self.more_servers.retain(|s| s.name != server.name);
        self.more_servers.push(server);
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

    /// Whether the control API is served under `/__mock/` (the default):
    /// faults, users, clients, recorded requests, the clock and minted
    /// tokens, over HTTP, for test suites in any language. Off, those
    /// paths are Okta's 404, and the mock looks like Okta, but for
    /// `GET /__mock/health`, served whatever this says.
    pub fn control_api(mut self, on: bool) -> Self {
        self.control_api = on;
        self
    }

    /// Serves https, with a certificate made at start (`on`), or plain
    /// http (the default). The issuers become `https://…`, and every
    /// endpoint, the discovery documents and the control API answer over
    /// it. The certificate names the host, `localhost`, `127.0.0.1`, `::1`
    /// and the address listened on; it is signed by an authority made for
    /// it alone, whose certificate [`MockOkta::tls_certificate_pem`] gives.
    pub fn tls(mut self, on: bool) -> Self {
        self.tls = on.then_some(TlsSource::Generated);
        self
    }

    /// Serves https with a certificate of your own: its chain
    /// (`-----BEGIN CERTIFICATE-----`, the server's first) and its private
    /// key (PKCS#8, PKCS#1 or SEC1), in PEM. [`Builder::start`] refuses
    /// them (`InvalidInput`) when they are not PEM or do not go together.
    pub fn tls_pem(mut self, chain: impl Into<String>, key: impl Into<String>) -> Self {
        self.tls = Some(TlsSource::Pem {
            chain: chain.into(),
            key: key.into(),
        });
        self
    }

    /// How long a client has to send a request's head (its request line
    /// and headers), counted from when it connects, or from the answer
    /// before on a kept-alive connection: then the connection is closed
    /// (default 10 s, as the workbook's stages give). A client that sends
    /// half a request, or keeps an idle connection, holds it no longer.
    /// Over https, the TLS handshake has 10 s of its own before it.
    /// [`Builder::start`] refuses zero.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Binds the port and serves every authorization server in the
    /// background.
    ///
    /// # Errors
    /// The port cannot be bound; or (`InvalidInput`, with what the check
    /// says) the custom authorization server's name is not one
    /// ([`check_auth_server_name`]), the host is not a host name
    /// nor an origin ([`check_host`]), a client or a user is refused by
    /// [`Client::check`] or [`User::check`], a declared scope is not a scope
    /// token of its own, an audience is empty, two custom servers have one
    /// name, there are more than four custom servers, the TLS
    /// certificate is refused (see [`Builder::tls_pem`]), or the
    /// header read timeout is zero.
    pub async fn start(self) -> std::io::Result<MockOkta> {
        check_auth_server_name(&self.auth_server)
            .map_err(|problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem))?;
        if let Some(host) = &self.host {
            check_host(host).map_err(|problem| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, problem)
            })?;
        }
        let invalid = |problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem);
        if self.header_read_timeout.is_zero() {
            return Err(invalid(
                "header_read_timeout: zero would close every connection before its request: give it at least 1 ms (the default is 10 s)".into(),
            ));
        }
        let first = CustomServer {
            audience: self
                .audience
                .clone()
                .unwrap_or_else(|| format!("api://{}", self.auth_server)),
            name: self.auth_server.clone(),
            scopes: self.scopes.clone(),
            groups_claim: self.groups_claim,
        };
        let setups: Vec<CustomServer> = std::iter::once(first)
            .chain(self.more_servers.iter().cloned())
            .collect();
        check_custom_servers(&setups).map_err(invalid)?;
        for (i, client) in self.clients.iter().enumerate() {
            client
                .check()
                .map_err(|problem| invalid(format!("clients[{i}].{problem}")))?;
        }
        for (i, user) in self.users.iter().enumerate() {
            user.check()
                .map_err(|problem| invalid(format!("users[{i}].{problem}")))?;
        }
        let listener = tokio::net::TcpListener::bind((self.ip, self.port)).await?;
        let addr = listener.local_addr()?;
        // An origin names the proxy in front; a host, the mock itself.
        let origin = self.host.as_deref().and_then(origin);
        let host = match (&origin, &self.host) {
            (Some(origin), _) => origin.host_str().unwrap_or_default().to_string(),
            (None, Some(host)) => host.clone(),
            (None, None) => match addr.ip() {
                IpAddr::V6(ip) => format!("[{ip}]"),
                IpAddr::V4(ip) => ip.to_string(),
            },
        };
        let tls = match &self.tls {
            Some(source) => Some(Tls::new(source, &host, addr).map_err(invalid)?),
            None => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = match &origin {
            Some(origin) => origin.origin().ascii_serialization(),
            None => format!("{scheme}://{host}:{}", addr.port()),
        };
        let org = Arc::new(Org::new(base, self.clients, self.users, self.faults));
        let customs: Vec<Arc<AuthServer>> = setups
            .iter()
            .enumerate()
            .map(|(i, setup)| {
                let keys = custom_keys(i).expect("check_custom_servers counted them");
                Arc::new(AuthServer::custom(org.clone(), setup, keys))
            })
            .collect();
        let org_server = Arc::new(AuthServer::org(org.clone()));
        let control = Arc::new(Control {
            org,
            recorder: Arc::new(Recorder::default()),
            servers: customs.iter().cloned().chain([org_server]).collect(),
        });
        let app = router(&control.servers, &control, self.control_api, tls.is_some());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopped = async {
            stopped.await.ok();
        };
        let tls_certificate = tls.as_ref().map(|tls| tls.trust_pem.clone());
        let timeout = self.header_read_timeout;
        match &tls {
            None => tokio::spawn(serve(listener, app, timeout, stopped)),
            Some(tls) => {
                let listener = TlsListener::new(listener, tls)?;
                tokio::spawn(serve(listener, app, timeout, stopped))
            }
        };
        Ok(MockOkta {
            control,
            control_api: self.control_api,
            customs,
            addr,
            tls_certificate,
            stop: Some(stop),
        })
    }
}

/// Every authorization server's routes and an Okta-shaped 404 for the
/// rest, every request recorded; the control API beside them, unrecorded,
/// when it is on; and one log line per request. The health endpoint is
/// served whatever `control_api` says, neither recorded nor logged.
fn router(
    servers: &[Arc<AuthServer>],
    control: &Arc<Control>,
    control_api: bool,
    tls: bool,
) -> Router {
    let okta = servers
        .iter()
        .fold(Router::new(), |app, server| {
            app.merge(routes::auth_server(server.clone()))
        })
        .fallback(routes::not_found)
        .layer(from_fn_with_state(control.recorder.clone(), record));
    let app = if control_api {
        control::router(control.clone()).merge(okta)
    } else {
        okta
    };
    app.layer(from_fn(log)).merge(health::router(servers, tls))
}

/// Checks the custom authorization servers of one mock: each name a
/// name ([`check_auth_server_name`]), no name twice, each scope a scope,
/// each audience an audience, and no more than the built-in keys serve.
fn check_custom_servers(servers: &[CustomServer]) -> Result<(), String> {
    if servers.len() > CUSTOM_SERVERS_MAX {
        return Err(format!(
            "{} custom authorization servers: mock-okta serves at most {CUSTOM_SERVERS_MAX} (it has keys for that many)",
            servers.len()
        ));
    }
    for (i, server) in servers.iter().enumerate() {
        let name = &server.name;
        check_auth_server_name(name)?;
        if servers[..i].iter().any(|s| s.name == *name) {
            return Err(format!(
                "{name:?} names two custom authorization servers: give each its own name"
            ));
        }
        for scope in &server.scopes {
            scopes::check(scope).map_err(|problem| format!("scope of {name:?}: {problem}"))?;
        }
        let audience = &server.audience;
        if audience.is_empty() || audience.chars().any(char::is_control) {
            return Err(format!(
                "audience of {name:?}: {audience:?} is not an audience: e.g. api://{name}"
            ));
        }
    }
    Ok(())
}

/// Checks the name of a custom authorization server: the issuer is
/// `{base}/oauth2/{name}`, so it must be a path segment (letters, digits,
/// `-`, `_`), and not `v1`, where the org authorization server's endpoints
/// live (`{base}/oauth2/v1/…`), nor `org`, the org server's name in
/// [`TokenRequest`](crate::TokenRequest)s.
///
/// ```
/// assert!(mock_okta::check_auth_server_name("aus1").is_ok());
/// assert_eq!(
///     mock_okta::check_auth_server_name("v1").unwrap_err(),
///     "\"v1\" is taken by the org authorization server's endpoints (/oauth2/v1/…): choose another name"
/// );
/// ```
pub fn check_auth_server_name(name: &str) -> Result<(), String> {
    if name == "v1" {
        return Err(format!(
            "{name:?} is taken by the org authorization server's endpoints (/oauth2/v1/…): choose another name"
        ));
    }
    if name == "org" {
        return Err(format!(
            "{name:?} is how the control API names the org authorization server (POST /__mock/tokens): choose another name"
        ));
    }
    let fits = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a name for an authorization server: use letters, digits, - and _ (e.g. default)"
        ))
    }
}

/// Checks what [`Builder::host`] takes: a host name for the issuers
/// (`localhost`, `okta.test`, `127.0.0.1`, `[::1]`), alone and in
/// lowercase; or the origin of a proxy in front of the mock
/// (`https://login.example.com`, `http://okta.test:9000`): http or https,
/// a host and maybe a port, written as browsers write an origin (a
/// trailing `/` is let through), without user info, path, query or
/// fragment.
///
/// ```
/// use mock_okta::check_host;
/// assert!(check_host("localhost").is_ok());
/// assert!(check_host("https://login.example.com:8443").is_ok());
/// assert_eq!(
///     check_host("https://login.example.com/okta").unwrap_err(),
///     "\"https://login.example.com/okta\": an origin has no path: e.g. https://login.example.com (the issuers add /oauth2/…)"
/// );
/// ```
///
/// # Errors
/// One line saying what is wrong, with an example.
pub fn check_host(host: &str) -> Result<(), String> {
    if host.contains("://") {
        return check_origin(host);
    }
    let url = url::Url::parse(&format!("http://{host}/")).ok();
    match url.as_ref().and_then(|u| u.host_str()) {
        // A URL lowercases its host: an issuer written otherwise would not
        // match what an app makes of it.
        Some(parsed) if parsed == host => Ok(()),
        _ => Err(format!(
            "{host:?} is neither a lowercase host name alone (e.g. localhost, 127.0.0.1) nor an origin (e.g. https://login.example.com)"
        )),
    }
}

/// The origin `host` gives, if it is one (checked by [`check_host`]).
fn origin(host: &str) -> Option<url::Url> {
    host.contains("://")
        .then(|| url::Url::parse(host).ok())
        .flatten()
}

fn check_origin(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text)
        .map_err(|e| format!("{text:?} is not an origin ({e}): e.g. https://login.example.com"))?;
    let problem = if !matches!(url.scheme(), "http" | "https") {
        "the scheme must be http or https"
    } else if !url.username().is_empty() || url.password().is_some() {
        "an origin has no user info (user@)"
    } else if url.path() != "/" {
        "an origin has no path"
    } else if url.query().is_some() {
        "an origin has no query (?)"
    } else if url.fragment().is_some() {
        "an origin has no fragment (#)"
    } else if url.host_str().is_none_or(str::is_empty) {
        "an origin has a host"
    } else {
        let written = url.origin().ascii_serialization();
        // As browsers and apps write it: a lowercase host, no default port.
        return if text.strip_suffix('/').unwrap_or(text) == written {
            Ok(())
        } else {
            Err(format!("{text:?}: write the origin as {written}"))
        };
    };
    let example = match url.host_str() {
        Some(host) if !host.is_empty() => format!("https://{host}"),
        _ => "https://login.example.com".into(),
    };
    Err(format!(
        "{text:?}: {problem}: e.g. {example} (the issuers add /oauth2/…)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_a_lowercase_name_or_an_address_alone() {
        for host in ["localhost", "okta.test", "127.0.0.1", "[::1]"] {
            assert_eq!(check_host(host), Ok(()), "{host}");
        }
        for host in [
            "",
            "okta.test:9000",
            "okta.test/x",
            "a b",
            "me@okta.test",
            "LocalHost",
        ] {
            assert!(check_host(host).is_err(), "{host}");
        }
    }

    #[test]
    fn an_origin_is_http_or_https_a_host_and_a_port_only() {
        for origin in [
            "https://login.example.com",
            "https://login.example.com/",
            "https://login.example.com:8443",
            "http://okta.test:9000",
            "http://[::1]:8081",
        ] {
            assert_eq!(check_host(origin), Ok(()), "{origin}");
        }
        let refused = [
            ("https://login.example.com/okta", "an origin has no path"),
            ("https://login.example.com?a=1", "an origin has no query"),
            ("https://login.example.com#top", "an origin has no fragment"),
            ("https://me:pw@login.example.com", "no user info"),
            (
                "ftp://login.example.com",
                "the scheme must be http or https",
            ),
            ("file:///etc", "the scheme must be http or https"),
            ("https://", "is not an origin"),
            (
                "https://Login.Example.com",
                "write the origin as https://login.example.com",
            ),
            (
                "https://login.example.com:443",
                "write the origin as https://login.example.com",
            ),
        ];
        for (origin, expected) in refused {
            let problem = check_host(origin).expect_err(origin);
            assert!(problem.contains(expected), "{origin}: {problem}");
            assert!(!problem.contains('\n'), "one line: {problem}");
        }
    }
}
