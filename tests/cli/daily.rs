//! The command line for daily use: help that puts a command's own options first, completions
//! and a man page, `show` as clean text, `meetings` saying when `--limit` hid some, and the demo's
//! `status` telling the truth. The real binary, against `--demo` (the embedded sandbox).

use std::process::{Command, Stdio};

use crate::common::{BIN, Run};

/// The binary with none of krisp-tui's environment variables set and its own config dir.
fn krisp(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config-dir")
        .arg(dir)
        .args(args)
        .env_remove("KRISP_TUI_SERVER")
        .env_remove("KRISP_TUI_TOKEN_STORE")
        .env_remove("KRISP_TUI_CONFIG_DIR")
        .env_remove("KRISP_TUI_DATA_DIR")
        .env_remove("KRISP_TUI_CLIENT_SECRET")
        .env("TZ", "Europe/Berlin")
        .env("COLUMNS", "100")
        .stdin(Stdio::null());
    cmd
}

fn run(dir: &std::path::Path, args: &[&str]) -> Run {
    Run::from(krisp(dir, args).output().expect("run krisp-tui"))
}

#[test]
fn a_commands_help_lists_its_own_options_then_the_global_ones() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["export", "--help"]).ok().stdout;
    insta::assert_snapshot!("export_help", help);

    // A variable that is set shows its value; one that is not reads `[env: NAME]`.
    let mut set = krisp(dir.path(), &["meetings", "--help"]);
    set.env("KRISP_TUI_SERVER", "https://example.org/mcp");
    let set = Run::from(set.output().unwrap()).ok().stdout;
    assert!(
        set.contains("[env: KRISP_TUI_SERVER=https://example.org/mcp]"),
        "{set}"
    );
    assert!(set.contains("[env: KRISP_TUI_DATA_DIR]"), "{set}");
    assert!(!set.contains("=]"), "{set}");
}

#[test]
fn completion_scripts_for_every_shell_and_a_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(dir.path(), &["completions", shell]).ok().stdout;
        assert!(
            script.contains("export") && script.contains("format"),
            "{shell}: {script}"
        );
    }
    // The bash script loads and registers the completion.
    let script = dir.path().join("krisp-tui.bash");
    std::fs::write(
        &script,
        run(dir.path(), &["completions", "bash"]).ok().stdout,
    )
    .unwrap();
    let bash = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p krisp-tui",
            script.display()
        ))
        .output()
        .expect("run bash");
    assert_eq!(
        String::from_utf8_lossy(&bash.stdout).trim(),
        "complete -o bashdefault -o default -o nosort -F _krisp__tui krisp-tui",
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );

    let page = run(dir.path(), &["man"]).ok().stdout;
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{page}");
    assert!(page.contains(".TH krisp-tui 1"), "{page}");
    assert!(page.contains("krisp\\-tui\\-export(1)"), "{page}");

    let pages = dir.path().join("man1");
    let listed = run(dir.path(), &["man", "--dir", pages.to_str().unwrap()])
        .ok()
        .stdout;
    let names: Vec<String> = listed
        .lines()
        .map(|l| {
            std::path::Path::new(l)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for expected in [
        "krisp-tui.1",
        "krisp-tui-export.1",
        "krisp-tui-completions.1",
    ] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
        assert!(pages.join(expected).is_file());
    }
}

#[test]
fn show_prints_clean_text_with_the_zone_named() {
    let dir = tempfile::tempdir().unwrap();
    let show = run(
        dir.path(),
        &["--demo", "show", "744b1d8da3165e8b99f56a8c56e33f5c"],
    )
    .ok()
    .stdout;
    assert!(
        show.contains("\ndate:      2026-10-06 14:00 CEST\n"),
        "{show}"
    );
    assert!(!show.contains('#') && !show.contains("**"), "{show}");
    assert!(
        show.contains(
            "\nSummary\nContext\n\nMaya presented the Q4 candidate list against engineering \
             capacity (roughly 14 engineer-weeks after support and on-call). Priya asked for a \
             plan that protects the Acme renewal in December.\n\nDecisions\n\n• Committed for \
             Q4: Route optimizer v2"
        ),
        "{show}"
    );
}

