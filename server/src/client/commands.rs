//! What each client subcommand does. Each returns a [`CliError`] for a failure (one clear
//! line, maybe followed by a hint line); `main` prints it and exits with status 1.

// `serde_json::Value` is indexed by key or position throughout: its `Index` answers `Null`
// for anything missing, it never panics.
#![allow(clippy::indexing_slicing)]

use std::path::Path;

use lightcone_protocol::moduledef::ModuleDef;

use super::config::{Config, ServerEntry};
use super::error::CliError;

/// A client for one server, with the default identity's token (creating an identity on first
/// use, as SpacetimeDB's CLI does).
#[derive(Clone)]
pub struct Client {
    pub url: String,
    agent: ureq::Agent,
    pub(crate) token: Option<String>,
}

/// Characters a path segment keeps as they are (RFC 3986's unreserved ones); every other byte
/// is percent-encoded, so a name with a space or a slash reaches the server, which says what
/// is wrong with it, instead of making a URI that cannot be sent.
const SEGMENT_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `s` as one path segment of a URL.
pub fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SEGMENT_KEEPS).to_string()
}

/// A server's answer.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// The body of a 2xx answer; any other is [`CliError::Answered`].
    pub fn into_ok(self) -> Result<String, CliError> {
        if (200..300).contains(&self.status) {
            Ok(self.body)
        } else {
            Err(self.refused())
        }
    }

    /// The answer as the error the CLI shows for it.
    pub fn refused(self) -> CliError {
        CliError::Answered {
            status: self.status,
            body: self.body.trim().to_owned(),
        }
    }
}

impl Client {
    /// A client for `server` (a configured name or a URL; the default server if `None`).
    pub fn new(config: &Config, server: Option<&str>, anonymous: bool) -> Result<Self, CliError> {
        let url = config.server_url(server)?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let token = (!anonymous)
            .then(|| config.default_token().map(|i| i.token.clone()))
            .flatten();
        Ok(Self { url, agent, token })
    }

    /// A client for `server` that sends `token`.
    pub fn with_token(
        config: &Config,
        server: Option<&str>,
        token: String,
    ) -> Result<Self, CliError> {
        let mut client = Self::new(config, server, true)?;
        client.token = Some(token);
        Ok(client)
    }

    /// The request `method path` with the token, `content_type` and `body`.
    pub(crate) fn request<B>(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: B,
    ) -> Result<ureq::http::Request<B>, CliError> {
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        // A request that cannot be made is not the server's fault.
        req.body(body)
            .map_err(|e| CliError::Usage(format!("cannot send {method} {path}: {e}")))
    }

    /// Runs `req`; `Err` only when the server cannot be reached.
    pub(crate) fn run(
        &self,
        req: ureq::http::Request<impl ureq::AsSendBody>,
    ) -> Result<ureq::http::Response<ureq::Body>, CliError> {
        self.agent
            .run(req)
            .map_err(|e| self.unreachable(e.to_string()))
    }

    pub(crate) fn unreachable(&self, reason: String) -> CliError {
        CliError::Unreachable {
            url: self.url.clone(),
            reason,
        }
    }

    /// Sends a request; `Err` only when the server cannot be reached.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Answer, CliError> {
        let mut resp = self.run(self.request(method, path, content_type, body)?)?;
        Ok(Answer {
            status: resp.status().as_u16(),
            body: resp.body_mut().read_to_string().unwrap_or_default(),
        })
    }

    /// `GET path`, requiring a 2xx answer; its body as bytes (at most `limit`).
    pub fn get_bytes(&self, path: &str, limit: u64) -> Result<Vec<u8>, CliError> {
        let mut resp = self.run(self.request("GET", path, None, Vec::new())?)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.body_mut().read_to_string().unwrap_or_default();
            return Err(Answer { status, body }.refused());
        }
        resp.body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| self.unreachable(format!("reading the reply: {e}")))
    }

    /// Sends a request and requires a 2xx answer.
    pub fn ok(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<String, CliError> {
        self.send(method, path, content_type, body)?.into_ok()
    }
}

