//! mock-okta's speed, measured on this machine and printed (not asserted:
//! shared machines are noisy). Run it with:
//!
//! ```text
//! cargo bench -p mock-okta --bench mock_okta
//! ```
//!
//! 1. Start to first answered request, median of 25 starts of the release
//!    binary.
//! 2. Signed tokens per second (`client_credentials`, RS256), side by side
//!    with oauth2-mock-server (Node) in the same run, driven by the same
//!    load generator: keep-alive connections sending one prepared request,
//!    as wrk does, so the client takes little CPU from the server it
//!    measures. The Node mock is installed into `target/bench-node`
//!    with npm when that version is missing (9.3.0 asks for Node 22 in its
//!    `engines` field and runs on Node 20: npm warns and installs it);
//!    without npm that row says so.
//! 3. Full logins per second: authorize (login page) -> login form -> token
//!    -> userinfo, each with a fresh cookie jar, by reqwest.

use mock_okta::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_SERVICE_CLIENT_ID};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const NODE_MOCK: &str = "oauth2-mock-server";
const NODE_MOCK_VERSION: &str = "9.3.0";
const LOAD_SECONDS: u64 = 5;
const CONCURRENCY: usize = 32;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port()
}

/// Polls until `GET path` on the port answers, returning when it did.
fn first_answer(port: u16, path: &str, deadline: Instant) -> Option<Instant> {
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = Vec::new();
                if stream.read_to_end(&mut answer).is_ok() && answer.starts_with(b"HTTP/1.1 200") {
                    return Some(Instant::now());
                }
            }
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    None
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start_mock_okta(port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_mock-okta"))
        .args(["--port", &port.to_string()])
        .env("RUST_LOG", "off")
        .stdout(Stdio::null())
        .spawn()
        .expect("mock-okta starts");
    Server(child)
}

/// The version of the Node mock installed in `dir`, if any.
fn installed_version(dir: &std::path::Path) -> Option<String> {
    let manifest = dir
        .join("node_modules")
        .join(NODE_MOCK)
        .join("package.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest).ok()?).ok()?;
    manifest["version"].as_str().map(String::from)
}

/// The Node mock's launcher, installing the wanted version when it is not
/// the one installed.
fn node_mock() -> Result<PathBuf, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-node");
    let bin = dir.join("node_modules/.bin").join(NODE_MOCK);
    if installed_version(&dir).as_deref() != Some(NODE_MOCK_VERSION) {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let package = format!("{NODE_MOCK}@{NODE_MOCK_VERSION}");
        eprintln!("installing {package} into {} ...", dir.display());
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg(&package)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("npm is not available ({e})"))?;
        if !status.success() || installed_version(&dir).as_deref() != Some(NODE_MOCK_VERSION) {
            return Err(format!("npm could not install {package}"));
        }
    }
    Ok(bin)
}

