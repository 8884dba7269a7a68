//! `/v1/keys`: the JSON Web Key Set that verifies the mock's tokens.

use crate::{Fault, Shared};
use axum::Json;
use axum::extract::State;
use jsonwebtoken::jwk::JwkSet;
use std::sync::Arc;

pub(super) async fn keys(State(shared): State<Arc<Shared>>) -> Json<JwkSet> {
    Json(shared.keys.jwks(shared.has_fault(&Fault::RotateKeys)))
}
