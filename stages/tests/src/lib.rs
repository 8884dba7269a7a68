//! What the stage tests share: start a stage against its own mock Okta, on
//! free ports of 127.0.0.1, and drive it with mock-okta's test browser.
//!
//! ```no_run
//! # async fn story() {
//! use stage_tests::{Stage, TestApp, assert_logged_in_as};
//! let app = TestApp::start(Stage::Four).await;
//! let page = app.log_in_as_alice("/user").await;
//! assert_logged_in_as(&page, "alice@example.com", Stage::Four);
//! # }
//! ```

pub mod binary;
pub mod services;

use axum::Router;
use mock_okta::{Browser, Client, MockOkta, Page};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Alice, one of mock-okta's built-in users.
pub const ALICE: (&str, &str) = ("alice@example.com", "alice-password");
/// Bob, the other built-in user: in the Okta group `admins`.
pub const BOB: (&str, &str) = ("bob@example.com", "bob-password");
/// The client the tests register with the mock.
pub const CLIENT_ID: &str = "0oa-stage-tests";
/// Its secret.
pub const CLIENT_SECRET: &str = "stage-tests-secret-0123456789";

/// A stage with a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Log in with Okta.
    Two,
    /// Protect routes by hand.
    Three,
    /// One global guard.
    Four,
    /// Who logged in: OpenID Connect.
    Five,
    /// Many instances: sessions in Redis.
    Six,
    /// Staying logged in: refresh tokens.
    Seven,
    /// Ready for the internet.
    Eight,
    /// Who may do what: roles from Okta groups.
    Nine,
    /// Protect an API.
    Ten,
}

use Stage::{Eight, Five, Four, Nine, Seven, Six, Ten, Three, Two};

/// Every stage with a login.
pub const STAGES: [Stage; 9] = [Two, Three, Four, Five, Six, Seven, Eight, Nine, Ten];
/// The stages that protect pages.
pub const PROTECTING: [Stage; 8] = [Three, Four, Five, Six, Seven, Eight, Nine, Ten];
/// The stages with a logout.
pub const LOGGING_OUT: [Stage; 7] = [Four, Five, Six, Seven, Eight, Nine, Ten];
/// The stages of plain OAuth 2.0: Okta's endpoints built from the issuer,
/// and the email fetched from userinfo at every login.
pub const OAUTH: [Stage; 3] = [Two, Three, Four];
/// The stages of OpenID Connect: discovery, and a validated ID token.
pub const OPENID: [Stage; 6] = [Five, Six, Seven, Eight, Nine, Ten];
/// The stages whose login ends with the access token (no refresh).
pub const ACCESS_TOKEN_ENDS_LOGIN: [Stage; 5] = [Two, Three, Four, Five, Six];
/// The stages that refresh the access token.
pub const REFRESHING: [Stage; 4] = [Seven, Eight, Nine, Ten];
/// The stages that keep sessions in Redis when `REDIS_URL` is set.
pub const REDIS: [Stage; 5] = [Six, Seven, Eight, Nine, Ten];
/// The stages ready for the internet: health checks, limits, headers.
pub const INTERNET: [Stage; 3] = [Eight, Nine, Ten];
/// The stages whose `SESSION_SECRET` can change without logging anyone
/// out (`SESSION_SECRET_FALLBACKS`).
pub const ROTATING_SECRETS: [Stage; 3] = [Eight, Nine, Ten];
/// The stages with roles from Okta groups.
pub const ROLES: [Stage; 2] = [Nine, Ten];
/// The stages with an API that takes access tokens.
pub const API: [Stage; 1] = [Ten];

/// The times a test may shorten.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long the app waits for Okta.
    pub idp_timeout: Duration,
    /// How long a session lasts after its last request.
    pub idle_limit: Duration,
    /// How long a request may take in all (stage 8).
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers (stage 8).
    pub header_timeout: Duration,
    /// How long a stop waits for the requests in flight (stage 8).
    pub shutdown_grace: Duration,
}

