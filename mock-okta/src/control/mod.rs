//! Control of a running mock: faults on and off, users, clients and scopes
//! added, changed and removed, recorded requests read, the clock moved,
//! everything reset. [`Control`] is the one implementation;
//! [`MockOkta`](crate::MockOkta)'s methods call it from a Rust test, and
//! [`router`] serves it over HTTP under `/__mock/` on the mock's own port,
//! for test suites in any language. [`ENDPOINTS`] lists the routes; `GET
//! /__mock` answers that list.
//!
//! Users and clients are resources: `POST` to the collection adds one
//! (`201`, with a `Location`, and the resource as the mock understood it;
//! `409` if it is there already), `GET`, `PUT` (replace whole), `PATCH`
//! (change part: a JSON Merge Patch, RFC 7396) and `DELETE` (`204`) work on
//! one, named by its id (a user also by its email).
//!
//! A refused call is a 4xx with one line saying what is wrong in JSON's
//! terms and what to send: `{"error": "…"}`; a method a path lacks is a
//! `405` with `Allow`. Requests to `/__mock/` are logged, never recorded.
//! [`Builder::control_api`](crate::Builder::control_api) turns it off, for
//! a mock that looks like Okta (but for `/__mock/health`).

mod clients;
mod faults;
mod json;
mod requests;
mod servers;
mod users;

use crate::clients::Client;
use crate::error::Outcome;
use crate::faults::Fault;
use crate::grants::mint_on_request;
use crate::org::{AuthServer, Org};
use crate::record::{RecordedRequest, Recorder};
use crate::store::Kind;
use crate::token_request::{Minted, TokenRequest};
use crate::users::User;
use axum::extract::OriginalUri;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tower_http::csrf::{CsrfLayer, ProtectionError};

/// Every route of the control API: method, path and what it does. `GET
/// /__mock` answers it as JSON; the README lists the same.
pub(crate) const ENDPOINTS: &[(&str, &str, &str)] = &[
    ("GET", "/__mock", "this list (also /__mock/)"),
    (
        "GET",
        "/__mock/faults",
        "every fault: name, description, value syntax, on or off",
    ),
    (
        "POST",
        "/__mock/faults",
        "{\"fault\": \"token-slow=5s\"}: one on (the --fault syntax)",
    ),
    ("DELETE", "/__mock/faults", "every fault off"),
    (
        "DELETE",
        "/__mock/faults/NAME",
        "one off (404 if it is not on)",
    ),
    ("GET", "/__mock/users", "every user (passwords left out)"),
    (
        "POST",
        "/__mock/users",
        "{\"email\", \"password\", …}: a user added (409 if there)",
    ),
    ("GET", "/__mock/users/KEY", "one user, by email or id"),
    (
        "PUT",
        "/__mock/users/KEY",
        "the user replaced whole (its id kept)",
    ),
    (
        "PATCH",
        "/__mock/users/KEY",
        "the user changed in part (JSON Merge Patch, RFC 7396)",
    ),
    (
        "DELETE",
        "/__mock/users/KEY",
        "the user removed, its logins, codes and tokens with it",
    ),
    (
        "POST",
        "/__mock/users/KEY/lifecycle/deactivate",
        "the user deactivated: its logins, codes and tokens ended, its sign-ins refused",
    ),
    (
        "POST",
        "/__mock/users/KEY/lifecycle/activate",
        "the user activated: it may sign in again",
    ),
    ("GET", "/__mock/clients", "every client (secrets left out)"),
    (
        "POST",
        "/__mock/clients",
        "{\"id\", \"secret\", \"redirect_uris\", …}: a client added (409 if there)",
    ),
    ("GET", "/__mock/clients/ID", "one client"),
    ("PUT", "/__mock/clients/ID", "the client replaced whole"),
    (
        "PATCH",
        "/__mock/clients/ID",
        "the client changed in part (JSON Merge Patch, RFC 7396)",
    ),
    (
        "DELETE",
        "/__mock/clients/ID",
        "the client removed, its codes and tokens with it",
    ),
    (
        "GET",
        "/__mock/requests",
        "what apps sent (?path=P: to paths ending with P), with the mock's status",
    ),
    ("DELETE", "/__mock/requests", "recorded requests forgotten"),
    ("GET", "/__mock/clock", "the mock's time"),
    (
        "POST",
        "/__mock/clock",
        "{\"advance\": \"2h\"}: moved forward",
    ),
    (
        "GET",
        "/__mock/auth-servers",
        "the authorization servers: issuers, audiences, scopes",
    ),
    (
        "POST",
        "/__mock/auth-servers/NAME/scopes",
        "{\"scope\": \"messages:write\"}: a custom scope declared",
    ),
    (
        "DELETE",
        "/__mock/auth-servers/NAME/scopes/SCOPE",
        "a custom scope withdrawn",
    ),
    (
        "POST",
        "/__mock/tokens",
        "{\"subject\", \"scopes\", …}: tokens minted",
    ),
    (
        "POST",
        "/__mock/reset",
        "back to the start: users, clients, faults, scopes, clock; codes, tokens, logins and recorded requests forgotten",
    ),
];

