//! Each command, over the core.

use std::io::BufRead;

use registrar_core::admin::{self, AdminCredential};
use registrar_core::connections::{Connection, ConnectionKind, ConnectionStore};
use registrar_core::draft::AppDraft;
use registrar_core::edit::{apply_update, AppEdit};
use registrar_core::handoff::{Format, Sheet, SheetInput};
use registrar_core::model::{self, ExternalApp, Scope, ScopeType};
use registrar_core::probe::{probe, Check};
use registrar_core::requests::{random_state, Pkce};
use registrar_core::secrets::NewSecret;
use registrar_core::{files, Error, Result, Secret};
use serde_json::json;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use zeroize::Zeroize;

use crate::args::{
    AddConnection, AppType, AppsCommand, Cli, Command, ConnectionsCommand, CreateApp,
    HandoffCommand, Kind, SecretsCommand, SheetFormat, UpdateApp,
};
use crate::output::{app_json, app_type, print_app, print_json, secret_json, table};
use crate::target::{self, Target, ENV_CLIENT_SECRET, ENV_INITIAL_ACCESS_TOKEN};

pub async fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    let name = cli.connection.as_deref();
    match cli.command {
        Command::Connections(command) => connections(command, name, json).await,
        Command::Apps(command) => apps(command, &target::open(name).await?, json).await,
        Command::Secrets(command) => secrets(command, &target::open(name).await?, json).await,
        Command::Handoff(command) => handoff(command, &target::open(name).await?, json).await,
        Command::Sandbox(args) => registrar_sandbox::cli::run(args)
            .await
            .map_err(|e| Error::Storage(format!("The sandbox stopped: {e}"))),
    }
}

