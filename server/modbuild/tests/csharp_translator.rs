//! The C# translator against Mono itself: each snippet in csharp-module-sdk/tests/snippets is
//! compiled twice — by `mcs` against Mono's own corlib and run under `mono` (the expected
//! output), and by `mcs -nostdlib` against Lightcone's corlib, translated to C, compiled
//! natively with the C runtime and run — and the two must print the same. The programs in
//! tests/unsupported must be refused at build time with the source line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lightcone_modbuild::csharp::{self, Tools};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("csharp")
}

/// The corlib and translator, built once for the whole test binary.
fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| csharp::tools(&scratch().join("tools")).unwrap_or_else(|e| panic!("{e}")))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What Mono prints for the program in `source`.
fn under_mono(source: &Path, name: &str) -> String {
    let dir = scratch().join("mono");
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join(format!("{name}.exe"));
    run(Command::new("mcs")
        .arg(format!("-out:{}", exe.display()))
        .arg(source));
    run(Command::new("mono").arg(&exe))
}

/// What the translated program prints.
fn translated(source: &Path, name: &str) -> String {
    let tools = tools();
    let c = csharp::translate_program(tools, &[source.to_owned()], &scratch().join("out"), name)
        .unwrap_or_else(|e| panic!("{e}"));
    let exe = csharp::compile_native(tools, &c).unwrap_or_else(|e| panic!("{e}"));
    run(&mut Command::new(exe))
}

fn same_output_as_mono(name: &str) {
    let source = repo().join(format!("csharp-module-sdk/tests/snippets/{name}.cs"));
    let expected = under_mono(&source, name);
    assert!(
        expected.lines().count() > 5,
        "the snippet prints too little to check"
    );
    let actual = translated(&source, name);
    if actual != expected {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name}: the translated program printed something else from line {}:\n--- mono\n{expected}\n--- translated\n{actual}",
            first + 1
        );
    }
}

macro_rules! snippets {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                same_output_as_mono(stringify!($name));
            }
        )*
    };
}

snippets!(
    generics,
    interfaces,
    delegates,
    strings,
    collections,
    structs,
    enums,
    exceptions,
    static_ctors,
);

/// Translating the program in tests/unsupported/`name`.cs fails with an error that names the
/// file and `line` and contains every one of `says`.
fn refused(name: &str, line: u32, says: &[&str]) {
    let source = repo().join(format!("csharp-module-sdk/tests/unsupported/{name}.cs"));
    let err = csharp::translate_program(tools(), &[source], &scratch().join("refused"), name)
        .expect_err("the build must fail")
        .to_string();
    let place = format!("{name}.cs({line},");
    let place_translator = format!("{name}.cs:{line}:");
    assert!(
        err.contains(&place) || err.contains(&place_translator),
        "{name}: the error does not point at line {line}:\n{err}"
    );
    for s in says {
        assert!(
            err.contains(s),
            "{name}: the error does not say `{s}`:\n{err}"
        );
    }
}

#[test]
fn threads_are_refused_with_the_line() {
    refused("threads", 9, &["Thread"]);
}

#[test]
fn reflection_emit_is_refused_with_the_line() {
    refused("reflection_emit", 3, &["Reflection"]);
}

#[test]
fn a_pointer_into_a_managed_array_is_refused_with_the_method_and_line() {
    refused("fixed_pointer", 9, &["Program.Sum(", "fixed"]);
}

#[test]
fn a_type_outside_the_corlib_subset_is_refused_with_the_line() {
    refused(
        "outside_subset",
        8,
        &["`IO'", "a subset of the .NET base library"],
    );
}

#[test]
fn an_exception_filter_is_refused_with_the_method_and_line() {
    refused("exception_filter", 9, &["Program.Main(", "filters"]);
}

#[test]
fn a_reducer_time_object_stored_in_a_static_is_refused_with_the_method_and_line() {
    refused("static_object_store", 12, &["Program.Remember(", "static"]);
}

#[test]
fn every_sdk_file_is_embedded() {
    let sdk = repo().join("csharp-module-sdk");
    let mut on_disk = Vec::new();
    for sub in ["corlib", "translator", "runtime", "sdk"] {
        let mut stack = vec![sdk.join(sub)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "cs" || e == "c" || e == "h")
                {
                    on_disk.push(
                        path.strip_prefix(&sdk)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
            }
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = csharp::SDK_FILES
        .iter()
        .map(|(p, _)| (*p).to_owned())
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "csharp.rs's SDK_FILES must list every SDK source file"
    );
}

#[test]
fn a_module_builds_with_its_target_folder_inside_it() {
    // `lightcone build` in a module's folder unpacks the SDK's own .cs files into
    // ./target: they are build output, not the module's sources.
    let dir = scratch().join("module-with-target");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        repo().join("samples/chat/module-csharp/Lib.cs"),
        dir.join("Lib.cs"),
    )
    .unwrap();
    let wasm = csharp::build_module(&dir, &dir.join("target")).unwrap_or_else(|e| panic!("{e}"));
    assert!(wasm.starts_with(dir.join("target")), "{}", wasm.display());
    assert!(std::fs::metadata(&wasm).unwrap().len() > 0);
}
