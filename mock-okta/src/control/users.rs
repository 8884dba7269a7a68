//! `/__mock/users`: the people who can log in, added, read, replaced,
//! changed and removed.

use super::json::{body, object, patched};
use super::{Control, Refused};
use crate::error::Outcome;
use crate::users::User;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

const SEND_USER: &str = "{\"email\": \"carol@example.com\", \"password\": \"carol-password\"} (and, if you like, name, id, groups, claims and id_token_claims)";

const SEND_CHANGE: &str = "the fields to change, e.g. {\"email\": \"carol@example.org\"} or {\"groups\": [\"admins\"]} (null removes one)";

/// A user as the mock keeps it, as JSON: its id, email, name, groups (the
/// ones given: every user is in `Everyone` too), claims and ID-token
/// claims; never its password.
fn view(user: &User) -> Value {
    json!({
        "id": user.id(),
        "email": user.email,
        "name": user.name,
        "groups": user.groups,
        "claims": user.claims,
        "id_token_claims": user.id_token_claims,
    })
}

/// `GET /__mock/users`: every user, in the order they were added.
pub(super) async fn list(State(control): State<Arc<Control>>) -> Json<Value> {
    let users: Vec<Value> = control.org.users().iter().map(view).collect();
    Json(json!({ "users": users }))
}

/// `POST /__mock/users`: a user added; `201` with the user as registered
/// (its id, the `sub` of its tokens) and where it lives; `409` if its
/// email or id is taken.
pub(super) async fn create(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let user: User = body(&bytes, SEND_USER)?;
    let user = control.create_user(user)?;
    let outcome = Outcome::new(format!("user {:?} added", user.email));
    let location = format!("/__mock/users/{}", user.id());
    let headers = [(header::LOCATION, location)];
    Ok((StatusCode::CREATED, outcome, headers, Json(view(&user))).into_response())
}

/// `GET /__mock/users/KEY`: one user, by email or id.
pub(super) async fn one(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
) -> Result<Json<Value>, Refused> {
    Ok(Json(view(&control.user(&key)?)))
}

/// `PUT /__mock/users/KEY`: the user replaced whole (fields left out take
/// their defaults; its id stays), `200`; or added, `201`, if none has that
/// email or id and the body does: what a test's set-up sends every time.
pub(super) async fn replace(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let user: User = body(&bytes, SEND_USER)?;
    let (user, new) = control.put_user(&key, user)?;
    let (status, done) = if new {
        (StatusCode::CREATED, "added")
    } else {
        (StatusCode::OK, "replaced")
    };
    let outcome = Outcome::new(format!("user {:?} {done}", user.email));
    Ok((status, outcome, Json(view(&user))).into_response())
}

/// `PATCH /__mock/users/KEY`: the fields sent changed (a JSON Merge Patch,
/// RFC 7396), the others kept. A new email keeps the user's id: the same
/// user, as at Okta.
pub(super) async fn change(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let patch = object(&bytes, SEND_CHANGE)?;
    let known = control.user(&key)?;
    let user: User = patched(&known, &patch, SEND_CHANGE)?;
    let user = control.replace_user(&key, user)?;
    let outcome = Outcome::new(format!("user {:?} changed", user.email));
    Ok((outcome, Json(view(&user))).into_response())
}

/// `DELETE /__mock/users/KEY`: the user removed, and with it its logins to
/// the mock and every code and token issued to it: `204`.
pub(super) async fn remove(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
) -> Result<Response, Refused> {
    let user = control.remove_user(&key)?;
    let outcome = Outcome::new(format!("user {:?} removed", user.email));
    Ok((StatusCode::NO_CONTENT, outcome, ()).into_response())
}
