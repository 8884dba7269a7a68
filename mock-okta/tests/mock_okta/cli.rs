//! The `mock-okta` binary: its help, its banner and its one-line errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn mock_okta(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mock-okta"))
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("mock-okta runs")
}

#[test]
fn help_explains_every_flag_both_servers_and_every_fault() {
    let output = mock_okta(&["--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    let flags = [
        "--port",
        "--host",
        "--auth-server",
        "--config",
        "--client <FIELD=VALUE>",
        "--user <FIELD=VALUE>",
        "--fault",
        "--no-control-api",
        "--audience",
        "--scope <SCOPE>",
        "--no-groups-claim",
        "--bind <ADDR>",
        "--tls",
        "--tls-cert-out <FILE>",
        "--tls-cert <FILE>",
        "--tls-key <FILE>",
        "https://login.example.com:8443",
        "[env: MOCK_OKTA_PORT=]",
        "[env: MOCK_OKTA_CLIENT=]",
        "one per line for MOCK_OKTA_CLIENT",
        "groups=GROUP,GROUP",
        "org authorization server",
        "http://HOST:PORT/oauth2/AUTH_SERVER",
    ];
    for expected in flags {
        assert!(help.contains(expected), "--help lacks {expected}:\n{help}");
    }
    for spec in mock_okta::FAULTS {
        let line = format!("{:<32} {}", spec.usage(), spec.help);
        assert!(help.contains(&line), "--help lacks {line:?}:\n{help}");
    }
}

/// A flag that could be read two ways is refused at start, in one line
/// that names the flag and says what to write.
#[test]
fn a_flag_that_could_be_misread_stops_it_with_one_line() {
    let cases: [(&[&str], &str); 10] = [
        (
            &["--client", "app:se:cret:http://localhost:3000/cb"],
            "error: --client \"app:se:cret:http://localhost:3000/cb\": write one FIELD=VALUE per --client, starting with --client id=…; see --help",
        ),
        (
            &["--client", "id=app", "--client", "secret=s"],
            "error: --client id=app: it has no redirect-uri: add --client redirect-uri=URI after it",
        ),
        (
            &["--user", "carol@example.com:pw:Carol"],
            "error: --user \"carol@example.com:pw:Carol\": write one FIELD=VALUE per --user, starting with --user email=…; see --help",
        ),
        (
            &["--auth-server", "v1"],
            "error: --auth-server: \"v1\" is taken by the org authorization server's endpoints (/oauth2/v1/…): choose another name",
        ),
        (
            &[
                "--user",
                "email=a@example.com\nINFO a forged line",
                "--user",
                "password=pw",
            ],
            "error: --user email=…: the value holds a control character (a newline?): remove it",
        ),
        (
            &[
                "--user",
                "email=a@example.com",
                "--user",
                "password=1",
                "--user",
                "email=a@example.com",
                "--user",
                "password=2",
            ],
            "error: --user \"email=a@example.com\": given twice: give each email once",
        ),
        (
            &["--host", "okta.test:9000"],
            "error: --host (or host in the config file): \"okta.test:9000\" is neither a lowercase host name alone (e.g. localhost, 127.0.0.1) nor an origin (e.g. https://login.example.com)",
        ),
        (
            &["--host", "https://login.example.com/okta"],
            "error: --host (or host in the config file): \"https://login.example.com/okta\": an origin has no path: e.g. https://login.example.com (the issuers add /oauth2/…)",
        ),
        (
            &[
                "--client",
                "id=app",
                "--client",
                "redirect-uri=javascript:alert(1)",
            ],
            "error: --client id=app: redirect_uris[0]: \"javascript:alert(1)\": a redirect URI may not use the javascript: scheme (the browser would run or read it): use http, https or an app's own scheme, e.g. com.example.app:/callback",
        ),
        (
            &[
                "--client",
                "id=app",
                "--client",
                "redirect-uri=http://localhost:3000/cb",
                "--client",
                "post-logout-redirect-uri=http://localhost:3000/#top",
            ],
            "error: --client id=app: post_logout_redirect_uris[0]: \"http://localhost:3000/#top\" has a fragment (#top): a redirect URI has none (RFC 6749 §3.1.2; Okta refuses one): remove it",
        ),
    ];
    for (flags, expected) in cases {
        let mut args = flags.to_vec();
        args.extend(["--port", "0"]);
        let output = mock_okta(&args);
        assert!(!output.status.success(), "{flags:?} started");
        assert_eq!(String::from_utf8_lossy(&output.stderr).trim(), expected);
    }
}

#[test]
fn a_bad_config_file_stops_it_with_one_line_naming_file_and_field() {
    let path = std::env::temp_dir().join(format!("mock-okta-bad-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[clients]]\nid = \"app\"\nredirect_uris = [\"not a url\"]\n",
    )
    .expect("write");
    let output = mock_okta(&[
        "--config",
        path.to_str().expect("UTF-8 path"),
        "--port",
        "0",
    ]);
    std::fs::remove_file(&path).ok();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(path.to_str().expect("UTF-8"))
            && stderr.contains("clients[0].redirect_uris[0]"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_fault_is_one_line() {
    let output = mock_okta(&["--fault", "explode", "--port", "0"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        "error: unknown fault \"explode\": see --help for the list"
    );
}

#[test]
fn the_banner_tells_a_learner_what_to_use_and_masks_the_secret() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-okta"))
        .args([
            "--port",
            "0",
            "--fault",
            "token-500",
            "--host",
            "okta.test",
            "--auth-server",
            "aus1",
            "--auth-server",
            "orders",
        ])
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .spawn()
        .expect("mock-okta starts");
    let stdout = child.stdout.take().expect("piped");
    let banner: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.contains("see .env.example"))
        .collect();
    child.kill().ok();
    child.wait().ok();
    let banner = banner.join("\n");
    let port = banner
        .split("http://okta.test:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .expect("a port in the banner");
    let org = format!("http://okta.test:{port}");
    let custom_issuer = format!(
        "custom authorization server \"aus1\"\n    issuer (OKTA_BASE_URL)  {org}/oauth2/aus1\n"
    );
    let orders_issuer = format!(
        "custom authorization server \"orders\"\n    issuer (OKTA_BASE_URL)  {org}/oauth2/orders\n"
    );
    let org_issuer = format!("org authorization server\n    issuer (OKTA_BASE_URL)  {org}\n");
    for expected in [
        custom_issuer.as_str(),
        orders_issuer.as_str(),
        "audience (API_AUDIENCE) api://orders",
        org_issuer.as_str(),
        "0oa-workbook-client",
        "http://localhost:8080/login/okta/authorized",
        "alice@example.com / alice-password\n",
        "bob@example.com / bob-password  (groups: admins)",
        "audience (API_AUDIENCE) api://aus1",
        "faults on: token-500",
        "****only",
        &format!("control API  {org}/__mock/faults"),
    ] {
        assert!(
            banner.contains(expected),
            "the banner lacks {expected:?}:\n{banner}"
        );
    }
    assert!(
        !banner.contains(mock_okta::DEFAULT_CLIENT_SECRET),
        "the secret is shown whole"
    );
}

/// The binary, started with `args` and its log at `info` on a pipe: its
/// stdout, line by line, as a channel (read on a thread of its own).
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-okta"))
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .spawn()
            .expect("mock-okta starts");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    /// The lines up to the first that contains `wanted` (within 10 s).
    fn until(&self, wanted: &str) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut seen = Vec::new();
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
        {
            let found = line.contains(wanted);
            seen.push(line);
            if found {
                return seen;
            }
        }
        panic!("no line with {wanted:?} in:\n{}", seen.join("\n"));
    }
}

/// The custom authorization server's issuer, as the banner prints it.
fn issuer_in(banner: &str) -> String {
    banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("issuer (OKTA_BASE_URL)"))
        .expect("an issuer in the banner")
        .trim()
        .to_string()
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[tokio::test]
async fn a_refused_redirect_uri_is_logged_with_the_uri_sent_and_those_registered_in_plain_text() {
    let mock = Running::start(&["--port", "0", "--host", "127.0.0.1"]);
    let banner = mock.until("see .env.example").join("\n");
    // Its own port: the workbook's stages need OKTA_BASE_URL set.
    assert!(
        banner.contains("For the workbook's stages, set OKTA_BASE_URL=http://127.0.0.1:"),
        "{banner}"
    );
    let issuer = issuer_in(&banner);
    let sent = "http://localhost:8080/login/okta/authorized/";
    let url = format!(
        "{issuer}/v1/authorize?client_id={}&response_type=code&scope=openid&state=s&redirect_uri={sent}",
        mock_okta::DEFAULT_CLIENT_ID
    );
    let page = reqwest::get(&url).await.expect("an answer");
    assert_eq!(page.status(), reqwest::StatusCode::BAD_REQUEST);
    let said = page.text().await.expect("a page");
    assert!(!said.contains(sent), "the page keeps Okta's wording");

    let log = mock.until("redirect_uri").join("\n");
    let line = log.lines().last().expect("a line");
    assert!(
        line.contains(&format!("{sent:?}"))
            && line.contains("\"http://localhost:8080/login/okta/authorized\"")
            && line.contains("trailing /"),
        "{line}"
    );
    assert!(!log.contains('\u{1b}'), "ANSI codes in a pipe: {log:?}");
}

#[test]
fn the_banner_with_ones_own_clients_does_not_send_to_the_workbooks_stages() {
    let path = std::env::temp_dir().join(format!("mock-okta-own-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[clients]]\nid = \"my-app\"\nsecret = \"my-secret-for-tests\"\nredirect_uris = [\"http://localhost:3000/cb\"]\n",
    )
    .expect("write");
    let mock = Running::start(&["--port", "0", "--config", path.to_str().expect("UTF-8")]);
    let banner = mock.until("see .env.example").join("\n");
    std::fs::remove_file(&path).ok();
    assert!(!banner.contains("stage-4"), "{banner}");
    assert!(banner.contains("Point your app at the issuer"), "{banner}");
}

#[tokio::test]
async fn behind_a_proxy_the_banner_names_the_origin_and_the_address_it_listens_on() {
    let mock = Running::start(&["--port", "0", "--host", "https://login.example.com"]);
    let banner = mock.until("see .env.example").join("\n");
    assert!(
        banner.contains("issuer (OKTA_BASE_URL)  https://login.example.com/oauth2/default\n"),
        "{banner}"
    );
    assert!(
        banner.contains("set OKTA_BASE_URL=https://login.example.com/oauth2/default"),
        "{banner}"
    );
    let addr = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("listening on "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("an address in the banner")
        .to_string();
    let discovery: serde_json::Value =
        reqwest::get(format!("http://{addr}/.well-known/openid-configuration"))
            .await
            .expect("plain http at the address")
            .json()
            .await
            .expect("JSON");
    assert_eq!(discovery["issuer"], "https://login.example.com");
}

#[tokio::test]
async fn a_token_requests_log_line_names_its_grant_type_and_nothing_made_up() {
    let mock = Running::start(&["--port", "0"]);
    let banner = mock.until("see .env.example").join("\n");
    let issuer = issuer_in(&banner);
    let http = reqwest::Client::new();
    for grant_type in ["refresh_token", "made up\nINFO fake line"] {
        let answer = http
            .post(format!("{issuer}/v1/token"))
            .basic_auth(
                mock_okta::DEFAULT_CLIENT_ID,
                Some(mock_okta::DEFAULT_CLIENT_SECRET),
            )
            .form(&[("grant_type", grant_type), ("refresh_token", "not-one")])
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status(), reqwest::StatusCode::BAD_REQUEST);
    }
    let first = mock.until("/v1/token").join("\n");
    let line = first.lines().last().expect("a line");
    assert!(line.contains("grant_type=refresh_token -> 400"), "{line}");
    let second = mock.until("/v1/token").join("\n");
    let line = second.lines().last().expect("a line");
    assert!(line.contains("grant_type=other -> 400"), "{line}");
    assert!(!second.contains("fake line"), "{second}");
    assert!(!first.contains("not-one"), "a token in the log: {first}");
}
