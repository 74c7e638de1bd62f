//! WebSocket protocol v3 (`v3.bsatn.spacetimedb`): v2 messages, several per frame, in both
//! directions. A frame is the messages' BSATN concatenated; the server side adds one
//! compression tag for the whole frame (see [`super::compression`]).

use super::v2::{ClientMessage, ServerMessage};
use crate::bsatn::{Decode, DecodeError, DecodeResult, Encode, Reader};

/// The `Sec-WebSocket-Protocol` name of this protocol.
pub const BIN_PROTOCOL: &str = "v3.bsatn.spacetimedb";

/// The most uncompressed bytes the server packs into one v3 frame before starting another
/// (SpacetimeDB uses the same 512 KiB, which keeps any single frame quick to decompress).
pub const MAX_SERVER_FRAME_PAYLOAD_BYTES: usize = 512 * 1024;

/// Decodes every message in a v3 frame. An empty frame is an error, as upstream.
pub fn decode_frame<M: Decode>(frame: &[u8]) -> DecodeResult<Vec<M>> {
    Ok(decode_at_most(frame, usize::MAX)?.unwrap_or_default())
}

/// The messages of a frame, or `None` once there are more than `max_messages`.
fn decode_at_most<M: Decode>(frame: &[u8], max_messages: usize) -> DecodeResult<Option<Vec<M>>> {
    if frame.is_empty() {
        return Err(DecodeError::InvalidValue {
            what: "v3 frame",
            detail: "empty frame: expected at least one message".into(),
        });
    }
    let mut r = Reader::new(frame);
    let mut out = Vec::new();
    while r.remaining() > 0 {
        if out.len() == max_messages {
            return Ok(None);
        }
        out.push(M::decode(&mut r)?);
    }
    Ok(Some(out))
}

/// Decodes the client messages of a v3 frame.
pub fn decode_client_frame(frame: &[u8]) -> DecodeResult<Vec<ClientMessage>> {
    decode_frame(frame)
}

/// Decodes the client messages of a v3 frame; `Ok(None)` for a frame of more than
/// `max_messages`, found as soon as the one past the limit begins (nothing more is decoded or
/// kept).
pub fn decode_client_frame_at_most(
    frame: &[u8],
    max_messages: usize,
) -> DecodeResult<Option<Vec<ClientMessage>>> {
    decode_at_most(frame, max_messages)
}

/// Decodes the server messages of a v3 frame's (decompressed) payload.
pub fn decode_server_frame(payload: &[u8]) -> DecodeResult<Vec<ServerMessage>> {
    decode_frame(payload)
}

/// Packs already-ordered messages into as few frame payloads as the size limit allows
/// (a single message larger than the limit gets a frame of its own). Order is preserved.
pub fn encode_frames<'a, M: Encode + 'a>(
    messages: impl IntoIterator<Item = &'a M>,
    max_payload_bytes: usize,
) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut current = Vec::new();
    for msg in messages {
        let start = current.len();
        msg.encode(&mut current);
        if current.len() > max_payload_bytes && start > 0 {
            let overflow = current.split_off(start);
            frames.push(std::mem::replace(&mut current, overflow));
        }
    }
    if !current.is_empty() {
        frames.push(current);
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::v2::{CallReducer, OneOffQuery};

    fn query(id: u32) -> ClientMessage {
        ClientMessage::OneOffQuery(OneOffQuery {
            request_id: id,
            query_string: "SELECT * FROM t".into(),
        })
    }

    #[test]
    fn frames_carry_several_messages_in_order() {
        let msgs: Vec<_> = (0..10).map(query).collect();
        let frames = encode_frames(&msgs, 1 << 20);
        assert_eq!(frames.len(), 1);
        assert_eq!(decode_client_frame(&frames[0]).unwrap(), msgs);
    }

    #[test]
    fn frames_split_at_the_size_limit_and_keep_order() {
        let msgs: Vec<_> = (0..10).map(query).collect();
        let one = crate::bsatn::to_vec(&msgs[0]).len();
        let frames = encode_frames(&msgs, one * 3);
        assert_eq!(frames.len(), 4);
        assert!(frames.iter().all(|f| f.len() <= one * 3));
        let back: Vec<_> = frames
            .iter()
            .flat_map(|f| decode_client_frame(f).unwrap())
            .collect();
        assert_eq!(back, msgs);
        // A message larger than the limit still goes out, alone.
        let big = encode_frames(&msgs[..2], 1);
        assert_eq!(big.len(), 2);
    }

    #[test]
    fn empty_and_truncated_frames_are_errors() {
        assert!(decode_client_frame(&[]).is_err());
        let mut frame = crate::bsatn::to_vec(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "r".into(),
            args: bytes::Bytes::from_static(&[1, 2]),
        }));
        frame.extend_from_slice(&frame.clone()[..5]);
        assert!(decode_client_frame(&frame).is_err());
    }
}
