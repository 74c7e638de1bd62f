//! A module that turns SpacetimeDB's default snake_case conversion off
//! (`CaseConversionPolicy::None`): its table, column and reducer names are canonical exactly
//! as written, in SQL, subscriptions, HTTP calls and the schema. Driven by
//! server/tests/names.rs.
#![allow(non_snake_case)]

use spacetimedb::{CaseConversionPolicy, ReducerContext, Table};

#[spacetimedb::settings]
const CASE_CONVERSION_POLICY: CaseConversionPolicy = CaseConversionPolicy::None;

#[spacetimedb::table(accessor = GamePlayer, public)]
pub struct Player {
    #[primary_key]
    playerId: u32,
    displayName: String,
}

#[spacetimedb::reducer]
pub fn AddPlayer(ctx: &ReducerContext, playerId: u32, displayName: String) {
    ctx.db.GamePlayer().insert(Player {
        playerId,
        displayName,
    });
}
