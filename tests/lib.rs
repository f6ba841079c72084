//! The harness for driving the real window: an app with its own XDG folders and keychain
//! namespace, started through tauri-driver; and a third-party OAuth server, oidc-provider, on
//! loopback; a misbehaving proxy in front of either ([`proxy`]). Used by the end-to-end tests
//! (`suite/`) and the benchmarks (`examples/`).

// A failure to set up the harness is a failed test or benchmark: unwrapping says where.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use registrar_core::Secret;
use serde_json::json;
use url::Url;

pub mod proxy;

/// A throwaway home for one app: XDG folders, a keychain namespace, and tauri-driver's output.
#[derive(Debug)]
pub struct Desktop {
    pub dir: tempfile::TempDir,
    pub namespace: String,
    /// Where the app saves handoff sheets in place of the save dialog (a debug-build setting);
    /// apart from `dir`, so that scanning the app's own files does not find exported secrets.
    pub exports: tempfile::TempDir,
    driver: Child,
    driver_port: u16,
    /// Ends the watch on the test when the desktop goes.
    _watch: Option<mpsc::Sender<()>>,
}

/// How long a window test may run before it is taken to hang (the longest take about a minute).
const HANGS_AFTER: Duration = Duration::from_secs(6 * 60);

/// Watches the test running on this thread: if it still holds its desktop after
/// [`HANGS_AFTER`], it hangs, and the whole run stops, naming it, rather than waiting out CI's
/// limit. A benchmark (on the main thread) is not watched: it takes the time it takes.
fn watch_this_test() -> Option<mpsc::Sender<()>> {
    let test = std::thread::current().name()?.to_owned();
    if test == "main" {
        return None;
    }
    let (done, wait) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(HANGS_AFTER) {
            // Straight to stderr: the test harness captures eprintln!, and would lose it.
            let said = format!(
                "{test} has run for {} s with its window: it hangs. Stopping the run.\n",
                HANGS_AFTER.as_secs()
            );
            let _ = std::io::Write::write_all(&mut std::io::stderr(), said.as_bytes());
            std::process::exit(101);
        }
    });
    Some(done)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where cargo builds the workspace's binaries.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The window's binary (`REGISTRAR_APP_BIN`, else the debug build).
pub fn app_binary() -> PathBuf {
    built_binary("REGISTRAR_APP_BIN", "registrar-desktop")
}

/// The command line's own binary (`REGISTRAR_CLI_BIN`, else the debug build).
pub fn cli_binary() -> PathBuf {
    built_binary("REGISTRAR_CLI_BIN", "registrar")
}

fn built_binary(env: &str, name: &str) -> PathBuf {
    let path = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        target_dir()
            .join("debug")
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    });
    assert!(
        path.exists(),
        "{} is missing: build the workspace first (cargo build --workspace)",
        path.display()
    );
    path.canonicalize().unwrap()
}

/// The language the window tests run the app in, as its system's language:
/// `REGISTRAR_TEST_LANGUAGE` (`en` or `ja`), English when unset.
pub fn language() -> String {
    let language = std::env::var("REGISTRAR_TEST_LANGUAGE").unwrap_or_else(|_| "en".into());
    assert!(
        ["en", "ja"].contains(&language.as_str()),
        "REGISTRAR_TEST_LANGUAGE is en or ja, not {language}"
    );
    language
}

/// What the window says for the message `key` in the test language (the UI's catalog
/// `ui/messages/<area>/<language>.json`), with `with`'s placeholders filled. A count's message
/// takes its plural form from the placeholder `count`.
pub fn says(key: &str, with: &[(&str, &str)]) -> String {
    says_in(&language(), key, with)
}

