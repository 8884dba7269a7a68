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

/// The shapes of Redis a stage's `REDIS_URL` can name, each in fred's URL
/// form: one Redis (`redis://`), a Redis Cluster (`redis-cluster://`) or a
/// Sentinel set in front of a primary and its replica
/// (`redis-sentinel://…?sentinelServiceName=…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// One `redis-server`.
    One,
    /// A Redis Cluster: three primaries, each with a replica.
    Cluster,
    /// A primary, its replica, and three sentinels watching them.
    Sentinel,
}

/// Every [`Topology`], in the order the tests run them.
pub const TOPOLOGIES: [Topology; 3] = [Topology::One, Topology::Cluster, Topology::Sentinel];

/// The topologies the Redis tests run on: [`TOPOLOGIES`], or those named
/// in `WORKBOOK_REDIS` (comma-separated: `one`, `cluster`, `sentinel`),
/// e.g. `WORKBOOK_REDIS=one` for a quicker run on one Redis only.
pub fn topologies() -> Vec<Topology> {
    let Ok(named) = std::env::var("WORKBOOK_REDIS") else {
        return TOPOLOGIES.to_vec();
    };
    let named: Vec<String> = named.split(',').map(|n| n.trim().to_lowercase()).collect();
    let chosen: Vec<Topology> = TOPOLOGIES
        .into_iter()
        .filter(|t| named.contains(&format!("{t:?}").to_lowercase()))
        .collect();
    assert!(!chosen.is_empty(), "WORKBOOK_REDIS names none of one, cluster, sentinel: {named:?}");
    chosen
}

/// Where a test's sessions live: a `redis-server` of its own, or the Redis
/// Cluster or Sentinel set this test process shares between its tests
/// (each takes a few seconds to start; every test's keys are its own).
#[derive(Debug)]
pub enum Redis {
    /// One Redis, the test's own: it may stop and start it.
    One(RedisServer),
    /// A Redis Cluster: this process's, or a test's own.
    Cluster(Arc<RedisCluster>),
    /// A Sentinel set: this process's, or a test's own.
    Sentinel(Arc<SentinelSet>),
}

impl Redis {
    /// `topology`, started (the shared ones once per process), or `None`
    /// when `redis-server` is not installed (see [`available`]).
    pub fn start(topology: Topology) -> Option<Redis> {
        match topology {
            Topology::One => RedisServer::start().map(Redis::One),
            Topology::Cluster => RedisCluster::shared().map(Redis::Cluster),
            Topology::Sentinel => SentinelSet::shared().map(Redis::Sentinel),
        }
    }

    /// `REDIS_URL` for it, in fred's form for its topology.
    pub fn url(&self) -> String {
        match self {
            Redis::One(server) => server.url(),
            Redis::Cluster(cluster) => cluster.url(),
            Redis::Sentinel(set) => set.url(),
        }
    }

    /// Which topology it is.
    pub fn topology(&self) -> Topology {
        match self {
            Redis::One(_) => Topology::One,
            Redis::Cluster(_) => Topology::Cluster,
            Redis::Sentinel(_) => Topology::Sentinel,
        }
    }

    /// The test's own `redis-server`, for a test that stops it; panics on
    /// a shared topology, which no test may stop.
    #[track_caller]
    pub fn own(&mut self) -> &mut RedisServer {
        match self {
            Redis::One(server) => server,
            shared => panic!("a test stops only a Redis of its own, not {:?}", shared.topology()),
        }
    }
}

/// A `redis-server` (or sentinel) tied to this process, in a temp folder of
/// its own: it stops, and its folder is removed, when its handle is
/// dropped, and also when this process ends however it ends (a shared
/// topology in a `static` is never dropped): a shell holds it and reads its
/// own stdin, a pipe from this process, which closes then.
#[derive(Debug)]
struct Tied {
    port: u16,
    shell: Child,
}

