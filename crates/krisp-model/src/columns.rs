//! Text fitted to a number of terminal columns: the one truncate-with-an-ellipsis that the
//! screen, the help, the tools panel and the command line's tables share.

use unicode_truncate::{Alignment, UnicodeTruncateStr};
use unicode_width::UnicodeWidthStr;

/// `s` cut to at most `width` columns, ending in `…` when it was cut; a cut never splits a
/// grapheme (a wide character, an accent and its letter).
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let (head, _) = s.unicode_truncate(width - 1);
    format!("{head}…")
}

/// `s` truncated to `width` columns, then padded with spaces to exactly `width`: a table cell.
pub fn cell(s: &str, width: usize) -> String {
    truncate(s, width)
        .unicode_pad(width, Alignment::Left, false)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("a日本", 2), "a…");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate("abc", 0), "");
        // e + a combining acute accent is one column and one grapheme: never split.
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
    }

    #[test]
    fn a_cell_is_exactly_its_width() {
        assert_eq!(cell("DATE", 6), "DATE  ");
        assert_eq!(cell("abcdef", 4), "abc…");
        assert_eq!(cell("日本語", 4), "日… ");
        assert_eq!(cell("", 3), "   ");
    }
}
