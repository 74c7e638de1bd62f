//! Running the real `lightcone start` as a service: settings from flags, environment and a
//! TOML file (one precedence rule), JSON logs, and systemd's readiness protocol.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::Server;

/// How long a test waits for the server to say something.
const WAIT: Duration = Duration::from_secs(30);

/// `lightcone start --config <file>` with `args` and `env`.
fn start_with(file: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lightcone"));
    command
        .args(["start", "--config", file.to_str().unwrap()])
        .args(args)
        .envs(env.iter().copied());
    command
}

/// The host a server listens on (`127.0.0.2` of `http://127.0.0.2:4312`).
fn host(server: &Server) -> String {
    let addr = server.addr();
    addr.rsplit_once(':').unwrap().0.to_owned()
}

/// Runs a `start` that must fail; its stderr.
fn refused(mut command: Command) -> String {
    let out = command.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "the server should refuse to start"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_setting_comes_from_its_flag_else_its_environment_variable_else_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("from-file");
    let file = tmp.path().join("lightcone.toml");
    std::fs::write(
        &file,
        format!(
            "listen_addr = \"127.0.0.2:0\"\ndata_dir = \"{}\"\nreducer_budget_ms = 500\n",
            data.display()
        ),
    )
    .unwrap();

    // The file alone: its address and its data directory.
    let server = Server::spawn(start_with(&file, &[], &[]));
    assert_eq!(host(&server), "127.0.0.2");
    assert!(
        data.join("databases").is_dir(),
        "the file's data_dir is used"
    );
    server.stop();
    // The environment variable beats the file; the file still gives the rest.
    std::fs::remove_dir_all(&data).unwrap();
    let env = [("LIGHTCONE_LISTEN_ADDR", "127.0.0.3:0")];
    let server = Server::spawn(start_with(&file, &[], &env));
    assert_eq!(host(&server), "127.0.0.3");
    assert!(data.join("databases").is_dir());
    server.stop();
    // The flag beats both.
    let server = Server::spawn(start_with(&file, &["--listen-addr", "127.0.0.4:0"], &env));
    assert_eq!(host(&server), "127.0.0.4");
    server.stop();

    // A value from the file is checked as a typed one is, and the error names the file.
    std::fs::write(&file, "reducer_budget_ms = 1\n").unwrap();
    let err = refused(start_with(&file, &["--in-memory"], &[]));
    assert!(
        err.contains(&format!("in {}", file.display())) && err.contains("--reducer-budget-ms"),
        "{err}"
    );
    // …but not when the environment overrides it.
    let budget = [("LIGHTCONE_REDUCER_BUDGET_MS", "700")];
    let server = Server::spawn(start_with(&file, &["--in-memory"], &budget));
    server.stop();
    // A misspelt key, a wrong type and a broken file are refused with what is wrong.
    std::fs::write(&file, "listn_addr = \"127.0.0.1:0\"\n").unwrap();
    let err = refused(start_with(&file, &[], &[]));
    assert!(
        err.contains("`listn_addr` is not a setting")
            && err.contains("did you mean `listen_addr`?"),
        "{err}"
    );
    std::fs::write(&file, "in_memory = \"yes\"\n").unwrap();
    let err = refused(start_with(&file, &[], &[]));
    assert!(err.contains("`in_memory` must be true or false"), "{err}");
    std::fs::write(&file, "listen_addr = \n").unwrap();
    let err = refused(start_with(&file, &[], &[]));
    assert!(err.contains("is not valid TOML"), "{err}");
}

