//! The `srt` and `vtt` exports: one or more cues per turn, `Speaker: text`, at most two lines.
//!
//! A cue ends where the next turn starts (the last turn: an estimate from its word count; a
//! turn followed by a long pause: twice that, or seven seconds). A turn whose text would not
//! fit two lines, or that lasts over seven seconds, is split into several cues, at sentence ends
//! where possible, each given time in proportion to its length and shown at most seven seconds.
//! Cue times strictly increase and never overlap, whatever the turns' times are (out of order
//! or equal starts push later cues back).

use crate::krisp::Turn;

const MAX_CUE_MS: u64 = 7_000;
const LINE_CHARS: usize = 42;
/// About 150 words a minute, for the last turn, which has no next turn to end it.
const MS_PER_WORD: u64 = 400;
const MIN_LAST_MS: u64 = 1_000;
/// Keeps the arithmetic far from overflow: 10 million hours.
const MAX_MS: u64 = 36_000_000_000_000;

/// One cue; its text is borrowed from a buffer that the next cue reuses.
struct Cue<'a> {
    start: u64,
    end: u64,
    /// `Speaker: text` on one line, not yet escaped.
    text: &'a str,
    /// Where the text breaks onto its second line: the byte index of a space.
    break_at: Option<usize>,
}

impl<'a> Cue<'a> {
    fn lines(&self) -> impl Iterator<Item = &'a str> {
        let (first, second) = match self.break_at {
            Some(at) => (&self.text[..at], Some(&self.text[at + 1..])),
            None => (self.text, None),
        };
        std::iter::once(first).chain(second)
    }
}

fn capacity(turns: &[Turn]) -> usize {
    turns
        .iter()
        .map(|t| t.text.len() + t.speaker.len() * 3 + 64)
        .sum()
}

