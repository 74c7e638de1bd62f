//! Building a C++ module: a directory with a `CMakeLists.txt` that calls `lightcone_module()`,
//! configured with the SDK's toolchain file (clang++ for wasm32-wasi, `-O2` or `-Oz`, stripped) and
//! built with CMake. The SDK (cpp-module-sdk/: headers, runtime, CMake files) is compiled into
//! this crate and written out under the target directory, so an installed `lightcone` needs
//! no checkout; CMake's own dependency tracking makes an unchanged rebuild a no-op.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{progress, BuildError, BuildEvent, Level};

/// The C++ compiler the toolchain file looks for first (Debian's `clang-19`).
pub const CLANGXX: &str = "clang++-19";

/// The SDK's files, by path under the SDK directory.
const SDK_FILES: &[(&str, &str)] = &[
    (
        "cmake/wasm32-lightcone.cmake",
        include_str!("../../../cpp-module-sdk/cmake/wasm32-lightcone.cmake"),
    ),
    (
        "cmake/LightconeModule.cmake",
        include_str!("../../../cpp-module-sdk/cmake/LightconeModule.cmake"),
    ),
    (
        "src/module.cpp",
        include_str!("../../../cpp-module-sdk/src/module.cpp"),
    ),
    (
        "include/lightcone/abi.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/abi.hpp"),
    ),
    (
        "include/lightcone/bsatn.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/bsatn.hpp"),
    ),
    (
        "include/lightcone/log.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/log.hpp"),
    ),
    (
        "include/lightcone/module.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/module.hpp"),
    ),
    (
        "include/lightcone/reducer.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/reducer.hpp"),
    ),
    (
        "include/lightcone/reflect.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/reflect.hpp"),
    ),
    (
        "include/lightcone/result.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/result.hpp"),
    ),
    (
        "include/lightcone/serialize.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/serialize.hpp"),
    ),
    (
        "include/lightcone/table.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/table.hpp"),
    ),
    (
        "include/lightcone/types.hpp",
        include_str!("../../../cpp-module-sdk/include/lightcone/types.hpp"),
    ),
];

/// Writes the SDK into `dir` (files whose bytes are unchanged are left alone, so CMake does
/// not rebuild; others are replaced by a rename, so a concurrent build never reads half a
/// file); returns `dir`. One writer at a time (threads of one test binary share a pid, so the
/// temporary names alone would collide): an `flock` on `dir`'s lock file.
pub fn write_sdk(dir: &Path) -> Result<PathBuf, BuildError> {
    write_files(dir, SDK_FILES).map(|_| dir.to_owned())
}