/// Makes sure there is a default identity for the server, creating one if needed.
pub fn ensure_identity(config: &mut Config, server: Option<&str>) -> Result<(), CliError> {
    if config.default_token().is_some() {
        return Ok(());
    }
    super::identities::identity_new(config, server, true)?;
    Ok(())
}

/// `server add <name> <url>`.
pub fn server_add(
    config: &mut Config,
    name: &str,
    url: &str,
    make_default: bool,
) -> Result<(), CliError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CliError::Usage(format!("`{url}` is not an http(s) URL")));
    }
    config.servers.insert(
        name.to_owned(),
        ServerEntry {
            url: url.to_owned(),
        },
    );
    if make_default {
        config.default_server = name.to_owned();
    }
    config.save()
}

/// `server list`.
pub fn server_list(config: &Config) -> String {
    config
        .servers
        .iter()
        .map(|(name, s)| {
            let mark = if *name == config.default_server {
                "*"
            } else {
                " "
            };
            format!("{mark} {name}  {}\n", s.url)
        })
        .collect()
}

/// `server ping [name]`: whether the server answers `/v1/ping`.
pub fn server_ping(config: &Config, name: Option<&str>) -> Result<String, CliError> {
    let client = Client::new(config, name, true)?;
    client.ok("GET", "/v1/ping", None, Vec::new())?;
    Ok(format!("{} is up", client.url))
}

/// `server remove <name>`.
pub fn server_remove(config: &mut Config, name: &str) -> Result<(), CliError> {
    if config.servers.remove(name).is_none() {
        return Err(unknown_server(name));
    }
    if config.default_server == name {
        config.default_server = config.servers.keys().next().cloned().unwrap_or_default();
    }
    config.save()
}

/// `server set-default <name>`.
pub fn server_set_default(config: &mut Config, name: &str) -> Result<(), CliError> {
    if !config.servers.contains_key(name) {
        return Err(unknown_server(name));
    }
    config.default_server = name.to_owned();
    config.save()
}

fn unknown_server(name: &str) -> CliError {
    CliError::Usage(format!(
        "no server called `{name}`\n  hint: `lightcone server list` shows the known ones"
    ))
}

/// `publish`: builds the module (unless given a wasm file) and publishes it as `name`.
pub fn publish(client: &Client, name: &str, wasm: &[u8], clear: bool) -> Result<String, CliError> {
    let path = if clear {
        format!("/v1/database/{}?clear=true", segment(name))
    } else {
        format!("/v1/database/{}", segment(name))
    };
    let body = super::upload_progress::ok_with_progress(
        client,
        "PUT",
        &path,
        Some("application/wasm"),
        wasm,
    )?;
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    let success = &v["Success"];
    let identity = success["database_identity"].as_str().unwrap_or_default();
    Ok(match success["op"].as_str() {
        Some("created") => format!("Created new database with name: {name}, identity: {identity}"),
        _ if clear => format!(
            "Cleared and updated database with name: {name}, identity: {identity} (every row was deleted first)"
        ),
        _ => format!("Updated database with name: {name}, identity: {identity}"),
    })
}

/// Reads a wasm file, or builds the module crate in `project` (printing progress to stderr).
pub fn module_bytes(wasm: Option<&Path>, project: &Path) -> Result<Vec<u8>, CliError> {
    if let Some(file) = wasm {
        return std::fs::read(file).map_err(CliError::file("reading", file));
    }
    let built = build(project)?;
    std::fs::read(&built).map_err(CliError::file("reading", &built))
}

/// The definition of the module in `wasm`, read by running it (as publishing does).
pub fn describe_wasm(wasm: &[u8]) -> Result<ModuleDef, CliError> {
    let engine = lightcone_host::HostEngine::new(lightcone_host::HostConfig::default())
        .map_err(|e| CliError::Usage(format!("cannot start the wasm engine: {e}")))?;
    let (_, def) = lightcone_host::ModuleHost::load(&engine, wasm)
        .map_err(|e| CliError::Usage(format!("the module cannot be described: {e}")))?;
    Ok(def)
}

