//! Our encodings against the published SpacetimeDB 2.x crates (`spacetimedb-sats`,
//! `spacetimedb-lib`, `spacetimedb-client-api-messages`), which serve as the oracle: random
//! types, values and messages encoded by us must decode with their crates and re-encode to the
//! same bytes, and hand-built golden values must encode identically in both.

mod support;

use bytes::Bytes;
use lightcone_protocol::bsatn;
use lightcone_protocol::sats::{self as ours, AlgebraicType, Typed};
use lightcone_protocol::ws::v2 as our_v2;
use lightcone_protocol::ws::{BsatnRowList, RowListBuilder, RowSizeHint};
use proptest::prelude::*;
use spacetimedb_client_api_messages::websocket::common as their_common;
use spacetimedb_client_api_messages::websocket::v2 as their_v2;
use spacetimedb_lib::bsatn as their_bsatn;
use spacetimedb_sats::raw_identifier::RawIdentifier;
use support::{arb_type, arb_typed_value, arb_value};

/// Decodes `bytes` with the published crate as `T`, re-encodes, and requires the same bytes.
fn published_roundtrip<T>(bytes: &[u8]) -> Result<(), TestCaseError>
where
    T: for<'de> spacetimedb_sats::de::Deserialize<'de> + spacetimedb_sats::ser::Serialize,
{
    let theirs: T = their_bsatn::from_slice(bytes)
        .map_err(|e| TestCaseError::fail(format!("published decoder refused our bytes: {e}")))?;
    let again = their_bsatn::to_vec(&theirs).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(
        again,
        bytes.to_vec(),
        "published crate re-encodes differently"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn types_encode_as_published(ty in arb_type()) {
        published_roundtrip::<spacetimedb_sats::AlgebraicType>(&bsatn::to_vec(&ty))?;
    }

    #[test]
    fn values_encode_as_published((ty, value) in arb_typed_value()) {
        let bytes = bsatn::to_vec(&value);
        let their_ty: spacetimedb_sats::AlgebraicType = their_bsatn::from_slice(&bsatn::to_vec(&ty)).unwrap();
        let mut rest = bytes.as_slice();
        let theirs = spacetimedb_sats::AlgebraicValue::decode(&their_ty, &mut rest)
            .map_err(|e| TestCaseError::fail(format!("published decoder refused our value: {e}")))?;
        prop_assert!(rest.is_empty(), "published decoder left {} bytes", rest.len());
        prop_assert_eq!(their_bsatn::to_vec(&theirs).unwrap(), bytes);
    }

    #[test]
    fn client_messages_encode_as_published(value in arb_value(&our_v2::ClientMessage::algebraic_type())) {
        // Our typed decoder must accept it too; the published one must agree on every byte.
        let bytes = bsatn::to_vec(&value);
        let ours: our_v2::ClientMessage = bsatn::from_slice(&bytes).unwrap();
        prop_assert_eq!(bsatn::to_vec(&ours), bytes.clone());
        // The published crate only accepts flags = 0.
        let flags_ok = match &ours {
            our_v2::ClientMessage::CallReducer(c) => c.flags == 0,
            our_v2::ClientMessage::CallProcedure(c) => c.flags == 0,
            _ => true,
        };
        if flags_ok {
            published_roundtrip::<their_v2::ClientMessage>(&bytes)?;
        }
    }

    #[test]
    fn server_messages_encode_as_published(value in arb_value(&our_v2::ServerMessage::algebraic_type())) {
        let bytes = bsatn::to_vec(&value);
        published_roundtrip::<their_v2::ServerMessage>(&bytes)?;
    }

    #[test]
    fn row_lists_choose_the_published_size_hint(rows in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..6), 0..6)) {
        let mut ours = RowListBuilder::new();
        for row in &rows {
            ours.push_encoded(row);
        }
        let ours = ours.finish();
        // Every row must come back out, whichever hint was chosen.
        let back: Vec<Vec<u8>> = ours.rows().unwrap().iter().map(|b| b.to_vec()).collect();
        prop_assert_eq!(&back, &rows);
        let theirs = their_common::BsatnRowList::new(
            match &ours.size_hint {
                RowSizeHint::FixedSize(n) => their_common::RowSizeHint::FixedSize(*n),
                RowSizeHint::RowOffsets(o) => their_common::RowSizeHint::RowOffsets(o.clone().into()),
            },
            ours.rows_data.clone(),
        );
        prop_assert_eq!(their_bsatn::to_vec(&theirs).unwrap(), bsatn::to_vec(&ours));
        let their_rows: Vec<Vec<u8>> = theirs.into_iter().map(|b| b.to_vec()).collect();
        prop_assert_eq!(their_rows, rows.clone());
        // The hint is FixedSize exactly when all rows share one non-zero size.
        let uniform = rows.first().map(|r| r.len()).filter(|&n| n > 0 && rows.iter().all(|r| r.len() == n));
        prop_assert_eq!(matches!(ours.size_hint, RowSizeHint::FixedSize(_)), uniform.is_some());
    }
}

