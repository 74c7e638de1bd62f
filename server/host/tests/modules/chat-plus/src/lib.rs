//! The chat sample (samples/chat/module-rust) as a second version: the same two tables, plus a
//! `reaction` table and a `react` reducer. Republishing it over a chat database is a migration
//! that adds a table and keeps every row (server/host/tests/republish.rs).

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
    sender: Identity,
    emoji: String,
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
