//! How fast `krisp_store::tokenize` scans text, in MB/s: a ~17 KiB generated transcript (the
//! length of the sandbox's, and of the bench store's, which a search page scans for each meeting
//! it shows) and the same length of accented, Cyrillic, Greek, CJK and emoji text.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use krisp_store::tokenize::Tokenizer;

const BYTES: usize = 17 * 1024;

/// Text in several scripts, repeated to about `BYTES` bytes.
fn multilingual() -> String {
    const LINES: [&str; 5] = [
        "Café crème, naïve Ångström: Straße, Œuvre, İstanbul, Dvořák, Łódź, jalapeño. ",
        "Привет, мир! Мы обсудили бюджет на третий квартал и сроки релиза. ",
        "Καλημέρα κόσμε· η συνάντηση τελείωσε νωρίς. ",
        "我们下周再讨论这个问题。会議は来週です。회의는 다음 주입니다. ",
        "Ship it 🚀 👍🏽 👨‍👩‍👧‍👦 — done ✔ e\u{301}te\u{301} ",
    ];
    let mut out = String::with_capacity(BYTES + 128);
    while out.len() < BYTES {
        for line in LINES {
            out.push_str(line);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let tokenizer = Tokenizer::new();
    let mut group = c.benchmark_group("tokenize");
    for (name, text) in [
        ("transcript", common::transcript(1, BYTES)),
        ("multilingual", multilingual()),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut count = 0usize;
                let mut bytes = 0usize;
                tokenizer.for_each_token(black_box(&text), |token| {
                    count += 1;
                    bytes += token.term.len() + token.range.end;
                });
                black_box((count, bytes))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
