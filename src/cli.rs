//! Command-line definitions: global options and subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::auth::store::StoreKind;

/// Read your Krisp meetings from a terminal.
///
/// Without a subcommand krisp-tui opens the terminal UI. The subcommands are for scripts.
#[derive(Debug, Parser)]
#[command(name = "krisp-tui", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options every subcommand takes; `--help` lists them after the subcommand's own.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The MCP server to talk to [default: `server` in config.toml, else https://mcp.krisp.ai/mcp].
    #[arg(long, env = "KRISP_TUI_SERVER", global = true)]
    pub server: Option<String>,
    /// Try krisp-tui against the embedded sandbox: demo data, no account, nothing stored.
    #[arg(long, global = true)]
    pub demo: bool,
    /// A pre-registered OAuth client id (skips dynamic registration).
    #[arg(long, global = true)]
    pub client_id: Option<String>,
    /// The secret of the pre-registered client.
    #[arg(
        long,
        env = "KRISP_TUI_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub client_secret: Option<String>,
    /// An HTTPS URL of a client ID metadata document, used when the server supports them.
    #[arg(long, global = true)]
    pub client_metadata_url: Option<String>,
    /// OAuth scope to request (repeatable). Default: what the server asks for.
    #[arg(long = "scope", global = true)]
    pub scopes: Vec<String>,
    /// Where to keep credentials.
    #[arg(long, value_enum, env = "KRISP_TUI_TOKEN_STORE", default_value_t = StoreKind::Auto, global = true)]
    pub token_store: StoreKind,
    /// Configuration directory (credentials file, config.toml, log).
    #[arg(long, env = "KRISP_TUI_CONFIG_DIR", global = true)]
    pub config_dir: Option<PathBuf>,
    /// Loopback port for the login redirect.
    #[arg(long, default_value_t = crate::auth::callback::DEFAULT_PORT, global = true)]
    pub redirect_port: u16,
    /// Never open a browser login: fail with exit code 3 when not logged in.
    #[arg(long, global = true)]
    pub no_login: bool,
    /// Give up on a request that takes longer than this many seconds [default: `timeout` in
    /// config.toml, else 30].
    #[arg(long, env = "KRISP_TUI_TIMEOUT", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub timeout: Option<u64>,
    /// Log more (debug level) to the log file.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Write logs to this file.
    #[arg(long, global = true)]
    pub log_file: Option<PathBuf>,
    /// Where the local meeting store lives [default: the platform data directory/krisp-tui].
    #[arg(long, env = "KRISP_TUI_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// No network at all: everything is read from the local store.
    #[arg(long, global = true)]
    pub offline: bool,
    /// Requests a sync keeps in flight at once (Krisp limits concurrent requests).
    #[arg(long, global = true, default_value_t = 2, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=16))]
    pub concurrency: u16,
    /// `config.toml`, read once when a setting first needs it.
    #[arg(skip)]
    config: std::sync::OnceLock<(crate::config::Config, Vec<String>)>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in through the browser and store the credentials.
    Login {
        /// Do not open a browser: print the URL and accept the redirect URL pasted on stdin.
        #[arg(long)]
        no_browser: bool,
    },
    /// Forget the tokens and client registration for this server (revoking them if possible).
    Logout {
        /// Also delete the local store of this server's meetings.
        #[arg(long)]
        forget_data: bool,
    },
    /// Show the server, the token store in use, and the login state.
    ///
    /// Exit status: 0 when logged in (and with --demo, which logs in by itself), 1 when not
    /// logged in, as `gh auth status` does; scripts can test it without parsing the output.
    Status {
        /// Print the same facts as one JSON object (the exit status is the same).
        #[arg(long)]
        json: bool,
    },
    /// List the server's tools (every page).
    Tools {
        #[arg(long)]
        json: bool,
    },
    /// Call a tool: KEY=VALUE pairs are typed by the tool's input schema.
    Call {
        /// The tool's name.
        tool: String,
        /// Arguments as KEY=VALUE (arrays as a,b,c or JSON).
        #[arg(value_name = "KEY=VALUE")]
        pairs: Vec<String>,
        /// Arguments as one JSON object (KEY=VALUE pairs override its keys).
        #[arg(long, value_name = "JSON")]
        args: Option<String>,
        /// Print the whole CallToolResult as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bring the local store up to date with the server (new and changed meetings, transcripts,
    /// action items and activities).
    Sync {
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// List every meeting, not only what changed: notes the meetings deleted on the server
        /// (done on its own once a week).
        #[arg(long)]
        full: bool,
    },
    /// Search every stored meeting: names, people, notes and every word of every transcript.
    ///
    /// Words match their forms (plan, planning); "quoted words" match as a phrase; -word
    /// excludes; after:DATE before:DATE with:NAME tag:TAG filter. Reads only the local store
    /// (`krisp-tui sync` fills it). Quote a query that starts with -word, or put it after --:
    /// `krisp-tui search 'halcyon -acme'`, `krisp-tui search -- -acme halcyon`.
    Search {
        /// What to look for.
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
        /// At most this many hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Serve the local store to AI agents as a read-only MCP server on stdin/stdout.
    ///
    /// Tools: search, list_meetings, get_meeting, get_transcript, list_action_items; resources:
    /// krisp://meetings/{id} (a meeting as Markdown). Reads only the local store (`krisp-tui
    /// sync` fills it); stdout carries only JSON-RPC, logs go to --log-file.
    Mcp {
        /// Serve Streamable HTTP at this loopback address (127.0.0.1:PORT; port 0 picks one)
        /// instead of stdio. Prints the URL, then a bearer token that every request must carry.
        #[arg(long, value_name = "127.0.0.1:PORT")]
        http: Option<String>,
        /// With --http: the bearer token is this file's first line, not a new one.
        #[arg(long, value_name = "FILE", requires = "http")]
        token_file: Option<PathBuf>,
        /// Keep the store fresh: the same sync as `krisp-tui sync` in the background, at start
        /// and every 15 minutes (never a browser login: log in first).
        #[arg(long)]
        sync: bool,
    },
    /// Show where the local store is and how big it is; `cache clear` deletes it.
    Cache {
        #[command(subcommand)]
        action: Option<CacheAction>,
    },
    /// Run the embedded Krisp stand-in server in the foreground (its URL is the first line).
    #[cfg(feature = "demo")]
    Sandbox(crate::sandbox::SandboxArgs),
    /// List meetings, newest first, optionally filtered.
    Meetings {
        /// Text to search for (name, people, notes, transcript; at least 3 characters).
        #[arg(long)]
        search: Option<String>,
        /// Only meetings on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = day)]
        after: Option<String>,
        /// Only meetings up to and including this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", value_parser = day)]
        before: Option<String>,
        /// Only meetings with this tag (repeatable).
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// At most this many meetings.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Show one meeting and its notes.
    Show {
        /// The meeting id (32 hex digits; dashes allowed).
        meeting_id: String,
        /// Print the meeting and its notes as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script.
    ///
    /// `krisp-tui completions bash > ~/.local/share/bash-completion/completions/krisp-tui`
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    ///
    /// `krisp-tui man --dir ~/.local/share/man/man1 && man krisp-tui`
    Man {
        /// Write one page per subcommand (krisp-tui.1, krisp-tui-login.1, ...) into this
        /// directory instead, and print their paths.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Export a meeting's transcript and notes to a file, or every meeting to a directory
    ///
    /// With --all --dir DIR, one file per meeting (a vault Obsidian opens): Markdown with YAML
    /// front matter, names that never change, a manifest (DIR/.krisp-tui.json) so that a re-run
    /// writes only what changed, and a file you edited is never overwritten: the new version
    /// goes beside it as "… (krisp).md" unless --force.
    Export {
        /// The meeting id (32 hex digits; dashes allowed).
        #[arg(required_unless_present = "all")]
        meeting_id: Option<String>,
        /// The file format.
        #[arg(long, value_enum, default_value_t = crate::export::Format::Md)]
        format: crate::export::Format,
        /// Where to write: a path, or - for stdout. Default: YYYY-MM-DD-<name>.<ext> here.
        #[arg(short, long, value_name = "PATH", conflicts_with = "all")]
        output: Option<PathBuf>,
        /// Overwrite an existing file (with --all: files you edited too).
        #[arg(long)]
        force: bool,
        /// Every stored meeting (or those the filters select), one file each, into --dir.
        #[arg(long, conflicts_with = "meeting_id", requires = "dir")]
        all: bool,
        /// The vault directory for --all (created when missing).
        #[arg(long, value_name = "DIR", requires = "all")]
        dir: Option<PathBuf>,
        /// With --all: only the meetings whose text matches (the local full-text search).
        #[arg(long, requires = "all")]
        search: Option<String>,
        /// With --all: only meetings on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "all", value_parser = day)]
        after: Option<String>,
        /// With --all: only meetings up to and including this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "all", value_parser = day)]
        before: Option<String>,
        /// With --all: only meetings with this tag (repeatable).
        #[arg(long = "tag", value_name = "TAG", requires = "all")]
        tags: Vec<String>,
        /// With --all: attendees in the front matter as [[Name]] wiki links.
        #[arg(long, requires = "all")]
        links: bool,
        /// With --all: print the summary as one JSON object.
        #[arg(long, requires = "all")]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Delete this server's local store.
    Clear,
}

impl Command {
    /// Whether the command's stdout is JSON (its sanitizer policy is JSON's).
    pub fn writes_json(&self) -> bool {
        match self {
            Command::Status { json }
            | Command::Tools { json }
            | Command::Call { json, .. }
            | Command::Meetings { json, .. }
            | Command::Show { json, .. } => *json,
            Command::Export {
                all: true, json, ..
            } => *json,
            Command::Export { format, .. } => *format == crate::export::Format::Json,
            Command::Sync { json, .. } | Command::Search { json, .. } => *json,
            Command::Login { .. }
            | Command::Logout { .. }
            | Command::Cache { .. }
            | Command::Mcp { .. }
            | Command::Completions { .. }
            | Command::Man { .. } => false,
            #[cfg(feature = "demo")]
            Command::Sandbox(_) => false,
        }
    }
}

/// A day as `--after` and `--before` take it: a wrong one is a usage mistake (exit 2), as the
/// same date is in `search`'s `after:`.
fn day(text: &str) -> Result<String, String> {
    crate::timefmt::parse_day(text.trim())
        .map(|_| text.trim().to_owned())
        .ok_or_else(|| format!("\u{201c}{text}\u{201d} is not a date; write it as YYYY-MM-DD."))
}

impl Cli {
    /// The clap command as `--help`, completions and the man page show it: an environment
    /// variable that is not set reads `[env: NAME]`, not `[env: NAME=]` (clap prints the value
    /// after `=`, empty when unset).
    pub fn clap_command() -> clap::Command {
        use clap::CommandFactory;
        let mut cmd = <Cli as CommandFactory>::command().mut_args(|arg| {
            let unset = arg
                .get_env()
                .is_some_and(|name| std::env::var_os(name).is_none_or(|v| v.is_empty()));
            if unset {
                arg.hide_env_values(true)
            } else {
                arg
            }
        });
        // The global options reach every subcommand once built; the sandbox is a server, not a
        // client, and takes none of the client's (only where its log goes).
        cmd.build();
        if cmd.find_subcommand("sandbox").is_none() {
            return cmd;
        }
        cmd.mut_subcommand("sandbox", |sandbox| {
            sandbox.mut_args(|arg| {
                let kept = matches!(arg.get_id().as_str(), "verbose" | "log_file" | "help");
                if arg.is_global_set() && !kept {
                    arg.hide(true)
                } else {
                    arg
                }
            })
        })
    }

    /// Parse the process's arguments (exiting with clap's message and code on a usage error).
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        // The command tree lives as long as the process: dropping it (every subcommand's
        // arguments, help and values) cost a third of building it, at every start.
        let command: &'static mut clap::Command = Box::leak(Box::new(Cli::clap_command()));
        let matches = command.get_matches_mut();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// Krisp's hosted MCP server.
pub const DEFAULT_SERVER: &str = "https://mcp.krisp.ai/mcp";

impl Global {
    /// `--server` or `KRISP_TUI_SERVER`, else `server` in config.toml, else Krisp's server. The
    /// config file is only read when neither was given.
    pub fn server(&self) -> String {
        if let Some(s) = &self.server {
            return s.clone();
        }
        self.config()
            .server
            .clone()
            .unwrap_or_else(|| DEFAULT_SERVER.to_string())
    }

    /// `config.toml` in the config dir, read on first use: every setting that could be read
    /// (a missing file is the default configuration; `config_problems` says what was wrong).
    pub fn config(&self) -> &crate::config::Config {
        &self.loaded_config().0
    }

    /// The zone times are shown in: `timezone` in `config.toml`, else `TZ`, else the system's.
    /// Resolved once by each front (it can walk the zone database) and passed down.
    pub fn zone(&self) -> Result<jiff::tz::TimeZone, crate::timefmt::ZoneError> {
        crate::timefmt::resolve(self.config().timezone.as_deref())
    }

    /// What was wrong with `config.toml`, one line each (read on first use, like `config`).
    pub fn config_problems(&self) -> &[String] {
        &self.loaded_config().1
    }

    fn loaded_config(&self) -> &(crate::config::Config, Vec<String>) {
        self.config
            .get_or_init(|| crate::config::Config::load(&self.config_dir()))
    }

    /// `--data-dir` or `KRISP_TUI_DATA_DIR`, else the platform's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("krisp-tui")
        })
    }

    /// `--timeout`, else `timeout` in config.toml, else 30 seconds.
    pub fn timeout(&self) -> std::time::Duration {
        let secs = self.timeout.unwrap_or_else(|| {
            self.config()
                .timeout
                .filter(|&t| t > 0)
                .unwrap_or(crate::net::DEFAULT_TIMEOUT.as_secs())
        });
        std::time::Duration::from_secs(secs)
    }

    pub fn config_dir(&self) -> PathBuf {
        self.config_dir.clone().unwrap_or_else(|| {
            dirs::config_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("krisp-tui")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "krisp-tui",
            "call",
            "search_meetings",
            "search=roadmap",
            "limit=2",
            "--json",
            "--server",
            "http://127.0.0.1:1/mcp",
            "--token-store",
            "memory",
            "--no-login",
        ])
        .unwrap();
        assert_eq!(cli.global.server.as_deref(), Some("http://127.0.0.1:1/mcp"));
        assert_eq!(cli.global.token_store, StoreKind::Memory);
        assert!(cli.global.no_login);
        match cli.command {
            Some(Command::Call {
                tool,
                pairs,
                args,
                json,
            }) => {
                assert_eq!(tool, "search_meetings");
                assert_eq!(pairs, vec!["search=roadmap", "limit=2"]);
                assert_eq!(args, None);
                assert!(json);
            }
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn the_server_comes_from_the_flag_then_config_toml_then_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let parse = |args: &[&str]| {
            let mut all = vec!["krisp-tui", "--config-dir", d];
            all.extend_from_slice(args);
            Cli::try_parse_from(all).unwrap().global
        };
        // (KRISP_TUI_SERVER is not set in the test environment.)
        assert_eq!(parse(&["status"]).server(), DEFAULT_SERVER);
        std::fs::write(
            dir.path().join("config.toml"),
            "server = \"https://example.org/mcp\"\n",
        )
        .unwrap();
        assert_eq!(parse(&["status"]).server(), "https://example.org/mcp");
        assert_eq!(
            parse(&["--server", "http://127.0.0.1:9/mcp", "status"]).server(),
            "http://127.0.0.1:9/mcp"
        );
    }

    #[test]
    fn usage_errors_exit_2() {
        let err =
            Cli::try_parse_from(["krisp-tui", "--token-store", "cloud", "tools"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
