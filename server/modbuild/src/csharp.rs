//! Building C# for Lightcone: the SDK's corlib (C# compiled with `mcs -nostdlib`), the IL-to-C
//! translator (C# on Mono.Cecil, run under `mono`) and the C runtime, all compiled into this
//! crate and written out under the target directory (csharp-module-sdk/README.md). A C#
//! program is compiled by `mcs` against that corlib, translated to one C file, and compiled
//! with the runtime: natively here (the translator's tests), for wasm32 in modules.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::BuildError;

/// The Mono.Cecil the translator reads IL with (Debian: `libmono-cecil-private-cil`).
pub const CECIL_DLL: &str =
    "/usr/lib/mono/gac/Mono.Cecil/0.11.0.0__0738eb9f132ed756/Mono.Cecil.dll";
/// The reader of mcs's `.mdb` debug files, for source lines in errors (Debian:
/// `libmono-compilerservices-symbolwriter4.0-cil`).
pub const SYMBOL_WRITER_DLL: &str = "/usr/lib/mono/4.5/Mono.CompilerServices.SymbolWriter.dll";

/// The SDK's files, by path under csharp-module-sdk/ (a test keeps this list complete).
pub const SDK_FILES: &[(&str, &str)] = &[
    (
        "corlib/Collections/ArrayInterfaces.cs",
        include_str!("../../../csharp-module-sdk/corlib/Collections/ArrayInterfaces.cs"),
    ),
    (
        "corlib/Collections/Dictionary.cs",
        include_str!("../../../csharp-module-sdk/corlib/Collections/Dictionary.cs"),
    ),
    (
        "corlib/Collections/Interfaces.cs",
        include_str!("../../../csharp-module-sdk/corlib/Collections/Interfaces.cs"),
    ),
    (
        "corlib/Collections/Linq.cs",
        include_str!("../../../csharp-module-sdk/corlib/Collections/Linq.cs"),
    ),
    (
        "corlib/Collections/List.cs",
        include_str!("../../../csharp-module-sdk/corlib/Collections/List.cs"),
    ),
    (
        "corlib/System/Array.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Array.cs"),
    ),
    (
        "corlib/System/Attributes.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Attributes.cs"),
    ),
    (
        "corlib/System/Console.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Console.cs"),
    ),
    (
        "corlib/System/Delegates.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Delegates.cs"),
    ),
    (
        "corlib/System/Exceptions.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Exceptions.cs"),
    ),
    (
        "corlib/System/Math.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Math.cs"),
    ),
    (
        "corlib/System/Number.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Number.cs"),
    ),
    (
        "corlib/System/Object.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Object.cs"),
    ),
    (
        "corlib/System/Primitives.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Primitives.cs"),
    ),
    (
        "corlib/System/Random.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Random.cs"),
    ),
    (
        "corlib/System/String.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/String.cs"),
    ),
    (
        "corlib/System/Text/StringBuilder.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Text/StringBuilder.cs"),
    ),
    (
        "corlib/System/Threading/Interlocked.cs",
        include_str!("../../../csharp-module-sdk/corlib/System/Threading/Interlocked.cs"),
    ),
    (
        "runtime/lc_module.c",
        include_str!("../../../csharp-module-sdk/runtime/lc_module.c"),
    ),
    (
        "runtime/lc_runtime.c",
        include_str!("../../../csharp-module-sdk/runtime/lc_runtime.c"),
    ),
    (
        "runtime/lc_runtime.h",
        include_str!("../../../csharp-module-sdk/runtime/lc_runtime.h"),
    ),
    (
        "sdk/Attributes.cs",
        include_str!("../../../csharp-module-sdk/sdk/Attributes.cs"),
    ),
    (
        "sdk/Internal/Host.cs",
        include_str!("../../../csharp-module-sdk/sdk/Internal/Host.cs"),
    ),
    (
        "sdk/Internal/Tables.cs",
        include_str!("../../../csharp-module-sdk/sdk/Internal/Tables.cs"),
    ),
    (
        "sdk/ReducerContext.cs",
        include_str!("../../../csharp-module-sdk/sdk/ReducerContext.cs"),
    ),
    (
        "sdk/Types.cs",
        include_str!("../../../csharp-module-sdk/sdk/Types.cs"),
    ),
    (
        "translator/BuildError.cs",
        include_str!("../../../csharp-module-sdk/translator/BuildError.cs"),
    ),
    (
        "translator/Codecs.cs",
        include_str!("../../../csharp-module-sdk/translator/Codecs.cs"),
    ),
    (
        "translator/Floats.cs",
        include_str!("../../../csharp-module-sdk/translator/Floats.cs"),
    ),
    (
        "translator/Intrinsics.cs",
        include_str!("../../../csharp-module-sdk/translator/Intrinsics.cs"),
    ),
    (
        "translator/MethodEmitter.cs",
        include_str!("../../../csharp-module-sdk/translator/MethodEmitter.cs"),
    ),
    (
        "translator/ModuleDef.cs",
        include_str!("../../../csharp-module-sdk/translator/ModuleDef.cs"),
    ),
    (
        "translator/Naming.cs",
        include_str!("../../../csharp-module-sdk/translator/Naming.cs"),
    ),
    (
        "translator/Program.cs",
        include_str!("../../../csharp-module-sdk/translator/Program.cs"),
    ),
    (
        "translator/Symbols.cs",
        include_str!("../../../csharp-module-sdk/translator/Symbols.cs"),
    ),
    (
        "translator/TableScanner.cs",
        include_str!("../../../csharp-module-sdk/translator/TableScanner.cs"),
    ),
    (
        "translator/Translator.cs",
        include_str!("../../../csharp-module-sdk/translator/Translator.cs"),
    ),
    (
        "translator/Types.cs",
        include_str!("../../../csharp-module-sdk/translator/Types.cs"),
    ),
];

