//! `lightcone`: the server binary and its command line.
//!
//! `start` serves the HTTP API (src/server.rs); the other subcommands of the CLI come with the
//! front-door issue (docs/ARCHITECTURE.md).

// No path a client or module reaches may panic: `unwrap`/`expect` are refused outside tests
// (invariants are `debug_assert!`ed with a fallback, see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod cli;
mod settings_file;

/// mimalloc rather than glibc's malloc: commit payloads are allocated by a database's writer
/// and freed by its durability worker, and glibc serializes such cross-thread frees on an
/// arena lock (measured in the host transfer bench: futex wakes were ~12% of the writer's time).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = settings_file::parse();
    let result = match cli.command {
        cli::Command::Start(args) => {
            let data_dir = match args.data_dir_or_default() {
                Ok(dir) => dir,
                Err(e) => {
                    eprintln!("lightcone: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            // Server logs on stderr; `RUST_LOG` chooses what (default: info).
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let json_logs = args.log_format == cli::LogFormat::Json;
            if json_logs {
                tracing_subscriber::fmt()
                    .json()
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    .init();
            } else {
                tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    // Colours only on a terminal, not in log files.
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                    .init();
            }
            let metrics_token = match &args.metrics_token_file {
                None => None,
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
                    Ok(_) => {
                        eprintln!(
                            "lightcone: {} is empty; it must hold the metrics token",
                            path.display()
                        );
                        return std::process::ExitCode::from(2);
                    }
                    Err(e) => {
                        eprintln!("lightcone: reading {}: {e}", path.display());
                        return std::process::ExitCode::from(2);
                    }
                },
            };
            let config = lightcone_server::server::ServerConfig {
                connections: lightcone_server::http::accept::ConnectionLimits {
                    max_connections: args.max_connections,
                    max_connections_per_ip: args.max_connections_per_ip,
                    header_read_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
                    body_read_timeout: std::time::Duration::from_secs(args.body_timeout_secs),
                    body_memory_bytes: (args.max_body_memory_mib as usize) << 20,
                    ..Default::default()
                },
                metrics_token,
                json_logs,
                listen_addr: args.listen_addr,
                data_dir: (!args.in_memory).then_some(data_dir),
                archive_dir: args.archive_dir,
                max_client_queue: args.max_client_queue.max(1),
                max_client_queue_bytes: (args.max_client_queue_mib as usize) << 20,
                host: lightcone_host::HostConfig {
                    reducer_budget: std::time::Duration::from_millis(args.reducer_budget_ms),
                    memory_limit_bytes: (args.module_memory_mib as usize) << 20,
                    outbound_http: lightcone_host::outbound::OutboundHttp {
                        enabled: !args.no_procedure_http,
                        allow_private: args.procedure_http_allow_private,
                    },
                    ..Default::default()
                },
            };
            return match lightcone_server::server::run(config) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("lightcone: {e:#}");
                    std::process::ExitCode::from(2)
                }
            };
        }
        command => client(command),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::ExitCode::from(1)
        }
    }
}

