//! Serving the app: the accept loop, with a limit on how long a client may
//! take to send a request's headers, and a graceful stop.

use crate::config::Config;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

// ANCHOR: serve
/// Serves the app on `listener` until `signal` (Ctrl-C, SIGTERM) comes.
/// A client gets `config.header_timeout` to send a request's headers (axum's
/// own `serve` has no such limit, so a client that sends half a request
/// would hold its connection forever). After the signal: no new
/// connections, and the requests in flight get at most
/// `config.shutdown_grace` to finish.
pub async fn serve(listener: TcpListener, config: Config, signal: impl Future<Output = ()>) {
    let (header_timeout, grace) = (config.header_timeout, config.shutdown_grace);
    let app = TowerToHyperService::new(crate::app(config));
    let mut http = http1::Builder::new();
    // hyper's header limit counts time with a timer it must be given.
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let connections = GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        match accepted {
            Ok((stream, _)) => {
                let connection = http.serve_connection(TokioIo::new(stream), app.clone());
                tokio::spawn(connections.watch(connection));
            }
            // Out of file descriptors, most likely: wait for some to close.
            Err(e) => {
                tracing::warn!("cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {
            tracing::info!("stopped: every request in flight was answered");
        }
        () = tokio::time::sleep(grace) => {
            tracing::warn!("stopped: requests still open {} s after the signal", grace.as_secs());
        }
    }
}
// ANCHOR_END: serve
