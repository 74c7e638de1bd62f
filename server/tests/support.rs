//! Starting the real `lightcone` binary for a test, and talking HTTP to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// How long a stopping server may take before the test kills it.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// A running server process, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    agent: ureq::Agent,
}

/// A reply: status, body, and the identity headers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub identity: Option<String>,
    pub token: Option<String>,
    /// Every header, names lowercase.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

impl Server {
    /// `lightcone start --listen-addr 127.0.0.1:0` with `args`, once it accepts connections.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// [`Server::start`] with environment variables `env` set for the server.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lightcone"));
        command
            .args(["start", "--listen-addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied());
        Self::spawn(command)
    }

    /// Runs `command` (a `lightcone start`), once it accepts connections.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(rest) = line.strip_prefix(lightcone_server::server::LISTENING) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            child,
            base: format!("http://{addr}"),
            agent,
        }
    }

    /// A durable server over `dir`.
    pub fn durable(dir: &Path) -> Self {
        Self::start(&["--data-dir", dir.to_str().unwrap()])
    }

    /// A durable server over `dir` listening on `addr` (`127.0.0.1:port`): a restart at the
    /// address clients know.
    pub fn durable_at(dir: &Path, addr: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lightcone"));
        command.args([
            "start",
            "--listen-addr",
            addr,
            "--data-dir",
            dir.to_str().unwrap(),
        ]);
        Self::spawn(command)
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Reply, String> {
        let mut r = r.map_err(|e| e.to_string())?;
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (identity, token) = (
            header("spacetime-identity"),
            header("spacetime-identity-token"),
        );
        let headers = r
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        Ok(Reply {
            headers,
            status: r.status().as_u16(),
            body: r.body_mut().read_to_string().unwrap_or_default(),
            identity,
            token,
        })
    }

    /// A request with an optional bearer token and optional body and content type.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &[u8])>,
    ) -> Reply {
        self.try_request(method, path, token, body).unwrap()
    }

    /// [`Server::request`], with a failure to get any answer (the server died) as an error.
    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &[u8])>,
    ) -> Result<Reply, String> {
        let url = format!("{}{path}", self.base);
        let mut req = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let result = match body {
            Some((content_type, bytes)) => {
                if !content_type.is_empty() {
                    req = req.header("content-type", content_type);
                }
                self.agent.run(req.body(bytes.to_vec()).unwrap())
            }
            None => self.agent.run(req.body(Vec::<u8>::new()).unwrap()),
        };
        Self::reply(result)
    }

    /// An in-memory server with the module built from `dir` published as `db` by a new
    /// identity, whose token is returned.
    pub fn with_module(db: &str, dir: &str) -> (Self, String) {
        Self::start_with_module(&["--in-memory"], db, dir)
    }

    /// A server started with `args`, with the module built from `dir` published as `db` by
    /// a new identity, whose token is returned.
    pub fn start_with_module(args: &[&str], db: &str, dir: &str) -> (Self, String) {
        let server = Self::start(args);
        let (_, owner) = server.new_identity();
        let r = server.publish(db, Some(&owner), &module_wasm(dir));
        assert_eq!(r.status, 200, "publishing {dir}: {r:?}");
        (server, owner)
    }

    /// `POST /v1/identity` → (identity, token).
    pub fn new_identity(&self) -> (String, String) {
        let r = self.request("POST", "/v1/identity", None, None);
        assert_eq!(r.status, 200, "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        (
            v["identity"].as_str().unwrap().to_owned(),
            v["token"].as_str().unwrap().to_owned(),
        )
    }

    /// Publishes `wasm` as `name`.
    pub fn publish(&self, name: &str, token: Option<&str>, wasm: &[u8]) -> Reply {
        self.request(
            "PUT",
            &format!("/v1/database/{name}"),
            token,
            Some(("application/wasm", wasm)),
        )
    }

    /// The rows of SQL `query` on `db` as JSON arrays (SATS-JSON values, columns in order).
    pub fn sql_rows(&self, db: &str, token: &str, query: &str) -> Vec<serde_json::Value> {
        let r = self.request(
            "POST",
            &format!("/v1/database/{db}/sql"),
            Some(token),
            Some(("text/plain", query.as_bytes())),
        );
        assert_eq!(r.status, 200, "{query}: {r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        v[0]["rows"].as_array().unwrap().clone()
    }

    /// Calls `reducer` of `db` with JSON `args`.
    pub fn call(&self, db: &str, reducer: &str, token: Option<&str>, args: &str) -> Reply {
        self.request(
            "POST",
            &format!("/v1/database/{db}/call/{reducer}"),
            token,
            Some(("application/json", args.as_bytes())),
        )
    }

    /// Waits for the server to exit by itself (it must, within [`STOP_GRACE`]); whether it
    /// died of a signal.
    pub fn wait_crashed(mut self) -> bool {
        let deadline = std::time::Instant::now() + STOP_GRACE;
        let status = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not exit"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        std::mem::forget(self);
        std::os::unix::process::ExitStatusExt::signal(&status).is_some()
    }

    /// Kills the server with SIGKILL (a crash) and waits for it to be gone.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::mem::forget(self);
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }

    /// Stops the server with SIGTERM and waits; returns its exit code.
    pub fn stop(mut self) -> Option<i32> {
        let code = self.terminate();
        std::mem::forget(self);
        code
    }

    /// SIGTERM, then the exit code; a server still running after [`STOP_GRACE`] is killed
    /// (and reported as `None`) so a hung shutdown fails the test instead of hanging the run.
    fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + STOP_GRACE;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A module's wasm, built from source (cached by cargo across the run).
