//! The sample modules (samples/chat, samples/transfer), built from source with the published
//! `spacetimedb` crate, behave as their contracts say.

mod support;

use lightcone_host::CallError;
use lightcone_protocol::sats::{AlgebraicValue as V, Identity};
use support::*;

const CHAT: &str = "samples/chat/module-rust";
const TRANSFER: &str = "samples/transfer/module-rust";

fn identity_value(c: lightcone_host::Caller) -> V {
    V::product(vec![V::U256(Box::new(c.identity.to_u256()))])
}

#[test]
fn chat_module_follows_its_contract() {
    let owner = Identity::from_le_bytes([9; 32]);
    let mut host = publish(CHAT, owner);
    let def = host.def().clone();
    let mut tables: Vec<_> = def.tables.iter().map(|t| t.name.as_str()).collect();
    tables.sort();
    assert_eq!(tables, ["message", "user"]);

    let (alice, bob) = (caller(1), caller(2));
    assert!(committed(&host.client_connected(alice)));
    assert_eq!(
        rows(&host, "user"),
        [lightcone_protocol::sats::ProductValue::new(vec![
            identity_value(alice),
            V::none(),
            V::Bool(true)
        ])]
    );
    assert_eq!(
        rows(&host, "st_client").len(),
        1,
        "the connection is recorded"
    );

    assert!(committed(&call(
        &mut host,
        "set_name",
        alice,
        vec![V::string("Alice")]
    )));
    assert_eq!(
        rows(&host, "user")[0].elements[1],
        V::some(V::string("Alice"))
    );
    let empty = call(&mut host, "set_name", alice, vec![V::string("")]);
    assert_eq!(error_of(&empty), "Names must not be empty");
    let unknown = call(&mut host, "set_name", bob, vec![V::string("Bob")]);
    assert_eq!(error_of(&unknown), "Cannot set name for unknown user");

    let sent = call(&mut host, "send_message", alice, vec![V::string("hello")]);
    assert!(committed(&sent));
    let messages = rows(&host, "message");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].elements[0], identity_value(alice));
    assert_eq!(
        messages[0].elements[1],
        V::product(vec![V::I64(sent.timestamp.micros_since_unix_epoch)]),
        "sent = the reducer's timestamp"
    );
    assert_eq!(messages[0].elements[2], V::string("hello"));
    assert_eq!(
        error_of(&call(&mut host, "send_message", alice, vec![V::string("")])),
        "Messages must not be empty"
    );
    assert_eq!(
        rows(&host, "message").len(),
        1,
        "the failed call left nothing"
    );

    assert!(committed(&host.client_disconnected(alice)));
    assert_eq!(rows(&host, "user")[0].elements[2], V::Bool(false));
    assert!(rows(&host, "st_client").is_empty());
    // Reconnecting flips the flag back on the same row.
    assert!(committed(&host.client_connected(alice)));
    assert_eq!(rows(&host, "user").len(), 1);
    assert_eq!(rows(&host, "user")[0].elements[2], V::Bool(true));

    // Clients cannot call lifecycle reducers or reducers that do not exist, and bad
    // arguments are refused before the module runs.
    assert_eq!(
        host.call_reducer("client_connected", alice, &args(vec![]))
            .unwrap_err(),
        CallError::Lifecycle("client_connected".into())
    );
    assert_eq!(
        host.call_reducer("nope", alice, &args(vec![])).unwrap_err(),
        CallError::NoSuchReducer("nope".into())
    );
    assert!(matches!(
        host.call_reducer("set_name", alice, &args(vec![V::U32(5)])),
        Err(CallError::InvalidArguments { .. })
    ));

    // The module's own log lines reached the database's logs.
    let (lines, _) = host.logs().recent(100);
    assert!(
        lines
            .iter()
            .any(|l| l.message.contains("message from")
                && l.function.as_deref() == Some("send_message")),
        "{lines:?}"
    );
}

#[test]
fn transfer_module_follows_its_contract() {
    let mut host = publish(TRANSFER, Identity::ZERO);
    let who = caller(3);
    assert!(committed(&call(
        &mut host,
        "seed",
        who,
        vec![V::U32(10), V::I64(1_000)]
    )));
    assert_eq!(rows(&host, "accounts").len(), 10);
    assert!(committed(&call(
        &mut host,
        "transfer",
        who,
        vec![V::U32(1), V::U32(2), V::I64(300)]
    )));
    let balance = |host: &lightcone_host::ModuleHost, id: u32| {
        rows(host, "accounts")
            .into_iter()
            .find(|r| r.elements[0] == V::U32(id))
            .map(|r| r.elements[1].clone())
    };
    assert_eq!(balance(&host, 1), Some(V::I64(700)));
    assert_eq!(balance(&host, 2), Some(V::I64(1_300)));
    let err = |host: &mut lightcone_host::ModuleHost, from: u32, to: u32, amount: i64| {
        error_of(&call(
            host,
            "transfer",
            who,
            vec![V::U32(from), V::U32(to), V::I64(amount)],
        ))
    };
    assert_eq!(err(&mut host, 1, 1, 5), "same_account");
    assert_eq!(err(&mut host, 1, 2, 0), "non_positive_amount");
    assert_eq!(err(&mut host, 1, 99, 5), "account_missing");
    assert_eq!(err(&mut host, 1, 2, 701), "insufficient_funds");
    assert_eq!(
        balance(&host, 1),
        Some(V::I64(700)),
        "failed transfers change nothing"
    );
    // Seeding again replaces every account.
    assert!(committed(&call(
        &mut host,
        "seed",
        who,
        vec![V::U32(3), V::I64(5)]
    )));
    assert_eq!(rows(&host, "accounts").len(), 3);
    assert_eq!(balance(&host, 1), Some(V::I64(5)));
}