/// Compares our bytes, the published crate's bytes, and the committed hex.
fn golden(name: &str, ours: Vec<u8>, theirs: Vec<u8>, expected_hex: &str) {
    assert_eq!(
        hex::encode(&ours),
        hex::encode(&theirs),
        "{name}: ours vs published"
    );
    assert_eq!(
        hex::encode(&ours),
        expected_hex,
        "{name}: bytes changed from the golden vector"
    );
}

fn their(v: &impl spacetimedb_sats::ser::Serialize) -> Vec<u8> {
    their_bsatn::to_vec(v).unwrap()
}

fn ident(s: &str) -> RawIdentifier {
    RawIdentifier::new(s)
}

const ID_HEX: &str = "c20032c5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829302547";

fn our_rows() -> BsatnRowList {
    let mut b = RowListBuilder::new();
    b.push(&(1u32, "ab".to_string()));
    b.push(&(2u32, "cde".to_string()));
    b.finish()
}

fn their_rows() -> their_common::BsatnRowList {
    let data = bsatn::to_vec(&(1u32, "ab".to_string(), 2u32, "cde".to_string()));
    their_common::BsatnRowList::new(
        their_common::RowSizeHint::RowOffsets(vec![0u64, 10].into()),
        Bytes::from(data),
    )
}

fn our_fixed_rows() -> BsatnRowList {
    let mut b = RowListBuilder::new();
    b.push(&7u64);
    b.push(&8u64);
    b.finish()
}

fn their_fixed_rows() -> their_common::BsatnRowList {
    their_common::BsatnRowList::new(
        their_common::RowSizeHint::FixedSize(8),
        Bytes::from(bsatn::to_vec(&(7u64, 8u64))),
    )
}

