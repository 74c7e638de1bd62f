//! `lightcone start`'s module limits (`--reducer-budget-ms`, `--module-memory-mib`) reach the
//! modules: a runaway reducer is stopped at the configured budget (the error names it) and a
//! memory-hungry one runs out, each rolled back with a clear error while the database serves
//! on; out-of-range settings are refused. (How far memory grows under a limit is the host
//! tests' part: server/host/tests/everything.rs.)

mod support;

use support::{module_wasm, Server};

const EVERYTHING: &str = "server/host/tests/modules/everything";

#[test]
fn the_configured_budget_and_memory_limit_stop_modules() {
    let server = Server::start(&[
        "--in-memory",
        "--reducer-budget-ms",
        "50",
        // The smallest limit: the hog reaches it well within the 50 ms budget, also on a slow
        // (debug, loaded) build.
        "--module-memory-mib",
        "16",
    ]);
    let (_, owner) = server.new_identity();
    let r = server.publish("limits", Some(&owner), &module_wasm(EVERYTHING));
    assert_eq!(r.status, 200, "{r:?}");

    let r = server.call("limits", "spin", None, "[]");
    assert_ne!(r.status, 200, "{r:?}");
    assert!(r.body.contains("budget of 50ms"), "{r:?}");

    // The module's allocator fails (its `memory.grow` is refused) and it aborts.
    let r = server.call("limits", "hog_memory", None, "[]");
    assert_ne!(r.status, 200, "{r:?}");
    assert!(r.body.contains("oom"), "{r:?}");

    // Neither left anything behind, and the database serves on.
    let r = server.request(
        "POST",
        "/v1/database/limits/sql",
        Some(&owner),
        Some(("", b"SELECT * FROM report WHERE key = 'should_not_exist'")),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains("\"rows\":[]"), "{}", r.body);

    // Out-of-range settings are refused before the server starts.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["start", "--in-memory", "--reducer-budget-ms", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("reducer-budget-ms"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