/// What the window says for the message `key` in `language`, as [`says`].
pub fn says_in(language: &str, key: &str, with: &[(&str, &str)]) -> String {
    let area = key.split('_').next().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/messages")
        .join(area)
        .join(format!("{language}.json"));
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let message = &catalog[key];
    let mut text = match message {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(variants) => {
            let one = with
                .iter()
                .any(|(name, value)| *name == "count" && *value == "1");
            let forms = variants[0]["match"].as_object().unwrap();
            let form = forms
                .iter()
                .find(|(selector, _)| selector.ends_with(if one { "=one" } else { "=other" }))
                .unwrap_or_else(|| panic!("{key} has no plural form for {with:?}"));
            form.1.as_str().unwrap().to_owned()
        }
        _ => panic!("{} has no message {key}", path.display()),
    };
    for (name, value) in with {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The longest stretch of the message `key` (in the test language) that no placeholder
/// interrupts: what a test can look for in a sentence whose details it does not know.
pub fn says_part(key: &str) -> String {
    let whole = says(key, &[]);
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = whole.as_str();
    while let Some(open) = rest.find('{') {
        parts.push(&rest[..open]);
        rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
    }
    parts.push(rest);
    let longest = parts
        .into_iter()
        .max_by_key(|part| part.trim().chars().count());
    longest.unwrap_or_default().trim().to_owned()
}

/// The value the window filled into the one placeholder of message `key` to make `text`.
pub fn filled(key: &str, text: &str) -> String {
    let whole = says(key, &[]);
    let (before, rest) = whole.split_once('{').unwrap();
    let after = rest.split_once('}').unwrap().1;
    let value = text
        .strip_prefix(before)
        .and_then(|t| t.strip_suffix(after));
    value
        .unwrap_or_else(|| panic!("{text:?} is not the message {key} ({whole:?})"))
        .to_owned()
}

/// The system language variables that make the app speak the test language.
fn language_env() -> (&'static str, &'static str) {
    let locale = if language() == "ja" {
        "ja_JP.UTF-8"
    } else {
        "en_US.UTF-8"
    };
    ("LANG", locale)
}

impl Desktop {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// A desktop whose app also sees `env` (e.g. `BROWSER`, the program that opens sign-ins).
    pub fn start_with(env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["data", "config", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let namespace = format!("registrar-e2e-{}", uuid::Uuid::new_v4());
        let exports = tempfile::tempdir().unwrap();
        let driver_port = free_port();
        let log = std::fs::File::create(dir.path().join("driver.log")).unwrap();
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &driver_port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("REGISTRAR_KEYCHAIN_NAMESPACE", &namespace)
            .env("REGISTRAR_EXPORT_DIR", exports.path())
            .env("RUST_LOG", "debug")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANGUAGE")
            .envs([language_env()])
            .envs(env.iter().map(|(name, value)| (*name, value)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tauri-driver is installed by scripts/test (cargo install tauri-driver)");
        Self {
            dir,
            namespace,
            exports,
            driver,
            driver_port,
            _watch: watch_this_test(),
        }
    }

    /// Starts the app in a new WebDriver session and waits for its window to be ready.
    pub async fn launch(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app_binary() }),
        );
        let url = format!("http://127.0.0.1:{}", self.driver_port);
        let mut last_error = None;
        for _ in 0..100 {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => return client,
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "no WebDriver session: {last_error:?}; see {}",
            self.dir.path().join("driver.log").display()
        );
    }

    /// Every byte the app and its driver left on disk, with the file it is in.
    pub fn written_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
        let mut files = Vec::new();
        walk(self.dir.path(), &mut files);
        files
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver.
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let _ = self.driver.wait();
        clear_keychain(&self.namespace);
    }
}

/// The value another Secret Service client (libsecret's secret-tool) finds for `account` in
/// the keychain namespace `namespace`.
pub fn keychain_lookup(namespace: &str, account: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", namespace, "username", account])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/test");
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .trim_end_matches('\n')
            .to_owned()
    })
}

/// Every value kept in the keychain namespace `namespace`.
pub fn keychain_values(namespace: &str) -> Vec<String> {
    let found = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", namespace])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/test");
    String::from_utf8_lossy(&found.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("secret = "))
        .map(str::to_owned)
        .collect()
}

