//! Each command, over the application layer (`registrar-app`) that the window uses too.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use registrar_app::connections::{Change, Connections, GivenCredential, SignInWith};
use registrar_app::rules::{self, SecretRequest};
use registrar_app::session::Session;
use registrar_core::audit;
use registrar_core::connections::{Connection, ConnectionKind};
use registrar_core::draft::AppDraft;
use registrar_core::edit::AppEdit;
use registrar_core::expiry;
use registrar_core::files::Access;
use registrar_core::handoff::{Format, Sheet};
use registrar_core::lint;
use registrar_core::model::{self, ExternalApp, Field, Scope, ScopeType};
use registrar_core::probe::{probe, Check};
use registrar_core::{files, Error, Result, Secret};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;
use zeroize::Zeroize;

use crate::args::{
    AddConnection, AppType, AppsCommand, AuditCommand, AuditFormat, Cli, Command,
    ConnectionsCommand, CreateApp, HandoffCommand, Kind, Lint, LintCommand, RotateCommand,
    SecretsCommand, SheetFormat, UpdateApp,
};
use crate::manifest;
use crate::output::{app_json, app_type, print_app, print_json, say, say_err, secret_json, table};
use crate::target::{self, ENV_CLIENT_SECRET, ENV_INITIAL_ACCESS_TOKEN};

/// How a command that succeeded ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// `secrets expiring` found something within its span.
    Found,
}

pub async fn run(cli: Cli) -> Result<Outcome> {
    let json = cli.json;
    let name = cli.connection.as_deref();
    let done = match cli.command {
        Command::Connections(command) => connections(command, name, json).await,
        Command::Apps(command) => apps(command, &target::open(name).await?, json).await,
        Command::Secrets(command) => return secrets(command, name, json).await,
        Command::Handoff(command) => handoff(command, &target::open(name).await?, json).await,
        Command::Lint(args) => lint(args, &target::open(name).await?, json).await,
        Command::Audit(command) => audit(command, name, json),
        Command::Manifest(command) => manifest::export(command, &target::open(name).await?).await,
        Command::Plan(args) => return manifest::plan(args, &target::open(name).await?, json).await,
        Command::Apply(args) => manifest::apply(args, &target::open(name).await?, json).await,
        Command::Sandbox(args) => registrar_sandbox::cli::run(args)
            .await
            .map_err(|e| Error::Storage(format!("The sandbox stopped: {e}"))),
    };
    done.map(|()| Outcome::Done)
}

/// Secrets expired or expiring within `within`, and apps without a working secret, on the
/// chosen connection or on all; each connection's apps read whole. A connection that cannot be
/// read is listed with the reason, and then the command fails (exit 4) after printing the rest.
async fn expiring(within: &str, all: bool, name: Option<&str>, json: bool) -> Result<Outcome> {
    let window = expiry::parse_window(within).ok_or_else(|| Error::InvalidInput {
        field: None,
        message: format!("\"{within}\" is no span: give days, weeks or hours, as 30d, 2w or 12h."),
    })?;
    let now = OffsetDateTime::now_utc();
    let mut sessions = Vec::new();
    if all {
        let connections = target::connections()?;
        for connection in connections.saved()?.connections {
            let opened = connections.open(&connection).await;
            sessions.push((connection.name, opened));
        }
    } else {
        let session = target::open(name).await?;
        sessions.push((session.about.connection.name.clone(), Ok(session)));
    }
    let mut found = Vec::new();
    let mut unreachable = Vec::new();
    for (connection, session) in sessions {
        let apps = match session {
            Ok(session) => session.list_whole_apps().await,
            Err(e) => Err(e),
        };
        match apps {
            Ok(apps) => {
                let rows = expiry::within(&expiry::rows(&apps, now), window, now);
                found.extend(rows.into_iter().map(|row| (connection.clone(), row)));
            }
            Err(e) => unreachable.push((connection, e.to_string())),
        }
    }
    if json {
        let rows: Vec<_> = found
            .iter()
            .map(|(connection, row)| {
                let mut value = json!(row);
                value["connection"] = json!(connection);
                value
            })
            .collect();
        let unreachable: Vec<_> = unreachable
            .iter()
            .map(|(connection, reason)| json!({"connection": connection, "reason": reason}))
            .collect();
        print_json(&json!({"within": within, "rows": rows, "unreachable": unreachable}));
    } else if found.is_empty() {
        say!("Nothing expires within {within}, and every confidential app has a working secret.");
    } else {
        let rows: Vec<Vec<String>> = found
            .iter()
            .map(|(connection, row)| {
                vec![
                    connection.clone(),
                    row.app_name.clone(),
                    row.app_id.clone(),
                    row.secret_id.map(|id| id.to_string()).unwrap_or_default(),
                    row.description.clone().unwrap_or_default(),
                    row.expires.map(rfc3339).unwrap_or_default(),
                    urgency(row.urgency).to_owned(),
                ]
            })
            .collect();
        let header = [
            "CONNECTION",
            "APP",
            "APP ID",
            "SECRET",
            "DESCRIPTION",
            "EXPIRES",
            "STATUS",
        ];
        table(&header, &rows);
    }
    if !unreachable.is_empty() {
        let said: Vec<String> = unreachable
            .iter()
            .map(|(connection, reason)| format!("\"{connection}\": {reason}"))
            .collect();
        return Err(Error::Server(format!(
            "Could not read every connection: {}",
            said.join(" ")
        )));
    }
    Ok(match found.is_empty() {
        true => Outcome::Done,
        false => Outcome::Found,
    })
}

