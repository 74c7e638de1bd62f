//! Republishing: a new version of a module over an existing, durable database migrates it
//! (the chat sample, then tests/modules/chat-plus which adds a table), keeping every row; a
//! version that would drop data is refused with the reasons and changes nothing.

mod support;

use lightcone_datastore::migrate::MigrationStep;
use lightcone_datastore::{Datastore, DatastoreError};
use lightcone_host::ModuleHost;
use lightcone_protocol::sats::AlgebraicValue as V;
use support::*;

#[test]
fn a_new_version_migrates_the_database_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let options = unsynced();
    let chat = module_wasm("samples/chat/module-rust");
    let plus = module_wasm("server/host/tests/modules/chat-plus");
    let everything = module_wasm("server/host/tests/modules/everything");

    let (chat_module, chat_def) = ModuleHost::load(&engine(), &chat).unwrap();
    let ds = Datastore::create(dir.path(), &chat_def, &options).unwrap();
    let mut host = host_on(engine(), &ds, chat_module, chat_def.clone());
    assert!(committed(&host.client_connected(caller(1))));
    assert!(committed(&call(
        &mut host,
        "send_message",
        caller(1),
        vec![V::string("v1")]
    )));
    drop(host);

    // Republishing the same module changes nothing.
    assert_eq!(ds.migrate(&chat_def).unwrap(), Vec::new());

    // A module that drops the chat tables is refused, with a reason per table, and nothing changes.
    let (_, everything_def) = ModuleHost::load(&engine(), &everything).unwrap();
    match ds.migrate(&everything_def).unwrap_err() {
        DatastoreError::Migration(reasons) => {
            let text: Vec<String> = reasons.iter().map(|r| r.to_string()).collect();
            assert!(text.iter().any(|r| r.contains("`user`")), "{text:?}");
            assert!(text.iter().any(|r| r.contains("`message`")), "{text:?}");
        }
        other => panic!("expected a refused migration, got {other}"),
    }

    // The new version adds a table; the old rows stay and its reducers run.
    let (plus_module, plus_def) = ModuleHost::load(&engine(), &plus).unwrap();
    let steps = ds.migrate(&plus_def).unwrap();
    assert!(
        steps.contains(&MigrationStep::AddTable("reaction".into())),
        "{steps:?}"
    );
    let mut host = host_on(engine(), &ds, plus_module, plus_def);
    assert_eq!(rows(&host, "message").len(), 1);
    assert_eq!(rows(&host, "user").len(), 1);
    assert!(committed(&call(
        &mut host,
        "react",
        caller(1),
        vec![V::string("🎉")]
    )));
    assert!(committed(&call(
        &mut host,
        "send_message",
        caller(1),
        vec![V::string("v2")]
    )));
    drop(host);
    ds.close().unwrap();

    // After a restart the database is the new version, with everything in it.
    let ds = Datastore::open(dir.path(), &options).unwrap();
    let host = host_over(&ds, &plus);
    assert_eq!(rows(&host, "message").len(), 2);
    assert_eq!(rows(&host, "reaction").len(), 1);
}
