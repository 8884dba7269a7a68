//! `mock-okta`: serve an offline Okta org: its org authorization server and
//! a custom authorization server.
//!
//! ```text
//! cargo run -p mock-okta                       # http://localhost:8081 and …/oauth2/default
//! cargo run -p mock-okta -- --fault deny-consent --fault token-slow=15s
//! cargo run -p mock-okta -- --client id=my-app --client secret=s3cret \
//!     --client redirect-uri=http://localhost:3000/callback
//! cargo run -p mock-okta -- --config mock-okta.toml
//! ```

use std::io::IsTerminal;
use std::process::ExitCode;

mod cli;

#[tokio::main]
async fn main() -> ExitCode {
    // Colours for a person at a terminal; plain text in a file or a pipe.
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    let args = match cli::parse(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("error: {problem}");
            return ExitCode::from(2);
        }
    };
    match cli::run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}