/// Removes every entry of the keychain namespace `namespace`.
pub fn clear_keychain(namespace: &str) {
    let _ = Command::new("secret-tool")
        .args(["clear", "service", namespace])
        .status();
}

/// A keychain namespace of a test's own, emptied when dropped (even when the test fails).
#[derive(Debug)]
pub struct TestNamespace(pub String);

impl Default for TestNamespace {
    fn default() -> Self {
        Self(format!("registrar-test-{}", uuid::Uuid::new_v4()))
    }
}

impl Drop for TestNamespace {
    fn drop(&mut self) {
        clear_keychain(&self.0);
    }
}

pub const WAIT: Duration = Duration::from_secs(60);

/// Reads `probe` every 100 ms until `done` accepts what it gives, and returns that. After
/// [`WAIT`] the test fails, naming `what` it waited for and the last value seen.
pub async fn poll<T: std::fmt::Debug, Fut: std::future::Future<Output = T>>(
    what: &str,
    mut probe: impl FnMut() -> Fut,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let seen = probe().await;
        if done(&seen) {
            return seen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited in vain for {what}; last seen: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the window shows nothing loading: a click then lands on what stays.
pub async fn wait_settled(client: &Client) {
    poll(
        "the window to finish loading",
        || async {
            client
                .execute(
                    "return document.querySelector('main [aria-busy=true]') === null;",
                    vec![],
                )
                .await
                .unwrap()
        },
        |settled| *settled == serde_json::Value::Bool(true),
    )
    .await;
}

pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

pub async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

pub async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

pub async fn click_xpath(client: &Client, xpath: &str) {
    client
        .find(Locator::XPath(xpath))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub async fn click_button(client: &Client, label: &str) {
    click_xpath(client, &format!("//button[normalize-space()='{label}']")).await;
}

pub async fn type_into(client: &Client, css: &str, text: &str) {
    let field = wait_for(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Ticks or unticks a scope checkbox the way a keyboard user does (WebKitWebDriver refuses pointer
/// clicks on bare inputs), opening its resource's section first.
pub async fn toggle_scope(client: &Client, name: &str, scope_type: &str) {
    let css = format!("input[data-scope='{name}'][data-scope-type={scope_type}]");
    let checkbox = wait_for(client, &css).await;
    let section = format!("//details[.//input[@data-scope='{name}']]");
    let details = client.find(Locator::XPath(&section)).await.unwrap();
    if details.prop("open").await.unwrap().as_deref() != Some("true") {
        details
            .find(Locator::Css("summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    checkbox.send_keys(" ").await.unwrap();
}

/// Picks the app type by its label: WebKitWebDriver refuses pointer clicks on the bare radio.
pub async fn choose_type(client: &Client, value: &str) {
    click_xpath(
        client,
        &format!("//label[.//input[@name='app-type'][@value='{value}']]"),
    )
    .await;
}

pub async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap().trim().to_owned());
    }
    out
}

/// Generates a secret on the open app page and returns the value its dialog showed once.
/// Ticks "I have stored this secret" in the shown-once dialog, and closes it.
pub async fn store_and_close(client: &Client) {
    wait_for(client, "[data-testid=secret-stored]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    click(client, "[data-testid=new-secret-close]").await;
}

/// Marks the registered app's secret stored in the registration's result, and closes it.
pub async fn close_registered(client: &Client) {
    wait_for(client, "[data-testid=result-stored]")
        .await
        .send_keys(" ")
        .await
        .unwrap();
    click(client, "[data-testid=result-close]").await;
}

pub async fn generate_secret(client: &Client, description: &str, expiry: &str) -> String {
    click(client, "[data-testid=secret-generate]").await;
    type_into(client, "[data-testid=secret-description]", description).await;
    let preset = wait_for(client, "[data-testid=secret-expiry]").await;
    preset.select_by_value(expiry).await.unwrap();
    click(client, "[data-testid=secret-generate-submit]").await;
    let value = text_of(client, "[data-testid=new-secret-value]").await;
    store_and_close(client).await;
    // Closing refreshes the page; wait until it lists the new secret, so the next click does not
    // land on the page being redrawn.
    let listed = "return [...document.querySelectorAll('[data-testid=secret-row]')]\
        .some((row) => row.textContent.includes(arguments[0]));";
    poll(
        &format!("the new secret {description:?} to be listed"),
        || async {
            client
                .execute(listed, vec![json!(description)])
                .await
                .unwrap()
        },
        |seen| *seen == json!(true),
    )
    .await;
    value
}

/// Milliseconds between the latest `performance.mark`s named `from` and `to` in the window, once
/// `to` has been set `count` times (the UI sets them: `ui/src/lib/perf.ts`).
pub async fn marks_apart(client: &Client, from: &str, to: &str, count: usize) -> f64 {
    let script = "const [from, to, count] = arguments; \
        const a = performance.getEntriesByName(from, 'mark'); const b = performance.getEntriesByName(to, 'mark'); \
        return b.length >= count ? b[b.length - 1].startTime - a[a.length - 1].startTime : null;";
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let value = client
            .execute(script, vec![from.into(), to.into(), count.into()])
            .await
            .unwrap();
        if let Some(ms) = value.as_f64() {
            return ms;
        }
        assert!(Instant::now() < deadline, "the mark {to} never came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Types `query` into the apps list's search box a key at a time, and returns for each key the
/// milliseconds from its input event to the filtered list painted.
pub async fn search_timed(client: &Client, query: &str) -> Vec<f64> {
    let search = wait_for(client, "[data-testid=app-search]").await;
    let mut keystrokes = Vec::new();
    for (typed, key) in query.chars().enumerate() {
        search.send_keys(&key.to_string()).await.unwrap();
        let painted = "apps:filter-painted";
        keystrokes.push(marks_apart(client, "apps:filter-input", painted, typed + 1).await);
    }
    keystrokes
}

/// Who an Automation Suite connection acts as: the organization and its admin app's client id.
#[derive(Debug)]
pub struct SuiteAdmin {
    pub organization: String,
    pub client_id: String,
}

/// Fills the add-connection form for an Automation Suite at `host`.
pub async fn fill_suite_form(client: &Client, name: &str, host: &str, organization: &str) {
    click(client, "[data-testid=connections-open]").await;
    click(client, "[data-testid=connection-add]").await;
    wait_for(client, "[data-testid=connection-kind]")
        .await
        .select_by_value("automationSuite")
        .await
        .unwrap();
    type_into(client, "[data-testid=connection-name]", name).await;
    type_into(client, "[data-testid=connection-host]", host).await;
    type_into(
        client,
        "[data-testid=connection-organization]",
        organization,
    )
    .await;
}

/// Adds an Automation Suite connection that acts as `admin` with `secret`.
pub async fn add_suite_with_secret(
    client: &Client,
    name: &str,
    host: &str,
    admin: &SuiteAdmin,
    secret: &str,
) {
    fill_suite_form(client, name, host, &admin.organization).await;
    type_into(
        client,
        "[data-testid=connection-clientId]",
        &admin.client_id,
    )
    .await;
    type_into(client, "[data-testid=connection-clientSecret]", secret).await;
    click(client, "[data-testid=connection-save]").await;
}

/// oidc-provider on a free loopback port, stopped when dropped.
#[derive(Debug)]
pub struct OidcProvider {
    child: Child,
    pub issuer: Url,
    pub initial_access_token: Secret,
}

impl OidcProvider {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// One that ignores requests for a new secret, as a server without that policy does.
    pub fn start_without_rotation() -> Self {
        Self::start_with(&[("OIDC_ROTATION", "off")])
    }

    /// Starts the server, trying again when one does not come up: a start has been seen to
    /// hang now and then on a loaded machine, while the next one works at once.
    fn start_with(env: &[(&str, &str)]) -> Self {
        let mut said = String::new();
        for _ in 0..3 {
            match Self::try_start(env) {
                Ok(server) => return server,
                Err(why) => said = why,
            }
        }
        panic!("oidc-provider did not start, three times; last: {said}");
    }

    fn try_start(env: &[(&str, &str)]) -> Result<Self, String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "run `npm ci` in {} (scripts/test does)",
            dir.display()
        );
        let token = uuid::Uuid::new_v4().to_string();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("OIDC_PORT", "0")
            .env("OIDC_INITIAL_ACCESS_TOKEN", &token)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("node is needed for the oidc-provider tests");
        // Read the "listening" line on a thread, which then keeps draining the pipe so the
        // server never writes into a closed one; give up if it does not come.
        let (ready, line) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = ready.send(lines.next().and_then(Result::ok).unwrap_or_default());
            lines.for_each(drop);
        });
        let issuer = line
            .recv_timeout(std::time::Duration::from_secs(30))
            .ok()
            .and_then(|line| line.trim().strip_prefix("listening ")?.parse().ok());
        let Some(issuer) = issuer else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(log.path()).unwrap_or_default();
            return Err(format!(
                "no \"listening\" line within 30 s; stderr: {stderr}"
            ));
        };
        Ok(Self {
            child,
            issuer,
            initial_access_token: Secret::new(token),
        })
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A client of `sandbox`'s External Client API, acting as its admin app with a new secret.
pub fn sandbox_admin(sandbox: &registrar_sandbox::Sandbox) -> registrar_core::uipath::UiPathClient {
    registrar_core::uipath::UiPathClient::new(
        registrar_core::http::client().unwrap(),
        registrar_core::uipath::Endpoint {
            identity_url: sandbox.identity_url().parse().unwrap(),
            partition_global_id: sandbox.partition_global_id(),
            cloud_organization: None,
        },
        registrar_core::oauth::ClientCredentials {
            client_id: sandbox.admin_client_id().to_owned(),
            client_secret: sandbox.issue_admin_secret().unwrap(),
        },
    )
}

/// Registers `count` apps on `sandbox` through its External Client API, eight requests at a
/// time: a third confidential with one application scope, a third non-confidential with a user
/// scope and a loopback redirect URL, a third confidential with two application scopes.
pub async fn seed_apps(sandbox: &registrar_sandbox::Sandbox, count: usize) {
    use registrar_core::draft::AppDraft;
    use registrar_core::model::{AppType, Scope, ScopeType};

    let client = std::sync::Arc::new(sandbox_admin(sandbox));
    let started = std::time::Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let client = client.clone();
        workers.spawn(async move {
            for n in (worker..count).step_by(8) {
                let (name, app_type, scopes, redirects) = match n % 3 {
                    0 => (
                        format!("Billing sync {n:04}"),
                        AppType::Confidential,
                        vec![Scope::new("OR.Jobs.Read", ScopeType::Application)],
                        vec![],
                    ),
                    1 => (
                        format!("Desktop helper {n:04}"),
                        AppType::NonConfidential,
                        vec![Scope::new("OR.Folders.Read", ScopeType::User)],
                        vec![format!("http://127.0.0.1:{}/cb", 8000 + n % 1000)],
                    ),
                    _ => (
                        format!("Reporting {n:04}"),
                        AppType::Confidential,
                        vec![
                            Scope::new("OR.Queues", ScopeType::Application),
                            Scope::new("OR.Assets.Read", ScopeType::Application),
                        ],
                        vec![],
                    ),
                };
                let draft = AppDraft {
                    name,
                    app_type,
                    redirect_uris: redirects,
                    scopes,
                };
                client
                    .create_app(&draft.validate(None).unwrap())
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
    eprintln!(
        "seeded {count} apps in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
