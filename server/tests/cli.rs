//! The real `lightcone` binary's command line.

use std::process::Command;

mod support;

fn lightcone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lightcone"))
}

#[test]
fn start_serves_and_keeps_its_key_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let server = support::Server::durable(&dir);
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
    assert_eq!(server.stop(), Some(0), "SIGTERM is a clean shutdown");
    let public = std::fs::read_to_string(dir.join("id_ecdsa.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    let server = support::Server::durable(&dir);
    assert_eq!(server.stop(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join("id_ecdsa.pub")).unwrap(),
        public
    );
}

/// `lightcone start` and nothing else, as a new user runs it: it serves on the documented
/// default address and keeps its data in the user's data directory (a fresh `$HOME` here).
/// Needs port 3000 free on this machine.
#[test]
fn start_needs_no_configuration() {
    let home = tempfile::tempdir().unwrap();
    let mut command = lightcone();
    command
        .arg("start")
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME");
    let server = support::Server::spawn(command);
    assert_eq!(server.base, "http://127.0.0.1:3000");
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
    let (_, token) = server.new_identity();
    let wasm = support::module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&token), &wasm).status, 200);
    assert_eq!(server.stop(), Some(0));
    let data = home.path().join(".local/share/lightcone");
    assert!(
        data.join("id_ecdsa.pub").is_file(),
        "no key in {}",
        data.display()
    );
    let databases = std::fs::read_dir(data.join("databases")).unwrap().count();
    assert_eq!(
        databases,
        1,
        "the published database is kept in {}",
        data.display()
    );
}

#[test]
fn bad_flags_get_a_clear_error() {
    let out = lightcone()
        .args(["start", "--listen-addr", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid value 'nowhere'"), "{stderr}");
    assert!(stderr.contains("hint: `127.0.0.1:3000`"), "{stderr}");
}

#[test]
fn listen_addr_takes_a_host_name_or_a_port_alone() {
    for addr in ["localhost:0", "0"] {
        let mut command = lightcone();
        command.args(["start", "--in-memory", "--listen-addr", addr]);
        let server = support::Server::spawn(command);
        assert!(
            server.base.starts_with("http://127.0.0.1:"),
            "{addr}: {}",
            server.base
        );
        let r = server.request("GET", "/v1/ping", None, None);
        assert_eq!(r.status, 200, "{addr}");
    }
}

/// The subcommands `lightcone [prefix…] --help` lists.
fn subcommands(prefix: &[&str]) -> Vec<String> {
    let out = lightcone().args(prefix).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_is_in_the_cli_guide_and_its_arguments_described_in_help() {
    let mut commands: Vec<Vec<String>> = Vec::new();
    for c in subcommands(&[]) {
        let nested = subcommands(&[c.as_str()]);
        if nested.is_empty() {
            commands.push(vec![c]);
        } else {
            commands.extend(nested.into_iter().map(|n| vec![c.clone(), n]));
        }
    }
    assert!(commands.len() > 15, "{commands:?}");
    // docs/cli.md has a row with an example for each.
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md"),
    )
    .unwrap();
    for command in &commands {
        let name = command.join(" ");
        let row = guide
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("`lightcone {name}` has no row in docs/cli.md"));
        assert!(
            row.contains(&format!("`lightcone {name}")),
            "the row of `{name}` in docs/cli.md has no example: {row}"
        );
    }
    for command in commands {
        let out = lightcone().args(&command).arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout).into_owned();
        for line in help
            .lines()
            .skip_while(|l| !l.starts_with("Arguments:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
        {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(
                words.len() > 1,
                "`lightcone {}`: argument {line:?} has no description",
                command.join(" ")
            );
        }
    }
}

#[test]
fn start_up_errors_name_the_address_or_the_directory() {
    let first = support::Server::start(&["--in-memory"]);
    let addr = first.base.trim_start_matches("http://").to_owned();
    let out = lightcone()
        .args(["start", "--in-memory", "--listen-addr", &addr])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")) && stderr.contains("hint:"),
        "{stderr}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let dir = file.join("data");
    let out = lightcone()
        .args(["start", "--listen-addr", "127.0.0.1:0", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&dir.display().to_string()), "{stderr}");
    assert_eq!(
        stderr.matches("os error").count(),
        1,
        "the cause said once: {stderr}"
    );
}
