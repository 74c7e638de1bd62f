//! The procedure HTTP types against SpacetimeDB's (`spacetimedb_lib::http`): what we encode
//! they decode to the same values and re-encode to the same bytes, and back.

use lightcone_protocol::bsatn;
use lightcone_protocol::http::*;
use lightcone_protocol::sats::TimeDuration;
use spacetimedb_lib::bsatn as their_bsatn;
use spacetimedb_lib::http as theirs;

#[test]
fn requests_and_responses_share_spacetimedb_s_layout() {
    let ours = Request {
        method: Method::Extension("PURGE".into()),
        headers: Headers {
            entries: vec![
                HeaderPair {
                    name: "accept".into(),
                    value: b"text/plain".to_vec(),
                },
                HeaderPair {
                    name: "x-twice".into(),
                    value: b"1".to_vec(),
                },
            ],
        },
        timeout: Some(TimeDuration::from_micros(1_500_000)),
        uri: "http://127.0.0.1:9/path?q=1".into(),
        version: Version::Http11,
    };
    let bytes = bsatn::to_vec(&ours);
    let decoded: theirs::Request = their_bsatn::from_slice(&bytes).unwrap();
    assert_eq!(decoded.uri, "http://127.0.0.1:9/path?q=1");
    assert_eq!(decoded.method, theirs::Method::Extension("PURGE".into()));
    assert_eq!(their_bsatn::to_vec(&decoded).unwrap(), bytes);
    for method in [Method::Get, Method::Post, Method::Patch] {
        let r = Request {
            method: method.clone(),
            ..ours.clone()
        };
        let theirs: theirs::Request = their_bsatn::from_slice(&bsatn::to_vec(&r)).unwrap();
        let name = format!("{:?}", theirs.method).to_uppercase();
        assert_eq!(name, method.as_str());
    }

    let response = Response {
        headers: ours.headers.clone(),
        version: Version::Http2,
        code: 404,
    };
    let bytes = bsatn::to_vec(&response);
    let decoded: theirs::Response = their_bsatn::from_slice(&bytes).unwrap();
    assert_eq!(decoded.code, 404);
    assert_eq!(their_bsatn::to_vec(&decoded).unwrap(), bytes);
    let back: Response = bsatn::from_slice(&bytes).unwrap();
    assert_eq!(back, response);
}
