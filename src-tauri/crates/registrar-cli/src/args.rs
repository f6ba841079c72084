//! What the command line accepts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Register external OAuth applications, manage their secrets and hand them over.
///
/// Credentials come from the OS keychain (saved with `registrar connections add`), or, for CI,
/// from the environment: REGISTRAR_IDENTITY_URL, REGISTRAR_CLIENT_ID, REGISTRAR_CLIENT_SECRET and
/// REGISTRAR_ORG_ID (the organization's GUID; taken from the admin token when it names it).
#[derive(Debug, Parser)]
#[command(name = "registrar", version)]
pub struct Cli {
    /// Print JSON for scripts instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// The saved connection to use, by name (default: the one chosen last, in the window or by
    /// removing the chosen one; else the first one saved).
    #[arg(long, short = 'c', global = true)]
    pub connection: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Saved connections to identity servers.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// External applications.
    #[command(subcommand)]
    Apps(AppsCommand),
    /// An application's secrets.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// The developer handoff sheet.
    #[command(subcommand)]
    Handoff(HandoffCommand),
    /// Least-privilege findings on every app of the connection: broad scopes beside narrow
    /// ones, unsafe or duplicated redirect URLs, user scopes without a redirect URL, secrets
    /// expired, endless or too old. Dismissed findings are listed apart.
    Lint(Lint),
    /// The audit trail: every change Registrar made, from the window or the command line.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Apps as code: the connection's apps as a manifest (YAML or JSON), never with a secret.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// What applying a manifest would change on the connection: apps created, updated field by
    /// field, and with --prune deleted. Also shows drift, what changed on the server since.
    Plan(PlanArgs),
    /// Brings the connection to what a manifest says, after checking all of it; asks before
    /// deleting. A second apply changes nothing.
    Apply(ApplyArgs),
    /// Run the sandbox identity server until Ctrl-C.
    Sandbox(registrar_sandbox::cli::Args),
}

#[derive(Debug, Args)]
pub struct Lint {
    /// The longest a secret should live, from its creation: days, weeks or hours, as 730d
    /// (default: the window's setting, else two years).
    #[arg(long)]
    pub max_secret_age: Option<String>,
    #[command(subcommand)]
    pub command: Option<LintCommand>,
}

