//! The `krisp-tui` binary: parse the command line, set up logging, run a subcommand or the TUI.

use std::process::ExitCode;

use clap::Parser;
use krisp_tui::app::run::{Ended, Start, run_tui};
use krisp_tui::cli::Cli;
use krisp_tui::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        if tui {
            let start = if cli.global.demo {
                Start::Login
            } else {
                Start::Connect
            };
            return match run_tui(settings, start).await {
                Ok(Ended::Quit) => ExitCode::SUCCESS,
                // The conventional status of a process stopped by a signal.
                Ok(Ended::Signal(n)) => ExitCode::from((128 + n).clamp(0, 255) as u8),
                Err(e) => {
                    krisp_tui::sanitize::eprint(&format!("krisp-tui: {e:#}"));
                    ExitCode::FAILURE
                }
            };
        }
        cmd::report(cmd::run(&cli, &settings).await)
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
    let mut dirs = std::fs::DirBuilder::new();
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        dirs.mode(0o700);
        options.mode(0o600);
    }
    dirs.recursive(true).create(dir).ok()?;
    let file = options.open(&path).ok()?;
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
