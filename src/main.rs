//! The `krisp-tui` binary: parse the command line, set up logging, run a subcommand or the TUI.

use std::process::ExitCode;

use krisp_tui::cli::Cli;
use krisp_tui::cmd;
use krisp_tui::library::task;
use krisp_tui::tui::{Ended, Start, run_tui};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let tui = cli.command.is_none();
    let _log_guard = init_logging(&cli, tui);
    // A headless call is one request: one thread is fastest to start. The TUI (and the demo
    // server inside it) gets worker threads so drawing never waits on the network.
    let runtime = if tui {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            krisp_tui::sanitize::eprint(&format!("krisp-tui: could not start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let mut settings = cmd::settings_from(&cli.global);
    runtime.block_on(async {
        let _demo = if cli.global.demo {
            match cmd::start_demo(&mut settings).await {
                Ok(sandbox) => Some(sandbox),
                Err(f) => return cmd::report(Err(f)),
            }
        } else {
            None
        };
        // The demo keeps its store in a temporary directory removed at exit (nothing is left
        // behind), unless --data-dir names one.
        let demo_data = match (cli.global.demo, &cli.global.data_dir) {
            (true, None) => match tempfile::Builder::new().prefix("krisp-tui-demo-").tempdir() {
                Ok(dir) => Some(dir),
                Err(e) => {
                    return cmd::report(Err(cmd::Failure::new(
                        1,
                        format!("could not create a directory for the demo's store: {e}"),
                    )));
                }
            },
            _ => None,
        };
        let local = match &demo_data {
            Some(dir) => cmd::Local::demo(dir.path().to_path_buf(), &cli.global),
            None if cli.global.demo => cmd::Local::demo(cli.global.data_dir(), &cli.global),
            None => cmd::Local::new(
                cli.global.data_dir(),
                &settings.server,
                cli.global.offline,
                usize::from(cli.global.concurrency),
            ),
        };
        if tui {
            // `--demo --offline` reads the demo's store without starting its login.
            let start = if cli.global.demo && !cli.global.offline {
                Start::Login
            } else {
                Start::Connect
            };
            let (config, problems) = (cli.global.config(), cli.global.config_problems());
            let mut problems = problems.to_vec();
            // The local store; without one (it cannot be opened) the TUI reads the server live,
            // and says why on a line that stays.
            let zone = cli.global.zone().unwrap_or_else(|e| {
                problems.push(e.to_string());
                jiff::tz::TimeZone::UTC
            });
            let store = match task::LocalStore::open(
                local.path.clone(),
                local.offline,
                local.concurrency,
                zone.clone(),
            ) {
                Ok(store) => Some(store),
                Err(e) if local.offline => {
                    eprintln!("krisp-tui: {e}");
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "no local store: reading the server live");
                    problems.push(format!("{e} Reading the server live meanwhile."));
                    None
                }
            };
            return match run_tui(settings, config, &problems, start, store, zone).await {
                Ok(Ended::Quit) => ExitCode::SUCCESS,
                // The conventional status of a process stopped by a signal.
                Ok(Ended::Signal(n)) => ExitCode::from((128 + n).clamp(0, 255) as u8),
                Err(e) => {
                    krisp_tui::sanitize::eprint(&format!("krisp-tui: {e:#}"));
                    ExitCode::FAILURE
                }
            };
        }
        // Configuration mistakes are warnings, a line each, before the command's own output.
        for problem in cli.global.config_problems() {
            krisp_tui::sanitize::eprint(&format!("krisp-tui: {problem}"));
        }
        cmd::report(cmd::run(&cli, &settings, &local).await)
    })
}

/// Logs go to a file, never to the terminal. The TUI always logs (info, or debug with `-v`);
/// headless commands only when asked (`-v` or `--log-file`), so a quick call pays nothing.
fn init_logging(cli: &Cli, tui: bool) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let path = match (&cli.global.log_file, cli.global.verbose || tui) {
        (Some(p), _) => p.clone(),
        (None, true) => cli.global.config_dir().join("krisp-tui.log"),
        (None, false) => return None,
    };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty())?;
    // The log names the client id, OAuth state and session ids: private from the first run.
    krisp_tui::fsx::create_private_dir(dir).ok()?;
    let file = krisp_tui::fsx::private(std::fs::OpenOptions::new().create(true).append(true))
        .open(&path)
        .ok()?;
    #[cfg(unix)]
    {
        // A log left by an older version may be readable by others.
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    let (writer, guard) = tracing_appender::non_blocking(file);
    let level = if cli.global.verbose { "debug" } else { "info" };
    // rmcp logs authorization codes at debug level: never let it below info.
    let filter = tracing_subscriber::EnvFilter::new(format!(
        "{level},rmcp=info,hyper=info,hyper_util=info,reqwest=info,h2=info,rustls=info"
    ));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Some(guard)
}