pub fn module_wasm(dir: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules");
    let wasm = lightcone_modbuild::build(&root.join(dir), &target)
        .unwrap_or_else(|e| panic!("building {dir}: {e}"));
    std::fs::read(wasm).unwrap()
}

/// WebSocket helpers over our client (`lightcone-client-core`).
pub mod ws {
    use lightcone_client_core::protocol::ws::row_list;
    use lightcone_client_core::protocol::ws::v2::*;
    use lightcone_client_core::{ConnectOptions, Connection};

    /// How long a test waits for a message before failing.
    pub const RECV_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

    /// A v2 connection to database `db` (anonymous without `token`).
    pub fn connect(server: &super::Server, db: &str, token: Option<&str>) -> Connection {
        let options = ConnectOptions {
            token: token.map(str::to_owned),
            ..Default::default()
        };
        let mut c = Connection::connect(&server.base, db, &options).expect("connect");
        c.set_timeout(Some(RECV_TIMEOUT)).unwrap();
        c
    }

    /// Subscribes query set `set` to `queries` and returns the reply, whatever it is.
    pub fn subscribe_reply(c: &mut Connection, set: u32, queries: &[&str]) -> ServerMessage {
        c.send(&ClientMessage::Subscribe(Subscribe {
            request_id: set,
            query_set_id: QuerySetId { id: set },
            query_strings: queries.iter().map(|q| (*q).into()).collect(),
        }))
        .unwrap();
        c.recv().unwrap()
    }

    /// Subscribes query set `set` to `queries`; the reply must be `SubscribeApplied`.
    pub fn subscribe(c: &mut Connection, set: u32, queries: &[&str]) -> QueryRows {
        match subscribe_reply(c, set, queries) {
            ServerMessage::SubscribeApplied(a) => a.rows,
            other => panic!("{queries:?}: {other:?}"),
        }
    }

    /// Calls `reducer` with the BSATN `args`; it must succeed. Returns the caller's update.
    pub fn call_ok(c: &mut Connection, reducer: &str, args: Vec<u8>) -> TransactionUpdate {
        c.send(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: reducer.into(),
            args: args.into(),
        }))
        .unwrap();
        match c.recv().unwrap() {
            ServerMessage::ReducerResult(ReducerResult {
                result: ReducerOutcome::Ok(ok),
                ..
            }) => ok.transaction_update,
            ServerMessage::ReducerResult(ReducerResult {
                result: ReducerOutcome::OkEmpty,
                ..
            }) => TransactionUpdate::default(),
            other => panic!("{reducer}: {other:?}"),
        }
    }

    /// The rows a one-off query of `sql` returns (it must succeed).
    pub fn one_off(c: &mut Connection, sql: &str) -> row_list::BsatnRowList {
        c.send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 7,
            query_string: sql.into(),
        }))
        .unwrap();
        match c.recv().unwrap() {
            ServerMessage::OneOffQueryResult(OneOffQueryResult {
                result: Ok(rows), ..
            }) => rows.tables.into_iter().next().expect("one table").rows,
            other => panic!("{sql}: {other:?}"),
        }
    }

    /// The first table's rows in the next message, which must be a `TransactionUpdate`.
    pub fn next_update(c: &mut Connection) -> PersistentTableRows {
        let ServerMessage::TransactionUpdate(u) = c.recv().unwrap() else {
            panic!("expected a TransactionUpdate")
        };
        match u.query_sets[0].tables[0].rows[0].clone() {
            TableUpdateRows::PersistentTable(rows) => rows,
            other => panic!("{other:?}"),
        }
    }
}

