//! The sheet as a document for people: titled sections of fields, text, lists and code, which
//! the PDF, HTML and Markdown renderers each lay out in their own way without adding content.

use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::{Request, SecretDelivery, Sheet};
use crate::model::{AppType, Grant, ScopeType, SecretInfo, TokenAuth};
use crate::text::shown;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// `Debug` leaves out code blocks' text, which may hold the client secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Block {
    SubHeading(String),
    Text(String),
    /// Text the reader must not miss.
    Note(String),
    /// Labelled values, one per line.
    Fields(Vec<(String, Value)>),
    List(Vec<Value>),
    /// Text to copy as it is: a command, a URL, a secret.
    Code {
        caption: String,
        code: String,
    },
}

impl std::fmt::Debug for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Block::SubHeading(text) => f.debug_tuple("SubHeading").field(text).finish(),
            Block::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Block::Note(text) => f.debug_tuple("Note").field(text).finish(),
            Block::Fields(fields) => f.debug_tuple("Fields").field(fields).finish(),
            Block::List(values) => f.debug_tuple("List").field(values).finish(),
            Block::Code { caption, .. } => f
                .debug_struct("Code")
                .field("caption", caption)
                .finish_non_exhaustive(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    /// An identifier, URL or scope name: shown in a fixed-width font and never reflowed.
    Code(String),
}

