//! The command line as its own program: what it links, where it keeps its files, what a terminal
//! shows of a typed secret, and the window's binary handing command words over to it.

use std::process::Command;

use registrar_tests::{app_binary, cli_binary};

use crate::cli::ok_json;
use crate::core_client::sandbox;

/// The shared libraries a binary asks the dynamic loader for.
#[cfg(target_os = "linux")]
fn linked_libraries(binary: &std::path::Path) -> String {
    let ldd = Command::new("ldd").arg(binary).output().unwrap();
    assert!(ldd.status.success(), "{ldd:?}");
    String::from_utf8(ldd.stdout).unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn the_command_line_links_no_window_libraries() {
    let window = linked_libraries(&app_binary());
    assert!(
        window.contains("libwebkit2gtk"),
        "the window's binary is not what this test expects:\n{window}"
    );
    let cli = linked_libraries(&cli_binary());
    for library in [
        "libwebkit2gtk",
        "libjavascriptcoregtk",
        "libgtk-3",
        "libgdk-3",
    ] {
        assert!(!cli.contains(library), "registrar links {library}:\n{cli}");
    }
}

#[tokio::test]
async fn the_window_binary_hands_command_words_to_the_command_line() {
    let version = |binary| {
        let out = Command::new(binary).arg("--version").output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(version(app_binary()), version(cli_binary()));

    let running = sandbox().await;
    let admin = running.sandbox.issue_admin_secret().unwrap();
    let env = [
        ("REGISTRAR_IDENTITY_URL", running.sandbox.identity_url()),
        (
            "REGISTRAR_CLIENT_ID",
            running.sandbox.admin_client_id().to_owned(),
        ),
        ("REGISTRAR_CLIENT_SECRET", admin.expose().to_owned()),
    ];
    let config = tempfile::tempdir().unwrap();
    let listed = tokio::task::spawn_blocking(move || {
        Command::new(app_binary())
            .args(["apps", "list", "--json"])
            .env("REGISTRAR_CONFIG_DIR", config.path())
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let apps = ok_json(&listed);
    assert!(apps.as_array().is_some_and(|a| !a.is_empty()), "{apps}");
}

/// Alone, without the command line beside it, the window's binary says what is missing.
#[cfg(unix)]
#[test]
fn the_window_binary_says_so_when_the_command_line_is_not_beside_it() {
    let alone = tempfile::tempdir_in(app_binary().parent().unwrap()).unwrap();
    let app = alone.path().join("registrar-desktop");
    std::fs::hard_link(app_binary(), &app).unwrap();

    let out = Command::new(&app).args(["apps", "list"]).output().unwrap();

    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("the command line, registrar, is not installed beside this program"),
        "{said}"
    );
}

/// `connections add` of the sandbox as an Automation Suite server, in `env`, secret on stdin.
#[cfg(unix)]
fn add_suite_command(
    running: &crate::core_client::Running,
    name: &str,
    env: &[(&str, String)],
) -> Command {
    let mut command = Command::new(cli_binary());
    command
        .args(["connections", "add", "--name", name, "--kind", "suite"])
        .args(["--host", &format!("http://{}", running.sandbox.addr())])
        .args(["--org", running.sandbox.organization()])
        .args(["--client-id", running.sandbox.admin_client_id()])
        .env_remove("REGISTRAR_CLIENT_SECRET")
        .env_remove("REGISTRAR_IDENTITY_URL")
        .envs(env.iter().map(|(k, v)| (k, v)));
    command
}

/// Where the command line keeps connections when nothing overrides it.
#[cfg(target_os = "linux")]
mod folders {
    use super::add_suite_command;
    use crate::cli::{output_with_stdin, registrar, stdout, Home};
    use crate::core_client::sandbox;

    /// On Linux the platform's folder is `$XDG_CONFIG_HOME`, the one Tauri's path resolver gives the
    /// window.
    #[tokio::test]
    async fn connections_are_kept_in_the_platforms_config_folder() {
        let running = sandbox().await;
        let admin = running.sandbox.issue_admin_secret().unwrap();
        let home = Home::new();
        let xdg = tempfile::tempdir().unwrap();
        let env: Vec<(&str, String)> = home
            .env()
            .into_iter()
            .filter(|(k, _)| *k != "REGISTRAR_CONFIG_DIR")
            .chain([("XDG_CONFIG_HOME", xdg.path().display().to_string())])
            .collect();
        let mut command = add_suite_command(&running, "Kept", &env);
        let secret = format!("{}\n", admin.expose());
        command.env_remove("REGISTRAR_CONFIG_DIR");
        let added = tokio::task::spawn_blocking(move || output_with_stdin(command, &secret))
            .await
            .unwrap();
        stdout(&added);
        let kept = xdg.path().join("dev.registrar.desktop/connections.json");
        let saved = std::fs::read_to_string(&kept)
            .unwrap_or_else(|e| panic!("{} was not written: {e}", kept.display()));
        assert!(saved.contains("\"Kept\""), "{saved}");
        let mut env = env;
        env.push((
            "REGISTRAR_CONFIG_DIR",
            xdg.path()
                .join("dev.registrar.desktop")
                .display()
                .to_string(),
        ));
        stdout(&registrar(&["connections", "remove", "Kept"], &env, "").await);
    }
}

/// A person at a terminal (a pty), which Windows' console does not offer to a test.
#[cfg(unix)]
mod terminal {
    use std::os::fd::AsFd;
    use std::time::{Duration, Instant};

    use nix::sys::termios::{tcgetattr, LocalFlags};

    use super::add_suite_command;
    use crate::cli::{ok_json, registrar, stdout, Home};
    use crate::core_client::sandbox;

    /// Waits until the terminal no longer echoes what is typed, as a program turns echo off right
    /// after its prompt.
    fn wait_for_echo_off(pty: &impl AsFd) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while tcgetattr(pty)
            .unwrap()
            .local_flags
            .contains(LocalFlags::ECHO)
        {
            assert!(
                Instant::now() < deadline,
                "the terminal still echoes after the prompt"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[tokio::test]
    async fn a_secret_typed_on_a_terminal_is_not_shown_and_is_saved() {
        let running = sandbox().await;
        let admin = running.sandbox.issue_admin_secret().unwrap();
        let home = Home::new();
        let env = home.env();
        let command = add_suite_command(&running, "Typed", &env);
        let typed = admin.expose().to_owned();
        let screen = tokio::task::spawn_blocking(move || {
            let mut terminal = rexpect::session::spawn_command(command, Some(30_000)).unwrap();
            let before = terminal
                .exp_string("Type the admin app's client secret (it is not shown): ")
                .unwrap();
            wait_for_echo_off(&terminal.process.pty);
            terminal.send_line(&typed).unwrap();
            let after = terminal.exp_eof().unwrap();
            let status = terminal.process.wait().unwrap();
            (format!("{before}{after}"), status)
        })
        .await
        .unwrap();
        let (screen, status) = screen;
        assert!(
            matches!(status, rexpect::process::wait::WaitStatus::Exited(_, 0)),
            "{status:?}: {screen}"
        );
        assert!(
            !screen.contains(admin.expose()),
            "the terminal showed the typed secret: {screen}"
        );
        assert!(screen.contains("Saved \"Typed\""), "{screen}");

        let report = ok_json(&registrar(&["connections", "test", "--json"], &env, "").await);
        assert_eq!(report["token"]["outcome"], "passed", "{report}");
        stdout(&registrar(&["connections", "remove", "Typed"], &env, "").await);
    }
}
