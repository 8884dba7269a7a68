//! A stage's binary as a person starts it, for the tests of a stage's own
//! `main` (`stages/stage-4/tests/start.rs`, `stages/stage-8/tests/start.rs`):
//! none of the developer's settings, an empty folder (so no `.env`), and
//! plain HTTP/1.1 to ask it something.
//!
//! Cargo builds a package's binaries for its own tests alone, and names
//! them there only (`env!("CARGO_BIN_EXE_stage-4")`); and a stage cannot
//! take this crate as a dev-dependency, as this crate depends on every
//! stage. So those tests compile this file into themselves, with
//! `#[path = "../../tests/src/binary.rs"] mod binary;`: it uses `std`
//! alone, and nothing else of this crate.

use std::io::{Read, Write};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Every setting a stage's binary reads from the environment: none of
/// them is passed on from the developer's.
pub const SETTINGS: [&str; 8] = [
    "APP_URL",
    "OKTA_BASE_URL",
    "OAUTH_CLIENT_ID",
    "OAUTH_CLIENT_SECRET",
    "SESSION_SECRET",
    "OAUTH_INSECURE_TRANSPORT",
    "LISTEN_ADDR",
    "REDIS_URL",
];

/// The binary at `path` (`env!("CARGO_BIN_EXE_stage-N")`) with `vars`
/// for its settings and nothing else, in an empty folder, with its log
/// off (`.env("RUST_LOG", "info")` turns it on).
pub fn command(path: &str, vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(path);
    // Run in an empty folder, so a developer's own .env is not read.
    command.current_dir(std::env::temp_dir()).env("RUST_LOG", "off");
    for name in SETTINGS {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    command
}

/// The binary under test, killed when the test ends, even by a failed assertion.
#[derive(Debug)]
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// A port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("bound").port()
}

/// One plain HTTP/1.1 `GET path`: the whole answer.
///
/// # Errors
/// Nothing listens on `port`, or the connection broke.
pub fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

/// The first answer to `GET path` on `port`, asked again and again for up
/// to 10 s while the binary starts; `who` names it in the panic if it does
/// not answer.
///
/// While it starts, a connection may be refused, or even reset: the port
/// found free can, for a moment, still be held by a copy of that listener
/// inherited by a child another test spawned, before its `exec`.
pub fn first_answer(port: u16, path: &str, who: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match get(port, path) {
            Ok(answer) if !answer.is_empty() => return answer,
            _ => assert!(Instant::now() < deadline, "{who} did not answer in time"),
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