/// A running mock's state, and what may be done to it.
#[derive(Debug)]
pub(crate) struct Control {
    pub org: Arc<Org>,
    pub recorder: Arc<Recorder>,
    /// Every authorization server: the custom ones, the one
    /// [`MockOkta::issuer`](crate::MockOkta::issuer) names first, then the
    /// org's.
    pub servers: Vec<Arc<AuthServer>>,
}

/// Why a change was refused: the one line saying so, and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// What was sent is wrong (400).
    Bad(String),
    /// What it names is not there (404).
    NotFound(String),
    /// What it adds is there already (409).
    Conflict(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Bad(line) | Problem::NotFound(line) | Problem::Conflict(line) => {
                f.write_str(line)
            }
        }
    }
}

impl Control {
    /// Switches a fault on, replacing one of its kind.
    pub(crate) fn set_fault(&self, fault: Fault) {
        self.org.set_fault(fault);
    }

    /// Switches off the fault of this kind: whether it was on.
    pub(crate) fn clear_fault(&self, fault: &Fault) -> bool {
        let on = self.org.faults().iter().any(|f| f.same_kind(fault));
        self.org.clear_fault(fault);
        on
    }

    pub(crate) fn clear_faults(&self) {
        self.org.clear_faults();
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.org.faults()
    }

    /// Adds a user, or replaces the one with its email (keeping its id),
    /// once [`User::check`] passes: whether it replaced one.
    pub(crate) fn add_user(&self, mut user: User) -> Result<bool, Problem> {
        user.check().map_err(Problem::Bad)?;
        if user.id.is_none()
            && let Some(known) = self.org.user(&user.email)
        {
            user.id = known.id;
        }
        self.org.add_user(user).map_err(Problem::Bad)
    }

    /// Adds a user that is not there yet: the user as registered.
    pub(crate) fn create_user(&self, user: User) -> Result<User, Problem> {
        user.check().map_err(Problem::Bad)?;
        let taken = self
            .org
            .user(&user.email)
            .or_else(|| user.id.as_deref().and_then(|id| self.org.user_by_id(id)));
        if let Some(known) = taken {
            return Err(Problem::Conflict(format!(
                "the user {:?} ({}) is there already: PUT /__mock/users/{} replaces it, PATCH changes part of it",
                known.email,
                known.id(),
                known.id()
            )));
        }
        let user = user.registered();
        self.org.add_user(user.clone()).map_err(Problem::Bad)?;
        Ok(user)
    }

    /// The user with this email or id.
    pub(crate) fn user(&self, key: &str) -> Result<User, Problem> {
        self.org.user_by_key(key).ok_or_else(|| {
            Problem::NotFound(format!(
                "no user has the email or id {:?}: GET /__mock/users lists them",
                crate::params::shorten(key)
            ))
        })
    }

