//! Shared helpers for the integration tests and benches: the real `krisp-tui` binary, a real
//! sandbox process on loopback, and a stand-in browser that follows the authorization redirect.
//!
//! A crate of its own (dev-only) instead of a module each test binary compiles by `#[path]`.
//! It knows nothing of krisp-tui's code: it drives the binary, as a user or a script does.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `krisp-tui` binary cargo built beside the running test or bench: its executable sits in
/// `target/<profile>/deps/`, the binary in `target/<profile>/` (what `CARGO_BIN_EXE_krisp-tui`
/// names, which only the test crate itself can read). `KRISP_TUI_BIN` overrides it.
pub fn bin() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("KRISP_TUI_BIN") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().expect("the test's own path");
        let mut dir = exe.parent().expect("the test's directory");
        if dir.ends_with("deps") {
            dir = dir.parent().expect("the profile's directory");
        }
        dir.join(format!("krisp-tui{}", std::env::consts::EXE_SUFFIX))
    })
}

/// `krisp-tui sandbox` on an ephemeral loopback port; killed on drop.
pub struct SandboxProcess {
    child: Child,
    pub url: String,
}

impl SandboxProcess {
    pub fn start(extra: &[&str]) -> Self {
        Self::start_at("127.0.0.1:0", extra)
    }

    /// Stop it and start a new one on the same address: a server that lost its state (client
    /// registrations, tokens), as a real one may.
    pub fn restart(&mut self, extra: &[&str]) {
        let addr = self.base().trim_start_matches("http://").to_string();
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = Self::start_at(&addr, extra);
    }

    fn start_at(addr: &str, extra: &[&str]) -> Self {
        let mut child = Command::new(bin())
            .args(["sandbox", "--addr", addr, "--auto-approve"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start krisp-tui sandbox");
        let stdout = child.stdout.take().expect("sandbox stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the sandbox URL");
        let url = first.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
            "sandbox printed {url:?}"
        );
        SandboxProcess { child, url }
    }

    /// The server's base URL (without `/mcp`).
    pub fn base(&self) -> &str {
        self.url.trim_end_matches("/mcp")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A user: a config dir with a file token store and a stand-in browser.
pub struct User {
    pub dir: tempfile::TempDir,
    pub server: String,
    browser: PathBuf,
}

impl User {
    pub fn new(server: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        // The stand-in browser: GET the authorization URL and follow redirects into the
        // loopback listener, as a browser with a logged-in Krisp session would.
        let browser = dir.path().join("browser.sh");
        std::fs::write(
            &browser,
            "#!/bin/sh\nexec curl -fsSL --max-redirs 5 -o /dev/null \"$1\"\n",
        )
        .expect("write browser script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755))
                .expect("chmod browser");
        }
        User {
            dir,
            server: server.to_string(),
            browser,
        }
    }

    pub fn config_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where this user's local meeting store lives.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The one store file in the data dir (there is one per server).
    pub fn store_file(&self) -> PathBuf {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.data_dir())
            .expect("the data dir exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "sqlite3"))
            .collect();
        assert_eq!(files.len(), 1, "one store in {:?}", self.data_dir());
        files.remove(0)
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.dir.path().join("credentials.json")
    }

    pub fn credentials(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.credentials_file()).expect("credentials file");
        serde_json::from_str(&text).expect("credentials JSON")
    }

    pub fn write_credentials(&self, v: &serde_json::Value) {
        std::fs::write(
            self.credentials_file(),
            serde_json::to_vec_pretty(v).unwrap(),
        )
        .unwrap();
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args([
            "--server",
            &self.server,
            "--token-store",
            "file",
            "--redirect-port",
            "0",
        ])
        .arg("--config-dir")
        .arg(self.dir.path())
        .arg("--data-dir")
        .arg(self.data_dir())
        .args(args)
        .env("BROWSER", &self.browser)
        .env_remove("KRISP_TUI_SERVER")
        .env_remove("KRISP_TUI_TOKEN_STORE")
        .env_remove("KRISP_TUI_CONFIG_DIR")
        .env_remove("KRISP_TUI_DATA_DIR")
        .env_remove("KRISP_TUI_CLIENT_SECRET")
        .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run krisp-tui"))
    }
}

/// A finished process with its output as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Every secret in a credentials file: tokens and client secrets.
pub fn secrets_in(credentials: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if matches!(
                        k.as_str(),
                        "access_token" | "refresh_token" | "client_secret"
                    ) && let Some(s) = v.as_str()
                    {
                        out.push(s.to_string());
                    }
                    walk(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(credentials, &mut out);
    out
}
