//! `cargo bench -p lightcone --bench engine_cache`: the engine layers' typed caches fed from
//! the wire — the Unity package's C# runtime under Mono and the Unreal plugin's C++ layer —
//! each with the code `lightcone generate` writes (`--lang csharp`, `--lang cpp`) for the
//! stand-in server's table `pos (id u32 pk, x, y, z f32, hp u32)` (ffi/benches/events/feeder.rs,
//! messages encoded as the real server encodes them). Two runs of each program
//! (server/benches/cs/UnityCacheBench.cs, server/benches/cpp/cache_bench.cpp):
//!
//! - `throughput`: 300 transactions of 10,000 row updates each, sent back to back, over a table
//!   of 600,000 rows in 60 slices changed in turn (so a tick merges two changes of a row only
//!   when it is 60 transactions behind); the game thread ticks (`WaitTick`/`wait_tick`) and
//!   every UPDATE lands in the typed cache and raises the update event (C# `OnUpdate`, C++
//!   `on_update`) with the old and new rows. Reported: row changes/s (3,000,000 / time to the
//!   last version in the cache) and update events/s.
//! - `steady`: a 100-row transaction every millisecond (a server ticking at 1 kHz), 10,000
//!   ticks measured after 200 warm-up ticks: bytes allocated and garbage collections inside the
//!   ticks (C#: Mono's per-thread allocation counter), heap allocations (C++: a counting
//!   `operator new`).
//!
//! The feeder starts either stream when the program calls its `start` reducer, once subscribed.
//! Each run prints one JSON object; docs/benchmarks.md has the numbers. `--only csharp` or
//! `--only cpp` runs one program. Needs `mcs` and `mono`, and `g++`. The native library is
//! this build's `liblightcone.so` (the server dev-depends on lightcone-ffi, so it sits in
//! target/<profile>/deps).

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

/// Makes the command that runs one bench program (arguments follow).
type Program = Box<dyn Fn() -> Command>;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let wants = |which: &str| only.as_deref().is_none_or(|o| o == which);
    let lib = lib_dir();
    let mut programs: Vec<(&str, Program)> = Vec::new();
    if wants("csharp") {
        let exe = csharp();
        let lib = lib.clone();
        programs.push((
            "csharp",
            Box::new(move || {
                let mut mono = Command::new("mono");
                mono.arg(&exe).env("LD_LIBRARY_PATH", &lib);
                mono
            }),
        ));
    }
    if wants("cpp") {
        let exe = cpp(&lib);
        programs.push(("cpp", Box::new(move || Command::new(&exe))));
    }
    for (which, program) in &programs {
        for (mode, stream) in streams() {
            let url = feeder::start(stream);
            let status = program()
                .args([mode, &url])
                .arg(stream.transactions.to_string())
                .arg(stream.rows.to_string())
                .arg(stream.slices.to_string())
                .status()
                .expect("the bench program");
            assert!(status.success(), "the {which} bench ({mode}) failed");
        }
    }
}

/// The two streams, by mode.
fn streams() -> [(&'static str, feeder::Stream); 2] {
    [
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
    ]
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The bench's scratch folder `name`, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("engine-cache-bench")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The code `lightcone generate --lang <lang>` writes for the feeder's module, in `dir`.
fn generate(lang: &str, dir: &Path) {
    let def = ModuleDef::validate(RawModuleDef::V9(feeder::module_def()))
        .expect("the feeder's module validates");
    for f in lightcone_server::codegen::generate(&def, lang, "Bench.Module")
        .expect("code for the feeder's module")
    {
        std::fs::write(dir.join(&f.name), &f.text).expect("write generated code");
    }
}

fn cs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("source folder")
        .map(|e| e.expect("source file").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cs"))
        .collect();
    out.sort();
    out
}

/// The C# program with the runtime and its generated code, compiled: the exe.
fn csharp() -> PathBuf {
    let dir = scratch("csharp");
    generate("csharp", &dir);
    let exe = dir.join("UnityCacheBench.exe");
    let status = Command::new("mcs")
        .args(["-unsafe", "-optimize+", "-warnaserror", "-nologo"])
        .arg(format!("-out:{}", exe.display()))
        .args(cs_files(&repo().join("unity-package/Runtime/Core")))
        .args(cs_files(&repo().join("unity-package/Runtime/Native")))
        .args(cs_files(&dir))
        .arg(repo().join("server/benches/cs/UnityCacheBench.cs"))
        .status()
        .expect("mcs (apt-get install mono-mcs mono-runtime)");
    assert!(status.success(), "mcs failed");
    exe
}

/// The C++ program with the C++ layer and its generated code, compiled against `lib`: the exe.
fn cpp(lib: &Path) -> PathBuf {
    let dir = scratch("cpp");
    generate("cpp", &dir);
    let exe = dir.join("cache_bench");
    let status = Command::new("g++")
        .args([
            "-std=c++17",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fno-exceptions",
            "-fno-rtti",
        ])
        .arg("-o")
        .arg(&exe)
        .arg(repo().join("server/benches/cpp/cache_bench.cpp"))
        .arg("-I")
        .arg(repo().join("unreal-plugin/Lightcone/Source/ThirdParty/LightconeCore/include"))
        .arg("-I")
        .arg(&dir)
        .arg("-L")
        .arg(lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-llightcone")
        .status()
        .expect("g++");
    assert!(status.success(), "g++ failed");
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
