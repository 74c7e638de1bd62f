//! The bench's stand-in server: it plays the server's part of the protocol for one table
//! `pos (id: u32 primary key, x: f32, y: f32, z: f32, hp: u32)` of [`ROWS`] rows, so the
//! client is the only thing measured. It answers `GET …/schema` with the module definition,
//! accepts the WebSocket (v2), sends `InitialConnection`, answers the first `Subscribe` with
//! every row (version 0), then sends `transactions` `TransactionUpdate`s as fast as the socket
//! takes them, transaction `i` updating every row from version `i` to `i + 1` (all deleted,
//! all inserted with new values; `hp` is `100 + version`). The updates are encoded before
//! the client connects, so the feeder spends its time sending. Every message is
//! built with `lightcone-protocol`, the encoding the real server sends.

use futures_util::{SinkExt, StreamExt};
use lightcone::client_core::protocol::bsatn::{self, Encode};
use lightcone::client_core::protocol::json::module_def_v9_to_string;
use lightcone::client_core::protocol::moduledef::raw_v9::{
    RawModuleDefV9, RawTableDefV9, TableAccess, TableType,
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

/// Rows in the table, and so row changes per transaction.
pub const ROWS: u32 = 10_000;

/// Starts the feeder on a thread of its own: its `http://127.0.0.1:port`.
pub fn start(transactions: u32) -> String {
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
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, transactions));
            }
        });
    });
    rx.recv().expect("feeder address")
}

async fn serve(stream: TcpStream, transactions: u32) {
    let mut head = [0u8; 256];
    let Ok(n) = stream.peek(&mut head).await else {
        return;
    };
    if String::from_utf8_lossy(&head[..n]).contains("/schema") {
        schema(stream).await;
    } else {
        // The set id is the client's first (1): the updates can be encoded up front.
        let set = QuerySetId { id: 1 };
        let updates = (0..transactions).map(|i| update(set, i, i + 1)).collect();
        subscribe(stream, updates).await;
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

async fn schema(mut stream: TcpStream) {
    let mut request = [0u8; 4096];
    let _ = stream.read(&mut request).await;
    let def = RawModuleDefV9 {
        typespace: Typespace {
            types: vec![AlgebraicType::Product(row_type())],
        },
        tables: vec![RawTableDefV9 {
            name: "pos".into(),
            product_type_ref: 0,
            primary_key: vec![0],
            indexes: Vec::new(),
            constraints: Vec::new(),
            sequences: Vec::new(),
            schedule: None,
            table_type: TableType::User,
            table_access: TableAccess::Public,
        }],
        ..RawModuleDefV9::default()
    };
    let body = module_def_v9_to_string(&def);
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
}

/// Every row, in version `v` (the values differ per version; the keys do not).
fn rows(v: u32) -> BsatnRowList {
    let mut b = RowListBuilder::with_capacity(ROWS as usize, ROWS as usize * 20);
    for id in 0..ROWS {
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

fn update(set: QuerySetId, from: u32, to: u32) -> Message {
    frame(&ServerMessage::TransactionUpdate(TransactionUpdate {
        query_sets: vec![QuerySetUpdate {
            query_set_id: set,
            tables: vec![TableUpdate {
                table_name: "pos".into(),
                rows: vec![TableUpdateRows::PersistentTable(PersistentTableRows {
                    inserts: rows(to),
                    deletes: rows(from),
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

async fn subscribe(stream: TcpStream, updates: Vec<Message>) {
    let Ok(mut socket) = tokio_tungstenite::accept_hdr_async(stream, accept).await else {
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
    let set = loop {
        match socket.next().await {
            Some(Ok(Message::Binary(bytes))) => {
                if let Ok(ClientMessage::Subscribe(s)) = bsatn::from_slice::<ClientMessage>(&bytes)
                {
                    assert_eq!(s.query_set_id.id, 1, "the client's first set");
                    break s.query_set_id;
                }
            }
            Some(Ok(_)) => continue,
            _ => return,
        }
    };
    let applied = ServerMessage::SubscribeApplied(SubscribeApplied {
        request_id: set.id,
        query_set_id: set,
        rows: QueryRows {
            tables: vec![SingleTableRows {
                table: "pos".into(),
                rows: rows(0),
            }],
        },
    });
    if socket.send(frame(&applied)).await.is_err() {
        return;
    }
    for m in updates {
        if socket.send(m).await.is_err() {
            return;
        }
    }
    // Hold the connection open until the client goes.
    while let Some(Ok(_)) = socket.next().await {}
}