impl Tied {
    /// Starts `redis-server` with `args` (its port among them), in a new
    /// temp folder (`args` may name `{dir}` for it) that holds `files`
    /// (names and contents, with `{dir}` in them replaced too), and waits
    /// until it answers `PING` on `port`.
    fn start(port: u16, args: &[String], files: &[(&str, &str)]) -> Tied {
        let dir = temp_dir(port);
        let at = |text: &str| text.replace("{dir}", &dir.display().to_string());
        for (name, contents) in files {
            std::fs::write(dir.join(name), at(contents)).expect("a file in a temp folder");
        }
        let args: Vec<String> = args.iter().map(|a| at(a)).collect();
        let script = "redis-server \"$@\" </dev/null >/dev/null & server=$!; \
                      read -r _; kill -KILL $server; wait $server; rm -rf \"$PWD\"";
        let shell = Command::new("sh")
            .args(["-c", script, "redis-server"])
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            // Not the shell's "Killed" when it stops the server.
            .stderr(Stdio::null())
            .spawn()
            .expect("sh starts redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis_cli(port, &["PING"]).as_deref() != Some("PONG") {
            assert!(Instant::now() < deadline, "redis-server did not answer on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Tied { port, shell }
    }
}

impl Drop for Tied {
    fn drop(&mut self) {
        // Closing the shell's stdin stops the server.
        drop(self.shell.stdin.take());
        let _ = self.shell.wait();
    }
}

/// What `redis-cli -p port ARGS…` printed, trimmed; `None` if it could not
/// connect (it prints the error then).
fn redis_cli(port: u16, args: &[&str]) -> Option<String> {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !text.starts_with("Could not connect")).then_some(text)
}

/// The field `name` of an `INFO`-style answer (`name:value` lines).
fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_string()))
}

/// Waits up to `secs` seconds until `done()`, or panics saying `what`.
#[track_caller]
fn wait_for(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not so after {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A new folder in the temp folder, for the server on `port`.
fn temp_dir(port: u16) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("workbook-redis-{}-{port}-{n}", std::process::id());
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(&dir).expect("a temp folder");
    dir
}

/// The arguments of a `redis-server` on `port` of 127.0.0.1 keeping
/// nothing on disk.
fn server_args(port: u16) -> Vec<String> {
    ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        .map(String::from)
        .to_vec()
}

/// A local Redis Cluster of three primaries, each with one replica, on
/// free ports of 127.0.0.1, made by `redis-cli --cluster create`, as an
/// operator makes one. Stopped, and its folder removed, when dropped.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<Tied>,
}

