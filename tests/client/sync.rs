//! The local store end to end: `krisp-tui sync` against the real sandbox (fault-free, under
//! faults, killed and resumed), then `--offline` search, show and export with the server gone.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::{SandboxProcess, User};
use krisp_tui::store::Store;
use serde_json::Value;

/// The demo account's search anchor: said in one meeting's transcript only, first at 05:24.
const ANCHOR: &str = "halcyon";
const ANCHOR_MEETING: &str = "64ddb420ca7356bfa579811c7a71f56a";

fn logged_in(sandbox: &SandboxProcess) -> User {
    let user = User::new(&sandbox.url);
    user.run(&["login"]).ok();
    user
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect()
}

/// The store's contents, with the sandbox's own address (generated meeting links carry it)
/// written as BASE, and so the hashes of what holds it as HASH, so that stores synced from two
/// sandboxes compare.
fn dump(user: &User, sandbox: &SandboxProcess) -> String {
    let text = Store::open(&user.store_file())
        .expect("open the store")
        .dump()
        .expect("dump the store")
        .replace(sandbox.base(), "BASE");
    regex::Regex::new(r"\b[0-9a-f]{64}\b")
        .unwrap()
        .replace_all(&text, "HASH")
        .into_owned()
}

/// Equal dumps, or the first line where they part.
#[track_caller]
fn assert_same(got: &str, want: &str) {
    if got == want {
        return;
    }
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let at = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    let cut = |l: Option<&&str>| l.map(|l| l.chars().take(300).collect::<String>());
    panic!(
        "the stores differ ({} vs {} lines); first at line {at}:\n got: {:?}\nwant: {:?}",
        g.len(),
        w.len(),
        cut(g.get(at)),
        cut(w.get(at))
    );
}

