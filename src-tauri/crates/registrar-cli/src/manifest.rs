//! Apps as code: `manifest export`, `plan` and `apply`, over the application layer's plan.

use std::io::BufRead;

use registrar_app::session::Session;
use registrar_core::handoff::Format;
use registrar_core::manifest::{Change, Format as ManifestFileFormat, Manifest, Plan};
use registrar_core::model;
use registrar_core::{files, Error, Result};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::args::{ApplyArgs, ManifestCommand, ManifestFormat, PlanArgs};
use crate::commands::{write_sheet, Outcome};
use crate::output::{app_type, print_json, say, say_err, scope_type};

/// `manifest export`: the apps, or those named, as a manifest.
pub(crate) async fn export(command: ManifestCommand, session: &Session) -> Result<()> {
    let ManifestCommand::Export {
        app: only,
        with_ids,
        format,
        out,
    } = command;
    let mut apps = session.list_whole_apps().await?;
    if let Some(missing) = only.iter().find(|id| !apps.iter().any(|a| &a.id == *id)) {
        return Err(Error::NotFound(format!(
            "No app has the App ID {missing} on this connection."
        )));
    }
    if !only.is_empty() {
        apps.retain(|a| only.contains(&a.id));
    }
    let format = match format {
        ManifestFormat::Yaml => ManifestFileFormat::Yaml,
        ManifestFormat::Json => ManifestFileFormat::Json,
    };
    let text = Manifest::of(&apps, with_ids).render(format)?;
    match out {
        Some(path) => {
            files::write_atomically(&path, text.as_bytes())?;
            say!("Wrote {} apps to {}", apps.len(), path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn read_manifest(path: &std::path::Path) -> Result<Manifest> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidInput {
        field: None,
        message: format!("Could not read the manifest {}: {e}.", path.display()),
    })?;
    Manifest::parse(&text)
}

/// `plan`: what applying the manifest would change; exit 10 with `--detailed-exitcode` when
/// something would.
pub(crate) async fn plan(args: PlanArgs, session: &Session, json: bool) -> Result<Outcome> {
    let manifest = read_manifest(&args.file)?;
    let plan = session.plan_manifest(&manifest, args.prune).await?;
    match json {
        true => print_json(&plan_json(&plan)),
        false => print_plan(&plan),
    }
    Ok(match args.detailed_exitcode && !plan.changes.is_empty() {
        true => Outcome::Found,
        false => Outcome::Done,
    })
}

fn scope_line(sign: char, scope: &model::Scope) -> String {
    format!(
        "    {sign} scope {} ({})",
        scope.name,
        scope_type(scope.scope_type)
    )
}

fn print_plan(plan: &Plan) {
    let (mut created, mut updated, mut deleted) = (0, 0, 0);
    for change in &plan.changes {
        match change {
            Change::Create { valid, .. } => {
                created += 1;
                say!(
                    "+ create \"{}\" ({}, {} scopes, {} redirect URLs)",
                    valid.name,
                    app_type(valid.app_type),
                    valid.scopes.len(),
                    valid.redirect_uris.len()
                );
            }
            Change::Update { app, changes, .. } => {
                updated += 1;
                say!("~ update \"{}\" ({})", app.name, app.id);
                if let Some((from, to)) = &changes.name {
                    say!("    name: \"{from}\" -> \"{to}\"");
                }
                changes
                    .scopes_added
                    .iter()
                    .for_each(|s| say!("{}", scope_line('+', s)));
                changes
                    .scopes_removed
                    .iter()
                    .for_each(|s| say!("{}", scope_line('-', s)));
                for uri in &changes.redirect_uris_added {
                    say!("    + redirect URL {uri}");
                }
                for uri in &changes.redirect_uris_removed {
                    say!("    - redirect URL {uri}");
                }
            }
            Change::Delete { app } => {
                deleted += 1;
                say!("- delete \"{}\" ({})", app.name, app.id);
            }
        }
    }
    match plan.changes.is_empty() {
        true => say!(
            "No changes: {} apps as the manifest says.",
            plan.unchanged.len()
        ),
        false => say!(
            "Plan: {created} to create, {updated} to update, {deleted} to delete; {} unchanged.",
            plan.unchanged.len()
        ),
    }
}

fn plan_json(plan: &Plan) -> Value {
    let scopes = |scopes: &[model::Scope]| -> Vec<Value> {
        scopes
            .iter()
            .map(|s| json!({"name": s.name, "type": scope_type(s.scope_type)}))
            .collect()
    };
    let mut create = Vec::new();
    let mut update = Vec::new();
    let mut delete = Vec::new();
    for change in &plan.changes {
        match change {
            Change::Create { wanted, .. } => create.push(json!(wanted)),
            Change::Update { app, changes, .. } => update.push(json!({
                "id": app.id,
                "name": app.name,
                "rename": changes.name.as_ref().map(|(_, to)| to),
                "scopesAdded": scopes(&changes.scopes_added),
                "scopesRemoved": scopes(&changes.scopes_removed),
                "redirectUrisAdded": changes.redirect_uris_added,
                "redirectUrisRemoved": changes.redirect_uris_removed,
            })),
            Change::Delete { app } => delete.push(json!({"id": app.id, "name": app.name})),
        }
    }
    json!({"create": create, "update": update, "delete": delete, "unchanged": plan.unchanged})
}

/// `apply`: the plan, then each change; deletions only once confirmed. The secrets of the apps
/// created go into owner-only sheets in `--sheets`, or are printed once.
pub(crate) async fn apply(args: ApplyArgs, session: &Session, json: bool) -> Result<()> {
    let manifest = read_manifest(&args.file)?;
    let plan = session.plan_manifest(&manifest, args.prune).await?;
    if !json {
        print_plan(&plan);
    }
    let deletions = plan
        .changes
        .iter()
        .filter(|c| matches!(c, Change::Delete { .. }))
        .count();
    if deletions > 0 && !args.yes {
        say_err!("Delete {deletions} apps from the server? Type yes to go on:");
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if answer.trim() != "yes" {
            return Err(Error::InvalidInput {
                field: None,
                message: "Nothing was changed: deleting apps needs \"yes\" (or --yes).".into(),
            });
        }
    }
    // Made before anything changes: a folder that cannot be made stops nothing halfway.
    if let Some(dir) = &args.sheets {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Storage(format!("Could not create {}: {e}.", dir.display())))?;
    }
    let now = OffsetDateTime::now_utc();
    let mut done = Vec::new();
    for change in &plan.changes {
        let applied = session.apply(change, now).await?;
        let (action, app) = match change {
            Change::Create { .. } => ("created", &applied.app),
            Change::Update { .. } => ("updated", &applied.app),
            Change::Delete { .. } => ("deleted", &applied.app),
        };
        let mut row = json!({"action": action, "id": app.id, "name": app.name});
        let shown = match (&applied.secret, &args.sheets) {
            (None, _) => String::new(),
            (Some(_), Some(dir)) => {
                let sheet = session.sheet(&app.id, true, now).await?;
                let path = write_sheet(session, &sheet, dir.clone(), Format::Html).await?;
                row["sheet"] = json!(path.display().to_string());
                format!("; its sheet with the secret: {}", path.display())
            }
            (Some(secret), None) => {
                row["secret"] = json!(secret.expose());
                format!("; secret (shown once): {}", secret.expose())
            }
        };
        if !json {
            say!("{action} \"{}\" ({}){shown}", app.name, app.id);
        }
        done.push(row);
    }
    if json {
        print_json(&json!(done));
    }
    Ok(())
}