#[test]
fn special_types_match_golden_vectors() {
    let our_id = ours::Identity::from_hex(ID_HEX).unwrap();
    let their_id = spacetimedb_lib::Identity::from_hex(ID_HEX).unwrap();
    assert_eq!(our_id.to_hex(), their_id.to_hex().to_string());
    golden(
        "identity",
        bsatn::to_vec(&our_id),
        their(&their_id),
        "472530291807f6e5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a1c53200c2",
    );
    let conn = 0x0102030405060708090a0b0c0d0e0f10u128;
    golden(
        "connection id",
        bsatn::to_vec(&ours::ConnectionId(conn)),
        their(&spacetimedb_lib::ConnectionId::from_u128(conn)),
        "100f0e0d0c0b0a090807060504030201",
    );
    assert_eq!(
        ours::ConnectionId(conn).to_hex(),
        spacetimedb_lib::ConnectionId::from_u128(conn)
            .to_hex()
            .to_string()
    );
    golden(
        "timestamp",
        bsatn::to_vec(&ours::Timestamp::from_micros_since_unix_epoch(
            1_795_515_802_165_893,
        )),
        their(&spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(
            1_795_515_802_165_893,
        )),
        "85a2931903610600",
    );
    golden(
        "negative timestamp",
        bsatn::to_vec(&ours::Timestamp::from_micros_since_unix_epoch(-1)),
        their(&spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(
            -1,
        )),
        "ffffffffffffffff",
    );
    golden(
        "time duration",
        bsatn::to_vec(&ours::TimeDuration::from_micros(1_000_000)),
        their(&spacetimedb_lib::TimeDuration::from_micros(1_000_000)),
        "40420f0000000000",
    );
    golden(
        "uuid",
        bsatn::to_vec(&ours::Uuid(conn)),
        their(&spacetimedb_lib::Uuid::from_u128(conn)),
        "100f0e0d0c0b0a090807060504030201",
    );
    golden(
        "schedule at interval",
        bsatn::to_vec(&ours::ScheduleAt::Interval(
            ours::TimeDuration::from_micros(50_000),
        )),
        their(&spacetimedb_lib::ScheduleAt::Interval(
            spacetimedb_lib::TimeDuration::from_micros(50_000),
        )),
        "0050c3000000000000",
    );
    golden(
        "schedule at time",
        bsatn::to_vec(&ours::ScheduleAt::Time(
            ours::Timestamp::from_micros_since_unix_epoch(7),
        )),
        their(&spacetimedb_lib::ScheduleAt::Time(
            spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(7),
        )),
        "010700000000000000",
    );
    // The algebraic types themselves, as a module's typespace would carry them.
    for (name, ours, theirs) in [
        (
            "identity type",
            ours::Identity::algebraic_type(),
            spacetimedb_lib::Identity::get_type(),
        ),
        (
            "connection id type",
            ours::ConnectionId::algebraic_type(),
            spacetimedb_lib::ConnectionId::get_type(),
        ),
        (
            "timestamp type",
            ours::Timestamp::algebraic_type(),
            spacetimedb_lib::Timestamp::get_type(),
        ),
        (
            "time duration type",
            ours::TimeDuration::algebraic_type(),
            spacetimedb_lib::TimeDuration::get_type(),
        ),
        (
            "uuid type",
            ours::Uuid::algebraic_type(),
            spacetimedb_lib::Uuid::get_type(),
        ),
        (
            "schedule at type",
            ours::ScheduleAt::algebraic_type(),
            spacetimedb_lib::ScheduleAt::get_type(),
        ),
        (
            "option type",
            AlgebraicType::option(AlgebraicType::U8),
            spacetimedb_sats::AlgebraicType::option(spacetimedb_sats::AlgebraicType::U8),
        ),
    ] {
        assert_eq!(
            hex::encode(bsatn::to_vec(&ours)),
            hex::encode(their(&theirs)),
            "{name}"
        );
    }
}

/// A typespace builder that inlines every named type, so the published crates'
/// `SpacetimeType::make_type` yields a structural type comparable with our `Typed` one.
struct Inline;

impl spacetimedb_sats::typespace::TypespaceBuilder for Inline {
    fn add(
        &mut self,
        _: std::any::TypeId,
        _: Option<&'static str>,
        make_ty: impl FnOnce(&mut Self) -> spacetimedb_sats::AlgebraicType,
    ) -> spacetimedb_sats::AlgebraicType {
        make_ty(self)
    }
}

trait GetType {
    fn get_type() -> spacetimedb_sats::AlgebraicType;
}

impl<T: spacetimedb_sats::SpacetimeType> GetType for T {
    fn get_type() -> spacetimedb_sats::AlgebraicType {
        T::make_type(&mut Inline)
    }
}

/// Every message type, field name, field order, variant name and tag is the published one.
#[test]
fn message_types_are_structurally_the_published_ones() {
    for (name, ours, theirs) in [
        (
            "ClientMessage",
            our_v2::ClientMessage::algebraic_type(),
            their_v2::ClientMessage::get_type(),
        ),
        (
            "ServerMessage",
            our_v2::ServerMessage::algebraic_type(),
            their_v2::ServerMessage::get_type(),
        ),
    ] {
        let theirs: AlgebraicType = bsatn::from_slice(&their(&theirs)).unwrap();
        assert_eq!(ours, theirs, "{name}");
    }
}

fn our_qs() -> our_v2::QuerySetId {
    our_v2::QuerySetId { id: 7 }
}

fn their_qs() -> their_common::QuerySetId {
    their_common::QuerySetId::new(7)
}

fn our_query_rows() -> our_v2::QueryRows {
    our_v2::QueryRows {
        tables: vec![
            our_v2::SingleTableRows {
                table: "user".into(),
                rows: our_rows(),
            },
            our_v2::SingleTableRows {
                table: "pos".into(),
                rows: our_fixed_rows(),
            },
        ],
    }
}

fn their_query_rows() -> their_v2::QueryRows {
    their_v2::QueryRows {
        tables: vec![
            their_v2::SingleTableRows {
                table: ident("user"),
                rows: their_rows(),
            },
            their_v2::SingleTableRows {
                table: ident("pos"),
                rows: their_fixed_rows(),
            },
        ]
        .into(),
    }
}

