//! The one sanitizer every server string passes through where it leaves the program, with one
//! policy per kind of edge: on screen ([`clean`]) controls become visible placeholders; in plain
//! text (stdout, stderr, text and subtitle exports: [`text`]) escape sequences and controls are
//! dropped and bidi overrides neutralised; in JSON ([`json`]) C1 controls, bidi and zero-width
//! characters are written as `\uXXXX` escapes, the same value but inert on a terminal.
//! [`Writer`] applies a policy to everything written through it, line by line.

use std::borrow::Cow;
use std::io::{self, Write};

/// Makes `text` safe to hand to the terminal. Newlines are kept (callers split lines); a `\r`
/// before `\n` is dropped; tabs become a space; every other C0 control becomes its Control
/// Pictures symbol (ESC → `␛`, so `ESC[31m` shows as `␛[31m` and does nothing); DEL → `␡`;
/// C1 controls, bidi controls and zero-width characters become `⟨U+XXXX⟩`.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\t' => out.push(' '),
            '\0'..='\x1f' => out.push(control_picture(c)),
            '\x7f' => out.push('␡'),
            c if is_c1(c) || is_format(c) => {
                out.push_str(&format!("⟨U+{:04X}⟩", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean`] for a single line: newlines become `␤` too.
pub fn clean_line(text: &str) -> Cow<'_, str> {
    match clean(text) {
        Cow::Borrowed(s) if !s.contains('\n') => Cow::Borrowed(s),
        other => Cow::Owned(other.replace('\n', "␤")),
    }
}

/// How text leaving through one edge is made safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Plain text: [`text`].
    Text,
    /// Serialized JSON: [`json`].
    Json,
}

impl Policy {
    pub fn apply(self, s: &str) -> Cow<'_, str> {
        match self {
            Policy::Text => text(s),
            Policy::Json => json(s),
        }
    }
}

/// Plain text for a terminal or a text file: escape sequences (CSI, OSC, DCS and the other
/// strings, whether introduced by ESC or by a C1 control) are dropped whole, and so is every
/// other C0 and C1 control but newline and tab; `\r\n` becomes `\n`; bidi embeddings,
/// overrides and isolates are dropped (Trojan Source); U+2028/U+2029 become newlines.
/// Everything else, bidi marks and zero-width joiners included, is kept.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| text_drops(c) || c == '\u{2028}' || c == '\u{2029}')
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next_if(|n| ('\u{20}'..='\u{7e}').contains(n)) {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // nF sequences: intermediates, then a final byte.
                Some(' '..='/') => {
                    while chars.next_if(|n| (' '..='/').contains(n)).is_some() {}
                    chars.next_if(|n| ('0'..='~').contains(n));
                }
                // A two-character sequence (ESC 7, ESC c, ESC \ ...) or a lone ESC.
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{9d}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c if text_drops(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What [`text`] drops wherever it stands.
fn text_drops(c: char) -> bool {
    (c < ' ' && c != '\n' && c != '\t')
        || c == '\x7f'
        || is_c1(c)
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A control sequence: parameters and intermediates up to the final byte. A control or a
/// newline inside it ends it too (the newline is kept), so no text after it is lost.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        if ('\u{30}'..='\u{3f}').contains(&c) || (' '..='/').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            return;
        }
    }
}

/// An OSC/DCS/SOS/PM/APC string, up to its terminator (BEL, ESC \\, ST) or the end of the
/// line, where a terminal would still swallow it but the text after it is kept.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => return,
            '\u{7}' | '\u{9c}' => {
                chars.next();
                return;
            }
            '\u{1b}' => {
                chars.next();
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {
                chars.next();
            }
        }
    }
}

/// Serialized JSON for a terminal or a file: C1 controls, DEL, bidi and zero-width format
/// characters become `\uXXXX` escapes (serde_json already escapes C0 controls). These characters
/// can only stand inside JSON strings, so the value is unchanged.
pub fn json(s: &str) -> Cow<'_, str> {
    if !s.chars().any(json_escapes) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if json_escapes(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn json_escapes(c: char) -> bool {
    c == '\x7f' || c == '\u{1b}' || is_c1(c) || is_format(c)
}

/// An `io::Write` that applies `policy` to everything written through it. It passes on whole
/// lines (a line cannot hold half a character or half of a sequence [`text`] drops), so
/// whatever way the output is cut into writes, the result is the same.
pub struct Writer<W: Write> {
    inner: W,
    policy: Policy,
    pending: Vec<u8>,
}

impl<W: Write> Writer<W> {
    pub fn new(inner: W, policy: Policy) -> Self {
        Writer {
            inner,
            policy,
            pending: Vec::new(),
        }
    }

    pub fn set_policy(&mut self, policy: Policy) -> io::Result<()> {
        self.flush()?;
        self.policy = policy;
        Ok(())
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let s = String::from_utf8_lossy(bytes);
        self.inner.write_all(self.policy.apply(&s).as_bytes())
    }

    /// Writes `text` (a line, without its newline) with each of `ranges` between `on` and
    /// `off`, the caller's own styling sequences (a terminal's bold), never data: the text
    /// passes the policy piece by piece, so none of it can start, end or carry a sequence.
    pub fn write_marked(
        &mut self,
        text: &str,
        ranges: &[std::ops::Range<usize>],
        on: &str,
        off: &str,
    ) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest)?;
        }
        let mut at = 0;
        for range in ranges {
            let (Some(before), Some(word)) = (text.get(at..range.start), text.get(range.clone()))
            else {
                continue;
            };
            self.emit(before.as_bytes())?;
            self.inner.write_all(on.as_bytes())?;
            self.emit(word.as_bytes())?;
            self.inner.write_all(off.as_bytes())?;
            at = range.end;
        }
        self.emit(text.get(at..).unwrap_or("").as_bytes())
    }
}

impl<W: Write> Write for Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match buf.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                let mut lines = std::mem::take(&mut self.pending);
                lines.extend_from_slice(&buf[..=last]);
                self.pending.extend_from_slice(&buf[last + 1..]);
                self.emit(&lines)?;
            }
            None => self.pending.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.emit(&rest)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Writer<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// One line for the user on stderr, in the plain-text policy: the only way krisp-tui's
/// headless commands write to stderr.
pub fn eprint(message: &str) {
    let mut err = Writer::new(io::stderr().lock(), Policy::Text);
    let _ = writeln!(err, "{message}");
}

fn needs_cleaning(c: char) -> bool {
    (c < ' ' && c != '\n') || c == '\x7f' || is_c1(c) || is_format(c)
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// Bidi marks, embeddings, overrides and isolates (Trojan Source), the line/paragraph
/// separators that some terminals treat as newlines, and zero-width characters, whose width
/// terminals disagree on (they shift everything after them on the line).
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{061c}'
    )
}

fn control_picture(c: char) -> char {
    // U+2400 CONTROL PICTURES starts with NUL and follows the C0 order.
    char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}')
}

/// [`clean_line`] for an excerpt with highlighted byte ranges: each piece is cleaned on its own,
/// and the ranges are moved to where the pieces land in the cleaned text. Ranges that overlap,
/// run backwards or do not fall on character boundaries are dropped.
pub fn clean_highlighted(
    text: &str,
    ranges: &[std::ops::Range<usize>],
) -> (String, Vec<std::ops::Range<usize>>) {
    cleaned_with_ranges(text, ranges, clean_line)
}

/// [`clean`] for text with highlighted byte ranges: as [`clean_highlighted`], its lines kept.
pub fn clean_highlighted_lines(
    text: &str,
    ranges: &[std::ops::Range<usize>],
) -> (String, Vec<std::ops::Range<usize>>) {
    cleaned_with_ranges(text, ranges, clean)
}

/// `text` passed through `clean` piece by piece, the `ranges` moved to where their pieces land.
fn cleaned_with_ranges(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    clean: fn(&str) -> Cow<'_, str>,
) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::with_capacity(text.len());
    let mut moved = Vec::with_capacity(ranges.len());
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(word)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        out.push_str(&clean(before));
        let start = out.len();
        out.push_str(&clean(word));
        moved.push(start..out.len());
        at = range.end;
    }
    out.push_str(&clean(text.get(at..).unwrap_or("")));
    (out, moved)
}

/// A search hit's excerpt on one line: line breaks become ` · ` (a run of them one), the
/// Markdown marks that would read as noise go (`#` headings, `-`/`*`/`+`/`>` at a line's start,
/// `**` emphasis), then [`clean_highlighted`]. The ranges move with the text.
pub fn excerpt_highlighted(
    text: &str,
    ranges: &[std::ops::Range<usize>],
) -> (String, Vec<std::ops::Range<usize>>) {
    let mut tidy = String::with_capacity(text.len());
    let mut moved = Vec::with_capacity(ranges.len());
    // An excerpt that does not open with an ellipsis starts where its text starts.
    let mut at_line_start = !text.starts_with('…');
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(word)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        tidy_excerpt(before, &mut at_line_start, &mut tidy);
        let start = tidy.len();
        tidy_excerpt(word, &mut at_line_start, &mut tidy);
        moved.push(start..tidy.len());
        at = range.end;
    }
    tidy_excerpt(text.get(at..).unwrap_or(""), &mut at_line_start, &mut tidy);
    clean_highlighted(&tidy, &moved)
}

/// Appends `piece` to `out` as [`excerpt_highlighted`] tidies it; `at_line_start` carries over
/// from one piece to the next.
fn tidy_excerpt(piece: &str, at_line_start: &mut bool, out: &mut String) {
    for (i, line) in piece.split('\n').enumerate() {
        if i > 0 {
            if !out.is_empty() && !out.ends_with(" · ") {
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                out.push_str(" · ");
            }
            *at_line_start = true;
        }
        let mut line = line.trim_end_matches('\r');
        if *at_line_start {
            line = line.trim_start();
            if line.is_empty() {
                continue;
            }
            let hashes = line.len() - line.trim_start_matches('#').len();
            if hashes > 0 && line[hashes..].starts_with(' ') {
                line = line[hashes..].trim_start();
            }
            for mark in ["- ", "* ", "+ ", "> "] {
                if let Some(rest) = line.strip_prefix(mark) {
                    line = rest.trim_start();
                    break;
                }
            }
            *at_line_start = false;
        }
        out.push_str(&line.replace("**", ""));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_read_on_one_line_without_markdown_noise() {
        let text =
            "…plan that protects the Acme renewal.\n\n#### Decisions\n- **Committed** for Q4…";
        let at = text.find("Acme").unwrap();
        let (line, ranges) = excerpt_highlighted(text, std::slice::from_ref(&(at..at + 4)));
        assert_eq!(
            line,
            "…plan that protects the Acme renewal. · Decisions · Committed for Q4…"
        );
        assert_eq!(&line[ranges[0].clone()], "Acme");
        // A highlight after the marks removed still lands on its word.
        let at = text.find("Committed").unwrap();
        let (line, ranges) = excerpt_highlighted(text, std::slice::from_ref(&(at..at + 9)));
        assert_eq!(&line[ranges[0].clone()], "Committed");
        // Controls are still neutralised; plain text is unchanged.
        assert_eq!(excerpt_highlighted("a\x1b[2Jb", &[]).0, "a␛[2Jb");
        assert_eq!(excerpt_highlighted("just words", &[]).0, "just words");
        assert_eq!(
            excerpt_highlighted("#### Status\nApproved.", &[]).0,
            "Status · Approved."
        );
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(clean("Q4 roadmap — Anna"), Cow::Borrowed(_)));
        assert!(matches!(clean("two\nlines"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_become_visible() {
        assert_eq!(clean("\x1b[31mred\x1b[0m"), "␛[31mred␛[0m");
        assert_eq!(clean("\x1b]52;c;aGk=\x07"), "␛]52;c;aGk=␇");
        assert_eq!(clean("a\u{9b}31m"), "a⟨U+009B⟩31m");
        assert_eq!(clean("abc\u{202e}fed"), "abc⟨U+202E⟩fed");
        assert_eq!(clean("x\ry\r\nz\t!\x7f"), "x␍y\nz !␡");
        assert_eq!(clean_line("a\nb"), "a␤b");
    }

    #[test]
    fn text_drops_sequences_and_controls_and_keeps_the_words() {
        assert_eq!(text("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(text("a\x1b]0;pwned\x07b"), "ab");
        assert_eq!(
            text("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"),
            "click"
        );
        assert_eq!(text("\x1b[2J\x1b[Hclear"), "clear");
        assert_eq!(text("\u{9b}31mC1\u{9d}0;t\u{9c}!"), "C1!");
        assert_eq!(
            text("\u{202e}txt.exe\u{202c} \u{2067}שלום\u{2069}"),
            "txt.exe שלום"
        );
        assert_eq!(text("NUL\0 BEL\x07 BS\x08 DEL\x7f"), "NUL BEL BS DEL");
        assert_eq!(text("a\r\nb\rc\td\u{2028}e"), "a\nbc\td\ne");
        // An unterminated string stops at the line's end; the next line survives.
        assert_eq!(text("x\x1b]0;title\nnext"), "x\nnext");
        assert_eq!(text("x\x1b[12\nnext"), "x\nnext");
        assert_eq!(text("trailing\x1b"), "trailing");
    }

    #[test]
    fn legitimate_text_is_untouched() {
        let s = "Crème brûlée — 東京 👩‍👩‍👧 مرحبا\u{200f} שלום\n\tindented";
        assert!(matches!(text(s), Cow::Borrowed(_)));
        assert!(matches!(json("\"Crème 東京 مرحبا\""), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_keep_the_value() {
        let value = serde_json::json!({"name": "a\u{9b}31m\u{202e}b\u{200b}c\u{1b}[0m\u{7f}"});
        let raw = serde_json::to_string(&value).unwrap();
        let safe = json(&raw);
        assert_eq!(
            safe,
            r#"{"name":"a\u009b31m\u202eb\u200bc\u001b[0m\u007f"}"#
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
    }

    #[test]
    fn the_writer_gives_the_same_bytes_however_the_output_is_cut() {
        let input = "one \x1b[31mred\x1b[0m\nOSC \x1b]0;t\x07 é 東\n\u{9b}1mlast";
        for cut in 0..input.len() {
            let mut buf = Vec::new();
            {
                let mut w = Writer::new(&mut buf, Policy::Text);
                w.write_all(&input.as_bytes()[..cut]).unwrap();
                w.write_all(&input.as_bytes()[cut..]).unwrap();
            }
            assert_eq!(String::from_utf8(buf).unwrap(), text(input), "cut at {cut}");
        }
    }

    #[test]
    fn output_never_holds_a_control() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let cleaned = clean(&all);
        assert!(!cleaned.chars().any(|c| c != '\n' && needs_cleaning(c)));
        let plain = text(&all);
        assert!(!plain.chars().any(|c| text_drops(c) || c == '\r'));
        assert!(!json(&all).chars().any(json_escapes));
    }
}

/// `text` (one line) cut to about `width` columns so that its first range shows, a third of the
/// way in when the text is longer than the room: `…` where it was cut; the ranges moved along
/// (a range cut by an end is dropped).
pub fn centre(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    width: usize,
) -> (String, Vec<std::ops::Range<usize>>) {
    use unicode_width::UnicodeWidthStr as _;
    if text.width() <= width || width < 3 {
        return (text.to_owned(), ranges.to_vec());
    }
    let at = ranges.first().map_or(0, |r| r.start.min(text.len()));
    let hit_width = ranges
        .first()
        .and_then(|r| text.get(r.clone()))
        .map_or(0, unicode_width::UnicodeWidthStr::width);
    // Start a third of the room before the hit (not before the text's start), less when the
    // room is so small that the hit would not fit after it (two columns go to `…`).
    let lead = (width / 3).min(width.saturating_sub(hit_width + 2));
    let mut start = at;
    let mut used = 0;
    for (i, c) in text[..at].char_indices().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > lead {
            break;
        }
        used += w;
        start = i;
    }
    let room = width.saturating_sub(usize::from(start > 0) + 1);
    let mut end = start;
    let mut used = 0;
    for (i, c) in text[start..].char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        end = start + i + c.len_utf8();
    }
    if end == text.len() {
        // Nothing cut at the end: give the room back to the start.
        return centre_tail(text, ranges, width);
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let shift = out.len();
    out.push_str(&text[start..end]);
    out.push('…');
    let moved = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| r.start - start + shift..r.end - start + shift)
        .collect();
    (out, moved)
}

/// The last `width` columns of `text`, `…` first.
fn centre_tail(
    text: &str,
    ranges: &[std::ops::Range<usize>],
    width: usize,
) -> (String, Vec<std::ops::Range<usize>>) {
    let mut start = text.len();
    let mut used = 0;
    for (i, c) in text.char_indices().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width.saturating_sub(1) {
            break;
        }
        used += w;
        start = i;
    }
    let mut out = "…".to_owned();
    let shift = out.len();
    out.push_str(&text[start..]);
    let moved = ranges
        .iter()
        .filter(|r| r.start >= start)
        .map(|r| r.start - start + shift..r.end - start + shift)
        .collect();
    (out, moved)
}

#[cfg(test)]
mod centre_tests {
    use super::centre;

    #[test]
    fn the_hit_stays_in_view_a_third_of_the_way_in() {
        let text = format!("{}zofataf{}", "a ".repeat(100), " b".repeat(100));
        let at = 200;
        let (cut, ranges) = centre(&text, std::slice::from_ref(&(at..at + 7)), 60);
        assert_eq!(&cut[ranges[0].clone()], "zofataf");
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert_eq!(cut.chars().count(), 60, "{cut}");
        let before = cut[..ranges[0].start].chars().count();
        assert!((18..=22).contains(&before), "{before}");
    }

    #[test]
    fn a_narrow_room_still_shows_the_whole_hit() {
        let text = format!("{}Halcyon{}", "word ".repeat(20), " more".repeat(20));
        let (cut, ranges) = centre(&text, std::slice::from_ref(&(100..107)), 11);
        assert_eq!(ranges.len(), 1, "{cut}");
        assert_eq!(&cut[ranges[0].clone()], "Halcyon");
    }

    #[test]
    fn a_hit_near_the_end_shows_the_end() {
        let text = format!("{}zofataf end", "a ".repeat(100));
        let (cut, ranges) = centre(&text, std::slice::from_ref(&(200..207)), 30);
        assert!(cut.ends_with("zofataf end"), "{cut}");
        assert_eq!(&cut[ranges[0].clone()], "zofataf");
    }
}
