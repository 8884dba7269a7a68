//! The authorization servers and the mock as a whole: their list, custom
//! scopes declared and withdrawn, the clock, tokens minted, a reset.

use super::json::body;
use super::{Control, Problem, Refused};
use crate::claims::Groups;
use crate::clock::{parse_span, unix};
use crate::error::Outcome;
use crate::org::AuthServer;
use crate::params::shorten;
use crate::scopes::Scopes;
use crate::token_request::TokenRequest;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The longest span the clock moves at once over HTTP: five years, the
/// longest refresh-token lifetime Okta lets an admin set short of
/// "unlimited".
const LONGEST_ADVANCE: Duration = Duration::from_secs(1825 * 24 * 3600);

/// One authorization server as JSON: its name (`null` for the org's),
/// issuer, discovery document, the `aud` of its access tokens, its custom
/// scopes and whether it has a `groups` claim.
fn view(server: &AuthServer) -> Value {
    json!({
        "name": server.metadata_path.strip_prefix("/oauth2/"),
        "issuer": server.issuer,
        "discovery": format!("{}/.well-known/openid-configuration", server.issuer),
        "audience": server.audience,
        "scopes": server.scopes.declared(),
        "groups_claim": matches!(server.groups, Groups::Claim),
    })
}

/// `GET /__mock/auth-servers`: every authorization server the mock
/// serves, the custom ones first (in the order they were set up) and the
/// org's last.
pub(super) async fn list(State(control): State<Arc<Control>>) -> Json<Value> {
    let servers: Vec<Value> = control.servers.iter().map(|s| view(s)).collect();
    Json(json!({ "auth_servers": servers }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeBody {
    scope: String,
}

const SEND_SCOPE: &str = "{\"scope\": \"messages:write\"}";

/// `POST /__mock/auth-servers/NAME/scopes`: a custom scope declared on a
/// custom authorization server, as its admin does in Okta's console;
/// `201` with the server, or `200` if it was declared already.
pub(super) async fn declare_scope(
    State(control): State<Arc<Control>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let server = control.custom_server(&name)?;
    let ScopeBody { scope } = body(&bytes, SEND_SCOPE)?;
    let Scopes::Custom(declared) = &server.scopes else {
        unreachable!("custom_server finds custom servers only")
    };
    let new = declared
        .declare(&scope)
        .map_err(|problem| Refused::bad(format!("scope: {problem}")))?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let outcome = Outcome::new(format!("scope {scope} declared on {name}"));
    Ok((status, outcome, Json(view(server))).into_response())
}

/// `DELETE /__mock/auth-servers/NAME/scopes/SCOPE`: a custom scope
/// withdrawn; `404` if it was not declared.
pub(super) async fn withdraw_scope(
    State(control): State<Arc<Control>>,
    Path((name, scope)): Path<(String, String)>,
) -> Result<Response, Refused> {
    let server = control.custom_server(&name)?;
    let Scopes::Custom(declared) = &server.scopes else {
        unreachable!("custom_server finds custom servers only")
    };
    if !declared.withdraw(&scope) {
        return Err(Problem::NotFound(format!(
            "the scope {:?} is not declared on {name}: it has {}",
            shorten(&scope),
            declared.list().join(", ")
        ))
        .into());
    }
    let outcome = Outcome::new(format!("scope {scope} withdrawn from {name}"));
    Ok((outcome, Json(view(server))).into_response())
}

fn clock_state(control: &Control) -> Json<Value> {
    let clock = &control.org.clock;
    Json(json!({ "now": unix(clock.now()), "ahead_seconds": clock.ahead().as_secs() }))
}

/// `GET /__mock/clock`: the mock's time (seconds since the Unix epoch)
/// and how far ahead of the system's it is.
pub(super) async fn clock(State(control): State<Arc<Control>>) -> Json<Value> {
    clock_state(&control)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    advance: String,
}

const SEND_ADVANCE: &str = "{\"advance\": \"2h\"}: a span such as 30s, 15m, 2h or 8d, at most 1825d (the clock only moves forward)";

/// `POST /__mock/clock`: the clock moved forward.
pub(super) async fn advance(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
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
pub(super) async fn mint(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let request = TokenRequest::from_json(&bytes).map_err(Refused::bad_json)?;
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

/// `POST /__mock/reset`: back to how the mock started, for the next test
/// of a suite that shares one mock. Answers what it now has.
pub(super) async fn reset(State(control): State<Arc<Control>>) -> Response {
    control.reset();
    let users: Vec<String> = control.org.users().into_iter().map(|u| u.email).collect();
    let clients: Vec<String> = control.org.clients().into_iter().map(|c| c.id).collect();
    let faults: Vec<String> = control.faults().iter().map(ToString::to_string).collect();
    let answer = json!({ "users": users, "clients": clients, "faults": faults });
    (Outcome::new("reset to the start"), Json(answer)).into_response()
}
