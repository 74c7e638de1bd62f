//! The Unity package's engine-agnostic C# runtime (unity-package/Runtime/Core) with code
//! `lightcone generate --lang csharp` writes for tests/modules/everything, compiled with
//! Mono's `mcs -warnaserror` and run under `mono` against the real server and the real
//! native library (tests/unity/EverythingTest.cs says what it checks).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("unity-csharp");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Where this build's `liblightcone.so` is (target/<profile>, else its deps/).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    let candidates = [deps.parent().unwrap().to_path_buf(), deps];
    candidates
        .iter()
        .find(|d| d.join("liblightcone.so").exists())
        .cloned()
        .unwrap_or_else(|| panic!("no liblightcone.so in {candidates:?}: build the workspace"))
}

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

/// The `.cs` files in `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cs"))
        .collect();
    files.sort();
    files
}

#[test]
fn generated_csharp_over_the_runtime_round_trips_every_type_and_sees_changes() {
    let wasm = scratch("everything.wasm");
    std::fs::write(&wasm, support::module_wasm(EVERYTHING)).unwrap();
    let generated = scratch("generated");
    let _ = std::fs::remove_dir_all(&generated);
    run(
        Command::new(env!("CARGO_BIN_EXE_lightcone"))
            .args([
                "generate",
                "--lang",
                "csharp",
                "--namespace",
                "Lightcone.Module",
            ])
            .arg("--bin-path")
            .arg(&wasm)
            .arg("--out-dir")
            .arg(&generated),
        "lightcone generate",
    );
    let exe = scratch("EverythingTest.exe");
    let repo = repo();
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo"])
            .arg(format!("-out:{}", exe.display()))
            .args(sources(&repo.join("unity-package/Runtime/Core")))
            .args(sources(&repo.join("ffi/bindings")))
            .args(sources(&generated))
            .arg(repo.join("tests/unity/EverythingTest.cs")),
        "mcs",
    );
    let (server, _) = Server::with_module("game", EVERYTHING);
    let out = run(
        Command::new("mono")
            .arg(&exe)
            .args([&server.base, "game"])
            .env("LD_LIBRARY_PATH", lib_dir()),
        "the C# test",
    );
    assert!(out.contains("unity core: all checks passed"), "{out}");
}
