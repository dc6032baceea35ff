//! The local store at 10,000 meetings with ~1.5 million transcript turns: FTS queries (rare,
//! medium and common words, a phrase, a prefix) and list pages at any offset.
//!
//! The data is generated here (Zipf-like words over a 4,000-word vocabulary plus rare tokens)
//! and built once into `$CARGO_TARGET_DIR/store-bench-<version>.sqlite3` (or `STORE_BENCH_DB`);
//! later runs reuse the file.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use krisp_tui::krisp::{
    Document, DocumentState, Meeting, MeetingDate, MeetingId, Person, Transcript, Turn,
};
use krisp_tui::store::{Filter, Query, SCHEMA_VERSION, Store};

const MEETINGS: usize = 10_000;
const VOCABULARY: usize = 4_000;

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pronounceable made-up words, distinct: `word(i)` for rank i.
fn word(i: usize) -> String {
    const ON: [&str; 16] = [
        "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "tr",
    ];
    const NU: [&str; 5] = ["a", "e", "i", "o", "u"];
    let mut n = i + 1;
    let mut w = String::new();
    while n > 0 {
        w.push_str(ON[n % 16]);
        n /= 16;
        w.push_str(NU[n % 5]);
        n /= 5;
    }
    w.push('x');
    w
}

struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new() -> Words {
        let words: Vec<String> = (0..VOCABULARY).map(word).collect();
        let mut total = 0.0;
        let cumulative = (0..VOCABULARY)
            .map(|r| {
                total += 1.0 / (r as f64 + 1.0);
                total
            })
            .collect();
        Words { words, cumulative }
    }
    fn pick(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() as f64 / u64::MAX as f64) * total;
        let i = self
            .cumulative
            .partition_point(|&c| c < x)
            .min(VOCABULARY - 1);
        &self.words[i]
    }
}

fn generate(store: &mut Store) {
    let words = Words::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = jiff::Timestamp::from_second(1_700_000_000).unwrap();
    let now = jiff::Timestamp::now();
    let people = [
        "Maya Lee",
        "Bob Stone",
        "Zoë Park",
        "Carl Vendor",
        "Ann Wu",
        "Raj Patel",
    ];
    for batch in 0..MEETINGS / 100 {
        let mut meetings = Vec::new();
        let mut documents = Vec::new();
        for j in 0..100 {
            let n = batch * 100 + j;
            let id = MeetingId(format!("{:032x}", n as u128 * 0x9E37_79B9 + 1));
            let mut m = Meeting::new(
                id.clone(),
                format!("{} {} sync", words.pick(&mut rng), words.pick(&mut rng)),
            );
            if n % 50 != 0 {
                let t = start + jiff::SignedDuration::from_mins(rng.below(60 * 24 * 700) as i64);
                m.date = Some(MeetingDate::Parsed(t.to_zoned(jiff::tz::TimeZone::UTC)));
            }
            let speakers: Vec<String> = (0..3)
                .map(|_| people[rng.below(people.len())].to_owned())
                .collect();
            m.attendees = speakers
                .iter()
                .map(|s| Person {
                    name: s.clone(),
                    email: None,
                })
                .collect();
            m.speakers = speakers.clone();
            m.summary = Some(
                (0..40)
                    .map(|_| words.pick(&mut rng))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            m.tags = vec![format!("t{}", rng.below(20))];
            let mut turns = Vec::new();
            let mut at = 0u64;
            for _ in 0..100 + rng.below(100) {
                let len = 5 + rng.below(35);
                let mut text: Vec<&str> = (0..len).map(|_| words.pick(&mut rng)).collect();
                if rng.below(50_000) == 0 {
                    text.push("kumquat");
                }
                turns.push(Turn {
                    speaker: speakers[rng.below(3)].clone(),
                    start: Duration::from_secs(at),
                    text: text.join(" "),
                });
                at += 5 + rng.below(40) as u64;
            }
            documents.push(Document {
                id,
                state: DocumentState::Ready,
                recording_url: None,
                sections: Vec::new(),
                transcript: Transcript { turns },
                unparsed: String::new(),
            });
            meetings.push(m);
        }
        store.upsert_meetings(&meetings, now).unwrap();
        store.upsert_documents(&documents, now).unwrap();
    }
}

fn open() -> Store {
    let path = std::env::var_os("STORE_BENCH_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| "target".into());
            target.join(format!("store-bench-v{SCHEMA_VERSION}.sqlite3"))
        });
    let mut store = Store::open(&path).unwrap();
    if store.meta("bench_complete").unwrap().is_none() {
        let t = Instant::now();
        generate(&mut store);
        store.optimize().unwrap();
        store.set_meta("bench_complete", "yes").unwrap();
        eprintln!("generated {} in {:?}", path.display(), t.elapsed());
    }
    eprintln!("{:?}", store.stats().unwrap());
    store
}

fn bench(c: &mut Criterion) {
    let store = open();
    let mut g = c.benchmark_group("store");
    g.sample_size(100)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let queries = [
        ("rare word", "kumquat".to_owned()),
        ("common word", format!("{} ", word(0))),
        ("medium word", format!("{} ", word(30))),
        ("phrase", format!("\"{} {}\"", word(1), word(2))),
        ("prefix", word(200)[..4].to_owned()),
        (
            "two words + filter",
            format!("{} {} after:2024-06-01 with:maya", word(5), word(40)),
        ),
        // Words that rarely share a turn: after the rows, the meetings holding both apart.
        ("rare + common word", format!("kumquat {}", word(0))),
        ("rare + medium word", format!("kumquat {}", word(30))),
        // Never in one row: every name says "sync", no turn does.
        (
            "rare word + a word of every name",
            "kumquat sync".to_owned(),
        ),
    ];
    for (name, text) in &queries {
        let q = Query::parse(text).unwrap();
        let found = store.search(&q, 0, 50).unwrap();
        eprintln!(
            "{name} ({text:?}): {} meetings, top score {:?}",
            found.total,
            found.hits.first().map(|h| h.score)
        );
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                black_box(store.search(&q, 0, 50).unwrap());
                t.elapsed()
            })
            .collect();
        times.sort();
        eprintln!(
            "  p50 {:?}  p99 {:?}  max {:?}",
            times[100], times[198], times[199]
        );
        g.bench_function(format!("search {name}"), |b| {
            b.iter(|| black_box(store.search(&q, 0, 50).unwrap()))
        });
    }
    for offset in [0, 5_000, 9_950] {
        g.bench_function(format!("page offset {offset}"), |b| {
            b.iter(|| black_box(store.page(&Filter::default(), offset, 50).unwrap()))
        });
    }
    let tagged = Filter {
        tags: vec!["t3".to_owned()],
        ..Filter::default()
    };
    g.bench_function("page tag filter offset 400", |b| {
        b.iter(|| black_box(store.page(&tagged, 400, 50).unwrap()))
    });
    g.bench_function("count", |b| {
        b.iter(|| black_box(store.count(&Filter::default()).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
