//! `lightcone start`'s module limits (`--reducer-budget-ms`, `--module-memory-mib`) reach the
//! modules: a runaway reducer is stopped once it has run the configured budget (measured:
//! not before it, long before the default) and a memory-hungry one runs out near the
//! configured limit (measured on the server's peak memory), each rolled back with a clear
//! error while the database serves on; out-of-range settings are refused.

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

    // The spin is stopped once it has run its budget: after 50 ms, long before the default
    // budget (1 s) would stop it.
    let started = std::time::Instant::now();
    let r = server.call("limits", "spin", None, "[]");
    let spun = started.elapsed();
    assert_ne!(r.status, 200, "{r:?}");
    assert!(r.body.contains("budget"), "{r:?}");
    assert!(
        spun >= std::time::Duration::from_millis(50)
            && spun < std::time::Duration::from_millis(500),
        "the spin was stopped after {spun:?}"
    );

    // The module's allocator fails (its `memory.grow` is refused) and it aborts, having
    // grown the server by about its 16 MiB (the default limit, 1 GiB, would let it take
    // gigabytes).
    let before = server.peak_rss_bytes();
    let r = server.call("limits", "hog_memory", None, "[]");
    let grew = server.peak_rss_bytes().saturating_sub(before);
    assert_ne!(r.status, 200, "{r:?}");
    assert!(r.body.contains("oom"), "{r:?}");
    assert!(
        grew < 96 << 20,
        "the hog grew the server by {} MiB",
        grew >> 20
    );

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
