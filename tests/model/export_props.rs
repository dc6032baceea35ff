//! Property tests: exports round-trip, and subtitle cues are always valid and well ordered.
//!
//! 256 cases each by default; `PROPTEST_CASES=5000 cargo test --test export_props` for more.

use std::time::Duration;

use krisp_tui::export::{Format, parse_json_export, render};
use krisp_tui::krisp::{Document, Meeting, MeetingId, Transcript, Turn};
use proptest::prelude::*;

fn id() -> MeetingId {
    MeetingId::parse("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e").expect("valid id")
}

fn speaker() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z]{0,8}( [A-Z][a-zé]{0,8})?",
        (1u32..20).prop_map(|n| format!("Speaker {n}")),
        "[A-Za-zÀ-ÿ東京<>&.'-]{1,15}".prop_filter("names start with a letter", |s| {
            s.starts_with(|c: char| c.is_alphabetic())
        }),
    ]
}

/// Utterances as Krisp writes them: lines of words, with the punctuation and markup characters
/// that subtitles must escape, but no line that is itself a turn header or a heading.
fn utterance() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z0-9éü東,.!?'&<>()\"-]{1,12}";
    let line = prop::collection::vec(word, 1..14).prop_map(|w| w.join(" "));
    prop_oneof![
        1 => Just(String::new()),
        8 => prop::collection::vec(line, 1..4).prop_map(|l| l.join("\n")),
        1 => Just("so --> then <b>bold</b> & done.".to_owned()),
    ]
}

fn turn() -> impl Strategy<Value = Turn> {
    (speaker(), 0u64..360_000_000, utterance()).prop_map(|(speaker, ms, text)| Turn {
        speaker,
        start: Duration::from_millis(ms),
        text,
    })
}

fn turns() -> impl Strategy<Value = Vec<Turn>> {
    prop_oneof![
        // Any order, any times: what garbage data could give.
        prop::collection::vec(turn(), 0..30),
        // Krisp's shape: whole seconds, increasing.
        prop::collection::vec((turn(), 0u64..120), 0..30).prop_map(|v| {
            let mut at = 0;
            v.into_iter()
                .map(|(mut t, gap)| {
                    at += gap;
                    t.start = Duration::from_secs(at);
                    t
                })
                .collect()
        }),
    ]
}

fn document(turns: Vec<Turn>) -> Document {
    let mut doc = Document::parse(id(), Some("x"));
    doc.unparsed.clear();
    doc.transcript = Transcript { turns };
    doc
}

/// One cue as read back: start and end in ms and its text lines.
struct Cue {
    start: u64,
    end: u64,
    lines: usize,
}

fn check_cues(cues: &[Cue], turns: &[Turn]) -> Result<(), TestCaseError> {
    let spoken = turns.iter().filter(|t| !t.text.trim().is_empty()).count();
    prop_assert!(
        cues.len() >= spoken,
        "{} cues for {spoken} turns",
        cues.len()
    );
    let mut previous_end = 0;
    let mut previous_start = None;
    for cue in cues {
        prop_assert!(cue.end > cue.start, "empty cue {}..{}", cue.start, cue.end);
        prop_assert!(
            cue.start >= previous_end,
            "overlap: {} < {previous_end}",
            cue.start
        );
        prop_assert!(
            previous_start.is_none_or(|p| cue.start > p),
            "not increasing"
        );
        prop_assert!((1..=2).contains(&cue.lines), "{} lines", cue.lines);
        previous_end = cue.end;
        previous_start = Some(cue.start);
    }
    Ok(())
}

