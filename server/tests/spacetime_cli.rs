//! SpacetimeDB's own CLI (`spacetime`, the `spacetimedb-cli` crate) against a real Lightcone
//! server: what the README promises its users. Not run by default — the CLI is not on these
//! machines and takes ~12 minutes to build — so it is `#[ignore]`d; run it with the CLI's path:
//!
//! ```text
//! cargo install spacetimedb-cli --version 1.3.0 --locked --root /tmp/stdb
//! SPACETIME_CLI=/tmp/stdb/bin/spacetimedb-cli cargo test -p lightcone --test spacetime_cli -- --ignored
//! ```

mod support;

use std::path::Path;
use std::process::Command;

use support::Server;

/// Runs the CLI with its configuration under `home`; requires success, returns stdout.
fn spacetime(home: &Path, args: &[&str]) -> String {
    let cli = std::env::var("SPACETIME_CLI")
        .expect("SPACETIME_CLI must name SpacetimeDB's CLI binary (see the file's comment)");
    let out = Command::new(cli)
        .args(args)
        .env("HOME", home)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "spacetime {args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
#[ignore = "needs SpacetimeDB's CLI: SPACETIME_CLI=<path> … -- --ignored"]
fn spacetimes_own_cli_publishes_calls_queries_and_reads_logs() {
    let server = Server::start(&["--in-memory"]);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let wasm = home.join("chat.wasm");
    std::fs::write(&wasm, support::module_wasm("samples/chat/module-rust")).unwrap();
    let wasm = wasm.to_str().unwrap();

    spacetime(
        home,
        &[
            "server",
            "add",
            "--url",
            &server.base,
            "lc",
            "--default",
            "--no-fingerprint",
        ],
    );
    spacetime(home, &["login", "--server-issued-login", "lc"]);
    let me = spacetime(home, &["login", "show"]);
    let me = me.split_whitespace().last().unwrap().to_owned();
    assert!(me.starts_with("c200"), "{me}");

    let published = spacetime(
        home,
        &["publish", "chat", "--bin-path", wasm, "-s", "lc", "-y"],
    );
    assert!(
        published.contains("Created new database with name: chat"),
        "{published}"
    );
    spacetime(
        home,
        &[
            "call",
            "chat",
            "send_message",
            "\"from their CLI\"",
            "-s",
            "lc",
        ],
    );
    let rows = spacetime(
        home,
        &["sql", "chat", "SELECT text FROM message", "-s", "lc"],
    );
    assert!(rows.contains("\"from their CLI\""), "{rows}");
    let logs = spacetime(home, &["logs", "chat", "-n", "5", "-s", "lc"]);
    assert!(
        logs.contains("message from") && logs.contains("from their CLI"),
        "{logs}"
    );
    let db = published
        .trim()
        .rsplit("identity: ")
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let listed = spacetime(home, &["list", "-s", "lc"]);
    assert!(listed.contains(&db), "{listed}");
    let described = spacetime(home, &["describe", "chat", "--json", "-s", "lc"]);
    let start = described.find('{').unwrap();
    let schema: serde_json::Value = serde_json::from_str(&described[start..]).unwrap();
    assert!(
        schema["tables"].as_array().is_some_and(|t| !t.is_empty()),
        "{schema}"
    );
    spacetime(home, &["delete", "chat", "-s", "lc", "-y"]);
    assert!(spacetime(home, &["list", "-s", "lc"]).contains("No databases found"));
}
