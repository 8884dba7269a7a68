//! The command line: flags and the config file, read into a
//! [`Builder`](mock_okta::Builder), then the banner.

mod banner;
mod config_file;
mod records;

use banner::print_banner;
use clap::Parser;
use config_file::ConfigFile;
use mock_okta::{CustomServer, FAULTS, Fault, MockOkta, check_auth_server_name, check_host};
use records::{parse_clients, parse_users};
use std::path::PathBuf;

/// An offline mock of an Okta org, for learning and testing logins without
/// an Okta account. It serves both of the org's authorization servers: the
/// org authorization server (issuer http://HOST:PORT, endpoints
/// /oauth2/v1/…) and a custom one (issuer http://HOST:PORT/oauth2/AUTH_SERVER,
/// endpoints /oauth2/AUTH_SERVER/v1/…).
#[derive(Debug, Parser)]
#[command(name = "mock-okta", version, after_help = fault_help())]
pub(crate) struct Args {
    /// Port to listen on (on 127.0.0.1); the org's URL, and the org
    /// authorization server's issuer, is http://HOST:PORT.
    #[arg(long)]
    port: Option<u16>,

    /// Host name in the issuers, e.g. when the mock is reached through a
    /// name other than localhost. It still listens on 127.0.0.1.
    #[arg(long)]
    host: Option<String>,

    /// Name of the custom authorization server: its issuer is
    /// http://HOST:PORT/oauth2/AUTH_SERVER (default: default). Letters,
    /// digits, - and _; not v1. Repeated, each name after the first adds
    /// one more custom authorization server (up to four in all), with its
    /// own issuer and keys, the audience api://NAME, no custom scopes and a
    /// groups claim (the config file's auth_servers sets more); --audience,
    /// --scope and --no-groups-claim are the first one's.
    #[arg(long = "auth-server", value_name = "NAME")]
    auth_servers: Vec<String>,

    /// The aud of the custom authorization server's access tokens, what an
    /// API checks (default: api://AUTH_SERVER, i.e. api://default).
    #[arg(long)]
    audience: Option<String>,

    /// Declare a custom scope on the custom authorization server
    /// (repeatable), beside messages:read. A scope a server does not
    /// declare is refused with invalid_scope, as in Okta.
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,

    /// Give the custom authorization server no groups claim (by default it
    /// has one: every group of the user, in the ID token always).
    #[arg(long)]
    no_groups_claim: bool,

    /// A TOML file with port, host, auth_server, audience, scopes,
    /// groups_claim, auth_servers (more custom servers), control_api,
    /// clients, users and faults. Its clients
    /// and users replace the built-in ones; see the crate README.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Register a web client, one field per --client (repeatable):
    /// id=ID starts a client; then secret=SECRET, redirect-uri=URI
    /// (repeatable) and post-logout-redirect-uri=URI (repeatable; default:
    /// the first redirect URI's origin). Only the first = splits, so a value
    /// may hold any character. Without secret=, the client is public and
    /// must use PKCE.
    #[arg(long = "client", value_name = "FIELD=VALUE")]
    clients: Vec<String>,

    /// Add a user, one field per --user (repeatable): email=EMAIL starts a
    /// user; then password=PASSWORD, name=NAME (default: the email) and
    /// groups=GROUP,GROUP (Okta groups, besides Everyone).
    #[arg(long = "user", value_name = "FIELD=VALUE")]
    users: Vec<String>,

    /// Switch a fault on from the start (repeatable); the list is below.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,

    /// Serve no control API under /__mock/ (faults, users, clients,
    /// recorded requests and the clock, over HTTP): those paths are then
    /// Okta's 404, and the mock looks exactly like Okta.
    #[arg(long)]
    no_control_api: bool,
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
        .or(file.host)
        .unwrap_or_else(|| "localhost".into());
    check_host(&host)
        .map_err(|problem| format!("--host (or host in the config file): {problem}"))?;
    let mut builder = MockOkta::builder().port(port).host(host);
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
        if e.kind() == std::io::ErrorKind::InvalidInput {
            return e.to_string();
        }
        format!(
            "cannot listen on 127.0.0.1:{port} ({e}): stop whatever uses that port, or pass --port"
        )
    })?;
    print_banner(&okta);
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}
