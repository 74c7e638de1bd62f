//! The chat sample (samples/chat/module-rust) as a second version: the same two tables, plus a
//! `reaction` table and a `react` reducer. Republishing it over a chat database is a migration
//! that adds a table and keeps every row (server/host/tests/republish.rs). `reaction.sender`
//! is indexed so subscriptions can join it to `user` (server/tests/subscribe.rs).

use spacetimedb::{Identity, ReducerContext, Table, Timestamp};

#[spacetimedb::table(accessor = user, public)]
pub struct User {
    #[primary_key]
    identity: Identity,
    name: Option<String>,
    online: bool,
}

#[spacetimedb::table(accessor = message, public)]
pub struct Message {
    sender: Identity,
    sent: Timestamp,
    text: String,
}

#[spacetimedb::table(accessor = reaction, public)]
pub struct Reaction {
    #[index(btree)]
    sender: Identity,
    emoji: String,
}

/// An event table: "someone is typing", delivered to subscribers once and never stored.
#[spacetimedb::table(accessor = typing, public, event)]
pub struct Typing {
    sender: Identity,
}

#[spacetimedb::reducer]
pub fn start_typing(ctx: &ReducerContext) {
    ctx.db.typing().insert(Typing {
        sender: ctx.sender(),
    });
}

#[spacetimedb::reducer]
pub fn react(ctx: &ReducerContext, emoji: String) {
    ctx.db.reaction().insert(Reaction {
        sender: ctx.sender(),
        emoji,
    });
}

#[spacetimedb::reducer]
pub fn send_message(ctx: &ReducerContext, text: String) -> Result<(), String> {
    if text.is_empty() {
        return Err("Messages must not be empty".to_string());
    }
    ctx.db.message().insert(Message {
        sender: ctx.sender(),
        sent: ctx.timestamp,
        text,
    });
    Ok(())
}

/// Identities refused at connection.
#[spacetimedb::table(accessor = banned)]
pub struct Banned {
    #[primary_key]
    identity: Identity,
}

/// Bans `identity` from connecting.
#[spacetimedb::reducer]
pub fn ban(ctx: &ReducerContext, identity: Identity) {
    ctx.db.banned().insert(Banned { identity });
}

/// As in the chat sample, a connecting client is (or becomes) an online user, unless banned.
#[spacetimedb::reducer(client_connected)]
pub fn client_connected(ctx: &ReducerContext) -> Result<(), String> {
    if ctx.db.banned().identity().find(ctx.sender()).is_some() {
        return Err("you are banned".into());
    }
    let users = ctx.db.user();
    let row = match users.identity().find(ctx.sender()) {
        Some(existing) => User {
            online: true,
            ..existing
        },
        None => User {
            identity: ctx.sender(),
            name: None,
            online: true,
        },
    };
    if users.identity().find(ctx.sender()).is_some() {
        users.identity().update(row);
    } else {
        users.insert(row);
    }
    Ok(())
}

/// As in the chat sample: a leaving client's user row goes offline.
#[spacetimedb::reducer(client_disconnected)]
pub fn client_disconnected(ctx: &ReducerContext) {
    if let Some(existing) = ctx.db.user().identity().find(ctx.sender()) {
        ctx.db.user().identity().update(User {
            online: false,
            ..existing
        });
    }
}
