//! The handoff sheet: golden files for the text formats, the PDF's extracted text checked field
//! by field, the four formats agreeing, and the sheet's curl run against the sandbox.
//!
//! `UPDATE_GOLDEN=1 cargo test -p registrar-tests --test suite sheet` rewrites `tests/golden/`.

use std::path::PathBuf;
use std::process::Command;

use registrar_core::handoff::{
    Endpoints, Format, IncludedSecret, SecretDelivery, Sheet, SheetConnection, SheetInput,
};
use registrar_core::model::{
    AppType, CatalogResource, CatalogScope, ExternalApp, Scope, ScopeType, SecretInfo,
};
use registrar_core::requests::Pkce;
use registrar_core::uipath::Endpoint;
use registrar_core::Secret;
use serde_json::Value;
use time::macros::{datetime, format_description};

const SECRET: &str = "s3cr3t-Value_for+the/sheet";

fn catalog() -> Vec<CatalogResource> {
    let scope = |name: &str, user, application| CatalogScope {
        name: name.into(),
        display_name: name.into(),
        description: None,
        user,
        application,
    };
    vec![
        CatalogResource {
            name: "OrchestratorApiUserAccess".into(),
            display_name: "Orchestrator API Access".into(),
            description: None,
            scopes: vec![
                scope("OR.Jobs", true, true),
                scope("OR.Folders.Read", true, true),
                scope("OR.Queues.Write", true, true),
            ],
        },
        CatalogResource {
            name: "PlatformManagement".into(),
            display_name: "Platform Management API Access".into(),
            description: None,
            scopes: vec![scope("PM.User.Read", true, true)],
        },
    ]
}

fn endpoints() -> Endpoints {
    Endpoints::from(&Endpoint {
        identity_url: "https://cloud.uipath.com/acme/identity_".parse().unwrap(),
        partition_global_id: uuid::Uuid::nil(),
        cloud_organization: Some("acme".into()),
    })
}

/// An app with something of everything: both scope types across resources, one scope the
/// catalog does not know, markup in its name, two secrets.
fn app(app_type: AppType) -> ExternalApp {
    ExternalApp {
        token_auth: Default::default(),
        id: "7c1f3a52-93d4-4c0e-b1f7-2d8e6a9b0c41".into(),
        name: "Billing & Invoices <EU> *v2* café".into(),
        app_type,
        redirect_uris: vec![
            "https://billing.example.com/signin-oidc".into(),
            "http://127.0.0.1:8400/callback".into(),
        ],
        scopes: vec![
            Scope::new("OR.Jobs", ScopeType::Application),
            Scope::new("OR.Queues.Write", ScopeType::Application),
            Scope::new("PM.User.Read", ScopeType::Application),
            Scope::new("OR.Folders.Read", ScopeType::User),
            Scope::new("Custom.Reports_Export", ScopeType::User),
        ],
        secrets: vec![
            SecretInfo {
                id: 1,
                description: Some("CI pipeline [prod]".into()),
                created: datetime!(2026-11-01 08:00 UTC),
                expires: Some(datetime!(2027-05-01 08:00 UTC)),
            },
            SecretInfo {
                id: 2,
                description: None,
                created: datetime!(2026-11-28 09:30 UTC),
                expires: None,
            },
        ],
        listed_only: false,
    }
}

/// The app's sheet, holding `secret` as the app's secret 2 (the one without a description).
fn sheet(app: ExternalApp, secret: Option<&str>) -> Sheet {
    Sheet::new(SheetInput {
        app,
        catalog: &catalog(),
        connection: SheetConnection {
            name: "Acme production".into(),
            kind: "Automation Cloud".into(),
            organization: "acme".into(),
        },
        endpoints: endpoints(),
        produced_by: "admin app 4b8c0d1e (Acme production)".into(),
        produced_at: datetime!(2026-11-28 10:15:30 UTC),
        secret: secret.map(|value| IncludedSecret {
            value: Secret::new(value),
            id: Some(2),
        }),
        pkce: Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into()),
        state: "af0ifjsldkj".into(),
    })
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden")
}

