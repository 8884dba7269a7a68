//! The mock as a service other machines and containers reach: the health
//! endpoint, settings from `MOCK_OKTA_*` variables, `--bind`, and a test
//! from a second network namespace over a veth pair.

use mock_okta::MockOkta;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Output, Stdio};

/// A test that cannot run here: a loud line on the terminal (the harness
/// hides a passing test's output), or, under `WORKBOOK_REQUIRE_SERVICES`
/// (CI), a failure. The wording of the stages' tests' `services::available`.
fn skip(why: &str, needs: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    assert!(
        std::env::var_os("WORKBOOK_REQUIRE_SERVICES").is_none(),
        "{test} cannot run: {why}, and WORKBOOK_REQUIRE_SERVICES is set: {needs}"
    );
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test}: {why}, so this test did not run. {needs}, then run `cargo test -p mock-okta` again.\n"
    );
}

/// The `mock-okta` binary, running; killed when dropped.
struct Running {
    child: Child,
    /// The address of the banner's "listening on" line.
    listening: std::net::SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts the binary with `args` and `env` (and nothing of this process's
/// `MOCK_OKTA_*`), and reads its banner up to where it listens.
fn start(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mock-okta"));
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("MOCK_OKTA_")) {
        command.env_remove(name);
    }
    let mut child = command
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mock-okta starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let line = stdout
        .by_ref()
        .lines()
        .map_while(Result::ok)
        .find(|line| line.trim_start().starts_with("listening on "));
    // The rest of the banner is read too: a closed pipe would stop it.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let Some(line) = line else {
        let output = child.wait_with_output().expect("it ended");
        panic!(
            "mock-okta {args:?} did not start: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let listening = line
        .split_whitespace()
        .nth(2)
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Running { child, listening }
}

/// What the binary says when it refuses to start.
fn refused(env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mock-okta"));
    command
        .envs(env.iter().copied())
        .env("RUST_LOG", "off")
        .output()
        .expect("mock-okta runs")
}

/// A port of 127.0.0.1 that is free now, below the range the system
/// hands out for `bind(…:0)` (Linux: from 32768), so that no other test's
/// listener is given it meanwhile.
fn free_port() -> u16 {
    let seed = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    (0..2000)
        .map(|i| u16::try_from(20_000 + (seed + i * 7919) % 12_000).expect("below 32768"))
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port from 20000 to 32000")
}

async fn get_json(url: &str) -> (StatusCode, Value) {
    let response = reqwest::get(url).await.expect("an answer");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn health_names_the_issuers_and_tls_even_without_the_control_api() {
    let okta = MockOkta::builder()
        .control_api(false)
        .start()
        .await
        .expect("starts");
    let (status, health) = get_json(&format!("{}/__mock/health", okta.org_issuer())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        health,
        json!({
            "status": "ok",
            "tls": false,
            "issuers": {"org": okta.org_issuer(), "custom": {"default": okta.issuer()}},
        })
    );
    // The rest of /__mock/ is Okta's 404, and the health check is not recorded.
    let (status, _) = get_json(&format!("{}/__mock/faults", okta.org_issuer())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(okta.requests().len(), 1, "only the 404 is recorded");
}

#[tokio::test]
async fn variables_configure_the_binary_and_flags_override_them() {
    let port = free_port().to_string();
    let mock = start(
        &[],
        &[
            ("MOCK_OKTA_PORT", &port),
            ("MOCK_OKTA_HOST", "okta.test"),
            ("MOCK_OKTA_AUTH_SERVER", "aus1"),
            ("MOCK_OKTA_FAULT", "token-500\n  deny-consent"),
            ("MOCK_OKTA_SCOPE", "orders:read orders:write"),
            (
                "MOCK_OKTA_USER",
                "email=carol@example.com\npassword=carol-password\nname=Carol Example\n",
            ),
        ],
    );
    assert_eq!(mock.listening.to_string(), format!("127.0.0.1:{port}"));
    let base = format!("http://127.0.0.1:{port}");
    let (_, discovery) = get_json(&format!(
        "{base}/oauth2/aus1/.well-known/openid-configuration"
    ))
    .await;
    assert_eq!(
        discovery["issuer"],
        format!("http://okta.test:{port}/oauth2/aus1")
    );
    let scopes = discovery["scopes_supported"].as_array().expect("scopes");
    for scope in ["orders:read", "orders:write", "messages:read"] {
        assert!(scopes.contains(&json!(scope)), "{scope} not in {scopes:?}");
    }
    let (_, faults) = get_json(&format!("{base}/__mock/faults")).await;
    assert_eq!(faults["faults"], json!(["token-500", "deny-consent"]));
    let (status, health) = get_json(&format!("{base}/__mock/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["issuers"]["org"], format!("http://okta.test:{port}"));
    drop(mock);

    // A flag wins over its variable.
    let mock = start(
        &["--host", "flag.test", "--port", "0"],
        &[("MOCK_OKTA_HOST", "okta.test")],
    );
    let (_, health) = get_json(&format!("http://{}/__mock/health", mock.listening)).await;
    let org = health["issuers"]["org"].as_str().expect("an issuer");
    assert!(org.starts_with("http://flag.test:"), "{org}");
}

#[test]
fn a_bad_variable_stops_it_with_one_line_naming_the_variable() {
    let cases = [
        (
            ("MOCK_OKTA_PORT", "80a"),
            "error: MOCK_OKTA_PORT=\"80a\" (for --port): not a port: give a number from 0 to 65535 (0: any free port)",
        ),
        (
            ("MOCK_OKTA_BIND", "everywhere"),
            "error: MOCK_OKTA_BIND=\"everywhere\" (for --bind): not an IP address: e.g. 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 address) or ::",
        ),
        (
            ("MOCK_OKTA_TLS", "maybe"),
            "error: MOCK_OKTA_TLS=\"maybe\" (for --tls): not a yes or no: write true or false (or 1/0, yes/no, on/off)",
        ),
        (
            ("MOCK_OKTA_TLS_KEY", "/nowhere/key.pem"),
            "error: --tls-key needs --tls-cert FILE, its certificate",
        ),
    ];
    for ((name, value), expected) in cases {
        let output = refused(&[(name, value)]);
        assert!(!output.status.success(), "{name}={value} started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end(), expected, "{name}={value}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// A network namespace joined to this one by a veth pair; both removed
/// when dropped, whatever the test did.
struct Namespace {
    name: String,
    veth: String,
    /// This side's address, and the namespace's.
    host_ip: Ipv4Addr,
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting one end of a veth pair deletes both.
        Command::new("ip")
            .args(["link", "del", &self.veth])
            .output()
            .ok();
        Command::new("ip")
            .args(["netns", "del", &self.name])
            .output()
            .ok();
    }
}

/// Runs `ip ARGS`; the error is what it printed.
fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("`ip` cannot run ({e})"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Namespace {
    /// `10.200.N.1/24` here, `10.200.N.2/24` in the namespace (N from the
    /// process id: two test runs do not meet). The error says why not.
    fn create() -> Result<Namespace, String> {
        let id = std::process::id() % 100_000;
        let subnet = 1 + std::process::id() % 250;
        let namespace = Namespace {
            name: format!("mock-okta-test-{id}"),
            veth: format!("mokta{id}a"),
            host_ip: Ipv4Addr::new(10, 200, u8::try_from(subnet).expect("< 251"), 1),
        };
        ip(&["netns", "add", &namespace.name])?;
        let peer = format!("mokta{id}b");
        let inside = Ipv4Addr::new(10, 200, namespace.host_ip.octets()[2], 2);
        ip(&[
            "link",
            "add",
            &namespace.veth,
            "type",
            "veth",
            "peer",
            "name",
            &peer,
        ])?;
        ip(&["link", "set", &peer, "netns", &namespace.name])?;
        ip(&[
            "addr",
            "add",
            &format!("{}/24", namespace.host_ip),
            "dev",
            &namespace.veth,
        ])?;
        ip(&["link", "set", &namespace.veth, "up"])?;
        ip(&[
            "-n",
            &namespace.name,
            "addr",
            "add",
            &format!("{inside}/24"),
            "dev",
            &peer,
        ])?;
        ip(&["-n", &namespace.name, "link", "set", &peer, "up"])?;
        ip(&["-n", &namespace.name, "link", "set", "lo", "up"])?;
        Ok(namespace)
    }

    /// `curl ARGS` run inside the namespace: its output, or what failed.
    fn curl(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.name,
                "curl",
                "-sS",
                "--max-time",
                "10",
            ])
            .args(args)
            .output()
            .map_err(|e| format!("`ip netns exec` cannot run ({e})"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

#[test]
fn another_network_namespace_reaches_the_mock_on_its_bind_address_over_http_and_https_and_not_on_loopback()
 {
    const NEEDS: &str =
        "Run the tests as root (or with CAP_NET_ADMIN) on Linux with iproute2 (`ip`) and curl";
    if Command::new("curl").arg("--version").output().is_err() {
        skip("`curl` is not installed", NEEDS);
        return;
    }
    let namespace = match Namespace::create() {
        Ok(namespace) => namespace,
        Err(why) => {
            skip(
                &format!("a network namespace cannot be made here ({why})"),
                NEEDS,
            );
            return;
        }
    };
    let bind = namespace.host_ip.to_string();
    let mock = start(
        &["--bind", &bind, "--port", "0", "--host", "okta.test"],
        &[],
    );
    let port = mock.listening.port();
    assert_eq!(mock.listening.ip().to_string(), bind);
    let base = format!("http://{bind}:{port}");

    let body = namespace
        .curl(&[&format!(
            "{base}/oauth2/default/.well-known/openid-configuration"
        )])
        .expect("discovery from the namespace");
    let discovery: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        discovery["issuer"],
        format!("http://okta.test:{port}/oauth2/default")
    );
    assert_eq!(
        discovery["token_endpoint"],
        format!("http://okta.test:{port}/oauth2/default/v1/token")
    );
    let body = namespace
        .curl(&[&format!("{base}/__mock/health")])
        .expect("health");
    let health: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["issuers"]["org"], format!("http://okta.test:{port}"));

    // https, as the README tells: curl --cacert the file the banner names,
    // the issuer's host resolved to the bind address.
    let cert = std::env::temp_dir().join(format!("mock-okta-netns-{}.pem", std::process::id()));
    let cert_path = cert.to_str().expect("UTF-8");
    let secure = start(
        &[
            "--bind",
            &bind,
            "--port",
            "0",
            "--host",
            "okta.test",
            "--tls-cert-out",
            cert_path,
        ],
        &[],
    );
    let port = secure.listening.port();
    let resolve = format!("okta.test:{port}:{bind}");
    let url = format!("https://okta.test:{port}/oauth2/default/.well-known/openid-configuration");
    let body = namespace
        .curl(&["--cacert", cert_path, "--resolve", &resolve, &url])
        .expect("discovery over https from the namespace");
    let discovery: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        discovery["issuer"],
        format!("https://okta.test:{port}/oauth2/default")
    );
    let untrusted = namespace.curl(&["--resolve", &resolve, &url]);
    assert!(
        untrusted.is_err(),
        "curl trusted the mock without --cacert: {untrusted:?}"
    );
    std::fs::remove_file(&cert).ok();

    // --bind 0.0.0.0 listens on every address, the veth's included; the
    // default, loopback only, is not reached from the namespace. (Only
    // addresses this test made are dialled: no other of the machine's.)
    let everywhere = start(
        &["--bind", "0.0.0.0", "--port", "0", "--host", "okta.test"],
        &[],
    );
    assert_eq!(everywhere.listening.ip(), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let port = everywhere.listening.port();
    let body = namespace
        .curl(&[&format!("http://{bind}:{port}/__mock/health")])
        .expect("health of a mock bound to 0.0.0.0");
    let health: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(health["issuers"]["org"], format!("http://okta.test:{port}"));
    let local = start(&["--port", "0"], &[]);
    assert_eq!(local.listening.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
    let port = local.listening.port();
    let reached = namespace.curl(&[&format!("http://{bind}:{port}/__mock/health")]);
    assert!(
        reached.is_err(),
        "the default bind was reached from the namespace: {reached:?}"
    );
}