#[test]
fn sync_then_search_show_and_export_offline() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);

    let first = user.run(&["sync", "--json"]).ok();
    let summary: Value = serde_json::from_str(first.stdout.trim()).expect("summary JSON");
    assert_eq!(summary["new"], 34, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["still_processing"], 1, "{summary}");
    assert!(summary["documents"].as_u64().unwrap() >= 33, "{summary}");

    // Nothing new: a handful of requests (one page, the processing transcript, the feeds).
    let second = user.run(&["sync", "--json"]).ok();
    let again: Value = serde_json::from_str(second.stdout.trim()).expect("summary JSON");
    assert_eq!(
        (again["new"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(again["requests"].as_u64().unwrap() <= 8, "{again}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&user.data_dir()), 0o700);
        assert_eq!(mode(&user.store_file()), 0o600);
    }

    // The server is gone: everything below reads the store.
    drop(sandbox);
    let hits = json_lines(
        &user
            .run(&["--offline", "search", ANCHOR, "--json"])
            .ok()
            .stdout,
    );
    // One meeting holds the word: one line, its best hit the first mention, at 05:24.
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hit = &hits[0];
    assert_eq!(hit["meeting_id"], ANCHOR_MEETING, "{hit}");
    assert_eq!(hit["where"], "transcript", "{hit}");
    assert!(
        hit["excerpt"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(ANCHOR),
        "{hit}"
    );
    assert_eq!(hit["start_ms"], 324_000, "{hit}");
    assert!(hit["hits"].as_u64().unwrap() >= 1, "{hit}");

    // A typo finds nothing and is offered the word the index holds.
    let typo = user.run(&["--offline", "search", "halcyn"]).ok();
    assert!(
        typo.stderr.contains("Did you mean `halcyon`?"),
        "{}",
        typo.stderr
    );

    let plain = user.run(&["--offline", "search", ANCHOR]).ok().stdout;
    assert!(plain.contains("Acme Corp quarterly"), "{plain}");
    assert!(plain.contains("transcript 05:24"), "{plain}");
    // Notes excerpts read on one line, without the Markdown around them.
    let notes = user
        .run(&["--offline", "search", "acme", "scim"])
        .ok()
        .stdout;
    assert!(notes.contains(" notes "), "{notes}");
    assert!(notes.contains(" · Acme requirements · "), "{notes}");
    assert!(!notes.contains('␤') && !notes.contains("##"), "{notes}");

    let show = user.run(&["--offline", "show", ANCHOR_MEETING]).ok().stdout;
    assert!(
        show.contains("Acme Corp quarterly business review"),
        "{show}"
    );

    let export = user
        .run(&[
            "--offline",
            "export",
            ANCHOR_MEETING,
            "--format",
            "txt",
            "-o",
            "-",
        ])
        .ok()
        .stdout;
    assert!(
        export.contains("We have a project called Halcyon"),
        "{export}"
    );

    // Without --offline too: the store has the meeting, so the dead server is not needed.
    let export = user
        .run(&["export", ANCHOR_MEETING, "--format", "md", "-o", "-"])
        .ok()
        .stdout;
    assert!(export.contains("Halcyon"), "{export}");

    // A phrase and an exclusion.
    let phrase = json_lines(
        &user
            .run(&[
                "--offline",
                "search",
                "\"project called Halcyon\"",
                "--json",
            ])
            .ok()
            .stdout,
    );
    assert_eq!(phrase.len(), 1, "{phrase:?}");
    assert_eq!(phrase[0]["start_ms"], 324_000);
    // -word drops the hits whose text holds the word (here one of the four turns).
    let all = hits.len();
    let excluded = json_lines(
        &user
            .run(&["--offline", "search", "--json", "--", ANCHOR, "-rollout"])
            .ok()
            .stdout,
    );
    assert_eq!(excluded.len(), all - 1, "{excluded:?}");
    assert!(
        excluded
            .iter()
            .all(|h| !h["snippet"].as_str().unwrap().contains("rollout")),
        "{excluded:?}"
    );

    // What needs the server says so.
    let tools = user.run(&["--offline", "tools"]);
    assert_eq!(tools.code, 2, "{}", tools.stderr);
    assert!(tools.stderr.contains("--offline"), "{}", tools.stderr);

    // cache shows it; cache clear deletes it.
    let cache = user.run(&["cache"]).ok().stdout;
    assert!(cache.contains("meetings:    34"), "{cache}");
    user.run(&["cache", "clear"]).ok();
    let gone = user.run(&["--offline", "search", ANCHOR]);
    assert_eq!(gone.code, 1, "{}", gone.stderr);
    assert!(gone.stderr.contains("krisp-tui sync"), "{}", gone.stderr);
}

/// Under 5xx, rate limits, one request at a time and sessions the server forgets, the first
/// sync gets through on its own (every failure retried, a forgotten session renewed) and ends
/// where a clean one does.
#[test]
fn a_first_sync_under_faults_gets_through_and_ends_where_a_clean_one_does() {
    let data = ["--meetings", "300", "--seed", "11"];
    let clean = SandboxProcess::start(&data);
    let reference = logged_in(&clean);
    reference.run(&["sync"]).ok();

    let mut faulty_args = data.to_vec();
    faulty_args.extend([
        "--fail-rate",
        "0.3",
        "--rate-limit",
        "10",
        "--max-concurrent",
        "1",
        "--drop-sessions",
    ]);
    let faulty = SandboxProcess::start(&faulty_args);
    let user = User::new(&faulty.url);
    // The login itself may meet a fault: try it a few times, as a person would.
    let logged = (0..5).any(|_| user.run(&["login"]).code == 0);
    assert!(logged, "could not log in to the faulty sandbox");
    let run = user.run(&["sync", "--json", "--concurrency", "2"]);
    assert_eq!(run.code, 0, "the first sync failed: {}", run.stderr);
    let summary: Value = serde_json::from_str(run.stdout.trim()).expect("summary JSON");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_same(&dump(&user, &faulty), &dump(&reference, &clean));
}

#[test]
fn a_sync_killed_midway_resumes_and_ends_identical() {
    let data = ["--meetings", "240", "--seed", "5"];
    let clean = SandboxProcess::start(&data);
    let reference = logged_in(&clean);
    reference.run(&["sync"]).ok();

    let slow = {
        let mut args = data.to_vec();
        args.extend(["--latency-ms", "50"]);
        SandboxProcess::start(&args)
    };
    let user = logged_in(&slow);
    // Killed once while listing and once while fetching transcripts (progress lines on stderr,
    // as it is not a terminal, say where it is; the writer commits transcripts in batches, so
    // the second kill comes at the first line that says some, not all, are in).
    let kill_at = |what: &str, at: &dyn Fn(&str) -> bool| {
        let mut child = user
            .command(&["sync"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the sync");
        let stderr = child.stderr.take().expect("stderr");
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.expect("read progress");
            seen.push(line.clone());
            if at(&line) {
                break;
            }
        }
        child.kill().expect("kill the sync");
        child.wait().expect("reap the sync");
        assert!(
            seen.last().is_some_and(|l| at(l)),
            "the sync never said {what}: {seen:?}"
        );
    };
    kill_at("listing meetings: 50", &|l| {
        l.starts_with("listing meetings: 50")
    });
    kill_at("some transcripts fetched", &|l| {
        let numbers: Vec<usize> = l
            .strip_prefix("transcripts: ")
            .unwrap_or_default()
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        matches!(numbers[..], [done, total] if done > 0 && done < total)
    });
    let want = dump(&reference, &clean);
    assert!(dump(&user, &slow) != want, "killed before it finished");

    user.run(&["sync"]).ok();
    assert_same(&dump(&user, &slow), &want);
}

/// The pipelined writer killed between a fetched batch and its commit (held there by the
/// debug-only `KRISP_TUI_SYNC_HOLD_COMMIT`): the store holds what the earlier commits wrote and
/// none of the held batch, and the next sync ends where a clean one does.
#[test]
fn a_sync_killed_between_a_fetched_batch_and_its_commit_resumes_and_ends_identical() {
    let data = ["--meetings", "240", "--seed", "5"];
    let clean = SandboxProcess::start(&data);
    let reference = logged_in(&clean);
    reference.run(&["sync"]).ok();

    let slow = {
        let mut args = data.to_vec();
        args.extend(["--latency-ms", "20"]);
        SandboxProcess::start(&args)
    };
    let user = logged_in(&slow);
    let mut child = user
        .command(&["sync"])
        .env("KRISP_TUI_SYNC_HOLD_COMMIT", "2")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the sync");
    let stderr = child.stderr.take().expect("stderr");
    let mut seen = Vec::new();
    let mut held = None;
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("read progress");
        if let Some(rest) = line.strip_prefix("sync: holding commit 2: ") {
            held = Some(rest.to_owned());
            break;
        }
        seen.push(line);
    }
    child.kill().expect("kill the sync");
    child.wait().expect("reap the sync");
    let held = held.unwrap_or_else(|| panic!("the writer never held its commit: {seen:?}"));
    // "N transcripts fetched, M committed"
    let numbers: Vec<usize> = held
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [fetched, committed] = numbers[..] else {
        panic!("{held:?}");
    };
    assert!(fetched > 0 && committed > 0, "{held:?}");
    let store = Store::open(&user.store_file()).expect("open the store");
    let stats = store.stats().expect("stats");
    assert_eq!(
        stats.documents_ready + stats.documents_processing,
        committed,
        "only the first commit is in the store ({held})"
    );
    drop(store);

    user.run(&["sync"]).ok();
    assert_same(&dump(&user, &slow), &dump(&reference, &clean));
}

#[test]
fn a_transcript_still_processing_is_fetched_on_a_later_sync_once_ready() {
    // Processing meetings answer `null` to their first document request, then their document.
    let sandbox = SandboxProcess::start(&["--meetings", "40", "--seed", "3", "--ready-after", "1"]);
    let user = logged_in(&sandbox);
    let summary = |run: crate::common::Run| -> Value {
        serde_json::from_str(run.ok().stdout.trim()).expect("summary JSON")
    };
    let first = summary(user.run(&["sync", "--json"]));
    let processing = first["still_processing"].as_u64().unwrap();
    assert!(processing >= 1, "{first}");
    let second = summary(user.run(&["sync", "--json"]));
    assert_eq!(second["still_processing"], 0, "{second}");
    assert_eq!(second["documents"].as_u64(), Some(processing), "{second}");
    // The newly ready transcript is searchable: every stored meeting now has its turns.
    let cache = user.run(&["cache"]).ok().stdout;
    assert!(cache.contains("40 ready, 0 processing"), "{cache}");
}

/// The 2 h 15 min demo meeting: 246 turns, more than one page of `get_transcript`.
const LONG_MEETING: &str = "e68756fb50095909a13c4470cea31ba3";

fn mcp_args(v: Value) -> rmcp::model::JsonObject {
    v.as_object().expect("an object").clone()
}

/// `krisp-tui --offline mcp` on a store synced from the sandbox, the sandbox gone, driven over
/// stdio by rmcp's client: the tools, a rare word's meeting and turn time, a long transcript
/// read whole through its cursors with no page over the cap, bad arguments, the resource.
#[test]
fn mcp_over_stdio_answers_an_agent_from_the_store() {
    use rmcp::ServiceExt;
    use rmcp::model::{CallToolRequestParams, ReadResourceRequestParams, ResourceContents};

    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    user.run(&["sync", "--json"]).ok();
    drop(sandbox);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut command = tokio::process::Command::from(user.command(&["--offline", "mcp"]));
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start krisp-tui mcp");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take().unwrap();
        let client = ().serve((stdout, stdin)).await.expect("initialize");
        let info = client.peer_info().expect("server info");
        assert_eq!(
            info.server_info.as_ref().map(|i| &*i.name),
            Some("krisp-tui")
        );

        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| &*t.name).collect();
        assert_eq!(
            names,
            [
                "search",
                "list_meetings",
                "get_meeting",
                "get_transcript",
                "list_action_items"
            ]
        );
        let call = |name: &'static str, args: Value| {
            let client = &client;
            async move {
                client
                    .call_tool(CallToolRequestParams::new(name).with_arguments(mcp_args(args)))
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            }
        };

        // The rare word: one meeting, its first mention at 05:24.
        let found = call("search", serde_json::json!({"query": ANCHOR})).await;
        assert_eq!(found.is_error, Some(false));
        let s = found.structured_content.unwrap();
        assert_eq!(s["total"], 1, "{s}");
        assert_eq!(s["meetings"][0]["id"], ANCHOR_MEETING, "{s}");
        assert_eq!(s["meetings"][0]["where"], "transcript", "{s}");
        assert_eq!(s["meetings"][0]["time"], "05:24", "{s}");
        // The turn the hit names is there when reading from that time.
        let around = call(
            "get_transcript",
            serde_json::json!({"id": ANCHOR_MEETING, "from": "05:24", "to": "05:24"}),
        )
        .await;
        let text = &around.content[0].as_text().unwrap().text;
        assert!(
            text.contains("[05:24] Linda Park: ") && text.contains("Halcyon"),
            "{text}"
        );

        // The long transcript, whole, through its cursors.
        let mut cursor: Option<String> = None;
        let mut indices = Vec::new();
        let mut pages = 0;
        loop {
            let mut args = serde_json::json!({"id": LONG_MEETING});
            if let Some(c) = &cursor {
                args["cursor"] = serde_json::json!(c);
            }
            let page = call("get_transcript", args).await;
            assert_eq!(page.is_error, Some(false), "{page:?}");
            let size = serde_json::to_string(&page).unwrap().len();
            assert!(size <= 40_000, "page {pages} is {size} bytes");
            pages += 1;
            let s = page.structured_content.unwrap();
            assert_eq!(s["total_turns"], 246);
            for turn in s["turns"].as_array().unwrap() {
                if turn["continued"] == false {
                    indices.push(turn["index"].as_u64().unwrap());
                }
            }
            match s.get("next_cursor").and_then(Value::as_str) {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
            assert!(pages < 50, "the cursors go round in circles");
        }
        assert!(pages >= 2, "{pages} pages");
        assert_eq!(indices, (0..246).collect::<Vec<u64>>());

        // Bad arguments: isError, one sentence naming the argument.
        for (tool, args, name) in [
            (
                "search",
                serde_json::json!({"query": ANCHOR, "limit": 0}),
                "limit",
            ),
            (
                "list_meetings",
                serde_json::json!({"after": "last week"}),
                "after",
            ),
            ("get_meeting", serde_json::json!({"id": "nope"}), "id"),
            (
                "get_transcript",
                serde_json::json!({"id": LONG_MEETING, "cursor": "x"}),
                "cursor",
            ),
        ] {
            let r = call(tool, args).await;
            assert_eq!(r.is_error, Some(true), "{tool}");
            let text = &r.content[0].as_text().unwrap().text;
            assert!(text.starts_with(name), "{tool}: {text}");
        }

        let meeting = call("get_meeting", serde_json::json!({"id": ANCHOR_MEETING})).await;
        let s = meeting.structured_content.unwrap();
        let shares: i64 = s["speakers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["share_percent"].as_i64().unwrap())
            .sum();
        assert_eq!(shares, 100, "{s}");
        let listed = call("list_meetings", serde_json::json!({"limit": 50})).await;
        assert_eq!(listed.structured_content.unwrap()["total"], 34);
        let items = call("list_action_items", serde_json::json!({"status": "all"})).await;
        assert!(items.structured_content.unwrap()["total"].as_u64().unwrap() > 0);

        let templates = client.list_resource_templates(None).await.unwrap();
        assert_eq!(
            templates.resource_templates[0].uri_template,
            "krisp://meetings/{id}"
        );
        let read = client
            .read_resource(ReadResourceRequestParams::new(format!(
                "krisp://meetings/{ANCHOR_MEETING}"
            )))
            .await
            .unwrap();
        match &read.contents[0] {
            ResourceContents::TextResourceContents { text, .. } => {
                assert!(
                    text.starts_with("# Acme Corp quarterly business review"),
                    "{text}"
                );
                assert!(text.contains("Halcyon"));
            }
            other => panic!("{other:?}"),
        }
        client.cancel().await.unwrap();
    });
}

/// `krisp-tui mcp --http`: loopback only, the printed bearer token required, `Host` and `Origin`
/// checked, and the same tools behind it.
#[test]
fn mcp_over_http_is_loopback_only_and_needs_the_printed_token() {
    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    user.run(&["sync", "--json"]).ok();
    drop(sandbox);

    let refused = user.run(&["--offline", "mcp", "--http", "0.0.0.0:8123"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("loopback only"),
        "{}",
        refused.stderr
    );

    let mut child = user
        .command(&["--offline", "mcp", "--http", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start krisp-tui mcp --http");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next().unwrap().unwrap();
    let token = lines.next().unwrap().unwrap();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    assert!(token.len() >= 32, "{token}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let statuses = runtime.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let post = |body: Value| {
            http.post(&url)
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2025-06-18")
                .json(&body)
        };
        let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "test", "version": "1"}}});
        let search = serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "search", "arguments": {"query": ANCHOR}}});
        let bearer = format!("Bearer {token}");
        let no_token = post(init.clone()).send().await.unwrap().status().as_u16();
        let wrong = post(init.clone())
            .header("authorization", "Bearer not-the-token")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let rebound_host = post(init.clone())
            .header("authorization", &bearer)
            .header("host", "attacker.example")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let foreign_origin = post(init.clone())
            .header("authorization", &bearer)
            .header("origin", "https://attacker.example")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let ok = post(init)
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        let found: Value = post(search)
            .header("authorization", &bearer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let hit = &found["result"]["structuredContent"]["meetings"][0];
        assert_eq!(hit["id"], ANCHOR_MEETING, "{found}");
        assert_eq!(hit["time"], "05:24", "{found}");
        (no_token, wrong, rebound_host, foreign_origin)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(statuses, (401, 401, 403, 403));
}

