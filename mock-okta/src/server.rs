//! The server: [`MockOkta`], a running mock org, and the [`Builder`] that
//! starts one; its router puts the two authorization servers, the recorder
//! and the log together.

use crate::clients::{Client, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID};
use crate::control::{self, Control};
use crate::faults::Fault;
use crate::org::{AuthServer, CustomServer, Org};
use crate::record::{RecordedRequest, Recorder, log, record};
use crate::routes;
use crate::scopes::{self, DEFAULT_CUSTOM_SCOPE};
use crate::users::User;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

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
    control: Arc<Control>,
    control_api: bool,
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

    /// The `aud` of the custom authorization server's access tokens, e.g.
    /// `api://default`: the `API_AUDIENCE` of an API that takes them.
    pub fn audience(&self) -> &str {
        &self.custom.audience
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

    /// Registers another client (or replaces one with the same id), for
    /// both authorization servers; as `POST /__mock/clients` does.
    ///
    /// # Panics
    /// When [`Client::check`] refuses it (say, a redirect URI that is not
    /// an absolute URL), with what it says.
    pub fn add_client(&self, client: Client) {
        if let Err(problem) = self.control.add_client(client) {
            panic!("MockOkta::add_client: {problem}");
        }
    }

    /// Adds a user (or replaces one with the same email); as
    /// `POST /__mock/users` does.
    ///
    /// # Panics
    /// When [`User::check`] refuses it (say, an email without `@`), with
    /// what it says.
    pub fn add_user(&self, user: User) {
        if let Err(problem) = self.control.add_user(user) {
            panic!("MockOkta::add_user: {problem}");
        }
    }

    /// Switches a fault on, on both authorization servers; as
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

    /// Every request received so far (the latest [`RECORD_LIMIT`](crate::RECORD_LIMIT)), oldest first.
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
    clients: Vec<Client>,
    users: Vec<User>,
    faults: Vec<Fault>,
    control_api: bool,
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
            clients: vec![
                Client::workbook(),
                Client::service(DEFAULT_SERVICE_CLIENT_ID, DEFAULT_CLIENT_SECRET),
            ],
            users: User::defaults(),
            faults: Vec::new(),
            control_api: true,
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
    /// paths are Okta's 404, and the mock looks exactly like Okta.
    pub fn control_api(mut self, on: bool) -> Self {
        self.control_api = on;
        self
    }

    /// Binds the port and serves both authorization servers in the
    /// background.
    ///
    /// # Errors
    /// The port cannot be bound; or (`InvalidInput`, with what the check
    /// says) the custom authorization server's name is not one
    /// ([`check_auth_server_name`]), the host is not a host name
    /// ([`check_host`]), a client or a user is refused by
    /// [`Client::check`] or [`User::check`], a declared scope is not a scope
    /// token of its own, or the audience is empty.
    pub async fn start(self) -> std::io::Result<MockOkta> {
        check_auth_server_name(&self.auth_server)
            .map_err(|problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem))?;
        if let Some(host) = &self.host {
            check_host(host).map_err(|problem| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, problem)
            })?;
        }
        let invalid = |problem| std::io::Error::new(std::io::ErrorKind::InvalidInput, problem);
        for scope in &self.scopes {
            scopes::check(scope).map_err(|problem| invalid(format!("scope: {problem}")))?;
        }
        let audience = self
            .audience
            .clone()
            .unwrap_or_else(|| format!("api://{}", self.auth_server));
        if audience.is_empty() || audience.chars().any(char::is_control) {
            return Err(invalid(format!(
                "audience: {audience:?} is not an audience: e.g. api://default"
            )));
        }
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
        let host = self.host.clone().unwrap_or_else(|| match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        });
        let base = format!("http://{host}:{}", addr.port());
        let org = Arc::new(Org::new(base, self.clients, self.users, self.faults));
        let setup = CustomServer {
            name: self.auth_server,
            audience,
            scopes: self.scopes,
            groups_claim: self.groups_claim,
        };
        let custom = Arc::new(AuthServer::custom(org.clone(), &setup));
        let org_server = Arc::new(AuthServer::org(org.clone()));
        let control = Arc::new(Control {
            org,
            recorder: Arc::new(Recorder::default()),
            servers: vec![custom.clone(), org_server.clone()],
        });
        let app = router([custom.clone(), org_server], &control, self.control_api);
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
            control,
            control_api: self.control_api,
            custom,
            addr,
            stop: Some(stop),
        })
    }
}

/// Both authorization servers' routes and an Okta-shaped 404 for the
/// rest, every request recorded; the control API beside them, unrecorded,
/// when it is on; and one log line per request.
fn router(servers: [Arc<AuthServer>; 2], control: &Arc<Control>, control_api: bool) -> Router {
    let okta = servers
        .into_iter()
        .fold(Router::new(), |app, server| {
            app.merge(routes::auth_server(server))
        })
        .fallback(routes::not_found)
        .layer(from_fn_with_state(control.recorder.clone(), record));
    let app = if control_api {
        control::router(control.clone()).merge(okta)
    } else {
        okta
    };
    app.layer(from_fn(log))
}

/// Checks the name of a custom authorization server: the issuer is
/// `{base}/oauth2/{name}`, so it must be a path segment (letters, digits,
/// `-`, `_`), and not `v1`, where the org authorization server's endpoints
/// live (`{base}/oauth2/v1/…`).
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

/// Checks a host name for the issuers (`localhost`, `okta.test`,
/// `127.0.0.1`, `[::1]`): a host alone, in lowercase, no scheme, port or
/// path.
///
/// # Errors
/// One line saying what is wrong, with an example.
pub fn check_host(host: &str) -> Result<(), String> {
    let url = url::Url::parse(&format!("http://{host}/")).ok();
    match url.as_ref().and_then(|u| u.host_str()) {
        // A URL lowercases its host: an issuer written otherwise would not
        // match what an app makes of it.
        Some(parsed) if parsed == host => Ok(()),
        _ => Err(format!(
            "{host:?} is not a lowercase host name alone: e.g. localhost, 127.0.0.1 (no scheme, port or path)"
        )),
    }
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
            "http://okta.test",
            "a b",
            "me@okta.test",
            "LocalHost",
        ] {
            assert!(check_host(host).is_err(), "{host}");
        }
    }
}
