//! What the database thread is asked to do: [`Command`], sent by the [`super::Database`]
//! handle (and by procedure threads), and [`HttpCallResult`], an HTTP reducer call's outcome.

use std::sync::{mpsc, Arc};

use lightcone_datastore::migrate::MigrationStep;
use lightcone_datastore::TxDelta;
use lightcone_host::{CallError, Caller, CompiledModule, ReducerResult};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{ConnectionId, Identity};
use lightcone_protocol::ws::v2::ClientMessage;
use tokio::sync::oneshot;

use super::procedures::{HttpProcedureReply, RouteReply};
use super::ConnectError;
use crate::sql::parse::Statement;
use crate::sql::{SqlError, SqlOutput};
use crate::subscribe::{ClientHandle, SocketId};

/// What an HTTP reducer call came to.
#[derive(Debug)]
pub enum HttpCallResult {
    /// `client_connected` refused the caller.
    Refused(ConnectError),
    /// The call could not be made.
    NotCalled(CallError),
    /// The reducer ran.
    Ran(ReducerResult),
}

/// One connected WebSocket client, as the admin page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientInfo {
    pub identity: String,
    pub connection_id: String,
    /// Live query sets (`Subscribe` messages not yet unsubscribed).
    pub query_sets: usize,
    /// The distinct queries those sets hold, as resolved SQL.
    pub queries: Vec<String>,
    /// Bytes queued to the client and not yet written to its socket.
    pub queued_bytes: usize,
}

pub(super) enum Command {
    /// A procedure call from HTTP: connect, call, disconnect.
    HttpProcedure {
        procedure: String,
        caller: Caller,
        args: Vec<u8>,
        reply: oneshot::Sender<HttpProcedureReply>,
    },
    /// A request to the module's HTTP routes (`/route/…`).
    HttpRoute {
        path: String,
        request: lightcone_protocol::http::Request,
        body: Vec<u8>,
        reply: oneshot::Sender<RouteReply>,
    },
    /// A running procedure wants to open a transaction: answer on `ready` once stopped, then
    /// wait for the transaction's end on `end` (see `procedures.rs`).
    ProcedureTx {
        module: Arc<ModuleDef>,
        ready: mpsc::SyncSender<()>,
        end: mpsc::Receiver<Option<TxDelta>>,
    },
    /// Procedure call `id` returned.
    ProcedureEnded {
        id: u64,
        ended: Box<lightcone_host::ProcedureEnded>,
    },
    /// Procedure call `id`'s thread panicked.
    ProcedureLost { id: u64, message: String },
    /// A reducer call from HTTP: connect, call, disconnect, as SpacetimeDB does.
    HttpCall {
        reducer: String,
        caller: Caller,
        args: Vec<u8>,
        reply: oneshot::Sender<HttpCallResult>,
    },
    /// Swap in a new version of the module, migrating the tables.
    Update {
        module: CompiledModule,
        def: Box<ModuleDef>,
        reply: oneshot::Sender<Result<Vec<MigrationStep>, String>>,
    },
    /// The connected WebSocket clients and their subscriptions (the admin page).
    Clients {
        reply: oneshot::Sender<Vec<ClientInfo>>,
    },
    /// The last `n` log lines, as JSON lines.
    Logs {
        n: usize,
        reply: oneshot::Sender<Vec<String>>,
    },
    /// Stop: flush and snapshot (durable databases).
    Shutdown { reply: oneshot::Sender<()> },
    /// The owner's INSERT, UPDATE or DELETE, run here so the scheduler and subscribers see
    /// it.
    SqlWrite {
        statement: Statement,
        caller: Identity,
        reply: oneshot::Sender<Result<SqlOutput, SqlError>>,
    },
    /// An HTTP `SELECT` over a view.
    ViewSql {
        sql: String,
        caller: Identity,
        owner: bool,
        reply: oneshot::Sender<Result<SqlOutput, SqlError>>,
    },
    /// A WebSocket client connects (refused with the reason if `client_connected` fails).
    Connect {
        client: ClientHandle,
        token: String,
        reply: oneshot::Sender<Result<(), ConnectError>>,
    },
    /// A WebSocket client went away.
    Disconnect {
        connection: ConnectionId,
        socket: SocketId,
    },
    /// A message from a WebSocket client.
    Message {
        connection: ConnectionId,
        socket: SocketId,
        message: ClientMessage,
        /// What the message counts against the client's pending bytes.
        bytes: usize,
    },
}