/// The definition of the module running as database `db`, read from its schema
/// (`GET /v1/database/:db/schema?version=9`, which SpacetimeDB serves in the same shape).
pub fn fetch_module_def(client: &Client, db: &str) -> Result<ModuleDef, CliError> {
    let body = client.ok(
        "GET",
        &format!("/v1/database/{}/schema?version=9", segment(db)),
        None,
        Vec::new(),
    )?;
    let unexpected = |what: String| {
        CliError::UnexpectedReply(format!("the schema of `{db}` cannot be read: {what}"))
    };
    let raw = lightcone_protocol::json::parse_module_def_v9(&body)
        .map_err(|e| unexpected(e.to_string()))?;
    ModuleDef::validate(lightcone_protocol::moduledef::RawModuleDef::V9(raw))
        .map_err(|e| unexpected(e.to_string()))
}

/// `generate`: client code for `def` in `lang` written to `out_dir`; the names of the files
/// written.
pub fn generate(
    def: &ModuleDef,
    lang: &str,
    namespace: &str,
    out_dir: &Path,
) -> Result<Vec<String>, CliError> {
    let files = crate::codegen::generate(def, lang, namespace)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    std::fs::create_dir_all(out_dir).map_err(CliError::file("creating", out_dir))?;
    let mut names = Vec::new();
    for f in files {
        let path = out_dir.join(&f.name);
        std::fs::write(&path, &f.text).map_err(CliError::file("writing", &path))?;
        names.push(f.name);
    }
    Ok(names)
}

