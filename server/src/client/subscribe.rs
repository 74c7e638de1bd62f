//! `subscribe <db> <query>…`: subscribes to SQL queries over a WebSocket (our client core's
//! v2 connection) and prints every row change as it arrives — per transaction, a table of the
//! changed rows of each table with an `op` column (`+` inserted, `-` deleted, `event` for an
//! event table's rows), or with `--json` one object per change: `{"table", "op", "row"}`,
//! the row as typed SATS-JSON. Rows are decoded with the database's schema (`…/schema`).

use std::io::Write;
use std::time::Duration;

use lightcone_client_core::protocol::json::{value_to_string, write_typed_value};
use lightcone_client_core::protocol::moduledef::ModuleDef;
use lightcone_client_core::protocol::sats::AlgebraicValue;
use lightcone_client_core::protocol::ws::row_list::BsatnRowList;
use lightcone_client_core::protocol::ws::v2::{
    ClientMessage, QuerySetId, ServerMessage, Subscribe, TableUpdateRows,
};
use lightcone_client_core::{ClientError, ConnectOptions, Connection};

use super::commands::{cell, fetch_module_def, render_table, Client};
use super::error::CliError;

/// The start of the line (on stderr) saying the subscription is in place.
pub const SUBSCRIBED: &str = "Subscribed to";

/// What `subscribe` was asked for.
pub struct SubscribeArgs<'a> {
    pub db: &'a str,
    pub queries: &'a [String],
    /// One JSON object per change instead of tables.
    pub json: bool,
    /// Print the rows the queries match now, before the changes.
    pub print_initial: bool,
    /// Stop after this many transactions (`None`: until interrupted).
    pub updates: Option<usize>,
    /// Stop when nothing arrives for this long (`None`: wait for ever).
    pub timeout: Option<Duration>,
}

/// One changed row, ready to print.
struct Change<'a> {
    table: &'a str,
    op: &'static str,
    row: bytes::Bytes,
}

/// Runs `subscribe` until it has printed `args.updates` transactions, the timeout passes, or
/// the connection ends.
pub fn subscribe(client: &Client, args: &SubscribeArgs) -> Result<(), CliError> {
    let def = fetch_module_def(client, args.db)?;
    let options = ConnectOptions {
        token: client.token.clone(),
        ..Default::default()
    };
    let mut conn =
        Connection::connect(&client.url, args.db, &options).map_err(|e| connection(client, e))?;
    conn.set_timeout(args.timeout)
        .map_err(|e| connection(client, e))?;
    conn.send(&ClientMessage::Subscribe(Subscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        query_strings: args.queries.iter().map(|q| q.as_str().into()).collect(),
    }))
    .map_err(|e| connection(client, e))?;
    let mut out = std::io::stdout().lock();
    let mut printed = 0usize;
    while args.updates.is_none_or(|n| printed < n) {
        let message = match conn.recv() {
            Ok(m) => m,
            Err(ClientError::Timeout) => {
                return Err(CliError::Usage(format!(
                    "no change arrived in {} s",
                    args.timeout.map_or(0, |t| t.as_secs())
                )))
            }
            Err(e) => return Err(connection(client, e)),
        };
        let mut changes = Vec::new();
        match &message {
            ServerMessage::SubscribeApplied(applied) => {
                // On stderr, so stdout holds only changes; scripts wait for this line.
                eprintln!(
                    "{SUBSCRIBED} {} {}; waiting for changes (Ctrl-C stops)",
                    args.queries.len(),
                    if args.queries.len() == 1 {
                        "query"
                    } else {
                        "queries"
                    }
                );
                if args.print_initial {
                    for t in &applied.rows.tables {
                        rows_of(&t.table, "+", &t.rows, &mut changes)?;
                    }
                }
            }
            ServerMessage::SubscriptionError(e) => {
                return Err(CliError::Usage(format!(
                    "the server refused the subscription: {}",
                    e.error
                )))
            }
            ServerMessage::TransactionUpdate(update) => {
                for set in &update.query_sets {
                    for table in &set.tables {
                        for rows in &table.rows {
                            match rows {
                                TableUpdateRows::PersistentTable(r) => {
                                    rows_of(&table.table_name, "+", &r.inserts, &mut changes)?;
                                    rows_of(&table.table_name, "-", &r.deletes, &mut changes)?;
                                }
                                TableUpdateRows::EventTable(r) => {
                                    rows_of(&table.table_name, "event", &r.events, &mut changes)?;
                                }
                            }
                        }
                    }
                }
                printed += 1;
            }
            _ => {}
        }
        let text = render(&def, &changes, args.json);
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Usage(format!("writing the changes: {e}")))?;
    }
    Ok(())
}

