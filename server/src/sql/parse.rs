//! From SQL text to [`Select`], our query form. Only what the executor runs is accepted;
//! everything else is refused with an error naming it.

use sqlparser::ast::{
    self, BinaryOperator, Expr as SqlExpr, FunctionArguments, LimitClause, SelectItem, SetExpr,
    TableFactor, UnaryOperator, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Longest SQL text one statement may have, in bytes. Queries and subscriptions are short;
/// the bound keeps what a stranger's text expands into (tokens, syntax tree) to a few MiB.
pub const MAX_SQL_BYTES: usize = 128 * 1024;

/// Most operators and keywords one statement may hold. A chain of `OR`s (or of any infix
/// operator) nests the syntax tree one level deeper per operator, and that tree, our
/// conditions and the predicates built from them are walked (and dropped) recursively; this
/// bound keeps the deepest walk within [`SQL_THREAD_STACK_BYTES`]. Keywords used as column
/// names (`text`, `name`) count too, so 4,096 allows ~1,300 `OR`ed comparisons.
pub const MAX_SQL_OPERATORS: usize = 4096;

/// Stack size of every thread that parses or runs client SQL (the HTTP runtime's threads and
/// the database threads): room for a tree [`MAX_SQL_OPERATORS`] deep with a wide margin,
/// in debug builds too. Reserved address space; only the pages touched are memory.
pub const SQL_THREAD_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Why a statement cannot run: the status is 400 for all of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    #[error("sql parser error: {0}")]
    Parse(String),
    #[error("Multiple SQL statements are not supported")]
    Multiple,
    #[error("Empty SQL query")]
    Empty,
    #[error("unsupported SQL: {0}")]
    Unsupported(String),
    #[error("no such table: `{0}`. If the table exists, it may be marked private.")]
    NoSuchTable(String),
    #[error("no such column: `{0}`")]
    NoSuchColumn(String),
    #[error("{0}")]
    Type(String),
    #[error("only the database's owner may insert, update or delete rows over SQL")]
    NotOwner,
    #[error("{0}")]
    Refused(String),
    #[error("the query is too large: {0}")]
    TooLarge(String),
    #[error("the query is too expensive and was stopped: {0}")]
    TooExpensive(String),
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A number as written.
    Number(String),
    String(String),
    Bool(bool),
    /// `0x…` or `X'…'`: bytes or a 256/128-bit value.
    Hex(String),
    /// `:sender`: the caller's identity.
    Sender,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp(String, Cmp, Literal),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

/// What a query returns. Column names may be qualified (`t.col`) by a table's name or alias.
#[derive(Debug, Clone, PartialEq)]
pub enum Projection {
    /// `*`, or `t.*` (one table's columns).
    All(Option<String>),
    /// Columns, each with the name it is returned under.
    Columns(Vec<(String, String)>),
    /// `COUNT(*)` under this name.
    Count(String),
}

/// A statement we run.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Select(Select),
    /// `INSERT INTO t [(cols)] VALUES (…), …` (owner only).
    Insert {
        table: String,
        /// Named columns, or empty for "all, in order".
        columns: Vec<String>,
        rows: Vec<Vec<Literal>>,
    },
    /// `DELETE FROM t [WHERE …]` (owner only).
    Delete {
        table: String,
        filter: Option<Cond>,
    },
    /// `UPDATE t SET col = literal, … [WHERE …]` (owner only).
    Update {
        table: String,
        sets: Vec<(String, Literal)>,
        filter: Option<Cond>,
    },
}

/// An inner join with a second table on an equality of one column of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    pub table: String,
    pub alias: Option<String>,
    /// The two sides of `ON a = b`.
    pub on: (String, String),
}

/// A `SELECT` from one table, or two joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub table: String,
    pub alias: Option<String>,
    pub join: Option<Join>,
    pub projection: Projection,
    pub filter: Option<Cond>,
    pub limit: Option<u64>,
}

fn unsupported(what: impl std::fmt::Display) -> SqlError {
    SqlError::Unsupported(what.to_string())
}