/// W3C WebVTT timestamp: `hh:mm:ss.ttt` with two or more hour digits (hours are optional in the
/// spec; we always write them), minutes and seconds below 60.
fn vtt_timestamp(s: &str) -> Option<u64> {
    let (clock, millis) = s.split_once('.')?;
    let parts: Vec<&str> = clock.split(':').collect();
    let [h, m, sec] = parts[..] else { return None };
    let digits = |s: &str, len: Option<usize>| {
        (s.bytes().all(|b| b.is_ascii_digit()) && len.is_none_or(|n| s.len() == n) && s.len() >= 2)
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let (h, m, sec) = (digits(h, None)?, digits(m, Some(2))?, digits(sec, Some(2))?);
    let ms = (millis.len() == 3)
        .then(|| digits(millis, Some(3)))
        .flatten()?;
    (m < 60 && sec < 60).then_some(((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// A strict reading of a WebVTT file as we write it: header, then blocks of an identifier, a
/// timing line (`start --> end`, nothing else) and one or two escaped text lines.
fn strict_vtt(out: &str) -> Result<Vec<Cue>, String> {
    let body = out.strip_prefix("WEBVTT\n").ok_or("no WEBVTT header")?;
    let mut cues = Vec::new();
    for block in body
        .split("\n\n")
        .map(|b| b.trim_start_matches('\n'))
        .filter(|b| !b.is_empty())
    {
        let lines: Vec<&str> = block.lines().collect();
        let [ident, timing, text @ ..] = &lines[..] else {
            return Err(format!("short block {block:?}"));
        };
        if ident.contains("-->") || ident.is_empty() {
            return Err(format!("bad identifier {ident:?}"));
        }
        let (start, end) = timing
            .split_once(" --> ")
            .ok_or(format!("bad timing {timing:?}"))?;
        let start = vtt_timestamp(start).ok_or(format!("bad start {start:?}"))?;
        let end = vtt_timestamp(end).ok_or(format!("bad end {end:?}"))?;
        for line in text {
            if line.is_empty() || line.contains("-->") || line.contains('<') {
                return Err(format!("bad cue text {line:?}"));
            }
            for (i, _) in line.match_indices('&') {
                let rest = &line[i..];
                if !["&amp;", "&lt;", "&gt;"]
                    .iter()
                    .any(|e| rest.starts_with(e))
                {
                    return Err(format!("unescaped & in {line:?}"));
                }
            }
        }
        cues.push(Cue {
            start,
            end,
            lines: text.len(),
        });
    }
    Ok(cues)
}

proptest! {
    #[test]
    fn json_export_round_trips(turns in turns()) {
        let meeting = Meeting::new(id(), "Round trip");
        let out = render(Format::Json, &meeting, Some(&document(turns.clone())), &jiff::tz::TimeZone::UTC);
        let (back, parsed) = parse_json_export(&out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, meeting);
        prop_assert_eq!(parsed, turns);
    }

    #[test]
    fn txt_export_parses_back_as_a_document(turns in turns()) {
        let meeting = Meeting::new(id(), "Round trip");
        let out = render(Format::Txt, &meeting, Some(&document(turns.clone())), &jiff::tz::TimeZone::UTC);
        let parsed = Document::parse(id(), Some(&out));
        prop_assert_eq!(parsed.transcript.turns, turns);
        prop_assert_eq!(parsed.sections, vec![]);
        prop_assert_eq!(parsed.unparsed, "");
    }

    #[test]
    fn srt_cues_are_valid_and_ordered(turns in turns()) {
        let out = render(Format::Srt, &Meeting::new(id(), "x"), Some(&document(turns.clone())), &jiff::tz::TimeZone::UTC);
        let items = srtparse::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        let ms = |t: &srtparse::Time| ((t.hours * 60 + t.minutes) * 60 + t.seconds) * 1000 + t.milliseconds;
        let cues: Vec<Cue> = items
            .iter()
            .map(|i| Cue { start: ms(&i.start_time), end: ms(&i.end_time), lines: i.text.lines().count() })
            .collect();
        for (n, item) in items.iter().enumerate() {
            prop_assert_eq!(item.pos, n + 1);
        }
        check_cues(&cues, &turns)?;
    }

    #[test]
    fn vtt_cues_are_valid_and_ordered(turns in turns()) {
        let out = render(Format::Vtt, &Meeting::new(id(), "x"), Some(&document(turns.clone())), &jiff::tz::TimeZone::UTC);
        let parsed = webvtt_parser::Vtt::parse(&out).map_err(|e| TestCaseError::fail(format!("{e:?}: {out}")))?;
        let cues = strict_vtt(&out).map_err(TestCaseError::fail)?;
        prop_assert_eq!(parsed.cues.len(), cues.len());
        for (theirs, ours) in parsed.cues.iter().zip(&cues) {
            prop_assert_eq!(theirs.start.as_milliseconds(), ours.start);
            prop_assert_eq!(theirs.end.as_milliseconds(), ours.end);
        }
        check_cues(&cues, &turns)?;
    }

    #[test]
    fn long_turns_split_into_short_cues(words in 40usize..400, gap_s in 0u64..600) {
        let text = (0..words).map(|i| if i % 9 == 8 { "end." } else { "word" }).collect::<Vec<_>>().join(" ");
        let turns = vec![
            Turn { speaker: "Anna".to_owned(), start: Duration::ZERO, text },
            Turn { speaker: "Bob".to_owned(), start: Duration::from_secs(gap_s + 1), text: "Yes.".to_owned() },
        ];
        let out = render(Format::Vtt, &Meeting::new(id(), "x"), Some(&document(turns.clone())), &jiff::tz::TimeZone::UTC);
        let cues = strict_vtt(&out).map_err(TestCaseError::fail)?;
        check_cues(&cues, &turns)?;
        for cue in &cues {
            prop_assert!(cue.end - cue.start <= 7_000, "cue of {} ms", cue.end - cue.start);
        }
    }
}