fn text(sheet: &Sheet, format: Format) -> String {
    String::from_utf8(sheet.render(format).unwrap().to_vec()).unwrap()
}

#[test]
fn markdown_html_and_json_match_their_golden_files() {
    let sheets = [
        (
            "confidential",
            sheet(app(AppType::Confidential), Some(SECRET)),
        ),
        (
            "non-confidential",
            sheet(
                ExternalApp {
                    token_auth: Default::default(),
                    scopes: vec![Scope::new("OR.Folders.Read", ScopeType::User)],
                    secrets: vec![],
                    ..app(AppType::NonConfidential)
                },
                None,
            ),
        ),
    ];
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (name, sheet) in &sheets {
        for format in [Format::Markdown, Format::Html, Format::Json] {
            let path = golden_dir().join(format!("{name}.{}", format.extension()));
            let rendered = text(sheet, format);
            if update {
                std::fs::create_dir_all(golden_dir()).unwrap();
                std::fs::write(&path, &rendered).unwrap();
            }
            let golden = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}; UPDATE_GOLDEN=1 writes it", path.display()));
            assert!(
                rendered == golden,
                "{} differs from its golden file; if the change is meant, rerun with \
                 UPDATE_GOLDEN=1 and review the diff.\n{rendered}",
                path.display()
            );
        }
    }
}

/// What a reader must find in the sheet, taken from the model: (what it is, its text, whether it
/// is code that a renderer may break across lines).
fn facts(sheet: &Sheet) -> Vec<(String, String, bool)> {
    let app = &sheet.app;
    let mut facts = vec![
        ("name".into(), app.name.clone(), false),
        ("App ID".into(), app.id.clone(), true),
        ("connection".into(), sheet.connection.name.clone(), false),
        (
            "organization".into(),
            sheet.connection.organization.clone(),
            true,
        ),
        ("produced by".into(), sheet.produced_by.clone(), false),
        ("produced at".into(), "2026-11-28 10:15 UTC".into(), false),
        (
            "authority".into(),
            sheet.endpoints.authority.to_string(),
            true,
        ),
        ("token URL".into(), sheet.endpoints.token.to_string(), true),
        (
            "authorize URL".into(),
            sheet.endpoints.authorize.as_ref().unwrap().to_string(),
            true,
        ),
        (
            "discovery URL".into(),
            sheet.endpoints.discovery.to_string(),
            true,
        ),
    ];
    for group in &sheet.scopes {
        for resource in &group.resources {
            facts.push(("resource".into(), resource.resource.clone(), false));
            facts.push(("scopes".into(), resource.scopes.join(" "), true));
        }
    }
    for uri in &app.redirect_uris {
        facts.push(("redirect URL".into(), uri.clone(), true));
    }
    for secret in &app.secrets {
        if let Some(description) = &secret.description {
            facts.push(("secret description".into(), description.clone(), false));
        }
        if let Some(expires) = secret.expires {
            let when = expires
                .format(format_description!(
                    "[year]-[month]-[day] [hour]:[minute] UTC"
                ))
                .unwrap();
            facts.push(("secret expiry".into(), format!("expires {when}"), false));
        }
    }
    for request in &sheet.requests {
        match request {
            registrar_core::handoff::Request::ClientCredentials { curl } => {
                facts.push(("client credentials curl".into(), curl.clone(), true));
            }
            registrar_core::handoff::Request::AuthorizationCode {
                pkce,
                authorization_url,
                token_exchange,
                state,
                ..
            } => {
                facts.push((
                    "authorization URL".into(),
                    authorization_url.to_string(),
                    true,
                ));
                facts.push(("code verifier".into(), pkce.verifier.clone(), true));
                facts.push(("code challenge".into(), pkce.challenge.clone(), true));
                facts.push(("state".into(), state.clone(), true));
                facts.push(("token exchange".into(), token_exchange.clone(), true));
            }
        }
    }
    if sheet.holds_secret() {
        facts.push(("secret".into(), SECRET.into(), true));
    }
    facts
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect()
}