    /// Replaces the user with this email or id by `user`, which keeps its
    /// id; or, if there is none, adds `user` if it has that email or id
    /// (RFC 9110 §9.3.4: PUT creates or replaces). The user as registered,
    /// and whether it is new.
    pub(crate) fn put_user(&self, key: &str, user: User) -> Result<(User, bool), Problem> {
        if self.org.user_by_key(key).is_some() {
            return self.replace_user(key, user).map(|user| (user, false));
        }
        if !user.is(key) {
            return Err(Problem::Bad(format!(
                "no user has the email or id {:?}, and the body names another: send the same email (or id) in both, or POST /__mock/users",
                crate::params::shorten(key)
            )));
        }
        self.create_user(user).map(|user| (user, true))
    }

    /// Replaces the user with this email or id by `user`, which keeps its
    /// id: the user as registered.
    pub(crate) fn replace_user(&self, key: &str, mut user: User) -> Result<User, Problem> {
        let known = self.user(key)?;
        match &user.id {
            Some(id) if *id != known.id() => {
                return Err(Problem::Bad(format!(
                    "id: a user's id does not change (it is {}): leave it out",
                    known.id()
                )));
            }
            _ => user.id = Some(known.id()),
        }
        user.check().map_err(Problem::Bad)?;
        let user = user.registered();
        self.org.add_user(user.clone()).map_err(Problem::Bad)?;
        Ok(user)
    }

    /// Removes a user, and with it its logins to the mock and every code
    /// and token issued to it, as deleting a user at Okta ends them.
    pub(crate) fn remove_user(&self, key: &str) -> Result<User, Problem> {
        let known = self.user(key)?;
        let id = known.id();
        self.org.remove_user(&id);
        self.end_user(&id);
        Ok(known)
    }

    /// Deactivates a user, as Okta's `POST
    /// /api/v1/users/{id}/lifecycle/deactivate` does: its logins to the
    /// mock and every code and token issued to it end (as [`remove_user`]
    /// ends them), and the login form refuses it until it is activated.
    /// The user, and whether it was active. Deactivating a deactivated
    /// user changes nothing.
    ///
    /// [`remove_user`]: Control::remove_user
    pub(crate) fn deactivate_user(&self, key: &str) -> Result<(User, bool), Problem> {
        let known = self.user(key)?;
        let id = known.id();
        let changed = self.org.set_active(&id, false);
        // Even when it was deactivated already: a code or token issued
        // while the deactivation was under way ends too.
        self.end_user(&id);
        Ok((known, changed))
    }

    /// Activates a deactivated user, as Okta's `POST
    /// /api/v1/users/{id}/lifecycle/activate` does: it may log in again
    /// (its ended logins and tokens stay ended). The user, and whether it
    /// was deactivated.
    pub(crate) fn activate_user(&self, key: &str) -> Result<(User, bool), Problem> {
        let known = self.user(key)?;
        let changed = self.org.set_active(&known.id(), true);
        Ok((known, changed))
    }

    /// Ends a user's logins to the mock, and every code and token issued
    /// to it by any authorization server.
    fn end_user(&self, id: &str) {
        self.org.logins.forget(|login| login.user_id == id);
        for server in &self.servers {
            server.forget_user(Some(id));
        }
    }

    /// Registers a client, or replaces the one with its id, once
    /// [`Client::check`] passes: whether it replaced one.
    pub(crate) fn add_client(&self, client: Client) -> Result<bool, Problem> {
        client.check().map_err(Problem::Bad)?;
        Ok(self.org.add_client(client))
    }

    /// Registers a client that is not there yet.
    pub(crate) fn create_client(&self, client: Client) -> Result<(), Problem> {
        client.check().map_err(Problem::Bad)?;
        if self.org.client(&client.id).is_some() {
            let id = crate::params::shorten(&client.id);
            return Err(Problem::Conflict(format!(
                "the client {id:?} is there already: PUT /__mock/clients/{id} replaces it, PATCH changes part of it"
            )));
        }
        self.org.add_client(client);
        Ok(())
    }

