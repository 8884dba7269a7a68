//! The check each protected page makes, as an axum extractor: a handler that
//! takes a [`LoggedInUser`] runs only for a logged-in user. For anyone else
//! the extractor answers instead, with a redirect to the login that
//! remembers the page they asked for. This is the tutorial's
//!
//! ```python
//! if not okta_blueprint.session.token:
//!     return redirect(url_for("okta.login"))
//! ```
//!
//! except that an expired token counts as logged out too.

use crate::error::AppError;
use crate::okta::LOGIN_PATH;
use crate::session::{LoggedInUser, logged_in_user};
use axum::extract::FromRequestParts;
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

// ANCHOR: extractor
impl<S: Send + Sync> FromRequestParts<S> for LoggedInUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let session =
            Session::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match logged_in_user(&session).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(to_login(&parts.uri).into_response()),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}
// ANCHOR_END: extractor

/// A redirect to the login, which comes back to `uri` afterwards.
pub fn to_login(uri: &Uri) -> Redirect {
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("{LOGIN_PATH}?next={next}"))
}
