//! Starts stage 10 on `LISTEN_ADDR` (default: `APP_URL`'s host and port),
//! configured from `.env` and the environment.

use stage_10::config::Config;
use std::process::ExitCode;

// ANCHOR: main
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

async fn serve() -> Result<(), String> {
    let config = Config::from_env()?;
    let addr = config.listen_addr.clone();
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
        format!("cannot listen on {addr} ({e}): stop whatever uses that port, or set LISTEN_ADDR to another")
    })?;
    tracing::info!("listening on {addr} for {}, logging in with {}", config.app_url, config.issuer);
    stage_10::server::serve(listener, config, stopped()).await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what a service manager or Kubernetes sends): the
/// server stops taking connections and finishes the requests in flight.
async fn stopped() {
    #[cfg(unix)]
    let terminate = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler can be installed");
        term.recv().await;
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
// ANCHOR_END: main
