//! `export --all --dir`: the demo account synced from a real sandbox into a vault, then re-runs
//! over the same store after the changes a later sync would bring (a rename, a transcript that
//! became ready) and after the user edited a file. Front matter is read by a YAML parser.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::common::{BIN, Run, SandboxProcess, User};
use krisp_tui::krisp::{
    Document, DocumentState, Meeting, MeetingDate, MeetingId, Transcript, Turn,
};
use krisp_tui::store::Store;
use serde_json::Value;

const ANCHOR_MEETING: &str = "64ddb420ca7356bfa579811c7a71f56a";

/// Runs krisp-tui as `user` with times in UTC (file names carry the local time).
fn run(user: &User, args: &[&str]) -> Run {
    Run::from(
        user.command(args)
            .env("TZ", "UTC")
            .output()
            .expect("run krisp-tui"),
    )
}

fn export(user: &User, vault: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "export",
        "--all",
        "--json",
        "--dir",
        vault.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(user, &args).ok();
    serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {:?} / {}", out.stdout, out.stderr))
}

/// Every file in the vault (dot files included) with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                (std::fs::read(e.path()).unwrap(), meta.modified().unwrap()),
            )
        })
        .collect()
}

/// The meeting files (not the manifest or lock).
fn notes(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

/// The front matter, parsed as YAML, and the body after it.
fn front_matter(text: &str) -> (serde_yaml_ng::Value, &str) {
    let rest = text
        .strip_prefix("---\n")
        .expect("front matter opens the file");
    let (yaml, body) = rest.split_once("\n---\n").expect("front matter closes");
    (
        serde_yaml_ng::from_str(yaml).unwrap_or_else(|e| panic!("{e}:\n{yaml}")),
        body,
    )
}

fn file_of(manifest: &Value, id: &str) -> String {
    manifest["meetings"][id]["md"]["file"]
        .as_str()
        .unwrap_or_else(|| panic!("{id} in the manifest"))
        .to_owned()
}

fn manifest(vault: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(vault.join(".krisp-tui.json")).unwrap()).unwrap()
}

fn rename(store: &mut Store, id: &str, name: &str) {
    let id = MeetingId(id.to_owned());
    let mut meeting = store.meeting(&id).unwrap().unwrap();
    meeting.name = name.to_owned();
    store
        .upsert_meetings(&[meeting], jiff::Timestamp::now())
        .unwrap();
}