/// The built tools: where the corlib, the translator and the runtime are.
#[derive(Debug, Clone)]
pub struct Tools {
    pub corlib: PathBuf,
    pub translator: PathBuf,
    pub runtime: PathBuf,
}

fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `cmd`; its output as an error if it fails.
fn run(cmd: &mut Command, what: &str) -> Result<String, BuildError> {
    let out = cmd.output().map_err(BuildError::Spawn)?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(BuildError::CSharp {
            step: what.to_owned(),
            output: text.trim_end().to_owned(),
        })
    }
}

/// What a C# compile error about a missing type or namespace most likely means here.
const SUBSET_HINT: &str =
    "hint: modules compile against Lightcone's corlib, a subset of the .NET base library \
     (System, System.Collections.Generic, System.Linq, System.Text; no reflection, threads, I/O or \
     decimal): docs/modules-csharp.md lists what is there";

fn with_subset_hint(e: BuildError) -> BuildError {
    match e {
        BuildError::CSharp { step, output }
            if output.contains("error CS0234")
                || output.contains("error CS0246")
                || output.contains("error CS0103") =>
        {
            BuildError::CSharp {
                step,
                output: format!("{output}\n{SUBSET_HINT}"),
            }
        }
        other => other,
    }
}

/// Checks the tools C# needs are installed.
pub fn check_toolchain() -> Result<(), BuildError> {
    if !have("mcs", "--version") || !have("mono", "--version") {
        return Err(BuildError::NoCSharpToolchain);
    }
    if !Path::new(CECIL_DLL).is_file() || !Path::new(SYMBOL_WRITER_DLL).is_file() {
        return Err(BuildError::NoCSharpToolchain);
    }
    Ok(())
}

/// Writes the SDK under `dir` and builds the corlib and the translator there (again only
/// when an SDK file changed or an output is missing).
pub fn tools(dir: &Path) -> Result<Tools, BuildError> {
    check_toolchain()?;
    let sdk = dir.join("sdk");
    let changed = crate::cpp::write_files(&sdk, SDK_FILES)?;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).map_err(|e| BuildError::Io(bin.clone(), e))?;
    let _lock = crate::cpp::lock(&bin.join(".lightcone-build.lock"))?;
    let tools = Tools {
        corlib: bin.join("mscorlib.dll"),
        translator: bin.join("lctrans.exe"),
        runtime: sdk.join("runtime"),
    };
    let sources = |sub: &str| -> Vec<PathBuf> {
        SDK_FILES
            .iter()
            .filter(|(p, _)| p.starts_with(sub) && p.ends_with(".cs"))
            .map(|(p, _)| sdk.join(p))
            .collect()
    };
    if changed || !tools.corlib.is_file() {
        run(
            Command::new("mcs")
                .args([
                    "-nostdlib",
                    "-unsafe",
                    "-target:library",
                    "-debug",
                    "-nowarn:169,414,649",
                ])
                .arg(format!("-out:{}", tools.corlib.display()))
                .args(sources("corlib/")),
            "compiling the corlib",
        )?;
    }
    if changed || !tools.translator.is_file() {
        run(
            Command::new("mcs")
                .args(["-debug", "-warn:4"])
                .arg(format!("-r:{CECIL_DLL}"))
                .arg(format!("-r:{SYMBOL_WRITER_DLL}"))
                .arg(format!("-out:{}", tools.translator.display()))
                .args(sources("translator/")),
            "compiling the translator",
        )?;
    }
    Ok(tools)
}

/// Runs the translator on `assembly` (`mode`: `--main` for a program, `--module`), writing `c`.
fn translate(tools: &Tools, mode: &str, assembly: &Path, c: &Path) -> Result<(), BuildError> {
    run(
        Command::new("mono")
            .arg(&tools.translator)
            .arg("--corlib")
            .arg(&tools.corlib)
            .arg("--out")
            .arg(c)
            .arg(mode)
            .arg(assembly),
        "translating IL to C",
    )
    .map(|_| ())
}