fn our_tx_update() -> our_v2::TransactionUpdate {
    our_v2::TransactionUpdate {
        query_sets: vec![our_v2::QuerySetUpdate {
            query_set_id: our_qs(),
            tables: vec![our_v2::TableUpdate {
                table_name: "user".into(),
                rows: vec![
                    our_v2::TableUpdateRows::PersistentTable(our_v2::PersistentTableRows {
                        inserts: our_rows(),
                        deletes: our_fixed_rows(),
                    }),
                    our_v2::TableUpdateRows::EventTable(our_v2::EventTableRows {
                        events: our_rows(),
                    }),
                ],
            }],
        }],
    }
}

fn their_tx_update() -> their_v2::TransactionUpdate {
    their_v2::TransactionUpdate {
        query_sets: vec![their_v2::QuerySetUpdate {
            query_set_id: their_qs(),
            tables: vec![their_v2::TableUpdate {
                table_name: ident("user"),
                rows: vec![
                    their_v2::TableUpdateRows::PersistentTable(their_v2::PersistentTableRows {
                        inserts: their_rows(),
                        deletes: their_fixed_rows(),
                    }),
                    their_v2::TableUpdateRows::EventTable(their_v2::EventTableRows {
                        events: their_rows(),
                    }),
                ]
                .into(),
            }]
            .into(),
        }]
        .into(),
    }
}

/// One golden vector per v2 client message variant.
#[test]
fn client_message_variants_match_golden_vectors() {
    use our_v2::ClientMessage as O;
    use their_v2::ClientMessage as T;
    let cases: Vec<(&str, O, T, &str)> = vec![
        (
            "Subscribe",
            O::Subscribe(our_v2::Subscribe {
                request_id: 1,
                query_set_id: our_qs(),
                query_strings: vec!["SELECT * FROM user".into(), "SELECT * FROM message".into()],
            }),
            T::Subscribe(their_v2::Subscribe {
                request_id: 1,
                query_set_id: their_qs(),
                query_strings: vec!["SELECT * FROM user".into(), "SELECT * FROM message".into()].into(),
            }),
            "000100000007000000020000001200000053454c454354202a2046524f4d20757365721500000053454c454354202a2046524f4d206d657373616765",
        ),
        (
            "Unsubscribe",
            O::Unsubscribe(our_v2::Unsubscribe {
                request_id: 2,
                query_set_id: our_qs(),
                flags: our_v2::UnsubscribeFlags::SendDroppedRows,
            }),
            T::Unsubscribe(their_v2::Unsubscribe {
                request_id: 2,
                query_set_id: their_qs(),
                flags: their_v2::UnsubscribeFlags::SendDroppedRows,
            }),
            "01020000000700000001",
        ),
        (
            "OneOffQuery",
            O::OneOffQuery(our_v2::OneOffQuery { request_id: 3, query_string: "SELECT * FROM user".into() }),
            T::OneOffQuery(their_v2::OneOffQuery { request_id: 3, query_string: "SELECT * FROM user".into() }),
            "02030000001200000053454c454354202a2046524f4d2075736572",
        ),
        (
            "CallReducer",
            O::CallReducer(our_v2::CallReducer {
                request_id: 4,
                flags: 0,
                reducer: "send_message".into(),
                args: Bytes::from(bsatn::to_vec(&("hello".to_string(),))),
            }),
            T::CallReducer(their_v2::CallReducer {
                request_id: 4,
                flags: their_v2::CallReducerFlags::Default,
                reducer: "send_message".into(),
                args: Bytes::from(bsatn::to_vec(&("hello".to_string(),))),
            }),
            "0304000000000c00000073656e645f6d657373616765090000000500000068656c6c6f",
        ),
        (
            "CallProcedure",
            O::CallProcedure(our_v2::CallProcedure {
                request_id: 5,
                flags: 0,
                procedure: "fetch".into(),
                args: Bytes::from_static(&[1, 2, 3]),
            }),
            T::CallProcedure(their_v2::CallProcedure {
                request_id: 5,
                flags: their_common::CallProcedureFlags::Default,
                procedure: "fetch".into(),
                args: Bytes::from_static(&[1, 2, 3]),
            }),
            "04050000000005000000666574636803000000010203",
        ),
    ];
    for (name, ours, theirs, hex) in cases {
        golden(name, bsatn::to_vec(&ours), their(&theirs), hex);
        assert_eq!(
            bsatn::from_slice::<O>(&their(&theirs)).unwrap(),
            ours,
            "{name} decodes"
        );
    }
}

