//! A real browser: headless Chromium, driven through ChromeDriver with
//! fantoccini (WebDriver), logs in to the last stage against the mock, and
//! out again; and is turned away when it presses "Deny". Where Chromium or
//! ChromeDriver is missing, the test says so on the terminal and does not
//! run (CI requires both: `WORKBOOK_REQUIRE_SERVICES=1`).
//!
//! With `WORKBOOK_SCREENSHOTS=book/src/images`, it also takes the book's
//! screenshots: the mock's login page, the home page, the error page.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use stage_tests::services::{available, restartable_port};
use stage_tests::{ALICE, Stage, TestApp};

/// The stage a real browser is driven through: the last, with every layer.
const LAST: Stage = Stage::Ten;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL: &str =
    "Install Chromium and ChromeDriver (Debian/Ubuntu: `apt-get install chromium chromium-driver`)";

/// ChromeDriver on a free port, and the profile folder of its Chromium:
/// stopped, and removed, when dropped.
struct ChromeDriver(Child, u16, std::path::PathBuf);

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.2);
    }
}

/// A headless Chromium with an empty profile, or `None` (having said why)
/// when it is not installed.
async fn chromium() -> Option<(Client, ChromeDriver)> {
    if !available("chromium", INSTALL) || !available("chromedriver", INSTALL) {
        return None;
    }
    let port = restartable_port();
    let mut command = Command::new("chromedriver");
    let child =
        command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let profile =
        std::env::temp_dir().join(format!("workbook-chromium-{}-{port}", std::process::id()));
    let driver = ChromeDriver(child.expect("chromedriver starts"), port, profile.clone());
    // As root in a container Chromium needs --no-sandbox; the rest keeps it
    // off the network it has no business with (this machine's is closed).
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=900,700",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.1))
            .await;
        match connected {
            Ok(client) => return Some((client, driver)),
            Err(e) => assert!(Instant::now() < deadline, "no Chromium session: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Saves a screenshot for the book, when asked to.
async fn screenshot(browser: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("WORKBOOK_SCREENSHOTS") {
        let png = browser.screenshot().await.expect("a screenshot");
        std::fs::write(std::path::Path::new(&dir).join(name), png)
            .expect("the screenshot is saved");
    }
}

/// Waits until the page shows `text` (through navigations: a page between
/// two may have no body yet); returns the page's text.
async fn shows(browser: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut body = String::new();
    while Instant::now() < deadline {
        if let Ok(element) = browser.find(Locator::Css("body")).await {
            body = element.text().await.unwrap_or_default();
            if body.contains(text) {
                return body;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page never showed {text:?}: {body}");
}

/// Fills in the mock's login form as alice, then presses `button`
/// (`sign-in` or `deny`).
async fn sign_in(browser: &Client, button: &str) {
    shows(browser, "Sign in").await;
    for (field, text) in [("username", ALICE.0), ("password", ALICE.1)] {
        let input = browser.find(Locator::Id(field)).await.expect("a field of the form");
        input.send_keys(text).await.expect("typed");
    }
    click(browser, &format!("[data-mock-okta=\"{button}\"]")).await;
}

/// Clicks the element `css` selects.
async fn click(browser: &Client, css: &str) {
    let element = browser.find(Locator::Css(css)).await.expect("the element to click");
    element.click().await.expect("clicked");
}

#[tokio::test]
async fn chromium_logs_in_and_out_again() {
    let Some((browser, _driver)) = chromium().await else { return };
    let app = TestApp::start(LAST).await;
    browser.goto(&app.at("/user")).await.expect("the app opens");
    shows(&browser, "Sign in").await;
    screenshot(&browser, "mock-login.png").await;
    sign_in(&browser, "sign-in").await;
    shows(&browser, "You are logged in as alice@example.com").await;
    assert_eq!(
        browser.current_url().await.expect("a URL").path(),
        "/user",
        "back where it started"
    );
    browser.goto(&app.at("/")).await.expect("home");
    shows(&browser, "You are logged in as alice@example.com").await;
    screenshot(&browser, "home.png").await;

    click(&browser, "[data-action=\"logout\"]").await;
    // The logout page's script posts its form to Okta's logout at once (the
    // page's Content-Security-Policy allows it by its hash). Okta ends its
    // session too, and sends the browser back: the home page sends it on
    // to the login, where the mock asks again.
    shows(&browser, "Sign in").await;
    let logouts = app.okta.requests_to("/v1/logout");
    assert_eq!(logouts.len(), 1, "Okta's logout was called");
    assert_eq!(logouts[0].method, "POST", "by the form");
    assert!(logouts[0].param("id_token_hint").is_some(), "with the ID token");
    // The login form after it is a new login's, which the app started.
    let paths: Vec<String> = app.okta.requests().into_iter().map(|r| r.path).collect();
    let logout = paths.iter().rposition(|p| p.ends_with("/v1/logout")).expect("a logout");
    let again = paths[logout..].iter().any(|p| p.ends_with("/v1/authorize"));
    assert!(again, "a new login after the logout: {paths:?}");
    browser.goto(&app.at("/")).await.expect("home");
    shows(&browser, "Sign in").await;
    browser.close().await.expect("closed");
}

#[tokio::test]
async fn chromium_pressing_deny_gets_a_page_that_says_so() {
    let Some((browser, _driver)) = chromium().await else { return };
    let app = TestApp::start(LAST).await;
    browser.goto(&app.at("/")).await.expect("the app opens");
    sign_in(&browser, "deny").await;
    let page = shows(&browser, "The login did not work").await;
    assert!(page.contains("Nothing was shared with this app"), "{page}");
    screenshot(&browser, "access-denied.png").await;
    browser.close().await.expect("closed");
}
