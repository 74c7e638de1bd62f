//! The Unreal plugin's engine-agnostic C++ layer (unreal-plugin/Lightcone/Source/ThirdParty/
//! LightconeCore/include) with the code `lightcone generate --lang cpp` writes, compiled with
//! g++ as C++17 the way Unreal compiles (no exceptions, no RTTI; every warning an error) and
//! run against the real server and the real native library (tests/unreal/cpp/*.cpp say what
//! each checks); the generator's output for the chat and every-type modules, compared with
//! snapshots (tests/unreal/snapshots/; `LIGHTCONE_BLESS=1` rewrites them); and the plugin's
//! copy of the C header, compared with the one cbindgen writes.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tools::{lib_dir, repo, run, snapshot};
use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";
const CHAT: &str = "samples/chat/module-rust";
const THIRD_PARTY: &str = "unreal-plugin/Lightcone/Source/ThirdParty/LightconeCore";

/// How the C++ is compiled: the standard and the strictness the plugin promises
/// (docs/unreal.md).
const CXX_FLAGS: &[&str] = &[
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Wshadow",
    "-pedantic",
    "-Werror",
    "-fno-exceptions",
    "-fno-rtti",
    "-O1",
];

fn scratch(name: &str) -> PathBuf {
    support::tools::scratch("unreal-cpp", name)
}

/// `lightcone generate --lang cpp` for the module at `dir`, into a fresh scratch folder.
fn generate(dir: &str, name: &str) -> PathBuf {
    let out = scratch(&format!("generated-{name}"));
    support::tools::generate("cpp", dir, &out);
    out
}

#[test]
fn the_generated_cpp_matches_its_snapshots() {
    for (dir, name) in [(EVERYTHING, "everything"), (CHAT, "chat")] {
        let generated = generate(dir, name);
        let fresh = std::fs::read_to_string(generated.join("Module.g.hpp")).unwrap();
        let snapshots = repo().join("tests/unreal/snapshots").join(name);
        snapshot(&snapshots.join("Module.g.hpp"), &fresh);
    }
}

#[test]
fn the_plugin_ships_the_c_header_the_library_is_built_with() {
    let built = std::fs::read_to_string(repo().join("ffi/include/lightcone.h")).unwrap();
    let shipped =
        std::fs::read_to_string(repo().join(THIRD_PARTY).join("include/lightcone.h")).unwrap();
    assert!(
        built == shipped,
        "{THIRD_PARTY}/include/lightcone.h is not ffi/include/lightcone.h: copy it (scripts/build-unreal-plugin.sh does)"
    );
}

/// tests/unreal/cpp/`name`.cpp compiled with the C++ layer and the `generated` code: its exe.
fn program(generated: &Path, name: &str) -> PathBuf {
    program_with(generated, name, &[])
}

/// [`program`] with `include` directories searched too.
fn program_with(generated: &Path, name: &str, include: &[PathBuf]) -> PathBuf {
    let exe = scratch(name);
    let lib = lib_dir();
    run(
        Command::new("g++")
            .args(CXX_FLAGS)
            .arg("-o")
            .arg(&exe)
            .arg(repo().join(format!("tests/unreal/cpp/{name}.cpp")))
            .arg("-I")
            .arg(repo().join(THIRD_PARTY).join("include"))
            .arg("-I")
            .arg(generated)
            .args(include.iter().flat_map(|d| [Path::new("-I"), d.as_path()]))
            .arg("-L")
            .arg(&lib)
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .arg("-llightcone"),
        "g++",
    );
    exe
}

const ARENA: &str = "samples/arena/module-rust";

#[test]
fn the_arena_sample_s_cpp_client_plays_on_the_real_server() {
    let client = repo().join("samples/arena/unreal/Source/ArenaClient/Public");
    let exe = program_with(&generate(ARENA, "arena-run"), "arena_test", &[client]);
    let (server, owner) = Server::with_module("arena", ARENA);
    // 300 × 300 in 100-unit cells: crossing the arena swaps the view twice.
    let r = server.call("arena", "configure", Some(&owner), "[300, 60, 500]");
    assert_eq!(r.status, 200, "{r:?}");
    let out = run(
        Command::new(&exe).args([&server.base, "arena"]),
        "the C++ arena test",
    );
    assert!(out.contains("unreal arena: all checks passed"), "{out}");
}

#[test]
fn generated_cpp_round_trips_every_type_and_sees_changes() {
    let exe = program(&generate(EVERYTHING, "everything-run"), "everything_test");
    let (server, _) = Server::with_module("game", EVERYTHING);
    let out = run(
        Command::new(&exe).args([&server.base, "game"]),
        "the C++ test",
    );
    assert!(out.contains("unreal core: all checks passed"), "{out}");
}

#[test]
fn generated_cpp_for_the_chat_module_chats_between_two_clients() {
    let exe = program(&generate(CHAT, "chat-run"), "chat_test");
    let (server, _) = Server::with_module("chat", CHAT);
    let out = run(
        Command::new(&exe).args([&server.base, "chat"]),
        "the C++ chat test",
    );
    assert!(out.contains("unreal chat: all checks passed"), "{out}");
}

#[test]
fn a_server_restart_is_seen_by_the_cpp_layer_and_the_cache_is_right_afterwards() {
    let exe = program(
        &generate(EVERYTHING, "everything-reconnect"),
        "reconnect_test",
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, owner) = server.new_identity();
    let r = server.publish("game", Some(&owner), &support::module_wasm(EVERYTHING));
    assert_eq!(r.status, 200, "{r:?}");
    support::through_a_restart(
        Command::new(&exe).args([&server.base, "game"]),
        server,
        dir.path(),
        &owner,
        "unreal reconnect: all checks passed",
    );
}
