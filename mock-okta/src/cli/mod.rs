//! The command line: flags and the config file, read into a
//! [`Builder`](mock_okta::Builder), then the banner.

mod banner;
mod config_file;
mod env;
mod records;

use banner::print_banner;
use clap::Parser;
use clap::builder::BoolishValueParser;
use config_file::ConfigFile;
use mock_okta::{
    Builder, CustomServer, FAULTS, Fault, MockOkta, check_auth_server_name, check_host,
};
use records::{parse_clients, parse_users};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

pub(crate) use env::parse;

/// An offline mock of an Okta org, for learning and testing logins without
/// an Okta account. It serves both of the org's authorization servers: the
/// org authorization server (issuer http://HOST:PORT, endpoints
/// /oauth2/v1/…) and a custom one (issuer http://HOST:PORT/oauth2/AUTH_SERVER,
/// endpoints /oauth2/AUTH_SERVER/v1/…).
///
/// Every flag can be set by a variable instead (shown as [env: …]), which
/// the flag overrides. A repeatable flag's variable holds all its values:
/// one per line for MOCK_OKTA_CLIENT and MOCK_OKTA_USER, separated by
/// spaces or lines for MOCK_OKTA_AUTH_SERVER, MOCK_OKTA_SCOPE and
/// MOCK_OKTA_FAULT.
#[derive(Debug, Parser)]
#[command(name = "mock-okta", version, after_help = fault_help())]
pub(crate) struct Args {
    /// Port to listen on (default 8081; 0: any free one); the org's URL,
    /// and the org authorization server's issuer, is http://HOST:PORT.
    #[arg(long, env = "MOCK_OKTA_PORT", value_parser = parse_port)]
    port: Option<u16>,

    /// Host name in the issuers (default localhost), e.g. the name other
    /// containers reach the mock by. Or the origin of a proxy in front of
    /// the mock that terminates TLS, e.g. https://login.example.com or
    /// https://login.example.com:8443: the issuers, discovery documents and
    /// tokens then name it (https://login.example.com/oauth2/default), and
    /// the mock serves plain http on --bind and --port (https with --tls,
    /// its certificate made for the origin's host). Neither changes where
    /// the mock listens: see --bind.
    #[arg(long, env = "MOCK_OKTA_HOST")]
    host: Option<String>,

    /// The IP address to listen on (default 127.0.0.1, this machine only):
    /// 0.0.0.0 for every IPv4 address (in a container, to be reached from
    /// others), or one address of this machine.
    #[arg(long, env = "MOCK_OKTA_BIND", value_name = "ADDR", value_parser = parse_ip)]
    bind: Option<IpAddr>,

    /// Serve https, with a certificate made at start for HOST, localhost,
    /// 127.0.0.1 and ::1; the issuers become https://HOST:PORT…. The
    /// certificate to trust is written to a file the banner names (see
    /// --tls-cert-out).
    #[arg(long, env = "MOCK_OKTA_TLS", value_parser = BoolishValueParser::new())]
    tls: bool,

    /// Where --tls writes the certificate a client trusts, in PEM (default:
    /// mock-okta-PORT.pem in the temp folder), e.g. for curl --cacert FILE.
    #[arg(long, env = "MOCK_OKTA_TLS_CERT_OUT", value_name = "FILE")]
    tls_cert_out: Option<PathBuf>,