/// Writes `files` (path under `dir`, contents) into `dir` as [`write_sdk`] does; whether any
/// file changed.
pub(crate) fn write_files(dir: &Path, files: &[(&str, &str)]) -> Result<bool, BuildError> {
    std::fs::create_dir_all(dir).map_err(|e| BuildError::Io(dir.to_owned(), e))?;
    let _lock = lock(&dir.join(".lightcone-sdk.lock"))?;
    let mut changed = false;
    for (path, text) in files {
        let file = dir.join(path);
        if std::fs::read(&file).is_ok_and(|old| old == text.as_bytes()) {
            continue;
        }
        let io = |e| BuildError::Io(file.clone(), e);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let fresh = file.with_extension(format!("new-{}", std::process::id()));
        std::fs::write(&fresh, text).map_err(|e| BuildError::Io(fresh.clone(), e))?;
        std::fs::rename(&fresh, &file).map_err(|e| BuildError::Io(file.clone(), e))?;
        changed = true;
    }
    Ok(changed)
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Builds the CMake project in `dir` into `target_dir`; the path of the `.wasm` it made.
pub fn build(dir: &Path, target_dir: &Path) -> Result<PathBuf, BuildError> {
    build_with(dir, target_dir, &mut |_| {})
}

/// [`build`], reporting CMake's steps and the compiler's lines to `on_event` as they come.
pub fn build_with(
    dir: &Path,
    target_dir: &Path,
    on_event: &mut dyn FnMut(&BuildEvent),
) -> Result<PathBuf, BuildError> {
    if !have("cmake") || !(have(CLANGXX) || have("clang++")) {
        return Err(BuildError::NoCppToolchain);
    }
    let sdk = write_sdk(&target_dir.join("lightcone-cpp-sdk"))?;
    let (build_dir, _lock) = build_dir_for(dir, &target_dir.join("cpp"))?;
    let mut output = String::new();
    let mut run = |cmd: &mut Command| -> Result<(), BuildError> {
        let status = progress::run_lines(cmd, |_, line| {
            let event = match progress::cmake_step(line) {
                Some((percent, what)) => BuildEvent::Step {
                    name: what.to_owned(),
                    done: percent,
                    total: Some(100),
                },
                // CMake's configure chatter.
                None if line.starts_with("-- ") => BuildEvent::Step {
                    name: line.trim_start_matches("-- ").to_owned(),
                    done: 0,
                    total: Some(100),
                },
                None => {
                    output.push_str(line);
                    output.push('\n');
                    let level = match progress::compiler_line_level(line) {
                        Level::Other if line.starts_with("CMake Error") => Level::Error,
                        Level::Other if line.starts_with("CMake Warning") => Level::Warning,
                        level => level,
                    };
                    BuildEvent::Message {
                        level,
                        text: line.to_owned(),
                    }
                }
            };
            on_event(&event);
        })?;
        if status.success() {
            return Ok(());
        }
        Err(BuildError::CMake {
            code: status.code(),
            output: std::mem::take(&mut output),
        })
    };
    run(Command::new("cmake")
        .arg("-S")
        .arg(dir)
        .arg("-B")
        .arg(&build_dir)
        .arg(format!(
            "-DCMAKE_TOOLCHAIN_FILE={}",
            sdk.join("cmake/wasm32-lightcone.cmake").display()
        ))
        .arg("-DCMAKE_BUILD_TYPE=Release"))?;
    run(Command::new("cmake").arg("--build").arg(&build_dir))?;
    newest_wasm(&build_dir).ok_or(BuildError::NoArtifact)
}

/// Waits for an exclusive lock on the file at `path` (created if missing); held until the
/// returned file is dropped.
/// The directory module `dir` builds in under `root` (named after it and its parent, so
/// samples/chat/module-cpp and samples/transfer/module-cpp stay apart), created, with the
/// lock held: one build of a directory at a time (tests build the same module
/// concurrently); the lock goes with the returned file.
pub(crate) fn build_dir_for(
    dir: &Path,
    root: &Path,
) -> Result<(PathBuf, std::fs::File), BuildError> {
    let name = module_name(dir);
    let parent = dir
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let build_dir = root.join(format!("{parent}-{name}"));
    std::fs::create_dir_all(&build_dir).map_err(|e| BuildError::Io(build_dir.clone(), e))?;
    let file = lock(&build_dir.join(".lightcone-build.lock"))?;
    Ok((build_dir, file))
}

/// The module's name: its directory's.
pub(crate) fn module_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "module".into())
}

pub(crate) fn lock(path: &Path) -> Result<std::fs::File, BuildError> {
    let io = |e| BuildError::Io(path.to_owned(), e);
    let file = std::fs::File::create(path).map_err(io)?;
    exclusive(&file).map_err(io)?;
    Ok(file)
}

/// Waits for an exclusive lock on `file` (released when it closes). `File::lock` would do,
/// but it is newer than the workspace's minimum Rust version.
#[cfg(unix)]
fn exclusive(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this function borrows; it touches no memory.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn exclusive(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(()) // builds of one directory must not overlap there
}

/// The most recently written `.wasm` file directly in `dir`.
fn newest_wasm(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
}
