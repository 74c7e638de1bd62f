//! The Unity package's engine-agnostic C# runtime (unity-package/Runtime/Core) with code
//! `lightcone generate --lang csharp` writes for tests/modules/everything, compiled with
//! Mono's `mcs -warnaserror` and run under `mono` against the real server and the real
//! native library (tests/unity/EverythingTest.cs says what it checks); and the generator's
//! output for that module and the chat sample, compared with snapshots
//! (tests/unity/snapshots/; `LIGHTCONE_BLESS=1` rewrites them).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tools::{lib_dir, repo, run};
use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";

fn scratch(name: &str) -> PathBuf {
    support::tools::scratch("unity-csharp", name)
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

const CHAT: &str = "samples/chat/module-rust";

/// `lightcone generate --lang csharp` for the module at `dir`, into a fresh scratch folder.
fn generate(dir: &str, name: &str) -> PathBuf {
    let wasm = scratch(&format!("{name}.wasm"));
    std::fs::write(&wasm, support::module_wasm(dir)).unwrap();
    let out = scratch(&format!("generated-{name}"));
    let _ = std::fs::remove_dir_all(&out);
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
            .arg(&out),
        "lightcone generate",
    );
    out
}

#[test]
fn the_generated_csharp_matches_its_snapshots() {
    for (dir, name) in [(EVERYTHING, "everything"), (CHAT, "chat")] {
        let generated = generate(dir, name);
        let snapshots = repo().join("tests/unity/snapshots").join(name);
        let bless = std::env::var_os("LIGHTCONE_BLESS").is_some();
        if bless {
            let _ = std::fs::remove_dir_all(&snapshots);
            std::fs::create_dir_all(&snapshots).unwrap();
        }
        let files = sources(&generated);
        assert_eq!(files.len(), 4, "{files:?}");
        for f in files {
            let snapshot = snapshots.join(f.file_name().unwrap());
            let fresh = std::fs::read_to_string(&f).unwrap();
            if bless {
                std::fs::write(&snapshot, &fresh).unwrap();
                continue;
            }
            let old = std::fs::read_to_string(&snapshot).unwrap_or_default();
            assert!(
                old == fresh,
                "{} differs from the generator's output: check the change, then run with LIGHTCONE_BLESS=1",
                snapshot.display()
            );
        }
    }
}

#[test]
fn the_chat_sample_compiles_with_the_chat_module_s_generated_code() {
    let generated = generate(CHAT, "chat-sample");
    let repo = repo();
    let mut files = sources(&repo.join("unity-package/Runtime/Core"));
    files.extend(sources(&repo.join("unity-package/Runtime/Native")));
    files.extend(sources(&repo.join("unity-package/Runtime/Unity")));
    files.extend(sources(&generated));
    files.push(repo.join("unity-package/Samples~/Chat/ChatClient.cs"));
    files.push(repo.join("tests/unity/UnityStubs.cs"));
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo", "-target:library"])
            .arg(format!("-out:{}", scratch("ChatSample.dll").display()))
            .args(files),
        "mcs (chat sample)",
    );
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
            .args(sources(&repo.join("unity-package/Runtime/Native")))
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
