//! The real `lightcone` binary's command line.

use std::process::Command;

fn lightcone() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lightcone"))
}

#[test]
fn start_accepts_its_flags_and_reports_its_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let start = || {
        lightcone()
            .args(["start", "--listen-addr", "127.0.0.1:0", "--data-dir"])
            .arg(&dir)
            .output()
            .unwrap()
    };
    let out = start();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("127.0.0.1:0"), "{stderr}");
    assert!(stderr.contains(&dir.display().to_string()), "{stderr}");
    assert!(stderr.contains("not implemented yet"), "{stderr}");
    assert_eq!(out.status.code(), Some(2));
    // The first start made the signing key; the next keeps it.
    let public = std::fs::read_to_string(dir.join("id_ecdsa.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    start();
    assert_eq!(
        std::fs::read_to_string(dir.join("id_ecdsa.pub")).unwrap(),
        public
    );
}

#[test]
fn start_needs_no_configuration() {
    let out = lightcone().args(["start", "--in-memory"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("127.0.0.1:3000") && stderr.contains("in memory"),
        "{stderr}"
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
}
