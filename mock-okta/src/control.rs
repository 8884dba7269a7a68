//! Control of a running mock: faults on and off, users and clients added,
//! recorded requests read, the clock moved. [`Control`] is the one
//! implementation; [`MockOkta`](crate::MockOkta)'s methods call it from a
//! Rust test, and [`router`] serves it over HTTP under `/__mock/` on the
//! mock's own port, for test suites in any language:
//!
//! ```text
//! GET    /__mock/faults              the faults on
//! POST   /__mock/faults              {"fault": "token-slow=5s"}: one on (the --fault syntax)
//! DELETE /__mock/faults/NAME         one off
//! DELETE /__mock/faults              all off
//! POST   /__mock/users               {"email", "password", "name", …}: a user added
//! POST   /__mock/clients             {"id", "secret", "redirect_uris", …}: a client added
//! GET    /__mock/requests[?path=P]   what apps sent (to paths ending with P), secrets redacted
//! DELETE /__mock/requests            forgotten
//! GET    /__mock/clock               the mock's time
//! POST   /__mock/clock               {"advance": "2h"}: moved forward
//! GET    /__mock/auth-servers        the authorization servers: issuers, audiences, scopes
//! POST   /__mock/tokens              {"subject", "scopes", …}: tokens minted (see TokenRequest)
//! ```
//!
//! Bad JSON or an unknown fault is a `400` with one line saying what to
//! send: `{"error": "…"}`. Requests to `/__mock/` are logged, never
//! recorded. [`Builder::control_api`](crate::Builder::control_api) turns it
//! off, for a mock that looks like Okta (but for `/__mock/health`).

use crate::claims::Groups;
use crate::clients::Client;
use crate::clock::{parse_span, unix};
use crate::error::Outcome;
use crate::faults::{FAULTS, Fault};
use crate::grants::mint_on_request;
use crate::org::{AuthServer, Org};
use crate::params::{Params, shorten};
use crate::record::{RecordedRequest, Recorder};
use crate::scopes::Scopes;
use crate::token_request::{Minted, TokenRequest};
use crate::users::User;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tower_http::csrf::{CsrfLayer, ProtectionError};

/// The longest span the clock moves at once over HTTP: five years, the
/// longest refresh-token lifetime Okta lets an admin set short of
/// "unlimited".
const LONGEST_ADVANCE: Duration = Duration::from_secs(1825 * 24 * 3600);

/// The parameters whose values a recorded request never shows over HTTP:
/// secrets, passwords, codes and tokens.
const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "password",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "id_token_hint",
    "token",
    "assertion",
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

impl Control {
    /// Switches a fault on, replacing one of its kind.
    pub(crate) fn set_fault(&self, fault: Fault) {
        self.org.set_fault(fault);
    }

    /// Switches off the fault of this kind.
    pub(crate) fn clear_fault(&self, fault: &Fault) {
        self.org.clear_fault(fault);
    }

    pub(crate) fn clear_faults(&self) {
        self.org.clear_faults();
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.org.faults()
    }

    /// Adds a user, or replaces the one with its email, once
    /// [`User::check`] passes.
    pub(crate) fn add_user(&self, user: User) -> Result<(), String> {
        user.check()?;
        self.org.add_user(user);
        Ok(())
    }

    /// Registers a client, or replaces the one with its id, once
    /// [`Client::check`] passes.
    pub(crate) fn add_client(&self, client: Client) -> Result<(), String> {
        client.check()?;
        self.org.add_client(client);
        Ok(())
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
}

/// The control API's routes, one line a route.
#[rustfmt::skip]
pub(crate) fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/__mock/faults", get(faults).post(set_fault).delete(clear_faults))
        .route("/__mock/faults/{name}", delete(clear_fault))
        .route("/__mock/users", post(add_user))
        .route("/__mock/clients", post(add_client))
        .route("/__mock/requests", get(requests).delete(clear_requests))
        .route("/__mock/clock", get(clock).post(advance))
        .route("/__mock/auth-servers", get(auth_servers))
        .route("/__mock/tokens", post(mint))
        .route("/__mock", any(unknown))
        .route("/__mock/{*rest}", any(unknown))
        .method_not_allowed_fallback(unknown)
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
struct Refused {
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
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let logged = self.logged.unwrap_or(&self.line);
        let outcome = Outcome::new(format!("refused: {logged}"));
        let body = Json(json!({ "error": self.line }));
        (self.status, outcome, body).into_response()
    }
}

/// A JSON body of type `T`, or the one line that says what to send. The
/// log line does not repeat serde's words: they may quote a value sent
/// (a secret of the wrong type, say).
fn body<T: DeserializeOwned>(bytes: &[u8], what_to_send: &str) -> Result<T, Refused> {
    serde_json::from_slice(bytes).map_err(|e| Refused {
        logged: Some("not the JSON this endpoint takes"),
        ..Refused::bad(format!("{e}: send {what_to_send}"))
    })
}

