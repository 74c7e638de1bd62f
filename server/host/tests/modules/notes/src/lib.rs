//! Row-level security (a `client_visibility_filter`, behind the SDK's `unstable` feature): a
//! public `note` table whose rows each identity other than the owner sees only if it wrote
//! them, and `message` rows visible to the members of their room (a filter through a join).
//! Driven by server/tests/rls.rs.

use spacetimedb::{client_visibility_filter, Filter, Identity, ReducerContext, Table};

#[spacetimedb::table(accessor = note, public)]
pub struct Note {
    #[index(btree)]
    author: Identity,
    text: String,
}

#[spacetimedb::table(accessor = author, public)]
pub struct Author {
    #[primary_key]
    identity: Identity,
    notes: u32,
}

/// Each reader sees only their own notes.
#[client_visibility_filter]
const OWN_NOTES: Filter = Filter::Sql("SELECT * FROM note WHERE author = :sender");

#[spacetimedb::reducer]
pub fn add_note(ctx: &ReducerContext, text: String) {
    ctx.db.note().insert(Note {
        author: ctx.sender(),
        text,
    });
    let authors = ctx.db.author();
    match authors.identity().find(ctx.sender()) {
        Some(a) => {
            authors.identity().update(Author {
                notes: a.notes + 1,
                ..a
            });
        }
        None => {
            authors.insert(Author {
                identity: ctx.sender(),
                notes: 1,
            });
        }
    }
}

/// Who is in which room.
#[spacetimedb::table(accessor = room_member, public)]
pub struct RoomMember {
    #[index(btree)]
    room: u32,
    #[index(btree)]
    member: Identity,
}

/// A message posted to a room.
#[spacetimedb::table(accessor = message, public)]
pub struct Message {
    #[index(btree)]
    room: u32,
    text: String,
}

/// A room's messages are visible to its members only: a filter through a join.
#[client_visibility_filter]
const MEMBERS_READ: Filter = Filter::Sql(
    "SELECT message.* FROM message JOIN room_member ON message.room = room_member.room WHERE room_member.member = :sender",
);

#[spacetimedb::reducer]
pub fn join_room(ctx: &ReducerContext, room: u32) {
    ctx.db.room_member().insert(RoomMember {
        room,
        member: ctx.sender(),
    });
}

#[spacetimedb::reducer]
pub fn leave_room(ctx: &ReducerContext, room: u32) {
    ctx.db.room_member().delete(RoomMember {
        room,
        member: ctx.sender(),
    });
}

/// Anyone may post to any room; only its members read it.
#[spacetimedb::reducer]
pub fn post(ctx: &ReducerContext, room: u32, text: String) {
    ctx.db.message().insert(Message { room, text });
}
