//! Every client subcommand of the real `lightcone` binary against a real server: servers and
//! identities, build, init, publish, call, sql, logs, describe, delete, and their errors.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::Server;

struct Cli<'a> {
    config: &'a Path,
}

impl Cli<'_> {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lightcone"))
            .args(args)
            .env("LIGHTCONE_CONFIG_DIR", self.config)
            // Builds share the test run's module cache.
            .env(
                "CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules"),
            )
            .output()
            .unwrap()
    }

    /// Runs and requires success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and requires failure (status 1); returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?} should fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

#[test]
fn every_client_subcommand_against_a_real_server() {
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let chat_dir = root.join("samples/chat/module-rust");

    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    // The config holds tokens: only its owner may read it.
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(tmp.path().join("config/config.json"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "config.json is {:o}", mode & 0o777);

    // Servers: ping, another one, default switched, removed; and the version.
    assert!(cli.ok(&["server", "ping"]).contains("is up"));
    cli.ok(&["server", "add", "other", "http://127.0.0.1:9"]);
    cli.ok(&["server", "set-default", "other"]);
    assert!(cli
        .fails(&["server", "ping"])
        .contains("cannot reach the server"));
    cli.ok(&["server", "set-default", "test"]);
    cli.ok(&["server", "remove", "other"]);
    let servers = cli.ok(&["server", "list"]);
    assert!(
        servers.contains("* test") && !servers.contains("other"),
        "{servers}"
    );
    assert!(cli
        .fails(&["server", "remove", "other"])
        .contains("no server called `other`"));
    assert_eq!(
        cli.ok(&["version"]),
        format!("lightcone {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(cli
        .ok(&["server", "list"])
        .contains(&format!("* test  {}", server.base)));
    let identity = cli.ok(&["identity", "new"]).trim().to_owned();
    assert!(identity.starts_with("c200"), "{identity}");
    assert!(cli
        .ok(&["identity", "list"])
        .contains(&format!("* {identity}")));
    let second = cli.ok(&["identity", "new"]).trim().to_owned();
    assert!(
        cli.ok(&["identity", "list"])
            .contains(&format!("* {identity}")),
        "the first stays default"
    );
    cli.ok(&["identity", "default", &identity[..16]]);
    assert!(cli
        .fails(&["identity", "default", "nobody"])
        .contains("no saved identity"));
    assert_ne!(second, identity);

    // build, then publish the built module; publish again builds and updates.
    let wasm = cli
        .ok(&["build", "-p", chat_dir.to_str().unwrap()])
        .trim()
        .to_owned();
    assert!(wasm.ends_with(".wasm"), "{wasm}");
    let created = cli.ok(&["publish", "chat", "-b", &wasm]);
    assert!(
        created.starts_with("Created new database with name: chat, identity: c200"),
        "{created}"
    );
    let updated = cli.ok(&["publish", "chat", "-p", chat_dir.to_str().unwrap()]);
    assert!(
        updated.starts_with("Updated database with name: chat"),
        "{updated}"
    );

    // call, sql (table and JSON), logs, describe.
    assert_eq!(
        cli.ok(&["call", "chat", "send_message", "\"hi there\""]),
        ""
    );
    let err = cli.fails(&["call", "chat", "send_message", "\"\""]);
    assert!(err.contains("530: Messages must not be empty"), "{err}");
    assert!(cli
        .fails(&["call", "chat", "send_message", "not json"])
        .contains("is not JSON"));
    let table = cli.ok(&["sql", "chat", "SELECT text, sender FROM message"]);
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with(" text"), "{table}");
    assert!(lines.next().unwrap().starts_with("----"), "{table}");
    let row = lines.next().unwrap();
    assert!(
        row.contains("hi there") && row.contains(&format!("0x{identity}")),
        "{table}"
    );
    let json = cli.ok(&["sql", "chat", "SELECT COUNT(*) AS n FROM message", "--json"]);
    assert!(json.contains("\"rows\":[[1]]"), "{json}");
    // DML says what it changed (the owner may write over SQL).
    assert_eq!(
        cli.ok(&["sql", "chat", "UPDATE user SET online = true"]),
        "1 row updated\n"
    );
    assert_eq!(
        cli.ok(&[
            "sql",
            "chat",
            "DELETE FROM message WHERE text = 'never sent'"
        ]),
        "no rows changed\n"
    );
    assert!(cli
        .fails(&["sql", "chat", "SELECT * FROM nope"])
        .contains("no such table"));
    // Logs print as text (time, level, reducer, place, message); a reducer's error is a
    // warning naming it; `--json` gives the stored lines.
    let logs = cli.ok(&["logs", "chat", "-n", "20"]);
    assert!(logs.contains("message from"), "{logs}");
    assert!(!logs.lines().any(|l| l.starts_with('{')), "{logs}");
    assert!(
        logs.lines().any(|l| l.contains("WARN  send_message")
            && l.ends_with("reducer `send_message` returned an error: Messages must not be empty")),
        "{logs}"
    );
    let json = cli.ok(&["logs", "chat", "-n", "20", "--json"]);
    assert!(json.lines().all(|l| l.starts_with('{')), "{json}");
    // `logs -f` prints what is there and keeps the stream open.
    let mut follower = Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["logs", "chat", "-f", "-n", "5", "--json"])
        .env("LIGHTCONE_CONFIG_DIR", cli.config)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let stdout = follower.stdout.take().unwrap();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first).unwrap();
    assert!(first.contains("\"level\""), "{first}");
    follower.kill().unwrap();
    follower.wait().unwrap();
    let described = cli.ok(&["describe", "chat"]);
    for needle in [
        "table user (public)",
        "  identity: Identity  primary key",
        "  name: Option<String>",
        "  sent: Timestamp",
        "  send_message(text: String)",
        "  client_connected()  [OnConnect]",
    ] {
        assert!(described.contains(needle), "{needle} in {described}");
    }
    let described: serde_json::Value =
        serde_json::from_str(&cli.ok(&["describe", "chat", "--json"])).unwrap();
    assert_eq!(described["tables"][0]["name"], "message");

    // init.
    let new_module = tmp.path().join("my_module");
    cli.ok(&["init", "--lang", "rust", new_module.to_str().unwrap()]);
    assert!(new_module.join("Cargo.toml").is_file() && new_module.join("src/lib.rs").is_file());
    assert!(cli
        .fails(&["init", "--lang", "rust", new_module.to_str().unwrap()])
        .contains("already holds a crate"));
    assert!(cli
        .fails(&["init", "--lang", "cobol", "x"])
        .contains("not supported yet"));
    // In `.`, the module is named after the folder, as cargo accepts it; a .gitignore and the
    // next steps come with it.
    let odd = tmp.path().join("1 bad.name");
    std::fs::create_dir_all(&odd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["init", "--lang", "rust", "."])
        .current_dir(&odd)
        .env("LIGHTCONE_CONFIG_DIR", cli.config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Next:"));
    let manifest = std::fs::read_to_string(odd.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("name = \"module_1_bad_name\""),
        "{manifest}"
    );
    assert_eq!(
        std::fs::read_to_string(odd.join(".gitignore")).unwrap(),
        "target/\n"
    );
    let metadata = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(&odd)
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "cargo refuses the manifest: {}",
        String::from_utf8_lossy(&metadata.stderr)
    );

    // delete, then the database is gone.
    // Wiping asks first; off a terminal (as here) it needs --yes, and says what went.
    let refused = cli.fails(&["delete", "chat"]);
    assert!(refused.contains("hint: pass --yes"), "{refused}");
    let refused = cli.fails(&["publish", "chat", "-b", &wasm, "--clear"]);
    assert!(refused.contains("hint: pass --yes"), "{refused}");
    let count = cli.ok(&["sql", "chat", "SELECT COUNT(*) AS n FROM message", "--json"]);
    assert!(
        !count.contains("\"rows\":[[0]]"),
        "nothing was wiped: {count}"
    );
    let cleared = cli.ok(&["publish", "chat", "-b", &wasm, "--clear", "--yes"]);
    assert!(cleared.contains("every row was deleted first"), "{cleared}");
    let deleted = cli.ok(&["delete", "chat", "--yes"]);
    assert!(
        deleted.starts_with("Deleted the database `chat` (c200"),
        "{deleted}"
    );
    assert!(cli
        .fails(&["sql", "chat", "SELECT * FROM message"])
        .contains("404"));

    // A server that is not there is one clear line and a hint.
    let err = cli.fails(&["sql", "chat", "SELECT 1", "--server", "http://127.0.0.1:9"]);
    assert!(
        err.contains("cannot reach the server") && err.contains("hint:"),
        "{err}"
    );
}