#[test]
fn meetings_says_on_stderr_when_the_limit_hid_some() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let more = "More meetings match than the 2 shown; raise --limit to see more.\n";

    // From the server (no store yet), then from the store after a sync.
    for step in ["server", "store"] {
        if step == "store" {
            run(dir.path(), &["--demo", "--data-dir", data, "sync"]).ok();
        }
        let two = run(
            dir.path(),
            &["--demo", "--data-dir", data, "meetings", "--limit", "2"],
        )
        .ok();
        assert_eq!(two.stdout.lines().count(), 3, "{step}: {}", two.stdout);
        assert_eq!(two.stderr, more, "{step}");
        let all = run(
            dir.path(),
            &["--demo", "--data-dir", data, "meetings", "--limit", "1000"],
        )
        .ok();
        assert_eq!(all.stderr, "", "{step}");
        assert!(all.stdout.lines().count() > 3, "{step}");
    }
}

#[test]
fn the_demos_status_says_how_its_login_works() {
    let dir = tempfile::tempdir().unwrap();
    let status = run(dir.path(), &["--demo", "status"]).ok().stdout;
    let lines: Vec<&str> = status.lines().collect();
    assert!(
        lines[0].starts_with("server:      http://127.0.0.1:")
            && lines[0].ends_with("/mcp (the demo's, started for this command only)"),
        "{status}"
    );
    assert_eq!(
        lines[1..],
        [
            "token store: memory (nothing kept after exit)",
            "logged in:   no (the demo logs in by itself, in memory, whenever a command needs \
             the server; nothing is kept after it exits)",
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(dir.path(), &["--demo", "status", "--json"]).ok().stdout)
            .unwrap();
    assert_eq!(json["demo"], true);
    assert_eq!(json["logged_in"], false);
}

#[test]
fn a_processing_meeting_is_not_exported_as_an_empty_transcript() {
    let dir = tempfile::tempdir().unwrap();
    // "Pricing page copy review": Krisp is still processing it.
    let id = "4741924d087252728ec3cdad83b5d183";
    for format in ["srt", "vtt", "txt"] {
        let path = dir.path().join(format!("out.{format}"));
        let run = run(
            dir.path(),
            &[
                "--demo",
                "export",
                id,
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stdout);
        assert_eq!(run.stdout, "");
        assert_eq!(
            run.stderr,
            format!(
                "krisp-tui: {} holds only the transcript, and Krisp is still processing this \
                 meeting (no transcript yet): nothing was written. Export as Markdown or JSON for \
                 what there is, or try again later.\n",
                format.to_uppercase()
            )
        );
        assert!(!path.exists(), "{format}");
    }
    // Markdown writes what there is and says the transcript is not ready.
    let md = run(dir.path(), &["--demo", "export", id, "-o", "-"]).ok();
    assert!(
        md.stdout
            .contains("## Transcript\n\n_Krisp is still processing this meeting._\n"),
        "{}",
        md.stdout
    );
}

/// A meeting name holding line breaks could fake header lines (`id: …`) in `show`: every field
/// but the summary is one line there, and in the `meetings` table.
#[test]
fn every_single_line_field_is_one_line_in_show_and_the_table() {
    use krisp_tui::krisp::{ActionItem, Meeting, MeetingDate, MeetingId, Person};
    let dir = tempfile::tempdir().unwrap();
    let server = "http://127.0.0.1:9/mcp";
    let data = dir.path().join("data");
    let id = MeetingId("ab".repeat(16));
    let mut m = Meeting::new(
        id.clone(),
        "Budget\nid:        0000\r\ndate:      never\u{2028}x",
    );
    m.date = Some(MeetingDate::parse("2026-01-15T15:00:00Z"));
    m.url = Some("https://app.krisp.ai/t/x\nlink: evil".into());
    m.attendees = vec![Person {
        name: "Ann\nLee".into(),
        email: None,
    }];
    m.speakers = vec!["Bob\n\nRay".into()];
    m.tags = vec!["a\nb".into()];
    m.key_points = vec!["first\nsecond".into()];
    m.action_items = vec![ActionItem {
        text: "send\nplan".into(),
        assignee: Some("Bob\nRay".into()),
        completed: false,
        due_date: Some("2026-01-20\nid: x".into()),
        extra: Default::default(),
    }];
    let mut store =
        krisp_tui::store::Store::open(&krisp_tui::store::Store::path_for(&data, server)).unwrap();
    store.upsert_meetings(&[m], jiff::Timestamp::now()).unwrap();
    drop(store);
    let offline = |args: &[&str]| {
        let mut all = vec!["--offline", "--server", server, "--data-dir"];
        all.push(data.to_str().unwrap());
        all.extend_from_slice(args);
        run(dir.path(), &all).ok().stdout
    };
    let show = offline(&["show", id.as_str()]);
    assert_eq!(
        show,
        format!(
            "Budget id: 0000 date: never x\n\
             date:      2026-01-15 16:00 CET\n\
             link:      https://app.krisp.ai/t/x link: evil\n\
             attendees: Ann Lee\n\
             speakers:  Bob Ray\n\
             tags:      a b\n\
             id:        {id}\n\
             \n\
             Key points\n\
             • first second\n\
             \n\
             Action items\n\
             [ ] send plan (Bob Ray) due 2026-01-20 id: x\n"
        )
    );
    let table = offline(&["meetings"]);
    assert_eq!(table.lines().count(), 2, "{table}");
}

/// A store that is damaged, or another program's database, is one sentence on stderr naming
/// the file and the way out (not SQLite's words alone, not kilobytes of schema), exit 1; the
/// other program's file is left as it was.
#[test]
fn a_damaged_or_foreign_store_is_one_sentence_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = "http://127.0.0.1:9/mcp";
    let data = dir.path().join("data");
    let path = krisp_tui::store::Store::path_for(&data, server);
    std::fs::create_dir_all(&data).unwrap();
    let search = || {
        run(
            dir.path(),
            &[
                "--offline",
                "--server",
                server,
                "--data-dir",
                data.to_str().unwrap(),
                "search",
                "budget",
            ],
        )
    };
    std::fs::write(&path, "x".repeat(4096)).unwrap();
    let out = search();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "krisp-tui: The local store {} could not be opened (file is not a database); `krisp-tui cache clear` deletes it, and the next sync fetches everything again.\n",
            path.display()
        )
    );
    std::fs::remove_file(&path).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE meetings (x); CREATE TABLE turns (y); CREATE TABLE meta (z);",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let out = search();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "krisp-tui: {} is not a krisp-tui store (another program's database), so it was left untouched; move it away or give krisp-tui another --data-dir.\n",
            path.display()
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_single_export_is_named_and_dated_in_the_users_zone_with_one_length() {
    let dir = tempfile::tempdir().unwrap();
    // Q4 roadmap review, 2026-10-06 12:00 UTC: already the 7th in New Zealand.
    let id = "744b1d8da3165e8b99f56a8c56e33f5c";
    let mut cmd = krisp(dir.path(), &["--demo", "export", id, "--format", "md"]);
    cmd.env("TZ", "Pacific/Auckland").current_dir(dir.path());
    let out = Run::from(cmd.output().unwrap()).ok();
    let path = dir.path().join("2026-10-07-q4-roadmap-review.md");
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{e}: {} {:?}",
            out.stderr,
            std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        )
    });
    assert!(body.contains("2026-10-07 01:00 NZDT"), "{body}");
    assert!(!body.contains("UTC"), "{body}");
}