fn start_node_mock(bin: &PathBuf, port: u16) -> Server {
    let child = Command::new(bin)
        .args(["-a", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the Node mock starts");
    Server(child)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn startup(start: impl Fn(u16) -> Server, path: &str) -> Option<Duration> {
    let mut samples = Vec::new();
    for _ in 0..25 {
        let port = free_port();
        let started = Instant::now();
        let _server = start(port);
        let answered = first_answer(port, path, started + Duration::from_secs(20))?;
        samples.push(answered - started);
    }
    Some(median(samples))
}

/// The clock and the counters of one load run, shared by its tasks.
#[derive(Clone)]
struct Load {
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    warm_up: Instant,
    end: Instant,
}

impl Load {
    fn running(&self) -> bool {
        Instant::now() < self.end
    }

    /// Counts a call that ended after the warm-up.
    fn count(&self, ok: bool) {
        if Instant::now() > self.warm_up {
            if ok { &self.done } else { &self.failed }.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Runs `client` on `CONCURRENCY` tasks for `LOAD_SECONDS` after a warm-up
/// of half a second; returns the rate of successful calls per second.
fn rate<F, Fut>(client: F) -> f64
where
    F: Fn(Load) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // The load generator gets one thread, so the server under test has the
    // other core; both servers are measured the same way.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let warm_up = Instant::now() + Duration::from_millis(500);
        let load = Load {
            done: Arc::default(),
            failed: Arc::default(),
            warm_up,
            end: warm_up + Duration::from_secs(LOAD_SECONDS),
        };
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|_| tokio::spawn(client(load.clone())))
            .collect();
        for task in tasks {
            task.await.expect("a load task");
        }
        let failed = load.failed.load(Ordering::Relaxed);
        if failed > 0 {
            eprintln!("  ({failed} calls failed)");
        }
        load.done.load(Ordering::Relaxed) as f64 / LOAD_SECONDS as f64
    })
}

/// A keep-alive HTTP/1.1 connection that sends one request over and over,
/// as wrk does. The token rows measure RSA signing servers on two cores: a
/// heavier client (reqwest costs several times more per call) would take
/// from the server the CPU it is measured by.
struct Connection {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buffer: Vec<u8>,
}

impl Connection {
    fn new(addr: SocketAddr) -> Self {
        Connection {
            addr,
            stream: None,
            buffer: Vec::with_capacity(8192),
        }
    }

    /// Sends `request` and reads the answer: whether it was a `200` with a
    /// JSON body. A failed call drops the connection; the next reconnects.
    async fn call(&mut self, request: &[u8]) -> bool {
        let answered = self.exchange(request).await;
        if answered.is_none() {
            self.stream = None;
        }
        answered.unwrap_or(false)
    }

    async fn exchange(&mut self, request: &[u8]) -> Option<bool> {
        if self.stream.is_none() {
            self.stream = Some(TcpStream::connect(self.addr).await.ok()?);
        }
        let stream = self.stream.as_mut()?;
        stream.write_all(request).await.ok()?;
        self.buffer.clear();
        let head_end = loop {
            if let Some(at) = find(&self.buffer, b"\r\n\r\n") {
                break at + 4;
            }
            read_more(stream, &mut self.buffer).await?;
        };
        let head = std::str::from_utf8(&self.buffer[..head_end])
            .ok()?
            .to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))?
            .trim()
            .parse()
            .ok()?;
        while self.buffer.len() < head_end + length {
            read_more(stream, &mut self.buffer).await?;
        }
        Some(head.starts_with("http/1.1 200") && self.buffer[head_end..].starts_with(b"{"))
    }
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await.ok()?;
    (n > 0).then(|| buffer.extend_from_slice(&chunk[..n]))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `client_credentials` tokens per second from `http://{addr}{path}`.
fn token_rate(addr: SocketAddr, path: &str, client_id: &str, secret: &str) -> f64 {
    use base64::Engine;
    let body = "grant_type=client_credentials&scope=messages%3Aread";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let request: Arc<[u8]> = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {basic}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    rate(move |load| {
        let request = request.clone();
        async move {
            let mut connection = Connection::new(addr);
            while load.running() {
                load.count(connection.call(&request).await);
            }
        }
    })
}

/// One whole login, as a browser and an app would make it.
async fn login(http: reqwest::Client, issuer: String) -> Option<()> {
    let verifier = "bench-verifier-0123456789-0123456789-0123456789";
    let challenge = {
        use base64::Engine;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    };
    let redirect_uri = "http://localhost:8080/login/okta/authorized";
    let authorize = [
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("scope", "openid email"),
        ("state", "bench-state"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let page = http
        .get(format!("{issuer}/v1/authorize"))
        .query(&authorize)
        .send()
        .await
        .ok()?;
    if !page.status().is_success() {
        return None;
    }
    page.bytes().await.ok()?;
    let mut form: Vec<(&str, &str)> = authorize.to_vec();
    form.extend([
        ("username", "alice@example.com"),
        ("password", "alice-password"),
        ("action", "login"),
    ]);
    let back = http
        .post(format!("{issuer}/v1/authorize"))
        .form(&form)
        .send()
        .await
        .ok()?;
    let location = back.headers().get("location")?.to_str().ok()?.to_string();
    let code = url::Url::parse(&location)
        .ok()?
        .query_pairs()
        .find(|(n, _)| n == "code")?
        .1
        .into_owned();
    let tokens: serde_json::Value = http
        .post(format!("{issuer}/v1/token"))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let access = tokens["access_token"].as_str()?;
    let info = http
        .get(format!("{issuer}/v1/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .ok()?;
    info.status().is_success().then_some(())
}

fn main() {
    println!(
        "mock-okta benchmark ({} CPUs, load from 1 thread, {CONCURRENCY} connections, {LOAD_SECONDS} s each)\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let node = node_mock();
    if let Err(problem) = &node {
        println!("(oauth2-mock-server rows skipped: {problem})\n");
    }

    println!("start to first answered request (median of 25)");
    let ours = startup(start_mock_okta, "/oauth2/default/v1/keys").expect("mock-okta answers");
    println!(
        "  mock-okta            {:>8.1} ms",
        ours.as_secs_f64() * 1000.0
    );
    if let Ok(bin) = &node {
        match startup(|port| start_node_mock(bin, port), "/jwks") {
            Some(theirs) => println!(
                "  oauth2-mock-server   {:>8.1} ms",
                theirs.as_secs_f64() * 1000.0
            ),
            None => println!("  oauth2-mock-server   did not answer"),
        }
    }

    println!("\nsigned tokens per second (client_credentials, RS256)");
    let port = free_port();
    let server = start_mock_okta(port);
    first_answer(
        port,
        "/oauth2/default/v1/keys",
        Instant::now() + Duration::from_secs(10),
    )
    .expect("mock-okta answers");
    let issuer = format!("http://127.0.0.1:{port}/oauth2/default");
    let ours = token_rate(
        ([127, 0, 0, 1], port).into(),
        "/oauth2/default/v1/token",
        DEFAULT_SERVICE_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
    );
    println!("  mock-okta            {ours:>8.0} /s");
    if let Ok(bin) = &node {
        let node_port = free_port();
        let _node_server = start_node_mock(bin, node_port);
        first_answer(node_port, "/jwks", Instant::now() + Duration::from_secs(20))
            .expect("the Node mock answers");
        let theirs = token_rate(
            ([127, 0, 0, 1], node_port).into(),
            "/token",
            "bench",
            "bench",
        );
        println!(
            "  oauth2-mock-server   {theirs:>8.0} /s   (mock-okta: {:.2}x; {NODE_MOCK_VERSION})",
            ours / theirs
        );
    }

    println!("\nfull logins per second (authorize -> login form -> token -> userinfo)");
    let logins = rate(move |load| {
        let issuer = issuer.clone();
        async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client");
            while load.running() {
                load.count(login(http.clone(), issuer.clone()).await.is_some());
            }
        }
    });
    println!("  mock-okta            {logins:>8.0} /s");
    drop(server);
}
