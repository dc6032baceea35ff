//! End to end: `krisp-tui --demo export` of the demo's longest meeting (a 2 h 15 min workshop
//! with hour-style timestamps and names beyond ASCII), in every format, against committed
//! snapshots. The sandbox's port changes from run to run, so it is masked.

/// Replace `127.0.0.1:<port>` with `127.0.0.1:PORT`.
fn mask_port(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(i + "127.0.0.1:".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        out.push_str("PORT");
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_longest_demo_meeting_exports_as_snapshotted() {
    for format in ["md", "txt", "json", "srt", "vtt"] {
        let out = std::process::Command::new(crate::common::BIN)
            .args([
                "--demo",
                "export",
                "e68756fb50095909a13c4470cea31ba3",
                "--format",
                format,
                "-o",
                "-",
            ])
            .env_remove("KRISP_TUI_SERVER")
            .output()
            .expect("run krisp-tui");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = mask_port(&String::from_utf8(out.stdout).expect("UTF-8 export"));
        insta::assert_snapshot!(format!("workshop_{format}"), text);
    }
}

#[test]
fn masking_only_touches_the_port() {
    assert_eq!(
        mask_port("<http://127.0.0.1:45593/t/x> and 127.0.0.1:8/y"),
        "<http://127.0.0.1:PORT/t/x> and 127.0.0.1:PORT/y"
    );
}
