//! The deployment files in deploy/ hold what they say. No Docker engine or systemd-as-init is
//! on these machines, so what can be checked here is: the systemd unit passes
//! `systemd-analyze verify` without a single complaint (with `ExecStart` pointed at the
//! binary under test), the Dockerfile passes a linter (`dockerfile-utils lint`, installed by
//! scripts/test.sh into tools/node), the example settings file starts a real server, and
//! the image's health check command answers for a live server and fails for a dead one.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::Server;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_systemd_unit_verifies_without_complaint() {
    let unit = std::fs::read_to_string(repo().join("deploy/lightcone.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/lightcone start"));
    let tmp = tempfile::tempdir().unwrap();
    let here = tmp.path().join("lightcone.service");
    let unit = unit.replace("/usr/local/bin/lightcone", env!("CARGO_BIN_EXE_lightcone"));
    std::fs::write(&here, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&here)
        .output()
        .expect("systemd-analyze (Debian's systemd package; scripts/test.sh installs it)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[test]
fn the_dockerfile_lints_without_complaint() {
    let linter = repo().join("tools/node/node_modules/.bin/dockerfile-utils");
    let out = Command::new(&linter)
        .arg("lint")
        .arg(repo().join("deploy/Dockerfile"))
        .output()
        .unwrap_or_else(|e| panic!("{} ({e}): scripts/test.sh installs it", linter.display()));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
    let dockerfile = std::fs::read_to_string(repo().join("deploy/Dockerfile")).unwrap();
    for needed in ["USER lightcone", "VOLUME", "HEALTHCHECK", "/v1/ping"] {
        assert!(dockerfile.contains(needed), "the Dockerfile has {needed}");
    }
}

#[test]
fn the_example_settings_file_starts_a_server() {
    let file = repo().join("deploy/lightcone.toml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_lightcone"));
    command
        .args(["start", "--config", file.to_str().unwrap()])
        // Flags beat the file: a free port, and nothing on disk.
        .args(["--listen-addr", "127.0.0.1:0", "--in-memory"]);
    let server = Server::spawn(command);
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
}

#[test]
fn the_health_check_command_tells_a_live_server_from_a_dead_one() {
    let server = Server::start(&["--in-memory"]);
    let config = tempfile::tempdir().unwrap();
    let ping = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_lightcone"))
            .args(["server", "ping", url])
            .env("LIGHTCONE_CONFIG_DIR", config.path())
            .output()
            .unwrap()
            .status
    };
    assert!(ping(&server.base).success());
    let addr = server.addr();
    drop(server);
    assert_eq!(ping(&format!("http://{addr}")).code(), Some(1));
}