fn urgency(urgency: expiry::Urgency) -> &'static str {
    use expiry::Urgency as U;
    match urgency {
        U::NoActiveSecret => "no working secret",
        U::Expired => "expired",
        U::Within7Days => "within 7 days",
        U::Within30Days => "within 30 days",
        U::Within90Days => "within 90 days",
        U::Later => "later",
        U::NoExpiry => "never expires",
    }
}

async fn connections(command: ConnectionsCommand, name: Option<&str>, json: bool) -> Result<()> {
    let connections = target::connections()?;
    match command {
        ConnectionsCommand::Add(add) => add_connection(add, &connections, json).await,
        ConnectionsCommand::List => {
            let saved = connections.saved()?;
            let chosen = saved.chosen().map(|c| c.id.clone());
            let is_chosen = |c: &Connection| chosen.as_deref() == Some(c.id.as_str());
            if json {
                let list: Vec<_> = saved
                    .connections
                    .iter()
                    .map(|c| {
                        json!({
                            "name": c.name,
                            "kind": c.kind.label(),
                            "identity_url": c.identity_url().map(|u| u.to_string()).ok(),
                            "organization": c.organization,
                            "organization_id": c.partition_global_id,
                            "admin_client_id": c.admin_client_id,
                            "chosen": is_chosen(c),
                        })
                    })
                    .collect();
                print_json(&json!(list));
            } else {
                let rows: Vec<Vec<String>> = saved
                    .connections
                    .iter()
                    .map(|c| {
                        vec![
                            if is_chosen(c) { "*" } else { "" }.to_owned(),
                            c.name.clone(),
                            c.kind.label().to_owned(),
                            c.identity_url().map_or("-".to_owned(), |u| u.to_string()),
                            c.admin_client_id.clone(),
                        ]
                    })
                    .collect();
                table(&["", "NAME", "KIND", "IDENTITY URL", "ADMIN CLIENT"], &rows);
                say!("* used when no --connection is given (the one chosen in the window)");
            }
            Ok(())
        }
        ConnectionsCommand::Test => {
            let saved = connections.saved()?;
            let connection = target::find(&saved, name)?;
            let session = connections.open(connection).await?;
            let report = probe(&session.client).await;
            let outcome = |c: &Check| match c {
                Check::Passed(_) => "passed",
                Check::Failed(_) => "failed",
                Check::Skipped(_) => "skipped",
                Check::Unchecked(_) => "unchecked",
            };
            if json {
                let mut out = serde_json::Map::new();
                for (step, check) in report.steps() {
                    out.insert(
                        step.into(),
                        json!({"outcome": outcome(check), "detail": check.detail()}),
                    );
                }
                out.insert("admin_scopes".into(), json!(report.admin_scopes));
                out.insert("organization_id".into(), json!(report.organization_id));
                print_json(&serde_json::Value::Object(out));
            } else {
                for (step, check) in report.steps() {
                    say!("{step:<10} {:<8} {}", outcome(check), check.detail());
                }
            }
            verdict(&connection.name, &report)
        }
        ConnectionsCommand::SetToken {
            name,
            open_registration,
        } => {
            let found = target::find(&connections.saved()?, Some(&name))?.clone();
            if found.kind != ConnectionKind::OauthServer {
                return Err(Error::InvalidInput {
                    field: None,
                    message: format!(
                        "\"{name}\" is not an OAuth server: its credentials are an admin app's \
                         secret or a sign-in."
                    ),
                });
            }
            let token = match open_registration {
                true => None,
                false => Some(secret_from_input(
                    ENV_INITIAL_ACCESS_TOKEN,
                    "the initial access token",
                )?),
            };
            let change = Change {
                id: Some(found.id.clone()),
                draft: Connection {
                    open_registration,
                    ..found
                },
                given: GivenCredential::InitialAccessToken(token),
                organization_id: None,
            };
            connections.save(change, SignInWith::none(), false).await?;
            if !json {
                say!(
                    "\"{name}\" now registers clients {}; the clients registered through it stay.",
                    match open_registration {
                        true => "without an initial access token",
                        false => "with the new initial access token",
                    }
                );
            }
            Ok(())
        }
        ConnectionsCommand::Remove { name } => {
            let saved = connections.saved()?;
            let found = target::find(&saved, Some(&name))?.clone();
            let was_chosen = saved.chosen().is_some_and(|c| c.id == found.id);
            connections.remove(&found.id).await?;
            if !json {
                say!("Removed \"{name}\" and its keychain entries.");
                if let Some(now) = connections.saved()?.chosen().filter(|_| was_chosen) {
                    say!(
                        "Commands without --connection now work on \"{}\", in the window too.",
                        now.name
                    );
                }
            }
            Ok(())
        }
    }
}

