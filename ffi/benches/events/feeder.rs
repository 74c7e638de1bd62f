//! The benches' stand-in server: it plays the server's part of the protocol for one table
//! `pos (id: u32 primary key, x: f32, y: f32, z: f32, hp: u32)` of [`Stream::rows`] ×
//! [`Stream::slices`] rows, so the client is the only thing measured. It answers
//! `GET …/schema` with the module definition ([`module_def`]), accepts the WebSocket (v2),
//! sends `InitialConnection`, answers the first `Subscribe` with every row (version 0), then
//! sends [`Stream::transactions`] `TransactionUpdate`s — as fast as the socket takes them, or
//! one every [`Stream::every`]. Transaction `i` updates the `rows` rows of slice
//! `i % slices` (ids `slice × rows ..`) from version `i / slices` to the next (all deleted, all
//! inserted with new values; `hp` is `100 + version`; [`Stream::start_on_call`] holds them
//! until the client calls a reducer): with one slice every transaction
//! changes every row, with as many slices as transactions no row changes twice. The updates
//! are encoded before the client connects, so the feeder spends its time sending. Every
//! message is built with `lightcone-protocol`, the encoding the real server sends.
//!
//! Used by `ffi/benches/events` and, through `#[path]`, by the server's `engine_cache` bench
//! (which generates the C# and C++ for [`module_def`]).

use futures_util::{SinkExt, StreamExt};
use lightcone::client_core::protocol::bsatn::{self, Encode};
use lightcone::client_core::protocol::json::module_def_v9_to_string;
use lightcone::client_core::protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawConstraintDefV9, RawIndexAlgorithm, RawIndexDefV9, RawModuleDefV9,
    RawScopedTypeNameV9, RawTableDefV9, RawTypeDefV9, TableAccess, TableType,
};
use lightcone::client_core::protocol::sats::{
    AlgebraicType, ConnectionId, Identity, ProductType, ProductTypeElement, Typespace,
};
use lightcone::client_core::protocol::ws::compression::{encode_server_frame, Compression};
use lightcone::client_core::protocol::ws::row_list::{BsatnRowList, RowListBuilder};
use lightcone::client_core::protocol::ws::v2::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Rows in the table of a full-speed stream, and so row changes per transaction.
pub const ROWS: u32 = 10_000;

/// What the feeder sends once the client has subscribed.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// How many transactions.
    pub transactions: u32,
    /// Rows each transaction changes (one slice of the table).
    pub rows: u32,
    /// Slices of the table, changed in turn.
    pub slices: u32,
    /// `None`: back to back; `Some(d)`: one every `d` (a server's tick).
    pub every: Option<std::time::Duration>,
    /// Hold the stream until the client calls a reducer (any), so a client whose subscription
    /// takes a while to apply still meets the updates one tick at a time.
    pub start_on_call: bool,
}

impl Stream {
    /// `transactions` updates of [`ROWS`] rows, back to back.
    pub fn full_speed(transactions: u32) -> Self {
        Stream {
            transactions,
            rows: ROWS,
            slices: 1,
            every: None,
            start_on_call: false,
        }
    }
}

/// Starts the feeder on a thread of its own: its `http://127.0.0.1:port`.
pub fn start(stream: Stream) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            tx.send(format!("http://{addr}")).expect("report address");
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                // As the real server does: small paced frames go out at once (no Nagle).
                let _ = socket.set_nodelay(true);
                tokio::spawn(serve(socket, stream));
            }
        });
    });
    rx.recv().expect("feeder address")
}

async fn serve(socket: TcpStream, stream: Stream) {
    let mut head = [0u8; 256];
    let Ok(n) = socket.peek(&mut head).await else {
        return;
    };
    if String::from_utf8_lossy(&head[..n]).contains("/schema") {
        schema(socket).await;
    } else {
        // The set id is the client's first (1): the updates can be encoded up front.
        let set = QuerySetId { id: 1 };
        let updates = (0..stream.transactions)
            .map(|i| {
                let (slice, version) = (i % stream.slices, i / stream.slices);
                update(set, stream.rows, slice, version)
            })
            .collect();
        subscribe(socket, stream, updates).await;
    }
}

fn row_type() -> ProductType {
    let column = |name: &str, t| ProductTypeElement {
        name: Some(name.into()),
        algebraic_type: t,
    };
    ProductType {
        elements: vec![
            column("id", AlgebraicType::U32),
            column("x", AlgebraicType::F32),
            column("y", AlgebraicType::F32),
            column("z", AlgebraicType::F32),
            column("hp", AlgebraicType::U32),
        ],
    }
}