/// `GET /__mock/auth-servers`: every authorization server the mock
/// serves, the custom ones first (in the order they were set up) and the
/// org's last: its name (`null` for the org's), issuer, discovery
/// document, the `aud` of its access tokens, its custom scopes and whether
/// it has a `groups` claim.
async fn auth_servers(State(control): State<Arc<Control>>) -> Json<Value> {
    let servers: Vec<Value> = control
        .servers
        .iter()
        .map(|server| {
            let name = server.metadata_path.strip_prefix("/oauth2/");
            let scopes = match &server.scopes {
                Scopes::Custom(declared) => declared.clone(),
                Scopes::Org => Vec::new(),
            };
            json!({
                "name": name,
                "issuer": server.issuer,
                "discovery": format!("{}/.well-known/openid-configuration", server.issuer),
                "audience": server.audience,
                "scopes": scopes,
                "groups_claim": matches!(server.groups, Groups::Claim),
            })
        })
        .collect();
    Json(json!({ "auth_servers": servers }))
}

fn fault_list(control: &Control) -> Json<Value> {
    let on: Vec<String> = control.faults().iter().map(ToString::to_string).collect();
    Json(json!({ "faults": on }))
}

async fn faults(State(control): State<Arc<Control>>) -> Json<Value> {
    fault_list(&control)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    fault: String,
}

const SEND_FAULT: &str =
    "{\"fault\": \"NAME\"} or {\"fault\": \"NAME=VALUE\"}, e.g. {\"fault\": \"token-slow=5s\"}";

async fn set_fault(State(control): State<Arc<Control>>, bytes: Bytes) -> Result<Response, Refused> {
    let FaultBody { fault } = body(&bytes, SEND_FAULT)?;
    let fault: Fault = known(&fault)
        .and_then(|_| fault.parse())
        .map_err(Refused::bad)?;
    let outcome = Outcome::new(format!("fault {fault} on"));
    control.set_fault(fault);
    Ok((outcome, fault_list(&control)).into_response())
}

/// The fault a `NAME` or `NAME=VALUE` names, or the one line that lists
/// the names.
fn known(text: &str) -> Result<Fault, String> {
    let name = text.split_once('=').map_or(text, |(name, _)| name);
    FAULTS
        .iter()
        .find(|spec| spec.name == name)
        .map(|spec| spec.fault(Duration::ZERO))
        .ok_or_else(|| {
            let names: Vec<&str> = FAULTS.iter().map(|spec| spec.name).collect();
            format!(
                "unknown fault {:?}: the faults are {}",
                shorten(name),
                names.join(", ")
            )
        })
}

async fn clear_fault(
    State(control): State<Arc<Control>>,
    Path(name): Path<String>,
) -> Result<Response, Refused> {
    let fault = known(&name).map_err(Refused::bad)?;
    control.clear_fault(&fault);
    let outcome = Outcome::new(format!("fault {} off", fault.spec().name));
    Ok((outcome, fault_list(&control)).into_response())
}

async fn clear_faults(State(control): State<Arc<Control>>) -> Response {
    control.clear_faults();
    (Outcome::new("every fault off"), fault_list(&control)).into_response()
}

const SEND_USER: &str = "{\"email\": \"carol@example.com\", \"password\": \"carol-password\", \"name\": \"Carol Example\"} (and, if you like, groups, claims and id_token_claims)";

async fn add_user(State(control): State<Arc<Control>>, bytes: Bytes) -> Result<Response, Refused> {
    let user: User = body(&bytes, SEND_USER)?;
    let answer = json!({ "email": user.email, "sub": user.id() });
    let outcome = Outcome::new(format!("user {:?} added", user.email));
    control.add_user(user).map_err(Refused::bad)?;
    Ok((StatusCode::CREATED, outcome, Json(answer)).into_response())
}

const SEND_CLIENT: &str = "{\"id\": \"my-app\", \"secret\": \"my-secret\", \"redirect_uris\": [\"http://localhost:3000/callback\"]} (and, if you like, post_logout_redirect_uris, grant_types, require_pkce)";

async fn add_client(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let client: Client = body(&bytes, SEND_CLIENT)?;
    let answer = json!({ "id": client.id });
    let outcome = Outcome::new(format!("client {:?} added", client.id));
    control.add_client(client).map_err(Refused::bad)?;
    Ok((StatusCode::CREATED, outcome, Json(answer)).into_response())
}