/// The app, and a secret the server replaced (`why` says how), shown this once.
fn print_app_with(app: &ExternalApp, replaced: Option<&Secret>, why: &str, json: bool) {
    if json {
        let mut out = app_json(app);
        if let Some(secret) = replaced {
            out["replacedSecret"] = serde_json::Value::from(secret.expose());
        }
        print_json(&out);
        return;
    }
    print_app(app);
    if let Some(secret) = replaced {
        say!("");
        say!("{why}");
        say!("New client secret:  {}", secret.expose());
        say!("                    (shown once: it cannot be read back)");
    }
}

/// A lockout refusal, with how to go ahead all the same.
fn with_force(error: Error) -> Error {
    match error {
        Error::Lockout(why) => Error::Lockout(format!(
            "{why} Nothing was changed; --force does it all the same."
        )),
        other => other,
    }
}

/// What a connection test comes to, as an exit code: refused credentials only when a token was
/// asked for and refused ("not checked", as an OAuth server's initial access token is, is no
/// refusal), an unreachable server when discovery failed too, a server failure otherwise.
fn verdict(name: &str, report: &registrar_core::probe::ConnectionReport) -> Result<()> {
    let refused = matches!(report.token, Check::Failed(_));
    if report.all_passed() {
        Ok(())
    } else if refused && !report.discovery.passed() {
        Err(Error::Network(format!(
            "\"{name}\" does not answer: see above."
        )))
    } else if refused {
        Err(Error::Unauthorized(format!(
            "\"{name}\" does not work: the admin token was refused."
        )))
    } else {
        Err(Error::Server(format!(
            "\"{name}\" does not work fully; see above."
        )))
    }
}

/// A credential (`what`) from the environment variable `env`, else typed on the terminal without
/// echo, else the first line of standard input (piped).
fn secret_from_input(env: &str, what: &str) -> Result<Secret> {
    let secret = match std::env::var(env) {
        Ok(secret) => Secret::new(secret),
        Err(_) if std::io::stdin().is_terminal() => read_secret_typed(what)?,
        Err(_) => read_secret_line()?,
    };
    if secret.expose().trim().is_empty() {
        return Err(Error::InvalidInput {
            field: None,
            message: format!("Give {what} in {env} or on standard input."),
        });
    }
    Ok(secret)
}

/// Asks for `what` on the terminal, which does not show what is typed.
fn read_secret_typed(what: &str) -> Result<Secret> {
    let mut typed = rpassword::prompt_password(format!("Type {what} (it is not shown): "))
        .map_err(|e| Error::Storage(format!("Could not read {what} from the terminal: {e}")))?;
    let secret = Secret::new(typed.trim().to_owned());
    typed.zeroize();
    Ok(secret)
}

fn read_secret_line() -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Error::Storage(format!(
            "Could not read the secret from standard input: {e}"
        ))
    })?;
    let secret = Secret::new(line.trim().to_owned());
    line.zeroize();
    Ok(secret)
}

