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
    if frame.is_empty() {
        return Err(DecodeError::InvalidValue {
            what: "v3 frame",
            detail: "empty frame: expected at least one message".into(),
        });
    }
    let mut r = Reader::new(frame);
    let mut out = Vec::new();
    while r.remaining() > 0 {
        out.push(M::decode(&mut r)?);
    }
    Ok(out)
}

/// Decodes the client messages of a v3 frame.
pub fn decode_client_frame(frame: &[u8]) -> DecodeResult<Vec<ClientMessage>> {
    decode_frame(frame)
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