#[test]
fn the_demo_account_becomes_a_vault_that_stays_in_sync() {
    let sandbox = SandboxProcess::start(&[]);
    let user = User::new(&sandbox.url);
    user.run(&["login"]).ok();
    let vault = user.dir.path().join("notes/krisp");

    // First run: syncs, then one file per meeting whose transcript is ready.
    let summary = export(&user, &vault, &[]);
    assert_eq!(
        (
            &summary["new"],
            &summary["updated"],
            &summary["unchanged"],
            &summary["edited"],
            &summary["processing"],
            &summary["meetings"]
        ),
        (
            &Value::from(33),
            &Value::from(0),
            &Value::from(0),
            &Value::from(0),
            &Value::from(1),
            &Value::from(34)
        ),
        "{summary}"
    );
    let files = notes(&vault);
    assert_eq!(files.len(), 33);
    let store = Store::open(&user.store_file()).unwrap();
    let manifest_v = manifest(&vault);
    let named = regex::Regex::new(r"^\d{4}-\d{2}-\d{2} \d{4} .+\.md$").unwrap();
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(named.is_match(name), "{name}");
        let text = std::fs::read_to_string(path).unwrap();
        let (yaml, body) = front_matter(&text);
        let id = yaml["id"].as_str().expect("id").to_owned();
        assert_eq!(file_of(&manifest_v, &id), name);
        let meeting = store.meeting(&MeetingId(id.clone())).unwrap().unwrap();
        let document = store.document(&meeting.id).unwrap().unwrap();
        assert_eq!(
            yaml["title"].as_str(),
            Some(meeting.name.as_str()),
            "{name}"
        );
        assert_eq!(yaml["source"].as_str(), Some("krisp"));
        let date = yaml["date"].as_str().expect("date");
        assert_eq!(
            MeetingDate::parse(date).timestamp(),
            meeting.date.as_ref().and_then(MeetingDate::timestamp),
            "{name}"
        );
        assert!(date.ends_with('Z'), "{date}");
        let people: Vec<&str> = yaml["attendees"]
            .as_sequence()
            .expect("attendees")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let want: Vec<&str> = if meeting.attendees.is_empty() {
            meeting.speakers.iter().map(String::as_str).collect()
        } else {
            meeting.attendees.iter().map(|p| p.name.as_str()).collect()
        };
        assert_eq!(people, want, "{name}");
        assert!(yaml["speakers"].is_sequence() && yaml["tags"].is_sequence());
        assert!(yaml["duration"].as_str().is_some(), "{name}");
        assert_eq!(
            yaml["url"].as_str(),
            meeting.url.as_deref(),
            "{name}: the url"
        );
        // Every word of the transcript.
        assert!(!document.transcript.turns.is_empty(), "{name}");
        for turn in &document.transcript.turns {
            assert!(body.contains(turn.text.trim()), "{name}: {:?}", turn.text);
        }
    }

    // A re-run (with its sync) changes nothing: same bytes, same modification times.
    let before = snapshot(&vault);
    let again = export(&user, &vault, &[]);
    assert_eq!(
        (&again["new"], &again["updated"], &again["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(33)),
        "{again}"
    );
    assert_eq!(snapshot(&vault), before);

    // The server is gone from here on: what a later sync would bring is put in the store.
    drop(sandbox);
    drop(store);
    let mut store = Store::open(&user.store_file()).unwrap();
    let anchor_file = file_of(&manifest_v, ANCHOR_MEETING);

    // A renamed meeting keeps its file name; its title follows.
    rename(&mut store, ANCHOR_MEETING, "Renamed: halcyon review");
    let renamed = export(&user, &vault, &["--offline"]);
    assert_eq!(
        (&renamed["updated"], &renamed["unchanged"]),
        (&Value::from(1), &Value::from(32)),
        "{renamed}"
    );
    let text = std::fs::read_to_string(vault.join(&anchor_file)).unwrap();
    assert_eq!(
        front_matter(&text).0["title"].as_str(),
        Some("Renamed: halcyon review")
    );
    assert_eq!(notes(&vault).len(), 33, "no new file for a renamed meeting");

    // The user edits the file; the meeting changes again: the edit survives, Krisp's version
    // goes beside it, and is reported.
    let edited = format!("{text}\n## My notes\n\nCall Maya about the pilot.\n");
    std::fs::write(vault.join(&anchor_file), &edited).unwrap();
    rename(&mut store, ANCHOR_MEETING, "Halcyon review, final");
    let out = run(
        &user,
        &[
            "--offline",
            "export",
            "--all",
            "--dir",
            vault.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        out.stdout.contains("1 kept because edited"),
        "{}",
        out.stdout
    );
    let beside = anchor_file.replace(".md", " (krisp).md");
    assert!(
        out.stderr.contains(&format!(
            "kept your edits in {}",
            vault.join(&anchor_file).display()
        )) && out.stderr.contains(&beside),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(vault.join(&anchor_file)).unwrap(),
        edited
    );
    let new_version = std::fs::read_to_string(vault.join(&beside)).unwrap();
    assert_eq!(
        front_matter(&new_version).0["title"].as_str(),
        Some("Halcyon review, final")
    );

    // Nothing new: the edit and the (krisp) file stay as they are, untouched.
    let before = snapshot(&vault);
    let quiet = export(&user, &vault, &["--offline"]);
    assert_eq!(quiet["edited"], 1, "{quiet}");
    assert_eq!(snapshot(&vault), before);

    // A transcript that was processing is written once it is ready.
    let processing = store
        .wanting_documents(10)
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo's processing meeting");
    store
        .upsert_documents(
            &[Document {
                id: processing.clone(),
                state: DocumentState::Ready,
                recording_url: None,
                sections: Vec::new(),
                transcript: Transcript {
                    turns: vec![Turn {
                        speaker: "Maya Okafor".into(),
                        start: Duration::from_secs(3),
                        text: "Now it is ready.".into(),
                    }],
                },
                unparsed: String::new(),
            }],
            jiff::Timestamp::now(),
        )
        .unwrap();
    let ready = export(&user, &vault, &["--offline"]);
    assert_eq!(
        (&ready["new"], &ready["processing"]),
        (&Value::from(1), &Value::from(0)),
        "{ready}"
    );
    let file = file_of(&manifest(&vault), processing.as_str());
    assert!(
        std::fs::read_to_string(vault.join(file))
            .unwrap()
            .contains("Now it is ready.")
    );

    // --force puts Krisp's version over the edit.
    let forced = export(&user, &vault, &["--offline", "--force"]);
    assert_eq!(forced["updated"], 1, "{forced}");
    assert_eq!(
        std::fs::read_to_string(vault.join(&anchor_file)).unwrap(),
        new_version
    );
}

/// A store made by hand (as a sync would have filled it), exported offline by the binary.
struct Offline {
    dir: tempfile::TempDir,
    server: &'static str,
}

impl Offline {
    fn new() -> Offline {
        Offline {
            dir: tempfile::tempdir().unwrap(),
            server: "http://127.0.0.1:9/mcp",
        }
    }

    fn store(&self) -> Store {
        Store::open(&Store::path_for(&self.dir.path().join("data"), self.server)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_under(&[], args)
    }

    /// The binary started by `wrapper` (a command that runs its last argument, the binary,
    /// with the arguments after it).
    fn run_under(&self, wrapper: &[&str], args: &[&str]) -> Run {
        let mut cmd = match wrapper.split_first() {
            Some((program, rest)) => {
                let mut cmd = std::process::Command::new(program);
                cmd.args(rest).arg(BIN);
                cmd
            }
            None => std::process::Command::new(BIN),
        };
        cmd.args(["--offline", "--server", self.server, "--data-dir"])
            .arg(self.dir.path().join("data"))
            .arg("--config-dir")
            .arg(self.dir.path())
            .args(args)
            .env("TZ", "UTC")
            .env_remove("KRISP_TUI_DATA_DIR");
        Run::from(cmd.output().unwrap())
    }
}

fn add(store: &mut Store, n: u8, name: &str, date: &str) -> MeetingId {
    let id = MeetingId(format!("{:032x}", u128::from(n) + 0xabc0));
    let mut meeting = Meeting::new(id.clone(), name);
    meeting.date = Some(MeetingDate::parse(date));
    meeting.speakers = vec!["Ann".into()];
    let now = jiff::Timestamp::now();
    store.upsert_meetings(&[meeting], now).unwrap();
    let doc = Document {
        id: id.clone(),
        state: DocumentState::Ready,
        recording_url: None,
        sections: Vec::new(),
        transcript: Transcript {
            turns: vec![Turn {
                speaker: "Ann".into(),
                start: Duration::ZERO,
                text: format!("Words of meeting {n}."),
            }],
        },
        unparsed: String::new(),
    };
    store.upsert_documents(&[doc], now).unwrap();
    id
}

#[test]
fn awkward_names_are_written_safely_and_uniquely() {
    let offline = Offline::new();
    let mut store = offline.store();
    let long = "Quarterly planning ".repeat(16); // 304 characters
    let names = [
        "Q1/Q2 review: budget \\ ops",
        "🚀 Launch 🎉 party",
        long.as_str(),
        "../../etc/passwd",
        "Standup",
        "standup",
        "CON",
        "\u{1b}]0;pwned\u{7}\u{202e}gnp.exe",
    ];
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // The two standups share a minute; CON has no date.
        let date = match *name {
            "Standup" | "standup" => "2026-03-02T09:00:00Z".to_owned(),
            "CON" => "someday".to_owned(),
            _ => format!("2026-03-{:02}T10:{:02}:00Z", i + 3, i),
        };
        ids.push(add(&mut store, i as u8, name, &date));
    }
    drop(store);
    let vault = offline.dir.path().join("vault");
    let out = offline
        .run(&[
            "export",
            "--all",
            "--json",
            "--dir",
            vault.to_str().unwrap(),
        ])
        .ok();
    let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["new"], names.len(), "{summary}");

    let mut files: Vec<String> = notes(&vault)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    files.sort();
    let mut want = vec![
        "2026-03-02 0900 Standup.md".to_owned(),
        "2026-03-02 0900 standup 2.md".to_owned(),
        "2026-03-03 1000 Q1-Q2 review - budget - ops.md".to_owned(),
        "2026-03-04 1001 🚀 Launch 🎉 party.md".to_owned(),
        format!("2026-03-05 1002 {}.md", &long[..160 - 16].trim_end()),
        "2026-03-06 1003 ..-..-etc-passwd.md".to_owned(),
        "2026-03-10 1007 gnp.exe.md".to_owned(),
        "CON_.md".to_owned(),
    ];
    want.sort();
    assert_eq!(files, want);
    for f in &files {
        assert!(f.len() <= 255, "{f}");
        assert!(
            !f.contains(['/', '\\', ':', '\u{1b}', '\u{7}', '\u{202e}']),
            "{f}"
        );
        let text = std::fs::read_to_string(vault.join(f)).unwrap();
        front_matter(&text);
    }
    // Every file is one meeting; the manifest knows which.
    let m = manifest(&vault);
    let mut from_manifest: Vec<String> = ids.iter().map(|id| file_of(&m, id.as_str())).collect();
    from_manifest.sort();
    assert_eq!(from_manifest, want);
}

#[test]
fn the_filters_pick_the_meetings_and_formats_get_their_own_files() {
    let offline = Offline::new();
    let mut store = offline.store();
    let a = add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    add(&mut store, 2, "Beta", "2026-02-10T10:00:00Z");
    let mut tagged = store.meeting(&a).unwrap().unwrap();
    tagged.tags = vec!["client".into()];
    store
        .upsert_meetings(&[tagged], jiff::Timestamp::now())
        .unwrap();
    drop(store);
    let vault = offline.dir.path().join("v");
    let dir = vault.to_str().unwrap();
    let count = |args: &[&str]| {
        let mut all = vec!["export", "--all", "--json", "--dir", dir];
        all.extend_from_slice(args);
        let out = offline.run(&all).ok();
        let v: Value = serde_json::from_str(out.stdout.trim()).unwrap();
        v["meetings"].as_u64().unwrap()
    };
    assert_eq!(count(&["--tag", "client", "--format", "txt"]), 1);
    assert_eq!(count(&["--after", "2026-02-01", "--format", "txt"]), 1);
    assert_eq!(
        count(&[
            "--search",
            "meeting",
            "--before",
            "2026-01-31",
            "--format",
            "txt"
        ]),
        1
    );
    // A date written in the search text holds when no flag gives one.
    assert_eq!(
        count(&["--search", "meeting before:2026-01-31", "--format", "txt"]),
        1
    );
    assert_eq!(count(&["--format", "json"]), 2);
    // `meetings --search` offline: a filter in the query text and one given as a flag both
    // hold (the flag's absence does not clear the text's).
    let names = |args: &[&str]| {
        let mut all = vec!["meetings", "--json", "--search"];
        all.extend_from_slice(args);
        let out = offline.run(&all).ok();
        out.stdout
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["name"].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&["meeting before:2026-01-31"]), ["\"Alpha\""]);
    assert_eq!(names(&["meeting", "--after", "2026-02-01"]), ["\"Beta\""]);
    assert_eq!(names(&["meeting tag:client"]), ["\"Alpha\""]);
    assert_eq!(names(&["meeting"]).len(), 2);
    let mut files: Vec<String> = notes(&vault)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "2026-01-10 1000 Alpha.json",
            "2026-01-10 1000 Alpha.txt",
            "2026-02-10 1000 Beta.json",
            "2026-02-10 1000 Beta.txt",
        ]
    );
}