async fn add_connection(add: AddConnection, connections: &Connections, json: bool) -> Result<()> {
    let kind = match add.kind {
        Kind::Cloud => ConnectionKind::AutomationCloud,
        Kind::Suite => ConnectionKind::AutomationSuite,
        Kind::Standalone => ConnectionKind::Standalone,
        Kind::OauthServer => ConnectionKind::OauthServer,
    };
    let draft = Connection {
        id: String::new(),
        name: add.name,
        kind,
        organization: add.org.clone(),
        partition_global_id: Uuid::nil(),
        admin_client_id: add.client_id.clone().unwrap_or_default(),
        sandbox_port: None,
        host: add.host.clone(),
        signed_in: add.sign_in,
        issuer: add.issuer.clone(),
        open_registration: add.open_registration,
        sign_in_port: add.sign_in_port,
    };
    connections.check_new(&draft)?;
    let given = match kind {
        ConnectionKind::OauthServer => {
            let uipath_only = [
                ("--sign-in", add.sign_in),
                ("--client-id", add.client_id.is_some()),
                ("--org", !add.org.is_empty()),
                ("--org-id", add.org_id.is_some()),
                ("--host", add.host.is_some()),
                ("--sign-in-port", add.sign_in_port.is_some()),
            ];
            let given: Vec<&str> = uipath_only
                .iter()
                .filter(|(_, given)| *given)
                .map(|(flag, _)| *flag)
                .collect();
            if !given.is_empty() {
                return Err(Error::InvalidInput {
                    field: None,
                    message: format!(
                        "An OAuth server is given by --issuer alone and registers clients with \
                         its initial access token: leave out {}.",
                        given.join(", ")
                    ),
                });
            }
            let token = match add.open_registration {
                true => None,
                false => Some(secret_from_input(
                    ENV_INITIAL_ACCESS_TOKEN,
                    "the initial access token",
                )?),
            };
            GivenCredential::InitialAccessToken(token)
        }
        _ if add.issuer.is_some() || add.open_registration => {
            return Err(Error::InvalidInput {
                field: None,
                message: "--issuer and --open-registration are for --kind oauth-server; UiPath \
                          servers are given by --host and --org."
                    .into(),
            })
        }
        _ if add.sign_in => GivenCredential::SignIn { again: true },
        _ => GivenCredential::ClientSecret(Some(secret_from_input(
            ENV_CLIENT_SECRET,
            "the admin app's client secret",
        )?)),
    };
    let sign_in = SignInWith {
        open_browser: |url: &url::Url| {
            say_err!("Sign in in the browser. If it did not open, go to:");
            say_err!("{url}");
            open_browser(url.as_str());
        },
        cancel: std::future::pending(),
    };
    let change = Change {
        id: None,
        draft,
        given,
        organization_id: add.org_id,
    };
    let connection = connections
        .save(change, sign_in, false)
        .await
        .map_err(|e| match e {
            Error::InvalidInput {
                field: Some(Field::OrganizationId),
                ..
            } => Error::InvalidInput {
                field: None,
                message: "The admin token does not name the organization: give its GUID with \
                          --org-id."
                    .into(),
            },
            other => other,
        })?;
    let identity_url = connection.identity_url()?;
    let organization = match connection.kind {
        ConnectionKind::OauthServer => None,
        _ => Some(connection.partition_global_id),
    };
    if json {
        print_json(&json!({
            "name": connection.name,
            "identity_url": identity_url.to_string(),
            "organization_id": organization,
        }));
    } else {
        let organization = organization
            .map(|id| format!(", organization {id}"))
            .unwrap_or_default();
        say!(
            "Saved \"{}\" ({identity_url}{organization}); its credentials are in the keychain.",
            connection.name
        );
    }
    Ok(())
}

/// Opens `url` in the browser the BROWSER variable names, else the system's (the `open` crate
/// knows each platform's launcher). A failure only leaves the printed URL to open by hand.
fn open_browser(url: &str) {
    let opened = match std::env::var("BROWSER") {
        Ok(browser) if !browser.is_empty() => open::with_detached(url, browser),
        _ => open::that_detached(url),
    };
    if let Err(error) = opened {
        say_err!("Could not open the browser ({error}).");
    }
}

fn scopes(app_scopes: &[String], user_scopes: &[String]) -> Vec<Scope> {
    app_scopes
        .iter()
        .map(|n| Scope::new(n.clone(), ScopeType::Application))
        .chain(
            user_scopes
                .iter()
                .map(|n| Scope::new(n.clone(), ScopeType::User)),
        )
        .collect()
}

