//! The `txt` export: Krisp's own transcript convention, `Name | MM:SS`, the utterance, a blank line.

use crate::krisp::{Turn, write_offset};

use super::one_line;

pub(super) fn render(turns: &[Turn]) -> String {
    let mut out = String::with_capacity(turns.iter().map(|t| t.text.len() + 32).sum());
    for (i, turn) in turns.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&one_line(&turn.speaker));
        out.push_str(" | ");
        write_offset(&mut out, turn.start);
        out.push('\n');
        out.push_str(turn.text.trim());
        out.push('\n');
    }
    out
}
