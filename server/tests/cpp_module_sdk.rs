//! The C++ module SDK's compile-time checks: the mistakes a module author is likely to make
//! fail to compile with the SDK's own message, not a page of template errors. Each case is a
//! small module compiled with clang-19 exactly as `lightcone build` compiles (wasm32-wasi,
//! C++20, syntax only); a control case without the mistake compiles cleanly, so a failure is
//! the mistake's.

mod support;

use std::process::Command;

/// A module with `body` after a table of rows with a primary key (`keyed`) and one without
/// (`journal`).
fn module(body: &str) -> String {
    format!(
        r#"#include <lightcone/module.hpp>
#include <map>
struct Entry {{ uint32_t id; std::string text; }};
LC_STRUCT(Entry, id, text)
struct Undescribed {{ int x; }};
LC_TABLE(keyed, Entry, lc::Public, lc::PrimaryKey<&Entry::id>);
LC_TABLE(journal, Entry, lc::Public);
{body}
"#
    )
}

/// Compiles `source`; (whether it compiled, what the compiler said).
fn compile(name: &str, source: &str) -> (bool, String) {
    let dir = support::tools::scratch("cpp_module_sdk", name);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.cpp");
    std::fs::write(&file, source).unwrap();
    let sdk = support::tools::repo().join("cpp-module-sdk/include");
    let out = Command::new(lightcone_modbuild::cpp::CLANGXX)
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-isystem",
            "/usr/include/wasm32-wasi/c++/v1",
            "-std=c++20",
            "-fno-exceptions",
            "-fsyntax-only",
            "-Wall",
            "-Wextra",
        ])
        .arg("-I")
        .arg(&sdk)
        .arg(&file)
        .output()
        .expect("clang++-19 runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[track_caller]
fn fails_with(name: &str, body: &str, message: &str) {
    let (ok, stderr) = compile(name, &module(body));
    assert!(!ok, "{name}: compiled, but should not have");
    assert!(
        stderr.contains(message),
        "{name}: the compiler did not say {message:?}:\n{stderr}"
    );
}

#[test]
fn a_correct_module_compiles_without_warnings() {
    let (ok, stderr) = compile(
        "control",
        &module(
            r#"
lc::Result<> touch(lc::ReducerContext&, uint32_t id, std::string text) {
    if (keyed.find(id)) LC_TRY(keyed.update(Entry{id, text}));
    LC_TRY(journal.insert(Entry{id, text}));
    return lc::ok();
}
LC_REDUCER(touch, id, text);
"#,
        ),
    );
    assert!(ok && stderr.is_empty(), "{stderr}");
}

#[test]
fn find_on_a_table_without_a_primary_key_is_a_compile_error() {
    fails_with(
        "find_without_key",
        r#"
lc::Result<> look(lc::ReducerContext&, uint32_t id) {
    if (journal.find(id)) return lc::ok();
    return lc::err("missing");
}
LC_REDUCER(look, id);
"#,
        "lightcone: find(key) needs a primary key",
    );
}

#[test]
fn an_unsupported_reducer_argument_is_a_compile_error() {
    fails_with(
        "map_argument",
        r#"
lc::Result<> take(lc::ReducerContext&, std::map<int, int>) { return lc::ok(); }
LC_REDUCER(take, m);
"#,
        "lightcone: this reducer argument's type is not supported",
    );
    fails_with(
        "undescribed_struct_argument",
        r#"
lc::Result<> take(lc::ReducerContext&, Undescribed) { return lc::ok(); }
LC_REDUCER(take, u);
"#,
        "lightcone: this reducer argument's type is not supported",
    );
}

#[test]
fn a_lookup_by_a_column_that_is_not_unique_is_a_compile_error() {
    fails_with(
        "by_plain_column",
        r#"
lc::Result<> look(lc::ReducerContext&, std::string text) {
    if (keyed.by<&Entry::text>().find(text)) return lc::ok();
    return lc::err("missing");
}
LC_REDUCER(look, text);
"#,
        "lightcone: by<&Row::member>() needs that member to be the table's lc::PrimaryKey or lc::Unique",
    );
}

#[test]
fn a_reducer_without_the_context_first_is_a_compile_error() {
    fails_with(
        "no_context",
        r#"
lc::Result<> take(uint32_t) { return lc::ok(); }
LC_REDUCER(take, x);
"#,
        "lightcone: a reducer's first parameter must be lc::ReducerContext&",
    );
}

/// Runs the real `lightcone` binary with its own config directory; stdout, or a panic with
/// what it printed.
fn lightcone(config: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(args)
        .env("LIGHTCONE_CONFIG_DIR", config)
        .env(
            "CARGO_TARGET_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn init_lang_cpp_makes_a_module_that_builds_publishes_and_runs() {
    let server = support::Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    let dir = tmp.path().join("hello_cpp");
    let dir_arg = dir.to_str().unwrap();
    lightcone(
        &config,
        &["server", "add", "test", &server.base, "--default"],
    );
    lightcone(&config, &["init", "--lang", "cpp", dir_arg]);
    assert!(dir.join("CMakeLists.txt").is_file() && dir.join("module.cpp").is_file());
    lightcone(&config, &["publish", "hello", "--project-path", dir_arg]);
    lightcone(&config, &["call", "hello", "add", "\"Ada\""]);
    let rows = lightcone(&config, &["sql", "hello", "SELECT * FROM person"]);
    assert!(rows.contains("Ada"), "{rows}");
}

#[test]
fn a_module_in_two_files_shares_its_tables_through_a_header() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("two_files");
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        (
            "CMakeLists.txt",
            "cmake_minimum_required(VERSION 3.20)\nproject(two_files CXX)\ninclude(LightconeModule)\n\
             lightcone_module(two_files add.cpp count.cpp)\ntarget_compile_options(two_files PRIVATE -Werror)\n",
        ),
        (
            "tables.hpp",
            "#pragma once\n#include <lightcone/module.hpp>\nstruct Item { uint32_t id; std::string name; };\n\
             LC_STRUCT(Item, id, name)\nLC_TABLE(item, Item, lc::Public, lc::PrimaryKey<&Item::id>);\n\
             struct Tally { std::string key; uint64_t n; };\nLC_STRUCT(Tally, key, n)\n\
             LC_TABLE(tally, Tally, lc::Public, lc::PrimaryKey<&Tally::key>);\n",
        ),
        (
            "add.cpp",
            "#include \"tables.hpp\"\nlc::Result<> add(lc::ReducerContext&, uint32_t id, std::string name) {\n\
             LC_TRY(item.insert(Item{id, std::move(name)}));\n return lc::ok();\n}\nLC_REDUCER(add, id, name);\n",
        ),
        (
            "count.cpp",
            "#include \"tables.hpp\"\nlc::Result<> count(lc::ReducerContext&) {\n\
             LC_TRY(tally.insert(Tally{\"items\", item.count()}));\n return lc::ok();\n}\nLC_REDUCER(count);\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules");
    let wasm = std::fs::read(lightcone_modbuild::build(&dir, &target).unwrap()).unwrap();
    let server = support::Server::start(&["--in-memory"]);
    let (_, token) = server.new_identity();
    let r = server.publish("two", Some(&token), &wasm);
    assert_eq!(r.status, 200, "{r:?}");
    for (reducer, args) in [
        ("add", r#"[1, "a"]"#),
        ("add", r#"[2, "b"]"#),
        ("count", "[]"),
    ] {
        let r = server.call("two", reducer, Some(&token), args);
        assert_eq!(r.status, 200, "{reducer}: {r:?}");
    }
    // Two tables, each registered once though both files include them.
    let r = server.request("GET", "/v1/database/two/schema?version=9", None, None);
    let schema: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(schema["tables"].as_array().unwrap().len(), 2, "{}", r.body);
    let r = server.request(
        "POST",
        "/v1/database/two/sql",
        Some(&token),
        Some(("text/plain", b"SELECT * FROM tally")),
    );
    assert!(r.body.contains(r#"["items",2]"#), "{}", r.body);
}

/// Builds a one-file C++ module from `source` in a fresh folder called `name`.
fn build_module(tmp: &std::path::Path, name: &str, source: &str) -> Vec<u8> {
    let dir = tmp.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("CMakeLists.txt"),
        format!(
            "cmake_minimum_required(VERSION 3.20)\nproject({name} CXX)\ninclude(LightconeModule)\n\
             lightcone_module({name} module.cpp)\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("module.cpp"), source).unwrap();
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules");
    std::fs::read(lightcone_modbuild::build(&dir, &target).unwrap()).unwrap()
}

#[test]
fn a_column_inserted_between_others_is_refused_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let module = |fields: &str, names: &str| {
        format!(
            "#include <lightcone/module.hpp>\nstruct Row {{ {fields} }};\nLC_STRUCT(Row, {names})\n\
             LC_TABLE(t, Row, lc::Public, lc::PrimaryKey<&Row::a>);\n"
        )
    };
    let v1 = build_module(
        tmp.path(),
        "columns_v1",
        &module("uint32_t a; uint32_t c;", "a, c"),
    );
    let v2 = build_module(
        tmp.path(),
        "columns_v2",
        &module("uint32_t a; std::string b; uint32_t c;", "a, b, c"),
    );
    let server = support::Server::start(&["--in-memory"]);
    let (_, token) = server.new_identity();
    assert_eq!(server.publish("cols", Some(&token), &v1).status, 200);
    let r = server.publish("cols", Some(&token), &v2);
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        r.body
            .contains("column `b` inserted into table `t` before existing columns"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("changed from"),
        "one error, not one per shifted column: {}",
        r.body
    );
    assert!(
        r.body.contains("hint:") && r.body.contains("--clear"),
        "{}",
        r.body
    );
}
