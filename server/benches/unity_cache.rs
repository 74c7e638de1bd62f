//! `cargo bench -p lightcone --bench unity_cache`: the Unity package's C# runtime under Mono,
//! with the code `lightcone generate --lang csharp` writes for the stand-in server's table
//! `pos (id u32 pk, x, y, z f32, hp u32)`, fed from the wire (ffi/benches/events/feeder.rs,
//! messages encoded as the real server encodes them). Two runs of
//! server/benches/cs/UnityCacheBench.cs:
//!
//! - `throughput`: 300 transactions of 10,000 row updates each, sent back to back, over a table
//!   of 600,000 rows in 60 slices changed in turn (so a tick merges two changes of a row only
//!   when it is 60 transactions behind); the game thread ticks (`WaitTick`) and every UPDATE
//!   lands in the typed cache (`PosTable`) and raises `OnUpdate` with the old and new `Pos`
//!   structs. Reported: row changes/s (3,000,000 / time to the last version in the cache) and
//!   `OnUpdate` events/s.
//! - `steady`: a 100-row transaction every millisecond (a server ticking at 1 kHz), 10,000
//!   ticks measured after 200 warm-up ticks: bytes allocated inside `WaitTick` (Mono's
//!   per-thread allocation counter) and garbage collections over those ticks.
//!
//! The feeder starts either stream when the bench calls its `start` reducer, once subscribed.
//! Each prints one JSON object; docs/benchmarks.md has the numbers. Needs `mcs` and `mono`.
//! The native library is this build's `liblightcone.so` (the server dev-depends on
//! lightcone-ffi, so it sits in target/<profile>/deps).

#[path = "../../ffi/benches/events/feeder.rs"]
mod feeder;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};

/// Transactions of the throughput run, and the slices of its table they change in turn.
const THROUGHPUT_TRANSACTIONS: u32 = 300;
const THROUGHPUT_SLICES: u32 = 60;
/// Rows per transaction in the steady run.
const STEADY_ROWS: u32 = 100;
/// How often the steady run's server sends a transaction.
const STEADY_EVERY: Duration = Duration::from_millis(1);
/// Transactions the steady run's server has to send: more than its warm-up and measured ticks.
const STEADY_TRANSACTIONS: u32 = 12_000;

fn main() {
    let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    if !have("mcs") || !have("mono") {
        eprintln!(
            "the unity_cache bench needs mcs and mono (apt-get install mono-mcs mono-runtime)"
        );
        std::process::exit(1);
    }
    let exe = build();
    let lib = lib_dir();
    let runs = [
        (
            "throughput",
            feeder::Stream {
                slices: THROUGHPUT_SLICES,
                start_on_call: true,
                ..feeder::Stream::full_speed(THROUGHPUT_TRANSACTIONS)
            },
        ),
        (
            "steady",
            feeder::Stream {
                transactions: STEADY_TRANSACTIONS,
                rows: STEADY_ROWS,
                slices: 1,
                every: Some(STEADY_EVERY),
                start_on_call: true,
            },
        ),
    ];
    for (mode, stream) in runs {
        let url = feeder::start(stream);
        let status = Command::new("mono")
            .arg(&exe)
            .args([mode, &url])
            .arg(stream.transactions.to_string())
            .arg(stream.rows.to_string())
            .arg(stream.slices.to_string())
            .env("LD_LIBRARY_PATH", &lib)
            .status()
            .expect("mono");
        assert!(status.success(), "the C# bench ({mode}) failed");
    }
}

/// The generated code for the feeder's module and the bench program, compiled: the exe.
fn build() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("unity-cache-bench");
    let generated = dir.join("generated");
    let _ = std::fs::remove_dir_all(&generated);
    std::fs::create_dir_all(&generated).expect("scratch folder");
    let def = ModuleDef::validate(RawModuleDef::V9(feeder::module_def()))
        .expect("the feeder's module validates");
    for f in lightcone_server::codegen::generate(&def, "csharp", "Bench.Module")
        .expect("C# for the feeder's module")
    {
        std::fs::write(generated.join(&f.name), &f.text).expect("write generated code");
    }
    let exe = dir.join("UnityCacheBench.exe");
    let mut sources = Vec::new();
    for folder in [
        repo.join("unity-package/Runtime/Core"),
        repo.join("unity-package/Runtime/Native"),
        generated,
    ] {
        for entry in std::fs::read_dir(&folder).expect("source folder") {
            let path = entry.expect("source file").path();
            if path.extension().is_some_and(|e| e == "cs") {
                sources.push(path);
            }
        }
    }
    sources.push(repo.join("server/benches/cs/UnityCacheBench.cs"));
    let status = Command::new("mcs")
        .args(["-unsafe", "-optimize+", "-warnaserror", "-nologo"])
        .arg(format!("-out:{}", exe.display()))
        .args(&sources)
        .status()
        .expect("mcs");
    assert!(status.success(), "mcs failed");
    exe
}

/// Where this build's `liblightcone.so` is: target/<profile>/deps beside the bench, or
/// target/<profile>.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    let deps = exe.parent().expect("deps folder").to_path_buf();
    let profile = deps.parent().map(Path::to_path_buf).unwrap_or(deps.clone());
    [deps.clone(), profile]
        .into_iter()
        .find(|d| d.join("liblightcone.so").exists())
        .unwrap_or(deps)
}
