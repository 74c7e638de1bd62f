//! Names in a module: identifier rules, the case-conversion policy that turns source names
//! into canonical names, and the names generated for unnamed indexes, constraints, sequences
//! and schedules. Canonical names are what SQL, the wire protocol and system tables use.

use convert_case::{Case, Casing};
use unicode_normalization::UnicodeNormalization;

use super::raw_v10::CaseConversionPolicy;
use super::raw_v9::RawIndexAlgorithm;
use crate::sats::{AlgebraicType, ProductType};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("Empty identifiers are forbidden.")]
    Empty,
    #[error("identifier `{0}` is not in Unicode normalization form C")]
    NotCanonicalized(String),
    #[error("identifier `{name}` starts with '{c}', which is neither '_' nor a Unicode XID_Start character")]
    InvalidStart { name: String, c: char },
    #[error("identifier `{name}` contains '{c}', which is not a Unicode XID_Continue character")]
    InvalidContinue { name: String, c: char },
}

/// Checks SpacetimeDB's identifier rule: non-empty, NFC, `_` or XID_Start first, XID_Continue after.
pub fn check_identifier(name: &str) -> Result<(), IdentifierError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(IdentifierError::Empty);
    };
    if !name.chars().eq(name.nfc()) {
        return Err(IdentifierError::NotCanonicalized(name.to_owned()));
    }
    if first != '_' && !unicode_ident::is_xid_start(first) {
        return Err(IdentifierError::InvalidStart {
            name: name.to_owned(),
            c: first,
        });
    }
    if let Some(c) = chars.find(|&c| !unicode_ident::is_xid_continue(c)) {
        return Err(IdentifierError::InvalidContinue {
            name: name.to_owned(),
            c,
        });
    }
    Ok(())
}

/// What kind of entity a name belongs to; decides its case under `SnakeCase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// Tables, columns, reducers, procedures, views, parameters: `snake_case`.
    Snake,
    /// Type names and their scopes: `PascalCase`.
    Pascal,
    /// Enum variants: `camelCase`.
    Camel,
}

/// Applies the module's policy to a source name. `None` keeps names verbatim.
pub fn convert(source: &str, kind: NameKind, policy: CaseConversionPolicy) -> String {
    match policy {
        CaseConversionPolicy::None => source.to_owned(),
        CaseConversionPolicy::SnakeCase => source.to_case(match kind {
            NameKind::Snake => Case::Snake,
            NameKind::Pascal => Case::Pascal,
            NameKind::Camel => Case::Camel,
        }),
    }
}

/// Rewrites element names in a typespace type to their canonical form: product fields in
/// `snake_case`, sum variants in `camelCase`. Special types (identity, timestamp, option,
/// result, schedule-at …) keep their names and are not descended into. Refs are left alone
/// (every typespace entry is converted on its own).
pub fn convert_type_names(ty: &mut AlgebraicType, policy: CaseConversionPolicy) {
    if policy == CaseConversionPolicy::None || is_special(ty) {
        return;
    }
    match ty {
        AlgebraicType::Product(p) => {
            for e in &mut p.elements {
                if let Some(name) = &mut e.name {
                    *name = convert(name, NameKind::Snake, policy);
                }
                convert_type_names(&mut e.algebraic_type, policy);
            }
        }
        AlgebraicType::Sum(s) => {
            for v in &mut s.variants {
                if let Some(name) = &mut v.name {
                    *name = convert(name, NameKind::Camel, policy);
                }
                convert_type_names(&mut v.algebraic_type, policy);
            }
        }
        AlgebraicType::Array(elem) => convert_type_names(elem, policy),
        _ => {}
    }
}

fn is_special(ty: &AlgebraicType) -> bool {
    if ty.special_kind().is_some() || ty.as_option().is_some() || ty.is_schedule_at() {
        return true;
    }
    matches!(ty, AlgebraicType::Sum(s) if s.variants.len() == 2
        && s.variants[0].has_name("ok") && s.variants[1].has_name("err"))
}