/// The definition `GET …/schema` serves: the table `pos`, keyed by `id`.
pub fn module_def() -> RawModuleDefV9 {
    RawModuleDefV9 {
        typespace: Typespace {
            types: vec![AlgebraicType::Product(row_type())],
        },
        tables: vec![RawTableDefV9 {
            name: "pos".into(),
            product_type_ref: 0,
            primary_key: vec![0],
            indexes: vec![RawIndexDefV9 {
                name: Some("pos_id_idx_btree".into()),
                accessor_name: Some("id".into()),
                algorithm: RawIndexAlgorithm::BTree(vec![0]),
            }],
            constraints: vec![RawConstraintDefV9 {
                name: Some("pos_id_key".into()),
                data: RawConstraintDataV9::Unique(vec![0]),
            }],
            sequences: Vec::new(),
            schedule: None,
            table_type: TableType::User,
            table_access: TableAccess::Public,
        }],
        types: vec![RawTypeDefV9 {
            name: RawScopedTypeNameV9 {
                scope: Vec::new(),
                name: "Pos".into(),
            },
            ty: 0,
            custom_ordering: true,
        }],
        ..RawModuleDefV9::default()
    }
}

async fn schema(mut socket: TcpStream) {
    let mut request = [0u8; 4096];
    let _ = socket.read(&mut request).await;
    let body = module_def_v9_to_string(&module_def());
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = socket.write_all(reply.as_bytes()).await;
}

/// The `count` rows with ids `first..`, in version `v` (the values differ per version; the keys
/// do not).
fn rows(first: u32, count: u32, v: u32) -> BsatnRowList {
    let mut b = RowListBuilder::with_capacity(count as usize, count as usize * 20);
    for id in first..first + count {
        let f = (id + v) as f32;
        b.push(&(id, f, f * 0.5, f * 0.25, 100 + v));
    }
    b.finish()
}

fn frame(m: &ServerMessage) -> Message {
    let mut payload = Vec::new();
    m.encode(&mut payload);
    Message::Binary(encode_server_frame(&payload, Compression::None).into())
}

/// Slice `slice` of `count` rows from version `from` to the next.
fn update(set: QuerySetId, count: u32, slice: u32, from: u32) -> Message {
    frame(&ServerMessage::TransactionUpdate(TransactionUpdate {
        query_sets: vec![QuerySetUpdate {
            query_set_id: set,
            tables: vec![TableUpdate {
                table_name: "pos".into(),
                rows: vec![TableUpdateRows::PersistentTable(PersistentTableRows {
                    inserts: rows(slice * count, count, from + 1),
                    deletes: rows(slice * count, count, from),
                })],
            }],
        }],
    }))
}

/// Accepts the WebSocket speaking v2.
// The error type is tungstenite's (its callback trait fixes the signature).
#[allow(clippy::result_large_err)]
fn accept(_: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    response.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static(BIN_PROTOCOL),
    );
    Ok(response)
}

async fn subscribe(socket: TcpStream, stream: Stream, updates: Vec<Message>) {
    let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(socket, accept).await else {
        return;
    };
    let hello = ServerMessage::InitialConnection(InitialConnection {
        identity: Identity::from_le_bytes([7; 32]),
        connection_id: ConnectionId(7),
        token: "bench-token".into(),
    });
    if socket.send(frame(&hello)).await.is_err() {
        return;
    }
    // The first Subscribe: answered with every row, then the stream of updates.
    let Some(set) = next_message(&mut socket, |m| match m {
        ClientMessage::Subscribe(s) => Some(s.query_set_id),
        _ => None,
    })
    .await
    else {
        return;
    };
    assert_eq!(set.id, 1, "the client's first set");
    let applied = ServerMessage::SubscribeApplied(SubscribeApplied {
        request_id: set.id,
        query_set_id: set,
        rows: QueryRows {
            tables: vec![SingleTableRows {
                table: "pos".into(),
                rows: rows(0, stream.rows * stream.slices, 0),
            }],
        },
    });
    if socket.send(frame(&applied)).await.is_err() {
        return;
    }
    let called = |m| matches!(m, ClientMessage::CallReducer(_)).then_some(());
    if stream.start_on_call && next_message(&mut socket, called).await.is_none() {
        return;
    }
    let mut pace = stream.every.map(|every| {
        let mut pace = tokio::time::interval(every);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        pace
    });
    for m in updates {
        if let Some(pace) = &mut pace {
            pace.tick().await;
        }
        if socket.send(m).await.is_err() {
            return;
        }
    }
    // Hold the connection open until the client goes.
    while let Some(Ok(_)) = socket.next().await {}
}

/// Reads the client's messages until `pick` takes one: what it made of it, or `None` when the
/// socket ends first.
async fn next_message<T>(
    socket: &mut WebSocketStream<TcpStream>,
    mut pick: impl FnMut(ClientMessage) -> Option<T>,
) -> Option<T> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Binary(bytes))) => {
                if let Some(t) = bsatn::from_slice::<ClientMessage>(&bytes)
                    .ok()
                    .and_then(&mut pick)
                {
                    return Some(t);
                }
            }
            Some(Ok(_)) => continue,
            _ => return None,
        }
    }
}
