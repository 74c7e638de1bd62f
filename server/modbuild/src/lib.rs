//! Building a module: a Rust crate that uses the published `spacetimedb` crate, compiled to a
//! `wasm32-unknown-unknown` cdylib — or a C++ module, a CMake project using the C++ module
//! SDK (`cpp.rs`), or a C# module, a directory of `.cs` files (`csharp.rs`). Used by
//! `lightcone build` and by tests that publish real modules.
//!
//! For Rust:
//! Two toolchains are supported, tried in order:
//! 1. rustup with the `wasm32-unknown-unknown` target installed: a plain
//!    `cargo build --release --target wasm32-unknown-unknown`.
//! 2. Debian's `rustc-web` + `rust-web-src` (rustup cannot add targets on every machine): cargo
//!    drives `/usr/bin/rustc`, which builds std for wasm32 from source (`-Zbuild-std`), linking
//!    with LLVM's `wasm-ld` (`lld-19`).
//!
//! Cargo's own caching makes a rebuild of an unchanged module a no-op; keep one target
//! directory for all modules so their shared dependencies (and std) build once.

// Nothing here may panic on what a build prints (see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod cpp;
pub mod csharp;
mod progress;

pub use progress::{BuildEvent, Level};

use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target modules are built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's rustc (package `rustc-web`), which can build std for wasm32.
pub const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
/// Where Debian's `rust-web-src` puts the std source.
pub const DEBIAN_STD_SOURCE: &str = "/usr/lib/rustlib/src/rust/library";
/// LLVM's wasm linker from Debian's `lld-19`.
pub const DEBIAN_WASM_LD: &str = "/usr/lib/llvm-19/bin/wasm-ld";

/// What can go wrong building a module.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "{0} has no Cargo.toml, CMakeLists.txt or .cs files: a module is a Rust crate, a C++ CMake project or a directory of C#"
    )]
    NotACrate(PathBuf),
    #[error(
        "C++ modules need cmake and clang++ for wasm32\n  hint: on Debian `apt-get install cmake clang-19 \
         lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32`"
    )]
    NoCppToolchain,
    #[error(
        "C# needs Mono's compiler and runtime and Mono.Cecil\n  hint: on Debian `apt-get install mono-mcs \
         mono-runtime libmono-cecil-private-cil libmono-compilerservices-symbolwriter4.0-cil`"
    )]
    NoCSharpToolchain,
    /// A step of a C# build failed: compiling C# (the compiler's errors), translating (what
    /// is not supported, with the method and line), or compiling the C.
    #[error("{step} failed:\n{output}")]
    CSharp { step: String, output: String },
    #[error("writing {0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// CMake or the compiler failed; `output` is what they printed (also given as
    /// [`BuildEvent`]s while the build ran).
    #[error("the C++ build failed (exit {code:?}):\n{output}")]
    CMake { code: Option<i32>, output: String },
    #[error(
        "no toolchain can build wasm32 modules here\n  hint: `rustup target add {WASM_TARGET}`, \
         or on Debian `apt-get install rustc-web rust-web-src lld-19`"
    )]
    NoToolchain,
    #[error("could not run cargo: {0}")]
    Spawn(std::io::Error),
    /// cargo failed; `output` holds the compiler's diagnostics and cargo's own errors (also
    /// given as [`BuildEvent`]s while the build ran).
    #[error("cargo build failed (exit {code:?}):\n{output}")]
    Cargo { code: Option<i32>, output: String },
    #[error(
        "the build made no .wasm file: is the crate's `crate-type` [\"cdylib\"], or does CMakeLists.txt call lightcone_module()?"
    )]
    NoArtifact,
}

/// Which toolchain builds wasm32 here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toolchain {
    /// rustup with the wasm32 target installed.
    Rustup,
    /// Debian's rustc building std from source.
    DebianBuildStd,
}

impl Toolchain {
    /// The first toolchain that can build wasm32 modules on this machine.
    pub fn detect() -> Option<Self> {
        let rustup_has_target = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .is_some_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l.trim() == WASM_TARGET)
            });
        if rustup_has_target {
            return Some(Self::Rustup);
        }
        let debian = [DEBIAN_RUSTC, DEBIAN_STD_SOURCE, DEBIAN_WASM_LD]
            .iter()
            .all(|p| Path::new(p).exists());
        debian.then_some(Self::DebianBuildStd)
    }
}

/// Builds the module in `dir` — a Rust crate (release profile), or a C++ CMake project — into
/// `target_dir`, returning the path of the `.wasm` file. Quiet: what the compiler printed is
/// in the error if the build fails.
pub fn build(dir: &Path, target_dir: &Path) -> Result<PathBuf, BuildError> {
    build_with(dir, target_dir, false, &mut |_| {})
}

