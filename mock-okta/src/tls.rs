//! https: the mock's certificate (made at start with rcgen, or given as
//! PEM) and a listener that serves it with rustls on ring, as the rest of
//! the workspace's rustls.
//!
//! A certificate the mock makes is signed by a certificate authority made
//! for it alone: the authority's certificate is what a client trusts (it
//! is [`MockOkta::tls_certificate_pem`](crate::MockOkta::tls_certificate_pem),
//! and the file `--tls` writes), and its private key is dropped once the
//! one server certificate is signed, so trusting it trusts nothing else.
//! (A self-signed server certificate alone is refused as a trust anchor by
//! some clients: Python 3.13's strict checks want an authority with
//! `basicConstraints` and key usages.)

use axum::serve::Listener;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;

/// How long a client has to finish the TLS handshake after connecting;
/// then the connection is closed (a client that connects and sends
/// nothing holds no task for longer).
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the certificate comes from, as [`Builder`](crate::Builder) was told.
#[derive(Clone)]
pub(crate) enum TlsSource {
    /// Made at start for the issuers' host, `localhost`, `127.0.0.1`, `::1`
    /// and the address listened on.
    Generated,
    /// Given: a certificate chain and its private key, in PEM.
    Pem { chain: String, key: String },
}

impl fmt::Debug for TlsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSource::Generated => f.write_str("Generated"),
            // Never the private key.
            TlsSource::Pem { .. } => f.write_str("Pem { chain, key: [redacted] }"),
        }
    }
}

/// A server's TLS settings, ready to serve, and the certificate a client
/// trusts to reach it.
#[derive(Clone)]
pub(crate) struct Tls {
    config: Arc<ServerConfig>,
    /// PEM: the made authority's certificate, or the given chain.
    pub(crate) trust_pem: String,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tls")
            .field("trust_pem", &self.trust_pem)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// The TLS settings for a server reached as `host` (a name, an IPv4
    /// address or a bracketed IPv6 one) and listening on `addr`.
    ///
    /// # Errors
    /// One line: the given PEM holds no certificate or no private key, or
    /// rustls refuses them (a key that does not match the certificate), or
    /// rcgen cannot make a certificate for the host.
    pub(crate) fn new(source: &TlsSource, host: &str, addr: SocketAddr) -> Result<Tls, String> {
        let (chain, key, trust_pem) = match source {
            TlsSource::Generated => generate(host, addr)?,
            TlsSource::Pem { chain, key } => {
                let certs = CertificateDer::pem_slice_iter(chain.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("TLS: the certificate is not PEM ({e})"))?;
                if certs.is_empty() {
                    return Err("TLS: the certificate file holds no CERTIFICATE in PEM".into());
                }
                let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).map_err(|e| {
                    format!("TLS: the key file holds no private key in PEM (PKCS#8, PKCS#1 or SEC1) ({e})")
                })?;
                (certs, key, chain.clone())
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| format!("TLS: the certificate and the key do not go together ({e})"))?;
        // The router speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            config: Arc::new(config),
            trust_pem,
        })
    }
}

/// An authority made for this server alone and a server certificate it
/// signs: (the server's chain, its key, the authority's certificate in PEM).
fn generate(
    host: &str,
    addr: SocketAddr,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, String), String> {
    let fail = |e: rcgen::Error| format!("TLS: cannot make a certificate for {host} ({e})");
    let mut authority = CertificateParams::new(Vec::new()).map_err(fail)?;
    authority.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    authority.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // A name of its own (the port, the time): a client that trusts two
    // mocks' authorities finds each by its name.
    let made = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros();
    authority.distinguished_name.push(
        DnType::CommonName,
        format!(
            "mock-okta authority for {host}:{}, made {made} (trust it for this mock only)",
            addr.port()
        ),
    );
    let authority = CertifiedIssuer::self_signed(authority, KeyPair::generate().map_err(fail)?)
        .map_err(fail)?;

    let mut names = vec![
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        "localhost".into(),
        "127.0.0.1".into(),
        "::1".into(),
    ];
    if !addr.ip().is_unspecified() {
        names.push(addr.ip().to_string());
    }
    names.dedup();
    let mut server = CertificateParams::new(names).map_err(fail)?;
    server.distinguished_name.push(DnType::CommonName, host);
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate().map_err(fail)?;
    let cert = server.signed_by(&key, &authority).map_err(fail)?;
    let key = PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| fail_key(host, e))?;
    // The authority's key is dropped here: it signs nothing more.
    Ok((vec![cert.der().clone()], key, authority.pem()))
}

fn fail_key(host: &str, e: &str) -> String {
    format!("TLS: cannot make a key for {host} ({e})")
}

/// Accepts TCP connections and serves TLS on them, for `axum::serve`:
/// handshakes run side by side (a slow one holds up no other) and end
/// after [`HANDSHAKE_TIMEOUT`]. A failed handshake is one log line; the
/// usual one is a client that does not trust the certificate.
#[derive(Debug)]
pub(crate) struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl TlsListener {
    /// Serves `tls` on `listener`'s connections, on the current Tokio
    /// runtime, until this listener is dropped (then the port is freed).
    pub(crate) fn new(listener: TcpListener, tls: &Tls) -> std::io::Result<TlsListener> {
        let addr = listener.local_addr()?;
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.config.clone());
        let (done, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    () = done.closed() => return,
                    accepted = listener.accept() => accepted,
                };
                let (tcp, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, say: wait, as axum does.
                        tracing::warn!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, done) = (acceptor.clone(), done.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                        Ok(Ok(stream)) => {
                            done.send((stream, peer)).await.ok();
                        }
                        Ok(Err(e)) => tracing::info!("{peer}: TLS handshake failed: {e}"),
                        Err(_) => tracing::info!(
                            "{peer}: no TLS handshake within {HANDSHAKE_TIMEOUT:?}: closed"
                        ),
                    }
                });
            }
        });
        Ok(TlsListener { ready, addr })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accepting task ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