impl Default for Timing {
    /// 2 seconds for Okta (the mock answers at once), 8 hours idle, and
    /// stage 8's own limits otherwise.
    fn default() -> Timing {
        Timing {
            idp_timeout: Duration::from_secs(2),
            idle_limit: Duration::from_secs(8 * 3600),
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

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
        TestApp::start_with(stage, okta, Timing::default(), &[]).await
    }

    /// Starts `stage` against `okta`, with settings added to (or replacing)
    /// the test's own.
    pub async fn start_with(
        stage: Stage,
        okta: MockOkta,
        timing: Timing,
        settings: &[(&str, &str)],
    ) -> TestApp {
        let mut vars = vec![
            ("OKTA_BASE_URL", okta.issuer()),
            ("OAUTH_CLIENT_ID", CLIENT_ID),
            ("OAUTH_CLIENT_SECRET", CLIENT_SECRET),
        ];
        for (name, value) in settings {
            vars.retain(|(n, _)| n != name);
            vars.push((name, value));
        }
        let url = serve(stage, &vars, timing).await;
        okta.add_client(
            Client::web(CLIENT_ID, CLIENT_SECRET)
                .redirect_uri(format!("{url}/login/okta/authorized"))
                .post_logout_redirect_uri(url.clone()),
        );
        TestApp { stage, url, okta, browser: Browser::new() }
    }
    // ANCHOR_END: start

    /// A URL of the app.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The browser's session cookie for this app, if it has one.
    pub fn session_id(&self) -> Option<String> {
        self.browser.cookie("127.0.0.1", &session_cookie(&self.url))
    }

    /// Opens `path`, logs in as alice at the mock, and follows the way
    /// back. Stage 2 protects nothing, so there the login is started by hand.
    pub async fn log_in_as_alice(&self, path: &str) -> Page {
        self.log_in_as(path, ALICE).await
    }

    /// [`TestApp::log_in_as_alice`], as `(email, password)`.
    pub async fn log_in_as(&self, path: &str, (email, password): (&str, &str)) -> Page {
        let start = if self.stage == Two { "/login/okta" } else { path };
        self.browser.log_in(&self.at(start), email, password).await
    }

    /// Starts a login, and comes back to the app's callback with its state
    /// and Okta's `error` and `error_description` (RFC 6749 §4.1.2.1), as
    /// Okta would, without going to Okta.
    pub async fn callback_with_error(&self, error: &str, description: &str) -> Page {
        let to_okta = self.browser.get(&self.at("/login/okta")).await;
        let authorize = to_okta.location().expect("/login/okta redirects to Okta");
        let state = authorize.query_pairs().find(|(name, _)| name == "state").expect("a state").1;
        let mut back = url::Url::parse(&self.at("/login/okta/authorized")).expect("a URL");
        back.query_pairs_mut()
            .append_pair("state", &state)
            .append_pair("error", error)
            .append_pair("error_description", description);
        self.browser.get(back.as_str()).await
    }

    /// Starts a login and signs in at the mock (unless the mock remembers
    /// the browser's login, as Okta does), but stops before the app's
    /// callback: returns the callback URL Okta sent the browser to.
    pub async fn callback_url(&self) -> url::Url {
        let to_okta = self.browser.get(&self.at("/login/okta")).await;
        let authorize = to_okta.location().expect("/login/okta redirects to Okta");
        let at_okta = self.browser.get(authorize.as_str()).await;
        let back = if at_okta.is_login_page() {
            self.browser.post_login_form(&at_okta, "login", ALICE.0, ALICE.1).await
        } else {
            at_okta
        };
        let location = back.location().expect("the mock redirects back to the app");
        assert!(location.as_str().starts_with(&self.at("/login/okta/authorized")), "{location}");
        location
    }

    /// The email `/` shows as logged in, if any, without following
    /// redirects (a protecting stage redirects a stranger to the login).
    pub async fn logged_in_email(&self) -> Option<String> {
        let home = self.browser.get(&self.at("/")).await;
        logged_in_as(&home).map(String::from)
    }
}

/// The `id` of the logout page's form, which posts the ID token to Okta's
/// logout (stages 4 on).
pub const OKTA_LOGOUT_FORM: &str = "okta-logout";

/// A form of a page, as a browser reads it: how and where it is sent,
/// and its hidden fields.
#[derive(Debug, Clone)]
pub struct Form {
    /// Its `method`, in lower case (`get` when it names none).
    pub method: String,
    /// Its `action`, resolved against the page's URL.
    pub action: url::Url,
    /// Its hidden inputs' names and values, unescaped, in order.
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The form of `page` whose tag has `id="{id}"`, if there is one.
    pub fn of(page: &Page, id: &str) -> Option<Form> {
        let at = page.body.find(&format!(" id=\"{id}\""))?;
        let start = page.body[..at].rfind("<form")?;
        let tag_end = start + page.body[start..].find('>')?;
        let end = tag_end + page.body[tag_end..].find("</form>")?;
        let tag = &page.body[start..tag_end];
        let method = attribute(tag, "method").unwrap_or_else(|| "get".into()).to_lowercase();
        let action = page.url.join(&attribute(tag, "action").unwrap_or_default()).ok()?;
        let fields = page.body[tag_end..end]
            .split("<input")
            .skip(1)
            .filter_map(|input| input.split('>').next())
            .filter(|input| attribute(input, "type").as_deref() == Some("hidden"))
            .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value")?)))
            .collect();
        Some(Form { method, action, fields })
    }

