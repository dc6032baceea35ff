//! A key press (PageDown) and the frame after it on a ~1 MB tool result, in each result view:
//! Markdown/text, raw JSON, the JSON tree and the Krisp summary (TestBackend).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use krisp_tui::app::keymap::Keymap;
use krisp_tui::app::tools::ToolsPanel;
use krisp_tui::ui::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use rmcp::model::{CallToolResult, ContentBlock, Tool};
use serde_json::{Value, json};

/// About this many bytes of text in each result.
const SIZE: usize = 1 << 20;

const WORDS: &[&str] = &[
    "the",
    "timeline",
    "agreed",
    "scope",
    "three",
    "features",
    "ship",
    "March",
    "budget",
    "stays",
    "flat",
    "beta",
    "customers",
    "early",
    "access",
    "optimizer",
    "renewal",
    "pipeline",
];

/// A paragraph of `n` words, deterministic.
fn paragraph(seed: usize, n: usize) -> String {
    (0..n)
        .map(|i| WORDS[(seed * 7 + i * 13) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Meeting-document Markdown of about `bytes` bytes: headings, lists and speaker turns.
fn markdown(bytes: usize) -> String {
    let mut out = String::from("### Key Points\n- Scope cut to three features\n\n### Transcript\n");
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "**Speaker {} | {:02}:{:02}**\n{}\n\n",
            i % 4 + 1,
            i / 60 % 60,
            i % 60,
            paragraph(i, 20 + i % 60)
        ));
        i += 1;
    }
    out
}

fn tool() -> Tool {
    serde_json::from_value(json!({
        "name": "big", "description": "A big result.",
        "inputSchema": {"type": "object", "properties": {}}
    }))
    .expect("a tool")
}

/// A panel showing `result`, its result pane focused and drawn once, in the view `keys` select.
fn panel(result: CallToolResult, keys: &[char]) -> ToolsPanel {
    let keymap = Keymap::default();
    let mut panel = ToolsPanel::new(vec![tool()]);
    panel.set_running("big");
    panel.set_result("big", Ok(result));
    panel.handle_key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE), &keymap);
    for &c in keys {
        panel.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), &keymap);
    }
    let mut buf = Buffer::empty(Rect::new(0, 0, 100, 30));
    panel.render(buf.area, &mut buf, &Theme::default());
    panel
}

/// PageDown and a frame, timed; at the bottom the view goes back to the top untimed.
fn page_down(c: &mut Criterion, name: &str, mut panel: ToolsPanel) {
    let mut group = c.benchmark_group("tool result");
    // Flat sampling: the slow views (before the wrap cache) took seconds a key.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let theme = Theme::default();
    let mut buf = Buffer::empty(Rect::new(0, 0, 100, 30));
    let down = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
    let home = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE);
    let keymap = Keymap::default();
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let before = buf.clone();
                let start = Instant::now();
                panel.handle_key(black_box(down), &keymap);
                panel.render(buf.area, &mut buf, &theme);
                spent += start.elapsed();
                if buf == before {
                    panel.handle_key(home, &keymap);
                    panel.render(buf.area, &mut buf, &theme);
                }
            }
            spent
        })
    });
    group.finish();
}

/// A frame at a new width (the terminal resized): the one time the text is wrapped again.
fn resize(c: &mut Criterion, name: &str, panel: ToolsPanel) {
    let mut group = c.benchmark_group("tool result");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let theme = Theme::default();
    let mut wide = false;
    group.bench_function(name, |b| {
        b.iter(|| {
            wide = !wide;
            let mut buf = Buffer::empty(Rect::new(0, 0, if wide { 100 } else { 99 }, 30));
            panel.render(buf.area, &mut buf, &theme);
            buf
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    // Text only: the Markdown view, and its raw JSON.
    let text = CallToolResult::success(vec![ContentBlock::text(markdown(SIZE))]);
    page_down(
        c,
        "PageDown + frame: Markdown view, 1 MB",
        panel(text.clone(), &[]),
    );
    // The same size in ten paragraphs of 100 KB (a transcript pasted as one block).
    let long: Vec<String> = (0..10).map(|i| paragraph(i, SIZE / 10 / 7)).collect();
    let long = CallToolResult::success(vec![ContentBlock::text(long.join("\n\n"))]);
    page_down(
        c,
        "PageDown + frame: Markdown view, 1 MB in 100 KB paragraphs",
        panel(long, &[]),
    );
    page_down(
        c,
        "PageDown + frame: raw JSON view, 1 MB",
        panel(text.clone(), &['r']),
    );
    resize(
        c,
        "frame at a new width: Markdown view, 1 MB",
        panel(text.clone(), &[]),
    );
    resize(
        c,
        "frame at a new width: raw JSON view, 1 MB",
        panel(text, &['r']),
    );

    // Ten documents of ~100 KB: the Krisp summary, and `t` for its tree.
    let docs: Vec<Value> = (0..10)
        .map(|i| json!({"id": format!("{i:032x}"), "document": markdown(SIZE / 10)}))
        .collect();
    let docs = CallToolResult::structured(json!({ "results": docs }));
    page_down(
        c,
        "PageDown + frame: summary view, 1 MB",
        panel(docs.clone(), &[]),
    );
    page_down(
        c,
        "PageDown + frame: tree view (10 x 100 KB strings), 1 MB",
        panel(docs, &['t', '+']),
    );

    // Many small rows: a tree 4,000 objects long.
    let rows: Vec<Value> = (0..4_000)
        .map(|i| json!({"id": i, "title": paragraph(i, 30), "done": i % 3 == 0}))
        .collect();
    let rows = CallToolResult::structured(json!({ "rows": rows }));
    page_down(
        c,
        "PageDown + frame: tree view (16,000 rows), 1 MB",
        panel(rows, &['+']),
    );
}

criterion_group!(tool_results, benches);
criterion_main!(tool_results);
