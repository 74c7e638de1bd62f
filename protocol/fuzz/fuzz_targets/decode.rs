//! Every decoder that reads untrusted bytes, fed arbitrary input: none may panic, overflow the
//! stack or allocate without bound. Whatever decodes must re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicType, AlgebraicValue, Typespace};
use lightcone_protocol::ws::{compression, v2, v3};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else { return };
    match selector % 6 {
        0 => {
            if let Ok(m) = bsatn::from_slice::<v2::ClientMessage>(input) {
                assert_eq!(bsatn::to_vec(&m), input);
            }
            let _ = v3::decode_client_frame(input);
        }
        1 => {
            if let Ok(m) = bsatn::from_slice::<v2::ServerMessage>(input) {
                assert_eq!(bsatn::to_vec(&m), input);
            }
            let _ = v3::decode_server_frame(input);
            let _ = compression::decode_server_frame(input);
        }
        2 => {
            if let Ok(raw) = bsatn::from_slice::<RawModuleDef>(input) {
                assert_eq!(bsatn::to_vec(&raw), input);
                let _ = ModuleDef::validate(raw);
            }
        }
        3 => {
            // A type, then a value of that type from the rest.
            let mut r = bsatn::Reader::new(input);
            if let Ok(ty) = <AlgebraicType as bsatn::Decode>::decode(&mut r) {
                let rest = r.rest();
                if let Ok(v) = AlgebraicValue::decode_exact(&ty, &Typespace::default(), rest) {
                    assert_eq!(bsatn::to_vec(&v), rest);
                    let _ = lightcone_protocol::json::value_to_string(&v);
                }
            }
        }
        4 => {
            // A typespace and a value of type Ref(0): recursive types must not overflow.
            let mut r = bsatn::Reader::new(input);
            if let Ok(ts) = <Typespace as bsatn::Decode>::decode(&mut r) {
                let _ = AlgebraicValue::decode_exact(&AlgebraicType::Ref(0), &ts, r.rest());
                let _ = ts.inline_refs(&AlgebraicType::Ref(0));
            }
        }
        _ => {
            if let Ok(rows) = bsatn::from_slice::<lightcone_protocol::ws::BsatnRowList>(input) {
                let _ = rows.rows();
                let _ = rows.len();
            }
            if let Ok(text) = std::str::from_utf8(input) {
                let params = lightcone_protocol::sats::ProductType::named([
                    ("a", AlgebraicType::option(AlgebraicType::U128)),
                    ("b", AlgebraicType::array(AlgebraicType::identity())),
                    ("c", AlgebraicType::schedule_at()),
                ]);
                let _ = lightcone_protocol::json::parse_args(text, &params, &Typespace::default());
            }
        }
    }
});