    /// The value of its hidden field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Presses its button, as a browser that runs no script does: its
    /// fields posted to its action; then follows the redirects.
    pub async fn submit(&self, browser: &Browser) -> Page {
        assert_eq!(self.method, "post", "the test browser submits only posted forms");
        let fields: Vec<(&str, &str)> =
            self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        browser.follow(browser.post_form(self.action.as_str(), &fields).await).await
    }
}

/// The value of the double-quoted attribute `name` in `tag`, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(html_escape::decode_html_entities(&tag[start..end]).into_owned())
}

/// The form of `page` that ends the login at Okta; panics, showing the
/// page, when it has none.
#[track_caller]
pub fn okta_logout_form(page: &Page) -> Form {
    Form::of(page, OKTA_LOGOUT_FORM).unwrap_or_else(|| {
        panic!("no form to Okta's logout on {} {}: {}", page.status, page.url, page.body)
    })
}

/// What every stage's pages say before the email of the user logged in.
const LOGGED_IN_AS: &str = "You are logged in as ";

/// The email `page` says is logged in, if it says so.
pub fn logged_in_as(page: &Page) -> Option<&str> {
    let start = page.body.find(LOGGED_IN_AS)? + LOGGED_IN_AS.len();
    let end = start + page.body[start..].find('<')?;
    Some(&page.body[start..end])
}

/// Asserts that `page` says "You are logged in as `email`"; if not, the
/// panic names `context` (the stage, say) and shows the page.
#[track_caller]
pub fn assert_logged_in_as(page: &Page, email: &str, context: impl std::fmt::Debug) {
    assert!(
        page.body.contains(&format!("{LOGGED_IN_AS}{email}")),
        "{context:?}: the page does not say \"{LOGGED_IN_AS}{email}\": {}",
        page.body
    );
}

pub use {stage_2, stage_3, stage_4, stage_5, stage_6, stage_7, stage_8, stage_9, stage_10};

/// Runs `$body` with `$krate` naming `$stage`'s crate (`stage_2` …
/// `stage_8`): the stages' types differ, so each gets its own copy.
#[macro_export]
macro_rules! with_stage {
    ($stage:expr, |$krate:ident| $body:expr) => {
        match $stage {
            $crate::Stage::Two => {
                use $crate::stage_2 as $krate;
                $body
            }
            $crate::Stage::Three => {
                use $crate::stage_3 as $krate;
                $body
            }
            $crate::Stage::Four => {
                use $crate::stage_4 as $krate;
                $body
            }
            $crate::Stage::Five => {
                use $crate::stage_5 as $krate;
                $body
            }
            $crate::Stage::Six => {
                use $crate::stage_6 as $krate;
                $body
            }
            $crate::Stage::Seven => {
                use $crate::stage_7 as $krate;
                $body
            }
            $crate::Stage::Eight => {
                use $crate::stage_8 as $krate;
                $body
            }
            $crate::Stage::Nine => {
                use $crate::stage_9 as $krate;
                $body
            }
            $crate::Stage::Ten => {
                use $crate::stage_10 as $krate;
                $body
            }
        }
    };
}

/// What a stage's `Config::from_lookup` made of `vars`: the stage's own
/// config, seen through what every stage has in common.
#[derive(Debug, Clone)]
pub struct ConfigSeen {
    /// `Debug` of the whole config, to check that no secret shows.
    pub debug: String,
    /// `APP_URL`, parsed.
    pub app_url: String,
    /// The issuer, as the stage keeps it.
    pub issuer: String,
    /// `config.endpoint("token")` (stages 5 on find it by discovery).
    pub token_endpoint: Option<String>,
    /// Where it listens.
    pub listen_addr: String,
    /// `OAUTH_CLIENT_ID`, or the default.
    pub client_id: String,
}