async fn apps(command: AppsCommand, session: &Session, json: bool) -> Result<()> {
    let client = &session.client;
    match command {
        AppsCommand::List => {
            let apps = session.list_whole_apps().await?;
            for id in client.replaced_secrets() {
                say_err!(
                    "registrar: the server replaced the secret of {id}: `registrar apps get {id}` \
                     shows the new one, once."
                );
            }
            if json {
                print_json(&json!(apps.iter().map(app_json).collect::<Vec<_>>()));
            } else {
                let rows: Vec<Vec<String>> = apps
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.clone(),
                            a.name.clone(),
                            app_type(a.app_type).to_owned(),
                            a.scopes.len().to_string(),
                            a.secrets.len().to_string(),
                        ]
                    })
                    .collect();
                table(&["APP ID", "NAME", "TYPE", "SCOPES", "SECRETS"], &rows);
            }
        }
        AppsCommand::Get { app_id } => {
            let app = client.get_app(&app_id).await?;
            let replaced = session.take_replaced_secret(&app).await?;
            print_app_with(
                &app,
                replaced.as_ref(),
                "The server shows another secret than the one last given: it was replaced on \
                 the server, and the old one likely no longer works.",
                json,
            );
        }
        AppsCommand::Create(create) => create_app(create, session, json).await?,
        AppsCommand::Update(update) => update_app(update, session, json).await?,
        AppsCommand::Delete {
            app_id,
            confirm,
            force,
        } => {
            let name = session
                .delete_app(&app_id, &confirm, force)
                .await
                .map_err(with_force)?;
            if json {
                print_json(&json!({"deleted": app_id}));
            } else {
                say!("Deleted \"{name}\" ({app_id}).");
            }
        }
    }
    Ok(())
}

async fn create_app(create: CreateApp, session: &Session, json: bool) -> Result<()> {
    let draft = AppDraft {
        name: create.name,
        app_type: match create.app_type {
            AppType::Confidential => model::AppType::Confidential,
            AppType::NonConfidential => model::AppType::NonConfidential,
        },
        redirect_uris: create.lists.redirects,
        scopes: scopes(&create.lists.app_scopes, &create.lists.user_scopes),
    };
    let created = session.register(draft).await?;
    if json {
        let mut out = app_json(&created.app);
        out["secret"] = json!(created.secret.as_ref().map(Secret::expose));
        print_json(&out);
    } else {
        print_app(&created.app);
        if let Some(secret) = &created.secret {
            say!("Client secret:      {}", secret.expose());
            say!("                    (shown once: it cannot be read back)");
        }
    }
    Ok(())
}

async fn update_app(update: UpdateApp, session: &Session, json: bool) -> Result<()> {
    let app = session.client.get_app(&update.app_id).await?;
    let base = AppEdit::from(&app);
    let mut edit = base.clone();
    if let Some(name) = update.name {
        edit.name = name;
    }
    if !update.lists.app_scopes.is_empty() || !update.lists.user_scopes.is_empty() {
        edit.scopes = scopes(&update.lists.app_scopes, &update.lists.user_scopes);
    }
    if update.no_redirects {
        edit.redirect_uris.clear();
    } else if !update.lists.redirects.is_empty() {
        edit.redirect_uris = update.lists.redirects;
    }
    let saved = session
        .update(&app.id, &base, &edit, update.force)
        .await
        .map_err(with_force)?;
    print_app_with(
        &saved.app,
        saved.replaced_secret.as_ref(),
        "The server replaced the app's secret with this update: the old one no longer works.",
        json,
    );
    Ok(())
}

async fn secrets(command: SecretsCommand, name: Option<&str>, json: bool) -> Result<Outcome> {
    match command {
        SecretsCommand::Expiring {
            within,
            all_connections,
        } => return expiring(&within, all_connections, name, json).await,
        SecretsCommand::Generate {
            app_id,
            description,
            expires,
        } => {
            let session = target::open(name).await?;
            let request = SecretRequest {
                description,
                expires_on: expires.as_deref().map(rules::day).transpose()?,
            };
            let (info, value) = session
                .generate_secret(&app_id, &request, OffsetDateTime::now_utc())
                .await?;
            if json {
                let mut out = secret_json(&info);
                out["value"] = json!(value.expose());
                print_json(&out);
            } else {
                say!("Secret {} for {app_id}: {}", info.id, value.expose());
                say!("(shown once: it cannot be read back)");
            }
        }
        SecretsCommand::Rotate(command) => {
            rotate(command, &target::open(name).await?, json).await?
        }
        SecretsCommand::Rotations => rotations(name, json)?,
        SecretsCommand::Delete {
            app_id,
            secret_id,
            force,
        } => {
            let session = target::open(name).await?;
            let app = session
                .delete_secret(&app_id, secret_id, force)
                .await
                .map_err(with_force)?;
            if json {
                print_json(&json!({"deleted": secret_id}));
            } else {
                say!("Deleted secret {secret_id} of \"{}\".", app.name);
            }
        }
    }
    Ok(Outcome::Done)
}

