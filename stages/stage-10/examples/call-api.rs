//! A service calls stage 10's API: it asks Okta for an access token with
//! the client credentials grant (RFC 6749 §4.4), for the custom scope
//! `messages:read`, then calls `GET /api/messages` with it, and prints the
//! answer. No user, no browser, no session.
//!
//! With the mock and stage 10 running (`cargo run -p mock-okta`,
//! `cargo run -p stage-10`):
//!
//! ```text
//! cargo run -p stage-10 --example call-api
//! ```
//!
//! Settings, from `.env` in the folder it runs in (as the stages read it)
//! and the environment, which wins (defaults: the local mock's): the custom
//! authorization server's issuer `OKTA_BASE_URL`, the service's own Okta
//! app `SERVICE_CLIENT_ID` and `SERVICE_CLIENT_SECRET` (an "API Services"
//! app in Okta), and where the API is, `APP_URL`.

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match call_api().await {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: call_api
/// The API's answer: its status line and body.
async fn call_api() -> Result<String, String> {
    read_dot_env()?;
    let setting = |name: &str, default: &str| std::env::var(name).unwrap_or(default.into());
    let issuer = setting("OKTA_BASE_URL", "http://localhost:8081/oauth2/default");
    let id = setting("SERVICE_CLIENT_ID", "0oa-workbook-service");
    let secret = setting("SERVICE_CLIENT_SECRET", "workbook-secret-for-the-local-mock-only");
    let app_url = setting("APP_URL", "http://localhost:8080");

    let token_url = TokenUrl::new(format!("{}/v1/token", issuer.trim_end_matches('/')))
        .map_err(|e| format!("OKTA_BASE_URL={issuer:?} is not a URL: {e}"))?;
    let client = BasicClient::new(ClientId::new(id))
        .set_client_secret(ClientSecret::new(secret))
        .set_token_uri(token_url);
    // Redirects off: the client secret goes to the token endpoint only.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let token = client
        .exchange_client_credentials()
        .add_scope(Scope::new("messages:read".into()))
        .request_async(&http)
        .await
        .map_err(|e| format!("Okta gave no access token: {e:?}"))?;

    let answer = http
        .get(format!("{}/api/messages", app_url.trim_end_matches('/')))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .map_err(|e| format!("the API cannot be reached at {app_url}: {e}"))?;
    let status = answer.status();
    let body = answer.text().await.map_err(|e| e.to_string())?;
    Ok(format!("{status}\n{body}"))
}
// ANCHOR_END: call_api

/// Reads `.env` into the environment, as the stages do, if there is one:
/// a variable already set wins. A line that is not `NAME=value` is an
/// error that says where, never what (it may hold a secret).
fn read_dot_env() -> Result<(), String> {
    match dotenvy::dotenv() {
        Err(e) if !e.not_found() => {
            let why = match e {
                dotenvy::Error::LineParse(_, at) => format!("not NAME=value at character {at}"),
                e => e.to_string(),
            };
            Err(format!(".env cannot be read ({why}): fix it, or remove .env"))
        }
        _ => Ok(()),
    }
}