/// Parses one statement.
pub fn parse(sql: &str) -> Result<Statement, SqlError> {
    let statements = parse_bounded(sql)?;
    let statement = match statements.as_slice() {
        [] => return Err(SqlError::Empty),
        [one] => one,
        _ => return Err(SqlError::Multiple),
    };
    let query = match statement {
        ast::Statement::Query(q) => q,
        ast::Statement::Insert(insert) => return parse_insert(insert),
        ast::Statement::Delete(delete) => return parse_delete(delete),
        ast::Statement::Update(update) => return parse_update(update),
        other => {
            return Err(unsupported(format!(
                "only SELECT, INSERT, UPDATE and DELETE are supported, not `{other}`"
            )))
        }
    };
    if query.with.is_some() || query.order_by.is_some() || query.fetch.is_some() {
        return Err(unsupported("WITH, ORDER BY and FETCH are not supported"));
    }
    let limit = match &query.limit_clause {
        None => None,
        Some(LimitClause::LimitOffset {
            limit: Some(e),
            offset: None,
            limit_by,
        }) if limit_by.is_empty() => Some(limit_value(e)?),
        Some(LimitClause::LimitOffset {
            limit: None,
            offset: None,
            ..
        }) => None,
        Some(other) => return Err(unsupported(format!("`{other}`"))),
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Err(unsupported(
            "only a plain SELECT is supported (no UNION, VALUES, …)",
        ));
    };
    if select.distinct.is_some()
        || select.having.is_some()
        || !matches!(select.group_by, ast::GroupByExpr::Expressions(ref e, _) if e.is_empty())
    {
        return Err(unsupported(
            "DISTINCT, GROUP BY and HAVING are not supported",
        ));
    }
    let (table, alias, join) = from_clause(&select.from)?;
    let projection = projection(&select.projection)?;
    let filter = select.selection.as_ref().map(cond).transpose()?;
    Ok(Statement::Select(Select {
        table,
        alias,
        join,
        projection,
        filter,
        limit,
    }))
}

/// Tokenizes `sql`, refuses it past [`MAX_SQL_BYTES`] or [`MAX_SQL_OPERATORS`], then parses
/// the tokens. The operator count is taken before anything recursive sees the text.
fn parse_bounded(sql: &str) -> Result<Vec<ast::Statement>, SqlError> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(SqlError::TooLarge(format!(
            "{} bytes of SQL, at most {MAX_SQL_BYTES} are accepted",
            sql.len()
        )));
    }
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| SqlError::Parse(parser_message(e.into())))?;
    let operators = tokens.iter().filter(|t| is_operator(&t.token)).count();
    if operators > MAX_SQL_OPERATORS {
        return Err(SqlError::TooLarge(format!(
            "{operators} operators and keywords, at most {MAX_SQL_OPERATORS} are accepted"
        )));
    }
    Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| SqlError::Parse(parser_message(e)))
}

/// sqlparser's message without its own "sql parser error: " prefix, which `SqlError::Parse`
/// already says.
fn parser_message(e: sqlparser::parser::ParserError) -> String {
    use sqlparser::parser::ParserError as E;
    match e {
        E::TokenizerError(m) | E::ParserError(m) => m,
        E::RecursionLimitExceeded => "the statement nests too deeply".into(),
    }
}

/// Whether a token can join two expressions (or follow one), so that a run of them could nest
/// the syntax tree: everything but names, literals, separators and brackets. Counting too
/// much (an unusual literal, a keyword used as a name) only makes the bound stricter.
fn is_operator(token: &Token) -> bool {
    match token {
        Token::Word(w) => w.quote_style.is_none() && w.keyword != Keyword::NoKeyword,
        Token::Whitespace(_)
        | Token::EOF
        | Token::Number(..)
        | Token::SingleQuotedString(_)
        | Token::HexStringLiteral(_)
        | Token::Placeholder(_)
        | Token::Comma
        | Token::LParen
        | Token::RParen
        | Token::Period
        | Token::SemiColon => false,
        _ => true,
    }
}

/// A table and its alias.
fn named(relation: &TableFactor) -> Result<(String, Option<String>), SqlError> {
    match relation {
        TableFactor::Table { name, alias, .. } => Ok((
            object_name(name)?,
            alias.as_ref().map(|a| a.name.value.clone()),
        )),
        other => Err(unsupported(format!("FROM `{other}`"))),
    }
}