/// The client subcommands (everything but `start`).
fn client(command: cli::Command) -> Result<(), lightcone_server::client::error::CliError> {
    use cli::{Command as C, IdentityCommand as I, ServerCommand as S};
    use lightcone_server::client::commands as cmd;
    use lightcone_server::client::config::Config;
    use lightcone_server::client::error::CliError;
    use lightcone_server::client::identities as id;
    let mut config = Config::load()?;
    let connect = |config: &mut Config, server: &Option<String>| -> Result<cmd::Client, CliError> {
        cmd::ensure_identity(config, server.as_deref())?;
        cmd::Client::new(config, server.as_deref(), false)
    };
    match command {
        C::Start(_) => unreachable!("handled by main"),
        C::Build { project_path } => {
            let wasm = cmd::build(&project_path)?;
            println!("{}", wasm.display());
        }
        C::Generate {
            lang,
            out_dir,
            bin_path,
            project_path,
            database,
            namespace,
            server,
        } => {
            let def = match database {
                Some(db) => cmd::fetch_module_def(
                    &cmd::Client::new(&config, server.server.as_deref(), true)?,
                    &db,
                )?,
                None => {
                    cmd::describe_wasm(&cmd::module_bytes(bin_path.as_deref(), &project_path)?)?
                }
            };
            for name in cmd::generate(&def, &lang, &namespace, &out_dir)? {
                println!("{}", out_dir.join(name).display());
            }
        }
        C::Init { lang, dir } => match lang.as_str() {
            "rust" => {
                cmd::init_rust(&dir)?;
                println!("Created a Rust module in {}", dir.display());
                print_next_steps(&dir);
            }
            "cpp" | "c++" => {
                cmd::init_cpp(&dir)?;
                println!("Created a C++ module in {}", dir.display());
                print_next_steps(&dir);
            }
            "csharp" | "c#" | "cs" => {
                cmd::init_csharp(&dir)?;
                println!("Created a C# module in {}", dir.display());
                print_next_steps(&dir);
            }
            _ => {
                return Err(CliError::Usage(format!(
                    "`--lang {lang}` is not supported yet\n  hint: `--lang rust`, `--lang cpp` or `--lang csharp`"
                )))
            }
        },
        C::Publish {
            name,
            bin_path,
            project_path,
            clear,
            yes,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            // Asked before building: a refusal then costs no build.
            if clear {
                cmd::confirm(
                    &format!(
                        "Wipe every row of `{name}` on {} before publishing?",
                        client.url
                    ),
                    yes,
                )?;
            }
            let wasm = cmd::module_bytes(bin_path.as_deref(), &project_path)?;
            eprintln!("Publishing {} bytes to {} …", wasm.len(), client.url);
            println!("{}", cmd::publish(&client, &name, &wasm, clear)?);
        }
        C::Call {
            database,
            reducer,
            args,
            server,
        } => cmd::call(
            &connect(&mut config, &server.server)?,
            &database,
            &reducer,
            &args,
        )?,
        C::Sql {
            database,
            query,
            json,
            server,
        } => print!(
            "{}",
            cmd::sql(
                &connect(&mut config, &server.server)?,
                &database,
                &query,
                json
            )?
        ),
        C::Logs {
            database,
            num_lines,
            follow,
            json,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            if follow {
                cmd::follow_logs(&client, &database, num_lines, json)?
            } else {
                print!("{}", cmd::logs(&client, &database, num_lines, json)?)
            }
        }
        C::Describe {
            database,
            json,
            server,
        } => {
            print!(
                "{}",
                cmd::describe(&connect(&mut config, &server.server)?, &database, json)?
            )
        }
        C::Delete {
            database,
            yes,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            cmd::confirm(
                &format!(
                    "Delete the database `{database}` on {} and all its data?",
                    client.url
                ),
                yes,
            )?;
            println!("{}", cmd::delete(&client, &database)?)
        }
        C::Identity(I::New { default, server }) => {
            println!(
                "{}",
                id::identity_new(&mut config, server.server.as_deref(), default)?
            )
        }
        C::Identity(I::List) => print!("{}", id::identity_list(&config)),
        C::Identity(I::Default { identity }) => id::identity_default(&mut config, &identity)?,
        C::Identity(I::Token { identity }) => {
            println!("{}", id::identity_token(&config, identity.as_deref())?)
        }
        C::Identity(I::Remove { identity, yes }) => {
            println!("{}", id::identity_remove(&mut config, &identity, yes)?)
        }
        C::Identity(I::Import {
            token,
            default,
            server,
        }) => println!(
            "{}",
            id::identity_import(&mut config, server.server.as_deref(), &token, default)?
        ),
        C::Subscribe {
            database,
            queries,
            json,
            print_initial,
            num_updates,
            timeout_secs,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            lightcone_server::client::subscribe::subscribe(
                &client,
                &lightcone_server::client::subscribe::SubscribeArgs {
                    db: &database,
                    queries: &queries,
                    json,
                    print_initial,
                    updates: num_updates,
                    timeout: timeout_secs.map(std::time::Duration::from_secs),
                },
            )?
        }
        C::Backup {
            database,
            file,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            println!(
                "{}",
                lightcone_server::client::backup::backup(&client, &database, &file)?
            )
        }
        C::Restore { name, file, server } => {
            let client = connect(&mut config, &server.server)?;
            println!(
                "{}",
                lightcone_server::client::backup::restore(&client, &name, &file)?
            )
        }
        C::Dev {
            name,
            project_path,
            server,
        } => {
            let client = connect(&mut config, &server.server)?;
            lightcone_server::client::dev::dev(&client, &name, &project_path)?
        }
        C::List { server } => {
            let client = connect(&mut config, &server.server)?;
            print!(
                "{}",
                lightcone_server::client::list::list(&config, &client)?
            )
        }
        C::Server(S::Add { name, url, default }) => {
            cmd::server_add(&mut config, &name, &url, default)?
        }
        C::Server(S::List) => print!("{}", cmd::server_list(&config)),
        C::Server(S::Ping { name }) => {
            println!("{}", cmd::server_ping(&config, name.as_deref())?)
        }
        C::Server(S::Remove { name }) => cmd::server_remove(&mut config, &name)?,
        C::Server(S::SetDefault { name }) => cmd::server_set_default(&mut config, &name)?,
        C::Version => println!("lightcone {}", env!("CARGO_PKG_VERSION")),
    }
    Ok(())
}

/// What to do after `init`.
fn print_next_steps(dir: &std::path::Path) {
    let d = dir.display();
    println!("Next:");
    println!("  lightcone start                                   # in another terminal, if no server runs");
    println!("  lightcone publish my-db --project-path {d}     # builds, then publishes");
    println!("  lightcone call my-db add '\"Ada\"'");
    println!("  lightcone sql my-db \"SELECT * FROM person\"");
}