#[test]
fn an_unusable_directory_is_a_sentence_and_exit_1() {
    let offline = Offline::new();
    let mut store = offline.store();
    add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    drop(store);
    let file = offline.dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let target = file.join("vault");
    let out = offline.run(&["export", "--all", "--dir", target.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(&format!(
            "krisp-tui: Could not create the directory {}:",
            target.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);

    // A manifest that is not one is left alone, and said so.
    let vault = offline.dir.path().join("v");
    std::fs::create_dir(&vault).unwrap();
    std::fs::write(vault.join(".krisp-tui.json"), "my own notes").unwrap();
    let out = offline.run(&["export", "--all", "--dir", vault.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("move it away"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(vault.join(".krisp-tui.json")).unwrap(),
        "my own notes"
    );
}

#[test]
fn a_run_that_stopped_before_saving_its_manifest_is_picked_up_without_duplicates() {
    let offline = Offline::new();
    let mut store = offline.store();
    let a = add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    add(&mut store, 2, "Beta", "2026-02-10T10:00:00Z");
    let vault = offline.dir.path().join("v");
    let dir = vault.to_str().unwrap();
    let summary = |out: Run| -> Value { serde_json::from_str(out.ok().stdout.trim()).unwrap() };
    let first = summary(offline.run(&["export", "--all", "--json", "--dir", dir]));
    assert_eq!(first["new"], 2, "{first}");
    let manifest_path = vault.join(".krisp-tui.json");
    let old_manifest = std::fs::read(&manifest_path).unwrap();

    // The manifest is lost (as if the run had been killed before saving it): the files there
    // are exactly what would be written, so they are taken back, not duplicated.
    std::fs::remove_file(&manifest_path).unwrap();
    let again = summary(offline.run(&["export", "--all", "--json", "--dir", dir]));
    assert_eq!(
        (&again["new"], &again["unchanged"]),
        (&Value::from(0), &Value::from(2))
    );
    assert_eq!(notes(&vault).len(), 2);

    // A changed meeting was written but the manifest still says the old version: the file is
    // Krisp's new version, not an edit of the user's.
    let mut alpha = store.meeting(&a).unwrap().unwrap();
    alpha.name = "Alpha, renamed".into();
    store
        .upsert_meetings(&[alpha], jiff::Timestamp::now())
        .unwrap();
    let renamed = summary(offline.run(&["export", "--all", "--json", "--dir", dir]));
    assert_eq!(renamed["updated"], 1, "{renamed}");
    std::fs::write(&manifest_path, &old_manifest).unwrap();
    let after = summary(offline.run(&["export", "--all", "--json", "--dir", dir]));
    assert_eq!(
        (&after["edited"], &after["unchanged"], &after["updated"]),
        (&Value::from(0), &Value::from(2), &Value::from(0)),
        "{after}"
    );
    assert_eq!(notes(&vault).len(), 2, "no (krisp) file");
}

/// Rewrites the vault's manifest through `edit`.
fn tamper(vault: &Path, edit: impl FnOnce(&mut Value)) {
    let mut m = manifest(vault);
    edit(&mut m);
    std::fs::write(
        vault.join(".krisp-tui.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_tampered_manifest_never_makes_the_vault_write_outside_its_directory() {
    let offline = Offline::new();
    let mut store = offline.store();
    let names = ["Up", "Absolute", "Sneaky", "Linked", "Beside"];
    let ids: Vec<MeetingId> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            add(
                &mut store,
                i as u8,
                name,
                &format!("2026-04-0{}T10:00:00Z", i + 1),
            )
        })
        .collect();
    let vault = offline.dir.path().join("vault");
    let dir = vault.to_str().unwrap();
    offline.run(&["export", "--all", "--dir", dir]).ok();

    // The user's files outside the vault, which the manifest will point at.
    let outside = offline.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let victims = ["up.md", "abs.md", "sneaky.md", "linked.md", "beside.md"];
    for v in victims {
        std::fs::write(outside.join(v), format!("the user's own {v}\n")).unwrap();
    }
    std::os::unix::fs::symlink(outside.join("linked.md"), vault.join("link.md")).unwrap();
    let beside_file = file_of(&manifest(&vault), ids[4].as_str());
    tamper(&vault, |m| {
        // Each entry claims its file holds exactly what is there now (so it is krisp-tui's to
        // replace) and that the meeting changed since.
        let targets = [
            "../outside/up.md".to_owned(),
            outside.join("abs.md").display().to_string(),
            "sub/../../outside/sneaky.md".to_owned(),
            "link.md".to_owned(),
        ];
        for (i, file) in targets.into_iter().enumerate() {
            let e = &mut m["meetings"][ids[i].as_str()]["md"];
            e["file"] = file.into();
            e["source"] = "stale".into();
            e["hash"] = hash_hex(format!("the user's own {}\n", victims[i]).as_bytes()).into();
        }
        // An edited file whose new version would go "beside" it, outside the vault.
        let e = &mut m["meetings"][ids[4].as_str()]["md"];
        e["source"] = "stale".into();
        e["beside"] = "../outside/beside.md".into();
        e["beside_hash"] = hash_hex(b"the user's own beside.md\n").into();
    });
    std::fs::write(vault.join(&beside_file), "my edit\n").unwrap();

    let out = offline.run(&["export", "--all", "--json", "--dir", dir]);
    let out = out.ok();
    for v in victims {
        assert_eq!(
            std::fs::read_to_string(outside.join(v)).unwrap(),
            format!("the user's own {v}\n"),
            "{v} outside the vault was rewritten; stderr: {}",
            out.stderr
        );
    }
    let mut outside_now: Vec<String> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    outside_now.sort();
    assert_eq!(
        outside_now,
        ["abs.md", "beside.md", "linked.md", "sneaky.md", "up.md"]
    );
    assert!(
        std::fs::symlink_metadata(vault.join("link.md"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link in the vault is left as the user made it"
    );
    // Each meeting whose entry was not trusted is written afresh inside the vault, said so.
    let m = manifest(&vault);
    for (i, id) in ids.iter().enumerate().take(4) {
        let file = file_of(&m, id.as_str());
        assert_eq!(
            file,
            format!("2026-04-0{} 1000 {}.md", i + 1, names[i]),
            "{}",
            out.stderr
        );
        assert!(vault.join(&file).is_file());
    }
    assert_eq!(out.stderr.matches("warning: ").count(), 5, "{}", out.stderr);
    assert!(out.stderr.contains("../outside/up.md"), "{}", out.stderr);
    // The edited file is kept and Krisp's version goes beside it, inside the vault.
    assert_eq!(
        std::fs::read_to_string(vault.join(&beside_file)).unwrap(),
        "my edit\n"
    );
    let beside = m["meetings"][ids[4].as_str()]["md"]["beside"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(beside, "2026-04-05 1000 Beside (krisp).md");
    assert!(vault.join(beside).is_file());
}

fn hash_hex(bytes: &[u8]) -> String {
    krisp_tui::export::vault::hash(bytes)
}

/// The demo's server runs on a new port each time; its meeting links do not, so a second
/// `--demo export --all` over the same data dir finds every file unchanged.
/// A run that wrote nothing says so instead of "Exported", and no run leaves its lock file in
/// the user's folder.
#[test]
fn a_run_with_nothing_to_write_says_so_and_leaves_no_lock_file() {
    let offline = Offline::new();
    let mut store = offline.store();
    add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    add(&mut store, 2, "Beta", "2026-01-11T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("vault");
    let args = ["export", "--all", "--dir", vault.to_str().unwrap()];
    let first = offline.run(&args).ok();
    assert!(
        first
            .stdout
            .starts_with(&format!("Exported 2 meetings to {} in ", vault.display())),
        "{}",
        first.stdout
    );
    assert!(!vault.join(".krisp-tui.lock").exists(), "lock left behind");
    let second = offline.run(&args).ok();
    assert!(
        second.stdout.starts_with(&format!(
            "Nothing to write in {}: 2 meetings checked in ",
            vault.display()
        )),
        "{}",
        second.stdout
    );
    assert!(
        second.stdout.ends_with(
            ": 0 new, 0 updated, 2 unchanged, 0 kept because edited, 0 still processing.\n"
        ),
        "{}",
        second.stdout
    );
    assert!(!vault.join(".krisp-tui.lock").exists(), "lock left behind");
    let mut names: Vec<String> = std::fs::read_dir(&vault)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".krisp-tui.json",
            "2026-01-10 1000 Alpha.md",
            "2026-01-11 1000 Beta.md"
        ]
    );
}

#[test]
fn a_second_demo_run_rewrites_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let export = || -> Value {
        let out = Run::from(
            std::process::Command::new(BIN)
                .args(["--demo", "--token-store", "memory", "--data-dir"])
                .arg(dir.path().join("data"))
                .arg("--config-dir")
                .arg(dir.path())
                .args(["export", "--all", "--json", "--dir"])
                .arg(&vault)
                .env("TZ", "UTC")
                .env_remove("KRISP_TUI_DATA_DIR")
                .output()
                .unwrap(),
        )
        .ok();
        serde_json::from_str(out.stdout.trim()).unwrap()
    };
    let first = export();
    assert_eq!(first["new"], 33, "{first}");
    let before = snapshot(&vault);
    let second = export();
    assert_eq!(
        (&second["new"], &second["updated"], &second["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(33)),
        "{second}"
    );
    assert_eq!(snapshot(&vault), before);
}

/// A meeting deleted on the server: a full listing marks it deleted in the store (gone from
/// lists and search), the vault moves its file into `.deleted/`; listed again, it comes back.
#[test]
fn a_meeting_deleted_on_the_server_leaves_lists_search_and_the_vault() {
    let mut sandbox = SandboxProcess::start(&[]);
    let user = User::new(&sandbox.url);
    user.run(&["login"]).ok();
    let vault = user.dir.path().join("vault");
    let first = export(&user, &vault, &[]);
    assert_eq!(first["new"], 33, "{first}");
    let file = file_of(&manifest(&vault), ANCHOR_MEETING);
    let text = std::fs::read(vault.join(&file)).unwrap();

    sandbox.restart(&["--delete-meeting", ANCHOR_MEETING]);
    user.run(&["login"]).ok();
    // An ordinary sync right after a full one does not list everything, so it cannot tell.
    let quick: Value =
        serde_json::from_str(run(&user, &["sync", "--json"]).ok().stdout.trim()).unwrap();
    assert_eq!(quick["deleted"], 0, "{quick}");
    let full: Value =
        serde_json::from_str(run(&user, &["sync", "--full", "--json"]).ok().stdout.trim()).unwrap();
    assert_eq!(full["deleted"], 1, "{full}");
    let search = run(&user, &["--offline", "search", "halcyon"]).ok();
    assert_eq!(search.stdout, "", "{}", search.stderr);
    let list = run(
        &user,
        &["--offline", "meetings", "--limit", "100", "--json"],
    )
    .ok();
    assert_eq!(list.stdout.lines().count(), 33);
    assert!(!list.stdout.contains(ANCHOR_MEETING));

    let after = export(&user, &vault, &["--offline"]);
    assert_eq!(
        (&after["deleted"], &after["new"], &after["updated"]),
        (&Value::from(1), &Value::from(0), &Value::from(0)),
        "{after}"
    );
    assert!(!vault.join(&file).exists());
    assert_eq!(
        std::fs::read(vault.join(".deleted").join(&file)).unwrap(),
        text
    );
    assert!(manifest(&vault)["meetings"].get(ANCHOR_MEETING).is_none());
    assert_eq!(notes(&vault).len(), 32);

    // Back on the server: stored again, found again, written again.
    sandbox.restart(&[]);
    user.run(&["login"]).ok();
    run(&user, &["sync", "--full"]).ok();
    let found = run(&user, &["--offline", "search", "halcyon", "--json"]).ok();
    assert!(found.stdout.contains(ANCHOR_MEETING), "{}", found.stdout);
    let again = export(&user, &vault, &["--offline"]);
    assert_eq!(again["new"], 1, "{again}");
}

/// `sh -c 'umask 000 && exec BIN ARGS'`: files created without a mode of their own would be
/// writable by everyone.
const UMASK_000: [&str; 3] = ["sh", "-c", "umask 000 && exec \"$0\" \"$@\""];

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// What the vault writes says what was said in meetings: private to the user, as the store is,
/// whatever the umask; a directory the user made keeps the mode they gave it.
#[test]
fn the_vault_and_single_exports_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let offline = Offline::new();
    let mut store = offline.store();
    let a = add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("notes/vault");
    offline
        .run_under(
            &UMASK_000,
            &["export", "--all", "--dir", vault.to_str().unwrap()],
        )
        .ok();
    assert_eq!(mode(&vault), 0o700);
    for name in [".krisp-tui.json", "2026-01-10 1000 Alpha.md"] {
        assert_eq!(mode(&vault.join(name)), 0o600, "{name}");
    }
    let single = offline.dir.path().join("alpha.txt");
    offline
        .run_under(
            &UMASK_000,
            &[
                "export",
                a.as_str(),
                "--format",
                "txt",
                "-o",
                single.to_str().unwrap(),
            ],
        )
        .ok();
    assert_eq!(mode(&single), 0o600);

    let shared = offline.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
    offline
        .run_under(
            &UMASK_000,
            &["export", "--all", "--dir", shared.to_str().unwrap()],
        )
        .ok();
    assert_eq!(mode(&shared), 0o755);
    assert_eq!(mode(&shared.join("2026-01-10 1000 Alpha.md")), 0o600);
}

/// A directory, or a link to one, where a meeting's file would go: the meeting goes to the
/// next free name, said on stderr; the run goes on to the other meetings, `--force` too.
#[test]
fn a_directory_at_a_meetings_file_name_is_skipped_and_said() {
    let offline = Offline::new();
    let mut store = offline.store();
    add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    add(&mut store, 2, "Beta", "2026-02-10T10:00:00Z");
    add(&mut store, 3, "Gamma", "2026-03-10T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("v");
    std::fs::create_dir_all(vault.join("2026-01-10 1000 Alpha.md")).unwrap();
    let elsewhere = offline.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, vault.join("2026-02-10 1000 Beta.md")).unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec![
            "export",
            "--all",
            "--json",
            "--dir",
            vault.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = offline.run(&args).ok();
        let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
        if extra.is_empty() {
            assert_eq!(summary["new"], 3, "{summary}");
            assert_eq!(
                out.stderr.matches("is not a regular file").count(),
                2,
                "{}",
                out.stderr
            );
        } else {
            assert_eq!(summary["unchanged"], 3, "{summary}");
        }
    }
    let mut files: Vec<String> = notes(&vault)
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "2026-01-10 1000 Alpha 2.md",
            "2026-01-10 1000 Alpha.md",
            "2026-02-10 1000 Beta 2.md",
            "2026-02-10 1000 Beta.md",
            "2026-03-10 1000 Gamma.md",
        ]
    );
    assert!(vault.join("2026-01-10 1000 Alpha.md").is_dir());
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

/// A run killed mid-write leaves `.krisp-tui-PID-N.tmp` holding a meeting's text: the next
/// run removes those of processes that are gone, and leaves a running one's alone.
#[test]
fn temporary_files_of_dead_processes_are_removed() {
    let offline = Offline::new();
    let mut store = offline.store();
    add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("v");
    let dir = vault.to_str().unwrap();
    offline.run(&["export", "--all", "--dir", dir]).ok();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = vault.join(format!(".krisp-tui-{dead}-0.tmp"));
    let live = vault.join(format!(".krisp-tui-{}-0.tmp", std::process::id()));
    for f in [&stale, &live] {
        std::fs::write(f, "half a meeting").unwrap();
    }
    offline.run(&["export", "--all", "--dir", dir]).ok();
    assert!(!stale.exists(), "the dead process's file stays");
    assert!(
        live.exists(),
        "a running process's file is its own business"
    );
}

/// A re-run with nothing moved since the last complete run is answered from the vault's stamp
/// in the store (the log says so), with the same counts; each thing that could make a file due
/// sends the next run back to checking every meeting: a file deleted, a meeting changed, another
/// request, the manifest edited.
#[test]
fn a_rerun_with_nothing_moved_is_answered_from_its_stamp_and_anything_moved_checks_again() {
    let offline = Offline::new();
    let mut store = offline.store();
    let alpha = add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    add(&mut store, 2, "Beta", "2026-01-11T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("v");
    let log = offline.dir.path().join("run.log");
    // One run: its JSON summary, and whether it took the stamp's word.
    let export = |args: &[&str]| -> (Value, bool) {
        let _ = std::fs::remove_file(&log);
        let mut all = vec![
            "--log-file",
            log.to_str().unwrap(),
            "export",
            "--all",
            "--json",
        ];
        all.extend_from_slice(&["--dir", vault.to_str().unwrap()]);
        all.extend_from_slice(args);
        let out = offline.run(&all).ok();
        let logged = std::fs::read_to_string(&log).unwrap_or_default();
        (
            serde_json::from_str(out.stdout.trim()).unwrap(),
            logged.contains("nothing moved since the vault's last complete run"),
        )
    };
    // The directory's last change made older than the 2 s a stamp needs to be trusted.
    let age = || {
        let status = std::process::Command::new("touch")
            .args(["-m", "-d", "2020-01-01 00:00:00"])
            .arg(&vault)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let counts = |v: &Value| {
        let n = |k: &str| v[k].as_u64().unwrap();
        (n("new"), n("updated"), n("unchanged"), n("meetings"))
    };

    let (first, stamped) = export(&[]);
    assert_eq!(counts(&first), (2, 0, 0, 2));
    assert!(!stamped);
    // Written just now: not trusted yet, so every meeting is checked (and a stamp kept).
    let (second, stamped) = export(&[]);
    assert_eq!(counts(&second), (0, 0, 2, 2));
    assert!(!stamped);
    age();
    let (checked, stamped) = export(&[]);
    assert!(
        !stamped,
        "the stamp before was taken within 2 s of a change"
    );
    assert_eq!(counts(&checked), (0, 0, 2, 2));
    let (third, stamped) = export(&[]);
    assert!(stamped, "nothing moved: the stamp answers");
    assert_eq!(third, checked);

    // A note deleted: the directory moved; it is written again.
    let manifest = manifest(&vault);
    std::fs::remove_file(vault.join(file_of(&manifest, alpha.as_str()))).unwrap();
    let (again, stamped) = export(&[]);
    assert!(!stamped);
    assert_eq!(counts(&again), (1, 0, 1, 2));
    age();
    export(&[]);
    assert!(export(&[]).1);

    // A meeting changed in the store: its file is rewritten.
    let mut store = offline.store();
    rename(&mut store, alpha.as_str(), "Alpha renamed");
    drop(store);
    let (renamed, stamped) = export(&[]);
    assert!(!stamped);
    assert_eq!(counts(&renamed), (0, 1, 1, 2));
    age();
    export(&[]);
    assert!(export(&[]).1);

    // Another request (a format) checks everything; so does `--force`.
    let (txt, stamped) = export(&["--format", "txt"]);
    assert!(!stamped);
    assert_eq!(counts(&txt), (2, 0, 0, 2));
    let (forced, stamped) = export(&["--format", "txt", "--force"]);
    assert!(!stamped);
    assert_eq!(counts(&forced).3, 2);

    // The manifest edited in place (the directory does not move): checked again.
    age();
    export(&["--format", "txt"]);
    assert!(export(&["--format", "txt"]).1);
    let path = vault.join(".krisp-tui.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\n")).unwrap();
    assert!(!export(&["--format", "txt"]).1);
}

/// Two exports into one directory at once: the second says so and writes nothing. The lock is
/// on the directory itself, so it leaves nothing in it.
#[cfg(unix)]
#[test]
fn a_second_export_into_a_busy_directory_says_so_and_writes_nothing() {
    let offline = Offline::new();
    let mut store = offline.store();
    add(&mut store, 1, "Alpha", "2026-01-10T10:00:00Z");
    drop(store);
    let vault = offline.dir.path().join("v");
    std::fs::create_dir(&vault).unwrap();
    // What a run in progress holds.
    let held = std::fs::File::open(&vault).unwrap();
    held.lock().unwrap();
    let dir = vault.to_str().unwrap();
    let busy = offline.run(&["export", "--all", "--dir", dir]);
    assert_eq!(busy.code, 1, "{}", busy.stderr);
    assert!(
        busy.stderr.contains("Another krisp-tui is exporting to"),
        "{}",
        busy.stderr
    );
    assert_eq!(std::fs::read_dir(&vault).unwrap().count(), 0);
    drop(held);
    offline.run(&["export", "--all", "--dir", dir]).ok();
    let names: Vec<String> = std::fs::read_dir(&vault)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