    /// The client with this id.
    pub(crate) fn client(&self, id: &str) -> Result<Client, Problem> {
        self.org.client(id).ok_or_else(|| {
            Problem::NotFound(format!(
                "no client has the id {:?}: GET /__mock/clients lists them",
                crate::params::shorten(id)
            ))
        })
    }

    /// Replaces the client with this id by `client`, of the same id, or
    /// registers it if there is none (RFC 9110 §9.3.4: PUT creates or
    /// replaces): whether it is new.
    pub(crate) fn put_client(&self, id: &str, client: Client) -> Result<bool, Problem> {
        if client.id != id {
            return Err(Problem::Bad(format!(
                "id: the path names the client {:?}: leave id out, or send the same",
                crate::params::shorten(id)
            )));
        }
        self.add_client(client).map(|replaced| !replaced)
    }

    /// Unregisters a client, and forgets every code and token issued to it.
    pub(crate) fn remove_client(&self, id: &str) -> Result<Client, Problem> {
        let known = self.client(id)?;
        self.org.remove_client(id);
        for server in &self.servers {
            server.forget_client(id);
        }
        Ok(known)
    }

    /// How many refresh tokens of the user with this email or id could be
    /// presented now, on every authorization server: not expired, revoked
    /// or rotated past their grace.
    pub(crate) fn live_refresh_tokens(&self, key: &str) -> Result<usize, Problem> {
        let id = self.user(key)?.id();
        let count = |server: &Arc<AuthServer>| {
            server.tokens.transaction(|live| {
                live.count(|t| {
                    t.kind == Kind::Refresh
                        && t.user_id.as_deref() == Some(id.as_str())
                        && live.presentable(t)
                })
            })
        };
        Ok(self.servers.iter().map(count).sum())
    }

    /// Moves the mock's clock forward.
    pub(crate) fn advance(&self, by: Duration) {
        self.org.clock.advance(by);
    }

    /// The recorded requests to paths ending with `endpoint`, oldest first.
    pub(crate) fn requests(&self, endpoint: &str) -> Vec<RecordedRequest> {
        self.recorder.to(endpoint)
    }

    pub(crate) fn clear_requests(&self) {
        self.recorder.clear();
    }

    /// Mints the tokens a test asks for, or says what is wrong with the
    /// request.
    pub(crate) fn mint(&self, request: &TokenRequest) -> Result<Minted, String> {
        mint_on_request(&self.servers, request)
    }

    /// Back to how the mock started: its users, clients, faults and
    /// scopes, its clock at the system's time; every code, token, login
    /// and recorded request forgotten.
    pub(crate) fn reset(&self) {
        self.org.reset();
        for server in &self.servers {
            server.reset();
        }
        self.recorder.clear();
    }

    /// The custom authorization server of this name.
    pub(crate) fn custom_server(&self, name: &str) -> Result<&AuthServer, Problem> {
        let path = format!("/oauth2/{name}");
        self.servers
            .iter()
            .find(|server| !server.is_org && server.metadata_path == path)
            .map(AsRef::as_ref)
            .ok_or_else(|| {
                let names: Vec<&str> = self
                    .servers
                    .iter()
                    .filter_map(|s| s.metadata_path.strip_prefix("/oauth2/"))
                    .collect();
                Problem::NotFound(format!(
                    "no custom authorization server is named {:?}: they are {} (the org's takes no custom scope)",
                    crate::params::shorten(name),
                    names.join(", ")
                ))
            })
    }
}

