//! The test schema shared by the datastore tests.
#![allow(dead_code)]

use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicType as T, AlgebraicValue as V, ProductValue, Typespace};

pub const ACCOUNTS: u32 = 0;
pub const PLAYER: u32 = 1;
pub const LOG: u32 = 2;

fn index(name: &str, algorithm: RawIndexAlgorithm) -> RawIndexDefV10 {
    RawIndexDefV10 {
        source_name: Some(name.into()),
        accessor_name: None,
        algorithm,
    }
}

fn unique(cols: Vec<u16>) -> RawConstraintDefV10 {
    RawConstraintDefV10 {
        source_name: None,
        data: RawConstraintDataV9::Unique(cols),
    }
}

fn table(name: &str, ty: u32, pk: Vec<u16>) -> RawTableDefV10 {
    RawTableDefV10 {
        source_name: name.into(),
        product_type_ref: ty,
        primary_key: pk,
        indexes: vec![],
        constraints: vec![],
        sequences: vec![],
        table_type: TableType::User,
        table_access: TableAccess::Public,
        default_values: vec![],
        is_event: false,
    }
}

/// accounts(id u32 pk, balance i64); player(id u64 pk auto_inc, name String unique,
/// level u32 btree, guild u32 hash, (guild, level) btree); log(msg String), no keys.
pub fn module() -> ModuleDef {
    ModuleDef::validate(RawModuleDef::V10(raw_module())).unwrap()
}

/// The raw definition behind [`module`], for tests that change it.
pub fn raw_module() -> RawModuleDefV10 {
    let typespace = Typespace {
        types: vec![
            T::product([("id", T::U32), ("balance", T::I64)]),
            T::product([
                ("id", T::U64),
                ("name", T::String),
                ("level", T::U32),
                ("guild", T::U32),
            ]),
            T::product([("msg", T::String)]),
        ],
    };
    let mut accounts = table("accounts", 0, vec![0]);
    accounts.indexes.push(index(
        "accounts_id_idx_btree",
        RawIndexAlgorithm::BTree(vec![0]),
    ));
    accounts.constraints.push(unique(vec![0]));
    let mut player = table("player", 1, vec![0]);
    player.indexes = vec![
        index("player_id_idx_btree", RawIndexAlgorithm::BTree(vec![0])),
        index("player_name_idx_btree", RawIndexAlgorithm::BTree(vec![1])),
        index("player_level_idx_btree", RawIndexAlgorithm::BTree(vec![2])),
        index("player_guild_idx_hash", RawIndexAlgorithm::Hash(vec![3])),
        index(
            "player_guild_level_idx_btree",
            RawIndexAlgorithm::BTree(vec![3, 2]),
        ),
    ];
    player.constraints = vec![unique(vec![0]), unique(vec![1])];
    player.sequences.push(RawSequenceDefV10 {
        source_name: None,
        column: 0,
        start: None,
        min_value: None,
        max_value: None,
        increment: 1,
    });
    let log = table("log", 2, vec![]);
    RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::Typespace(typespace),
            RawModuleDefV10Section::Tables(vec![accounts, player, log]),
        ],
    }
}

pub fn account(id: u32, balance: i64) -> ProductValue {
    ProductValue::new(vec![V::U32(id), V::I64(balance)])
}

pub fn player(id: u64, name: &str, level: u32, guild: u32) -> ProductValue {
    ProductValue::new(vec![
        V::U64(id),
        V::string(name),
        V::U32(level),
        V::U32(guild),
    ])
}

/// One table's changes in a delta, decoded.
#[derive(Debug, PartialEq)]
pub struct Changes {
    pub table: String,
    pub inserts: Vec<ProductValue>,
    pub deletes: Vec<ProductValue>,
}

/// The tables a delta changed, with their rows decoded.
pub fn changes(
    ds: &lightcone_datastore::Datastore,
    delta: &lightcone_datastore::TxDelta,
) -> Vec<Changes> {
    let state = ds.read();
    delta
        .tables()
        .map(|t| {
            let table = state.table(t.table_id).unwrap();
            Changes {
                table: table.name().to_owned(),
                inserts: t.inserts.iter().map(|r| table.decode(r)).collect(),
                deletes: t.deletes.iter().map(|r| table.decode(r)).collect(),
            }
        })
        .collect()
}
