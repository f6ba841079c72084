//! The sandbox from a terminal (`registrar-sandbox`, or `registrar sandbox`): serve until Ctrl-C.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::pin;
use std::time::Duration;

use clap::Parser;

use crate::{
    ListedApps, Sandbox, SandboxConfig, ScopeTypes, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_ORGANIZATION, DEFAULT_REQUEST_TIMEOUT, SANDBOX_USER,
};

/// Registrar's sandbox identity server: UiPath's External Client API and a token endpoint on
/// 127.0.0.1, kept in a SQLite file.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The SQLite file holding the sandbox's apps, secret hashes and signing key.
    #[arg(long, default_value = "registrar-sandbox.sqlite3")]
    pub db: PathBuf,
    /// The organization name in the URLs (`/{org}/identity_`).
    #[arg(long, default_value = DEFAULT_ORGANIZATION)]
    pub org: String,
    /// How answers write a scope's type: numbers as live tenants do, or the published names.
    #[arg(long, value_enum, default_value_t = ScopeTypes::Numbers)]
    pub scope_types: ScopeTypes,
    /// What the list of apps gives of each: nothing of its scopes and secrets, as live tenants
    /// answer, or the whole app, as the published API description has it.
    #[arg(long, value_enum, default_value_t = ListedApps::Bare)]
    pub listed_apps: ListedApps,
    /// Let a loopback redirect URL name any port (RFC 8252 §7.3); by default redirect URLs
    /// match exactly, port included, as UiPath's servers match them.
    #[arg(long)]
    pub loopback_any_port: bool,
    /// Refuse token requests whose scope is longer than this many characters, with
    /// invalid_request "Invalid scope", as some identity server versions do.
    #[arg(long)]
    pub scope_length_limit: Option<usize>,
    /// Seconds a client has to send a request's line and headers, from connecting or from its
    /// last answer; idle connections are closed after it.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    pub header_read_timeout: u64,
    /// Seconds a request may take from its headers to its answer, its body included; a slower
    /// one is answered 408.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_REQUEST_TIMEOUT.as_secs())]
    pub request_timeout: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Print a fresh secret for the bootstrap admin client.
    #[arg(long)]
    pub issue_admin_secret: bool,
    /// Print a fresh password for the user of the sign-in page.
    #[arg(long)]
    pub issue_user_password: bool,
}

/// Starts the sandbox, prints where it is and how to sign in, and serves until Ctrl-C.
pub async fn run(args: Args) -> Result<(), Box<dyn Error>> {
    let sandbox = Sandbox::start(SandboxConfig {
        db_path: args.db,
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
        organization: args.org,
        scope_types: args.scope_types,
        listed_apps: args.listed_apps,
        loopback_any_port: args.loopback_any_port,
        scope_length_limit: args.scope_length_limit,
        header_read_timeout: Duration::from_secs(args.header_read_timeout),
        request_timeout: Duration::from_secs(args.request_timeout),
        max_connections: args.max_connections,
    })
    .await?;
    println!("Identity URL:     {}", sandbox.identity_url());
    println!(
        "Token endpoint:   {}/identity_/connect/token",
        sandbox.base_url()
    );
    println!("Partition GUID:   {}", sandbox.partition_global_id());
    println!("Admin client id:  {}", sandbox.admin_client_id());
    if sandbox.is_new() || args.issue_admin_secret {
        let secret = sandbox.issue_admin_secret()?;
        println!("Admin secret:     {}", secret.expose());
        println!("                  (shown once: it cannot be read back; --issue-admin-secret makes a new one)");
    }
    if sandbox.is_new() || args.issue_user_password {
        let password = sandbox.issue_user_password()?;
        println!("Sign-in user:     {SANDBOX_USER}");
        println!("User password:    {}", password.expose());
        println!("                  (shown once; --issue-user-password makes a new one)");
    }
    let mut interrupted = pin!(tokio::signal::ctrl_c());
    // One poll installs the handler, so a Ctrl-C from the moment "Serving" shows is caught.
    let early = tokio::time::timeout(Duration::ZERO, &mut interrupted).await;
    println!("Serving until Ctrl-C.");
    let signal = match early {
        Ok(signal) => signal,
        Err(_) => interrupted.await,
    };
    sandbox.shutdown().await;
    Ok(signal?)
}
