//! Row-level security (a `client_visibility_filter`, behind the SDK's `unstable` feature): a
//! public `note` table whose rows each identity other than the owner sees only if it wrote
//! them. Driven by server/tests/rls.rs.

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