async fn connections(command: ConnectionsCommand, name: Option<&str>, json: bool) -> Result<()> {
    let store = target::store()?;
    match command {
        ConnectionsCommand::Add(add) => add_connection(add, json).await,
        ConnectionsCommand::List => {
            let saved = store.load()?;
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
                println!("* used when no --connection is given (the one chosen in the window)");
            }
            Ok(())
        }
        ConnectionsCommand::Test => {
            let saved = store.load()?;
            let connection = target::find(&saved, name)?;
            let target = target::open_saved(connection).await?;
            let report = probe(&target.client).await;
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
                    println!("{step:<10} {:<8} {}", outcome(check), check.detail());
                }
            }
            verdict(&connection.name, &report)
        }
        ConnectionsCommand::SetToken {
            name,
            open_registration,
        } => {
            let found = target::find(&store.load()?, Some(&name))?.clone();
            if found.kind != ConnectionKind::OauthServer {
                return Err(Error::InvalidInput {
                    field: None,
                    message: format!(
                        "\"{name}\" is not an OAuth server: its credentials are an admin app's \
                         secret or a sign-in."
                    ),
                });
            }
            let keychain = target::keychain()?;
            let credential = match open_registration {
                true => None,
                false => Some(AdminCredential::InitialAccessToken(secret_from_input(
                    ENV_INITIAL_ACCESS_TOKEN,
                    "the initial access token",
                )?)),
            };
            if let Some(credential) = &credential {
                credential.keep(&keychain, &found).await?;
            }
            let lock = store.lock().await?;
            let mut saved = store.load()?;
            let connection = saved
                .connections
                .iter_mut()
                .find(|c| c.id == found.id)
                .ok_or_else(|| Error::NotFound(format!("\"{name}\" was removed meanwhile.")))?;
            connection.open_registration = open_registration;
            store.save(&saved)?;
            drop(lock);
            if open_registration {
                keychain
                    .delete(&found.initial_access_token_account())
                    .await?;
            }
            if !json {
                println!(
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
            let lock = store.lock().await?;
            let mut saved = store.load()?;
            let found = target::find(&saved, Some(&name))?.clone();
            if found.kind == ConnectionKind::Sandbox {
                return Err(Error::InvalidInput {
                    field: None,
                    message: "The sandbox connection belongs to the window and cannot be removed."
                        .into(),
                });
            }
            saved.connections.retain(|c| c.id != found.id);
            store.save(&saved)?;
            drop(lock);
            admin::forget(&target::keychain()?, &store, &found).await?;
            if !json {
                println!("Removed \"{name}\" and its keychain entry.");
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
        println!();
        println!("{why}");
        println!("New client secret:  {}", secret.expose());
        println!("                    (shown once: it cannot be read back)");
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

/// A credential (`what`) from the environment variable `env`, or the first line of standard
/// input.
fn secret_from_input(env: &str, what: &str) -> Result<Secret> {
    let secret = match std::env::var(env) {
        Ok(secret) => Secret::new(secret),
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

async fn add_connection(add: AddConnection, json: bool) -> Result<()> {
    let store = target::store()?;
    let saved = store.load()?;
    let mut connection = Connection {
        id: Connection::new_id(),
        name: add.name,
        kind: match add.kind {
            Kind::Cloud => ConnectionKind::AutomationCloud,
            Kind::Suite => ConnectionKind::AutomationSuite,
            Kind::Standalone => ConnectionKind::Standalone,
            Kind::OauthServer => ConnectionKind::OauthServer,
        },
        organization: add.org,
        partition_global_id: add.org_id.unwrap_or_default(),
        admin_client_id: add.client_id.unwrap_or_default(),
        sandbox_port: None,
        host: add.host,
        signed_in: add.sign_in,
        issuer: add.issuer,
        open_registration: add.open_registration,
        sign_in_port: add.sign_in_port,
    };
    if connection.kind != ConnectionKind::OauthServer
        && (connection.issuer.is_some() || connection.open_registration)
    {
        return Err(Error::InvalidInput {
            field: None,
            message: "--issuer and --open-registration are for --kind oauth-server; UiPath \
                      servers are given by --host and --org."
                .into(),
        });
    }
    let identity_url = saved.check(&connection)?;
    let http = registrar_core::http::client()?;
    if connection.kind == ConnectionKind::OauthServer {
        let uipath_only = [
            ("--sign-in", connection.signed_in),
            ("--client-id", !connection.admin_client_id.is_empty()),
            ("--org", !connection.organization.is_empty()),
            ("--org-id", add.org_id.is_some()),
            ("--host", connection.host.is_some()),
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
                    "An OAuth server is given by --issuer alone and registers clients with its \
                     initial access token: leave out {}.",
                    given.join(", ")
                ),
            });
        }
        admin::check_server(&http, &identity_url).await?;
        if !connection.open_registration {
            let token = secret_from_input(ENV_INITIAL_ACCESS_TOKEN, "the initial access token")?;
            AdminCredential::InitialAccessToken(token)
                .keep(&target::keychain()?, &connection)
                .await?;
        }
        return save_added(&store, connection, &identity_url, json).await;
    }
    let (credential, named) = if add.sign_in {
        let show = |url: &url::Url| {
            eprintln!("Sign in in the browser. If it did not open, go to:\n{url}");
            open_browser(url.as_str());
        };
        admin::sign_in(&http, &connection, show, admin::SIGN_IN_WAIT).await?
    } else {
        let secret = secret_from_input(ENV_CLIENT_SECRET, "the admin app's client secret")?;
        let named =
            admin::check_secret(&http, &identity_url, &connection.admin_client_id, &secret).await?;
        (AdminCredential::ClientSecret(secret), named)
    };
    connection.partition_global_id =
        admin::organization(add.org_id, named).map_err(|_| Error::InvalidInput {
            field: None,
            message: "The admin token does not name the organization: give its GUID with --org-id."
                .into(),
        })?;
    credential.keep(&target::keychain()?, &connection).await?;
    save_added(&store, connection, &identity_url, json).await
}

/// Adds `connection` (its credential kept) to the list as it is now: a sign-in may have taken
/// minutes.
async fn save_added(
    store: &ConnectionStore,
    connection: Connection,
    identity_url: &url::Url,
    json: bool,
) -> Result<()> {
    let lock = store.lock().await?;
    let mut saved = store.load()?;
    saved.check(&connection)?;
    saved.connections.push(connection.clone());
    store.save(&saved)?;
    drop(lock);
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
        println!(
            "Saved \"{}\" ({identity_url}{organization}); its credentials are in the keychain.",
            connection.name
        );
    }
    Ok(())
}

/// Opens `url` in the browser the BROWSER variable names, else the system's. A failure only
/// leaves the printed URL to open by hand.
fn open_browser(url: &str) {
    let mut command = match std::env::var_os("BROWSER") {
        Some(browser) => std::process::Command::new(browser),
        None if cfg!(target_os = "macos") => std::process::Command::new("open"),
        // Not `cmd /C start`: cmd would cut the URL at its first `&`.
        None if cfg!(target_os = "windows") => {
            let mut open = std::process::Command::new("rundll32");
            open.arg("url.dll,FileProtocolHandler");
            open
        }
        None => std::process::Command::new("xdg-open"),
    };
    if let Err(error) = command.arg(url).spawn() {
        eprintln!("Could not open the browser ({error}).");
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

async fn apps(command: AppsCommand, target: &Target, json: bool) -> Result<()> {
    let client = &target.client;
    match command {
        AppsCommand::List => {
            let apps = client.list_apps().await?;
            for id in client.replaced_secrets() {
                eprintln!(
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
            let replaced = client.take_replaced_secret(&app.id).await?;
            print_app_with(
                &app,
                replaced.as_ref(),
                "The server shows another secret than the one last given: it was replaced on \
                 the server, and the old one likely no longer works.",
                json,
            );
        }
        AppsCommand::Create(create) => create_app(create, target, json).await?,
        AppsCommand::Update(update) => update_app(update, target, json).await?,
        AppsCommand::Delete {
            app_id,
            confirm,
            force,
        } => {
            let name = client.name_of(&app_id).await?;
            if name != confirm {
                return Err(Error::InvalidInput {
                    field: None,
                    message: format!(
                        "--confirm must be the app's name exactly (\"{name}\"); nothing was \
                         deleted."
                    ),
                });
            }
            let guard = target.lockout.clone().accepting(force);
            if guard.concerns(&app_id) {
                guard
                    .check_delete_app(&client.get_app(&app_id).await?)
                    .map_err(with_force)?;
            }
            client.delete_app(&app_id).await?;
            if json {
                print_json(&json!({"deleted": app_id}));
            } else {
                println!("Deleted \"{name}\" ({app_id}).");
            }
        }
    }
    Ok(())
}

async fn create_app(create: CreateApp, target: &Target, json: bool) -> Result<()> {
    let catalog = target.client.catalog().await?;
    let draft = AppDraft {
        name: create.name,
        app_type: match create.app_type {
            AppType::Confidential => model::AppType::Confidential,
            AppType::NonConfidential => model::AppType::NonConfidential,
        },
        redirect_uris: create.lists.redirects,
        scopes: scopes(&create.lists.app_scopes, &create.lists.user_scopes),
    }
    .validate(Some(&catalog))?;
    let created = target.client.create_app(&draft).await?;
    if json {
        let mut out = app_json(&created.app);
        out["secret"] = json!(created.secret.as_ref().map(Secret::expose));
        print_json(&out);
    } else {
        print_app(&created.app);
        if let Some(secret) = &created.secret {
            println!("Client secret:      {}", secret.expose());
            println!("                    (shown once: it cannot be read back)");
        }
    }
    Ok(())
}

async fn update_app(update: UpdateApp, target: &Target, json: bool) -> Result<()> {
    let client = &target.client;
    let app = client.get_app(&update.app_id).await?;
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
    let catalog = client.catalog().await?;
    let guard = target.lockout.clone().accepting(update.force);
    let saved = apply_update(client, &app.id, &base, &edit, &catalog, &guard)
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

async fn secrets(command: SecretsCommand, target: &Target, json: bool) -> Result<()> {
    let client = &target.client;
    match command {
        SecretsCommand::Generate {
            app_id,
            description,
            expires,
        } => {
            let request = match client.features().secret_details {
                None => {
                    let expires = expires.map(|day| last_moment_of(&day)).transpose()?;
                    let description = description.ok_or_else(|| Error::InvalidInput {
                        field: None,
                        message: "Give --description: who or what the secret is for, so it can \
                                  be told apart later."
                            .into(),
                    })?;
                    Some(NewSecret::validate(
                        &description,
                        expires,
                        OffsetDateTime::now_utc(),
                    )?)
                }
                Some(reason) if description.is_some() || expires.is_some() => {
                    return Err(Error::InvalidInput {
                        field: None,
                        message: format!("{reason} Leave out --description and --expires."),
                    })
                }
                Some(_) => None,
            };
            let (info, value) = client.generate_secret(&app_id, request.as_ref()).await?;
            if json {
                let mut out = secret_json(&info);
                out["value"] = json!(value.expose());
                print_json(&out);
            } else {
                println!("Secret {} for {app_id}: {}", info.id, value.expose());
                println!("(shown once: it cannot be read back)");
            }
        }
        SecretsCommand::Delete {
            app_id,
            secret_id,
            force,
        } => {
            let app = client.get_app(&app_id).await?;
            if !app.secrets.iter().any(|s| s.id == secret_id) {
                return Err(Error::NotFound(format!(
                    "\"{}\" has no secret {secret_id}; `registrar apps get {app_id}` lists them.",
                    app.name
                )));
            }
            target
                .lockout
                .clone()
                .accepting(force)
                .check_delete_secret(&app, secret_id)
                .map_err(with_force)?;
            client.delete_secret(secret_id).await?;
            if json {
                print_json(&json!({"deleted": secret_id}));
            } else {
                println!("Deleted secret {secret_id} of \"{}\".", app.name);
            }
        }
    }
    Ok(())
}

/// The end of `day` (YYYY-MM-DD), UTC: a secret "expires on" a day works through it.
fn last_moment_of(day: &str) -> Result<OffsetDateTime> {
    let date = Date::parse(day, format_description!("[year]-[month]-[day]")).map_err(|_| {
        Error::InvalidInput {
            field: None,
            message: format!("--expires must be a date as YYYY-MM-DD, not \"{day}\"."),
        }
    })?;
    Ok(date
        .with_hms(23, 59, 59)
        .map_err(|e| Error::InvalidInput {
            field: None,
            message: e.to_string(),
        })?
        .assume_utc())
}

async fn handoff(command: HandoffCommand, target: &Target, json: bool) -> Result<()> {
    let HandoffCommand::Export {
        app_id,
        format,
        out,
    } = command;
    let format = match format {
        SheetFormat::Pdf => Format::Pdf,
        SheetFormat::Html => Format::Html,
        SheetFormat::Markdown => Format::Markdown,
        SheetFormat::Json => Format::Json,
    };
    let client = &target.client;
    let app = client.get_app(&app_id).await?;
    let catalog = client.catalog().await?;
    let sheet = Sheet::new(SheetInput {
        app,
        catalog: &catalog,
        connection: target.sheet.clone(),
        endpoints: client.endpoints(),
        produced_by: target.admin_identity.clone(),
        produced_at: OffsetDateTime::now_utc(),
        secret: None,
        pkce: Pkce::generate()?,
        state: random_state()?,
    });
    let path = if out.is_dir() {
        out.join(sheet.file_name(format))
    } else {
        out
    };
    files::write_atomically(&path, &sheet.render(format))?;
    if json {
        print_json(&json!({"path": path.display().to_string(), "format": format.extension()}));
    } else {
        println!("Wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use registrar_core::probe::ConnectionReport;

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
        let ok = || Check::Passed(String::new());
        let failed = || Check::Failed(String::new());
        let unchecked = || Check::Unchecked(String::new());
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
