//! Property tests of our own codec: every value round-trips through both paths, the typed and
//! dynamic paths agree, and no input makes a decoder panic.

mod support;

use lightcone_protocol::bsatn::{self, Decode, Encode, Reader};
use lightcone_protocol::moduledef::RawModuleDef;
use lightcone_protocol::sats::{skip_value, AlgebraicType, AlgebraicValue, Typed, Typespace};
use lightcone_protocol::ws::v2::{ClientMessage, ServerMessage};
use proptest::prelude::*;
use support::{arb_type, arb_typed_value, arb_value};

/// Dynamic value → bytes → typed `T` → bytes must be the identity, and the dynamic decoder
/// must read the same value back.
fn typed_agrees_with_dynamic<T: Encode + Decode + Typed>(
    value: &AlgebraicValue,
) -> Result<(), TestCaseError> {
    let ty = T::algebraic_type();
    let bytes = bsatn::to_vec(value);
    let typed: T =
        bsatn::from_slice(&bytes).map_err(|e| TestCaseError::fail(format!("typed decode: {e}")))?;
    prop_assert_eq!(bsatn::to_vec(&typed), bytes.clone());
    let back = AlgebraicValue::decode_exact(&ty, &Typespace::default(), &bytes)
        .map_err(|e| TestCaseError::fail(format!("dynamic decode: {e}")))?;
    prop_assert_eq!(&back, value);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_type_roundtrips_as_bsatn(ty in arb_type()) {
        let bytes = bsatn::to_vec(&ty);
        let back: AlgebraicType = bsatn::from_slice(&bytes).unwrap();
        prop_assert_eq!(back, ty);
    }

    #[test]
    fn every_value_roundtrips_through_the_dynamic_path((ty, value) in arb_typed_value()) {
        let bytes = bsatn::to_vec(&value);
        let back = AlgebraicValue::decode_exact(&ty, &Typespace::default(), &bytes).unwrap();
        prop_assert_eq!(&back, &value);
        // The fixed-size claim must hold for every value.
        if let Some(size) = ty.fixed_bsatn_size() {
            prop_assert_eq!(size, bytes.len());
        }
    }

    #[test]
    fn every_value_roundtrips_through_a_typespace_ref((ty, value) in arb_typed_value()) {
        let ts = Typespace { types: vec![ty] };
        let bytes = bsatn::to_vec(&value);
        let back = AlgebraicValue::decode_exact(&AlgebraicType::Ref(0), &ts, &bytes).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn truncated_values_are_errors_not_panics((ty, value) in arb_typed_value(), cut in any::<prop::sample::Index>()) {
        let bytes = bsatn::to_vec(&value);
        if !bytes.is_empty() {
            let cut = cut.index(bytes.len());
            prop_assert!(AlgebraicValue::decode_exact(&ty, &Typespace::default(), &bytes[..cut]).is_err());
        }
    }

    #[test]
    fn skipping_a_value_consumes_exactly_its_encoding((ty, value) in arb_typed_value()) {
        let mut bytes = bsatn::to_vec(&value);
        let len = bytes.len();
        bytes.extend_from_slice(&[7, 7, 7]);
        let mut r = Reader::new(&bytes);
        skip_value(&ty, &Typespace::default(), &mut r).unwrap();
        prop_assert_eq!(r.position(), len);
    }

    #[test]
    fn skipping_accepts_exactly_what_decoding_accepts(ty in arb_type(), garbage in prop::collection::vec(any::<u8>(), 0..256)) {
        let decoded = AlgebraicValue::decode_exact(&ty, &Typespace::default(), &garbage);
        let mut r = Reader::new(&garbage);
        let skipped = skip_value(&ty, &Typespace::default(), &mut r).and_then(|()| r.finish());
        prop_assert_eq!(decoded.is_ok(), skipped.is_ok(), "decode {:?} vs skip {:?}", decoded, skipped);
    }

    #[test]
    fn garbage_never_panics_any_decoder(ty in arb_type(), garbage in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = AlgebraicValue::decode_exact(&ty, &Typespace::default(), &garbage);
        let _ = bsatn::from_slice::<AlgebraicType>(&garbage);
        let _ = bsatn::from_slice::<ClientMessage>(&garbage);
        let _ = bsatn::from_slice::<ServerMessage>(&garbage);
        let _ = bsatn::from_slice::<RawModuleDef>(&garbage);
    }

    #[test]
    fn client_messages_typed_and_dynamic_agree(value in arb_value(&ClientMessage::algebraic_type())) {
        typed_agrees_with_dynamic::<ClientMessage>(&value)?;
    }

    #[test]
    fn server_messages_typed_and_dynamic_agree(value in arb_value(&ServerMessage::algebraic_type())) {
        typed_agrees_with_dynamic::<ServerMessage>(&value)?;
    }

    #[test]
    fn special_types_typed_and_dynamic_agree(
        id in arb_value(&AlgebraicType::identity()),
        conn in arb_value(&AlgebraicType::connection_id()),
        ts in arb_value(&AlgebraicType::timestamp()),
        dur in arb_value(&AlgebraicType::time_duration()),
        uuid in arb_value(&AlgebraicType::uuid()),
        at in arb_value(&AlgebraicType::schedule_at()),
    ) {
        use lightcone_protocol::sats::*;
        typed_agrees_with_dynamic::<Identity>(&id)?;
        typed_agrees_with_dynamic::<ConnectionId>(&conn)?;
        typed_agrees_with_dynamic::<Timestamp>(&ts)?;
        typed_agrees_with_dynamic::<TimeDuration>(&dur)?;
        typed_agrees_with_dynamic::<Uuid>(&uuid)?;
        typed_agrees_with_dynamic::<ScheduleAt>(&at)?;
    }
}

#[test]
fn recursive_types_are_refused_not_overflowed() {
    // Type 0 = Array<Ref(0)>: a value can nest forever; the decoder must stop at the limit.
    let ts = Typespace {
        types: vec![AlgebraicType::array(AlgebraicType::Ref(0))],
    };
    let mut bytes = Vec::new();
    for _ in 0..10_000 {
        bytes.extend_from_slice(&1u32.to_le_bytes());
    }
    let err = AlgebraicValue::decode_exact(&AlgebraicType::Ref(0), &ts, &bytes).unwrap_err();
    assert!(matches!(err, bsatn::DecodeError::TooDeep { .. }), "{err}");
    assert!(ts.inline_refs(&AlgebraicType::Ref(0)).is_err());
}

#[test]
fn deeply_nested_type_bytes_are_refused_not_overflowed() {
    // 100,000 "Array of" tags in a row.
    let bytes = vec![3u8; 100_000];
    let err = bsatn::from_slice::<AlgebraicType>(&bytes).unwrap_err();
    assert!(matches!(err, bsatn::DecodeError::TooDeep { .. }), "{err}");
}

#[test]
fn hostile_lengths_do_not_allocate() {
    // An array of u64 claiming 4 billion elements in an 8-byte input.
    let mut bytes = u32::MAX.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[0; 4]);
    let err = bsatn::from_slice::<Vec<u64>>(&bytes).unwrap_err();
    assert!(
        matches!(err, bsatn::DecodeError::LengthTooLarge { .. }),
        "{err}"
    );
    // The same through the dynamic path, for an array of units (zero bytes each).
    let ty = AlgebraicType::array(AlgebraicType::unit());
    let err = AlgebraicValue::decode_exact(&ty, &Typespace::default(), &u32::MAX.to_le_bytes())
        .unwrap_err();
    assert!(
        matches!(err, bsatn::DecodeError::LengthTooLarge { .. }),
        "{err}"
    );
}