/// `build`: compiles the module in `project` to wasm, showing progress and the compiler's
/// warnings and errors as they come (`build_progress.rs`). A failed build ends with one line
/// saying so; the compiler's errors are above it.
pub fn build(project: &Path) -> Result<std::path::PathBuf, CliError> {
    use lightcone_modbuild::BuildError;
    // Absolute, so the target directory below does not get resolved against the crate twice.
    let project = &std::path::absolute(project).map_err(CliError::file("resolving", project))?;
    eprintln!("Building the module in {} …", project.display());
    // The crate's own target dir, unless the user points cargo elsewhere.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| project.join("target"));
    let mut progress = super::build_progress::BuildProgress::new();
    let colours = progress.colours();
    let result =
        lightcone_modbuild::build_with(project, &target, colours, &mut |event| progress.on(event));
    progress.finish();
    let count = super::build_progress::BuildProgress::count;
    match result {
        Ok(wasm) => {
            eprintln!(
                "Built {} ({})",
                wasm.display(),
                count(progress.warnings, "warning")
            );
            Ok(wasm)
        }
        Err(BuildError::Cargo { code, .. } | BuildError::CMake { code, .. }) => {
            let exit = code.map_or_else(|| "was stopped".into(), |c| format!("exited with {c}"));
            let errors = match progress.errors {
                0 => format!("the compiler {exit}"),
                n => format!("{} (shown above)", count(n, "error")),
            };
            Err(CliError::Usage(format!(
                "the module in {} did not build: {errors}",
                project.display()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// `call <db> <reducer> [args…]`: each argument is one JSON value.
pub fn call(client: &Client, db: &str, reducer: &str, args: &[String]) -> Result<(), CliError> {
    let mut values = Vec::new();
    for a in args {
        let v: serde_json::Value = serde_json::from_str(a).map_err(|e| {
            CliError::Usage(format!(
                "argument `{a}` is not JSON: {e}\n  hint: quote strings, e.g. '\"hello\"'"
            ))
        })?;
        values.push(v);
    }
    let body = serde_json::Value::Array(values).to_string().into_bytes();
    client.ok(
        "POST",
        &format!("/v1/database/{}/call/{}", segment(db), segment(reducer)),
        Some("application/json"),
        body,
    )?;
    Ok(())
}

/// `sql <db> <query>`: the reply as a text table, or as the server's JSON.
pub fn sql(client: &Client, db: &str, query: &str, json: bool) -> Result<String, CliError> {
    let body = client.ok(
        "POST",
        &format!("/v1/database/{}/sql", segment(db)),
        Some("text/plain"),
        query.as_bytes().to_vec(),
    )?;
    if json {
        return Ok(body);
    }
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    Ok(table(&v[0]))
}

/// A `/sql` result as a text table: a header, a rule, one line per row. A statement that
/// returns no columns (INSERT, UPDATE, DELETE) is reported by the rows it changed.
fn table(result: &serde_json::Value) -> String {
    let no_columns = result["schema"]["elements"]
        .as_array()
        .is_none_or(|e| e.is_empty());
    if no_columns {
        return changed(&result["stats"]);
    }
    let headers: Vec<String> = result["schema"]["elements"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["name"]["some"].as_str().unwrap_or("").to_owned())
        .collect();
    let rows: Vec<Vec<String>> = result["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r.as_array().into_iter().flatten().map(cell).collect())
        .collect();
    render_table(&headers, &rows)
}

/// `headers` over `rows`, columns padded to their widest cell (as `psql` prints).
pub(crate) fn render_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!(" {c:<w$} "))
            .collect();
        parts.join("|").trim_end().to_owned() + "\n"
    };
    let mut out = line(headers);
    out.push_str(
        &widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+"),
    );
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// What a DML statement did, from the reply's `stats`: "2 rows inserted", "1 row deleted"….
fn changed(stats: &serde_json::Value) -> String {
    let parts: Vec<String> = [
        ("rows_inserted", "inserted"),
        ("rows_updated", "updated"),
        ("rows_deleted", "deleted"),
    ]
    .iter()
    .filter_map(|(key, verb)| {
        let n = stats[key].as_u64().filter(|&n| n > 0)?;
        Some(format!(
            "{n} {} {verb}",
            if n == 1 { "row" } else { "rows" }
        ))
    })
    .collect();
    if parts.is_empty() {
        "no rows changed\n".into()
    } else {
        parts.join(", ") + "\n"
    }
}

/// One cell: strings bare, special one-element products (identities, timestamps) unwrapped,
/// everything else as JSON.
pub(crate) fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => match a.as_slice() {
            [one] if !one.is_array() => cell(one),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// `logs <db> [-n N]`.
pub fn logs(client: &Client, db: &str, lines: usize, json: bool) -> Result<String, CliError> {
    let body = client.ok(
        "GET",
        &format!("/v1/database/{}/logs?num_lines={lines}", segment(db)),
        None,
        Vec::new(),
    )?;
    if json {
        return Ok(body);
    }
    Ok(body.lines().map(|l| readable_log_line(l) + "\n").collect())
}

/// One module log line (SpacetimeDB's JSON form) as text:
/// `2026-12-03T14:31:44.123Z WARN  send_message  chat.cpp:12  the message`. A line that is not
/// that JSON is printed as it came.
pub fn readable_log_line(line: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
        return line.to_owned();
    };
    let when = v["ts"]
        .as_u64()
        .map(|micros| {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros);
            humantime::format_rfc3339_millis(t).to_string()
        })
        .unwrap_or_default();
    let level = v["level"].as_str().unwrap_or("").to_uppercase();
    let mut out = format!("{when} {level:<5}");
    if let Some(f) = v["function"].as_str() {
        out.push_str(&format!(" {f}"));
    }
    match (v["filename"].as_str(), v["line_number"].as_u64()) {
        (Some(file), Some(line)) => out.push_str(&format!("  {file}:{line}")),
        (Some(file), None) if file != lightcone_host::SYSTEM_TARGET => {
            out.push_str(&format!("  {file}"))
        }
        _ => {}
    }
    out.push_str("  ");
    out.push_str(v["message"].as_str().unwrap_or(""));
    out
}

/// `logs -f`: prints the last `lines` lines, then each new one, until the server closes the
/// stream (or the user interrupts).
pub fn follow_logs(client: &Client, db: &str, lines: usize, json: bool) -> Result<(), CliError> {
    use std::io::{BufRead, Write};
    let mut req = ureq::get(format!(
        "{}/v1/database/{}/logs?follow=true&num_lines={lines}",
        client.url,
        segment(db)
    ));
    if let Some(t) = &client.token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = req.call().map_err(|e| CliError::Unreachable {
        url: client.url.clone(),
        reason: format!("following the logs: {e}"),
    })?;
    let reader = std::io::BufReader::new(resp.into_body().into_reader());
    let mut out = std::io::stdout();
    for line in reader.lines() {
        let line = line.map_err(|e| CliError::Unreachable {
            url: client.url.clone(),
            reason: format!("reading the logs: {e}"),
        })?;
        let line = if json { line } else { readable_log_line(&line) };
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
    Ok(())
}

/// `describe <db> [--json]`: the database's identity and owner, then its tables (columns,
/// keys, access) and reducers, from `GET …/schema?version=9`. `--json` prints that schema as
/// the server sent it.
pub fn describe(client: &Client, db: &str, json: bool) -> Result<String, CliError> {
    let schema = client.ok(
        "GET",
        &format!("/v1/database/{}/schema?version=9", segment(db)),
        None,
        Vec::new(),
    )?;
    if json {
        return Ok(schema);
    }
    let info = client.ok(
        "GET",
        &format!("/v1/database/{}", segment(db)),
        None,
        Vec::new(),
    )?;
    let info: serde_json::Value =
        serde_json::from_str(&info).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    let schema: serde_json::Value = serde_json::from_str(&schema)
        .map_err(|e| CliError::UnexpectedReply(format!("a bad schema: {e}")))?;
    Ok(super::describe::render(&info, &schema))
}

/// `delete <db>`: what was deleted.
pub fn delete(client: &Client, db: &str) -> Result<String, CliError> {
    // Asked first, so the message can say what went (the identity is gone after).
    let info = client.ok(
        "GET",
        &format!("/v1/database/{}", segment(db)),
        None,
        Vec::new(),
    )?;
    let identity = serde_json::from_str::<serde_json::Value>(&info)
        .ok()
        .and_then(|v| v["database_identity"].as_str().map(str::to_owned))
        .unwrap_or_default();
    client.ok(
        "DELETE",
        &format!("/v1/database/{}", segment(db)),
        None,
        Vec::new(),
    )?;
    Ok(format!(
        "Deleted the database `{db}` ({identity}): its module, rows and logs are gone"
    ))
}

/// Asks `question` on the terminal (y/N) unless `yes`; off a terminal, `yes` is required.
pub fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    use std::io::{BufRead, IsTerminal, Write};
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "{question} Not asked: stdin is not a terminal\n  hint: pass --yes to go ahead"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Usage(format!("reading the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(CliError::Usage("stopped: nothing was changed".into()))
    }
}

/// `init --lang rust <dir>`: a new module crate using the published `spacetimedb` crate.
pub fn init_rust(dir: &Path) -> Result<(), CliError> {
    if dir.join("Cargo.toml").exists() {
        return Err(CliError::Usage(format!(
            "{} already holds a crate",
            dir.display()
        )));
    }
    let name = module_name(dir)?;
    std::fs::create_dir_all(dir.join("src"))
        .map_err(CliError::file("creating", dir.join("src")))?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\nspacetimedb = \"=2.10.1\"\nlog = \"0.4\"\n"
    );
    let (manifest_path, lib_path) = (dir.join("Cargo.toml"), dir.join("src/lib.rs"));
    std::fs::write(&manifest_path, manifest).map_err(CliError::file("writing", &manifest_path))?;
    std::fs::write(&lib_path, INIT_RUST_LIB).map_err(CliError::file("writing", &lib_path))?;
    write_gitignore(dir)?;
    Ok(())
}

/// The module's name for `init`, from its folder's (`.` is the current folder): letters,
/// digits and `_` only, not starting with a digit — what cargo and CMake both accept.
fn module_name(dir: &Path) -> Result<String, CliError> {
    let absolute = std::path::absolute(dir).map_err(CliError::file("resolving", dir))?;
    let folder = absolute
        .components()
        .next_back()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or("module");
    let mut name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "module_");
    }
    if name.chars().all(|c| c == '_') {
        name = "module".into();
    }
    Ok(name)
}

/// A `.gitignore` for the build output, unless the folder has one.
fn write_gitignore(dir: &Path) -> Result<(), CliError> {
    let path = dir.join(".gitignore");
    if path.exists() {
        return Ok(());
    }
    std::fs::write(&path, "target/\n").map_err(CliError::file("writing", &path))
}

/// `init --lang cpp <dir>`: a new C++ module (CMakeLists.txt and module.cpp) using the C++
/// module SDK, which `lightcone build` supplies.
pub fn init_cpp(dir: &Path) -> Result<(), CliError> {
    if dir.join("CMakeLists.txt").exists() {
        return Err(CliError::Usage(format!(
            "{} already holds a CMake project",
            dir.display()
        )));
    }
    let name = module_name(dir)?;
    std::fs::create_dir_all(dir).map_err(CliError::file("creating", dir))?;
    write_gitignore(dir)?;
    let cmake = format!(
        "cmake_minimum_required(VERSION 3.20)\nproject({name} CXX)\n\n# `lightcone build` configures this with the SDK's toolchain file, which puts\n# LightconeModule on CMAKE_MODULE_PATH.\ninclude(LightconeModule)\nlightcone_module({name} module.cpp)\n"
    );
    let (cmake_path, source_path) = (dir.join("CMakeLists.txt"), dir.join("module.cpp"));
    std::fs::write(&cmake_path, cmake).map_err(CliError::file("writing", &cmake_path))?;
    std::fs::write(&source_path, INIT_CPP_MODULE)
        .map_err(CliError::file("writing", &source_path))?;
    Ok(())
}

/// `init --lang csharp <dir>`: a new C# module (Lib.cs) using Lightcone's C# SDK, which
/// `lightcone build` supplies (docs/modules-csharp.md).
pub fn init_csharp(dir: &Path) -> Result<(), CliError> {
    let lib = dir.join("Lib.cs");
    if lib.exists() {
        return Err(CliError::Usage(format!(
            "{} already holds a Lib.cs",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(CliError::file("creating", dir))?;
    let path = dir.join(".gitignore");
    if !path.exists() {
        std::fs::write(&path, "bin/\nobj/\n").map_err(CliError::file("writing", &path))?;
    }
    std::fs::write(&lib, INIT_CSHARP_MODULE).map_err(CliError::file("writing", &lib))?;
    Ok(())
}

/// The starting module `init --lang csharp` writes.
const INIT_CSHARP_MODULE: &str = r#"// A Lightcone module in C#: build with `lightcone build .`, publish with
// `lightcone publish NAME --project-path .` (docs/modules-csharp.md).
using System;
using SpacetimeDB;

[SpacetimeDB.Table(Accessor = "person", Public = true)]
public partial struct Person
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public ulong id;
    public string name;
}

public static partial class Module
{
    [SpacetimeDB.Reducer]
    public static void add(ReducerContext ctx, string name)
    {
        Person person = ctx.Db.person.Insert(new Person { name = name });
        Log.Info("added " + person.name + " as person " + person.id);
    }

    [SpacetimeDB.Reducer]
    public static void say_hello(ReducerContext ctx)
    {
        foreach (Person p in ctx.Db.person.Iter()) Log.Info("Hello, " + p.name + "!");
        Log.Info("Hello, World!");
    }
}
"#;

/// The starting module `init --lang cpp` writes.
const INIT_CPP_MODULE: &str = r#"// A Lightcone module in C++: build with `lightcone build .`, publish with
// `lightcone publish NAME --project-path .` (docs/modules-cpp.md).
#include <lightcone/module.hpp>

#include <string>

struct Person {
    std::string name;
};
LC_STRUCT(Person, name)

LC_TABLE(person, Person, lc::Public);

lc::Result<> add(lc::ReducerContext&, std::string name) {
    LC_TRY(person.insert(Person{std::move(name)}));
    return lc::ok();
}
LC_REDUCER(add, name);

lc::Result<> say_hello(lc::ReducerContext&) {
    for (const Person& p : person.rows()) lc::log::info("Hello, " + p.name + "!");
    lc::log::info("Hello, World!");
    return lc::ok();
}
LC_REDUCER(say_hello);
"#;

/// The starting module `init --lang rust` writes.
const INIT_RUST_LIB: &str = r#"use spacetimedb::{ReducerContext, Table};

#[spacetimedb::table(accessor = person, public)]
pub struct Person {
    name: String,
}

#[spacetimedb::reducer]
pub fn add(ctx: &ReducerContext, name: String) {
    ctx.db.person().insert(Person { name });
}

#[spacetimedb::reducer]
pub fn say_hello(ctx: &ReducerContext) {
    for person in ctx.db.person().iter() {
        log::info!("Hello, {}!", person.name);
    }
    log::info!("Hello, World!");
}
"#;
