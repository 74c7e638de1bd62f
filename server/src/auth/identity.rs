//! The identity of a token's (issuer, subject) pair. The derivation is SpacetimeDB's: a
//! blake3 hash of `"{iss}|{sub}"` keeps 26 bytes, a second hash over `c2 00` and those bytes
//! gives a 4-byte checksum, and the 32 bytes `c2 00 | checksum | id` read big-endian are the
//! identity (so every derived identity's hex starts with `c200`).

use lightcone_protocol::sats::Identity;

/// The first two bytes of every derived identity (big-endian).
const PREFIX: [u8; 2] = [0xc2, 0x00];

/// The identity of `issuer` + `subject`.
pub fn identity_from_claims(issuer: &str, subject: &str) -> Identity {
    let first = blake3::hash(format!("{issuer}|{subject}").as_bytes());
    let id = &first.as_bytes()[..26];
    let mut checksum_input = [0u8; 28];
    checksum_input[..2].copy_from_slice(&PREFIX);
    checksum_input[2..].copy_from_slice(id);
    let checksum = blake3::hash(&checksum_input);
    let mut be = [0u8; 32];
    be[..2].copy_from_slice(&PREFIX);
    be[2..6].copy_from_slice(&checksum.as_bytes()[..4]);
    be[6..].copy_from_slice(id);
    Identity::from_be_bytes(be)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published `spacetimedb-lib` is the oracle: same pairs, same identities.
    #[test]
    fn identities_match_spacetimedb() {
        for (iss, sub) in [
            ("localhost", "5b1c7b2e-0e2a-4d0c-9a51-8e1f2c6d7a90"),
            ("https://auth.example.com", "user|1234"),
            ("", ""),
            ("iss", "sübject with ünicode"),
        ] {
            let ours = identity_from_claims(iss, sub);
            let theirs = spacetimedb_lib::Identity::from_claims(iss, sub);
            assert_eq!(ours.to_hex(), theirs.to_hex().to_string(), "{iss} | {sub}");
            assert!(ours.to_hex().starts_with("c200"));
        }
    }
}