/// `stage`'s configuration from `vars` alone (nothing from the
/// environment), or its one-line error.
pub fn config_of(stage: Stage, vars: &[(&str, &str)]) -> Result<ConfigSeen, String> {
    let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    macro_rules! seen {
        ($c:ident, $token_endpoint:expr, $listen_addr:expr) => {
            ConfigSeen {
                debug: format!("{:?}", $c),
                app_url: $c.app_url.to_string(),
                issuer: $c.issuer.clone(),
                token_endpoint: $token_endpoint,
                listen_addr: $listen_addr,
                client_id: $c.client_id.to_string(),
            }
        };
    }
    match stage {
        Two => stage_2::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, Some(c.endpoint("token")), c.listen_addr())),
        Three => stage_3::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, Some(c.endpoint("token")), c.listen_addr())),
        Four => stage_4::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, Some(c.endpoint("token")), c.listen_addr())),
        Five => {
            stage_5::config::Config::from_lookup(lookup).map(|c| seen!(c, None, c.listen_addr()))
        }
        // Stages 6 on have LISTEN_ADDR.
        Six => stage_6::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, None, c.listen_addr.clone())),
        Seven => stage_7::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, None, c.listen_addr.clone())),
        Eight => stage_8::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, None, c.listen_addr.clone())),
        Nine => stage_9::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, None, c.listen_addr.clone())),
        Ten => stage_10::config::Config::from_lookup(lookup)
            .map(|c| seen!(c, None, c.listen_addr.clone())),
    }
}

/// A stage's `Config`, read by its own `Config::from_lookup` from `vars`,
/// with the times `timing` shortens.
macro_rules! configured {
    ($krate:ident, $vars:expr, $timing:expr) => {{
        let lookup = |name: &str| $vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let mut config = $krate::config::Config::from_lookup(lookup).expect("a valid test config");
        config.idp_timeout = $timing.idp_timeout;
        config.idle_limit = $timing.idle_limit;
        config
    }};
}

/// The `Config` of a stage from 8 on, with its own limits from `timing` too.
macro_rules! served {
    ($krate:ident, $vars:expr, $timing:expr) => {{
        let mut config = configured!($krate, $vars, $timing);
        config.request_timeout = $timing.request_timeout;
        config.header_timeout = $timing.header_timeout;
        config.shutdown_grace = $timing.shutdown_grace;
        config
    }};
}

/// The stage's router.
fn router(stage: Stage, vars: &[(String, String)], timing: Timing) -> Router {
    match stage {
        Eight => stage_8::app(served!(stage_8, vars, timing)),
        Nine => stage_9::app(served!(stage_9, vars, timing)),
        Ten => stage_10::app(served!(stage_10, vars, timing)),
        _ => with_stage!(stage, |krate| krate::app(configured!(krate, vars, timing))),
    }
}

/// Serves `stage` on a free port of 127.0.0.1, configured with `settings`
/// and `APP_URL` set to where it listens; returns that URL (no trailing
/// slash) once the app is ready (stages 5 on find Okta in the background).
pub async fn serve(stage: Stage, settings: &[(&str, &str)], timing: Timing) -> String {
    let url = serve_now(stage, settings, timing).await;
    wait_until_ready(stage, &url).await;
    url
}

/// [`serve`], without waiting for the stage to be ready.
pub async fn serve_now(stage: Stage, settings: &[(&str, &str)], timing: Timing) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let instance = Instance::spawn(listener, stage, settings, timing);
    let url = instance.url.clone();
    std::mem::forget(instance.stop); // serves until the test ends
    url
}