#[test]
fn invalid_bools_utf8_and_tags_are_named() {
    assert_eq!(
        bsatn::from_slice::<bool>(&[2]),
        Err(bsatn::DecodeError::InvalidBool(2))
    );
    let err = bsatn::from_slice::<String>(&[2, 0, 0, 0, 0xff, 0xfe]).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    let err = bsatn::from_slice::<ClientMessage>(&[9]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid tag 9 for ClientMessage: it has 5 variants"
    );
    let err = bsatn::from_slice::<u32>(&[1, 2, 3, 4, 5]).unwrap_err();
    assert_eq!(err, bsatn::DecodeError::TrailingBytes(1));
    let mut r = Reader::new(&[1, 2]);
    assert!(matches!(
        u32::decode(&mut r),
        Err(bsatn::DecodeError::UnexpectedEof {
            needed: 4,
            remaining: 2,
            ..
        })
    ));
}

#[test]
fn exponentially_fanning_types_are_bounded() {
    // Type i = (Ref(i+1), Ref(i+1)); the last is unit. A value of type 0 is 2^60 units in
    // zero bytes: decoding and inlining must stop at their budgets, quickly.
    let n = 60;
    let mut types: Vec<AlgebraicType> = (0..n)
        .map(|i| {
            AlgebraicType::Product(lightcone_protocol::sats::ProductType::unnamed([
                AlgebraicType::Ref(i + 1),
                AlgebraicType::Ref(i + 1),
            ]))
        })
        .collect();
    types.push(AlgebraicType::unit());
    let ts = Typespace { types };
    let err = AlgebraicValue::decode_exact(&AlgebraicType::Ref(0), &ts, &[]).unwrap_err();
    assert!(
        matches!(err, bsatn::DecodeError::TooManyValues { .. }),
        "{err}"
    );
    let err = ts.inline_refs(&AlgebraicType::Ref(0)).unwrap_err();
    assert!(
        matches!(err, bsatn::DecodeError::TypeTooLarge { .. }),
        "{err}"
    );
}