/// `timezone` in `config.toml` wins over `TZ`, for every command that prints a time: resolved once
/// and passed down to the table, `show` and the Markdown export (no process-wide zone).
#[test]
fn the_configured_timezone_is_the_one_show_meetings_and_export_print() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "timezone = \"America/New_York\"\n",
    )
    .unwrap();
    // Q4 roadmap review, 2026-10-06 12:00 UTC: 08:00 in New York, 14:00 in Berlin (`TZ`).
    let id = "744b1d8da3165e8b99f56a8c56e33f5c";
    let show = run(dir.path(), &["--demo", "show", id]).ok().stdout;
    assert!(
        show.contains("\ndate:      2026-10-06 08:00 EDT\n"),
        "{show}"
    );
    let md = run(
        dir.path(),
        &["--demo", "export", id, "--format", "md", "--output", "-"],
    )
    .ok()
    .stdout;
    assert!(md.contains("- **Date:** 2026-10-06 08:00 EDT\n"), "{md}");
    let table = run(
        dir.path(),
        &["--demo", "meetings", "--search", "Q4 roadmap"],
    )
    .ok()
    .stdout;
    let row = table
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("no row for {id}:\n{table}"));
    assert!(row.starts_with("2026-10-06 08:00 "), "{table}");
}

#[test]
fn a_bad_date_is_a_usage_mistake_everywhere_and_status_exits_1_when_logged_out() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--offline", "meetings", "--after", "2026-13-45"][..],
        &["--offline", "meetings", "--before", "yesterday"][..],
        &[
            "--offline",
            "export",
            "--all",
            "--dir",
            "out",
            "--after",
            "2026-02-30",
        ][..],
    ] {
        let run = run(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("is not a date; write it as YYYY-MM-DD."),
            "{args:?}: {}",
            run.stderr
        );
    }
    let out = run(
        dir.path(),
        &[
            "--token-store",
            "memory",
            "--server",
            "http://127.0.0.1:9/mcp",
            "status",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("logged in:   no"), "{}", out.stdout);
    assert_eq!(out.stderr, "");
    let help = run(dir.path(), &["status", "--help"]).ok().stdout;
    assert!(
        help.contains("1 when not") && help.contains("logged in"),
        "{help}"
    );
    assert!(help.contains("--json"), "{help}");
    let json_help = help
        .lines()
        .skip_while(|l| !l.contains("--json"))
        .nth(1)
        .unwrap_or_default();
    assert!(json_help.contains("JSON"), "{help}");
}