#[derive(Debug, Subcommand)]
pub enum LintCommand {
    /// Dismiss a finding on one app, saying why it does not apply (kept in the audit trail).
    Dismiss {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// The finding's code, as `registrar lint` names it (e.g. plainHttpRedirect).
        code: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The entries, oldest first; with --connection, that connection's only.
    List {
        /// Only the entries about this App ID.
        #[arg(long, allow_hyphen_values = true)]
        app: Option<String>,
        /// Only this action (may be given several times): connectionAdded, connectionEdited,
        /// connectionRemoved, appCreated, appUpdated, appDeleted, secretGenerated,
        /// secretDeleted, sheetExported, sheetExportedWithSecret, findingDismissed,
        /// rotationStarted, rotationVerified, rotationFinished, rotationCancelled.
        #[arg(long)]
        action: Vec<String>,
        /// Only entries from this day on (YYYY-MM-DD, this computer's time zone).
        #[arg(long)]
        since: Option<String>,
        /// Only entries up to the end of this day (YYYY-MM-DD, this computer's time zone).
        #[arg(long)]
        until: Option<String>,
    },
    /// Check that no entry was changed or taken out since it was written; exits 1 if one was.
    Verify,
    /// Write the whole trail as JSON Lines or CSV.
    Export {
        #[arg(long, value_enum)]
        format: AuditFormat,
        /// The file to write (owner-only); standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// UiPath Automation Cloud (host cloud.uipath.com unless given).
    Cloud,
    /// UiPath Automation Suite.
    Suite,
    /// Standalone Orchestrator.
    Standalone,
    /// An OAuth 2.0 server with dynamic client registration (RFC 7591/7592), by --issuer.
    OauthServer,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// Save a connection; its admin client secret goes to the OS keychain, read from
    /// REGISTRAR_CLIENT_SECRET or, when that is unset, from the first line of standard input.
    /// For an OAuth server, the initial access token the same way, from
    /// REGISTRAR_INITIAL_ACCESS_TOKEN or standard input.
    Add(AddConnection),
    /// The saved connections.
    List,
    /// Check what works on a connection: discovery, the admin token and its scopes, listing apps.
    Test,
    /// Replace an OAuth server connection's initial access token, read from
    /// REGISTRAR_INITIAL_ACCESS_TOKEN or standard input, keeping the clients registered
    /// through it.
    SetToken {
        /// The connection's name.
        name: String,
        /// The server takes registrations without a token: keep none.
        #[arg(long)]
        open_registration: bool,
    },
    /// Forget a saved connection and its keychain entries (for an OAuth server, also the
    /// registration access tokens of the clients registered through it: they stay on the
    /// server, out of Registrar's reach). When it was the chosen connection, the sandbox is
    /// chosen instead, here and in the window.
    Remove {
        /// The connection's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddConnection {
    /// A name to pick it by (blanks around it, as around every value, are dropped).
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// The server's host (Public Sector or Dedicated hosts for Automation Cloud).
    #[arg(long)]
    pub host: Option<String>,
    /// An OAuth server's issuer URL (its endpoints come from RFC 8414 or OpenID discovery).
    #[arg(long, required_if_eq("kind", "oauth-server"))]
    pub issuer: Option<String>,
    /// The organization's name as it appears in URLs (not for standalone Orchestrator).
    #[arg(long, default_value = "")]
    pub org: String,
    /// The organization's GUID, when the admin token does not name it.
    #[arg(long)]
    pub org_id: Option<uuid::Uuid>,
    /// The admin app's client id (an app with the application scope PM.OAuthApp); with
    /// --sign-in, the sign-in app's (non-confidential, user scope PM.OAuthApp, redirect URL
    /// http://127.0.0.1:52370/callback, or the --sign-in-port given). Not for an OAuth server.
    #[arg(long, required_if_eq_any([("kind", "cloud"), ("kind", "suite"), ("kind", "standalone")]))]
    pub client_id: Option<String>,
    /// Sign in in the browser (the BROWSER program if set) instead of using an admin app's
    /// secret; the refresh token goes to the keychain.
    #[arg(long)]
    pub sign_in: bool,
    /// With --sign-in: the port on 127.0.0.1 the sign-in listens on (52370 unless given). The
    /// sign-in app must have registered exactly http://127.0.0.1:PORT/callback.
    #[arg(long, requires = "sign_in")]
    pub sign_in_port: Option<u16>,
    /// An OAuth server that takes registrations without an initial access token (open
    /// registration): none is read or kept.
    #[arg(long)]
    pub open_registration: bool,
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Every external application.
    List,
    /// One application.
    Get {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
    },
    /// Register an application; a confidential one's first secret is printed this once.
    Create(CreateApp),
    /// Change an application's name, redirect URLs or scopes (lists given replace the old ones).
    Update(UpdateApp),
    /// Delete an application.
    Delete {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// The application's name exactly as the server has it (case and blanks included), to
        /// confirm.
        #[arg(long)]
        confirm: String,
        /// Do it even though it is the connection's own admin app, whose loss ends the
        /// connection.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppType {
    Confidential,
    NonConfidential,
}

#[derive(Debug, Args)]
pub struct CreateApp {
    /// The application's name.
    #[arg(long)]
    pub name: String,
    /// Confidential apps keep a secret (servers); non-confidential ones cannot (desktop, mobile,
    /// single-page apps) and hold user scopes only.
    #[arg(long = "type", value_enum)]
    pub app_type: AppType,
    #[command(flatten)]
    pub lists: AppLists,
}

/// An app's scopes and redirect URLs. On an update, scopes given replace all the scopes, and
/// redirect URLs given replace all the redirect URLs.
#[derive(Debug, Args)]
pub struct AppLists {
    /// An application scope (repeat for more).
    #[arg(long = "app-scope")]
    pub app_scopes: Vec<String>,
    /// A user scope (repeat for more).
    #[arg(long = "user-scope")]
    pub user_scopes: Vec<String>,
    /// A redirect URL (repeat for more).
    #[arg(long = "redirect")]
    pub redirects: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpdateApp {
    #[arg(allow_hyphen_values = true)]
    pub app_id: String,
    /// A new name.
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub lists: AppLists,
    /// Remove every redirect URL.
    #[arg(long, conflicts_with = "redirects")]
    pub no_redirects: bool,
    /// Save even a change that takes PM.OAuthApp from the connection's own admin app, which
    /// ends the connection.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Add a secret and print its value this once.
    Generate {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// Who or what the secret is for (not on an OAuth server, where a new secret replaces
        /// the app's one secret).
        #[arg(long)]
        description: Option<String>,
        /// The last day it works (YYYY-MM-DD): it expires at 23:59:59 of that day in this
        /// computer's time zone, as in the window. Never expires when left out. Not on an OAuth
        /// server.
        #[arg(long)]
        expires: Option<String>,
    },
    /// Secrets expired or expiring within a span, and apps without a working secret, for cron
    /// and CI: exits 10 when there are any, 0 when there are none, 4 when a server could not be
    /// read (what the others gave is still printed).
    Expiring {
        /// How far ahead to look: days, weeks or hours, as 30d, 2w or 12h.
        #[arg(long, default_value = "30d")]
        within: String,
        /// Every saved connection, not only the chosen one (or --connection's).
        #[arg(long, conflicts_with = "connection")]
        all_connections: bool,
    },
    /// Rotate an app's secret without downtime: start (a new secret beside the old ones),
    /// then finish once every consumer uses it (the old ones are deleted), or cancel.
    #[command(subcommand)]
    Rotate(RotateCommand),
    /// The rotations in progress, of every saved connection (with --connection, of that one).
    Rotations,
    /// Delete one secret.
    Delete {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        secret_id: i64,
        /// Delete even the last working secret of the connection's own admin app, which ends
        /// the connection.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    Pdf,
    Html,
    Markdown,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Write the apps (all, or those given with --app) as a manifest, sorted by name.
    Export {
        /// Only this App ID (may be given several times).
        #[arg(long, allow_hyphen_values = true)]
        app: Vec<String>,
        /// Also write each app's App ID, which ties the manifest to this server.
        #[arg(long)]
        with_ids: bool,
        #[arg(long, value_enum, default_value = "yaml")]
        format: ManifestFormat,
        /// The file to write; standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The manifest (YAML or JSON).
    #[arg(long, short = 'f')]
    pub file: PathBuf,
    /// Also delete the apps the manifest does not name.
    #[arg(long)]
    pub prune: bool,
    /// Exit 10 when there are changes (0 when there are none).
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The manifest (YAML or JSON).
    #[arg(long, short = 'f')]
    pub file: PathBuf,
    /// Also delete the apps the manifest does not name (asked first, unless --yes).
    #[arg(long)]
    pub prune: bool,
    /// Delete without asking.
    #[arg(long)]
    pub yes: bool,
    /// Write each created app's handoff sheet, with its secret, into this folder (owner-only);
    /// without it the secrets are printed once.
    #[arg(long)]
    pub sheets: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RotateCommand {
    /// Add the new secret and print it this once; the old secrets keep working. It is verified
    /// with a token request when the app has application scopes, and written into a handoff
    /// sheet (owner-only) with --sheet.
    Start {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// Who or what the new secret is for.
        #[arg(long)]
        description: String,
        /// The last day it works (YYYY-MM-DD), as for `secrets generate`. Never expires when
        /// left out.
        #[arg(long)]
        expires: Option<String>,
        /// Also write the handoff sheet with the new secret: this file, or this folder with the
        /// sheet's own file name.
        #[arg(long)]
        sheet: Option<PathBuf>,
        /// The sheet's format: pdf, html, markdown or json.
        #[arg(long, value_enum, default_value = "html", requires = "sheet")]
        format: SheetFormat,
    },
    /// Delete the secrets the app had before the rotation; the new one stays.
    Finish {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// Finish even when it deletes the last secret Registrar signs in with, which ends the
        /// connection.
        #[arg(long)]
        force: bool,
    },
    /// Give the rotation up: the old secrets stay, the new one is deleted (unless --keep-new).
    Cancel {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// Keep the new secret too, for consumers that have it already.
        #[arg(long)]
        keep_new: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HandoffCommand {
    /// Write the handoff sheet (without the secret: the command line never holds one).
    Export {
        #[arg(allow_hyphen_values = true)]
        app_id: String,
        /// pdf, html, markdown or json (format registrar.handoff/1).
        #[arg(long, value_enum)]
        format: SheetFormat,
        /// Where to write it; a folder takes the sheet's own file name.
        #[arg(long)]
        out: PathBuf,
    },
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn an_app_id_starting_with_a_hyphen_is_an_app_id() {
        for args in [
            &["registrar", "apps", "get", "-Iabc"][..],
            &["registrar", "apps", "update", "-Iabc", "--name", "n"],
            &["registrar", "apps", "delete", "-Iabc", "--confirm", "n"],
            &["registrar", "secrets", "generate", "-Iabc"],
            &["registrar", "secrets", "delete", "-Iabc", "1"],
            &[
                "registrar",
                "handoff",
                "export",
                "-Iabc",
                "--format",
                "pdf",
                "--out",
                ".",
            ],
        ] {
            let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(
                format!("{:?}", cli.command).contains("\"-Iabc\""),
                "{args:?}"
            );
        }
    }
}
