//! The C ABI (`ffi/`, whose `liblightcone.so` cargo builds as this package's dev-dependency)
//! driven from C (ffi/tests/c/client_test.c, compiled with gcc here) and from C# through
//! the csbindgen declarations (ffi/tests/cs/ClientTest.cs, compiled with Mono's `mcs` and
//! run under `mono`), each against the real server with tests/modules/everything.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::tools::{lib_dir, repo, run};
use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";

fn scratch(name: &str) -> PathBuf {
    support::tools::scratch("client-abi", name)
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
    let native = repo().join("unity-package/Runtime/Native");
    run(
        Command::new("mcs")
            .args(["-unsafe", "-warnaserror", "-nologo"])
            .arg(format!("-out:{}", exe.display()))
            .arg(ffi.join("tests/cs/ClientTest.cs"))
            .arg(native.join("LightconeNative.g.cs"))
            .arg(native.join("LightconeConstants.g.cs")),
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
