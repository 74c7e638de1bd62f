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

#[test]
fn start_needs_no_configuration() {
    // The defaults (port 3000, the user's data dir) are in the help; a test must not take the
    // real port or data dir, so it runs in memory on a free port.
    let help = lightcone().args(["start", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&help.stdout).contains("127.0.0.1:3000"));
    let server = support::Server::start(&["--in-memory"]);
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
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
}
