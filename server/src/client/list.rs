//! `list`: the databases the default identity owns on a server, with their names and whether
//! they run (or why they failed to open), from `GET /v1/identity/:identity/databases`.

use super::commands::Client;
use super::config::Config;
use super::error::CliError;

/// One database as the listing prints it.
struct Row {
    names: String,
    identity: String,
    status: String,
}

/// `list`: a table of the default identity's databases, or a line saying there are none.
pub fn list(config: &Config, client: &Client) -> Result<String, CliError> {
    let owner = config
        .default_token()
        .map(|i| i.identity.clone())
        .ok_or_else(|| CliError::Usage("there is no default identity".into()))?;
    let body = client.ok(
        "GET",
        &format!("/v1/identity/{owner}/databases"),
        None,
        Vec::new(),
    )?;
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    let rows: Vec<Row> = match v.get("databases").and_then(|d| d.as_array()) {
        Some(details) => details.iter().map(row).collect(),
        // A server that sends SpacetimeDB's reply only: identities, status unknown.
        None => v
            .get("identities")
            .and_then(|d| d.as_array())
            .ok_or_else(|| CliError::UnexpectedReply(body.clone()))?
            .iter()
            .map(|id| Row {
                names: String::new(),
                identity: id.as_str().unwrap_or_default().to_owned(),
                status: "?".into(),
            })
            .collect(),
    };
    if rows.is_empty() {
        return Ok(format!(
            "{owner} owns no databases on {}\n  hint: `lightcone publish <name>`\n",
            client.url
        ));
    }
    Ok(table(&rows))
}

fn row(d: &serde_json::Value) -> Row {
    let text = |key: &str| d.get(key).and_then(|v| v.as_str()).unwrap_or_default();
    let names: Vec<&str> = d
        .get("names")
        .and_then(|n| n.as_array())
        .map(|n| n.iter().filter_map(|s| s.as_str()).collect())
        .unwrap_or_default();
    let status = match (text("status"), text("error")) {
        ("failed", why) => format!("failed to open: {why}"),
        (status, _) => status.to_owned(),
    };
    Row {
        names: if names.is_empty() {
            "(unnamed)".into()
        } else {
            names.join(", ")
        },
        identity: text("identity").to_owned(),
        status,
    }
}

/// Columns padded to their widest cell; the status (last) is not padded.
fn table(rows: &[Row]) -> String {
    let name_width = rows
        .iter()
        .map(|r| r.names.len())
        .chain([4])
        .max()
        .unwrap_or(4);
    let id_width = rows
        .iter()
        .map(|r| r.identity.len())
        .chain([8])
        .max()
        .unwrap_or(8);
    let mut out = format!("{:name_width$}  {:id_width$}  STATUS\n", "NAME", "IDENTITY");
    for r in rows {
        out.push_str(&format!(
            "{:name_width$}  {:id_width$}  {}\n",
            r.names, r.identity, r.status
        ));
    }
    out
}
