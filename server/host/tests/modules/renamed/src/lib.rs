//! Tables known by two names: the canonical one (`name = "…"` on the table; for columns, the
//! snake_case the default policy makes of the field names) and the accessor the module's code
//! uses — which is what SQL built with the query builder names. A view returns such a query.
//! Driven by server/tests/names.rs.
#![allow(non_snake_case)]

use spacetimedb::{AnonymousViewContext, Query, ReducerContext, Table};

#[spacetimedb::table(name = "HeroCanonical", accessor = hero, public)]
pub struct Hero {
    #[primary_key]
    #[auto_inc]
    pub HeroId: u32,
    pub Level: u32,
}

#[spacetimedb::table(accessor = sidekick, public)]
pub struct Sidekick {
    #[primary_key]
    #[auto_inc]
    pub SidekickId: u32,
    #[index(btree)]
    pub heroRef: u32,
    pub Nick: String,
}

#[spacetimedb::reducer]
pub fn add_hero(ctx: &ReducerContext, level: u32) {
    ctx.db.hero().insert(Hero {
        HeroId: 0,
        Level: level,
    });
}

#[spacetimedb::reducer]
pub fn add_sidekick(ctx: &ReducerContext, hero: u32, nick: String) {
    ctx.db.sidekick().insert(Sidekick {
        SidekickId: 0,
        heroRef: hero,
        Nick: nick,
    });
}

/// The sidekicks of level-2 heroes, as the query builder writes it.
#[spacetimedb::view(name = "LevelTwoSidekicks", accessor = level_two_sidekicks, public)]
pub fn level_two_sidekicks(ctx: &AnonymousViewContext) -> impl Query<Sidekick> {
    ctx.from
        .hero()
        .r#where(|h| h.Level.eq(2))
        .right_semijoin(ctx.from.sidekick(), |h, s| h.HeroId.eq(s.heroRef))
}