/// Checks every fact against a format's text, as a reader would see it after `unmark`.
fn assert_has_facts(format: &str, sheet: &Sheet, shown: &str) {
    let collapsed = collapse(shown);
    let squeezed = squeeze(shown);
    for (what, fact, code) in facts(sheet) {
        let found =
            collapsed.contains(&collapse(&fact)) || (code && squeezed.contains(&squeeze(&fact)));
        assert!(
            found,
            "the {format} sheet lacks the {what} {fact:?}:\n{shown}"
        );
    }
}

fn unescape_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What pdftotext reads from the sheet's PDF, with `options` (`-layout`: as laid out on the page).
fn pdftotext(sheet: &Sheet, options: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sheet.pdf");
    std::fs::write(&pdf, sheet.render(Format::Pdf).unwrap()).unwrap();
    let out = Command::new("pdftotext")
        .args(options)
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdf_text(sheet: &Sheet) -> String {
    // Page footers may fall inside a value that runs over a page break.
    pdftotext(sheet, &["-layout"])
        .lines()
        .filter(|line| !line.contains(" · page "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_pdf_text_carries_every_field_of_the_model() {
    let sheet = sheet(app(AppType::Confidential), Some(SECRET));
    assert_has_facts("PDF", &sheet, &pdf_text(&sheet));
}

#[test]
fn the_four_formats_agree() {
    for sheet in [
        sheet(app(AppType::Confidential), Some(SECRET)),
        sheet(app(AppType::Confidential), None),
        sheet(
            ExternalApp {
                token_auth: Default::default(),
                secrets: vec![],
                ..app(AppType::NonConfidential)
            },
            None,
        ),
    ] {
        assert_has_facts(
            "Markdown",
            &sheet,
            &unescape_markdown(&text(&sheet, Format::Markdown)),
        );
        assert_has_facts("HTML", &sheet, &unescape_html(&text(&sheet, Format::Html)));
        assert_has_facts("PDF", &sheet, &pdf_text(&sheet));

        let json: Value = serde_json::from_str(&text(&sheet, Format::Json)).unwrap();
        assert_eq!(json["schema"], "registrar.handoff/1");
        assert_eq!(json["client"]["client_id"], sheet.app.id.as_str());
        assert_eq!(json["client"]["client_name"], sheet.app.name.as_str());
        assert_eq!(
            json["client"]["redirect_uris"],
            serde_json::json!(sheet.app.redirect_uris)
        );
        assert_eq!(json["connection"]["organization"], "acme");
        assert_eq!(json["produced_at"], "2026-11-28T10:15:30Z");
        assert_eq!(json["produced_by"], sheet.produced_by.as_str());
        for (name, url) in [
            ("token_endpoint", sheet.endpoints.token.as_str()),
            (
                "authorization_endpoint",
                sheet.endpoints.authorize.as_ref().unwrap().as_str(),
            ),
            ("issuer", sheet.endpoints.authority.as_str()),
            ("discovery_url", sheet.endpoints.discovery.as_str()),
        ] {
            assert_eq!(json["endpoints"][name], url, "{name}");
        }
        for group in &sheet.scopes {
            let key = match group.scope_type {
                ScopeType::User => "user",
                ScopeType::Application => "application",
            };
            let listed: Vec<(String, Vec<String>)> = group
                .resources
                .iter()
                .map(|r| (r.resource.clone(), r.scopes.clone()))
                .collect();
            let in_json: Vec<(String, Vec<String>)> = json["scopes"][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let scopes = r["scopes"].as_array().unwrap();
                    (
                        r["resource"].as_str().unwrap().to_owned(),
                        scopes
                            .iter()
                            .map(|s| s.as_str().unwrap().to_owned())
                            .collect(),
                    )
                })
                .collect();
            assert_eq!(listed, in_json);
        }
        let requests = json["requests"].as_array().unwrap();
        assert_eq!(requests.len(), sheet.requests.len());
        for (request, in_json) in sheet.requests.iter().zip(requests) {
            match request {
                registrar_core::handoff::Request::ClientCredentials { curl } => {
                    assert_eq!(in_json["grant_type"], "client_credentials");
                    assert_eq!(in_json["curl"], curl.as_str());
                }
                registrar_core::handoff::Request::AuthorizationCode {
                    pkce,
                    authorization_url,
                    token_exchange,
                    ..
                } => {
                    assert_eq!(in_json["grant_type"], "authorization_code");
                    assert_eq!(in_json["authorization_url"], authorization_url.as_str());
                    assert_eq!(in_json["code_verifier"], pkce.verifier.as_str());
                    assert_eq!(in_json["code_challenge"], pkce.challenge.as_str());
                    assert_eq!(in_json["token_exchange_curl"], token_exchange.as_str());
                }
            }
        }
        let secret = json["client"].get("client_secret");
        if sheet.holds_secret() {
            assert_eq!(secret, Some(&Value::from(SECRET)));
            assert_eq!(json["secret_delivery"], "included");
        } else {
            assert_eq!(secret, None);
            for format in [Format::Markdown, Format::Html, Format::Json] {
                assert!(!text(&sheet, format).contains(SECRET));
            }
        }
    }
}

#[test]
fn a_sheet_names_the_secret_it_holds_among_the_apps_secrets() {
    let mut sheet = sheet(app(AppType::Confidential), Some(SECRET));
    let SecretDelivery::Included(included) = &mut sheet.secret else {
        unreachable!("the sheet holds the secret");
    };
    included.id = Some(1);
    let said =
        "This sheet holds the client secret “CI pipeline [prod]” (created 2026-11-01 08:00 UTC, \
                expires 2027-05-01 08:00 UTC).";
    let in_markdown = said.replace('[', "\\[").replace(']', "\\]");
    assert!(text(&sheet, Format::Markdown).contains(&in_markdown));
    assert!(unescape_html(&text(&sheet, Format::Html)).contains(said));
    let pdf = collapse(&pdf_text(&sheet));
    assert!(pdf.contains(said), "{pdf}");
    assert!(pdf.contains("CI pipeline [prod] (in this sheet)"), "{pdf}");
    let json: Value = serde_json::from_str(&text(&sheet, Format::Json)).unwrap();
    let marks: Vec<&Value> = json["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["in_this_sheet"])
        .collect();
    assert_eq!(marks, [&Value::Bool(true), &Value::Bool(false)]);
}

#[test]
fn without_the_secret_every_format_says_it_comes_separately() {
    let sheet = sheet(app(AppType::Confidential), None);
    let said = "The client secret is not in this sheet: it is delivered separately.";
    assert!(text(&sheet, Format::Markdown).contains(said));
    assert!(unescape_html(&text(&sheet, Format::Html)).contains(said));
    assert!(collapse(&pdf_text(&sheet)).contains(said));
    let json: Value = serde_json::from_str(&text(&sheet, Format::Json)).unwrap();
    assert_eq!(json["secret_delivery"], "separately");
    assert!(!pdf_text(&sheet).contains(SECRET));
}

#[test]
fn the_html_sheet_loads_nothing_from_elsewhere() {
    let html = text(
        &sheet(app(AppType::Confidential), Some(SECRET)),
        Format::Html,
    );
    for needle in [
        "<script", "<link", "<img", "src=", "url(", "@import", "<iframe",
    ] {
        assert!(!html.contains(needle), "the HTML sheet has {needle}");
    }
    assert!(!html.contains("<EU>"), "the app's name must be escaped");
}

#[test]
fn file_names_are_safe_on_every_platform() {
    let sheet = sheet(app(AppType::Confidential), None);
    assert_eq!(
        sheet.file_name(Format::Pdf),
        "Billing & Invoices -EU- -v2- café handoff.pdf"
    );
}

/// The code block that follows `caption` in a Markdown sheet.
fn code_after(markdown: &str, caption: &str) -> String {
    let start = markdown.find(&format!("{caption}:\n\n```sh\n")).unwrap() + caption.len() + 8;
    let len = markdown[start..].find("\n```").unwrap();
    markdown[start..start + len].to_owned()
}

/// Runs a curl command from a sheet (with `$CODE` and `$CLIENT_SECRET` set when given, as the
/// sheet asks) and reads its JSON answer. The sandbox answers on the test's runtime, so curl runs
/// off it.
pub(crate) async fn run_curl(curl: String, code: Option<String>, secret: Option<&Secret>) -> Value {
    let secret = secret.map(|s| s.expose().to_owned());
    let out = tokio::task::spawn_blocking(move || {
        let mut command = Command::new("bash");
        command.arg("-c").arg(&curl);
        command.envs(code.map(|code| ("CODE", code)));
        command.envs(secret.map(|secret| ("CLIENT_SECRET", secret)));
        command.output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The sheet the sandbox connection gives for a just-created app, with its first secret if asked.
fn sandbox_sheet(
    running: &crate::core_client::Running,
    client: &registrar_core::uipath::UiPathClient,
    created: registrar_core::uipath::CreatedApp,
    catalog: &[CatalogResource],
    with_secret: bool,
) -> Sheet {
    let secret_id = created.app.secrets.first().map(|s| s.id);
    Sheet::new(SheetInput {
        app: created.app,
        catalog,
        connection: SheetConnection {
            name: "Sandbox".into(),
            kind: "Sandbox".into(),
            organization: running.sandbox.organization().into(),
        },
        endpoints: Endpoints::from(client.endpoint()),
        produced_by: "admin".into(),
        produced_at: time::OffsetDateTime::now_utc(),
        secret: created
            .secret
            .filter(|_| with_secret)
            .map(|value| IncludedSecret {
                value,
                id: secret_id,
            }),
        pkce: Pkce::generate().unwrap(),
        state: registrar_core::requests::random_state().unwrap(),
    })
}

#[tokio::test]
async fn the_curl_from_a_generated_sheet_gets_a_token_with_the_sheets_scopes() {
    let running = crate::core_client::sandbox().await;
    let client = crate::core_client::admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let catalog = client.catalog().await.unwrap();
    let draft = crate::core_client::confidential(
        "Sheet check",
        &[
            ("OR.Jobs.Read", ScopeType::Application),
            ("OR.Queues", ScopeType::Application),
        ],
    )
    .validate(Some(&catalog))
    .unwrap();
    let created = client.create_app(&draft).await.unwrap();
    let secret = created.secret.as_ref().unwrap().duplicate();

    let sheet = sandbox_sheet(&running, &client, created, &catalog, true);
    let markdown = text(&sheet, Format::Markdown);
    let curl = code_after(&markdown, "Token request");
    // The sheet holds the secret, but its command does not: it reads $CLIENT_SECRET.
    assert!(markdown.contains(secret.expose()));
    assert!(!curl.contains(secret.expose()), "{curl}");

    let token = run_curl(curl, None, Some(&secret)).await;
    assert!(token["access_token"].is_string(), "{token}");
    let mut granted: Vec<&str> = token["scope"].as_str().unwrap().split(' ').collect();
    granted.sort_unstable();
    assert_eq!(granted, ["OR.Jobs.Read", "OR.Queues"]);
}

#[tokio::test]
async fn the_sheets_user_flow_signs_in_at_the_sandbox_and_its_token_exchange_works() {
    let running = crate::core_client::sandbox().await;
    let client = crate::core_client::admin_client(
        &running.sandbox,
        running.sandbox.issue_admin_secret().unwrap(),
    );
    let password = running.sandbox.issue_user_password().unwrap();
    let catalog = client.catalog().await.unwrap();
    let redirect = "http://127.0.0.1:8400/callback";
    let draft = registrar_core::draft::AppDraft {
        name: "Sheet sign-in".into(),
        app_type: AppType::NonConfidential,
        redirect_uris: vec![redirect.into()],
        scopes: vec![Scope::new("OR.Users.Read", ScopeType::User)],
    }
    .validate(Some(&catalog))
    .unwrap();
    let created = client.create_app(&draft).await.unwrap();
    let sheet = sandbox_sheet(&running, &client, created, &catalog, false);
    let Some(registrar_core::handoff::Request::AuthorizationCode {
        authorization_url,
        token_exchange,
        state,
        ..
    }) = sheet.requests.first().cloned()
    else {
        panic!("a non-confidential app's sheet starts with the user flow");
    };

    // Sign in the way a browser would: open the URL, post the form with the user's password.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(authorization_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
    let mut form: Vec<(String, String)> = authorization_url.query_pairs().into_owned().collect();
    form.push(("username".into(), "admin".into()));
    form.push(("password".into(), password.expose().into()));
    let signed_in = browser
        .post(authorization_url.as_str().split('?').next().unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(signed_in.headers()["location"].to_str().unwrap()).unwrap();
    let back: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(back["state"], state);

    let token = run_curl(token_exchange, Some(back["code"].clone()), None).await;
    assert_eq!(token["scope"], "OR.Users.Read", "{token}");
}

#[test]
fn a_sheet_holding_the_secret_never_shows_it_in_debug_output() {
    let sheet = sheet(app(AppType::Confidential), Some(SECRET));
    let shown = format!("{sheet:?} {:?}", registrar_core::handoff::document(&sheet));
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(text(&sheet, Format::Markdown).contains(SECRET));
}

#[test]
fn a_sheet_for_an_oauth_server_names_no_organization_and_no_missing_endpoint() {
    let mut for_server = sheet(app(AppType::Confidential), None);
    for_server.connection = SheetConnection {
        name: "Login".into(),
        kind: "OAuth 2.0 server (RFC 7591)".into(),
        organization: String::new(),
    };
    for_server.endpoints.authorize = None;
    let markdown = text(&for_server, Format::Markdown);
    assert!(
        markdown.contains("OAuth 2.0 server (RFC 7591)"),
        "{markdown}"
    );
    assert!(!markdown.contains("Organization"), "{markdown}");
    assert!(
        markdown.contains("the server offers no user sign-in"),
        "{markdown}"
    );
    let json: serde_json::Value = serde_json::from_str(&text(&for_server, Format::Json)).unwrap();
    assert_eq!(json["endpoints"]["authorization_endpoint"], "");
    assert!(
        text(&sheet(app(AppType::Confidential), None), Format::Markdown).contains("Organization")
    );
}

/// The PDF's text as pdftotext reads it in reading order (no layout spacing between glyphs),
/// without the embedding marks (U+202A to U+202E) it puts around right-to-left text.
fn pdf_reading_order(sheet: &Sheet) -> String {
    pdftotext(sheet, &[])
        .chars()
        .filter(|c| !('\u{202a}'..='\u{202e}').contains(c))
        .collect()
}

/// Names, secret descriptions and organizations in other scripts print and extract exactly. The
/// bundled fonts draw Polish, Greek, Cyrillic and Arabic; Japanese, Chinese and Korean come from
/// the system's fonts (fonts-noto-cjk, which scripts/test installs).
#[test]
fn sheets_in_every_script_extract_exactly() {
    for (script, name, description, organization) in [
        (
            "Japanese",
            "請求書の同期",
            "経理部の夜間バッチ",
            "株式会社アクメ",
        ),
        (
            "Chinese",
            "账单同步",
            "财务部门的夜间任务",
            "艾克美有限公司",
        ),
        (
            "Korean",
            "청구서 동기화",
            "재무팀 야간 작업",
            "애크미 주식회사",
        ),
        (
            "Cyrillic",
            "Синхронизация счетов",
            "Ночная выгрузка",
            "ООО «Акме»",
        ),
        (
            "Greek",
            "Συγχρονισμός τιμολογίων",
            "Νυχτερινή εργασία",
            "Άκμε ΑΕ",
        ),
        ("Arabic", "مزامنة الفواتير", "مهمة ليلية", "شركة أكمي"),
        (
            "Polish",
            "Zażółć gęślą jaźń",
            "Nocna księgowość",
            "Spółka z Łodzi",
        ),
        (
            "Arabic inside English",
            "Billing مزامنة",
            "CI مهمة ليلية",
            "Acme شركة",
        ),
    ] {
        let mut app = app(AppType::Confidential);
        app.name = name.to_owned();
        app.secrets[0].description = Some(description.to_owned());
        let mut sheet = sheet(app, None);
        sheet.connection.organization = organization.to_owned();
        let text = pdf_reading_order(&sheet);
        for expected in [name, description, organization] {
            assert!(
                text.contains(expected),
                "{script}: \"{expected}\" is not in the PDF's text:\n{text}"
            );
        }
    }
}

/// A character no font has fails the PDF export, naming it and the HTML sheet, while the other
/// formats still render.
#[test]
fn a_character_no_font_has_fails_the_pdf_and_says_so() {
    let mut app = app(AppType::Confidential);
    app.name = "Billing \u{10ffff}".to_owned();
    let sheet = sheet(app, None);
    let refused = sheet.render(Format::Pdf).unwrap_err().to_string();
    assert!(refused.contains("U+10FFFF"), "{refused}");
    assert!(refused.contains("HTML sheet"), "{refused}");
    assert!(sheet.render(Format::Html).is_ok());
}

/// A connection named as its kind (the sandbox's) is named once.
#[test]
fn a_connection_named_as_its_kind_is_named_once() {
    let mut sheet = sheet(app(AppType::Confidential), None);
    sheet.connection.name = "Sandbox".to_owned();
    sheet.connection.kind = "Sandbox".to_owned();
    for format in [Format::Markdown, Format::Html] {
        let shown = text(&sheet, format);
        assert!(shown.contains("Sandbox"), "{shown}");
        assert!(!shown.contains("Sandbox (Sandbox)"), "{shown}");
    }
    assert!(!pdf_text(&sheet).contains("Sandbox (Sandbox)"));
}

/// Each request's heading is on the page with its commands, rather than at the foot of the page
/// before them: the sheet is tried with 40 to 49 more scopes, which bring a page break into the
/// authorization code request.
#[test]
fn a_requests_heading_stays_on_the_page_with_its_commands() {
    for extra in 40..50 {
        let mut app = app(AppType::Confidential);
        app.scopes
            .extend((0..extra).map(|n| Scope::new(format!("OR.Extra{n}"), ScopeType::Application)));
        let text = pdftotext(&sheet(app, Some(SECRET)), &["-layout"]);
        let pages: Vec<&str> = text.split('\u{c}').collect();
        assert_heads_its_commands(&pages, extra);
    }
}

fn assert_heads_its_commands(pages: &[&str], extra: usize) {
    for (heading, command) in [
        ("Client credentials", "grant_type=client_credentials"),
        (
            "Authorization code (authorization_code), redeemed with the secret",
            "grant_type=authorization_code",
        ),
    ] {
        let page = pages
            .iter()
            .position(|page| page.contains(command))
            .unwrap_or_else(|| panic!("no page holds {command}"));
        assert!(
            pages[page].lines().any(|line| line.trim() == heading),
            "with {extra} more scopes, \"{heading}\" is not on page {} with its commands:\n{}",
            page + 1,
            pages[page]
        );
    }
}
