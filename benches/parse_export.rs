//! Criterion: parsing a 10,000-turn Krisp document, and exporting it in every format.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use krisp_tui::export::{Format, render};
use krisp_tui::krisp::{Document, Meeting, MeetingDate, MeetingId, format_offset};

const TURNS: usize = 10_000;

/// A document shaped like Krisp's: a link, notes, then 10,000 turns of one to three lines.
fn document_markdown() -> String {
    let mut md = String::from(
        "[Download recording](https://files.krisp.ai/rec/x.mp4)\n\n### Key Points\n- One\n- Two\n\n### Transcript\n\n",
    );
    let speakers = ["Anna Lee", "Bob Ray", "Speaker 3", "Carol Zhang"];
    let lines = [
        "Right, so the plan is to ship the three features in March and keep the rest for later.",
        "I agree. What about hiring?",
        "We paused it for now. Let us revisit in April, once the budget is final.",
    ];
    for i in 0..TURNS {
        let start = std::time::Duration::from_secs(i as u64 * 4);
        let _ = writeln!(md, "**{} | {}**", speakers[i % 4], format_offset(start));
        for line in &lines[..1 + i % 3] {
            md.push_str(line);
            md.push('\n');
        }
        md.push('\n');
    }
    md
}

fn benches(c: &mut Criterion) {
    let id = MeetingId::parse("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e").expect("valid id");
    let md = document_markdown();

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(md.len() as u64));
    group.bench_function("document_10k_turns", |b| {
        b.iter(|| Document::parse(id.clone(), Some(black_box(&md))))
    });
    group.finish();

    let document = Document::parse(id.clone(), Some(&md));
    assert_eq!(document.transcript.turns.len(), TURNS);
    let mut meeting = Meeting::new(id, "Q4 roadmap review");
    meeting.date = Some(MeetingDate::parse("2026-01-15T15:00:00Z"));
    let mut group = c.benchmark_group("export_10k_turns");
    for format in Format::ALL {
        group.bench_function(format.extension(), |b| {
            b.iter(|| {
                render(
                    format,
                    black_box(&meeting),
                    Some(black_box(&document)),
                    &jiff::tz::TimeZone::UTC,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(parse_export, benches);
criterion_main!(parse_export);
