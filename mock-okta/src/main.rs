//! `mock-okta`: serve an offline Okta org: its org authorization server and
//! a custom authorization server.
//!
//! ```text
//! cargo run -p mock-okta                       # http://localhost:8081 and …/oauth2/default
//! cargo run -p mock-okta -- --fault deny-consent --fault token-slow=15s
//! cargo run -p mock-okta -- --config mock-okta.toml
//! ```

use clap::Parser;
use mock_okta::{Client, ConfigFile, FAULTS, Fault, MockOkta, User, check_auth_server_name};
use std::path::PathBuf;
use std::process::ExitCode;

/// An offline mock of an Okta org, for learning and testing logins without
/// an Okta account. It serves both of the org's authorization servers: the
/// org authorization server (issuer http://HOST:PORT, endpoints
/// /oauth2/v1/…) and a custom one (issuer http://HOST:PORT/oauth2/AUTH_SERVER,
/// endpoints /oauth2/AUTH_SERVER/v1/…).
#[derive(Debug, Parser)]
#[command(name = "mock-okta", version, after_help = fault_help())]
struct Args {
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
    /// digits, - and _; not v1.
    #[arg(long)]
    auth_server: Option<String>,

    /// A TOML file with port, host, auth_server, clients, users and faults.
    /// Its clients and users replace the built-in ones; see the crate README.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Register another web client: ID:SECRET:REDIRECT_URI (repeatable).
    /// Its post-logout URI is the redirect URI's origin.
    #[arg(long = "client", value_name = "ID:SECRET:REDIRECT_URI")]
    clients: Vec<String>,

    /// Add a user: EMAIL:PASSWORD[:NAME] (repeatable).
    #[arg(long = "user", value_name = "EMAIL:PASSWORD[:NAME]")]
    users: Vec<String>,

    /// Switch a fault on from the start (repeatable); the list is below.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,
}

fn fault_help() -> String {
    let mut help = String::from("Faults (--fault NAME, on both authorization servers):\n");
    for spec in FAULTS {
        help.push_str(&format!("  {:<32} {}\n", spec.usage(), spec.help));
    }
    help
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let file = match &args.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let port = args.port.or(file.port).unwrap_or(8081);
    let host = args
        .host
        .or(file.host)
        .unwrap_or_else(|| "localhost".into());
    let mut builder = MockOkta::builder().port(port).host(host);
    if let Some(name) = &args.auth_server {
        check_auth_server_name(name).map_err(|problem| format!("--auth-server: {problem}"))?;
    }
    if let Some(name) = args.auth_server.or(file.auth_server) {
        builder = builder.auth_server(name);
    }
    if let Some(clients) = file.clients {
        builder = builder.clients(clients);
    }
    if let Some(users) = file.users {
        builder = builder.users(users);
    }
    for spec in &args.clients {
        builder = builder.client(parse_client(spec)?);
    }
    for spec in &args.users {
        builder = builder.user(parse_user(spec)?);
    }
    for name in file.faults.iter().chain(&args.faults) {
        builder = builder.fault(name.parse::<Fault>()?);
    }
    let okta = builder.start().await.map_err(|e| {
        format!(
            "cannot listen on 127.0.0.1:{port} ({e}): stop whatever uses that port, or pass --port"
        )
    })?;
    print_banner(&okta);
    tokio::signal::ctrl_c().await.ok();
    Ok(())
}

fn parse_client(spec: &str) -> Result<Client, String> {
    let mut parts = spec.splitn(3, ':');
    let (Some(id), Some(secret), Some(redirect)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("--client {spec:?}: write ID:SECRET:REDIRECT_URI"));
    };
    let url = url::Url::parse(redirect)
        .map_err(|e| format!("--client {id}: {redirect:?} is not a URL ({e})"))?;
    Ok(Client::web(id, secret)
        .redirect_uri(redirect)
        .post_logout_redirect_uri(url.origin().ascii_serialization()))
}

fn parse_user(spec: &str) -> Result<User, String> {
    let mut parts = spec.splitn(3, ':');
    let (Some(email), Some(password)) = (parts.next(), parts.next()) else {
        return Err(format!("--user {spec:?}: write EMAIL:PASSWORD[:NAME]"));
    };
    if !email.contains('@') {
        return Err(format!("--user: {email:?} is not an email address"));
    }
    Ok(User::new(email, parts.next().unwrap_or(email), password))
}

/// What a learner needs to point a stage at this mock.
fn print_banner(okta: &MockOkta) {
    let custom = okta.issuer();
    let org = okta.org_issuer();
    let name = custom.rsplit('/').next().unwrap_or_default();
    println!("mock-okta is running: an offline stand-in for an Okta org. Ctrl-C stops it.\n");
    println!("  custom authorization server {name:?}");
    println!("    issuer (OKTA_BASE_URL)  {custom}");
    println!("    discovery               {custom}/.well-known/openid-configuration");
    println!("  org authorization server");
    println!("    issuer (OKTA_BASE_URL)  {org}");
    println!("    discovery               {org}/.well-known/openid-configuration\n");
    for client in okta.clients() {
        let secret = client
            .secret
            .as_deref()
            .map(mask)
            .unwrap_or_else(|| "(public client)".into());
        println!("  client {}  secret {secret}", client.id);
        for uri in &client.redirect_uris {
            println!("    login redirect URI   {uri}");
        }
        for uri in &client.post_logout_redirect_uris {
            println!("    logout redirect URI  {uri}");
        }
    }
    println!("\n  users (username / password):");
    for user in okta.users() {
        println!("    {} / {}", user.email, user.password);
    }
    let faults = okta.faults();
    if !faults.is_empty() {
        let names: Vec<String> = faults.iter().map(ToString::to_string).collect();
        println!("\n  faults on: {}", names.join(", "));
    }
    println!("\n  The workbook's stages use these values by default: run `cargo run -p stage-4`.");
    println!("  In .env, they are OKTA_BASE_URL={custom}");
    println!(
        "  and OAUTH_CLIENT_ID={} (see .env.example).\n",
        mock_okta::DEFAULT_CLIENT_ID
    );
}

/// A secret as `****` plus its last four characters.
fn mask(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}