/// The identity in a publish's "…, identity: <hex>" line.
fn published_identity(out: &str) -> String {
    out.split("identity: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no identity in {out}"))
        .trim_end_matches(',')
        .to_owned()
}

#[test]
fn list_logs_and_identities_across_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::durable(data.path());
    let addr = server.addr();
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    let owner = cli.ok(&["identity", "new"]).trim().to_owned();
    assert!(
        cli.ok(&["list"]).contains("owns no databases"),
        "nothing published yet"
    );
    let wasm_path = tmp.path().join("chat.wasm");
    std::fs::write(&wasm_path, support::module_wasm("samples/chat/module-rust")).unwrap();
    let wasm = wasm_path.to_str().unwrap();
    cli.ok(&["publish", "chat", "-b", wasm]);
    let broken = published_identity(&cli.ok(&["publish", "broken", "-b", wasm]));
    cli.ok(&[
        "call",
        "chat",
        "send_message",
        "\"said before the restart\"",
    ]);

    // Anyone may ask which databases an identity owns (SpacetimeDB's reply); names and
    // status go to the owner only.
    let stranger = server.request(
        "GET",
        &format!("/v1/identity/{owner}/databases"),
        None,
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&stranger.body).unwrap();
    assert_eq!(v["identities"].as_array().map(Vec::len), Some(2), "{v}");
    assert!(v.get("databases").is_none(), "{v}");
    let token = cli.ok(&["identity", "token"]).trim().to_owned();
    let path = format!("/v1/identity/{owner}/verify");
    assert_eq!(server.request("GET", &path, Some(&token), None).status, 204);
    assert_eq!(server.request("GET", &path, None, None).status, 401);
    let (_, someone_else) = server.new_identity();
    assert_eq!(
        server
            .request("GET", &path, Some(&someone_else), None)
            .status,
        400
    );

    // Another machine imports the token and sees the same databases; a forged token or one
    // that is not a token is refused, and nothing is saved.
    let other = Cli {
        config: &tmp.path().join("other-config"),
    };
    other.ok(&["server", "add", "test", &server.base, "--default"]);
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let err = other.fails(&["identity", "import", &forged]);
    assert!(err.contains("does not accept the token (401)"), "{err}");
    assert!(other
        .fails(&["identity", "import", "hello"])
        .contains("that is not a token"));
    assert_eq!(other.ok(&["identity", "list"]), "", "nothing saved");
    assert_eq!(
        other.ok(&["identity", "import", &token]).trim(),
        format!("Imported identity {owner}")
    );
    let listed = other.ok(&["list"]);
    let chat_line = listed.lines().find(|l| l.starts_with("chat ")).unwrap();
    assert!(chat_line.ends_with("running"), "{listed}");
    assert!(listed.lines().any(|l| l.starts_with("broken ")), "{listed}");
    // Forgetting the token asks first (not on a terminal: --yes), and says the default went.
    assert!(other
        .fails(&["identity", "remove", &owner[..12]])
        .contains("hint: pass --yes"));
    assert!(other
        .ok(&["identity", "remove", &owner[..12], "--yes"])
        .contains("It was the default"));
    assert_eq!(other.ok(&["identity", "list"]), "");

    // Restart with one database's module spoiled on disk.
    assert!(server.stop().is_some());
    std::fs::write(
        data.path()
            .join("databases")
            .join(&broken)
            .join("module.wasm"),
        b"\0asm spoiled",
    )
    .unwrap();
    let _server = Server::durable_at(data.path(), &addr);

    // The line logged before the restart is still shown (read back from the log file).
    let logs = cli.ok(&["logs", "chat"]);
    assert!(logs.contains("said before the restart"), "{logs}");
    // The listing says which database runs and why the other does not.
    let listed = cli.ok(&["list"]);
    let lines: Vec<&str> = listed.lines().collect();
    assert!(
        lines[0].starts_with("NAME") && lines[0].ends_with("STATUS"),
        "{listed}"
    );
    let chat_line = lines.iter().find(|l| l.starts_with("chat ")).unwrap();
    assert!(chat_line.ends_with("running"), "{listed}");
    let broken_line = lines.iter().find(|l| l.starts_with("broken ")).unwrap();
    assert!(
        broken_line.contains(&broken) && broken_line.contains("failed to open: "),
        "{listed}"
    );
}