/// Compiles C# `sources` into a program against the corlib (`mcs -nostdlib`) and translates
/// it to C: the path of the `.c` file, in `out_dir`.
pub fn translate_program(
    tools: &Tools,
    sources: &[PathBuf],
    out_dir: &Path,
    name: &str,
) -> Result<PathBuf, BuildError> {
    std::fs::create_dir_all(out_dir).map_err(|e| BuildError::Io(out_dir.to_owned(), e))?;
    let exe = out_dir.join(format!("{name}.exe"));
    run(
        Command::new("mcs")
            .args(["-nostdlib", "-debug", "-unsafe"])
            .arg(format!("-r:{}", tools.corlib.display()))
            .arg(format!("-out:{}", exe.display()))
            .args(sources),
        "compiling C#",
    )
    .map_err(with_subset_hint)?;
    let c = out_dir.join(format!("{name}.c"));
    translate(tools, "--main", &exe, &c)?;
    Ok(c)
}

/// Whether `dir` holds a C# module: `.cs` files at its top level.
pub fn is_module_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|x| x == "cs"))
    })
}

/// The module's C# sources: every `.cs` under `dir`, except build output (`bin/`, `obj/`,
/// and `target/`, where `lightcone build` unpacks the SDK) and hidden directories, in a
/// stable order.
fn module_sources(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| BuildError::Io(d.clone(), e))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(name.starts_with('.') || name == "bin" || name == "obj" || name == "target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "cs") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The SDK's own C# (the SpacetimeDB API), compiled into every module.
fn sdk_sources(tools: &Tools) -> Vec<PathBuf> {
    let sdk = tools
        .runtime
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    SDK_FILES
        .iter()
        .filter(|(p, _)| p.starts_with("sdk/") && p.ends_with(".cs"))
        .map(|(p, _)| sdk.join(p))
        .collect()
}

/// The C compiler modules are built with (Debian's `clang-19`, wasm32-wasi sysroot in /usr).
pub const CLANG: &str = "clang-19";

/// Builds the C# module in `dir` into `target_dir`: the path of its `.wasm`.
pub fn build_module(dir: &Path, target_dir: &Path) -> Result<PathBuf, BuildError> {
    build_module_with(dir, target_dir, &mut |_| {})
}

/// [`build_module`], reporting each step to `on_event`.
pub fn build_module_with(
    dir: &Path,
    target_dir: &Path,
    on_event: &mut dyn FnMut(&crate::BuildEvent),
) -> Result<PathBuf, BuildError> {
    let step = |on_event: &mut dyn FnMut(&crate::BuildEvent), name: &str, done: usize| {
        on_event(&crate::BuildEvent::Step {
            name: name.to_owned(),
            done,
            total: Some(4),
        })
    };
    step(on_event, "C# SDK", 0);
    let tools = tools(&target_dir.join("lightcone-csharp"))?;
    let name = crate::cpp::module_name(dir);
    let (out, _lock) = crate::cpp::build_dir_for(dir, &target_dir.join("csharp"))?;
    let sources = module_sources(dir)?;
    let glue = out.join("Glue.g.cs");
    run(
        Command::new("mono")
            .arg(&tools.translator)
            .arg("--glue")
            .arg(&glue)
            .args(&sources),
        "generating the table accessors",
    )?;
    step(on_event, "compiling C#", 1);
    let dll = out.join("module.dll");
    run(
        Command::new("mcs")
            .args([
                "-nostdlib",
                "-debug",
                "-unsafe",
                "-target:library",
                "-nowarn:169,414,649",
            ])
            .arg(format!("-r:{}", tools.corlib.display()))
            .arg(format!("-out:{}", dll.display()))
            .args(sdk_sources(&tools))
            .args(&sources)
            .arg(&glue),
        "compiling C#",
    )
    .map_err(with_subset_hint)?;
    step(on_event, "translating IL to C", 2);
    let c = out.join("module.c");
    translate(&tools, "--module", &dll, &c)?;
    step(on_event, "compiling C for wasm32", 3);
    let wasm = out.join(format!("{name}.wasm"));
    let clang = if have(CLANG, "--version") {
        CLANG
    } else {
        "clang"
    };
    run(
        Command::new(clang)
            .args([
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-O2",
                "-std=c11",
                "-DLC_NO_NATIVE_HOST",
            ])
            .args([
                "-mbulk-memory",
                "-mexec-model=reactor",
                "-Wl,--allow-undefined",
                "-Wl,--strip-all",
            ])
            .args(["-Wall", "-Werror", "-Wno-unused"])
            .arg("-I")
            .arg(&tools.runtime)
            .arg(&c)
            .arg(tools.runtime.join("lc_runtime.c"))
            .arg(tools.runtime.join("lc_module.c"))
            .arg("-lm")
            .arg("-o")
            .arg(&wasm),
        "compiling C for wasm32",
    )?;
    step(on_event, "done", 4);
    Ok(wasm)
}

/// Compiles a translated program natively with the runtime (`cc`): the executable's path.
pub fn compile_native(tools: &Tools, c: &Path) -> Result<PathBuf, BuildError> {
    let exe = c.with_extension("bin");
    run(
        Command::new("cc")
            .args(["-std=c11", "-O1", "-g", "-Wall", "-Werror", "-Wno-unused"])
            .arg("-I")
            .arg(&tools.runtime)
            .arg(c)
            .arg(tools.runtime.join("lc_runtime.c"))
            .arg("-lm")
            .arg("-o")
            .arg(&exe),
        "compiling the translated C",
    )?;
    Ok(exe)
}