/// The name of column `col` of `row`: its field name, or `col_{n}` if unnamed.
pub fn column_name(row: &ProductType, col: u16) -> String {
    row.elements
        .get(col as usize)
        .and_then(|e| e.name.clone())
        .unwrap_or_else(|| format!("col_{col}"))
}

fn joined_columns(row: &ProductType, cols: &[u16]) -> String {
    cols.iter()
        .map(|&c| column_name(row, c))
        .collect::<Vec<_>>()
        .join("_")
}

/// `{table}_{cols}_idx_{btree|hash|direct}`.
pub fn index_name(table: &str, row: &ProductType, algorithm: &RawIndexAlgorithm) -> String {
    let (cols, kind) = match algorithm {
        RawIndexAlgorithm::BTree(cols) => (joined_columns(row, cols), "btree"),
        RawIndexAlgorithm::Hash(cols) => (joined_columns(row, cols), "hash"),
        RawIndexAlgorithm::Direct(col) => (column_name(row, *col), "direct"),
    };
    format!("{table}_{cols}_idx_{kind}")
}

/// `{table}_{cols}_key`.
pub fn unique_constraint_name(table: &str, row: &ProductType, cols: &[u16]) -> String {
    format!("{table}_{}_key", joined_columns(row, cols))
}

/// `{table}_{col}_seq`.
pub fn sequence_name(table: &str, row: &ProductType, col: u16) -> String {
    format!("{table}_{}_seq", column_name(row, col))
}

/// `{table}_sched`.
pub fn schedule_name(table: &str) -> String {
    format!("{table}_sched")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_conversion_matches_spacetimedb_examples() {
        let snake = |s| convert(s, NameKind::Snake, CaseConversionPolicy::SnakeCase);
        assert_eq!(snake("FruitBasket"), "fruit_basket");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("userID"), "user_id");
        assert_eq!(snake("vec3"), "vec_3");
        assert_eq!(snake("_private"), "private");
        assert_eq!(snake("already_snake"), "already_snake");
        let pascal = |s| convert(s, NameKind::Pascal, CaseConversionPolicy::SnakeCase);
        assert_eq!(pascal("metaInfo"), "MetaInfo");
        let camel = |s| convert(s, NameKind::Camel, CaseConversionPolicy::SnakeCase);
        assert_eq!(camel("RedApple"), "redApple");
        assert_eq!(
            convert("FruitBasket", NameKind::Snake, CaseConversionPolicy::None),
            "FruitBasket"
        );
    }

    #[test]
    fn identifiers_follow_xid_rules() {
        assert!(check_identifier("player_2").is_ok());
        assert!(check_identifier("_x").is_ok());
        assert!(check_identifier("héllo").is_ok());
        assert_eq!(check_identifier(""), Err(IdentifierError::Empty));
        assert!(matches!(
            check_identifier("1abc"),
            Err(IdentifierError::InvalidStart { c: '1', .. })
        ));
        assert!(matches!(
            check_identifier("a.b"),
            Err(IdentifierError::InvalidContinue { c: '.', .. })
        ));
        // "e" + combining acute accent is not NFC.
        assert!(matches!(
            check_identifier("he\u{301}llo"),
            Err(IdentifierError::NotCanonicalized(_))
        ));
    }

    #[test]
    fn generated_names_use_column_names_or_positions() {
        let row = ProductType::named([("id", AlgebraicType::U32), ("name", AlgebraicType::String)]);
        let mut unnamed = row.clone();
        unnamed.elements[1].name = None;
        assert_eq!(
            index_name("user", &row, &RawIndexAlgorithm::BTree(vec![0, 1])),
            "user_id_name_idx_btree"
        );
        assert_eq!(
            index_name("user", &unnamed, &RawIndexAlgorithm::Direct(1)),
            "user_col_1_idx_direct"
        );
        assert_eq!(unique_constraint_name("user", &row, &[0]), "user_id_key");
        assert_eq!(sequence_name("user", &row, 0), "user_id_seq");
        assert_eq!(schedule_name("user"), "user_sched");
    }
}