/// Copies the chat sample's Rust module to `dir` as crate `name`, with `line` added to the
/// start of `send_message`.
fn chat_module_copy(dir: &Path, name: &str, line: &str) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/chat/module-rust");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let manifest = std::fs::read_to_string(sample.join("Cargo.toml")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        manifest.replace("name = \"chat-module\"", &format!("name = \"{name}\"")),
    )
    .unwrap();
    let source = std::fs::read_to_string(sample.join("src/lib.rs")).unwrap();
    let at = source.find("pub fn send_message").unwrap();
    let body = at + source[at..].find('{').unwrap() + 1;
    let changed = format!("{}\n    {line}{}", &source[..body], &source[body..]);
    std::fs::write(dir.join("src/lib.rs"), changed).unwrap();
}

#[test]
fn build_shows_its_progress_and_warnings_and_ends_a_failure_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    let stderr = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // Rust: a warning is shown on success, with the step that compiled the crate.
    let warned = tmp.path().join("warned");
    chat_module_copy(&warned, "warned-module", "let unused_here = 1;");
    let out = cli.run(&["build", "-p", warned.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: unused variable: `unused_here`"),
        "{err}"
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with('[') && l.ends_with("] warned-module")),
        "a step line names the crate: {err}"
    );
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("Built ") && l.ends_with(".wasm (1 warning)")),
        "{err}"
    );

    // Rust: a failure shows the compiler's error, then one line.
    let broken = tmp.path().join("broken");
    chat_module_copy(&broken, "broken-module", "let n: u32 = \"no\";");
    let out = cli.run(&["build", "-p", broken.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[E0308]: mismatched types"), "{err}");
    assert_eq!(
        err.lines().last(),
        Some(
            format!(
                "error: the module in {} did not build: 1 error (shown above)",
                broken.display()
            )
            .as_str()
        ),
        "{err}"
    );

    // C++: CMake's steps, the compiler's warning, and a failure's one line.
    let cpp = tmp.path().join("cpp_warned");
    cli.ok(&["init", "--lang", "cpp", cpp.to_str().unwrap()]);
    let source = std::fs::read_to_string(cpp.join("module.cpp")).unwrap();
    std::fs::write(
        cpp.join("module.cpp"),
        format!("{source}\nstatic int twice(int x) {{ int unused_here = 0; return x * 2; }}\n"),
    )
    .unwrap();
    let out = cli.run(&["build", "-p", cpp.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: unused variable 'unused_here'"),
        "{err}"
    );
    assert!(err.contains("/100] Building CXX object"), "{err}");
    std::fs::write(
        cpp.join("module.cpp"),
        format!("{source}\nint broken = ;\n"),
    )
    .unwrap();
    let out = cli.run(&["build", "-p", cpp.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error: expected expression"), "{err}");
    assert!(
        err.lines()
            .last()
            .is_some_and(|l| l.starts_with("error: the module in ")
                && l.ends_with("did not build: 1 error (shown above)")),
        "{err}"
    );
}

#[test]
fn a_refused_publish_of_a_big_module_shows_the_servers_answer() {
    // The server answers as soon as it knows (bad token, bad name, not the owner); the CLI
    // must show that answer, not a broken pipe from the body it was still sending.
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    cli.ok(&["identity", "new"]);
    let big = tmp.path().join("big.wasm");
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.resize(8 << 20, 0);
    std::fs::write(&big, &bytes).unwrap();
    let big = big.to_str().unwrap();

    let err = cli.fails(&["publish", "bad name!", "-b", big]);
    assert!(
        err.contains("the server answered 400") && err.contains("is not a valid database name"),
        "{err}"
    );
    // Someone else's database.
    let (_, owner) = server.new_identity();
    let r = server.publish(
        "theirs",
        Some(&owner),
        &support::module_wasm("samples/chat/module-rust"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let err = cli.fails(&["publish", "theirs", "-b", big]);
    assert!(err.contains("the server answered 403"), "{err}");
    // A token this server did not sign.
    let path = tmp.path().join("config/config.json");
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let token = config["identities"][0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let forged = format!("{}AAAA", &token[..token.len() - 4]);
    config["identities"][0]["token"] = forged.into();
    std::fs::write(&path, serde_json::to_vec(&config).unwrap()).unwrap();
    let err = cli.fails(&["publish", "mine", "-b", big]);
    assert!(
        err.contains("the server answered 401") && err.contains("Invalid token"),
        "{err}"
    );
    assert!(!err.contains("cannot reach"), "{err}");
}

#[test]
fn subscribe_prints_an_insert_another_client_makes() {
    use std::io::BufRead;
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    let wasm = tmp.path().join("chat.wasm");
    std::fs::write(&wasm, support::module_wasm("samples/chat/module-rust")).unwrap();
    cli.ok(&["publish", "chat", "-b", wasm.to_str().unwrap()]);
    cli.ok(&["call", "chat", "send_message", "\"already there\""]);

    let subscriber = |extra: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lightcone"))
            .args(["subscribe", "chat", "SELECT * FROM message", "-n", "1"])
            // The subscriber's own deadline: it ends by itself if the insert never comes.
            .args(["--timeout-secs", "30"])
            .args(extra)
            .env("LIGHTCONE_CONFIG_DIR", cli.config)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert!(
            line.starts_with(lightcone_server::client::subscribe::SUBSCRIBED),
            "{line}"
        );
        child
    };
    // Another client (its own identity, over HTTP) sends a message.
    let (_, other) = server.new_identity();
    let send = |text: &str| {
        let r = server.call(
            "chat",
            "send_message",
            Some(&other),
            &format!("[\"{text}\"]"),
        );
        assert_eq!(r.status, 200, "{r:?}");
    };

    let child = subscriber(&["--json"]);
    send("from the other client");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the new row: {stdout}");
    let change: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(change["table"], "message");
    assert_eq!(change["op"], "insert");
    assert_eq!(change["row"]["text"], "from the other client");

    // The table form, with the rows already there first.
    let child = subscriber(&["--print-initial"]);
    send("second");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("message"), "{stdout}");
    assert!(
        lines.next().unwrap().starts_with(" op | sender"),
        "{stdout}"
    );
    let rows: Vec<&str> = lines.filter(|l| l.starts_with(" + ")).collect();
    assert!(
        rows.iter().any(|r| r.ends_with("already there")),
        "{stdout}"
    );
    assert!(rows.last().unwrap().ends_with("second"), "{stdout}");

    // A query the server refuses is one clear line.
    let err = cli.fails(&["subscribe", "chat", "SELECT * FROM nope"]);
    assert!(
        err.contains("refused the subscription: no such table"),
        "{err}"
    );
}

/// Every row of `table` in `db`, as the server's JSON rows, sorted.
fn all_rows(cli: &Cli, db: &str, table: &str) -> Vec<String> {
    let json = cli.ok(&["sql", db, &format!("SELECT * FROM {table}"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut rows: Vec<String> = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_backup_taken_while_running_restores_every_row_into_a_fresh_server() {
    let tmp = tempfile::tempdir().unwrap();
    let (data_a, data_b) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = Server::durable(&data_a);
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "a", &a.base, "--default"]);
    let wasm = tmp.path().join("chat.wasm");
    std::fs::write(&wasm, support::module_wasm("samples/chat/module-rust")).unwrap();
    cli.ok(&["publish", "chat", "-b", wasm.to_str().unwrap()]);
    cli.ok(&["call", "chat", "set_name", "\"Ada\""]);
    let (_, other) = a.new_identity();
    for i in 0..40 {
        let r = a.call(
            "chat",
            "send_message",
            Some(&other),
            &format!("[\"message {i}\"]"),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
    cli.ok(&["call", "chat", "send_message", "\"and one from the owner\""]);

    let file = tmp.path().join("chat.lcbk");
    let said = cli.ok(&["backup", "chat", file.to_str().unwrap()]);
    assert!(said.starts_with("Backed up `chat` to "), "{said}");
    let tables = ["user", "message"];
    let expected: Vec<Vec<String>> = tables.iter().map(|t| all_rows(&cli, "chat", t)).collect();
    assert_eq!(expected[1].len(), 41);
    // Only the owner may take one.
    let r = a.request("GET", "/v1/database/chat/backup", Some(&other), None);
    assert_eq!(r.status, 403, "{r:?}");

    // A fresh server, another identity: the restore is a new database with the same rows.
    let b = Server::durable(&data_b);
    let restorer = Cli {
        config: &tmp.path().join("config-b"),
    };
    restorer.ok(&["server", "add", "b", &b.base, "--default"]);
    let said = restorer.ok(&["restore", "chat", file.to_str().unwrap()]);
    assert!(said.contains("as `chat`, identity: c200"), "{said}");
    for (table, rows) in tables.iter().zip(&expected) {
        assert_eq!(&all_rows(&restorer, "chat", table), rows, "{table}");
    }
    // The restored database is durable like any other: it survives a restart, and runs.
    let addr = b.addr();
    assert!(b.stop().is_some());
    let _b = Server::durable_at(&data_b, &addr);
    for (table, rows) in tables.iter().zip(&expected) {
        assert_eq!(
            &all_rows(&restorer, "chat", table),
            rows,
            "{table} after a restart"
        );
    }
    restorer.ok(&["call", "chat", "send_message", "\"after the restore\""]);
    assert_eq!(all_rows(&restorer, "chat", "message").len(), 42);

    // A name that exists, and a damaged file, are refused; nothing is created.
    let err = restorer.fails(&["restore", "chat", file.to_str().unwrap()]);
    assert!(err.contains("exists already"), "{err}");
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = tmp.path().join("damaged.lcbk");
    std::fs::write(&damaged, bytes).unwrap();
    let err = restorer.fails(&["restore", "copy", damaged.to_str().unwrap()]);
    assert!(err.contains("400") && err.contains("is damaged"), "{err}");
    assert!(restorer
        .fails(&["sql", "copy", "SELECT * FROM user"])
        .contains("404"));
}

#[test]
fn dev_republishes_after_a_source_change_and_shows_the_plan_and_the_logs() {
    use std::io::BufRead;
    use std::sync::mpsc::RecvTimeoutError;
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    cli.ok(&["identity", "new"]);
    let dir = tmp.path().join("chat_dev");
    std::fs::create_dir_all(&dir).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/chat/module-cpp");
    for file in ["CMakeLists.txt", "chat.cpp"] {
        std::fs::copy(sample.join(file), dir.join(file)).unwrap();
    }
    /// `lightcone dev`, killed however the test ends.
    struct Dev(std::process::Child);
    impl Drop for Dev {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dev = Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["dev", "chat", "-p", dir.to_str().unwrap()])
        .env("LIGHTCONE_CONFIG_DIR", cli.config)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut dev = Dev(dev);
    let (tx, lines) = std::sync::mpsc::channel();
    let stdout = dev.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |what: &dyn Fn(&str) -> bool, why: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let hit = what(&line);
                    seen.push(line);
                    if hit {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("{why}: not seen in\n{}", seen.join("\n"))
                }
            }
        }
    };
    use lightcone_server::client::dev::DEV;
    wait_for(
        &|l| l.starts_with(&format!("{DEV} Created new database with name: chat")),
        "the first publish",
    );
    wait_for(&|l| l.starts_with(&format!("{DEV} watching")), "watching");

    // A save: a new table and a reducer that logs.
    let mut source = std::fs::read_to_string(dir.join("chat.cpp")).unwrap();
    source.push_str(
        "\nstruct Shout { std::string text; };\nLC_STRUCT(Shout, text)\n\
         LC_TABLE(shout_log, Shout, lc::Public);\n\
         lc::Result<> shout(lc::ReducerContext&, std::string text) {\n\
         \x20   lc::log::info(\"shouted: \" + text);\n\
         \x20   LC_TRY(shout_log.insert(Shout{std::move(text)}));\n\
         \x20   return lc::ok();\n}\nLC_REDUCER(shout, text);\n",
    );
    std::fs::write(dir.join("chat.cpp"), source).unwrap();
    wait_for(
        &|l| l == format!("{DEV}   + table `shout_log`"),
        "the plan's new table",
    );
    wait_for(
        &|l| l == format!("{DEV}   + reducer `shout`"),
        "the plan's new reducer",
    );
    wait_for(
        &|l| l.starts_with(&format!("{DEV} Updated database with name: chat")),
        "the republish",
    );
    // The new reducer runs, and its log line shows up in dev's output.
    cli.ok(&["call", "chat", "shout", "\"hello\""]);
    wait_for(&|l| l.ends_with("shouted: hello"), "the module's log line");

    // A change the server cannot migrate is shown as refused, and dev keeps going.
    let source = std::fs::read_to_string(dir.join("chat.cpp")).unwrap();
    std::fs::write(
        dir.join("chat.cpp"),
        source
            .replace("LC_TABLE(shout_log, Shout, lc::Public);\n", "")
            .replace(
                "    LC_TRY(shout_log.insert(Shout{std::move(text)}));\n",
                "",
            )
            .replace(
                "struct Shout { std::string text; };\nLC_STRUCT(Shout, text)\n",
                "",
            ),
    )
    .unwrap();
    wait_for(
        &|l| l.starts_with(&format!("{DEV}   refused: table `shout_log` was removed")),
        "the refusal in the plan",
    );
    wait_for(
        &|l| l.starts_with(&format!("{DEV} refused: ")),
        "the server's refusal",
    );
    drop(dev);
}

#[test]
fn publish_on_a_terminal_shows_an_upload_bar() {
    // `script` runs the CLI on a pseudo-terminal (util-linux, on every Debian machine).
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    cli.ok(&["identity", "new"]);
    let wasm = tmp.path().join("chat.wasm");
    std::fs::write(&wasm, support::module_wasm("samples/chat/module-rust")).unwrap();
    let command = format!(
        "{} publish chat -b {}",
        env!("CARGO_BIN_EXE_lightcone"),
        wasm.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("LIGHTCONE_CONFIG_DIR", cli.config)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("Uploading ["), "the bar was drawn: {shown}");
    assert!(
        shown.contains("Created new database with name: chat"),
        "{shown}"
    );
    // What was uploaded is the module, whole: it runs.
    cli.ok(&["call", "chat", "send_message", "\"over the bar\""]);
}

#[test]
fn a_csharp_module_from_init_builds_publishes_and_runs_and_its_build_errors_name_the_line() {
    let server = Server::start(&["--in-memory"]);
    let tmp = tempfile::tempdir().unwrap();
    let cli = Cli {
        config: &tmp.path().join("config"),
    };
    cli.ok(&["server", "add", "test", &server.base, "--default"]);
    let dir = tmp.path().join("people");
    let dir_s = dir.to_str().unwrap();
    cli.ok(&["init", "--lang", "csharp", dir_s]);
    assert!(cli
        .fails(&["init", "--lang", "csharp", dir_s])
        .contains("already holds a Lib.cs"));
    cli.ok(&["publish", "people", "-p", dir_s]);
    cli.ok(&["call", "people", "add", "\"Ada\""]);
    cli.ok(&["call", "people", "add", "\"Grace\""]);
    cli.ok(&["call", "people", "say_hello"]);
    let logs = cli.ok(&["logs", "people", "-n", "20"]);
    for line in [
        "added Ada as person 1",
        "added Grace as person 2",
        "Hello, Ada!",
        "Hello, Grace!",
        "Hello, World!",
    ] {
        assert!(logs.contains(line), "{line} in {logs}");
    }

    // A type outside the corlib subset: mcs's error with its line, and the hint.
    let lib = dir.join("Lib.cs");
    let source = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(
        &lib,
        source.replace(
            "        Log.Info(\"Hello, World!\");",
            "        Log.Info(System.IO.File.ReadAllText(\"x\"));",
        ),
    )
    .unwrap();
    let err = cli.fails(&["build", "-p", dir_s]);
    assert!(err.contains("Lib.cs(28,"), "{err}");
    assert!(err.contains("a subset of the .NET base library"), "{err}");
    // What the translator refuses: the file, line and method.
    std::fs::write(
        &lib,
        source
            .replace(
                "public static partial class Module\n{",
                "public static partial class Module\n{\n    static Person[] last;",
            )
            .replace(
                "        Log.Info(\"Hello, World!\");",
                "        last = new Person[1];",
            ),
    )
    .unwrap();
    let err = cli.fails(&["build", "-p", dir_s]);
    assert!(
        err.contains("Lib.cs:29: in Module.say_hello(ReducerContext)"),
        "{err}"
    );
    assert!(err.contains("static field holding objects"), "{err}");
}
