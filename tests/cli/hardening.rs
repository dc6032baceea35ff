//! Issue 9's headless checks: the real binary against the hostile sandbox and against small
//! servers written here (one that never answers, one that speaks HTML, one that sends garbage
//! or hostile error text). Every output path is free of escapes, every command ends with the
//! right exit code and a one-line sentence.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use crate::common::{SandboxProcess, User};
use serde_json::{Value, json};

const HOSTILE_ID: &str = "badc0ffee0ddf00d0000000000000001";

fn logged_in(sandbox: &SandboxProcess) -> User {
    let user = User::new(&sandbox.url);
    user.run(&["login"]).ok();
    user
}

/// What must never reach a terminal: ESC, any C1 control, a bidi embedding/override/isolate.
#[track_caller]
fn assert_inert(what: &str, bytes: &str) {
    let bad: Vec<String> = bytes
        .chars()
        .filter(|&c| {
            c == '\u{1b}'
                || ('\u{80}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || (c < ' ' && c != '\n' && c != '\t')
        })
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}");
}

#[test]
fn hostile_text_never_leaves_raw_through_any_output() {
    let sandbox = SandboxProcess::start(&["--hostile"]);
    let user = logged_in(&sandbox);
    let out_dir = tempfile::tempdir().unwrap();

    for format in ["md", "txt", "json", "srt", "vtt"] {
        let stdout = user
            .run(&["export", HOSTILE_ID, "--format", format, "-o", "-"])
            .ok();
        assert_inert(&format!("export {format} to stdout"), &stdout.stdout);
        assert_inert(&format!("export {format} stderr"), &stdout.stderr);
        let path = out_dir.path().join(format!("hostile.{format}"));
        user.run(&[
            "export",
            HOSTILE_ID,
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
        ])
        .ok();
        let file = std::fs::read_to_string(&path).unwrap();
        assert_inert(&format!("export {format} file"), &file);
        assert_eq!(file, stdout.stdout, "{format}: file and stdout agree");
        // The words are still there.
        assert!(file.contains("Mallory"), "{format}: {file:.300}");
        if format == "md" || format == "json" {
            assert!(file.contains("Everything is red"), "{format}");
            assert!(file.contains("שלום"), "{format}: RTL letters kept");
        }
        if format == "json" {
            let v: Value = serde_json::from_str(&file).expect("JSON export parses");
            // The escapes are `\uXXXX` in the text: the value itself is unchanged.
            assert!(v.to_string().contains('\u{202e}'));
        }
    }

    let id = HOSTILE_ID;
    let by_id = format!("id={id}");
    let commands: Vec<Vec<&str>> = vec![
        vec!["meetings", "--limit", "5"],
        vec!["meetings", "--limit", "5", "--json"],
        vec!["show", id],
        vec!["show", id, "--json"],
        vec!["call", "search_meetings", &by_id],
        vec!["call", "search_meetings", &by_id, "--json"],
        vec!["call", "list_activities", "limit=5", "--json"],
        vec!["call", "list_upcoming_meetings", "--json"],
        vec!["tools"],
        vec!["tools", "--json"],
        vec!["status", "--json"],
    ];
    for args in commands {
        let run = user.run(&args).ok();
        assert_inert(&format!("{args:?} stdout"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
        if args.contains(&"--json") {
            for line in run.stdout.lines().filter(|_| args[0] == "meetings") {
                serde_json::from_str::<Value>(line).expect("one JSON object per line");
            }
            if args[0] != "meetings" {
                serde_json::from_str::<Value>(&run.stdout).expect("JSON output parses");
            }
        }
        if args[0] == "show" && !args.contains(&"--json") {
            assert!(
                run.stdout.starts_with("URGENT budget review"),
                "{}",
                run.stdout
            );
        }
    }
}

/// One HTTP request as the test server saw it.
pub struct Request {
    pub method: String,
    pub body: Value,
}

/// How the test server answers: raw HTTP response bytes, or never.
pub enum Reply {
    Raw(Vec<u8>),
    Hang,
}

pub fn http(status: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    Reply::Raw(out)
}

pub fn jsonrpc(request: &Request, result: Value) -> Reply {
    let body = json!({"jsonrpc": "2.0", "id": request.body["id"], "result": result});
    http("200 OK", "application/json", body.to_string().as_bytes())
}

/// The MCP handshake of a server that needs no login; everything else goes to `rest`.
pub fn mcp(request: &Request, rest: impl Fn(&Request) -> Reply) -> Reply {
    match (request.method.as_str(), request.body["method"].as_str()) {
        ("POST", Some("initialize")) => jsonrpc(
            request,
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "test", "version": "1"}
            }),
        ),
        ("POST", Some(m)) if m.starts_with("notifications/") => {
            http("202 Accepted", "text/plain", b"")
        }
        ("POST", _) => rest(request),
        _ => http("405 Method Not Allowed", "text/plain", b""),
    }
}