/// A server process killed if the test ends early (a failed assertion).
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn json_logs_are_one_object_per_line() {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_lightcone"))
            .args(["start", "--in-memory", "--listen-addr", "127.0.0.1:0"])
            .args(["--log-format", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.0.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let addr = loop {
        let line = rx.recv_timeout(WAIT).expect("the server said it listens");
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        lines.push(line);
        let message = v["fields"]["message"].as_str().unwrap_or_default();
        if let Some(rest) = message.strip_prefix(lightcone_server::server::LISTENING) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Something more to log: a database created and a reducer call.
    let wasm = support::module_wasm("samples/chat/module-rust");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .put(format!("http://{addr}/v1/database/chat"))
        .send(&wasm[..])
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    assert!(child.0.wait().unwrap().success());
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    assert!(lines.len() >= 3, "{lines:?}");
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v["timestamp"].is_string() && v["level"].is_string() && v["fields"].is_object(),
            "{line}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("shutting down")),
        "the shutdown is logged too: {lines:?}"
    );
}

#[test]
fn systemd_is_told_when_the_server_is_ready_and_when_it_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let server = Server::start_with_env(
        &["--in-memory"],
        &[("NOTIFY_SOCKET", path.to_str().unwrap())],
    );
    let mut buf = [0u8; 256];
    let n = socket.recv(&mut buf).expect("READY=1 within the deadline");
    assert_eq!(&buf[..n], b"READY=1");
    // Ready means ready: it answers at once.
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
    assert_eq!(server.stop(), Some(0));
    let n = socket.recv(&mut buf).expect("STOPPING=1");
    assert_eq!(&buf[..n], b"STOPPING=1");
}

#[test]
fn every_setting_of_start_is_in_the_operations_guide() {
    let help = Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["start", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/operations.md"),
    )
    .unwrap();
    let flags: Vec<&str> = help
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--"))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|f| *f != "help")
        .collect();
    assert!(flags.len() >= 15, "{help}");
    for flag in flags {
        let env = format!("LIGHTCONE_{}", flag.replace('-', "_").to_uppercase());
        let row = guide
            .lines()
            .find(|l| l.starts_with(&format!("| `--{flag}")))
            .unwrap_or_else(|| panic!("--{flag} has no row in docs/operations.md"));
        assert!(row.contains(&env), "--{flag}'s row names {env}: {row}");
        if flag != "config" {
            assert!(
                row.contains(&format!("`{}`", flag.replace('-', "_"))),
                "{row}"
            );
        }
    }
}

/// The value of the sample of `name` whose labels include every one of `labels`
/// (`reducer="work"`), in the Prometheus text `m`.
fn sample(m: &str, name: &str, labels: &[&str]) -> Option<f64> {
    m.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            let (series, _) = l.rsplit_once(' ').unwrap_or((l, ""));
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name && labels.iter().all(|want| rest.contains(want))
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[test]
fn metrics_are_present_and_move_under_a_workload() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::durable(data.path());
    let (_, owner) = server.new_identity();
    let r = server.publish(
        "game",
        Some(&owner),
        &support::module_wasm("server/host/tests/modules/ticker"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let db = format!(
        "database=\"{}\"",
        v["Success"]["database_identity"].as_str().unwrap()
    );
    let scrape = || server.request("GET", "/metrics", None, None).body;
    let before = scrape();
    let txs_before = sample(&before, "lightcone_transactions_total", &[&db]).unwrap();

    for _ in 0..20 {
        assert_eq!(server.call("game", "work", Some(&owner), "[1]").status, 200);
    }
    assert_eq!(
        server.call("game", "start", Some(&owner), "[5]").status,
        200
    );
    // Ticks run on their own: wait (with a deadline) for five of them.
    let deadline = std::time::Instant::now() + WAIT;
    let after = loop {
        let m = scrape();
        let ticks = sample(&m, "lightcone_table_rows", &[&db, "table=\"tick_log\""]);
        if ticks.is_some_and(|n| n >= 5.0) {
            break m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no 5 ticks in time:\n{m}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };

    let work = ["reducer=\"work\"", db.as_str()];
    assert_eq!(
        sample(
            &after,
            "lightcone_database_reducer_calls_total",
            &[&work[..], &["outcome=\"committed\""]].concat()
        ),
        Some(20.0)
    );
    assert_eq!(
        sample(
            &after,
            "lightcone_database_reducer_duration_seconds_count",
            &work
        ),
        Some(20.0)
    );
    let ticks = sample(
        &after,
        "lightcone_database_reducer_calls_total",
        &[&db, "reducer=\"tick\"", "outcome=\"committed\""],
    )
    .unwrap();
    assert!(ticks >= 5.0, "{after}");
    let late = sample(&after, "lightcone_scheduled_lateness_seconds_count", &[&db]).unwrap();
    assert!(late >= 5.0, "every tick's lateness is counted: {after}");
    assert_eq!(
        sample(&after, "lightcone_table_rows", &[&db, "table=\"counter\""]),
        Some(1.0)
    );
    let txs = sample(&after, "lightcone_transactions_total", &[&db]).unwrap();
    assert!(txs >= txs_before + 26.0, "{txs_before} → {txs}");
    assert!(sample(&after, "lightcone_commitlog_durable_lag", &[&db]).is_some());
    // Memory and disk grow with the ticks' rows and transactions.
    for grows in [
        "lightcone_database_table_bytes",
        "lightcone_database_disk_bytes",
    ] {
        let (was, is) = (
            sample(&before, grows, &[&db]).unwrap(),
            sample(&after, grows, &[&db]).unwrap(),
        );
        assert!(is > was, "{grows}: {was} → {is}");
    }
    let wasm_memory = sample(&after, "lightcone_database_module_memory_bytes", &[&db]).unwrap();
    assert!(
        wasm_memory >= 65_536.0,
        "at least one wasm page: {wasm_memory}"
    );
    for present in [
        "lightcone_client_queue_bytes",
        "lightcone_client_queue_bytes_max",
        "lightcone_snapshots_total",
        "lightcone_commitlog_segments_compacted_total",
    ] {
        assert!(
            sample(&after, present, &[&db]).is_some(),
            "{present}: {after}"
        );
    }
    assert!(
        sample(
            &after,
            "lightcone_reducer_calls_total",
            &["outcome=\"committed\""]
        )
        .unwrap()
            >= 26.0
    );

    // The text format holds: every sample's family was declared, every value is a number.
    let mut declared = std::collections::HashSet::new();
    for line in after.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            declared.insert(rest.split(' ').next().unwrap().to_owned());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let metric = series.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| metric.strip_suffix(s).filter(|f| declared.contains(*f)))
            .unwrap_or(metric);
        assert!(declared.contains(family), "{metric} has no # TYPE: {line}");
    }
}
