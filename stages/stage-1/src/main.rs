//! Starts stage 1 on `APP_URL` (default `http://localhost:8080`).

use std::process::ExitCode;

// ANCHOR: main
#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();

    let app_url = std::env::var("APP_URL").unwrap_or_else(|_| "http://localhost:8080".into());
    let addr = match stage_1::listen_addr(&app_url) {
        Ok(addr) => addr,
        Err(problem) => return fail(&problem),
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            return fail(&format!(
                "cannot listen on {addr} ({e}): stop whatever uses that port, or set APP_URL to another port"
            ));
        }
    };

    tracing::info!("listening on {app_url}");
    let shutdown = async {
        tokio::signal::ctrl_c().await.ok();
    };
    match axum::serve(listener, stage_1::app()).with_graceful_shutdown(shutdown).await {
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