/// The server restart the engine layers' reconnect tests live through
/// (tests/unity/ReconnectTest.cs, tests/unreal/cpp/reconnect_test.cpp): `client` is started
/// against `server` (durable over `dir`, running tests/modules/everything as `game`, `owner`
/// its owner) and prints `READY` once subscribed with its rows; then `server` stops, another
/// server on the same data levels up `grow`, deletes `gone` and adds `new`, and a server starts
/// again at the address the client knows. The client must end by itself, printing `passed`.
#[allow(dead_code)] // used by the engine-layer tests only
pub fn through_a_restart(
    client: &mut Command,
    server: Server,
    dir: &Path,
    owner: &str,
    passed: &str,
) {
    let addr = server.addr();
    let mut child = client
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client program");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().and_then(Result::ok);
    assert_eq!(
        ready.as_deref(),
        Some("READY"),
        "the client did not get ready"
    );

    assert!(server.stop().is_some());
    let elsewhere = Server::durable(dir);
    for (reducer, args) in [
        ("level_up", r#"["grow"]"#),
        ("delete_player_by_name", r#"["gone"]"#),
        ("add_player", r#"["new", 1, 0, 9]"#),
    ] {
        let r = elsewhere.call("game", reducer, Some(owner), args);
        assert_eq!(r.status, 200, "{reducer}: {r:?}");
    }
    assert!(elsewhere.stop().is_some());
    let _server = Server::durable_at(dir, &addr);

    // The client ends by itself (its own deadlines are 90 s at most).
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let output = child.wait_with_output().expect("the client program");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && rest.iter().any(|l| l == passed),
        "{}\n{stderr}",
        rest.join("\n")
    );
}

/// Running the native library's other users: compilers and programs (gcc, mcs, mono).
pub mod tools {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// The repository's root.
    pub fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// `name` in this test's scratch folder `group` (created).
    pub fn scratch(group: &str, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(group);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    /// The directory holding this build's `liblightcone.so`: target/<profile>/deps, where
    /// cargo builds it as this package's dev-dependency (so it is never older than the
    /// test), else target/<profile>.
    pub fn lib_dir() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let deps = exe.parent().unwrap().to_path_buf();
        let candidates = [deps.clone(), deps.parent().unwrap().to_path_buf()];
        candidates
            .iter()
            .find(|d| d.join("liblightcone.so").exists())
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no liblightcone.so in {candidates:?}: build the workspace (cargo test \
                     --workspace builds it; or cargo build -p lightcone-ffi)"
                )
            })
    }

    /// `lightcone generate --lang <lang> --namespace Lightcone.Module --out-dir <out>`, with a
    /// fresh `$HOME` (no user config is read), for the caller to say where the module comes
    /// from.
    #[allow(dead_code)] // used by the generator tests only
    pub fn generate_command(lang: &str, out: &Path) -> Command {
        let _ = std::fs::remove_dir_all(out);
        let home = out.with_extension("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_lightcone"));
        command
            .args([
                "generate",
                "--lang",
                lang,
                "--namespace",
                "Lightcone.Module",
            ])
            .arg("--out-dir")
            .arg(out)
            .env("HOME", &home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME");
        command
    }

    /// [`generate_command`] for the module crate at `module` (built here), into `out`.
    #[allow(dead_code)] // used by the generator tests only
    pub fn generate(lang: &str, module: &str, out: &Path) {
        let wasm = out.with_extension("wasm");
        std::fs::write(&wasm, super::module_wasm(module)).unwrap();
        run(
            generate_command(lang, out).arg("--bin-path").arg(&wasm),
            &format!("lightcone generate --lang {lang}"),
        );
    }

    /// Compares `fresh` (a generator's output) with the snapshot file `snapshot`, or with
    /// `LIGHTCONE_BLESS=1` rewrites the snapshot.
    #[allow(dead_code)] // used by the generator tests only
    pub fn snapshot(snapshot: &Path, fresh: &str) {
        if std::env::var_os("LIGHTCONE_BLESS").is_some() {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
            std::fs::write(snapshot, fresh).unwrap();
            return;
        }
        let old = std::fs::read_to_string(snapshot).unwrap_or_default();
        assert!(
            old == fresh,
            "{} differs from the generator's output: check the change, then run with LIGHTCONE_BLESS=1",
            snapshot.display()
        );
    }

    /// Runs `command`: its output when it succeeded, else the test fails showing it.
    pub fn run(command: &mut Command, what: &str) -> String {
        let out = command
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "{what} failed ({}):\n{text}",
            out.status
        );
        text
    }
}
