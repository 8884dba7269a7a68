//! Starts stage 6 on `LISTEN_ADDR` (default: `APP_URL`'s host and port),
//! configured from `.env` and the environment.

use stage_6::config::Config;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // tower-sessions logs a span on every request: noise, and a cost.
    let filter = std::env::var("RUST_LOG")
        .unwrap_or_else(|_| "info,tower_sessions=warn,tower_sessions_core=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).init();
    if let Err(problem) = serve().await {
        eprintln!("error: {problem}"); // one line, and no backtrace
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

// ANCHOR: serve
async fn serve() -> Result<(), String> {
    let config = Config::from_env()?;
    let addr = config.listen_addr.clone();
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
        format!("cannot listen on {addr} ({e}): stop whatever uses that port, or set LISTEN_ADDR to another")
    })?;
    tracing::info!("listening on {addr} for {}, logging in with {}", config.app_url, config.issuer);
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    let server = axum::serve(listener, stage_6::app(config)).with_graceful_shutdown(ctrl_c);
    server.await.map_err(|e| format!("the server stopped: {e}"))
}
// ANCHOR_END: serve
