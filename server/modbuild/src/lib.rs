//! Building a module: a Rust crate that uses the published `spacetimedb` crate, compiled to a
//! `wasm32-unknown-unknown` cdylib — or a C++ module, a CMake project using the C++ module
//! SDK (`cpp.rs`). Used by `lightcone build` and by tests that publish real modules.
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
        "{0} has neither a Cargo.toml nor a CMakeLists.txt: a module is a Rust crate or a C++ CMake project"
    )]
    NotACrate(PathBuf),
    #[error(
        "C++ modules need cmake and clang++ for wasm32\n  hint: on Debian `apt-get install cmake clang-19 \
         lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32`"
    )]
    NoCppToolchain,
    #[error("writing {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("the C++ build failed (exit {code:?}):\n{output}")]
    CMake { code: Option<i32>, output: String },
    #[error(
        "no toolchain can build wasm32 modules here\n  hint: `rustup target add {WASM_TARGET}`, \
         or on Debian `apt-get install rustc-web rust-web-src lld-19`"
    )]
    NoToolchain,
    #[error("could not run cargo: {0}")]
    Spawn(std::io::Error),
    #[error("cargo build failed (exit {code:?}):\n{stderr}")]
    Cargo { code: Option<i32>, stderr: String },
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
/// `target_dir`, returning the path of the `.wasm` file.
pub fn build(dir: &Path, target_dir: &Path) -> Result<PathBuf, BuildError> {
    if !dir.join("Cargo.toml").is_file() && dir.join("CMakeLists.txt").is_file() {
        return cpp::build(dir, target_dir);
    }
    if !dir.join("Cargo.toml").is_file() {
        return Err(BuildError::NotACrate(dir.to_owned()));
    }
    let toolchain = Toolchain::detect().ok_or(BuildError::NoToolchain)?;
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .args([
            "build",
            "--release",
            "--message-format=json-render-diagnostics",
        ])
        .args(["--target", WASM_TARGET])
        .arg("--target-dir")
        .arg(target_dir)
        // Variables a surrounding `cargo test` sets must not leak into the module's build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MANIFEST_DIR");
    if toolchain == Toolchain::DebianBuildStd {
        cmd.args(["-Zbuild-std=std,panic_abort"])
            .env("RUSTC", DEBIAN_RUSTC)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", DEBIAN_WASM_LD);
    }
    let out = cmd.output().map_err(BuildError::Spawn)?;
    if !out.status.success() {
        return Err(BuildError::Cargo {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    wasm_artifact(&String::from_utf8_lossy(&out.stdout)).ok_or(BuildError::NoArtifact)
}

/// The last `.wasm` file among cargo's JSON `compiler-artifact` messages.
fn wasm_artifact(json_lines: &str) -> Option<PathBuf> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m.get("reason").is_some_and(|r| r == "compiler-artifact"))
        .flat_map(|m| {
            m.get("filenames")
                .and_then(|f| f.as_array())
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(PathBuf::from))
                .collect::<Vec<_>>()
        })
        .rfind(|f| f.extension().is_some_and(|e| e == "wasm"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wasm_artifact_is_found_in_cargo_messages() {
        let lines = r#"{"reason":"compiler-artifact","filenames":["/t/libdep.rlib"]}
{"reason":"compiler-artifact","filenames":["/t/m.wasm","/t/m.d"]}
{"reason":"build-finished","success":true}"#;
        assert_eq!(wasm_artifact(lines), Some(PathBuf::from("/t/m.wasm")));
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