impl RedisCluster {
    /// Starts one, or `None` when `redis-server` is not installed.
    pub fn start() -> Option<RedisCluster> {
        if !available("redis-server", INSTALL_REDIS) || !available("redis-cli", INSTALL_REDIS) {
            return None;
        }
        let nodes: Vec<Tied> = (0..6)
            .map(|_| {
                let port = cluster_port();
                let mut args = server_args(port);
                args.extend(
                    ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"]
                        .map(String::from),
                );
                args.extend(["--cluster-config-file".into(), format!("nodes-{port}.conf")]);
                Tied::start(port, &args, &[])
            })
            .collect();
        let addresses: Vec<String> =
            nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::null())
            .status()
            .expect("redis-cli runs");
        assert!(created.success(), "redis-cli --cluster create failed");
        let cluster = RedisCluster { nodes };
        cluster.wait_until_whole();
        Some(cluster)
    }

    /// The one Redis Cluster of this test process, started at its first
    /// use, or `None` when `redis-server` is not installed.
    pub fn shared() -> Option<Arc<RedisCluster>> {
        static SHARED: OnceLock<Option<Arc<RedisCluster>>> = OnceLock::new();
        SHARED.get_or_init(|| RedisCluster::start().map(Arc::new)).clone()
    }

    /// `REDIS_URL` for it: one node, and the others as `node=` (any one
    /// that answers tells fred the rest).
    pub fn url(&self) -> String {
        let others: Vec<String> =
            self.nodes[1..].iter().map(|n| format!("node=127.0.0.1:{}", n.port)).collect();
        format!("redis-cluster://127.0.0.1:{}?{}", self.nodes[0].port, others.join("&"))
    }

    /// Fails over the primary that holds `key`: its replica takes over
    /// (`CLUSTER FAILOVER` on the replica), and the old primary becomes its
    /// replica. Returns once the cluster is whole again.
    pub fn fail_over(&self, key: &str) {
        let any = self.nodes[0].port;
        let slot = redis_cli(any, &["CLUSTER", "KEYSLOT", key]).expect("the cluster answers");
        let primary = self
            .nodes
            .iter()
            .find(|n| self.role(n.port) == "master" && self.serves(n.port, &slot))
            .expect("a primary holds every slot");
        self.fail_over_primary(primary.port);
    }

    /// Fails over each of the three primaries in turn: every key's node.
    pub fn fail_over_each_primary(&self) {
        let primaries: Vec<u16> =
            self.nodes.iter().map(|n| n.port).filter(|&p| self.role(p) == "master").collect();
        for primary in primaries {
            self.fail_over_primary(primary);
        }
    }

    /// Fails over the primary on port `primary`: its replica takes over
    /// (`CLUSTER FAILOVER` on the replica, as an operator or a managed
    /// service does for maintenance: the primary stops taking writes
    /// until the replica has them all), and the old primary becomes its
    /// replica. Returns once the cluster is whole again.
    fn fail_over_primary(&self, primary: u16) {
        let replica = self
            .nodes
            .iter()
            .find(|n| {
                let info = redis_cli(n.port, &["INFO", "replication"]).unwrap_or_default();
                info_field(&info, "master_port") == Some(primary.to_string())
            })
            .expect("every primary has a replica");
        let answer = redis_cli(replica.port, &["CLUSTER", "FAILOVER"]);
        assert_eq!(answer.as_deref(), Some("OK"), "CLUSTER FAILOVER on {}", replica.port);
        wait_for(10, "the replica is a primary", || self.role(replica.port) == "master");
        wait_for(10, "the old primary follows it", || {
            let nodes = redis_cli(primary, &["CLUSTER", "NODES"]).unwrap_or_default();
            nodes.lines().any(|l| l.contains("myself") && l.contains("slave"))
        });
        self.wait_until_whole();
    }

    /// `master` or `slave`, as the node on `port` says.
    fn role(&self, port: u16) -> String {
        let info = redis_cli(port, &["INFO", "replication"]).unwrap_or_default();
        info_field(&info, "role").unwrap_or_default()
    }

    /// Whether the node on `port` serves `slot`, as it says itself.
    fn serves(&self, port: u16, slot: &str) -> bool {
        let slot: u32 = slot.parse().expect("a slot number");
        let nodes = redis_cli(port, &["CLUSTER", "NODES"]).unwrap_or_default();
        let Some(mine) = nodes.lines().find(|l| l.contains("myself")) else { return false };
        mine.split_whitespace().skip(8).any(|range| {
            let mut ends = range.split('-').map(|n| n.parse::<u32>().unwrap_or(u32::MAX));
            let from = ends.next().unwrap_or(u32::MAX);
            let to = ends.next().unwrap_or(from);
            (from..=to).contains(&slot)
        })
    }

    /// Waits until every node says the cluster is ok, with three primaries
    /// and every replica in step with its primary.
    fn wait_until_whole(&self) {
        wait_for(20, "the cluster is whole", || {
            self.nodes.iter().all(|n| {
                let info = redis_cli(n.port, &["CLUSTER", "INFO"]).unwrap_or_default();
                let replication = redis_cli(n.port, &["INFO", "replication"]).unwrap_or_default();
                info_field(&info, "cluster_state").as_deref() == Some("ok")
                    && info_field(&info, "cluster_size").as_deref() == Some("3")
                    && info_field(&replication, "master_link_status").is_none_or(|s| s == "up")
            })
        });
    }
}

