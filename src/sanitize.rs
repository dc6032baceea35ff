//! The one sanitizer every server string passes through before it is drawn: control characters,
//! escape sequences, C1 controls and bidi overrides become visible placeholders.

use std::borrow::Cow;

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
    let mut out = String::with_capacity(text.len());
    let mut moved = Vec::with_capacity(ranges.len());
    let mut at = 0;
    for range in ranges {
        let (Some(before), Some(word)) = (text.get(at..range.start), text.get(range.clone()))
        else {
            continue;
        };
        out.push_str(&clean_line(before));
        let start = out.len();
        out.push_str(&clean_line(word));
        moved.push(start..out.len());
        at = range.end;
    }
    out.push_str(&clean_line(text.get(at..).unwrap_or("")));
    (out, moved)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn output_never_holds_a_control() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let cleaned = clean(&all);
        assert!(!cleaned.chars().any(|c| c != '\n' && needs_cleaning(c)));
    }
}
