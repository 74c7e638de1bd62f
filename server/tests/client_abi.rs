//! The C ABI (`ffi/`, built as `target/<profile>/liblightcone.so` by the workspace build)
//! driven from C (ffi/tests/c/client_test.c, compiled with gcc here) and from C# through
//! the csbindgen declarations (ffi/tests/cs/ClientTest.cs, compiled with Mono's `mcs` and
//! run under `mono`), each against the real server with tests/modules/everything.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The directory holding this build's `liblightcone.so`: target/<profile> (where the
/// workspace build puts it), else target/<profile>/deps.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    let candidates = [deps.parent().unwrap().to_path_buf(), deps];
    candidates
        .iter()
        .find(|d| d.join("liblightcone.so").exists())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no liblightcone.so in {candidates:?}: build the workspace (cargo test \
                 --workspace builds it; or cargo build -p lightcone-ffi)"
            )
        })
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("client-abi");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `command`; its output when it succeeded, else the test fails showing it.
fn run(command: &mut Command, what: &str) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{text}",
        out.status
    );
    text
}

#[test]
fn a_c_program_connects_subscribes_calls_and_reads_row_events() {
    let lib = lib_dir();
    let exe = scratch("client_test");
    run(
        Command::new("gcc")
            .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
            .arg(&exe)
            .arg(repo().join("ffi/tests/c/client_test.c"))
            .arg("-I")
            .arg(repo().join("ffi/include"))
            .arg("-L")
            .arg(&lib)
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .arg("-llightcone"),
        "gcc",
    );
    let (server, _) = Server::with_module("game", EVERYTHING);
    let out = run(
        Command::new(&exe).args([&server.base, "game"]),
        "the C test",
    );
    assert!(out.contains("c abi: all checks passed"), "{out}");
}

#[test]
fn a_csharp_program_does_the_same_through_the_csbindgen_declarations() {
    let lib = lib_dir();
    let exe = scratch("ClientTest.exe");
    let ffi = repo().join("ffi");
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo"])
            .arg(format!("-out:{}", exe.display()))
            .arg(ffi.join("tests/cs/ClientTest.cs"))
            .arg(ffi.join("bindings/LightconeNative.g.cs"))
            .arg(ffi.join("bindings/LightconeConstants.g.cs")),
        "mcs",
    );
    let (server, _) = Server::with_module("game", EVERYTHING);
    let out = run(
        Command::new("mono")
            .arg(&exe)
            .args([&server.base, "game"])
            .env("LD_LIBRARY_PATH", &lib),
        "the C# test",
    );
    assert!(out.contains("c# abi: all checks passed"), "{out}");
}