pub(super) fn srt(turns: &[Turn]) -> String {
    let mut out = String::with_capacity(capacity(turns));
    let mut number = 0;
    for_each_cue(turns, |cue| {
        number += 1;
        push_number(&mut out, number);
        out.push('\n');
        push_timing(&mut out, cue, ',');
        for line in cue.lines() {
            // SRT has no escapes; an arrow in the text could be read as a timing line.
            if line.as_bytes().contains(&b'>') && line.contains("-->") {
                out.push_str(&line.replace("-->", "->"));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push('\n');
    });
    out
}

pub(super) fn vtt(turns: &[Turn]) -> String {
    let mut out = String::with_capacity(8 + capacity(turns));
    out.push_str("WEBVTT\n");
    let mut number = 0;
    for_each_cue(turns, |cue| {
        number += 1;
        out.push('\n');
        push_number(&mut out, number);
        out.push('\n');
        push_timing(&mut out, cue, '.');
        for line in cue.lines() {
            escape_vtt(&mut out, line);
            out.push('\n');
        }
    });
    out
}

/// `&`, `<` and `>` as character references: cue text may not contain `-->`, and `<`/`&` start
/// tags and references.
fn escape_vtt(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>']) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// `start --> end` with `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT) times. Written by hand:
/// `format!` made up most of the export's time.
fn push_timing(out: &mut String, cue: &Cue<'_>, separator: char) {
    push_timestamp(out, cue.start, separator);
    out.push_str(" --> ");
    push_timestamp(out, cue.end, separator);
    out.push('\n');
}

fn push_timestamp(out: &mut String, ms: u64, separator: char) {
    let hours = ms / 3_600_000;
    if hours < 10 {
        out.push('0');
    }
    push_number(out, hours);
    out.push(':');
    push_digits(out, ms / 60_000 % 60, 2);
    out.push(':');
    push_digits(out, ms / 1000 % 60, 2);
    out.push(separator);
    push_digits(out, ms % 1000, 3);
}

fn push_number(out: &mut String, n: u64) {
    let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
    push_digits(out, n, digits);
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut n = n;
    for slot in buf[..width.min(20)].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend(buf[..width.min(20)].iter().map(|&b| char::from(b)));
}

/// A word and its width in characters, counted once.
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    chars: usize,
}

fn width(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Calls `emit` with every cue, in order.
fn for_each_cue(turns: &[Turn], mut emit: impl FnMut(&Cue<'_>)) {
    let mut words = Vec::new();
    let mut chunks = Vec::new();
    let mut prefix = String::new();
    let mut text = String::new();
    // The earliest time the next cue may start.
    let mut floor = 0u64;
    for (i, turn) in turns.iter().enumerate() {
        words.clear();
        // The ASCII splitter is several times faster, and Krisp's text is mostly ASCII.
        if turn.text.is_ascii() {
            let ascii = turn.text.split_ascii_whitespace();
            words.extend(ascii.map(|text| Word {
                text,
                chars: text.len(),
            }));
        } else {
            let unicode = turn.text.split_whitespace();
            words.extend(unicode.map(|text| Word {
                text,
                chars: width(text),
            }));
        }
        if words.is_empty() {
            continue;
        }
        let start = turn.start_ms().min(MAX_MS).max(floor);
        let speech = (words.len() as u64 * MS_PER_WORD).max(MIN_LAST_MS);
        // Up to the next turn, unless that is far longer than the words take to say even
        // slowly (a pause, a break): then the cues stop and the screen stays clear.
        let end = match turns.get(i + 1).map(|t| t.start_ms().min(MAX_MS)) {
            Some(next) if next > start => next.min(start + (2 * speech).max(MAX_CUE_MS)),
            _ => start + speech,
        };
        prefix.clear();
        for word in turn.speaker.split_whitespace() {
            if !prefix.is_empty() {
                prefix.push(' ');
            }
            prefix.push_str(word);
        }
        if !prefix.is_empty() {
            prefix.push_str(": ");
        }
        let prefix_chars = width(&prefix);
        let min_chunks = (end - start).div_ceil(MAX_CUE_MS) as usize;
        split(&words, prefix_chars, min_chunks, &mut chunks);

        // Each chunk gets time in proportion to its length, at least 1 ms, at most MAX_CUE_MS.
        let total: u64 = chunks.iter().map(|c| c.chars as u64 + 1).sum();
        let span = end - start;
        let (mut at, mut done, mut first_word) = (start, 0u64, 0);
        for chunk in &chunks {
            done += chunk.chars as u64 + 1;
            // In u128: span × length overflows u64 for texts of a few hundred megabytes.
            let offset = (u128::from(span) * u128::from(done) / u128::from(total)) as u64;
            let next = (start + offset).max(at + 1);
            text.clear();
            text.push_str(&prefix);
            for (n, word) in words[first_word..chunk.end].iter().enumerate() {
                if n > 0 {
                    text.push(' ');
                }
                text.push_str(word.text);
            }
            first_word = chunk.end;
            emit(&Cue {
                start: at,
                end: next.min(at + MAX_CUE_MS),
                text: &text,
                break_at: line_break(&text, prefix_chars + chunk.chars),
            });
            at = next;
        }
        floor = at;
    }
}

/// A run of words: it ends before word `end`; `chars` wide without the speaker prefix.
struct Chunk {
    end: usize,
    chars: usize,
}

/// Cuts the words into chunks that fit two lines beside the speaker prefix, and that are short
/// enough to make at least `min_chunks` of them; whole sentences stay together where they fit,
/// long ones are cut between words.
fn split(words: &[Word], prefix_chars: usize, min_chunks: usize, chunks: &mut Vec<Chunk>) {
    chunks.clear();
    let total_chars: usize = words.iter().map(|w| w.chars + 1).sum();
    let fits_two_lines = (2 * LINE_CHARS)
        .saturating_sub(prefix_chars)
        .max(LINE_CHARS / 2);
    let budget = fits_two_lines
        .min(total_chars.div_ceil(min_chunks.max(1)))
        .max(1);

    let mut current = 0usize;
    let mut end = 0usize;
    let mut add = |piece: &[Word]| {
        let piece_chars = piece.iter().map(|w| w.chars + 1).sum::<usize>() - 1;
        if current > 0 && current + 1 + piece_chars > budget {
            chunks.push(Chunk {
                end,
                chars: current,
            });
            current = 0;
        }
        current += if current > 0 { 1 } else { 0 } + piece_chars;
        end += piece.len();
    };
    for sentence in sentences(words) {
        let sentence_chars = sentence.iter().map(|w| w.chars + 1).sum::<usize>() - 1;
        if sentence_chars <= budget {
            add(sentence);
        } else {
            sentence.chunks(1).for_each(&mut add);
        }
    }
    if end > chunks.last().map_or(0, |c| c.end) {
        chunks.push(Chunk {
            end,
            chars: current,
        });
    }
}

/// Runs of words each ending with sentence punctuation (or the last word).
fn sentences<'a, 'w>(words: &'a [Word<'w>]) -> impl Iterator<Item = &'a [Word<'w>]> {
    words.split_inclusive(|w| {
        w.text
            .trim_end_matches(['"', '\'', ')', '”', '’'])
            .ends_with(['.', '!', '?', '…'])
    })
}

/// None when the text (`chars` wide) fits one line; else the space nearest its middle, to
/// split it in two.
fn line_break(text: &str, chars: usize) -> Option<usize> {
    if chars <= LINE_CHARS {
        return None;
    }
    let middle = chars / 2;
    if text.is_ascii() {
        let bytes = text.as_bytes();
        let before = bytes[..middle].iter().rposition(|&b| b == b' ');
        let after = bytes[middle..]
            .iter()
            .position(|&b| b == b' ')
            .map(|i| middle + i);
        return match (before, after) {
            (Some(b), Some(a)) => Some(if middle - b <= a - middle { b } else { a }),
            (b, a) => b.or(a),
        };
    }
    text.char_indices()
        .enumerate()
        .filter(|(_, (_, c))| *c == ' ')
        .min_by_key(|(n, _)| n.abs_diff(middle))
        .map(|(_, (byte, _))| byte)
}
