//! What the stage tests share: start a stage against its own mock Okta, on
//! free ports of 127.0.0.1, and drive it with mock-okta's test browser.
//!
//! ```no_run
//! # async fn story() {
//! use stage_tests::{Stage, TestApp};
//! let app = TestApp::start(Stage::Four).await;
//! let page = app.log_in_as_alice("/user").await;
//! assert!(page.body.contains("You are logged in as alice@example.com"));
//! # }
//! ```

use axum::Router;
use mock_okta::{Browser, Client, MockOkta, Page};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Alice, one of mock-okta's built-in users.
pub const ALICE: (&str, &str) = ("alice@example.com", "alice-password");
/// The client the tests register with the mock.
pub const CLIENT_ID: &str = "0oa-stage-tests";
/// Its secret.
pub const CLIENT_SECRET: &str = "stage-tests-secret-0123456789";
/// The session cookie of every stage.
pub const SESSION_COOKIE: &str = "workbook_session";

/// A stage with a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Log in with Okta.
    Two,
    /// Protect routes by hand.
    Three,
    /// One global guard.
    Four,
}

/// Every stage with a login.
pub const STAGES: [Stage; 3] = [Stage::Two, Stage::Three, Stage::Four];
/// The stages that protect pages.
pub const PROTECTING: [Stage; 2] = [Stage::Three, Stage::Four];

/// A stage running against its own mock Okta, and a browser.
#[derive(Debug)]
pub struct TestApp {
    /// Which stage.
    pub stage: Stage,
    /// `APP_URL`, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub url: String,
    /// The mock Okta this stage logs in with.
    pub okta: MockOkta,
    /// A browser with an empty cookie jar.
    pub browser: Browser,
}

// ANCHOR: start
impl TestApp {
    /// Starts `stage` against a fresh mock, with a 2-second IdP timeout.
    pub async fn start(stage: Stage) -> TestApp {
        let okta = MockOkta::start().await.expect("the mock starts");
        TestApp::start_with(stage, okta, Duration::from_secs(2), &[]).await
    }

    /// Starts `stage` against `okta`, with settings added to (or replacing)
    /// the test's own.
    pub async fn start_with(
        stage: Stage,
        okta: MockOkta,
        idp_timeout: Duration,
        settings: &[(&str, &str)],
    ) -> TestApp {
        capture_logs();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("bound").port()
        );
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{url}/login/okta/authorized"))
                .post_logout_redirect_uri(url.clone()),
        );
        let mut vars: Vec<(String, String)> = vec![
            ("APP_URL".into(), url.clone()),
            ("OKTA_BASE_URL".into(), okta.issuer().into()),
            ("OAUTH_CLIENT_ID".into(), CLIENT_ID.into()),
            ("OAUTH_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
        ];
        for (name, value) in settings {
            vars.retain(|(n, _)| n != name);
            vars.push((name.to_string(), value.to_string()));
        }
        let router = router(stage, &vars, idp_timeout);
        tokio::spawn(async move { axum::serve(listener, router).await });
        TestApp {
            stage,
            url,
            okta,
            browser: Browser::new(),
        }
    }
    // ANCHOR_END: start

    /// A URL of the app.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Opens `path`, logs in as alice at the mock, and follows the way
    /// back. Stage 2 protects nothing, so there the login is started by hand.
    pub async fn log_in_as_alice(&self, path: &str) -> Page {
        let start = if self.stage == Stage::Two {
            "/login/okta"
        } else {
            path
        };
        self.browser.log_in(&self.at(start), ALICE.0, ALICE.1).await
    }

    /// Starts a login and signs in at the mock (unless the mock remembers
    /// the browser's login, as Okta does), but stops before the app's
    /// callback: returns the callback URL Okta sent the browser to.
    pub async fn callback_url(&self) -> url::Url {
        let to_okta = self.browser.get(&self.at("/login/okta")).await;
        let authorize = to_okta.location().expect("/login/okta redirects to Okta");
        let at_okta = self.browser.get(authorize.as_str()).await;
        let back = if at_okta.is_login_page() {
            self.browser
                .post_login_form(&at_okta, "login", ALICE.0, ALICE.1)
                .await
        } else {
            at_okta
        };
        let location = back.location().expect("the mock redirects back to the app");
        assert!(
            location
                .as_str()
                .starts_with(&self.at("/login/okta/authorized")),
            "{location}"
        );
        location
    }

    /// The email `/` shows as logged in, if any, without following
    /// redirects (a protecting stage redirects a stranger to the login).
    pub async fn logged_in_email(&self) -> Option<String> {
        let home = self.browser.get(&self.at("/")).await;
        let marker = "You are logged in as ";
        let start = home.body.find(marker)? + marker.len();
        let end = start + home.body[start..].find('<')?;
        Some(home.body[start..end].to_string())
    }
}

/// The stage's router, configured through its own `Config::from_lookup`.
fn router(stage: Stage, vars: &[(String, String)], idp_timeout: Duration) -> Router {
    let lookup = |name: &str| vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    match stage {
        Stage::Two => {
            let mut config =
                stage_2::config::Config::from_lookup(lookup).expect("a valid test config");
            config.idp_timeout = idp_timeout;
            stage_2::app(config)
        }
        Stage::Three => {
            let mut config =
                stage_3::config::Config::from_lookup(lookup).expect("a valid test config");
            config.idp_timeout = idp_timeout;
            stage_3::app(config)
        }
        Stage::Four => {
            let mut config =
                stage_4::config::Config::from_lookup(lookup).expect("a valid test config");
            config.idp_timeout = idp_timeout;
            stage_4::app(config)
        }
    }
}

/// The router of a stage, for tests that send it requests in-process.
pub fn router_for(stage: Stage, settings: &[(&str, &str)]) -> Router {
    let vars: Vec<(String, String)> = settings
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    router(stage, &vars, Duration::from_secs(2))
}

static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let logs = LOGS.get_or_init(Default::default);
        logs.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stderr().write_all(bytes)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends every log line of this test process (apps and mocks alike, at
/// `debug` and above) to a buffer that [`captured_logs`] returns, so a test
/// can check that no secret is ever logged. Set `TEST_LOG=1` to see them on
/// the terminal as well.
fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .try_init();
    });
}

/// Everything logged so far by this test process.
pub fn captured_logs() -> String {
    let logs = LOGS.get_or_init(Default::default);
    String::from_utf8_lossy(&logs.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}