/// `FROM t [AS a] [[INNER] JOIN s [AS b] ON x = y]`.
fn from_clause(
    from: &[ast::TableWithJoins],
) -> Result<(String, Option<String>, Option<Join>), SqlError> {
    let [one] = from else {
        return Err(unsupported(if from.is_empty() {
            "a SELECT needs FROM"
        } else {
            "a comma join (use JOIN … ON)"
        }));
    };
    let (table, alias) = named(&one.relation)?;
    let join = match one.joins.as_slice() {
        [] => None,
        [j] => {
            let constraint = match &j.join_operator {
                ast::JoinOperator::Join(c) | ast::JoinOperator::Inner(c) => c,
                other => {
                    return Err(unsupported(format!(
                        "`{other:?}`: only inner joins are supported"
                    )))
                }
            };
            let ast::JoinConstraint::On(SqlExpr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            }) = constraint
            else {
                return Err(unsupported("a join needs `ON a.col = b.col`"));
            };
            let (table, alias) = named(&j.relation)?;
            Some(Join {
                table,
                alias,
                on: (column(left)?, column(right)?),
            })
        }
        _ => return Err(unsupported("more than one join")),
    };
    Ok((table, alias, join))
}

fn one_table(from: &[ast::TableWithJoins]) -> Result<String, SqlError> {
    match from {
        [one] if one.joins.is_empty() => match &one.relation {
            TableFactor::Table { name, .. } => object_name(name),
            other => Err(unsupported(format!("`{other}`"))),
        },
        _ => Err(unsupported("one table at a time")),
    }
}

