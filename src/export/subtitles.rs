//! The `srt` and `vtt` exports: one or more cues per turn, `Speaker: text`, at most two lines.
//!
//! A cue ends where the next turn starts (the last turn: an estimate from its word count). A
//! turn whose text would not fit two lines, or that lasts over seven seconds, is split into
//! several cues, at sentence ends where possible, each given time in proportion to its length
//! and shown at most seven seconds. Cue times strictly increase and never overlap, whatever the
//! turns' times are (out of order or equal starts push later cues back).

use std::fmt::Write as _;

use crate::krisp::Turn;

const MAX_CUE_MS: u64 = 7_000;
const LINE_CHARS: usize = 42;
/// About 150 words a minute, for the last turn, which has no next turn to end it.
const MS_PER_WORD: u64 = 400;
const MIN_LAST_MS: u64 = 1_000;
/// Keeps the arithmetic far from overflow: 10 million hours.
const MAX_MS: u64 = 36_000_000_000_000;

struct Cue {
    start: u64,
    end: u64,
    /// One or two lines joined by `\n`, not yet escaped.
    text: String,
}

pub(super) fn srt(turns: &[Turn]) -> String {
    let mut out = String::with_capacity(turns.len() * 96);
    for (i, cue) in cues(turns).iter().enumerate() {
        let _ = write!(
            out,
            "{}\n{} --> {}\n",
            i + 1,
            timestamp(cue.start, ','),
            timestamp(cue.end, ',')
        );
        // SRT has no escapes; an arrow in the text could be read as a timing line.
        out.push_str(&cue.text.replace("-->", "->"));
        out.push_str("\n\n");
    }
    out
}

pub(super) fn vtt(turns: &[Turn]) -> String {
    let mut out = String::with_capacity(8 + turns.len() * 96);
    out.push_str("WEBVTT\n");
    for (i, cue) in cues(turns).iter().enumerate() {
        let _ = write!(
            out,
            "\n{}\n{} --> {}\n",
            i + 1,
            timestamp(cue.start, '.'),
            timestamp(cue.end, '.')
        );
        escape_vtt(&mut out, &cue.text);
        out.push('\n');
    }
    out
}

/// `&`, `<` and `>` as character references: cue text may not contain `-->`, and `<`/`&` start
/// tags and references.
fn escape_vtt(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT).
fn timestamp(ms: u64, separator: char) -> String {
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{separator}{ms:03}")
}

fn cues(turns: &[Turn]) -> Vec<Cue> {
    let mut cues = Vec::with_capacity(turns.len());
    // The earliest time the next cue may start.
    let mut floor = 0u64;
    for (i, turn) in turns.iter().enumerate() {
        let words: Vec<&str> = turn.text.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let start = turn.start_ms().min(MAX_MS).max(floor);
        let end = match turns.get(i + 1).map(|t| t.start_ms().min(MAX_MS)) {
            Some(next) if next > start => next,
            _ => start + (words.len() as u64 * MS_PER_WORD).max(MIN_LAST_MS),
        };
        let speaker = turn
            .speaker
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let prefix = if speaker.is_empty() {
            String::new()
        } else {
            format!("{speaker}: ")
        };
        let min_chunks = (end - start).div_ceil(MAX_CUE_MS) as usize;
        let chunks = split(&words, prefix.chars().count(), min_chunks);
        floor = place(&mut cues, &prefix, chunks, start, end);
    }
    cues
}

/// Lays the chunks out over `[start, end)` in proportion to their length, each at least 1 ms
/// and at most `MAX_CUE_MS`; returns the time after the last one.
fn place(cues: &mut Vec<Cue>, prefix: &str, chunks: Vec<String>, start: u64, end: u64) -> u64 {
    let total: u64 = chunks.iter().map(|c| c.len() as u64 + 1).sum();
    let span = end - start;
    let mut at = start;
    let mut done = 0u64;
    for chunk in chunks {
        done += chunk.len() as u64 + 1;
        let next = (start + span * done / total).max(at + 1);
        cues.push(Cue {
            start: at,
            end: next.min(at + MAX_CUE_MS),
            text: two_lines(&format!("{prefix}{chunk}")),
        });
        at = next;
    }
    at
}

/// Packs the words into chunks that fit two lines beside the speaker prefix, and that are
/// short enough to make at least `min_chunks` of them; whole sentences stay together where
/// they fit, long ones are cut between words.
fn split(words: &[&str], prefix_chars: usize, min_chunks: usize) -> Vec<String> {
    let total_chars: usize = words.iter().map(|w| w.chars().count() + 1).sum();
    let fits_two_lines = (2 * LINE_CHARS)
        .saturating_sub(prefix_chars)
        .max(LINE_CHARS / 2);
    let budget = fits_two_lines
        .min(total_chars.div_ceil(min_chunks.max(1)))
        .max(1);

    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut current_chars = 0usize;
    for sentence in sentences(words) {
        let sentence_chars: usize =
            sentence.iter().map(|w| w.chars().count()).sum::<usize>() + sentence.len() - 1;
        let pieces: Vec<&[&str]> = if sentence_chars <= budget {
            vec![sentence]
        } else {
            sentence.chunks(1).collect()
        };
        for piece in pieces {
            let piece_chars: usize =
                piece.iter().map(|w| w.chars().count()).sum::<usize>() + piece.len() - 1;
            if current_chars > 0 && current_chars + 1 + piece_chars > budget {
                chunks.push(std::mem::take(&mut current));
                current_chars = 0;
            }
            for word in piece {
                if current_chars > 0 {
                    current.push(' ');
                    current_chars += 1;
                }
                current.push_str(word);
                current_chars += word.chars().count();
            }
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Runs of words each ending with sentence punctuation (or the last word).
fn sentences<'a, 'w>(words: &'a [&'w str]) -> impl Iterator<Item = &'a [&'w str]> {
    words.split_inclusive(|w| {
        w.trim_end_matches(['"', '\'', ')', '”', '’'])
            .ends_with(['.', '!', '?', '…'])
    })
}

/// The text on one line, or on two split at the space nearest the middle.
fn two_lines(text: &str) -> String {
    let chars = text.chars().count();
    if chars <= LINE_CHARS {
        return text.to_owned();
    }
    let middle = chars / 2;
    let best = text
        .char_indices()
        .enumerate()
        .filter(|(_, (_, c))| *c == ' ')
        .min_by_key(|(n, _)| n.abs_diff(middle))
        .map(|(_, (byte, _))| byte);
    match best {
        Some(byte) => format!("{}\n{}", &text[..byte], &text[byte + 1..]),
        None => text.to_owned(),
    }
}