async fn rotate(command: RotateCommand, session: &Session, json: bool) -> Result<()> {
    match command {
        RotateCommand::Start {
            app_id,
            description,
            expires,
            sheet,
            format,
        } => {
            let request = SecretRequest {
                description: Some(description),
                expires_on: expires.as_deref().map(rules::day).transpose()?,
            };
            let now = OffsetDateTime::now_utc();
            let (rotation, info, value) = session.start_rotation(&app_id, &request, now).await?;
            // The secret exists now and is printed whatever follows: a failed check or sheet
            // is said, and the rotation stays in progress.
            let verified = session.verify(&app_id).await;
            let written = match sheet {
                Some(out) => {
                    let format = sheet_format(format);
                    let written = match session.sheet(&app_id, true, now).await {
                        Ok(sheet) => write_sheet(session, &sheet, out, format).await,
                        Err(e) => Err(e),
                    };
                    Some(written)
                }
                None => None,
            };
            if json {
                let mut secret = secret_json(&info);
                secret["value"] = json!(value.expose());
                print_json(&json!({
                    "app": {"id": rotation.app.id, "name": rotation.app.name},
                    "secret": secret,
                    "oldSecretIds": rotation.old_secret_ids,
                    "verified": verified.as_ref().is_ok(),
                    "verifyProblem": verified.as_ref().err().map(ToString::to_string),
                    "sheet": written.as_ref().and_then(|w| w.as_ref().ok()).map(|p| p.display().to_string()),
                    "sheetProblem": written.as_ref().and_then(|w| w.as_ref().err()).map(ToString::to_string),
                }));
            } else {
                say!(
                    "Started rotating \"{}\": new secret {}: {}",
                    rotation.app.name,
                    info.id,
                    value.expose()
                );
                say!("(shown once: it cannot be read back)");
                match &verified {
                    Ok(_) => say!("Verified: the token endpoint issued a token with it."),
                    Err(e) => say!("Not verified: {e}"),
                }
                match &written {
                    Some(Ok(path)) => say!("Wrote {} (readable by you only)", path.display()),
                    Some(Err(e)) => say!("The sheet was not written: {e}"),
                    None => {}
                }
                let old = ids(&rotation.old_secret_ids);
                say!(
                    "Secrets {old} keep working until `registrar secrets rotate finish {app_id}`."
                );
            }
        }
        RotateCommand::Finish { app_id, force } => {
            let before = session.rotation(&app_id)?;
            let app = session
                .finish_rotation(&app_id, force)
                .await
                .map_err(with_force)?;
            let retired = before.map(|r| r.old_secret_ids).unwrap_or_default();
            if json {
                print_json(&json!({"app": app_json(&app), "retiredSecretIds": retired}));
            } else {
                say!(
                    "Finished rotating \"{}\": retired secrets {}; {} left.",
                    app.name,
                    ids(&retired),
                    ids(&app.secrets.iter().map(|s| s.id).collect::<Vec<_>>())
                );
            }
        }
        RotateCommand::Cancel { app_id, keep_new } => {
            let app = session.cancel_rotation(&app_id, keep_new).await?;
            if json {
                print_json(&json!({"app": app_json(&app), "newSecretKept": keep_new}));
            } else {
                let kept = match keep_new {
                    true => "the new secret stays too",
                    false => "the new secret is deleted",
                };
                say!("Cancelled rotating \"{}\": {kept}.", app.name);
            }
        }
    }
    Ok(())
}

/// The rotations in progress, of every saved connection or of `name`'s.
fn rotations(name: Option<&str>, json: bool) -> Result<()> {
    let saved = target::connections()?.saved()?;
    let connection_name = |id: &str| {
        saved
            .connections
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    };
    let rotations: Vec<_> = target::records()?
        .rotations
        .all()?
        .into_iter()
        .map(|r| (connection_name(&r.connection_id).unwrap_or_default(), r))
        .filter(|(connection, _)| name.is_none_or(|n| n == connection))
        .collect();
    if json {
        let out: Vec<Value> = rotations
            .iter()
            .map(|(connection, r)| {
                let mut row = json!(r);
                row["connection"] = json!(connection);
                row
            })
            .collect();
        print_json(&json!(out));
        return Ok(());
    }
    if rotations.is_empty() {
        say!("No rotation is in progress.");
        return Ok(());
    }
    let when = |at: Option<OffsetDateTime>| at.map_or("no".to_owned(), |at| at.date().to_string());
    let rows: Vec<Vec<String>> = rotations
        .iter()
        .map(|(connection, r)| {
            vec![
                connection.clone(),
                r.app.name.clone(),
                r.app.id.clone(),
                r.started_at.date().to_string(),
                r.new_secret_id.to_string(),
                when(r.verified_at),
                when(r.sheet_exported_at),
                ids(&r.old_secret_ids),
            ]
        })
        .collect();
    table(
        &[
            "CONNECTION",
            "APP",
            "APP ID",
            "STARTED",
            "NEW SECRET",
            "VERIFIED",
            "SHEET",
            "RETIRES",
        ],
        &rows,
    );
    Ok(())
}

