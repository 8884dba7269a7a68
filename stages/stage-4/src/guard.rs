//! One guard for the whole site: a middleware that lets a request through
//! only for a logged-in user, and sends anyone else to the login, which
//! comes back to the page they asked for. This is the tutorial's
//! `before_request` hook; `lib.rs` decides which routes it covers.
//!
//! An expired access token counts as logged out.

use crate::error::AppError;
use crate::okta::LOGIN_PATH;
use crate::session::logged_in_user;
use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

// ANCHOR: require_login
/// Runs before every guarded handler. A logged-in user goes on, with the
/// [`LoggedInUser`](crate::session::LoggedInUser) put in the request for
/// the handler; anyone else is sent to the login.
pub async fn require_login(session: Session, mut request: Request, next: Next) -> Response {
    match logged_in_user(&session).await {
        Ok(Some(user)) => {
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        Ok(None) => to_login(request.uri()).into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
// ANCHOR_END: require_login

/// A redirect to the login, which comes back to `uri` afterwards.
pub fn to_login(uri: &Uri) -> Redirect {
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("{LOGIN_PATH}?next={next}"))
}
