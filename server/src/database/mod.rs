//! One database: its `ModuleHost` owned by a thread of its own (the database's single writer),
//! which takes commands from a channel and, between them, runs scheduled reducers when they
//! are due. HTTP handlers (async) talk to it through [`Database`] and await the reply.
//!
//! - `handle.rs`: [`Database`], the handle callers hold.
//! - `command.rs`: [`Command`], what the handle asks of the thread.
//! - `worker.rs`: the thread's state and loop ([`Worker`]), and every commit's hand-off.
//! - `clients.rs`: WebSocket clients and their messages.
//! - `one_off.rs`: WebSocket one-off queries (long ones finish off the thread).
//! - `http_calls.rs`: HTTP reducer calls and SQL over views.
//! - `procedures.rs`: procedures and HTTP route handlers, on threads of their own.

mod clients;
mod command;
mod handle;
mod http_calls;
mod one_off;
mod procedures;
mod worker;

pub use clients::ConnectError;
use command::Command;
pub use command::{ClientInfo, HttpCallResult};
pub use handle::{Database, NO_ANSWER};
pub use procedures::RouteReply;
use worker::Worker;