fn ids(ids: &[i64]) -> String {
    match ids {
        [] => "none".to_owned(),
        ids => ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

async fn lint(args: Lint, session: &Session, json: bool) -> Result<()> {
    if let Some(LintCommand::Dismiss {
        app_id,
        code,
        reason,
    }) = args.command
    {
        let code = lint::Code::named(&code)?;
        let dismissed = session.dismiss_finding(&app_id, code, &reason).await?;
        if json {
            print_json(&json!(dismissed));
        } else {
            say!(
                "Dismissed {} on {app_id}: {}",
                code.name(),
                dismissed.reason
            );
        }
        return Ok(());
    }
    let policy = match &args.max_secret_age {
        Some(span) => lint::Policy {
            max_secret_age: expiry::parse_window(span).ok_or_else(|| Error::InvalidInput {
                field: None,
                message: format!("\"{span}\" is no span: give days, weeks or hours, as 730d."),
            })?,
        },
        None => target::settings()?.load()?.lint_policy(),
    };
    let linted = session.lint(&policy, OffsetDateTime::now_utc()).await?;
    if json {
        let apps: Vec<_> = linted
            .iter()
            .filter(|l| !l.findings.is_empty() || !l.dismissed.is_empty())
            .map(|l| {
                let dismissed: Vec<_> = l
                    .dismissed
                    .iter()
                    .map(|(finding, d)| json!({"finding": finding, "reason": d.reason, "at": rfc3339(d.at)}))
                    .collect();
                json!({"appId": l.app.id, "name": l.app.name, "findings": l.findings, "dismissed": dismissed})
            })
            .collect();
        print_json(&json!(apps));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = linted
        .iter()
        .flat_map(|l| {
            l.findings.iter().map(|f| {
                vec![
                    l.app.name.clone(),
                    l.app.id.clone(),
                    f.code.name(),
                    format!("{} {} {}", f.what, f.why, f.fix),
                ]
            })
        })
        .collect();
    let dismissed: usize = linted.iter().map(|l| l.dismissed.len()).sum();
    if rows.is_empty() {
        say!("No finding on {} apps.", linted.len());
    } else {
        table(
            &["APP", "APP ID", "FINDING", "WHAT, WHY, WHAT TO DO"],
            &rows,
        );
    }
    if dismissed > 0 {
        say!("{dismissed} dismissed finding(s) not shown: `--json` lists them with their reasons.");
    }
    Ok(())
}

fn audit(command: AuditCommand, connection: Option<&str>, json: bool) -> Result<()> {
    let log = target::records()?.audit;
    match command {
        AuditCommand::List {
            app,
            action,
            since,
            until,
        } => {
            let actions = action
                .iter()
                .map(|name| audit_action(name))
                .collect::<Result<Vec<_>>>()?;
            // From the first second of `since` to the last of `until`, in this time zone.
            let since = since
                .map(|day| {
                    let day = rules::day(&day)?;
                    let before = day.pred_opt().unwrap_or(day);
                    rules::end_of_day(before).map(|end| end + time::Duration::SECOND)
                })
                .transpose()?;
            let until = until
                .map(|day| rules::day(&day).and_then(rules::end_of_day))
                .transpose()?;
            let entries: Vec<audit::Entry> = log
                .entries()?
                .into_iter()
                .filter(|e| connection.is_none_or(|name| e.change.connection.name == name))
                .filter(|e| {
                    app.as_ref()
                        .is_none_or(|id| e.change.app.as_ref().is_some_and(|a| &a.id == id))
                })
                .filter(|e| actions.is_empty() || actions.contains(&e.change.action))
                .filter(|e| since.is_none_or(|since| e.at >= since))
                .filter(|e| until.is_none_or(|until| e.at <= until))
                .collect();
            if json {
                print_json(&json!(entries));
            } else {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            rfc3339(e.at),
                            e.user.clone(),
                            e.change.connection.name.clone(),
                            e.change.action.name(),
                            e.change
                                .app
                                .as_ref()
                                .map(|a| format!("{} ({})", a.name, a.id))
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(&["#", "AT", "USER", "CONNECTION", "ACTION", "APP"], &rows);
            }
        }
        AuditCommand::Verify => {
            match log.verify()? {
                audit::Verdict::Intact { entries } => {
                    if json {
                        print_json(&json!({"intact": true, "entries": entries}));
                    } else {
                        say!("The audit trail is intact: {entries} entries, none changed or taken out.");
                    }
                }
                audit::Verdict::Broken { line, why } => {
                    return Err(Error::Storage(format!(
                        "The audit trail {} was tampered with: line {line}: {why}.",
                        log.path().display()
                    )))
                }
            }
        }
        AuditCommand::Export { format, out } => {
            let entries = log.entries()?;
            let text = match format {
                AuditFormat::Jsonl => entries
                    .iter()
                    .map(|e| serde_json::to_string(e).unwrap_or_default() + "\n")
                    .collect::<String>(),
                AuditFormat::Csv => audit::to_csv(&entries),
            };
            match out {
                Some(path) => {
                    files::write_with(&path, text.as_bytes(), files::Access::OwnerOnly)?;
                    if !json {
                        say!("Wrote {} entries to {}", entries.len(), path.display());
                    }
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

/// An action by the name entries give it.
fn audit_action(name: &str) -> Result<audit::Action> {
    audit::Action::ALL
        .into_iter()
        .find(|action| action.name() == name)
        .ok_or_else(|| Error::InvalidInput {
            field: None,
            message: format!(
                "\"{name}\" is no action of the audit trail: give one of {}.",
                audit::Action::ALL.map(audit::Action::name).join(", ")
            ),
        })
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn handoff(command: HandoffCommand, session: &Session, json: bool) -> Result<()> {
    let HandoffCommand::Export {
        app_id,
        format,
        out,
    } = command;
    let format = sheet_format(format);
    let sheet = session
        .sheet(&app_id, false, OffsetDateTime::now_utc())
        .await?;
    let path = write_sheet(session, &sheet, out, format).await?;
    if json {
        print_json(&json!({"path": path.display().to_string(), "format": format.extension()}));
    } else {
        say!("Wrote {}", path.display());
    }
    Ok(())
}

fn sheet_format(format: SheetFormat) -> Format {
    match format {
        SheetFormat::Pdf => Format::Pdf,
        SheetFormat::Html => Format::Html,
        SheetFormat::Markdown => Format::Markdown,
        SheetFormat::Json => Format::Json,
    }
}

/// Writes `sheet` to `out` (a folder takes the sheet's own file name), owner-only when it holds
/// the secret, and records it; the path written.
pub(crate) async fn write_sheet(
    session: &Session,
    sheet: &Sheet,
    out: PathBuf,
    format: Format,
) -> Result<PathBuf> {
    let path = if out.is_dir() {
        out.join(sheet.file_name(format))
    } else {
        out
    };
    let access = match sheet.holds_secret() {
        true => Access::OwnerOnly,
        false => Access::Default,
    };
    files::write_with(&path, &sheet.render(format)?, access)?;
    session.exported(sheet).await;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use registrar_core::probe::{ConnectionReport, Said};

    use super::*;

    fn report(discovery: Check, token: Check, listing: Check) -> ConnectionReport {
        ConnectionReport {
            discovery,
            token,
            admin_scopes: Vec::new(),
            organization_id: None,
            listing,
        }
    }

    #[test]
    fn only_a_refused_token_is_refused_credentials() {
        let ok = || Check::Passed(Said::NeedsAdminToken);
        let failed = || Check::Failed(Said::NeedsAdminToken);
        let unchecked = || Check::Unchecked(Said::NeedsAdminToken);
        assert!(verdict("x", &report(ok(), unchecked(), ok())).is_ok());
        assert!(matches!(
            verdict("x", &report(ok(), unchecked(), failed())),
            Err(Error::Server(_))
        ));
        assert!(matches!(
            verdict("x", &report(failed(), unchecked(), failed())),
            Err(Error::Server(_))
        ));
        assert!(matches!(
            verdict("x", &report(ok(), failed(), failed())),
            Err(Error::Unauthorized(_))
        ));
        assert!(matches!(
            verdict("x", &report(failed(), failed(), failed())),
            Err(Error::Network(_))
        ));
    }
}
