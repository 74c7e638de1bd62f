//! The compression tag that starts every server → client frame, and the codecs behind it.

use std::io::{Read, Write};

use thiserror::Error;

/// Tag byte: the payload follows uncompressed.
pub const TAG_NONE: u8 = 0;
/// Tag byte: the payload is brotli-compressed.
pub const TAG_BROTLI: u8 = 1;
/// Tag byte: the payload is gzip-compressed.
pub const TAG_GZIP: u8 = 2;

/// Payloads at or below this size are sent uncompressed whatever the client asked for
/// (SpacetimeDB's threshold: compressing tiny messages costs more than it saves).
pub const COMPRESSION_THRESHOLD_BYTES: usize = 1024;

/// Brotli quality the server uses: 1, the fastest, as upstream (latency over ratio).
pub const BROTLI_QUALITY: u32 = 1;

/// Largest payload a client will inflate from one frame (SpacetimeDB's limit on incoming
/// messages); a decompression bomb fails instead of exhausting memory.
pub const MAX_DECOMPRESSED_BYTES: usize = 32 * 1024 * 1024;

/// What a client asked for with the `compression` query parameter (`None`, `Brotli`, `Gzip`;
/// Brotli is the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    #[default]
    Brotli,
    Gzip,
}

impl Compression {
    /// Parses the query parameter value (case-sensitive, as upstream).
    pub fn from_query_param(s: &str) -> Option<Self> {
        match s {
            "None" => Some(Self::None),
            "Brotli" => Some(Self::Brotli),
            "Gzip" => Some(Self::Gzip),
            _ => None,
        }
    }
}

/// A server frame that cannot be unpacked.
#[derive(Debug, Error)]
pub enum FrameError {
    #[error("empty server frame: expected a compression tag byte")]
    Empty,
    #[error("unknown compression tag {0}: expected 0 (none), 1 (brotli) or 2 (gzip)")]
    UnknownTag(u8),
    #[error("corrupt {codec} payload: {source}")]
    Corrupt {
        codec: &'static str,
        source: std::io::Error,
    },
    #[error("payload inflates past {limit} bytes")]
    TooLarge { limit: usize },
}

/// Builds a server frame: the tag, then `payload`, compressed if the client asked for it
/// and it is larger than [`COMPRESSION_THRESHOLD_BYTES`].
pub fn encode_server_frame(payload: &[u8], compression: Compression) -> Vec<u8> {
    let compression = if payload.len() > COMPRESSION_THRESHOLD_BYTES {
        compression
    } else {
        Compression::None
    };
    let mut out = Vec::with_capacity(1 + payload.len());
    match compression {
        Compression::None => {
            out.push(TAG_NONE);
            out.extend_from_slice(payload);
        }
        Compression::Gzip => {
            out.push(TAG_GZIP);
            let mut enc = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
            // Writing into a Vec cannot fail.
            let _ = enc.write_all(payload);
            out = enc.finish().unwrap_or_default();
        }
        Compression::Brotli => {
            out.push(TAG_BROTLI);
            let params = brotli::enc::BrotliEncoderParams {
                quality: BROTLI_QUALITY as i32,
                ..Default::default()
            };
            let mut input = payload;
            // Reading a slice and writing a Vec cannot fail.
            let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
        }
    }
    out
}

/// Unpacks a server frame into its uncompressed payload.
pub fn decode_server_frame(frame: &[u8]) -> Result<Vec<u8>, FrameError> {
    let (&tag, payload) = frame.split_first().ok_or(FrameError::Empty)?;
    match tag {
        TAG_NONE => Ok(payload.to_vec()),
        TAG_GZIP => inflate("gzip", flate2::read::GzDecoder::new(payload)),
        TAG_BROTLI => inflate("brotli", brotli::Decompressor::new(payload, 4096)),
        other => Err(FrameError::UnknownTag(other)),
    }
}

fn inflate(codec: &'static str, reader: impl Read) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::new();
    let limit = MAX_DECOMPRESSED_BYTES;
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|source| FrameError::Corrupt { codec, source })?;
    if out.len() > limit {
        return Err(FrameError::TooLarge { limit });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 7) as u8).collect()
    }

    #[test]
    fn small_payloads_are_never_compressed() {
        let p = payload(COMPRESSION_THRESHOLD_BYTES);
        for c in [Compression::None, Compression::Brotli, Compression::Gzip] {
            let frame = encode_server_frame(&p, c);
            assert_eq!(frame[0], TAG_NONE);
            assert_eq!(decode_server_frame(&frame).unwrap(), p);
        }
    }

    #[test]
    fn large_payloads_roundtrip_through_each_codec() {
        let p = payload(64 * 1024);
        for (c, tag) in [
            (Compression::None, TAG_NONE),
            (Compression::Brotli, TAG_BROTLI),
            (Compression::Gzip, TAG_GZIP),
        ] {
            let frame = encode_server_frame(&p, c);
            assert_eq!(frame[0], tag);
            if c != Compression::None {
                assert!(
                    frame.len() < p.len() / 10,
                    "{c:?} compressed to {}",
                    frame.len()
                );
            }
            assert_eq!(decode_server_frame(&frame).unwrap(), p);
        }
    }

    #[test]
    fn bad_frames_are_errors() {
        assert!(matches!(decode_server_frame(&[]), Err(FrameError::Empty)));
        assert!(matches!(
            decode_server_frame(&[9, 1]),
            Err(FrameError::UnknownTag(9))
        ));
        assert!(matches!(
            decode_server_frame(&[TAG_GZIP, 1, 2, 3]),
            Err(FrameError::Corrupt { .. })
        ));
        assert!(decode_server_frame(&[TAG_BROTLI, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn decompression_bombs_are_refused() {
        let p = vec![0u8; MAX_DECOMPRESSED_BYTES + 1];
        let frame = encode_server_frame(&p, Compression::Gzip);
        assert!(matches!(
            decode_server_frame(&frame),
            Err(FrameError::TooLarge { .. })
        ));
    }

    #[test]
    fn query_param_names_are_case_sensitive() {
        assert_eq!(
            Compression::from_query_param("Gzip"),
            Some(Compression::Gzip)
        );
        assert_eq!(Compression::from_query_param("gzip"), None);
    }
}