    /// Serve https with this certificate (PEM, the server's first, then
    /// its chain) instead of a made one; needs --tls-key.
    #[arg(long, env = "MOCK_OKTA_TLS_CERT", value_name = "FILE")]
    tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "MOCK_OKTA_TLS_KEY", value_name = "FILE")]
    tls_key: Option<PathBuf>,

    /// Name of the custom authorization server: its issuer is
    /// http://HOST:PORT/oauth2/AUTH_SERVER (default: default). Letters,
    /// digits, - and _; not v1. Repeated, each name after the first adds
    /// one more custom authorization server (up to four in all), with its
    /// own issuer and keys, the audience api://NAME, no custom scopes and a
    /// groups claim (the config file's auth_servers sets more); --audience,
    /// --scope and --no-groups-claim are the first one's.
    #[arg(
        long = "auth-server",
        env = "MOCK_OKTA_AUTH_SERVER",
        value_name = "NAME"
    )]
    auth_servers: Vec<String>,

    /// The aud of the custom authorization server's access tokens, what an
    /// API checks (default: api://AUTH_SERVER, i.e. api://default).
    #[arg(long, env = "MOCK_OKTA_AUDIENCE")]
    audience: Option<String>,

    /// Declare a custom scope on the custom authorization server
    /// (repeatable), beside messages:read. A scope a server does not
    /// declare is refused with invalid_scope, as in Okta.
    #[arg(long = "scope", env = "MOCK_OKTA_SCOPE", value_name = "SCOPE")]
    scopes: Vec<String>,

    /// Give the custom authorization server no groups claim (by default it
    /// has one: every group of the user, in the ID token always).
    #[arg(long, env = "MOCK_OKTA_NO_GROUPS_CLAIM", value_parser = BoolishValueParser::new())]
    no_groups_claim: bool,

    /// A TOML file with port, host, auth_server, audience, scopes,
    /// groups_claim, auth_servers (more custom servers), control_api,
    /// clients, users and faults. Its clients
    /// and users replace the built-in ones; see the crate README.
    #[arg(long, env = "MOCK_OKTA_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Register a web client, one field per --client (repeatable):
    /// id=ID starts a client; then secret=SECRET, redirect-uri=URI
    /// (repeatable) and post-logout-redirect-uri=URI (repeatable; default:
    /// the first redirect URI's origin). Only the first = splits, so a value
    /// may hold any character. Without secret=, the client is public and
    /// must use PKCE.
    #[arg(long = "client", env = "MOCK_OKTA_CLIENT", value_name = "FIELD=VALUE")]
    clients: Vec<String>,

    /// Add a user, one field per --user (repeatable): email=EMAIL starts a
    /// user; then password=PASSWORD, name=NAME (default: the email) and
    /// groups=GROUP,GROUP (Okta groups, besides Everyone).
    #[arg(long = "user", env = "MOCK_OKTA_USER", value_name = "FIELD=VALUE")]
    users: Vec<String>,

    /// Switch a fault on from the start (repeatable); the list is below.
    #[arg(long = "fault", env = "MOCK_OKTA_FAULT", value_name = "NAME")]
    faults: Vec<String>,

    /// Serve no control API under /__mock/ (faults, users, clients,
    /// recorded requests and the clock, over HTTP): those paths are then
    /// Okta's 404, and the mock looks like Okta (but for /__mock/health).
    #[arg(long, env = "MOCK_OKTA_NO_CONTROL_API", value_parser = BoolishValueParser::new())]
    no_control_api: bool,
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| "not a port: give a number from 0 to 65535 (0: any free port)".into())
}

fn parse_ip(text: &str) -> Result<IpAddr, String> {
    text.parse().map_err(|_| {
        "not an IP address: e.g. 127.0.0.1 (this machine only), 0.0.0.0 (every IPv4 address) or ::"
            .into()
    })
}

/// https as the flags ask: a made certificate (`--tls`, `--tls-cert-out`),
/// or one given (`--tls-cert` and `--tls-key`, read here).
fn tls(builder: Builder, args: &Args) -> Result<Builder, String> {
    let read = |flag: &str, path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| format!("{flag} {}: cannot read it ({e})", path.display()))
    };
    match (&args.tls_cert, &args.tls_key) {
        (Some(_), Some(_)) if args.tls_cert_out.is_some() => Err(
            "--tls-cert-out: with --tls-cert the certificate is yours: have clients trust that file, and drop --tls-cert-out".into(),
        ),
        (Some(cert), Some(key)) => {
            Ok(builder.tls_pem(read("--tls-cert", cert)?, read("--tls-key", key)?))
        }
        (Some(_), None) => Err("--tls-cert needs --tls-key FILE, the certificate's private key".into()),
        (None, Some(_)) => Err("--tls-key needs --tls-cert FILE, its certificate".into()),
        (None, None) => Ok(builder.tls(args.tls || args.tls_cert_out.is_some())),
    }
}

