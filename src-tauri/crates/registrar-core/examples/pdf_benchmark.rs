//! How long rendering a handoff sheet to PDF takes (goal: 50 ms), for a large sheet: 40 scopes
//! of both types over four resources, three redirect URLs, five secrets, the secret included.
//!
//! `cargo run --release -q -p registrar-core --example pdf_benchmark`; figures in
//! `benches/README.md`.

use std::time::{Duration, Instant};

use registrar_core::handoff::{
    Endpoints, Format, IncludedSecret, Sheet, SheetConnection, SheetInput,
};
use registrar_core::model::{
    AppType, CatalogResource, CatalogScope, ExternalApp, Scope, ScopeType, SecretInfo,
};
use registrar_core::requests::Pkce;
use registrar_core::uipath::Endpoint;
use registrar_core::Secret;
use time::OffsetDateTime;

const WARM_UP: usize = 20;
const RUNS: usize = 200;

fn main() {
    let resources = [
        "Orchestrator",
        "Platform Management",
        "Data Service",
        "Test Manager",
    ];
    let catalog: Vec<CatalogResource> = resources
        .iter()
        .enumerate()
        .map(|(r, resource)| CatalogResource {
            name: resource.replace(' ', ""),
            display_name: format!("{resource} API Access"),
            description: None,
            scopes: (0..10)
                .map(|s| CatalogScope {
                    name: format!("R{r}.Scope{s}.Read"),
                    display_name: format!("Scope {s}"),
                    description: None,
                    user: true,
                    application: true,
                })
                .collect(),
        })
        .collect();
    let scopes = catalog
        .iter()
        .flat_map(|resource| resource.scopes.iter().enumerate())
        .map(|(i, scope)| {
            let scope_type = match i % 2 {
                0 => ScopeType::Application,
                _ => ScopeType::User,
            };
            Scope::new(scope.name.clone(), scope_type)
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    let app = ExternalApp {
        token_auth: Default::default(),
        id: "7c1f3a52-93d4-4c0e-b1f7-2d8e6a9b0c41".into(),
        name: "Billing and invoicing integration".into(),
        app_type: AppType::Confidential,
        redirect_uris: (0..3)
            .map(|i| format!("https://billing{i}.example.com/signin-oidc"))
            .collect(),
        scopes,
        secrets: (0..5)
            .map(|i| SecretInfo {
                id: i,
                description: Some(format!("Pipeline {i}")),
                created: now,
                expires: Some(now + time::Duration::days(90)),
            })
            .collect(),
        listed_only: false,
    };
    let endpoint = Endpoint {
        identity_url: "https://cloud.uipath.com/acme/identity_"
            .parse()
            .expect("a valid URL"),
        partition_global_id: uuid::Uuid::nil(),
        cloud_organization: None,
    };
    let sheet = Sheet::new(SheetInput {
        app,
        catalog: &catalog,
        connection: SheetConnection {
            name: "Acme production".into(),
            kind: "Automation Cloud".into(),
            organization: "acme".into(),
        },
        endpoints: Endpoints::from(&endpoint),
        produced_by: "admin app 4b8c0d1e on Acme production".into(),
        produced_at: now,
        secret: Some(IncludedSecret {
            value: Secret::new("s3cr3t-Value_for+the/sheet".to_owned()),
            id: None,
        }),
        pkce: Pkce::generate().expect("the OS has randomness"),
        state: "af0ifjsldkj".into(),
    });

    let render = || {
        sheet
            .render(Format::Pdf)
            .expect("the bundled fonts draw this sheet")
    };
    // The first render also inflates and parses the bundled fonts, once per process.
    let start = Instant::now();
    std::hint::black_box(render());
    let first = start.elapsed();
    for _ in 0..WARM_UP {
        std::hint::black_box(render());
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(render());
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "PDF handoff sheet ({} bytes), {RUNS} renders after {WARM_UP} warm-up: \
         median {:.2} ms, p95 {:.2} ms, max {:.2} ms (goal 50 ms); the first, fonts inflated: \
         {:.2} ms",
        render().len(),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
        ms(times[RUNS - 1]),
        ms(first),
    );
}
