//! End to end in the real window: the app built by `cargo build -p registrar`, driven through
//! tauri-driver and WebKitWebDriver, with its own data folders and keychain namespace.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A throwaway home for one app: XDG folders, a keychain namespace, and tauri-driver's output.
struct Desktop {
    dir: tempfile::TempDir,
    namespace: String,
    driver: Child,
    driver_port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn app_binary() -> PathBuf {
    let path = std::env::var_os("REGISTRAR_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
            target.join("debug/registrar")
        });
    assert!(
        path.exists(),
        "{} is missing: build the app first (cargo build -p registrar)",
        path.display()
    );
    path.canonicalize().unwrap()
}

impl Desktop {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["data", "config", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let namespace = format!("registrar-e2e-{}", uuid::Uuid::new_v4());
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
            .env("RUST_LOG", "debug")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tauri-driver is installed by scripts/test (cargo install tauri-driver)");
        Self {
            dir,
            namespace,
            driver,
            driver_port,
        }
    }

    /// Starts the app in a new WebDriver session and waits for its window to be ready.
    async fn launch(&self) -> Client {
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
    fn written_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
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
        let _ = Command::new("secret-tool")
            .args(["clear", "service", &self.namespace])
            .status();
    }
}

const WAIT: Duration = Duration::from_secs(60);

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap()
        .trim()
        .to_owned()
}

async fn token_request(
    identity_url: &str,
    client_id: &str,
    secret: &str,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{identity_url}/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "OR.Jobs.Read"),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn register_a_confidential_app_in_the_window_and_use_its_secret() {
    let desktop = Desktop::start();
    let client = desktop.launch().await;

    let identity_url = text_of(&client, "[data-testid=connection-url]").await;
    assert!(
        identity_url.starts_with("http://127.0.0.1:"),
        "{identity_url}"
    );

    wait_for(&client, "[data-testid=register-open]")
        .await
        .click()
        .await
        .unwrap();
    wait_for(&client, "#app-name")
        .await
        .send_keys("Billing sync")
        .await
        .unwrap();
    let confidential = "//label[.//input[@name='app-type'][@value='confidential']]";
    client
        .find(Locator::XPath(confidential))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let scope = "input[data-scope='OR.Jobs.Read'][data-scope-type=application]";
    let checkbox = wait_for(&client, scope).await;
    let section = "//details[.//input[@data-scope='OR.Jobs.Read']]";
    let details = client.find(Locator::XPath(section)).await.unwrap();
    if details.prop("open").await.unwrap().as_deref() != Some("true") {
        details
            .find(Locator::Css("summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    // WebKitWebDriver refuses pointer clicks on bare inputs; Space is how a keyboard user ticks it.
    checkbox.send_keys(" ").await.unwrap();
    assert_eq!(
        checkbox.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    wait_for(&client, "[data-testid=register-submit]")
        .await
        .click()
        .await
        .unwrap();

    wait_for(&client, "[data-testid=secret-dialog]").await;
    let app_id = text_of(&client, "[data-testid=result-app-id]").await;
    let secret = text_of(&client, "[data-testid=result-secret]").await;
    assert!(
        !app_id.is_empty() && secret.len() >= 43,
        "App ID {app_id:?}, secret of {} chars",
        secret.len()
    );

    let (status, body) = token_request(&identity_url, &app_id, &secret).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "OR.Jobs.Read");
    assert_eq!(body["token_type"], "Bearer");
    let (status, body) = token_request(&identity_url, &app_id, "not-the-secret").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    wait_for(&client, "[data-testid=result-close]")
        .await
        .click()
        .await
        .unwrap();
    let row = format!("[data-testid=app-row][data-app-id='{app_id}']");
    wait_for(&client, &row).await;
    client.close().await.unwrap();

    let client = desktop.launch().await;
    let listed = text_of(&client, &row).await;
    assert!(listed.contains("Billing sync"), "{listed}");
    client.close().await.unwrap();

    // The sandbox's admin credentials went to the real keychain, under the test's namespace.
    let search = Command::new("secret-tool")
        .args(["search", "--all", "service", &desktop.namespace])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&search.stdout);
    assert!(
        listing.contains("admin-client-secret"),
        "keychain entries: {listing}"
    );

    for (path, bytes) in desktop.written_files() {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the app's secret was written to {}",
            path.display()
        );
    }
}
