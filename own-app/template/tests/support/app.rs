//! This app, started as its binary against a mock Okta of the test's own:
//! what `login.rs` and `users.rs` share.

use mock_okta::{Client, MockOkta};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The app's process, stopped when the test ends, however it ends.
pub struct App {
    process: Child,
    /// Where it answers, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Registers the app's client at `okta`, starts the app with `vars`
/// besides the ones that point it at `okta`, and waits until its login
/// sends a browser to Okta (from stage 5 on, it first reads Okta's
/// discovery document).
pub async fn start(okta: &MockOkta, vars: &[(&str, &str)]) -> App {
    // A free port for the app: bound, read, and let go for the app to take.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    okta.add_client(
        Client::web("my-app", "my-app-secret-for-tests")
            .redirect_uri(format!("{url}/login/okta/authorized"))
            .post_logout_redirect_uri(url.clone()),
    );
    let process = Command::new(env!("CARGO_BIN_EXE_CRATE_NAME"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("APP_URL", &url)
        .env("OKTA_BASE_URL", okta.issuer())
        .env("OAUTH_CLIENT_ID", "my-app")
        .env("OAUTH_CLIENT_SECRET", "my-app-secret-for-tests")
        .env("SESSION_SECRET", "a-secret-for-tests-only-of-at-least-sixty-four-bytes-0123456789-abcdef")
        .env("RUST_LOG", "error")
        .envs(vars.iter().copied())
        .current_dir(std::env::temp_dir())
        .spawn()
        .expect("the app starts");
    let mut app = App { process, url };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let login = http.get(format!("{}/login/okta", app.url)).send().await;
        if login.is_ok_and(|answer| answer.status().is_redirection()) {
            return app;
        }
        if let Ok(Some(status)) = app.process.try_wait() {
            panic!("the app stopped at start ({status}): its line is above");
        }
        assert!(Instant::now() < deadline, "the app did not start within 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
