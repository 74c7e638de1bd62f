//! The command line, parsed with clap. Names and flags mirror SpacetimeDB's `spacetime` CLI.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Address `start` listens on when none is given (SpacetimeDB's default port).
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

/// Lightcone: a database server whose application logic runs inside it as WebAssembly modules.
#[derive(Debug, Parser)]
#[command(name = "lightcone", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (needs no configuration: embedded defaults).
    Start(StartArgs),
    /// Build a module (a Rust crate, or a C++ CMake project) to wasm.
    Build {
        /// The module's folder (holding Cargo.toml or CMakeLists.txt).
        #[arg(long, short = 'p', default_value = ".")]
        project_path: PathBuf,
    },
    /// Print this lightcone's version.
    Version,
    /// Generate client code for a module (C# for the Unity package).
    Generate {
        /// The language: `csharp`.
        #[arg(long, default_value = "csharp")]
        lang: String,
        /// Where to write the files (created if missing; generated files are replaced).
        #[arg(long, short = 'o')]
        out_dir: PathBuf,
        /// A built module instead of building the project.
        #[arg(long, short = 'b', conflicts_with = "database")]
        bin_path: Option<PathBuf>,
        /// The module's crate, built first.
        #[arg(long, short = 'p', default_value = ".")]
        project_path: PathBuf,
        /// A running database (name or identity) whose schema to read instead of a module:
        /// from the server `--server` names.
        #[arg(long, short = 'd')]
        database: Option<String>,
        /// The namespace of the generated types.
        #[arg(long, default_value = "Lightcone.Module")]
        namespace: String,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Create a new module project.
    Init {
        /// The module's language: `rust`, `cpp` or `csharp`.
        #[arg(long, default_value = "rust")]
        lang: String,
        /// Where to create it.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Publish a module as a database (create it, or update it if you own it).
    Publish {
        /// The database's name.
        name: String,
        /// A built module instead of building the project.
        #[arg(long, short = 'b')]
        bin_path: Option<PathBuf>,
        /// The module's crate, built before publishing.
        #[arg(long, short = 'p', default_value = ".")]
        project_path: PathBuf,
        /// Wipe the database's data first (asks first; `--yes` when not on a terminal).
        #[arg(long, short = 'c')]
        clear: bool,
        /// Do not ask before `--clear` wipes the data.
        #[arg(long, short = 'y')]
        yes: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Build and publish a module, then again after every save, printing each change's
    /// migration plan (or refusal) and the module's logs (until Ctrl-C).
    Dev {
        /// The database's name (created on the first publish if it does not exist).
        name: String,
        /// The module's folder (holding Cargo.toml or CMakeLists.txt).
        #[arg(long, short = 'p', default_value = ".")]
        project_path: PathBuf,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Call a reducer; each argument is one JSON value (quote strings: '"hi"').
    Call {
        /// The database's name or identity.
        database: String,
        /// The reducer (or procedure) to call.
        reducer: String,
        /// Its arguments, each one JSON value: '"text"', 42, '{"some": 1}'.
        args: Vec<String>,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Run a SQL query and print the rows.
    Sql {
        /// The database's name or identity.
        database: String,
        /// The SQL: a SELECT (anyone, public tables), or INSERT/UPDATE/DELETE (the owner).
        query: String,
        /// Print the server's JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Subscribe to SQL queries and print each row change as it arrives (until Ctrl-C).
    Subscribe {
        /// The database's name or identity.
        database: String,
        /// The queries, each one SQL `SELECT` (e.g. "SELECT * FROM message").
        #[arg(required = true)]
        queries: Vec<String>,
        /// One JSON object per change: {"table", "op": "insert"|"delete"|"event", "row"}.
        #[arg(long)]
        json: bool,
        /// Print the rows the queries match now, before the changes.
        #[arg(long)]
        print_initial: bool,
        /// Stop after this many transactions.
        #[arg(long, short = 'n')]
        num_updates: Option<usize>,
        /// Stop (status 1) when no change arrives for this many seconds.
        #[arg(long)]
        timeout_secs: Option<u64>,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Print a database's module logs (owner only).
    Logs {
        /// The database's name or identity.
        database: String,
        /// How many lines.
        #[arg(long, short = 'n', default_value_t = 100)]
        num_lines: usize,
        /// Keep printing new lines as they are written.
        #[arg(long, short = 'f')]
        follow: bool,
        /// Print the lines as the server stores them (JSON, SpacetimeDB's format).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Describe a database: identity, owner, tables and reducers.
    Describe {
        /// The database's name or identity.
        database: String,
        /// Print the schema as the server sends it (SATS-JSON of a `RawModuleDefV9`).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Delete a database and its data (owner only).
    Delete {
        /// The database's name or identity.
        database: String,
        /// Do not ask first (needed when not on a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Save a running database (its module and every row) to a file (owner only).
    Backup {
        /// The database's name or identity.
        database: String,
        /// The file to write (replaced if it exists).
        file: PathBuf,
        #[command(flatten)]
        server: ServerArg,
    },
    /// Create a new database from a backup file (a new identity, owned by you).
    Restore {
        /// The new database's name.
        name: String,
        /// The backup file (`lightcone backup` wrote it).
        file: PathBuf,
        #[command(flatten)]
        server: ServerArg,
    },
    /// List the databases you (the default identity) own on a server, and their status.
    List {
        #[command(flatten)]
        server: ServerArg,
    },
    /// Manage identities.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Manage known servers.
    #[command(subcommand)]
    Server(ServerCommand),
}

/// Which server a client command talks to.
#[derive(Debug, Args)]
pub struct ServerArg {
    /// A configured server name or a URL [default: the default server].
    #[arg(long, short = 's')]
    pub server: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Get a new identity from the server and save it.
    New {
        /// Make it the default.
        #[arg(long)]
        default: bool,
        #[command(flatten)]
        server: ServerArg,
    },
    /// List saved identities (* = default).
    List,
    /// Choose the default identity.
    Default {
        /// The identity (hex, as `identity list` shows it, or enough of its start).
        identity: String,
    },
    /// Print an identity's token (the default's unless named), e.g. for curl or another
    /// machine's `identity import`.
    Token {
        /// The identity (hex, or enough of its start) [default: the default identity].
        identity: Option<String>,
    },
    /// Forget an identity and its token (asks first; `--yes` when not on a terminal).
    Remove {
        /// The identity (hex, or enough of its start).
        identity: String,
        /// Do not ask first.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Save a token from elsewhere (another machine's `identity token`), once the server
    /// accepts it.
    Import {
        /// The token (a JSON Web Token this server signed).
        token: String,
        /// Make it the default.
        #[arg(long)]
        default: bool,
        #[command(flatten)]
        server: ServerArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Remember a server under a name.
    Add {
        /// A name to call it by (`--server NAME`).
        name: String,
        /// Its base URL, e.g. http://127.0.0.1:3000.
        url: String,
        /// Make it the default.
        #[arg(long)]
        default: bool,
    },
    /// List known servers (* = default).
    List,
    /// Check that a server answers (the default one unless named).
    Ping {
        /// A server's name (`server list`) or URL.
        name: Option<String>,
    },
    /// Forget a server.
    Remove {
        /// The server's name (`server list`).
        name: String,
    },
    /// Make a known server the default.
    SetDefault {
        /// The server's name (`server list`).
        name: String,
    },
}

/// How the server writes its own log on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`), for log shippers.
    Json,
}

/// `start`'s settings. Each comes from its flag, else its environment variable
/// (`LIGHTCONE_` + the flag in upper snake case), else the `--config` TOML file (the flag in
/// snake case as the key), else the default (settings_file.rs).
#[derive(Debug, Args)]
pub struct StartArgs {
    /// A TOML file of settings, keyed by flag name in snake case (`listen_addr =
    /// "0.0.0.0:3000"`, `in_memory = true`). A flag beats its environment variable, which
    /// beats the file.
    #[arg(long, env = "LIGHTCONE_CONFIG")]
    pub config: Option<PathBuf>,
    /// The server's own log on stderr: `text`, or `json` (one object per line).
    #[arg(long, env = "LIGHTCONE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Address and port to listen on: `127.0.0.1:3000`, `0.0.0.0:3000` (every interface),
    /// `localhost:3000`, or a port alone (`3000`, on 127.0.0.1).
    #[arg(long, env = "LIGHTCONE_LISTEN_ADDR", default_value = DEFAULT_LISTEN_ADDR, value_parser = listen_addr)]
    pub listen_addr: SocketAddr,
    /// Where databases, commitlogs, snapshots and keys live [default: the user's data
    /// directory, e.g. ~/.local/share/lightcone].
    #[arg(long, env = "LIGHTCONE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long, env = "LIGHTCONE_IN_MEMORY")]
    pub in_memory: bool,
    /// Move commitlog segments a snapshot has made unnecessary into
    /// `<archive-dir>/<database identity>/` instead of deleting them.
    #[arg(long, env = "LIGHTCONE_ARCHIVE_DIR")]
    pub archive_dir: Option<PathBuf>,
    /// Most messages queued for one WebSocket client; a client that falls further behind is
    /// disconnected as too slow.
    #[arg(long, env = "LIGHTCONE_MAX_CLIENT_QUEUE", default_value_t = lightcone_server::subscribe::CLIENT_QUEUE_CAPACITY)]
    pub max_client_queue: usize,
    /// Most MiB queued for one WebSocket client; a client further behind is disconnected as
    /// too slow.
    #[arg(long, env = "LIGHTCONE_MAX_CLIENT_QUEUE_MIB", default_value_t = (lightcone_server::subscribe::CLIENT_QUEUE_BYTES >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(1..=65_536))]
    pub max_client_queue_mib: u64,
    /// Turn off procedures' outbound HTTP (`ctx.http`).
    #[arg(long, env = "LIGHTCONE_NO_PROCEDURE_HTTP")]
    pub no_procedure_http: bool,
    /// Let procedures reach loopback, private and link-local addresses (refused by default).
    #[arg(long, env = "LIGHTCONE_PROCEDURE_HTTP_ALLOW_PRIVATE")]
    pub procedure_http_allow_private: bool,
    /// Longest a reducer (or a view, or a procedure between waits) may compute, in
    /// milliseconds, before it is stopped and rolled back.
    #[arg(long, env = "LIGHTCONE_REDUCER_BUDGET_MS", default_value_t = lightcone_host::DEFAULT_REDUCER_BUDGET.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub reducer_budget_ms: u64,
    /// Most connections at once (WebSockets included); lowered to what the file limit
    /// allows. A reserve of 32 more serves only /v1/ping and database owners.
    #[arg(long, env = "LIGHTCONE_MAX_CONNECTIONS", default_value_t = lightcone_server::http::accept::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: usize,
    /// Most connections from one IP address.
    #[arg(long, env = "LIGHTCONE_MAX_CONNECTIONS_PER_IP", default_value_t = lightcone_server::http::accept::DEFAULT_MAX_CONNECTIONS_PER_IP,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections_per_ip: usize,
    /// Longest a client may take to send a request's head, in seconds.
    #[arg(long, env = "LIGHTCONE_HEADER_TIMEOUT_SECS", default_value_t = lightcone_server::http::accept::HEADER_READ_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub header_timeout_secs: u64,
    /// Longest a client may take to send a request's body, in seconds.
    #[arg(long, env = "LIGHTCONE_BODY_TIMEOUT_SECS", default_value_t = lightcone_server::http::accept::BODY_READ_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub body_timeout_secs: u64,
    /// Most MiB of request bodies held at once, all connections together (a request past it
    /// gets 503).
    #[arg(long, env = "LIGHTCONE_MAX_BODY_MEMORY_MIB", default_value_t = (lightcone_server::http::accept::DEFAULT_BODY_MEMORY_BYTES >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub max_body_memory_mib: u64,
    /// A file holding the bearer token `/metrics` asks for (Prometheus: `authorization`).
    /// Without it, `/metrics` answers loopback peers only.
    #[arg(long, env = "LIGHTCONE_METRICS_TOKEN_FILE")]
    pub metrics_token_file: Option<PathBuf>,
    /// Most memory one module instance may grow to, in MiB.
    #[arg(long, env = "LIGHTCONE_MODULE_MEMORY_MIB", default_value_t = (lightcone_host::DEFAULT_MEMORY_LIMIT_BYTES >> 20) as u64,
          value_parser = clap::value_parser!(u64).range(16..=65_536))]
    pub module_memory_mib: u64,
}

impl StartArgs {
    /// The data directory: the flag, or the platform default.
    pub fn data_dir_or_default(&self) -> Result<PathBuf, lightcone_server::paths::PathError> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => lightcone_server::paths::default_data_dir(),
        }
    }
}

/// Parses `--listen-addr`: an `ip:port`, a `host:port` whose host resolves (IPv4 preferred:
/// `localhost` is 127.0.0.1 for the clients that will dial it), or a port alone on 127.0.0.1.
pub fn listen_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    let hint =
        "hint: `127.0.0.1:3000`, `0.0.0.0:3000` (every interface), `localhost:3000` or `3000`";
    let resolved: Vec<SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(s)
        .map_err(|e| format!("not an address and port to listen on ({e})\n  {hint}"))?
        .collect();
    resolved
        .iter()
        .find(|a| a.is_ipv4())
        .or(resolved.first())
        .copied()
        .ok_or_else(|| format!("`{s}` resolves to no address\n  {hint}"))
}
