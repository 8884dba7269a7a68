//! A test of your own app against mock-okta, written as you would write it
//! in your own project: it uses only `mock-okta`'s library, `tokio` and
//! `axum`. Here "your app" is the workbook's stage 4 (`stage_4::app`); in
//! your project, it is yours, configured the way yours is.

// ANCHOR: own_app
use mock_okta::{Browser, Client, MockOkta};

#[tokio::test]
async fn alice_logs_in_to_my_app() -> Result<(), Box<dyn std::error::Error>> {
    // A mock Okta of this test's own, on a free port of 127.0.0.1.
    let okta = MockOkta::start().await?;
    // Port 0: the system picks a free port, so tests that run at once
    // never collide. The app's URL is known once it is bound.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let app_url = format!("http://{}", listener.local_addr()?);
    // The app's client at Okta, with its redirect URI.
    let callback = format!("{app_url}/login/okta/authorized");
    okta.add_client(Client::web("my-app", "my-app-secret").redirect_uri(callback));
    // The app, configured as in production, but with the mock as its Okta.
    let config = stage_4::config::Config::from_lookup(|name| match name {
        "APP_URL" => Some(app_url.clone()),
        "OKTA_BASE_URL" => Some(okta.issuer().to_string()),
        "OAUTH_CLIENT_ID" => Some("my-app".into()),
        "OAUTH_CLIENT_SECRET" => Some("my-app-secret".into()),
        _ => None,
    })?;
    tokio::spawn(async move { axum::serve(listener, stage_4::app(config)).await });

    // A browser opens the app, is sent to the mock, logs in as alice and
    // comes back.
    let browser = Browser::new();
    let page = browser.log_in(&format!("{app_url}/"), "alice@example.com", "alice-password").await;
    assert!(page.body.contains("You are logged in as alice@example.com"), "{}", page.body);
    // What the app sent Okta: one code traded for tokens, with PKCE.
    let traded = okta.requests_to("/v1/token");
    assert_eq!(traded.len(), 1);
    assert!(traded[0].param("code_verifier").is_some());
    Ok(())
}
// ANCHOR_END: own_app
