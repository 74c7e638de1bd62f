//! The benches' shared bank: an `accounts (id u32 pk, balance i64)` table and the transfer
//! transaction a module's `transfer` reducer runs through the host.

use lightcone_datastore::Datastore;
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicType as T, AlgebraicValue as V, ProductValue, Typespace};

/// The module: one `accounts` table with a primary key.
pub fn module() -> ModuleDef {
    let raw = RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::Typespace(Typespace {
                types: vec![T::product([("id", T::U32), ("balance", T::I64)])],
            }),
            RawModuleDefV10Section::Tables(vec![RawTableDefV10 {
                source_name: "accounts".into(),
                product_type_ref: 0,
                primary_key: vec![0],
                indexes: vec![RawIndexDefV10 {
                    source_name: Some("accounts_id_idx_btree".into()),
                    accessor_name: Some("id".into()),
                    algorithm: RawIndexAlgorithm::BTree(vec![0]),
                }],
                constraints: vec![RawConstraintDefV10 {
                    source_name: None,
                    data: RawConstraintDataV9::Unique(vec![0]),
                }],
                sequences: vec![],
                table_type: TableType::User,
                table_access: TableAccess::Public,
                default_values: vec![],
                is_event: false,
            }]),
        ],
    };
    ModuleDef::validate(RawModuleDef::V10(raw)).expect("valid module")
}

pub fn account(id: u32, balance: i64) -> ProductValue {
    ProductValue::new(vec![V::U32(id), V::I64(balance)])
}

/// The balance of an account row's BSATN (`id` u32, then `balance` i64).
pub fn balance(row: &[u8; 12]) -> i64 {
    i64::from_le_bytes(row[4..].try_into().expect("8 bytes"))
}

fn set_balance(row: &mut [u8; 12], balance: i64) {
    row[4..].copy_from_slice(&balance.to_le_bytes());
}

/// Inserts accounts `0..n`, each holding `balance`, in one transaction.
pub fn open_accounts(ds: &Datastore, n: u32, balance: i64) {
    let mut tx = ds.begin_mut();
    for id in 0..n {
        tx.insert(0, account(id, balance)).expect("insert");
    }
    tx.commit().expect("commit");
}

/// Picks transfer pairs among `accounts` accounts (xorshift: the same sequence every run).
pub struct Pairs {
    state: u64,
    accounts: u32,
}

impl Pairs {
    pub fn new(accounts: u32) -> Self {
        Self {
            state: 0x9e3779b97f4a7c15,
            accounts,
        }
    }

    fn next(&mut self) -> u32 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % self.accounts as u64) as u32
    }

    /// The next `(from, to)`.
    pub fn pair(&mut self) -> (u32, u32) {
        (self.next(), self.next())
    }
}

/// One transfer of 1 from `from` to `to`, as a module's `transfer` reducer does it through
/// the host: find both rows by primary key (row bytes out), change the balances, update both
/// by primary key (row bytes in), commit. Returns the transaction's offset.
pub fn transfer(ds: &Datastore, from: u32, to: u32) -> u64 {
    let (mut a, mut b) = ([0u8; 12], [0u8; 12]);
    let mut tx = ds.begin_mut();
    a.copy_from_slice(
        tx.get_unique(0, 0, &V::U32(from))
            .expect("seek")
            .expect("row"),
    );
    b.copy_from_slice(
        tx.get_unique(0, 0, &V::U32(to))
            .expect("seek")
            .expect("row"),
    );
    if from != to {
        let (from_balance, to_balance) = (balance(&a), balance(&b));
        set_balance(&mut a, from_balance - 1);
        set_balance(&mut b, to_balance + 1);
        tx.update_bsatn(0, 0, &a).expect("update");
        tx.update_bsatn(0, 0, &b).expect("update");
    }
    tx.commit().expect("commit").offset
}

/// Checks the bank afterwards: every account there, no money made or lost, some moved.
pub fn check_balances(ds: &Datastore, accounts: u32, each: i64) {
    let state = ds.read();
    let table = state.table(0).expect("accounts");
    let rows: Vec<[u8; 12]> = table
        .iter()
        .map(|(_, r)| r.try_into().expect("12-byte rows"))
        .collect();
    assert_eq!(rows.len(), accounts as usize);
    let total: i64 = rows.iter().map(balance).sum();
    assert_eq!(total, accounts as i64 * each, "balances must sum up");
    assert!(
        rows.iter().any(|r| balance(r) != each),
        "no transfer happened"
    );
}
