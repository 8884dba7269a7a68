//! The HTML a person sees from the mock itself: its pages' shell, escaped
//! text, the login page, and the error page for requests that must not be
//! redirected.

use crate::error::{OAuthError, Outcome};
use crate::params::Params;
use crate::users::User;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page of the mock's own, in Okta's plain style, with no outside assets.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - mock-okta</title><style>\
         body{{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0}}\
         main{{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border:1px solid #ddd;border-radius:6px}}\
         h1{{font-size:1.3rem}} label{{display:block;margin:.8rem 0 .2rem}}\
         input[type=text],input[type=password]{{width:100%;padding:.5rem;box-sizing:border-box}}\
         button{{margin-top:1rem;padding:.5rem 1rem}} .error{{color:#b00020}} .note{{color:#666;font-size:.85rem}}\
         </style></head><body><main>\n<p class=\"note\">mock-okta: an offline stand-in for Okta</p>\n\
         <h1>{title}</h1>\n{body}\n</main></body></html>\n",
        title = escape(title),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// An error the mock shows as a page: for requests that must not be sent
/// back to an unchecked redirect URI.
pub(crate) fn error_page(error: &OAuthError) -> Response {
    let body = format!(
        "<p data-mock-okta=\"error-code\">Error code: <code>{}</code></p>\n<p data-mock-okta=\"error-description\">{}</p>",
        error.error,
        escape(&error.description)
    );
    let reason = error.status.canonical_reason().unwrap_or("Error");
    let title = format!("{} {reason}", error.status.as_u16());
    (error.outcome(), page(error.status, &title, &body)).into_response()
}

/// The login form of `/v1/authorize`: the request's parameters as hidden
/// fields, the username asked for (`login_hint`) or typed, and the test
/// users; with `error`, the form again after a wrong password.
pub(crate) fn login_page(
    params: &Params,
    users: &[User],
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let hidden: String = params
        .iter()
        .filter(|(name, _)| !["username", "password", "action"].contains(name))
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" data-mock-okta=\"error\">{}</p>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let username = escape(
        params
            .get("username")
            .or(params.get("login_hint"))
            .unwrap_or(""),
    );
    let users: String = users
        .iter()
        .map(|u| {
            format!(
                "<li><code>{}</code> / <code>{}</code></li>",
                escape(&u.email),
                escape(&u.password)
            )
        })
        .collect();
    let body = format!(
        "{error}<form method=\"post\" action=\"authorize\" data-mock-okta=\"login-form\">\n{hidden}\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" value=\"{username}\" autofocus>\n\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\n\
         <button type=\"submit\" name=\"action\" value=\"login\" data-mock-okta=\"sign-in\">Sign in</button>\n\
         <button type=\"submit\" name=\"action\" value=\"deny\" data-mock-okta=\"deny\">Deny</button>\n</form>\n\
         <p class=\"note\">Test users (username / password):</p><ul class=\"note\">{users}</ul>"
    );
    let outcome = if error.is_empty() {
        "login page"
    } else {
        "wrong username or password"
    };
    (Outcome::new(outcome), page(status, "Sign In", &body)).into_response()
}
