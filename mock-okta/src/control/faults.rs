//! `/__mock/faults`: faults on and off, and the catalogue of them all.

use super::json::body;
use super::{Control, Refused};
use crate::error::Outcome;
use crate::faults::{FAULTS, Fault};
use crate::params::shorten;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The faults on, as `--fault` writes them: `{"faults": ["token-slow=5000ms"]}`.
fn on(control: &Control) -> Json<Value> {
    let on: Vec<String> = control.faults().iter().map(ToString::to_string).collect();
    Json(json!({ "faults": on }))
}

/// `GET /__mock/faults`: those on (`faults`, as `--fault` writes them), and
/// every fault the mock has (`catalogue`): its name, what it does, how to
/// write it (`token-slow=DURATION`), and how it is set if it is on (`null`
/// if off).
pub(super) async fn list(State(control): State<Arc<Control>>) -> Json<Value> {
    let faults = control.faults();
    let catalogue: Vec<Value> = FAULTS
        .iter()
        .map(|spec| {
            let set = faults
                .iter()
                .find(|fault| fault.spec().name == spec.name)
                .map(ToString::to_string);
            json!({
                "name": spec.name,
                "description": spec.help,
                "syntax": spec.usage(),
                "on": set.is_some(),
                "set": set,
            })
        })
        .collect();
    let Json(mut answer) = on(&control);
    answer["catalogue"] = json!(catalogue);
    Json(answer)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    fault: String,
}

const SEND_FAULT: &str =
    "{\"fault\": \"NAME\"} or {\"fault\": \"NAME=VALUE\"}, e.g. {\"fault\": \"token-slow=5s\"}";

/// `POST /__mock/faults`: one on, replacing one of its kind.
pub(super) async fn set(
    State(control): State<Arc<Control>>,
    bytes: Bytes,
) -> Result<Response, Refused> {
    let FaultBody { fault } = body(&bytes, SEND_FAULT)?;
    let fault: Fault = known(&fault)
        .and_then(|_| fault.parse())
        .map_err(Refused::bad)?;
    let outcome = Outcome::new(format!("fault {fault} on"));
    control.set_fault(fault);
    Ok((outcome, on(&control)).into_response())
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

/// `DELETE /__mock/faults/NAME`: one off; `404` if it was not on.
pub(super) async fn clear(
    State(control): State<Arc<Control>>,
    Path(name): Path<String>,
) -> Result<Response, Refused> {
    let fault = known(&name).map_err(Refused::bad)?;
    let name = fault.spec().name;
    if !control.clear_fault(&fault) {
        let Json(on) = on(&control);
        return Err(Refused {
            status: StatusCode::NOT_FOUND,
            line: format!(
                "the fault {name} is not on: the faults on are {}",
                on["faults"]
            ),
            logged: None,
        });
    }
    let outcome = Outcome::new(format!("fault {name} off"));
    Ok((outcome, on(&control)).into_response())
}

/// `DELETE /__mock/faults`: every fault off.
pub(super) async fn clear_all(State(control): State<Arc<Control>>) -> Response {
    control.clear_faults();
    (Outcome::new("every fault off"), on(&control)).into_response()
}