/// A free port for a cluster node whose bus port (10,000 above it) is free
/// too, both below the system's range for outgoing connections.
fn cluster_port() -> u16 {
    loop {
        let port = restartable_port();
        if port < 22_000 && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}

/// The name the sentinels know the primary by (`sentinelServiceName`).
pub const SENTINEL_SERVICE: &str = "workbook";

/// A local Sentinel set: a primary, its replica, and three sentinels that
/// watch them (a quorum of two), on free ports of 127.0.0.1. Stopped, and
/// its folder removed, when dropped.
#[derive(Debug)]
pub struct SentinelSet {
    servers: std::sync::Mutex<Vec<Tied>>,
    sentinels: Vec<Tied>,
}

impl SentinelSet {
    /// Starts one, or `None` when `redis-server` is not installed.
    pub fn start() -> Option<SentinelSet> {
        if !available("redis-server", INSTALL_REDIS) || !available("redis-cli", INSTALL_REDIS) {
            return None;
        }
        let primary = restartable_port();
        let replica = restartable_port();
        let mut replica_args = server_args(replica);
        replica_args.extend(["--replicaof", "127.0.0.1", &primary.to_string()].map(String::from));
        let servers = vec![
            Tied::start(primary, &server_args(primary), &[]),
            Tied::start(replica, &replica_args, &[]),
        ];
        let sentinels = (0..3)
            .map(|_| {
                let port = restartable_port();
                // A sentinel rewrites its config file with what it learns.
                let settings = format!(
                    "port {port}\nbind 127.0.0.1\ndir {{dir}}\n\
                     sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {primary} 2\n\
                     sentinel down-after-milliseconds {SENTINEL_SERVICE} 1000\n\
                     sentinel failover-timeout {SENTINEL_SERVICE} 5000\n"
                );
                let args = ["{dir}/sentinel.conf".into(), "--sentinel".into()];
                Tied::start(port, &args, &[("sentinel.conf", &settings)])
            })
            .collect();
        let set = SentinelSet { servers: servers.into(), sentinels };
        set.wait_until_watched();
        Some(set)
    }

    /// The one Sentinel set of this test process, started at its first
    /// use, or `None` when `redis-server` is not installed.
    pub fn shared() -> Option<Arc<SentinelSet>> {
        static SHARED: OnceLock<Option<Arc<SentinelSet>>> = OnceLock::new();
        SHARED.get_or_init(|| SentinelSet::start().map(Arc::new)).clone()
    }

    /// `REDIS_URL` for it: the sentinels (fred asks them where the
    /// primary is), and the name they know it by.
    pub fn url(&self) -> String {
        let others: Vec<String> =
            self.sentinels[1..].iter().map(|s| format!("&node=127.0.0.1:{}", s.port)).collect();
        format!(
            "redis-sentinel://127.0.0.1:{}?sentinelServiceName={SENTINEL_SERVICE}{}",
            self.sentinels[0].port,
            others.concat()
        )
    }

    /// The primary's port, as the sentinels say.
    fn primary(&self) -> u16 {
        let asked = ["SENTINEL", "get-master-addr-by-name", SENTINEL_SERVICE];
        let answer = redis_cli(self.sentinels[0].port, &asked).unwrap_or_default();
        answer.lines().nth(1).and_then(|p| p.trim().parse().ok()).unwrap_or(0)
    }

    /// Fails the primary over to its replica, as when its machine fails:
    /// the primary is killed (SIGKILL); the sentinels agree that it is down
    /// (after 1 s here), elect one of them, and it makes the replica the
    /// primary. The old primary then comes back, as a replica of the new
    /// one. Returns once all three sentinels name the new primary and it
    /// has its replica again.
    ///
    /// Not `SENTINEL FAILOVER`: it makes the replica the primary while the
    /// old one, still up, goes on taking writes until the sentinels turn it
    /// into a replica (their next look at it, up to 10 s later), and those
    /// writes are lost; the Redis servers' `min-replicas-to-write` is what
    /// refuses them.
    pub fn fail_over(&self) {
        let before = self.primary();
        let mut servers = self.servers.lock().unwrap_or_else(|p| p.into_inner());
        let at = servers.iter().position(|s| s.port == before).expect("the primary is ours");
        drop(servers.remove(at));
        wait_for(20, "the sentinels name the new primary", || {
            self.sentinels.iter().all(|s| {
                let asked = ["SENTINEL", "get-master-addr-by-name", SENTINEL_SERVICE];
                let answer = redis_cli(s.port, &asked).unwrap_or_default();
                let port = answer.lines().nth(1).and_then(|p| p.trim().parse::<u16>().ok());
                port.is_some_and(|p| p != before)
            })
        });
        let mut args = server_args(before);
        args.extend(["--replicaof", "127.0.0.1", &self.primary().to_string()].map(String::from));
        servers.push(Tied::start(before, &args, &[]));
        drop(servers);
        self.wait_until_watched();
    }

    /// Waits until the primary has its replica in step, and every sentinel
    /// knows the primary, the replica and the two other sentinels.
    fn wait_until_watched(&self) {
        wait_for(20, "the sentinels watch the primary and its replica", || {
            let primary = self.primary();
            let info = redis_cli(primary, &["INFO", "replication"]).unwrap_or_default();
            let in_step = info_field(&info, "role").as_deref() == Some("master")
                && info_field(&info, "connected_slaves").as_deref() == Some("1")
                && info.contains("state=online");
            let servers = self.servers.lock().unwrap_or_else(|p| p.into_inner());
            in_step
                && servers.iter().any(|s| s.port == primary)
                && self.sentinels.iter().all(|s| {
                    let asked = ["SENTINEL", "master", SENTINEL_SERVICE];
                    let answer = redis_cli(s.port, &asked).unwrap_or_default();
                    let field = |name: &str| {
                        let mut lines = answer.lines();
                        lines.position(|l| l == name)?;
                        lines.next().map(str::to_string)
                    };
                    field("num-slaves").as_deref() == Some("1")
                        && field("num-other-sentinels").as_deref() == Some("2")
                        && field("flags").as_deref() == Some("master")
                })
        });
    }
}