/// One golden vector per v2 server message variant (and every nested sum variant).
#[test]
fn server_message_variants_match_golden_vectors() {
    use our_v2::ServerMessage as O;
    use their_v2::ServerMessage as T;
    let ts = 1_795_515_802_165_893;
    let our_id = ours::Identity::from_hex(ID_HEX).unwrap();
    let their_id = spacetimedb_lib::Identity::from_hex(ID_HEX).unwrap();
    let err_bytes = Bytes::from(bsatn::to_vec("name must not be empty"));
    let cases: Vec<(&str, O, T, &str)> = vec![
        (
            "InitialConnection",
            O::InitialConnection(our_v2::InitialConnection {
                identity: our_id,
                connection_id: ours::ConnectionId(0xabcdef),
                token: "eyJ0.token".into(),
            }),
            T::InitialConnection(their_v2::InitialConnection {
                identity: their_id,
                connection_id: spacetimedb_lib::ConnectionId::from_u128(0xabcdef),
                token: "eyJ0.token".into(),
            }),
            "00472530291807f6e5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a1c53200c2efcdab000000000000000000000000000a00000065794a302e746f6b656e",
        ),
        (
            "SubscribeApplied",
            O::SubscribeApplied(our_v2::SubscribeApplied { request_id: 1, query_set_id: our_qs(), rows: our_query_rows() }),
            T::SubscribeApplied(their_v2::SubscribeApplied {
                request_id: 1,
                query_set_id: their_qs(),
                rows: their_query_rows(),
            }),
            "010100000007000000020000000400000075736572010200000000000000000000000a000000000000001500000001000000020000006162020000000300000063646503000000706f730008001000000007000000000000000800000000000000",
        ),
        (
            "UnsubscribeApplied with rows",
            O::UnsubscribeApplied(our_v2::UnsubscribeApplied {
                request_id: 2,
                query_set_id: our_qs(),
                rows: Some(our_query_rows()),
            }),
            T::UnsubscribeApplied(their_v2::UnsubscribeApplied {
                request_id: 2,
                query_set_id: their_qs(),
                rows: Some(their_query_rows()),
            }),
            "02020000000700000000020000000400000075736572010200000000000000000000000a000000000000001500000001000000020000006162020000000300000063646503000000706f730008001000000007000000000000000800000000000000",
        ),
        (
            "UnsubscribeApplied without rows",
            O::UnsubscribeApplied(our_v2::UnsubscribeApplied { request_id: 2, query_set_id: our_qs(), rows: None }),
            T::UnsubscribeApplied(their_v2::UnsubscribeApplied { request_id: 2, query_set_id: their_qs(), rows: None }),
            "02020000000700000001",
        ),
        (
            "SubscriptionError",
            O::SubscriptionError(our_v2::SubscriptionError {
                request_id: None,
                query_set_id: our_qs(),
                error: "no such table: `nope`".into(),
            }),
            T::SubscriptionError(their_v2::SubscriptionError {
                request_id: None,
                query_set_id: their_qs(),
                error: "no such table: `nope`".into(),
            }),
            "030107000000150000006e6f2073756368207461626c653a20606e6f706560",
        ),
        ("TransactionUpdate", O::TransactionUpdate(our_tx_update()), T::TransactionUpdate(their_tx_update()), "0401000000070000000100000004000000757365720200000000010200000000000000000000000a0000000000000015000000010000000200000061620200000003000000636465000800100000000700000000000000080000000000000001010200000000000000000000000a0000000000000015000000010000000200000061620200000003000000636465"),
        (
            "OneOffQueryResult ok",
            O::OneOffQueryResult(our_v2::OneOffQueryResult { request_id: 3, result: Ok(our_query_rows()) }),
            T::OneOffQueryResult(their_v2::OneOffQueryResult { request_id: 3, result: Ok(their_query_rows()) }),
            "050300000000020000000400000075736572010200000000000000000000000a000000000000001500000001000000020000006162020000000300000063646503000000706f730008001000000007000000000000000800000000000000",
        ),
        (
            "OneOffQueryResult err",
            O::OneOffQueryResult(our_v2::OneOffQueryResult { request_id: 3, result: Err("bad sql".into()) }),
            T::OneOffQueryResult(their_v2::OneOffQueryResult { request_id: 3, result: Err("bad sql".into()) }),
            "050300000001070000006261642073716c",
        ),
        (
            "ReducerResult Ok",
            O::ReducerResult(our_v2::ReducerResult {
                request_id: 4,
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                result: our_v2::ReducerOutcome::Ok(our_v2::ReducerOk {
                    ret_value: Bytes::new(),
                    transaction_update: our_tx_update(),
                }),
            }),
            T::ReducerResult(their_v2::ReducerResult {
                request_id: 4,
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                result: their_v2::ReducerOutcome::Ok(their_v2::ReducerOk {
                    ret_value: Bytes::new(),
                    transaction_update: their_tx_update(),
                }),
            }),
            "060400000085a2931903610600000000000001000000070000000100000004000000757365720200000000010200000000000000000000000a0000000000000015000000010000000200000061620200000003000000636465000800100000000700000000000000080000000000000001010200000000000000000000000a0000000000000015000000010000000200000061620200000003000000636465",
        ),
        (
            "ReducerResult OkEmpty",
            O::ReducerResult(our_v2::ReducerResult {
                request_id: 4,
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                result: our_v2::ReducerOutcome::OkEmpty,
            }),
            T::ReducerResult(their_v2::ReducerResult {
                request_id: 4,
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                result: their_v2::ReducerOutcome::OkEmpty,
            }),
            "060400000085a293190361060001",
        ),
        (
            "ReducerResult Err",
            O::ReducerResult(our_v2::ReducerResult {
                request_id: 4,
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                result: our_v2::ReducerOutcome::Err(err_bytes.clone()),
            }),
            T::ReducerResult(their_v2::ReducerResult {
                request_id: 4,
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                result: their_v2::ReducerOutcome::Err(err_bytes.clone()),
            }),
            "060400000085a2931903610600021a000000160000006e616d65206d757374206e6f7420626520656d707479",
        ),
        (
            "ReducerResult InternalError",
            O::ReducerResult(our_v2::ReducerResult {
                request_id: 4,
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                result: our_v2::ReducerOutcome::InternalError("No such reducer".into()),
            }),
            T::ReducerResult(their_v2::ReducerResult {
                request_id: 4,
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                result: their_v2::ReducerOutcome::InternalError("No such reducer".into()),
            }),
            "060400000085a2931903610600030f0000004e6f20737563682072656475636572",
        ),
        (
            "ProcedureResult Returned",
            O::ProcedureResult(our_v2::ProcedureResult {
                status: our_v2::ProcedureStatus::Returned(Bytes::from_static(&[42, 0, 0, 0])),
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                total_host_execution_duration: ours::TimeDuration::from_micros(1234),
                request_id: 5,
            }),
            T::ProcedureResult(their_v2::ProcedureResult {
                status: their_v2::ProcedureStatus::Returned(Bytes::from_static(&[42, 0, 0, 0])),
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                total_host_execution_duration: spacetimedb_lib::TimeDuration::from_micros(1234),
                request_id: 5,
            }),
            "0700040000002a00000085a2931903610600d20400000000000005000000",
        ),
        (
            "ProcedureResult InternalError",
            O::ProcedureResult(our_v2::ProcedureResult {
                status: our_v2::ProcedureStatus::InternalError("panicked".into()),
                timestamp: ours::Timestamp::from_micros_since_unix_epoch(ts),
                total_host_execution_duration: ours::TimeDuration::from_micros(1234),
                request_id: 5,
            }),
            T::ProcedureResult(their_v2::ProcedureResult {
                status: their_v2::ProcedureStatus::InternalError("panicked".into()),
                timestamp: spacetimedb_lib::Timestamp::from_micros_since_unix_epoch(ts),
                total_host_execution_duration: spacetimedb_lib::TimeDuration::from_micros(1234),
                request_id: 5,
            }),
            "07010800000070616e69636b656485a2931903610600d20400000000000005000000",
        ),
    ];
    for (name, ours, theirs, hex) in cases {
        golden(name, bsatn::to_vec(&ours), their(&theirs), hex);
        assert_eq!(
            bsatn::from_slice::<O>(&their(&theirs)).unwrap(),
            ours,
            "{name} decodes"
        );
    }
}
