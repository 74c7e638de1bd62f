//! Modules the host must refuse at publish, with the reason: bad wasm, imports it does not
//! provide, a newer ABI, missing exports. Written as WAT here, since no SDK produces them.

mod support;

use lightcone_host::{HostError, ModuleHost};
use support::engine;

fn load(wat: &str) -> HostError {
    match ModuleHost::load(&engine(), wat.as_bytes()) {
        Ok(_) => panic!("the module was accepted"),
        Err(e) => e,
    }
}

const EXPORTS: &str = r#"
    (memory (export "memory") 1)
    (func (export "__describe_module__") (param i32))
    (func (export "__call_reducer__") (param i32 i64 i64 i64 i64 i64 i64 i64 i32 i32) (result i32) i32.const 0)
"#;

#[test]
fn bytes_that_are_not_wasm_are_refused() {
    let e = ModuleHost::load(&engine(), b"\0asm but not really")
        .err()
        .unwrap();
    assert!(matches!(e, HostError::InvalidWasm(_)), "{e}");
}

#[test]
fn imports_from_elsewhere_are_refused_by_name() {
    let e = load(&format!(
        r#"(module (import "env" "launch_missiles" (func)) {EXPORTS})"#
    ));
    assert!(
        matches!(e, HostError::UnknownImport { ref import } if import == "env::launch_missiles"),
        "{e}"
    );
    assert!(e.to_string().contains("env::launch_missiles"));
}

#[test]
fn unknown_host_functions_are_refused_by_name() {
    let e = load(&format!(
        r#"(module (import "spacetime_10.0" "no_such_function" (func)) {EXPORTS})"#
    ));
    assert!(matches!(e, HostError::Link(_)), "{e}");
    assert!(e.to_string().contains("no_such_function"), "{e}");
}

#[test]
fn a_newer_abi_is_refused() {
    let e = load(&format!(
        r#"(module (import "spacetime_10.9" "future" (func)) {EXPORTS})"#
    ));
    assert!(matches!(e, HostError::AbiTooNew { minor: 9, .. }), "{e}");
}

#[test]
fn wrong_signatures_are_refused() {
    let e = load(&format!(
        r#"(module (import "spacetime_10.0" "table_id_from_name" (func (param i64))) {EXPORTS})"#
    ));
    assert!(matches!(e, HostError::Link(_)), "{e}");
    assert!(e.to_string().contains("table_id_from_name"), "{e}");
}

#[test]
fn missing_exports_are_refused() {
    let e = load(r#"(module (memory (export "memory") 1))"#);
    assert!(
        matches!(e, HostError::MissingExport { ref name, .. } if name == "__describe_module__"),
        "{e}"
    );
}

#[test]
fn a_description_that_is_not_a_module_def_is_refused() {
    // Describes itself as four garbage bytes.
    let e = load(
        r#"(module
            (import "spacetime_10.0" "bytes_sink_write" (func $write (param i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (data (i32.const 16) "\ff\ff\ff\ff")
            (data (i32.const 32) "\04\00\00\00")
            (func (export "__describe_module__") (param $sink i32)
                (drop (call $write (local.get $sink) (i32.const 16) (i32.const 32))))
            (func (export "__call_reducer__") (param i32 i64 i64 i64 i64 i64 i64 i64 i32 i32) (result i32) i32.const 0))"#,
    );
    assert!(matches!(e, HostError::InvalidModule(_)), "{e}");
}

#[test]
fn a_module_that_traps_while_starting_is_refused() {
    let e = load(&format!(
        r#"(module (func (export "__preinit__10_boom") unreachable) {EXPORTS})"#
    ));
    assert!(
        matches!(e, HostError::Init { ref export, .. } if export == "__preinit__10_boom"),
        "{e}"
    );
}
