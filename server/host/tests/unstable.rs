//! What the host does with a module's immediate calls, procedures and views
//! (tests/modules/unstable, built from source with the SDK's `unstable` feature).

mod support;

use lightcone_host::CallError;
use lightcone_protocol::sats::{AlgebraicValue as V, Identity, Timestamp};
use support::*;

const UNSTABLE: &str = "server/host/tests/modules/unstable";

#[test]
fn immediate_calls_run_after_the_asking_call() {
    let mut host = publish(UNSTABLE, Identity::ZERO);
    assert!(committed(&call(
        &mut host,
        "ask",
        caller(1),
        vec![V::string("soon")]
    )));
    assert!(
        rows(&host, "hits").is_empty(),
        "not inside the asking transaction"
    );
    assert!(host.next_scheduled().is_some_and(|t| t <= Timestamp::now()));
    let runs = host.run_due(Timestamp::now());
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].reducer, "record");
    assert!(committed(&runs[0].result));
    assert_eq!(rows(&host, "hits").len(), 1);
    assert_eq!(rows(&host, "hits")[0].elements[0], V::string("soon"));
    assert_eq!(host.next_scheduled(), None);
}

#[test]
fn procedures_and_views_are_described_and_refused_clearly() {
    let mut host = publish(UNSTABLE, Identity::ZERO);
    let def = host.def().clone();
    assert_eq!(def.procedures.len(), 1);
    assert_eq!(def.views.len(), 2);
    let e = host.call_procedure("add_one").unwrap_err();
    assert_eq!(
        e,
        CallError::Unsupported {
            kind: "procedure",
            name: "add_one".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "the module declares the procedure `add_one`, but this server does not run procedures yet"
    );
    assert_eq!(
        host.call_procedure("nope").unwrap_err(),
        CallError::NoSuchProcedure("nope".into())
    );
    assert!(matches!(
        host.call_view("my_hits"),
        Err(CallError::Unsupported { kind: "view", .. })
    ));
    assert!(matches!(
        host.call_view("hit_count"),
        Err(CallError::Unsupported { kind: "view", .. })
    ));
    assert_eq!(
        host.call_view("nope").unwrap_err(),
        CallError::NoSuchView("nope".into())
    );
    // Reducers still work.
    assert!(committed(&call(
        &mut host,
        "record",
        caller(1),
        vec![V::string("x")]
    )));
}