pub fn document(sheet: &Sheet) -> Document {
    let app = &sheet.app;
    Document {
        title: shown(&app.name).into_owned(),
        subtitle: "Developer handoff sheet".to_owned(),
        sections: vec![
            Section {
                heading: "Application".to_owned(),
                blocks: vec![Block::Fields(
                    [
                        Some(field_text("Name", &app.name)),
                        Some(field_text("Type", app_type(app.app_type))),
                        Some(field_code("App ID (client_id)", &app.id)),
                        Some(field_text("Connection", &connection_label(sheet))),
                        // An OAuth server has no organization.
                        (!sheet.connection.organization.is_empty())
                            .then(|| field_code("Organization", &sheet.connection.organization)),
                        Some(field_text("Produced", &date_time(sheet.produced_at))),
                        Some(field_text("Produced by", &sheet.produced_by)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                )],
            },
            secret_section(sheet),
            scopes_section(sheet),
            Section {
                heading: "Redirect URLs".to_owned(),
                blocks: vec![if app.redirect_uris.is_empty() {
                    Block::Text("None registered.".to_owned())
                } else {
                    Block::List(
                        app.redirect_uris
                            .iter()
                            .map(|uri| Value::Code(shown(uri).into_owned()))
                            .collect(),
                    )
                }],
            },
            Section {
                heading: "Grants".to_owned(),
                blocks: vec![if sheet.grants.is_empty() {
                    Block::Text(
                        "None: the app has no scopes a token could be issued for.".to_owned(),
                    )
                } else {
                    Block::List(
                        sheet
                            .grants
                            .iter()
                            .map(|g| Value::Text(grant(*g).to_owned()))
                            .collect(),
                    )
                }],
            },
            Section {
                heading: "Endpoints".to_owned(),
                blocks: vec![Block::Fields(vec![
                    field_code("Authority", sheet.endpoints.authority.as_str()),
                    field_code("Token", sheet.endpoints.token.as_str()),
                    match &sheet.endpoints.authorize {
                        Some(authorize) => field_code("Authorize", authorize.as_str()),
                        None => field_text("Authorize", "None: the server offers no user sign-in."),
                    },
                    field_code("Discovery", sheet.endpoints.discovery.as_str()),
                ])],
            },
            requests_section(sheet),
        ],
    }
}

/// The connection for people: its name, and its kind when the name does not say it already
/// ("Sandbox", not "Sandbox (Sandbox)").
fn connection_label(sheet: &Sheet) -> String {
    let connection = &sheet.connection;
    if connection
        .name
        .trim()
        .eq_ignore_ascii_case(connection.kind.trim())
    {
        connection.name.clone()
    } else {
        format!("{} ({})", connection.name, connection.kind)
    }
}

/// A secret's description, if the admin gave one.
fn secret_description(secret: &SecretInfo) -> Option<&str> {
    secret.description.as_deref().filter(|d| !d.is_empty())
}

fn secret_dates(secret: &SecretInfo) -> String {
    let expires = match secret.expires {
        Some(at) => format!("expires {}", date_time(at)),
        None => "never expires".to_owned(),
    };
    format!("created {}, {expires}", date_time(secret.created))
}

fn secret_section(sheet: &Sheet) -> Section {
    let included = sheet.included_secret();
    let mut blocks = match &sheet.secret {
        SecretDelivery::Included(secret) => {
            let which = match included {
                Some(info) => match secret_description(info) {
                    Some(description) => format!(
                        "the client secret “{}” ({})",
                        shown(description),
                        secret_dates(info)
                    ),
                    None => format!(
                        "the client secret without a description ({})",
                        secret_dates(info)
                    ),
                },
                None => "the client secret".to_owned(),
            };
            vec![
                Block::Note(format!(
                    "This sheet holds {which}. Put it in a secret store, then delete this file; \
                     the secret cannot be read back from the server."
                )),
                Block::Code {
                    caption: "Client secret".to_owned(),
                    code: secret.value.expose().to_owned(),
                },
            ]
        }
        SecretDelivery::Separately => vec![Block::Text(
            "The client secret is not in this sheet: it is delivered separately.".to_owned(),
        )],
        SecretDelivery::NotApplicable => vec![Block::Text(
            "A non-confidential app has no secret: it proves itself with PKCE (S256) at each \
             sign-in."
                .to_owned(),
        )],
    };
    if sheet.app.app_type == AppType::Confidential {
        blocks.push(if sheet.app.secrets.is_empty() {
            Block::Text("The app has no secret yet.".to_owned())
        } else {
            Block::Fields(
                sheet
                    .app
                    .secrets
                    .iter()
                    .map(|s| {
                        let mut label = secret_description(s).map_or_else(
                            || "Secret without a description".to_owned(),
                            |d| shown(d).into_owned(),
                        );
                        if included.is_some_and(|i| i.id == s.id) {
                            label.push_str(" (in this sheet)");
                        }
                        (label, Value::Text(secret_dates(s)))
                    })
                    .collect(),
            )
        });
    }
    Section {
        heading: "Client secret".to_owned(),
        blocks,
    }
}

fn scopes_section(sheet: &Sheet) -> Section {
    let mut blocks = Vec::new();
    for group in &sheet.scopes {
        blocks.push(Block::SubHeading(
            match group.scope_type {
                ScopeType::User => "User scopes: act for a signed-in user",
                ScopeType::Application => "Application scopes: act as the app itself",
            }
            .to_owned(),
        ));
        blocks.push(if group.resources.is_empty() {
            Block::Text("None.".to_owned())
        } else {
            Block::Fields(
                group
                    .resources
                    .iter()
                    .map(|r| {
                        let scopes = shown(&r.scopes.join(" ")).into_owned();
                        (shown(&r.resource).into_owned(), Value::Code(scopes))
                    })
                    .collect(),
            )
        });
    }
    Section {
        heading: "Scopes".to_owned(),
        blocks,
    }
}

fn requests_section(sheet: &Sheet) -> Section {
    let mut blocks = Vec::new();
    let from_stdin =
        " The request reads the client secret from CLIENT_SECRET and hands it to curl \
                      on standard input, so it shows on no command line and stays out of the \
                      shell's history. Set it without typing it into a command: run `read -rs \
                      CLIENT_SECRET; export CLIENT_SECRET` and paste the secret.";
    let secret_hint = match (&sheet.secret, sheet.app.token_auth) {
        (SecretDelivery::NotApplicable, _) => String::new(),
        (_, TokenAuth::SecretPost) => from_stdin.to_owned(),
        // RFC 6749 §2.3.1 has Basic credentials form-encoded first; the request sends the
        // secret as it is, which is the same for all but `%`, `+`, spaces and non-ASCII.
        (_, TokenAuth::SecretBasic) => format!(
            "{from_stdin} The secret goes in an HTTP Basic header as it is: if it holds %, +, \
             spaces or non-ASCII characters, form-encode it first."
        ),
    };
    for request in &sheet.requests {
        match request {
            Request::ClientCredentials { curl } => {
                blocks.push(Block::SubHeading("Client credentials".to_owned()));
                blocks.push(Block::Text(format!(
                    "A token for the app's application scopes. The body is form-urlencoded (a \
                     JSON body is refused); the token lives one hour, so ask again when it \
                     expires.{secret_hint}"
                )));
                blocks.push(Block::Code {
                    caption: "Token request".to_owned(),
                    code: curl.clone(),
                });
            }
            Request::AuthorizationCode {
                grant: flow,
                redirect_uri,
                state,
                pkce,
                authorization_url,
                token_exchange,
            } => {
                blocks.push(Block::SubHeading(grant(*flow).to_owned()));
                blocks.push(Block::Text(format!(
                    "Open the authorization URL, sign in, and take the code from the redirect to \
                     {redirect_uri}; it works once, for a few minutes. The verifier below matches \
                     the URL's challenge so the flow can be tried by hand: an app makes a new \
                     pair for every sign-in.{secret_hint}"
                )));
                blocks.push(Block::Code {
                    caption: "Authorization URL".to_owned(),
                    code: authorization_url.to_string(),
                });
                blocks.push(Block::Fields(vec![
                    field_code("code_verifier", &pkce.verifier),
                    field_code("code_challenge (S256)", &pkce.challenge),
                    field_code("state", state),
                ]));
                blocks.push(Block::Code {
                    caption: "Token exchange (set CODE to the code from the redirect)".to_owned(),
                    code: token_exchange.clone(),
                });
            }
        }
    }
    if !sheet.app.user_scopes().is_empty() && sheet.app.redirect_uris.is_empty() {
        blocks.push(Block::Note(
            "The app has user scopes but no redirect URL, so no user can sign in to it yet."
                .to_owned(),
        ));
    }
    if blocks.is_empty() {
        blocks.push(Block::Text("None: the app has no grant yet.".to_owned()));
    }
    Section {
        heading: "Requests".to_owned(),
        blocks,
    }
}

/// A field as the sheet shows it: what the server sent, its hidden characters written out
/// (an app made elsewhere may hold them) so that no heading, line or reading order breaks.
fn field_text(label: &str, value: &str) -> (String, Value) {
    (
        shown(label).into_owned(),
        Value::Text(shown(value).into_owned()),
    )
}

fn field_code(label: &str, value: &str) -> (String, Value) {
    (label.to_owned(), Value::Code(shown(value).into_owned()))
}

fn app_type(app_type: AppType) -> &'static str {
    match app_type {
        AppType::Confidential => "Confidential: a server that keeps a secret",
        AppType::NonConfidential => "Non-confidential: a desktop, mobile or browser app, no secret",
    }
}

fn grant(grant: Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "Client credentials (client_credentials), with the secret",
        Grant::AuthorizationCode => {
            "Authorization code (authorization_code), redeemed with the secret"
        }
        Grant::AuthorizationCodePkce => {
            "Authorization code with PKCE S256 (authorization_code), no secret"
        }
    }
}

/// A date and time for people, always in UTC so every reader sees the same.
pub(super) fn date_time(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| at.to_string())
}
