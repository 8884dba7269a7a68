//! `/__mock/clients`: the applications registered, added, read, replaced,
//! changed and removed.

use super::json::{object, patched, typed};
use super::{Control, Refused};
use crate::clients::Client;
use crate::error::Outcome;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

const SEND_CLIENT: &str = "{\"id\": \"my-app\", \"secret\": \"my-secret\", \"redirect_uris\": [\"http://localhost:3000/callback\"]} (and, if you like, post_logout_redirect_uris, grant_types, require_pkce; no secret: a public client)";

const SEND_CHANGE: &str = "the fields to change, e.g. {\"redirect_uris\": [\"http://localhost:3000/callback\"]} (null removes one)";

/// A client as the mock understood it, as JSON: its id, whether it is
/// public (no secret), how it authenticates at the token endpoint
/// (RFC 7591 §2 `token_endpoint_auth_method` names), its URIs, grant types
/// and whether it must use PKCE; never its secret.
fn view(client: &Client) -> Value {
    let public = client.secret.is_none();
    let auth: &[&str] = if public {
        &["none"]
    } else {
        &["client_secret_basic", "client_secret_post"]
    };
    json!({
        "id": client.id,
        "public": public,
        "token_endpoint_auth_methods": auth,
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "grant_types": client.grant_types,
        "require_pkce": client.require_pkce,
    })
}

/// A client from a body; `id` may be left out when the path names it.
fn client_from(bytes: &[u8], id: Option<&str>) -> Result<Client, Refused> {
    let mut fields = object(bytes, SEND_CLIENT)?;
    if let (Some(id), Some(fields)) = (id, fields.as_object_mut()) {
        fields.entry("id").or_insert_with(|| json!(id));
    }
    typed(fields, SEND_CLIENT)
}

/// `GET /__mock/clients`: every client, in the order they were registered.
pub(super) async fn list(State(control): State<Arc<Control>>) -> Json<Value> {
    let clients: Vec<Value> = control.org.clients().iter().map(view).collect();
    Json(json!({ "clients": clients }))
}

/// `POST /__mock/clients`: a client registered; `201` with the client as
/// the mock understood it and where it lives; `409` if its id is taken.
pub(super) async fn create(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let client = client_from(&bytes, None)?;
    control.create_client(client.clone())?;
    let outcome = Outcome::new(format!("client {:?} added", client.id));
    let location = format!("/__mock/clients/{}", client.id);
    let headers = [(header::LOCATION, location)];
    Ok((StatusCode::CREATED, outcome, headers, Json(view(&client))).into_response())
}

/// `GET /__mock/clients/ID`: one client.
pub(super) async fn one(
    State(control): State<Arc<Control>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Refused> {
    Ok(Json(view(&control.client(&id)?)))
}

/// `PUT /__mock/clients/ID`: the client replaced whole (fields left out
/// take their defaults), `200`; or registered, `201`, if there was none:
/// what a test's set-up sends every time.
pub(super) async fn replace(
    State(control): State<Arc<Control>>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let client = client_from(&bytes, Some(&id))?;
    let (status, done) = if control.put_client(&id, client.clone())? {
        (StatusCode::CREATED, "added")
    } else {
        (StatusCode::OK, "replaced")
    };
    let outcome = Outcome::new(format!("client {:?} {done}", client.id));
    Ok((status, outcome, Json(view(&client))).into_response())
}

/// `PATCH /__mock/clients/ID`: the fields sent changed (a JSON Merge
/// Patch, RFC 7396), the others kept. A change of `secret` that does not
/// set `require_pkce` lets it follow the secret again (a client made
/// public must use PKCE).
pub(super) async fn change(
    State(control): State<Arc<Control>>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let mut patch = object(&bytes, SEND_CHANGE)?;
    if let Some(fields) = patch.as_object_mut()
        && fields.contains_key("secret")
        && !fields.contains_key("require_pkce")
    {
        fields.insert("require_pkce".into(), Value::Null);
    }
    let known = control.client(&id)?;
    let client: Client = patched(&known, &patch, SEND_CHANGE)?;
    control.put_client(&id, client.clone())?;
    let outcome = Outcome::new(format!("client {:?} changed", client.id));
    Ok((outcome, Json(view(&client))).into_response())
}

/// `DELETE /__mock/clients/ID`: the client unregistered, and every code
/// and token issued to it forgotten: `204`.
pub(super) async fn remove(
    State(control): State<Arc<Control>>,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let client = control.remove_client(&id)?;
    let outcome = Outcome::new(format!("client {:?} removed", client.id));
    Ok((StatusCode::NO_CONTENT, outcome, ()).into_response())
}
