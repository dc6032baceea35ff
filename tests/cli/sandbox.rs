//! The real binary against the real sandbox on loopback: login through a stand-in browser,
//! status, tools, call, refresh, rotation, expiry, logout, and the meeting commands.

use crate::common::{SandboxProcess, User, secrets_in};
use serde_json::Value;

fn logged_in(sandbox: &SandboxProcess) -> User {
    let user = User::new(&sandbox.url);
    let run = user.run(&["login"]).ok();
    assert!(run.stderr.contains("Logged in to"), "{}", run.stderr);
    user
}

fn record(user: &User) -> Value {
    user.credentials()[&user.server].clone()
}

#[test]
fn login_status_tools_logout_round_trip() {
    let sandbox = SandboxProcess::start(&[]);
    let user = User::new(&sandbox.url);

    let login = user.run(&["login"]).ok();
    // The authorization URL is always printed: a browser may not exist.
    assert!(
        login.stderr.contains("/platform/v1/oauth2/authorize?"),
        "{}",
        login.stderr
    );

    let status = user.run(&["status", "--json"]).ok();
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["logged_in"], true);
    assert_eq!(status["server"], sandbox.url.as_str());
    assert_eq!(
        status["token_store"],
        format!("file {}", user.credentials_file().display())
    );
    assert_eq!(status["refresh_token"], true);
    assert_eq!(status["issuer"], sandbox.base());

    // The credential file is private, and holds Krisp's confidential-client registration.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(user.credentials_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let rec = record(&user);
    assert_eq!(rec["client"]["auth_method"], "client_secret_basic");
    assert!(
        rec["client"]["client_secret"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );

    // A new process, no browser available: the stored login is enough.
    let mut tools = user.command(&["tools", "--no-login"]);
    tools.env("BROWSER", "/bin/false");
    let tools = crate::common::Run::from(tools.output().unwrap()).ok();
    let names: Vec<&str> = tools
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for tool in [
        "search_meetings",
        "get_document",
        "get_multiple_documents",
        "list_action_items",
        "list_activities",
        "list_upcoming_meetings",
        "date_time",
    ] {
        assert!(names.contains(&tool), "{tool} missing from {names:?}");
    }

    // Nothing secret reached any output.
    let secrets = secrets_in(&user.credentials());
    assert!(
        secrets.len() >= 3,
        "expected tokens and a client secret, got {}",
        secrets.len()
    );
    for out in [&login.stdout, &login.stderr, &tools.stdout, &tools.stderr] {
        for s in &secrets {
            assert!(!out.contains(s.as_str()), "a secret reached the output");
        }
    }

    let logout = user.run(&["logout"]).ok();
    assert!(logout.stderr.contains("Logged out"), "{}", logout.stderr);
    let after = user.run(&["tools", "--no-login"]);
    assert_eq!(after.code, 3, "{}", after.stderr);
    assert_eq!(
        after.stderr.trim(),
        format!(
            "krisp-tui: not logged in to {}: run krisp-tui login",
            sandbox.url
        )
    );
}

#[test]
fn logout_revokes_the_refresh_token() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    let rec = record(&user);
    let refresh = rec["credentials"]["token_response"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let id = rec["client"]["client_id"].as_str().unwrap().to_string();
    let secret = rec["client"]["client_secret"].as_str().unwrap().to_string();
    user.run(&["logout"]).ok();
    let reply = token_request(&sandbox, &id, &secret, &refresh);
    assert_eq!(reply["error"], "invalid_grant", "{reply}");
}

/// A refresh-token grant straight at the sandbox's token endpoint.
fn token_request(sandbox: &SandboxProcess, id: &str, secret: &str, refresh: &str) -> Value {
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-u",
            &format!("{id}:{secret}"),
            "-d",
            "grant_type=refresh_token",
        ])
        .arg("--data-urlencode")
        .arg(format!("refresh_token={refresh}"))
        .arg(format!("{}/platform/v1/oauth2/token", sandbox.base()))
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Make the stored access token look expired, so the next process must refresh.
fn expire(user: &User) {
    let mut creds = user.credentials();
    creds[&user.server]["credentials"]["token_received_at"] = Value::from(1);
    user.write_credentials(&creds);
}