/// Without any store, `krisp-tui mcp` still starts and lists its tools (the store is opened on
/// the first tool call, never by `initialize`), and a tool says how to fill the store; nothing is
/// created.
#[test]
fn mcp_without_a_store_starts_and_says_how_to_fill_it() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;

    let user = User::new("http://127.0.0.1:9/mcp");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut command = tokio::process::Command::from(user.command(&["--offline", "mcp"]));
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start krisp-tui mcp");
        let (stdout, stdin) = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let client = ().serve((stdout, stdin)).await.expect("initialize");
        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
        let result = client
            .call_tool(
                CallToolRequestParams::new("search")
                    .with_arguments(mcp_args(serde_json::json!({"query": "plan"}))),
            )
            .await
            .unwrap();
        assert_eq!(result.is_error, Some(true));
        let text = &result.content[0].as_text().unwrap().text;
        assert!(text.contains("run `krisp-tui sync` to fill it"), "{text}");
        client.cancel().await.unwrap();
    });
    assert!(
        !user.data_dir().exists() || std::fs::read_dir(user.data_dir()).unwrap().next().is_none()
    );
}

/// `krisp-tui mcp --sync` fills an empty store in the background (the same sync as `krisp-tui
/// sync`, its summary on stderr, never on the MCP stdout) and the tools then answer from it.
#[test]
fn mcp_with_sync_fills_the_store_in_the_background() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    use tokio::io::AsyncBufReadExt;

    let sandbox = SandboxProcess::start(&[]);
    let user = logged_in(&sandbox);
    let refused = user.run(&["--offline", "mcp", "--sync"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--offline"), "{}", refused.stderr);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut command = tokio::process::Command::from(user.command(&["mcp", "--sync"]));
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("start krisp-tui mcp --sync");
        let (stdout, stdin) = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let client = ().serve((stdout, stdin)).await.expect("initialize");
        // The sync's own summary line says it is done.
        let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        loop {
            let line = stderr.next_line().await.unwrap().expect("the sync ended");
            if line.starts_with("Synced in ") {
                assert!(line.contains("34 new"), "{line}");
                break;
            }
        }
        let call = |name: &'static str, args: Value| {
            client.call_tool(CallToolRequestParams::new(name).with_arguments(mcp_args(args)))
        };
        let listed = call("list_meetings", serde_json::json!({})).await.unwrap();
        assert_eq!(listed.structured_content.unwrap()["total"], 34);
        let found = call("search", serde_json::json!({"query": ANCHOR}))
            .await
            .unwrap();
        assert_eq!(
            found.structured_content.unwrap()["meetings"][0]["time"],
            "05:24"
        );
        client.cancel().await.unwrap();
    });
}
