//! The Unity package's engine-agnostic C# runtime (unity-package/Runtime/Core) with code
//! `lightcone generate --lang csharp` writes for tests/modules/everything, compiled with
//! Mono's `mcs -warnaserror` and run under `mono` against the real server and the real
//! native library (tests/unity/EverythingTest.cs and ChatTest.cs say what they check); and
//! the generator's output for that module and the chat sample, compared with snapshots
//! (tests/unity/snapshots/; `LIGHTCONE_BLESS=1` rewrites them).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tools::{generate_command, lib_dir, repo, run, snapshot};
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
    let out = scratch(&format!("generated-{name}"));
    support::tools::generate("csharp", dir, &out);
    out
}

#[test]
fn the_generated_csharp_matches_its_snapshots() {
    for (dir, name) in [(EVERYTHING, "everything"), (CHAT, "chat")] {
        let generated = generate(dir, name);
        let snapshots = repo().join("tests/unity/snapshots").join(name);
        let files = sources(&generated);
        assert_eq!(files.len(), 4, "{files:?}");
        for f in files {
            let fresh = std::fs::read_to_string(&f).unwrap();
            snapshot(&snapshots.join(f.file_name().unwrap()), &fresh);
        }
    }
}

#[test]
fn generating_from_a_running_database_writes_what_its_module_file_gives() {
    for (dir, name) in [(EVERYTHING, "everything"), (CHAT, "chat")] {
        let (server, _) = Server::with_module(name, dir);
        let fetched = scratch(&format!("generated-{name}-fetched"));
        run(
            generate_command("csharp", &fetched).args([
                "--database",
                name,
                "--server",
                &server.base,
            ]),
            "lightcone generate --database",
        );
        let files = sources(&fetched);
        assert_eq!(files.len(), 4, "{files:?}");
        let snapshots = repo().join("tests/unity/snapshots").join(name);
        for f in files {
            let snapshot = snapshots.join(f.file_name().unwrap());
            assert!(
                std::fs::read_to_string(&snapshot).unwrap() == std::fs::read_to_string(&f).unwrap(),
                "{} generated from the running database differs from {}",
                f.display(),
                snapshot.display()
            );
        }
    }
    let (server, _) = Server::with_module("chat", CHAT);
    let out = generate_command("csharp", &scratch("generated-missing"))
        .args(["--database", "no_such_db", "--server", &server.base])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("no_such_db"),
        "{stderr}"
    );
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
    let generated = generate(EVERYTHING, "everything-run");
    let exe = program(&generated, "EverythingTest");
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

#[test]
fn generated_csharp_for_the_chat_module_chats_between_two_clients() {
    let generated = generate(CHAT, "chat-run");
    let exe = program(&generated, "ChatTest");
    let (server, _) = Server::with_module("chat", CHAT);
    let out = run(
        Command::new("mono")
            .arg(&exe)
            .args([&server.base, "chat"])
            .env("LD_LIBRARY_PATH", lib_dir()),
        "the C# chat test",
    );
    assert!(out.contains("chat: all checks passed"), "{out}");
}

const ARENA: &str = "samples/arena/module-rust";

#[test]
fn the_arena_sample_compiles_and_its_client_plays_on_the_real_server() {
    let generated = generate(ARENA, "arena-sample");
    let repo = repo();
    let sample = repo.join("unity-package/Samples~/Arena");
    // The whole sample, glue included, against the Unity stubs.
    let mut files = sources(&repo.join("unity-package/Runtime/Core"));
    files.extend(sources(&repo.join("unity-package/Runtime/Native")));
    files.extend(sources(&repo.join("unity-package/Runtime/Unity")));
    files.extend(sources(&generated));
    files.extend(sources(&sample));
    files.push(repo.join("tests/unity/UnityStubs.cs"));
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo", "-target:library"])
            .arg(format!("-out:{}", scratch("ArenaSample.dll").display()))
            .args(files),
        "mcs (arena sample)",
    );
    // Its engine-agnostic half, played: two players in a 300 × 300 arena of 100-unit cells.
    let exe = program_with(&generated, "ArenaTest", &[sample.join("ArenaGame.cs")]);
    let (server, owner) = Server::with_module("arena", ARENA);
    let r = server.call("arena", "configure", Some(&owner), "[300, 60, 500]");
    assert_eq!(r.status, 200, "{r:?}");
    let out = run(
        Command::new("mono")
            .arg(&exe)
            .args([&server.base, "arena"])
            .env("LD_LIBRARY_PATH", lib_dir()),
        "the C# arena test",
    );
    assert!(out.contains("arena: all checks passed"), "{out}");
}

/// tests/unity/`name`.cs (with Checks.cs) compiled with the runtime and the `generated` code:
/// its exe.
fn program(generated: &Path, name: &str) -> PathBuf {
    program_with(generated, name, &[])
}

/// [`program`] with `extra` sources compiled in.
fn program_with(generated: &Path, name: &str, extra: &[PathBuf]) -> PathBuf {
    let exe = scratch(&format!("{name}.exe"));
    let repo = repo();
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo"])
            .arg(format!("-out:{}", exe.display()))
            .args(sources(&repo.join("unity-package/Runtime/Core")))
            .args(sources(&repo.join("unity-package/Runtime/Native")))
            .args(sources(generated))
            .args(extra)
            .arg(repo.join("tests/unity/Checks.cs"))
            .arg(repo.join(format!("tests/unity/{name}.cs"))),
        "mcs",
    );
    exe
}

/// The module published on a durable server over `dir`: the server and the owner's token.
fn durable_game(dir: &Path) -> (Server, String) {
    let server = Server::durable(dir);
    let (_, owner) = server.new_identity();
    let r = server.publish("game", Some(&owner), &support::module_wasm(EVERYTHING));
    assert_eq!(r.status, 200, "{r:?}");
    (server, owner)
}

#[test]
fn a_server_restart_is_seen_as_state_changes_and_the_cache_is_right_afterwards() {
    let generated = generate(EVERYTHING, "everything-reconnect");
    let exe = program(&generated, "ReconnectTest");
    let dir = tempfile::tempdir().unwrap();
    let (server, owner) = durable_game(dir.path());
    support::through_a_restart(
        Command::new("mono")
            .arg(&exe)
            .args([&server.base, "game"])
            .env("LD_LIBRARY_PATH", lib_dir()),
        server,
        dir.path(),
        &owner,
        "unity reconnect: all checks passed",
    );
}
