//! Starts stage 4 on `APP_URL`, configured from `.env` and the environment.

use stage_4::config::Config;
use std::process::ExitCode;

// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    // tower-sessions opens an info-level span on every request: useful for
    // debugging it, noise (and a cost) otherwise. RUST_LOG overrides this.
    let filter = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| "info,tower_sessions=warn,tower_sessions_core=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(problem) => return fail(&problem.to_string()),
    };
    if config.session_key_generated {
        tracing::warn!(
            "SESSION_SECRET is not set: using a random key, so a restart logs everyone out"
        );
    }
    let addr = config.listen_addr();
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            return fail(&format!(
                "cannot listen on {addr} ({e}): stop whatever uses that port, or set APP_URL to another port"
            ));
        }
    };

    tracing::info!(
        "listening on {}, logging in with {}",
        config.app_url,
        config.issuer
    );
    let shutdown = async {
        tokio::signal::ctrl_c().await.ok();
    };
    match axum::serve(listener, stage_4::app(config))
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("the server stopped: {e}")),
    }
}

/// One line on standard error, and a non-zero exit: no backtrace.
fn fail(problem: &str) -> ExitCode {
    eprintln!("error: {problem}");
    ExitCode::FAILURE
}
// ANCHOR_END: main