#[test]
fn an_expired_token_is_refreshed_and_the_rotated_refresh_token_is_stored() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    let before = record(&user)["credentials"]["token_response"].clone();
    expire(&user);
    user.run(&["tools", "--no-login"]).ok();
    let after = record(&user)["credentials"]["token_response"].clone();
    assert_ne!(after["access_token"], before["access_token"]);
    assert_ne!(
        after["refresh_token"], before["refresh_token"],
        "Krisp rotates refresh tokens"
    );

    // The old refresh token is dead; reusing it revokes the whole grant (family).
    let rec = record(&user);
    let id = rec["client"]["client_id"].as_str().unwrap();
    let secret = rec["client"]["client_secret"].as_str().unwrap();
    let reused = token_request(
        &sandbox,
        id,
        secret,
        before["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(reused["error"], "invalid_grant", "{reused}");

    // So the rotated token is now refused too: the login has expired → exit 3, tokens gone,
    // registration kept for the next login.
    expire(&user);
    let run = user.run(&["tools", "--no-login"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("run krisp-tui login"), "{}", run.stderr);
    let rec = record(&user);
    assert!(rec["credentials"].is_null(), "{rec}");
    assert!(rec["client"]["client_id"].is_string());
}

#[test]
fn a_server_that_forgot_the_registration_means_log_in_again_not_check_the_network() {
    let mut sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    let secrets = secrets_in(&user.credentials());
    // The same server, restarted without its registrations and tokens: the stored token gets
    // 401, and the refresh that follows gets `invalid_client`.
    sandbox.restart(&[]);
    let run = user.run(&["tools", "--no-login"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "krisp-tui: {} no longer knows krisp-tui's client registration, so the stored login was forgotten: run krisp-tui login to register again\n",
            sandbox.url
        )
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // Registration and tokens are gone, not kept for a login that cannot use them.
    assert_eq!(user.credentials(), serde_json::json!({}));
    for s in &secrets {
        assert!(!run.stderr.contains(s.as_str()), "a secret reached stderr");
    }

    // Again with an expired token (the refresh comes first), and a login allowed: it registers
    // anew, logs in through the browser and lists the tools.
    sandbox.restart(&[]);
    let user = logged_in(&sandbox);
    expire(&user);
    let old_client = record(&user)["client"]["client_id"].clone();
    sandbox.restart(&[]);
    let run = user.run(&["tools"]).ok();
    assert!(run.stdout.contains("search_meetings"), "{}", run.stdout);
    assert!(
        run.stderr.contains("/platform/v1/oauth2/authorize?"),
        "{}",
        run.stderr
    );
    let rec = record(&user);
    assert!(rec["client"]["client_id"].is_string(), "{rec}");
    assert_ne!(rec["client"]["client_id"], old_client);
    assert!(rec["credentials"]["token_response"]["refresh_token"].is_string());
    // And the new login works for a process that may not log in.
    user.run(&["tools", "--no-login"]).ok();
}

#[test]
fn a_forgotten_client_given_with_client_id_is_the_users_to_fix() {
    let mut sandbox = SandboxProcess::start(&[]);
    // A free loopback port for the redirect URI the client is registered with.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let out = std::process::Command::new("curl")
        .args(["-s", "-H", "content-type: application/json", "-d"])
        .arg(serde_json::json!({"client_name": "mine", "redirect_uris": [redirect]}).to_string())
        .arg(format!("{}/.well-known/oauth-registration", sandbox.base()))
        .output()
        .unwrap();
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, secret) = (
        reply["client_id"].as_str().unwrap().to_string(),
        reply["client_secret"].as_str().unwrap().to_string(),
    );
    let user = User::new(&sandbox.url);
    let port = port.to_string();
    let given = [
        "--client-id",
        id.as_str(),
        "--client-secret",
        secret.as_str(),
        "--redirect-port",
        port.as_str(),
    ];
    // `User::command` picks an ephemeral redirect port; this client is registered for one.
    let server = sandbox.url.clone();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(crate::common::BIN);
        cmd.args(["--server", &server, "--token-store", "file"])
            .args(given)
            .arg("--config-dir")
            .arg(user.config_dir())
            .arg("--data-dir")
            .arg(user.data_dir())
            .args(args)
            .env("BROWSER", user.config_dir().join("browser.sh"))
            .env_remove("KRISP_TUI_CLIENT_SECRET")
            .stdin(std::process::Stdio::null());
        crate::common::Run::from(cmd.output().unwrap())
    };
    run(&["login"]).ok();
    sandbox.restart(&[]);
    let run = run(&["tools", "--no-login"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!(
            "krisp-tui: login failed: {} does not accept the client given with --client-id (invalid_client); check --client-id and --client-secret\n",
            sandbox.url
        )
    );
    assert!(!run.stderr.contains(&secret));
    // The tokens are gone; there was no registration of ours to forget.
    assert!(record(&user)["credentials"].is_null(), "{}", record(&user));
}

#[test]
fn transient_401s_after_issuance_are_retried() {
    let sandbox = SandboxProcess::start(&["--transient-401", "1"]);
    let user = logged_in(&sandbox);
    let run = user.run(&["call", "date_time", "--no-login"]).ok();
    assert!(!run.stdout.trim().is_empty());
}

#[test]
fn calls_work_in_both_reply_modes() {
    for mode in [&[][..], &["--json-responses"][..]] {
        let sandbox = SandboxProcess::start(mode);
        let user = logged_in(&sandbox);
        let run = user
            .run(&[
                "call",
                "search_meetings",
                "search=roadmap",
                "limit=50",
                "--json",
            ])
            .ok();
        let result: Value = serde_json::from_str(&run.stdout).unwrap();
        let names: Vec<&str> = result["structuredContent"]["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["name"].as_str())
            .collect();
        assert!(names.contains(&"Q4 roadmap review"), "{mode:?}: {names:?}");
    }
}

#[test]
fn every_tool_can_be_called_and_errors_exit_1() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    let id = "744b1d8da3165e8b99f56a8c56e33f5c";
    for args in [
        vec!["search_meetings", "search=Halcyon"],
        vec!["get_document", &format!("documentId={id}")],
        vec!["get_multiple_documents", &format!("ids={id}")],
        vec!["list_action_items", "completed=false", "limit=3"],
        vec!["list_activities", "limit=2"],
        vec!["list_upcoming_meetings", "days=14"],
        vec!["date_time"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    {
        let mut full = vec!["call".to_string()];
        full.extend(args.clone());
        full.push("--json".into());
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let run = user.run(&refs).ok();
        let v: Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert_ne!(v["isError"], true, "{args:?}: {v}");
        assert!(
            v["content"].as_array().is_some_and(|c| !c.is_empty()),
            "{args:?}"
        );
    }
    // A validation error is a tool error: its text on stderr, exit 1.
    let bad = user.run(&["call", "get_document", "documentId=nothex"]);
    assert_eq!(bad.code, 1);
    assert!(!bad.stderr.trim().is_empty());
    // A bad value for the schema is a usage error before anything is sent.
    let usage = user.run(&["call", "list_action_items", "limit=many"]);
    assert_eq!(usage.code, 2);
    assert_eq!(
        usage.stderr.trim(),
        "krisp-tui: limit: \"many\" is not an integer"
    );
    let unknown = user.run(&["call", "no_such_tool"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no tool named \"no_such_tool\""),
        "{}",
        unknown.stderr
    );
}

#[test]
fn meetings_show_and_export() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);

    // A word only in one meeting's transcript.
    let found = user
        .run(&["meetings", "--search", "Halcyon", "--json"])
        .ok();
    let meetings: Vec<Value> = found
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let names: Vec<&str> = meetings.iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names, vec!["Acme Corp quarterly business review"]);

    let table = user.run(&["meetings", "--search", "roadmap"]).ok();
    assert!(table.stdout.starts_with("DATE"), "{}", table.stdout);
    assert!(table.stdout.contains("Q4 roadmap review"));
    assert!(table.stdout.contains("744b1d8da3165e8b99f56a8c56e33f5c"));

    // --before includes its day.
    let day = user
        .run(&[
            "meetings",
            "--after",
            "2026-10-06",
            "--before",
            "2026-10-06",
            "--json",
        ])
        .ok();
    assert!(day.stdout.contains("Q4 roadmap review"), "{}", day.stdout);

    let show = user
        .run(&["show", "744b1d8d-a316-5e8b-99f5-6a8c56e33f5c"])
        .ok();
    assert!(
        show.stdout.starts_with("Q4 roadmap review\n"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("\nKey points\n"));

    let out_dir = tempfile::tempdir().unwrap();
    let id = "e68756fb50095909a13c4470cea31ba3";
    for format in ["md", "txt", "json", "srt", "vtt"] {
        let mut cmd = user.command(&["export", id, "--format", format]);
        cmd.current_dir(out_dir.path());
        let run = crate::common::Run::from(cmd.output().unwrap()).ok();
        let path = out_dir.path().join(run.stdout.trim());
        assert_eq!(
            run.stdout.trim(),
            format!("2026-11-19-2027-planning-workshop.{format}")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() > 10_000, "{format}: {} bytes", text.len());
        // A second export refuses to overwrite.
        let mut again = user.command(&["export", id, "--format", format]);
        again.current_dir(out_dir.path());
        let again = crate::common::Run::from(again.output().unwrap());
        assert_eq!(again.code, 1);
        assert!(again.stderr.contains("--force"), "{}", again.stderr);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "nothing lost"
        );
    }
    let stdout = user.run(&["export", id, "--format", "vtt", "-o", "-"]).ok();
    assert!(stdout.stdout.starts_with("WEBVTT"));
}

#[test]
fn unreachable_and_insecure_servers_are_sentences() {
    let user = User::new("http://127.0.0.1:9/mcp");
    let run = user.run(&["tools", "--no-login"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("krisp-tui: cannot reach http://127.0.0.1:9/mcp"),
        "{}",
        run.stderr
    );

    let user = User::new("http://mcp.example.com/mcp");
    let run = user.run(&["tools", "--no-login"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("only https:// is allowed"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_browser_login_accepts_a_pasted_redirect_url() {
    use std::io::{BufRead, BufReader, Write};
    let sandbox = SandboxProcess::start(&[]);
    let user = User::new(&sandbox.url);
    let mut child = user
        .command(&["login", "--no-browser"])
        .env("BROWSER", "/bin/false")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut auth_url = None;
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        if let Some(url) = line.trim().strip_prefix("http") {
            auth_url = Some(format!("http{url}"));
        }
        if line.starts_with("Then paste") {
            break;
        }
        line.clear();
    }
    let auth_url = auth_url.expect("the authorization URL was printed");
    // Where the browser would have been sent: the sandbox's redirect, not followed.
    let out = std::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{redirect_url}", &auth_url])
        .output()
        .unwrap();
    let redirect = String::from_utf8(out.stdout).unwrap();
    assert!(redirect.contains("/callback?code="), "{redirect}");
    let mut stdin = child.stdin.take().unwrap();
    // Text that is not this login's redirect first: refused with a reason, and the login
    // keeps waiting for the right one.
    writeln!(stdin, "not a url").unwrap();
    let other_login = redirect.replace("state=", "state=other");
    writeln!(stdin, "{other_login}").unwrap();
    writeln!(stdin, "{redirect}").unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(
        rest.starts_with(
            "That is not a URL. Paste the whole address your browser was sent to; it starts with http://127.0.0.1.\n\
             That redirect belongs to another login (its state does not match). Paste the address from the browser tab this login opened.\n"
        ),
        "{rest}"
    );
    assert!(rest.contains("Logged in to"), "{rest}");
    let code = redirect
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("code="))
        .unwrap();
    assert!(!rest.contains(code), "the code reached stderr");
    let status: Value = serde_json::from_str(&user.run(&["status", "--json"]).ok().stdout).unwrap();
    assert_eq!(status["logged_in"], true);
}

#[test]
fn concurrent_processes_do_not_burn_the_rotating_refresh_token() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    expire(&user);
    // Four processes find the token expired at once; the refresh lock serialises them so
    // none reuses a refresh token another has already rotated (which revokes the grant).
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = user.command(&["tools", "--no-login"]);
            std::thread::spawn(move || crate::common::Run::from(cmd.output().unwrap()))
        })
        .collect();
    for h in handles {
        let run = h.join().unwrap();
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    user.run(&["tools", "--no-login"]).ok();
}