/// A server written for the test on an ephemeral loopback port; it lives as long as the test.
pub fn serve(reply: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let reply = Arc::new(reply);
    std::thread::spawn(move || {
        let mut hung = Vec::new();
        for stream in listener.incoming().flatten() {
            let reply = reply.clone();
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = answer(stream, &*reply, tx);
            });
            // Keep the connections that were never answered open.
            if let Ok(stream) = rx.recv() {
                hung.push(stream);
            }
        }
    });
    url
}

fn answer(
    stream: TcpStream,
    reply: &(dyn Fn(&Request) -> Reply + Send + Sync),
    hang: std::sync::mpsc::Sender<TcpStream>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    match reply(&request) {
        Reply::Raw(bytes) => {
            let mut stream = stream;
            stream.write_all(&bytes)?;
            stream.flush()
        }
        Reply::Hang => {
            let _ = hang.send(stream);
            Ok(())
        }
    }
}

/// A user of a test server: memory token store, no browser login.
fn run_against(url: &str, args: &[&str]) -> crate::common::Run {
    let user = User::new(url);
    let mut cmd = user.command(args);
    cmd.args(["--token-store", "memory"]);
    crate::common::Run::from(cmd.output().unwrap())
}

#[test]
fn server_error_text_reaches_stderr_sanitized_on_one_line() {
    let hostile = "bad \u{1b}]0;pwned\u{7}\u{1b}[2J\u{0}news\u{9b}31m\u{202e}\nsecond line";
    let url = serve(move |r| {
        mcp(r, |r| {
            let body = json!({
                "jsonrpc": "2.0", "id": r.body["id"],
                "error": {"code": -32000, "message": hostile}
            });
            http("200 OK", "application/json", body.to_string().as_bytes())
        })
    });
    for args in [vec!["tools"], vec!["call", "x"], vec!["meetings"]] {
        let run = run_against(&url, &args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert_inert(&format!("{args:?}"), &run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("bad news"), "{args:?}: {}", run.stderr);
    }

    let garbage = serve(|r| {
        mcp(r, |_| {
            http(
                "200 OK",
                "application/json",
                b"\x1b]0;pwned\x07{\"not\0json\x9b",
            )
        })
    });
    let run = run_against(&garbage, &["tools"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_inert("garbage body", &run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// Runs `args` against `url` and waits at most `bound` for it to end (a generous outer bound
/// on finishing, not a timing assertion); a process still running then is killed and fails.
fn run_bounded(url: &str, args: &[&str], bound: std::time::Duration) -> crate::common::Run {
    let user = User::new(url);
    let mut cmd = user.command(args);
    cmd.args(["--token-store", "memory"]);
    bounded(cmd, bound)
}

/// Runs `cmd`, killing it and failing when it is still running after `bound`.
fn bounded(mut cmd: std::process::Command, bound: std::time::Duration) -> crate::common::Run {
    let what = format!("{cmd:?}");
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(bound) {
        Ok(output) => crate::common::Run::from(output.unwrap()),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            panic!("{what} still running after {bound:?}");
        }
    }
}

const BOUND: std::time::Duration = std::time::Duration::from_secs(60);

#[test]
fn a_server_that_never_answers_is_given_up_with_exit_4() {
    let silent = serve(|_| Reply::Hang);
    let silent_after_hello = serve(|r| mcp(r, |_| Reply::Hang));
    for url in [&silent, &silent_after_hello] {
        for args in [
            vec!["tools", "--timeout", "1"],
            vec!["call", "date_time", "--timeout", "1"],
            vec!["meetings", "--timeout", "1"],
        ] {
            let run = run_bounded(url, &args, BOUND);
            assert_eq!(run.code, 4, "{args:?}: {}", run.stderr);
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            assert!(
                run.stderr.contains("did not answer within 1 seconds"),
                "{args:?}: {}",
                run.stderr
            );
        }
    }
    // The login's first request (the probe) is bounded the same way.
    let run = run_bounded(&silent, &["login", "--timeout", "1"], BOUND);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    // config.toml's `timeout` is the default.
    let user = User::new(&silent);
    std::fs::write(user.config_dir().join("config.toml"), "timeout = 1\n").unwrap();
    let run = bounded(user.command(&["tools", "--token-store", "memory"]), BOUND);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains("within 1 seconds"), "{}", run.stderr);
}

#[test]
fn login_claims_no_success_it_did_not_have() {
    let html = serve(|_| {
        http(
            "200 OK",
            "text/html; charset=utf-8",
            b"<!doctype html><title>Welcome</title>",
        )
    });
    let garbage = serve(|_| http("200 OK", "application/json", b"\x1b[2J{\"hello\": 1"));
    let failing = serve(|_| http("503 Service Unavailable", "text/plain", b"down"));
    let not_found = serve(|_| http("404 Not Found", "text/plain", b"no"));
    let no_login = serve(|r| mcp(r, |r| jsonrpc(r, json!({}))));
    for (url, code, words) in [
        (
            &html,
            1,
            "is not an MCP server: it answered with a web page",
        ),
        (&garbage, 1, "is not an MCP server"),
        (&not_found, 1, "is not an MCP server: it answered HTTP 404"),
        (&failing, 4, "it answered HTTP 503 3 times"),
        (&no_login, 0, "does not ask for a login"),
    ] {
        let run = run_bounded(url, &["login", "--no-browser"], BOUND);
        assert_eq!(run.code, code, "{url}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{url}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_inert(url, &run.stderr);
    }
}

#[test]
fn a_forgotten_session_is_replaced_once_per_request() {
    let sandbox = SandboxProcess::start(&["--drop-sessions"]);
    let user = logged_in(&sandbox);
    let mut failures = Vec::new();
    for i in 0..60 {
        let run = user.run(&["call", "list_activities", "limit=2", "--json"]);
        if run.code != 0 {
            failures.push(format!("run {i}: exit {}: {}", run.code, run.stderr.trim()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_500_on_a_read_is_retried_and_lost_connections_are_sentences() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // tools/list fails twice with 500, then answers.
    let failures = Arc::new(AtomicUsize::new(0));
    let counter = failures.clone();
    let url = serve(move |r| {
        mcp(r, |r| {
            if r.body["method"] == "tools/list" && counter.fetch_add(1, Ordering::SeqCst) < 2 {
                return http("500 Internal Server Error", "text/plain", b"oops");
            }
            jsonrpc(r, json!({"tools": []}))
        })
    });
    let run = run_bounded(&url, &["tools", "--json"], BOUND);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(failures.load(Ordering::SeqCst), 3);

    // Under random 500/502/503s every failure that is left is a sentence with exit 4.
    let sandbox = SandboxProcess::start(&["--fail-rate", "0.3"]);
    let user = User::new(&sandbox.url);
    // The login's own OAuth requests meet the faults too: a few tries.
    assert!(
        (0..5).any(|_| user.run(&["login"]).code == 0),
        "no login got through"
    );
    {
        for _ in 0..30 {
            let run = user.run(&["call", "list_activities", "limit=2"]);
            if run.code != 0 {
                assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            }
            assert!(!run.stderr.contains("channel closed"), "{}", run.stderr);
            assert!(!run.stderr.contains("Transport closed"), "{}", run.stderr);
        }
    }
}

#[test]
fn an_unknown_parameter_of_a_closed_schema_is_a_usage_error() {
    let url = serve(|r| {
        mcp(r, |r| {
            jsonrpc(
                r,
                json!({"tools": [{
                    "name": "strict",
                    "inputSchema": {
                        "type": "object",
                        "properties": {"days": {"type": "integer"}, "tag": {"type": "string"}},
                        "additionalProperties": false
                    }
                }]}),
            )
        })
    });
    let run = run_bounded(&url, &["call", "strict", "dyas=3"], BOUND);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "krisp-tui: strict takes no parameter \"dyas\"; its parameters are: days, tag"
    );
}

#[cfg(unix)]
#[test]
fn the_config_dir_and_log_are_private_from_the_first_run() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("new").join("krisp-tui");
    let run = crate::common::Run::from(
        std::process::Command::new(crate::common::BIN)
            .args([
                "-v",
                "--token-store",
                "memory",
                "--server",
                "http://127.0.0.1:9/mcp",
            ])
            .arg("--config-dir")
            .arg(&config)
            .arg("status")
            .output()
            .unwrap(),
    );
    // Logged out: `status` says so and exits 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&config), 0o700, "{}", run.stderr);
    assert_eq!(mode(&config.join("krisp-tui.log")), 0o600);
}

#[test]
fn every_config_toml_problem_is_a_warning_line_and_the_good_settings_still_apply() {
    let user = User::new("http://127.0.0.1:9/mcp");
    std::fs::write(
        user.config_dir().join("config.toml"),
        "sync = \"sometimes\"\ncolour = \"red\"\nserver = \"http://127.0.0.1:8/mcp\"\n[theme]\naccent = 5\n",
    )
    .unwrap();
    let mut cmd = std::process::Command::new(crate::common::BIN);
    cmd.args(["--token-store", "memory", "status", "--json"])
        .arg("--config-dir")
        .arg(user.config_dir())
        .env_remove("KRISP_TUI_SERVER")
        .env_remove("KRISP_TUI_CONFIG_DIR");
    let run = crate::common::Run::from(cmd.output().unwrap());
    assert_eq!(run.code, 1, "logged out");
    assert_eq!(
        run.stderr,
        "krisp-tui: config.toml line 1: sync: unknown variant `sometimes`, expected `auto` or `manual`\n\
         krisp-tui: config.toml line 2: colour: no such setting (there are server, sync, timezone, timeout, theme and keys)\n\
         krisp-tui: config.toml line 5: theme.accent: invalid type: integer `5`, expected a string\n"
    );
    // The mistakes cost nothing else: `server` on line 3 is used.
    let status: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(status["server"], "http://127.0.0.1:8/mcp");
}