/// A stage served on a listener until [`Instance::stop`].
#[derive(Debug)]
pub struct Instance {
    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Instance {
    /// Serves `stage` on `listener`, configured with `settings`; `APP_URL`
    /// is where it listens unless `settings` say otherwise.
    pub fn spawn(
        listener: tokio::net::TcpListener,
        stage: Stage,
        settings: &[(&str, &str)],
        timing: Timing,
    ) -> Instance {
        capture_logs();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().expect("bound").port());
        let mut vars: Vec<(String, String)> =
            settings.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        vars.push(("APP_URL".into(), url.clone()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopped = async {
            stopped.await.ok();
        };
        // From stage 8 on, served as its binary serves it, with its limits.
        let task = match stage {
            Eight => tokio::spawn(stage_8::server::serve(
                listener,
                served!(stage_8, &vars, timing),
                stopped,
            )),
            Nine => tokio::spawn(stage_9::server::serve(
                listener,
                served!(stage_9, &vars, timing),
                stopped,
            )),
            Ten => tokio::spawn(stage_10::server::serve(
                listener,
                served!(stage_10, &vars, timing),
                stopped,
            )),
            _ => {
                let router = router(stage, &vars, timing);
                let server = axum::serve(listener, router).with_graceful_shutdown(stopped);
                tokio::spawn(async move {
                    server.await.ok();
                })
            }
        };
        Instance { url, stop, task }
    }

    /// Stops it as SIGTERM would: no new connections, the requests in
    /// flight answered, idle connections closed.
    pub async fn stop(self) {
        self.stop.send(()).ok();
        self.task.await.ok();
    }
}

/// Waits (up to 10 s) until `stage` at `url` is ready: stage 8 says so at
/// `/healthz/ready` (Okta discovered, the session store answering); stages
/// 5 to 7 are once they have found Okta ([`wait_until_discovered`]);
/// stages 2 to 4 are ready at once.
pub async fn wait_until_ready(stage: Stage, url: &str) {
    match stage {
        Two | Three | Four => {}
        Eight | Nine | Ten => wait_while_unavailable(&format!("{url}/healthz/ready")).await,
        _ => wait_until_discovered(url).await,
    }
}

/// Waits (up to 10 s) until a stage from 5 on at `url` has found Okta: it
/// no longer answers a login with 503.
pub async fn wait_until_discovered(url: &str) {
    wait_while_unavailable(&format!("{url}/login/okta")).await;
}

/// Waits (up to 10 s) while `probe` answers 503 (not ready yet) or
/// refuses the connection (not listening yet). Any other outcome ends the
/// wait, and the test goes on: an answer, or a connection the app dropped
/// (a handler that panicked, such as a `todo!` of an exercise), which
/// waiting would not change: the test then fails at once, with the app's
/// own message, instead of after 10 s.
async fn wait_while_unavailable(probe: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client with no TLS settings to load always builds");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match http.get(probe).send().await {
            Ok(answer) if answer.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {}
            Err(e) if e.is_connect() => {}
            _ => return,
        }
        assert!(std::time::Instant::now() < deadline, "{probe} did not get ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The router of a stage, for tests that send it requests in-process, once
/// it has found Okta (stages 5 on find it in the background).
pub async fn router_for(stage: Stage, settings: &[(&str, &str)]) -> Router {
    use tower::ServiceExt;
    let vars: Vec<(String, String)> =
        settings.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    let router = router(stage, &vars, Timing::default());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while OPENID.contains(&stage) {
        let request = axum::http::Request::get("/login/okta").body(axum::body::Body::empty());
        let answer = router.clone().oneshot(request.expect("a request")).await.expect("infallible");
        if answer.status() != axum::http::StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{stage:?} did not get ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    router
}

/// Waits until a second of the wall clock has just begun. The stages keep
/// token times in whole seconds (as JWTs do), so a token that lives 6 s,
/// issued at 12.9, expires at 18: after 5.1 s. Logged in just after a
/// second begins, "after N s" is N s from the login, give or take the
/// login's own few milliseconds.
pub async fn a_second_begins() {
    let into_second = std::time::UNIX_EPOCH.elapsed().unwrap_or_default().subsec_millis();
    let left = 1000 - u64::from(into_second);
    tokio::time::sleep(Duration::from_millis(left + 5)).await;
}

/// Runs `test` for each of `stages` at once, each on its own task, and
/// waits for them all; a test that fails fails this, naming its stage.
pub async fn each_stage<F, Fut>(stages: &[Stage], test: F)
where
    F: Fn(Stage) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for &stage in stages {
        running.spawn(test(stage));
    }
    while let Some(done) = running.join_next().await {
        if let Err(failed) = done {
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}

/// The session cookie's name for `stage` at `app_url`: over https, stage 8
/// on puts the `__Host-` prefix before [`session_cookie`]'s.
pub fn session_cookie_of(stage: Stage, app_url: &str) -> String {
    let https = app_url.starts_with("https:");
    let name = session_cookie(app_url);
    if https && INTERNET.contains(&stage) { format!("__Host-{name}") } else { name }
}

/// The session cookie's name for an app at `app_url`: each stage names it
/// after the port, so apps on two ports of one host keep their own.
pub fn session_cookie(app_url: &str) -> String {
    let port = url::Url::parse(app_url).ok().and_then(|u| u.port_or_known_default());
    format!("workbook_{}", port.expect("an http URL"))
}

static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let logs = LOGS.get_or_init(Default::default);
        logs.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(bytes);
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