fn fault_help() -> String {
    let mut help = String::from("Faults (--fault NAME, on every authorization server):\n");
    for spec in FAULTS {
        help.push_str(&format!("  {:<32} {}\n", spec.usage(), spec.help));
    }
    help
}

pub(crate) async fn run(args: Args) -> Result<(), String> {
    let file = match &args.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let port = args.port.or(file.port).unwrap_or(8081);
    let host = args
        .host
        .clone()
        .or(file.host)
        .unwrap_or_else(|| "localhost".into());
    check_host(&host)
        .map_err(|problem| format!("--host (or host in the config file): {problem}"))?;
    let ip = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let mut builder = tls(MockOkta::builder().ip(ip).port(port).host(host), &args)?;
    for name in &args.auth_servers {
        check_auth_server_name(name).map_err(|problem| format!("--auth-server: {problem}"))?;
    }
    let mut names = args.auth_servers.iter().cloned();
    if let Some(name) = names.next().or(file.auth_server) {
        builder = builder.auth_server(name);
    }
    for server in file
        .auth_servers
        .into_iter()
        .map(CustomServer::from)
        .chain(names.map(CustomServer::new))
    {
        builder = builder.custom_server(server);
    }
    if let Some(clients) = file.clients {
        builder = builder.clients(clients);
    }
    if let Some(users) = file.users {
        builder = builder.users(users);
    }
    for client in parse_clients(&args.clients)? {
        builder = builder.client(client);
    }
    for user in parse_users(&args.users)? {
        builder = builder.user(user);
    }
    for name in file.faults.iter().chain(&args.faults) {
        builder = builder.fault(name.parse::<Fault>()?);
    }
    if let Some(audience) = args.audience.or(file.audience) {
        builder = builder.audience(audience);
    }
    for scope in file.scopes.iter().chain(&args.scopes) {
        builder = builder.scope(scope);
    }
    let groups_claim = !args.no_groups_claim && file.groups_claim.unwrap_or(true);
    builder = builder.groups_claim(groups_claim);
    let control_api = !args.no_control_api && file.control_api.unwrap_or(true);
    let okta = builder.control_api(control_api).start().await.map_err(|e| {
        let place = std::net::SocketAddr::new(ip, port);
        match e.kind() {
            std::io::ErrorKind::InvalidInput if args.tls_cert.is_some() && e.to_string().starts_with("TLS") => {
                format!("--tls-cert, --tls-key: {e}")
            }
            std::io::ErrorKind::InvalidInput => e.to_string(),
            std::io::ErrorKind::AddrNotAvailable => format!(
                "--bind {ip}: not an address of this machine ({e}): use 127.0.0.1, 0.0.0.0 (every address) or one that `ip addr` lists"
            ),
            _ => format!(
                "cannot listen on {place} ({e}): stop whatever uses that port, or pass --port"
            ),
        }
    })?;
    let trust = match okta.tls_certificate_pem() {
        Some(pem) if args.tls_cert.is_none() => {
            let port = okta.addr().port();
            let path = args
                .tls_cert_out
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join(format!("mock-okta-{port}.pem")));
            std::fs::write(&path, pem).map_err(|e| {
                format!(
                    "--tls-cert-out {}: cannot write the certificate there ({e})",
                    path.display()
                )
            })?;
            Some(path)
        }
        _ => args.tls_cert.clone(),
    };
    print_banner(&okta, trust.as_deref());
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}