fn parse_insert(insert: &ast::Insert) -> Result<Statement, SqlError> {
    let ast::TableObject::TableName(name) = &insert.table else {
        return Err(unsupported("INSERT into a table function"));
    };
    let table = object_name(name)?;
    let columns = insert
        .columns
        .iter()
        .map(object_name)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(source) = &insert.source else {
        return Err(unsupported("INSERT without VALUES"));
    };
    let SetExpr::Values(values) = source.body.as_ref() else {
        return Err(unsupported("INSERT … SELECT"));
    };
    let rows = values
        .rows
        .iter()
        .map(|row| {
            row.content
                .iter()
                .map(literal)
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Statement::Insert {
        table,
        columns,
        rows,
    })
}

fn parse_delete(delete: &ast::Delete) -> Result<Statement, SqlError> {
    let from = match &delete.from {
        ast::FromTable::WithFromKeyword(t) | ast::FromTable::WithoutKeyword(t) => t,
    };
    Ok(Statement::Delete {
        table: one_table(from)?,
        filter: delete.selection.as_ref().map(cond).transpose()?,
    })
}

fn parse_update(update: &ast::Update) -> Result<Statement, SqlError> {
    let table = one_table(std::slice::from_ref(&update.table))?;
    let sets = update
        .assignments
        .iter()
        .map(|a| match &a.target {
            ast::AssignmentTarget::ColumnName(name) => Ok((object_name(name)?, literal(&a.value)?)),
            other => Err(unsupported(format!("SET {other}"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Statement::Update {
        table,
        sets,
        filter: update.selection.as_ref().map(cond).transpose()?,
    })
}

fn object_name(name: &ast::ObjectName) -> Result<String, SqlError> {
    match name.0.as_slice() {
        [ast::ObjectNamePart::Identifier(id)] => Ok(id.value.clone()),
        _ => Err(unsupported(format!("the table name `{name}`"))),
    }
}

fn limit_value(e: &SqlExpr) -> Result<u64, SqlError> {
    match e {
        SqlExpr::Value(v) => match &v.value {
            Value::Number(n, _) => n
                .parse()
                .map_err(|_| SqlError::Type(format!("LIMIT {n} is not a row count"))),
            other => Err(SqlError::Type(format!("LIMIT {other} is not a row count"))),
        },
        other => Err(SqlError::Type(format!("LIMIT {other} is not a row count"))),
    }
}

fn projection(items: &[SelectItem]) -> Result<Projection, SqlError> {
    match items {
        [SelectItem::Wildcard(_)] => return Ok(Projection::All(None)),
        [SelectItem::QualifiedWildcard(
            ast::SelectItemQualifiedWildcardKind::ObjectName(name),
            _,
        )] => return Ok(Projection::All(Some(object_name(name)?))),
        _ => {}
    }
    let mut columns = Vec::new();
    for item in items {
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            other => return Err(unsupported(format!("the projection `{other}`"))),
        };
        if let SqlExpr::Function(f) = expr {
            let is_count_star = object_name(&f.name).is_ok_and(|n| n.eq_ignore_ascii_case("count"))
                && matches!(&f.args, FunctionArguments::List(l)
                    if matches!(l.args.as_slice(), [ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Wildcard)]));
            if is_count_star && items.len() == 1 {
                return Ok(Projection::Count(alias.unwrap_or_else(|| "count".into())));
            }
            return Err(unsupported(format!(
                "the function `{f}` (only COUNT(*) alone is supported)"
            )));
        }
        let name = column(expr)?;
        let shown = name.rsplit('.').next().unwrap_or(&name).to_owned();
        columns.push((name, alias.unwrap_or(shown)));
    }
    Ok(Projection::Columns(columns))
}

/// A column reference: `col` or `table.col`.
fn column(e: &SqlExpr) -> Result<String, SqlError> {
    match e {
        SqlExpr::Identifier(id) => Ok(id.value.clone()),
        SqlExpr::CompoundIdentifier(parts) if parts.len() == 2 => match parts.as_slice() {
            [table, col] => Ok(format!("{}.{}", table.value, col.value)),
            _ => Err(unsupported(format!("the column `{e}`"))),
        },
        // A table named like a niladic SQL function (`user`, as in the chat sample): the
        // parser reads `user.identity` as a field of a call to `USER`.
        SqlExpr::CompoundFieldAccess { root, access_chain } => {
            match (root.as_ref(), access_chain.as_slice()) {
                (SqlExpr::Function(f), [ast::AccessExpr::Dot(SqlExpr::Identifier(c))])
                    if matches!(f.args, ast::FunctionArguments::None) && f.name.0.len() == 1 =>
                {
                    Ok(format!("{}.{}", f.name, c.value))
                }
                _ => Err(unsupported(format!("`{e}` where a column was expected"))),
            }
        }
        other => Err(unsupported(format!(
            "`{other}` where a column was expected"
        ))),
    }
}

fn literal(e: &SqlExpr) -> Result<Literal, SqlError> {
    match e {
        SqlExpr::Value(v) => match &v.value {
            // PostgreSQL's dialect reads `0x…` as a number.
            Value::Number(n, _) if n.starts_with("0x") || n.starts_with("0X") => {
                Ok(Literal::Hex(n[2..].to_owned()))
            }
            Value::Number(n, _) => Ok(Literal::Number(n.clone())),
            Value::SingleQuotedString(s) => Ok(Literal::String(s.clone())),
            Value::Boolean(b) => Ok(Literal::Bool(*b)),
            Value::HexStringLiteral(h) => Ok(Literal::Hex(h.clone())),
            Value::Placeholder(p) if p == ":sender" => Ok(Literal::Sender),
            other => Err(unsupported(format!("the literal {other}"))),
        },
        SqlExpr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Literal::Number(n) => Ok(Literal::Number(format!("-{n}"))),
            _ => Err(unsupported(format!("`{e}`"))),
        },
        SqlExpr::Nested(inner) => literal(inner),
        other => Err(unsupported(format!(
            "`{other}` where a literal was expected"
        ))),
    }
}

fn cond(e: &SqlExpr) -> Result<Cond, SqlError> {
    match e {
        SqlExpr::Nested(inner) => cond(inner),
        SqlExpr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => Ok(Cond::Not(Box::new(cond(expr)?))),
        SqlExpr::BinaryOp { left, op, right } => {
            let cmp = match op {
                BinaryOperator::And => {
                    return Ok(Cond::And(Box::new(cond(left)?), Box::new(cond(right)?)))
                }
                BinaryOperator::Or => {
                    return Ok(Cond::Or(Box::new(cond(left)?), Box::new(cond(right)?)))
                }
                BinaryOperator::Eq => Cmp::Eq,
                BinaryOperator::NotEq => Cmp::Ne,
                BinaryOperator::Lt => Cmp::Lt,
                BinaryOperator::LtEq => Cmp::Le,
                BinaryOperator::Gt => Cmp::Gt,
                BinaryOperator::GtEq => Cmp::Ge,
                other => return Err(unsupported(format!("the operator `{other}`"))),
            };
            // `column op literal`, or `literal op column` (flipped).
            match (column(left), column(right)) {
                (Ok(c), _) => Ok(Cond::Cmp(c, cmp, literal(right)?)),
                (_, Ok(c)) => Ok(Cond::Cmp(c, flip(cmp), literal(left)?)),
                (Err(e), _) => Err(e),
            }
        }
        other => Err(unsupported(format!("the condition `{other}`"))),
    }
}

fn flip(c: Cmp) -> Cmp {
    match c {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        same => same,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(sql: &str) -> Select {
        match parse(sql).unwrap() {
            Statement::Select(s) => s,
            other => panic!("not a select: {other:?}"),
        }
    }

    #[test]
    fn selects_parse_into_our_form() {
        let s = select(
            "SELECT * FROM message WHERE sender = :sender AND NOT (n > 3 OR 5 <= n) LIMIT 10",
        );
        assert_eq!(s.table, "message");
        assert_eq!(s.projection, Projection::All(None));
        assert_eq!(s.limit, Some(10));
        let Some(Cond::And(l, r)) = s.filter else {
            panic!()
        };
        assert_eq!(*l, Cond::Cmp("sender".into(), Cmp::Eq, Literal::Sender));
        let Cond::Not(inner) = *r else { panic!() };
        let Cond::Or(a, b) = *inner else { panic!() };
        assert_eq!(
            *a,
            Cond::Cmp("n".into(), Cmp::Gt, Literal::Number("3".into()))
        );
        assert_eq!(
            *b,
            Cond::Cmp("n".into(), Cmp::Ge, Literal::Number("5".into())),
            "flipped"
        );
        assert_eq!(
            select("select count(*) as n from t").projection,
            Projection::Count("n".into())
        );
        assert_eq!(
            select("SELECT t.a, b AS bee FROM t").projection,
            Projection::Columns(vec![("t.a".into(), "a".into()), ("b".into(), "bee".into())])
        );
    }

    #[test]
    fn joins_parse_into_our_form() {
        let s = select("SELECT m.* FROM message AS m JOIN user u ON m.sender = u.identity WHERE u.online = true");
        assert_eq!(s.projection, Projection::All(Some("m".into())));
        assert_eq!(
            (s.table.as_str(), s.alias.as_deref()),
            ("message", Some("m"))
        );
        let join = s.join.unwrap();
        assert_eq!(
            (join.table.as_str(), join.alias.as_deref()),
            ("user", Some("u"))
        );
        assert_eq!(join.on, ("m.sender".into(), "u.identity".into()));
    }

    #[test]
    fn dml_parses_into_our_form() {
        assert_eq!(
            parse("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')").unwrap(),
            Statement::Insert {
                table: "t".into(),
                columns: vec!["a".into(), "b".into()],
                rows: vec![
                    vec![Literal::Number("1".into()), Literal::String("x".into())],
                    vec![Literal::Number("2".into()), Literal::String("y".into())],
                ],
            }
        );
        assert!(matches!(
            parse("DELETE FROM t"),
            Ok(Statement::Delete { filter: None, .. })
        ));
        assert!(matches!(
            parse("UPDATE t SET a = 5 WHERE b = 'x'"),
            Ok(Statement::Update { ref sets, filter: Some(_), .. }) if sets.len() == 1
        ));
    }

    #[test]
    fn what_is_not_supported_says_so() {
        assert_eq!(parse("SELECT 1; SELECT 2"), Err(SqlError::Multiple));
        assert!(
            matches!(parse("SELEC * FROM t"), Err(SqlError::Parse(m)) if m.contains("Line: 1"))
        );
        assert!(
            matches!(parse("SELECT a.* FROM a LEFT JOIN b ON a.x = b.y"), Err(SqlError::Unsupported(m)) if m.contains("inner joins"))
        );
        assert!(matches!(
            parse("INSERT INTO t SELECT * FROM u"),
            Err(SqlError::Unsupported(_))
        ));
        assert!(matches!(
            parse("SELECT * FROM t WHERE a LIKE 'x'"),
            Err(SqlError::Unsupported(_))
        ));
    }
}