/// The control API's routes, one line a route.
#[rustfmt::skip]
pub(crate) fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/__mock", get(index))
        .route("/__mock/", get(index))
        .route("/__mock/faults", get(faults::list).post(faults::set).delete(faults::clear_all))
        .route("/__mock/faults/{name}", delete(faults::clear))
        .route("/__mock/users", get(users::list).post(users::create))
        .route("/__mock/users/{key}", get(users::one).put(users::replace).patch(users::change).delete(users::remove))
        .route("/__mock/users/{key}/lifecycle/deactivate", post(users::deactivate))
        .route("/__mock/users/{key}/lifecycle/activate", post(users::activate))
        .route("/__mock/clients", get(clients::list).post(clients::create))
        .route("/__mock/clients/{id}", get(clients::one).put(clients::replace).patch(clients::change).delete(clients::remove))
        .route("/__mock/requests", get(requests::list).delete(requests::clear))
        .route("/__mock/clock", get(servers::clock).post(servers::advance))
        .route("/__mock/auth-servers", get(servers::list))
        .route("/__mock/auth-servers/{name}/scopes", post(servers::declare_scope))
        .route("/__mock/auth-servers/{name}/scopes/{scope}", delete(servers::withdraw_scope))
        .route("/__mock/tokens", post(servers::mint))
        .route("/__mock/reset", post(servers::reset))
        .route("/__mock/{*rest}", any(unknown))
        .method_not_allowed_fallback(not_allowed)
        // A web page open in the same browser must not change the mock
        // (a fault switched on by a form posted from any site): a browser
        // says where a request comes from, and a change from another
        // origin is refused. curl, Python and test runners send no
        // `Origin`, and are let through.
        .layer(CsrfLayer::new().with_rejection_response(from_another_origin))
        .with_state(control)
}

/// A change asked by a page of another origin, in a browser: 403.
fn from_another_origin(_: ProtectionError) -> Response {
    let line = "changes to the mock are refused from a web page of another origin: send them from your test (curl, a test runner), which sends no Origin header";
    Refused {
        status: StatusCode::FORBIDDEN,
        line: line.into(),
        logged: None,
    }
    .into_response()
}

/// A refused call: a 4xx with one line saying what to send,
/// `{"error": "…"}`, and what the log line says of it.
#[derive(Debug)]
pub(super) struct Refused {
    status: StatusCode,
    line: String,
    /// For the log: the line, unless it may quote what was sent.
    logged: Option<&'static str>,
}

impl Refused {
    fn bad(line: impl Into<String>) -> Self {
        Refused {
            status: StatusCode::BAD_REQUEST,
            line: line.into(),
            logged: None,
        }
    }

    /// A body that is not the JSON asked for: the log line does not quote
    /// it (a secret of the wrong type, say).
    fn bad_json(line: impl Into<String>) -> Self {
        Refused {
            logged: Some("not the JSON this endpoint takes"),
            ..Refused::bad(line)
        }
    }
}

impl From<Problem> for Refused {
    fn from(problem: Problem) -> Self {
        let status = match &problem {
            Problem::Bad(_) => StatusCode::BAD_REQUEST,
            Problem::NotFound(_) => StatusCode::NOT_FOUND,
            Problem::Conflict(_) => StatusCode::CONFLICT,
        };
        Refused {
            status,
            line: problem.to_string(),
            logged: None,
        }
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let logged = self.logged.unwrap_or(&self.line);
        let outcome = Outcome::new(format!("refused: {logged}"));
        let body = Json(json!({ "error": self.line }));
        (self.status, outcome, body).into_response()
    }
}

/// `GET /__mock` and `GET /__mock/`: [`ENDPOINTS`].
async fn index() -> Json<Value> {
    let endpoints: Vec<Value> = ENDPOINTS
        .iter()
        .map(|(method, path, does)| json!({ "method": method, "path": path, "does": does }))
        .collect();
    Json(json!({ "endpoints": endpoints }))
}

/// A path under `/__mock` the control API does not have: 404.
async fn unknown(OriginalUri(uri): OriginalUri) -> Refused {
    Refused {
        status: StatusCode::NOT_FOUND,
        logged: None,
        line: format!(
            "the control API has no {}: GET /__mock lists what it has",
            crate::params::shorten(uri.path())
        ),
    }
}

/// A method a path of the control API lacks: 405, with `Allow` (added by
/// axum's router) naming those it has (RFC 9110 §15.5.6).
async fn not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> Refused {
    Refused {
        status: StatusCode::METHOD_NOT_ALLOWED,
        logged: None,
        line: format!(
            "{method} is not a method of {}: the Allow header names those it has; GET /__mock lists every route",
            crate::params::shorten(uri.path())
        ),
    }
}