#[test]
fn show_draws_bullets_as_the_tui_does() {
    let dir = tempfile::tempdir().unwrap();
    let show = run(
        dir.path(),
        &["--demo", "show", "744b1d8da3165e8b99f56a8c56e33f5c"],
    )
    .ok()
    .stdout;
    assert!(show.contains("\nKey points\n• "), "{show}");
    assert!(show.contains("\nAction items\n[x] "), "{show}");
    assert!(!show.contains("\n- "), "{show}");
}

#[test]
fn demo_search_fills_its_store_first_and_sync_json_writes_only_json() {
    let dir = tempfile::tempdir().unwrap();
    let search = run(dir.path(), &["--demo", "search", "halcyon"]).ok();
    assert!(search.stdout.contains("Halcyon"), "{}", search.stdout);
    assert_eq!(
        search.stderr,
        "Syncing the demo's store first (it lasts for this command only).\n"
    );
    let data = dir.path().join("data");
    let sync = run(
        dir.path(),
        &[
            "--demo",
            "--data-dir",
            data.to_str().unwrap(),
            "sync",
            "--json",
        ],
    )
    .ok();
    assert_eq!(sync.stderr, "", "no progress lines beside --json");
    let summary: serde_json::Value = serde_json::from_str(&sync.stdout).unwrap();
    assert_eq!(summary["new"], 34);
}

#[test]
fn cache_aligns_its_values_groups_counts_and_says_when_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    run(dir.path(), &["--demo", "--data-dir", data, "sync"]).ok();
    let cache = run(dir.path(), &["--demo", "--data-dir", data, "cache"])
        .ok()
        .stdout;
    for line in cache.lines() {
        let (key, value) = line.split_at(13);
        assert!(
            key.ends_with(' ') && key.trim_end().ends_with(':'),
            "{line:?} in\n{cache}"
        );
        assert!(!value.starts_with(' '), "{line:?} in\n{cache}");
    }
    // The transcripts add up to the meetings.
    let value = |key: &str| -> String {
        let line = cache.lines().find(|l| l.starts_with(key)).expect(key);
        line[13..].to_owned()
    };
    let meetings: usize = value("meetings:").replace(',', "").parse().unwrap();
    let counts: Vec<usize> = value("transcripts:")
        .split(", ")
        .map(|part| {
            part.split(' ')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(counts.iter().sum::<usize>(), meetings, "{cache}");
    assert!(cache.contains("\nturns:       1,1"), "{cache}");
    assert!(cache.contains("\nsynced:      just now ("), "{cache}");
}

#[test]
fn the_man_page_has_exit_status_files_environment_keys_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let page = run(dir.path(), &["man"]).ok().stdout;
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH \"ENVIRONMENT\"",
        ".SH \"FILES\"",
        ".SH \"KEYS\"",
        ".SH \"EXAMPLES\"",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    // The TUI's keys come from the keymap, in ASCII roff.
    assert!(
        page.contains("\\fBt (a meeting)\\fR\njump to a time"),
        "{page}"
    );
    assert!(page.is_ascii(), "non-ASCII in the roff");
    // The sandbox is a server: the client's options are not its own.
    let help = run(dir.path(), &["sandbox", "--help"]).ok().stdout;
    for client in [
        "--client-id",
        "--token-store",
        "--redirect-port",
        "--offline",
    ] {
        assert!(!help.contains(client), "{client} in\n{help}");
    }
    assert!(help.contains("--log-file"), "{help}");
}

#[test]
fn the_readmes_keys_table_is_one_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| *l != "| where | keys |")
        .take_while(|l| l.starts_with('|'))
        .collect();
    let rows: Vec<&str> = table
        .iter()
        .filter_map(|l| l.split('|').nth(1).map(str::trim))
        .collect();
    assert_eq!(
        rows,
        [
            "where",
            "---",
            "everywhere",
            "meetings",
            "search",
            "meeting",
            "feeds",
            "export",
            "tools",
            "login"
        ]
    );
}