/// Adds the rows of `list` to `changes`.
fn rows_of<'a>(
    table: &'a str,
    op: &'static str,
    list: &BsatnRowList,
    changes: &mut Vec<Change<'a>>,
) -> Result<(), CliError> {
    let rows = list
        .rows()
        .map_err(|e| CliError::UnexpectedReply(format!("rows of `{table}`: {e}")))?;
    changes.extend(rows.into_iter().map(|row| Change { table, op, row }));
    Ok(())
}

/// The changes as text: a table per table, or JSON lines.
fn render(def: &ModuleDef, changes: &[Change], json: bool) -> String {
    let mut out = String::new();
    if json {
        for c in changes {
            let mut row = String::new();
            match decode(def, c) {
                Some((value, ty)) => {
                    if write_typed_value(&value, &ty, &def.typespace, &mut row).is_err() {
                        row = value_to_string(&value);
                    }
                }
                None => row = serde_json::Value::String(hex(&c.row)).to_string(),
            }
            let table = serde_json::Value::String(c.table.to_owned());
            let op = match c.op {
                "+" => "insert",
                "-" => "delete",
                other => other,
            };
            out.push_str(&format!(
                "{{\"table\":{table},\"op\":\"{op}\",\"row\":{row}}}\n"
            ));
        }
        return out;
    }
    let mut tables: Vec<&str> = changes.iter().map(|c| c.table).collect();
    tables.dedup();
    for table in tables {
        let of_table: Vec<&Change> = changes.iter().filter(|c| c.table == table).collect();
        let columns: Vec<String> = def
            .tables
            .iter()
            .find(|t| t.name == table)
            .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_else(|| vec!["row (hex)".into()]);
        let mut headers = vec!["op".to_owned()];
        headers.extend(columns);
        let rows: Vec<Vec<String>> = of_table
            .iter()
            .map(|c| {
                let mut cells = vec![c.op.to_owned()];
                match decode(def, c) {
                    Some((AlgebraicValue::Product(p), _)) => {
                        cells.extend(p.elements.iter().map(|v| {
                            serde_json::from_str(&value_to_string(v))
                                .map_or_else(|_| value_to_string(v), |j| cell(&j))
                        }))
                    }
                    _ => cells.push(hex(&c.row)),
                }
                cells
            })
            .collect();
        out.push_str(&format!("{table}\n"));
        out.push_str(&render_table(&headers, &rows));
    }
    out
}

/// The row decoded with its table's type, and that type.
fn decode(
    def: &ModuleDef,
    c: &Change,
) -> Option<(
    AlgebraicValue,
    lightcone_client_core::protocol::sats::AlgebraicType,
)> {
    let table = def.tables.iter().find(|t| t.name == c.table)?;
    let ty = lightcone_client_core::protocol::sats::AlgebraicType::Product(table.row_type.clone());
    let value = AlgebraicValue::decode_exact(&ty, &def.typespace, &c.row).ok()?;
    Some((value, ty))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A connection failure as the CLI says it.
fn connection(client: &Client, e: ClientError) -> CliError {
    match e {
        ClientError::Refused { status, body } => CliError::Answered {
            status,
            body: body.trim().to_owned(),
        },
        other => CliError::Unreachable {
            url: client.url.clone(),
            reason: other.to_string(),
        },
    }
}
