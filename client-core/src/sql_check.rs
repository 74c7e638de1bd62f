//! A first look at a query before it is sent: it must parse as one SQL `SELECT` (sqlparser,
//! the PostgreSQL dialect the server reads too). Whether its tables and columns exist is the
//! server's to say (a `SubscriptionError` or a failed `QueryResult`); this only turns typos
//! into an immediate error the engine can show where it made the call.

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Longer queries are refused here (the server's own limit is the same).
pub const MAX_QUERY_BYTES: usize = 128 * 1024;

/// Why `sql` cannot be a query.
pub fn check(sql: &str) -> Result<(), String> {
    if sql.len() > MAX_QUERY_BYTES {
        return Err(format!(
            "{} bytes of SQL, at most {MAX_QUERY_BYTES} are accepted",
            sql.len()
        ));
    }
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql)
        .map_err(|e| format!("`{sql}` is not valid SQL: {e}"))?;
    match statements.as_slice() {
        [Statement::Query(_)] => Ok(()),
        [] => Err("the query is empty".into()),
        [_] => Err(format!("`{sql}` is not a SELECT")),
        _ => Err(format!(
            "`{sql}` holds {} statements, not one",
            statements.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn selects_pass_and_typos_or_other_statements_do_not() {
        assert_eq!(check("SELECT * FROM player WHERE id = :sender"), Ok(()));
        assert_eq!(
            check("SELECT p.* FROM player p JOIN guild g ON p.guild = g.id"),
            Ok(())
        );
        assert!(check("SELEKT * FROM player")
            .unwrap_err()
            .contains("not valid SQL"));
        assert!(check("DELETE FROM player")
            .unwrap_err()
            .contains("not a SELECT"));
        assert!(check("").unwrap_err().contains("empty"));
        assert!(check("SELECT 1; SELECT 2")
            .unwrap_err()
            .contains("2 statements"));
        assert!(check(&"x".repeat(super::MAX_QUERY_BYTES + 1)).is_err());
    }
}
