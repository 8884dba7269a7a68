//! `/__mock/users`: the people who can log in, added, read, replaced,
//! changed, removed, deactivated and activated.
//!
//! A user's `status` is Okta's: `ACTIVE`, or `DEPROVISIONED` (what Okta's
//! Users API calls a user the Admin Console shows as "Deactivated"). As at
//! Okta, it is read-only in the user's JSON and changes by a lifecycle
//! operation, `POST /__mock/users/KEY/lifecycle/deactivate` or
//! `…/activate`, the paths of Okta's own (`POST
//! /api/v1/users/{id}/lifecycle/deactivate`): an action with effects
//! beyond the user's fields (its logins and tokens end), not a field a
//! `PUT` of a user read earlier would set back by accident.

use super::json::{object, patched, typed};
use super::{Control, Refused};
use crate::error::Outcome;
use crate::org::Org;
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
/// ones given: every user is in `Everyone` too), claims, ID-token claims
/// and status (`ACTIVE` or `DEPROVISIONED`); never its password.
fn view(org: &Org, user: &User) -> Value {
    json!({
        "id": user.id(),
        "email": user.email,
        "name": user.name,
        "groups": user.groups,
        "claims": user.claims,
        "id_token_claims": user.id_token_claims,
        "status": status(org.is_active(&user.id())),
    })
}

/// Okta's name of a user's status.
fn status(active: bool) -> &'static str {
    if active { "ACTIVE" } else { "DEPROVISIONED" }
}

/// A body without its `status`, which is read-only: the user's own status
/// (`now`), as a user read and sent back carries it, is let through;
/// another is refused with the line naming the lifecycle operation.
fn without_status(mut body: Value, now: &str) -> Result<Value, Refused> {
    let sent = body
        .as_object_mut()
        .and_then(|fields| fields.remove("status"));
    match sent {
        Some(sent) if sent != now => Err(Refused::bad(format!(
            "status: {} is not the user's status ({now:?}), and it is read-only: POST /__mock/users/KEY/lifecycle/deactivate or /lifecycle/activate changes it, as at Okta; leave it out",
            crate::params::shorten(&sent.to_string())
        ))),
        _ => Ok(body),
    }
}

/// `GET /__mock/users`: every user, in the order they were added.
pub(super) async fn list(State(control): State<Arc<Control>>) -> Json<Value> {
    let users: Vec<Value> = control
        .org
        .users()
        .iter()
        .map(|user| view(&control.org, user))
        .collect();
    Json(json!({ "users": users }))
}

/// `POST /__mock/users`: a user added; `201` with the user as registered
/// (its id, the `sub` of its tokens) and where it lives; `409` if its
/// email or id is taken.
pub(super) async fn create(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let sent = without_status(object(&bytes, SEND_USER)?, status(true))?;
    let user: User = typed(sent, SEND_USER)?;
    let user = control.create_user(user)?;
    let outcome = Outcome::new(format!("user {:?} added", user.email));
    let location = format!("/__mock/users/{}", user.id());
    let headers = [(header::LOCATION, location)];
    let view = view(&control.org, &user);
    Ok((StatusCode::CREATED, outcome, headers, Json(view)).into_response())
}

/// `GET /__mock/users/KEY`: one user, by email or id.
pub(super) async fn one(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
) -> Result<Json<Value>, Refused> {
    Ok(Json(view(&control.org, &control.user(&key)?)))
}

/// `PUT /__mock/users/KEY`: the user replaced whole (fields left out take
/// their defaults; its id stays), `200`; or added, `201`, if none has that
/// email or id and the body does: what a test's set-up sends every time.
pub(super) async fn replace(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let active = control
        .org
        .user_by_key(&key)
        .is_none_or(|known| control.org.is_active(&known.id()));
    let sent = without_status(object(&bytes, SEND_USER)?, status(active))?;
    let user: User = typed(sent, SEND_USER)?;
    let (user, new) = control.put_user(&key, user)?;
    let (status, done) = if new {
        (StatusCode::CREATED, "added")
    } else {
        (StatusCode::OK, "replaced")
    };
    let outcome = Outcome::new(format!("user {:?} {done}", user.email));
    Ok((status, outcome, Json(view(&control.org, &user))).into_response())
}

/// `PATCH /__mock/users/KEY`: the fields sent changed (a JSON Merge Patch,
/// RFC 7396), the others kept. A new email keeps the user's id: the same
/// user, as at Okta.
pub(super) async fn change(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let known = control.user(&key)?;
    let now = status(control.org.is_active(&known.id()));
    let patch = without_status(object(&bytes, SEND_CHANGE)?, now)?;
    let user: User = patched(&known, &patch, SEND_CHANGE)?;
    let user = control.replace_user(&key, user)?;
    let outcome = Outcome::new(format!("user {:?} changed", user.email));
    Ok((outcome, Json(view(&control.org, &user))).into_response())
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

/// `POST /__mock/users/KEY/lifecycle/deactivate`: the user deactivated,
/// as Okta's lifecycle operation of that path does: its logins to the
/// mock and every code and token issued to it end (refresh `invalid_grant`,
/// userinfo `401`, introspection inactive), and the login form refuses it.
/// `200` with the user (`"status": "DEPROVISIONED"`), also when it was
/// deactivated already.
pub(super) async fn deactivate(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
) -> Result<Response, Refused> {
    let (user, changed) = control.deactivate_user(&key)?;
    let done = if changed {
        "deactivated"
    } else {
        "deactivated already"
    };
    let outcome = Outcome::new(format!("user {:?} {done}", user.email));
    Ok((outcome, Json(view(&control.org, &user))).into_response())
}

/// `POST /__mock/users/KEY/lifecycle/activate`: the user activated (Okta's
/// operation of that path): it may sign in again. `200` with the user
/// (`"status": "ACTIVE"`), also when it was active already.
pub(super) async fn activate(
    State(control): State<Arc<Control>>,
    Path(key): Path<String>,
) -> Result<Response, Refused> {
    let (user, changed) = control.activate_user(&key)?;
    let done = if changed {
        "activated"
    } else {
        "active already"
    };
    let outcome = Outcome::new(format!("user {:?} {done}", user.email));
    Ok((outcome, Json(view(&control.org, &user))).into_response())
}
