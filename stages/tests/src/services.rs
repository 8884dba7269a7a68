//! The outside programs some tests need (a real `redis-server`, a headless
//! Chromium), and what a test does when one is missing.
//!
//! On a learner's machine with only Rust, such a test does not run: it says
//! so on the terminal (even though it passes), names itself and what to
//! install, and returns. CI sets `WORKBOOK_REQUIRE_SERVICES=1`, and there a
//! missing program fails the test instead: what CI skips, it has not
//! checked.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Whether `program` can be run. If not: a loud line on the terminal and
/// `false`, or, under `WORKBOOK_REQUIRE_SERVICES`, a failed test.
pub fn available(program: &str, install: &str) -> bool {
    let found =
        Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
    if found.is_ok() {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    assert!(
        std::env::var_os("WORKBOOK_REQUIRE_SERVICES").is_none(),
        "{test} needs `{program}`, and WORKBOOK_REQUIRE_SERVICES is set: {install}"
    );
    // Straight to the terminal: the test harness captures `eprintln!` of a
    // test that passes, and this must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test}: `{program}` is not installed, so this test did not run. {install}, then run `cargo test -p stage-tests` again.\n"
    );
    false
}

/// A free port of 127.0.0.1 for a server that a test starts on it later,
/// or stops and starts again on it: one below the range the system hands
/// out to `bind(…:0)` and to outgoing connections (Linux: 32768 to 60999),
/// so that while no server listens on it, no other test's listener or
/// connection can be given its port. Each call in a process gets another
/// one.
pub fn restartable_port() -> u16 {
    const LOWEST: u32 = 10_000;
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range");
    let ephemeral = range.ok().and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok());
    let span = ephemeral.unwrap_or(32_768).saturating_sub(LOWEST).max(1);
    // A start of its own for each process, then one port after another.
    static NEXT: OnceLock<AtomicU32> = OnceLock::new();
    let next = NEXT.get_or_init(|| {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        AtomicU32::new(nanos ^ std::process::id())
    });
    for _ in 0..span {
        let port = LOWEST + next.fetch_add(1, Ordering::Relaxed) % span;
        let port = u16::try_from(port).expect("below 32768");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port of 127.0.0.1 from {LOWEST} to {}", LOWEST + span);
}

/// A `redis-server` of the test's own, on a free port of 127.0.0.1 (a
/// [`restartable_port`]: tests stop and start it), with its
/// data in a folder of its own (an append-only file, so a restart keeps
/// the sessions). Stopped when dropped.
#[derive(Debug)]
pub struct RedisServer {
    /// Its port.
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// What to say when `redis-server` is missing.
pub const INSTALL_REDIS: &str =
    "Install Redis (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`)";

impl RedisServer {
    /// Starts one, or `None` when `redis-server` is not installed (see
    /// [`available`]).
    pub fn start() -> Option<RedisServer> {
        if !available("redis-server", INSTALL_REDIS) {
            return None;
        }
        let port = restartable_port();
        let dir =
            std::env::temp_dir().join(format!("workbook-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp folder");
        let mut redis = RedisServer { port, dir, child: None };
        redis.resume();
        Some(redis)
    }

    /// `REDIS_URL` for it.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops it as a service manager would (SIGTERM: it writes its data
    /// out first), and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }

    /// Starts it again, on the same port and data, and waits until it
    /// answers.
    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(Instant::now() < deadline, "redis-server did not answer on {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether it answers `PING`.
    fn answers(&self) -> bool {
        use std::io::Read;
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut answer = [0; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut answer).is_ok()
            && &answer == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A TCP proxy on a free port of 127.0.0.1 in front of `target`, whose
/// connections can be frozen: they stay open, and nothing more passes
/// through them, as when a NAT forgets a connection or a Redis fails over.
/// New connections pass as before.
#[derive(Debug)]
pub struct FreezingProxy {
    /// Its port.
    pub port: u16,
    frozen: Arc<AtomicU64>,
}

impl FreezingProxy {
    /// Starts one, on the current Tokio runtime.
    pub async fn start(target: u16) -> FreezingProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("bound").port();
        let frozen = Arc::new(AtomicU64::new(0));
        let generation = frozen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else {
                    continue;
                };
                // This connection passes bytes until the next freeze.
                let born = generation.load(Ordering::SeqCst);
                let generation = generation.clone();
                tokio::spawn(async move {
                    let (mut from_client, mut to_client) = client.into_split();
                    let (mut from_server, mut to_server) = server.into_split();
                    let alive = || generation.load(Ordering::SeqCst) == born;
                    let up = pump(&mut from_client, &mut to_server, &alive);
                    let down = pump(&mut from_server, &mut to_client, &alive);
                    tokio::join!(up, down);
                    if !alive() {
                        // Frozen: hold both sockets open, answering nothing.
                        std::future::pending::<()>().await;
                    }
                });
            }
        });
        FreezingProxy { port, frozen }
    }

    /// Freezes every connection open now.
    pub fn freeze(&self) {
        self.frozen.fetch_add(1, Ordering::SeqCst);
    }
}

/// Copies bytes from `from` to `to` while `alive()`, then stops reading.
async fn pump(
    from: &mut tokio::net::tcp::OwnedReadHalf,
    to: &mut tokio::net::tcp::OwnedWriteHalf,
    alive: &impl Fn() -> bool,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = [0; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            () = tokio::time::sleep(Duration::from_millis(50)) => {
                if alive() { continue } else { return }
            }
        };
        match read {
            Ok(n) if n > 0 && alive() => {
                if to.write_all(&buffer[..n]).await.is_err() {
                    return;
                }
            }
            _ => return,
        }
    }
}