/// [`build`], reporting progress, warnings and errors to `on_event` while it runs
/// (`lightcone build` draws them); `ansi`: diagnostics rendered with colours.
pub fn build_with(
    dir: &Path,
    target_dir: &Path,
    ansi: bool,
    on_event: &mut dyn FnMut(&BuildEvent),
) -> Result<PathBuf, BuildError> {
    if !dir.join("Cargo.toml").is_file() && dir.join("CMakeLists.txt").is_file() {
        return cpp::build_with(dir, target_dir, on_event);
    }
    if !dir.join("Cargo.toml").is_file() && csharp::is_module_dir(dir) {
        return csharp::build_module_with(dir, target_dir, on_event);
    }
    if !dir.join("Cargo.toml").is_file() {
        return Err(BuildError::NotACrate(dir.to_owned()));
    }
    let toolchain = Toolchain::detect().ok_or(BuildError::NoToolchain)?;
    let total = unit_estimate(dir, toolchain);
    let mut cmd = cargo(dir, toolchain);
    let format = if ansi {
        "--message-format=json-diagnostic-rendered-ansi"
    } else {
        "--message-format=json"
    };
    cmd.args(["build", "--release", format])
        .args(["--target", WASM_TARGET])
        .arg("--target-dir")
        .arg(target_dir);
    if toolchain == Toolchain::DebianBuildStd {
        cmd.args(["-Zbuild-std=std,panic_abort"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", DEBIAN_WASM_LD);
    }
    let mut done = 0usize;
    let mut current = String::new();
    let mut output = String::new();
    let mut wasm = None;
    let status = progress::run_lines(&mut cmd, |stream, line| {
        let message = |level, text: String| BuildEvent::Message { level, text };
        let event = match stream {
            progress::Stream::Stdout => match serde_json::from_str::<serde_json::Value>(line) {
                Err(_) => Some(message(Level::Other, line.to_owned())),
                Ok(json) => match progress::cargo_diagnostic(&json) {
                    Some((level, text)) => Some(message(level, text)),
                    None if json.get("reason").is_some_and(|r| r == "compiler-artifact") => {
                        done += 1;
                        wasm = wasm_artifact(line).or(wasm.take());
                        None
                    }
                    None => None,
                },
            },
            progress::Stream::Stderr => {
                if let Some(name) = progress::cargo_compiling(line) {
                    current = name.to_owned();
                    None
                } else if progress::cargo_status(line) {
                    current = line.trim().to_owned();
                    None
                } else {
                    Some(message(
                        progress::compiler_line_level(line),
                        line.to_owned(),
                    ))
                }
            }
        };
        match event {
            Some(event) => {
                if let BuildEvent::Message { text, .. } = &event {
                    output.push_str(text);
                    output.push('\n');
                }
                on_event(&event);
            }
            None => on_event(&BuildEvent::Step {
                name: current.clone(),
                done,
                total: total.map(|t| t.max(done)),
            }),
        }
    })?;
    if !status.success() {
        return Err(BuildError::Cargo {
            code: status.code(),
            output,
        });
    }
    wasm.ok_or(BuildError::NoArtifact)
}

/// `cargo` for the module in `dir` with `toolchain`; variables a surrounding `cargo test`
/// sets do not leak into the module's build.
fn cargo(dir: &Path, toolchain: Toolchain) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MANIFEST_DIR");
    if toolchain == Toolchain::DebianBuildStd {
        cmd.env("RUSTC", DEBIAN_RUSTC).env("RUSTC_BOOTSTRAP", "1");
    }
    cmd
}

/// About how many units (crates and build scripts) building the crate in `dir` compiles, from
/// `cargo metadata` — for a progress bar, so it may be off (std's own crates when cargo builds
/// std are not counted); `None` if cargo cannot say.
fn unit_estimate(dir: &Path, toolchain: Toolchain) -> Option<usize> {
    let out = cargo(dir, toolchain)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            WASM_TARGET,
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let nodes = meta.get("resolve")?.get("nodes")?.as_array()?;
    let in_build: std::collections::HashSet<&str> =
        nodes.iter().filter_map(|n| n.get("id")?.as_str()).collect();
    let build_scripts = meta
        .get("packages")?
        .as_array()?
        .iter()
        .filter(|p| {
            p.get("id")
                .and_then(|id| id.as_str())
                .is_some_and(|id| in_build.contains(id))
        })
        .filter(|p| {
            p.get("targets")
                .and_then(|t| t.as_array())
                .is_some_and(|targets| {
                    targets.iter().any(|t| {
                        t.get("kind")
                            .and_then(|k| k.as_array())
                            .is_some_and(|k| k.iter().any(|k| k == "custom-build"))
                    })
                })
        })
        .count();
    Some(nodes.len() + build_scripts)
}

/// The `.wasm` file a cargo JSON `compiler-artifact` message names, if it names one.
fn wasm_artifact(json_line: &str) -> Option<PathBuf> {
    let m = serde_json::from_str::<serde_json::Value>(json_line).ok()?;
    if m.get("reason")? != "compiler-artifact" {
        return None;
    }
    m.get("filenames")?
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.extension().is_some_and(|e| e == "wasm"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_artifact_is_found_in_cargo_messages() {
        assert_eq!(
            wasm_artifact(r#"{"reason":"compiler-artifact","filenames":["/t/m.wasm","/t/m.d"]}"#),
            Some(PathBuf::from("/t/m.wasm"))
        );
        assert_eq!(
            wasm_artifact(r#"{"reason":"compiler-artifact","filenames":["/t/libdep.rlib"]}"#),
            None
        );
        assert_eq!(
            wasm_artifact(r#"{"reason":"build-finished","success":true}"#),
            None
        );
        assert_eq!(wasm_artifact("{}"), None);
    }

    #[test]
    fn a_directory_without_a_crate_is_refused() {
        let dir = std::env::temp_dir();
        assert!(matches!(
            build(&dir.join("no-such-module"), &dir),
            Err(BuildError::NotACrate(_))
        ));
    }
}