async fn requests(
    State(control): State<Arc<Control>>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, Refused> {
    let params = Params::parse(query.unwrap_or_default().as_bytes())
        .ok()
        .filter(|params| params.iter().all(|(name, _)| name == "path"))
        .ok_or_else(|| {
            Refused::bad("the only parameter is path, once: e.g. /__mock/requests?path=/v1/token")
        })?;
    let path = params.get("path").unwrap_or("");
    let requests: Vec<Value> = control.requests(path).iter().map(redacted).collect();
    Ok(Json(json!({ "requests": requests })))
}

async fn clear_requests(State(control): State<Arc<Control>>) -> Response {
    control.clear_requests();
    let answer = Json(json!({ "requests": [] }));
    (Outcome::new("recorded requests forgotten"), answer).into_response()
}

/// A recorded request as JSON, with the values of secrets, passwords,
/// codes, tokens, the `Authorization` header's credentials and cookies
/// replaced by `[redacted]`.
fn redacted(request: &RecordedRequest) -> Value {
    let params = |pairs: &[(String, String)]| {
        let mut map = Map::new();
        for (name, value) in pairs {
            let shown = if SECRET_PARAMS.contains(&name.as_str()) {
                "[redacted]"
            } else {
                value
            };
            map.entry(name.clone()).or_insert_with(|| json!(shown));
        }
        Value::Object(map)
    };
    let mut headers = Map::new();
    for name in request.headers.keys() {
        let values: Vec<String> = request
            .headers
            .get_all(name)
            .iter()
            .map(|value| {
                let value = value.to_str().unwrap_or("[not ASCII]");
                if *name == header::AUTHORIZATION {
                    let scheme = value.split(' ').next().unwrap_or("");
                    format!("{scheme} [redacted]")
                } else if *name == header::COOKIE {
                    "[redacted]".to_string()
                } else {
                    value.to_string()
                }
            })
            .collect();
        headers.insert(name.to_string(), json!(values.join(", ")));
    }
    let at = request
        .at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    json!({
        "method": request.method.as_str(),
        "path": request.path,
        "query": params(&request.query),
        "form": params(&request.form),
        "headers": headers,
        "at_ms": at,
        "status": request.status.map(|status| status.as_u16()),
        "cut_bytes": request.cut_bytes,
    })
}

fn clock_state(control: &Control) -> Json<Value> {
    let clock = &control.org.clock;
    Json(json!({ "now": unix(clock.now()), "ahead_seconds": clock.ahead().as_secs() }))
}

async fn clock(State(control): State<Arc<Control>>) -> Json<Value> {
    clock_state(&control)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    advance: String,
}

const SEND_ADVANCE: &str = "{\"advance\": \"2h\"}: a span such as 30s, 15m, 2h or 8d, at most 1825d (the clock only moves forward)";

async fn advance(State(control): State<Arc<Control>>, bytes: Bytes) -> Result<Response, Refused> {
    let AdvanceBody { advance } = body(&bytes, SEND_ADVANCE)?;
    let shown = shorten(&advance);
    let by = parse_span(&advance, LONGEST_ADVANCE)
        .ok_or_else(|| Refused::bad(format!("{shown:?} is not a span: send {SEND_ADVANCE}")))?;
    control.advance(by);
    let outcome = Outcome::new(format!("clock moved {shown}"));
    Ok((outcome, clock_state(&control)).into_response())
}

/// `POST /__mock/tokens`: the tokens and their claims, or one line saying
/// what to send. The log line names what was minted and for whom, never a
/// token.
async fn mint(State(control): State<Arc<Control>>, bytes: Bytes) -> Result<Response, Refused> {
    let request = TokenRequest::from_json(&bytes).map_err(|line| Refused {
        logged: Some("not the JSON this endpoint takes"),
        ..Refused::bad(line)
    })?;
    let minted = control.mint(&request).map_err(Refused::bad)?;
    let kinds = [
        ("access token", &minted.access_token),
        ("ID token", &minted.id_token),
    ];
    let kinds: Vec<&str> = kinds
        .iter()
        .filter(|(_, t)| t.is_some())
        .map(|(k, _)| *k)
        .collect();
    let outcome = Outcome::new(format!(
        "minted {} for {:?}",
        kinds.join(" and "),
        shorten(&request.subject)
    ));
    Ok((outcome, Json(minted)).into_response())
}

/// Any other path or method under `/__mock`.
async fn unknown() -> Refused {
    Refused {
        status: StatusCode::NOT_FOUND,
        logged: None,
        line: "the control API has GET, POST and DELETE /__mock/faults, DELETE /__mock/faults/NAME, POST /__mock/users, POST /__mock/clients, GET and DELETE /__mock/requests, GET and POST /__mock/clock, POST /__mock/tokens".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_line_of_bad_json_never_quotes_what_was_sent() {
        let sent = br#"{"email": "c@example.com", "name": "C", "password": 98765}"#;
        let refused = body::<User>(sent, SEND_USER).expect_err("a number is no password");
        assert!(
            refused.line.contains("98765"),
            "the caller is told: {}",
            refused.line
        );
        let response = refused.into_response();
        let logged = response.extensions().get::<Outcome>().expect("an outcome");
        assert_eq!(logged.as_str(), "refused: not the JSON this endpoint takes");
    }
}
