//! The accept loop, over plain TCP or TLS: hyper's HTTP/1.1 with a limit on
//! how long a client may take to send a request's head (axum's own `serve`
//! has none: a client that sends half a request would hold its connection
//! for ever), and a graceful stop. As the workbook's stages serve.

use axum::Router;
use axum::serve::Listener;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::time::Duration;

/// How long a client has to send a request's head, by default (see
/// [`Builder::header_read_timeout`](crate::Builder::header_read_timeout)):
/// 10 s, as the workbook's stages give.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on the connections of `listener` until `stop` comes. A
/// client has `header_read_timeout` to send each request's line and
/// headers (counted from when it connects, or from the answer before on a
/// kept-alive connection); then its connection is closed. After `stop`:
/// no new connections (the port is freed), and each open one closes once
/// its request in flight is answered.
pub(crate) async fn serve<L: Listener>(
    mut listener: L,
    app: Router,
    header_read_timeout: Duration,
    stop: impl Future<Output = ()>,
) {
    let app = TowerToHyperService::new(app);
    let mut http = http1::Builder::new();
    // hyper's header limit counts time with a timer it must be given.
    http.timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connections = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        // A failed accept (out of file descriptors) is the listener's to
        // wait out: it only ever answers a connection.
        let (io, _peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let connection = http.serve_connection(TokioIo::new(io), app.clone());
        tokio::spawn(connections.watch(connection));
    }
    drop(listener);
    connections.shutdown().await;
}
