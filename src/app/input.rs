//! The one-line text field of every prompt (search boxes, the jump prompt, the paste box, the
//! export path, tool forms): the text and a cursor, edited by raw keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Byte offset of the cursor, always on a char boundary.
    cursor: usize,
}

impl LineInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.len();
        Self { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    pub fn insert_str(&mut self, s: &str) {
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
    }

    /// Applies an editing key ([`edit_of`]); returns whether the text changed.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let Some(edit) = edit_of(key) else {
            return false;
        };
        let before = self.text.clone();
        let (text, cursor) = (&mut self.text, &mut self.cursor);
        let prev = |t: &str, at: usize| {
            t[..at]
                .chars()
                .next_back()
                .map_or(at, |c| at - c.len_utf8())
        };
        let next = |t: &str, at: usize| t[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        match edit {
            Edit::Insert(c) => {
                text.insert(*cursor, c);
                *cursor += c.len_utf8();
            }
            Edit::Backspace => {
                let p = prev(text, *cursor);
                text.replace_range(p..*cursor, "");
                *cursor = p;
            }
            Edit::Delete => {
                let n = next(text, *cursor);
                text.replace_range(*cursor..n, "");
            }
            Edit::Left => *cursor = prev(text, *cursor),
            Edit::Right => *cursor = next(text, *cursor),
            Edit::WordLeft => *cursor = word_start(text, *cursor),
            Edit::WordRight => *cursor = word_end(text, *cursor),
            Edit::Home => *cursor = 0,
            Edit::End => *cursor = text.len(),
            Edit::DeleteToStart => {
                text.replace_range(..*cursor, "");
                *cursor = 0;
            }
            Edit::DeleteToEnd => text.truncate(*cursor),
            Edit::DeleteWordBack => {
                let start = word_start(text, *cursor);
                text.replace_range(start..*cursor, "");
                *cursor = start;
            }
            Edit::DeleteWordForward => {
                let end = word_end(text, *cursor);
                text.replace_range(*cursor..end, "");
            }
        }
        *text != before
    }
}

/// One editing step of a one-line text field. Every field (search, jump to time, paste box,
/// export path, tool forms) maps keys to these through [`edit_of`], so they all edit alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    WordLeft,
    WordRight,
    Home,
    End,
    DeleteToStart,
    DeleteToEnd,
    DeleteWordBack,
    DeleteWordForward,
}

/// The line-editing keys (readline's): C-a/Home, C-e/End, ←/→ and C-b/C-f, M-b/M-f and C-←/C-→
/// by word, C-u / C-k delete to the start / end, C-w and M-Backspace the word before, M-d the
/// word after, C-h Backspace, C-d Delete.
pub fn edit_of(key: KeyEvent) -> Option<Edit> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        KeyCode::Char('a') if ctrl => Edit::Home,
        KeyCode::Char('e') if ctrl => Edit::End,
        KeyCode::Char('b') if ctrl => Edit::Left,
        KeyCode::Char('f') if ctrl => Edit::Right,
        KeyCode::Char('u') if ctrl => Edit::DeleteToStart,
        KeyCode::Char('k') if ctrl => Edit::DeleteToEnd,
        KeyCode::Char('w') if ctrl => Edit::DeleteWordBack,
        KeyCode::Char('h') if ctrl => Edit::Backspace,
        KeyCode::Char('d') if ctrl => Edit::Delete,
        KeyCode::Char('b') if alt => Edit::WordLeft,
        KeyCode::Char('f') if alt => Edit::WordRight,
        KeyCode::Char('d') if alt => Edit::DeleteWordForward,
        KeyCode::Backspace if alt || ctrl => Edit::DeleteWordBack,
        KeyCode::Char(c) if !ctrl && !alt => Edit::Insert(c),
        KeyCode::Backspace => Edit::Backspace,
        KeyCode::Delete => Edit::Delete,
        KeyCode::Left if ctrl || alt => Edit::WordLeft,
        KeyCode::Right if ctrl || alt => Edit::WordRight,
        KeyCode::Left => Edit::Left,
        KeyCode::Right => Edit::Right,
        KeyCode::Home => Edit::Home,
        KeyCode::End => Edit::End,
        _ => return None,
    })
}

/// A word is a run of letters and digits; `/`, `.`, `-` and spaces separate words (so C-w in a
/// path deletes one path part).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn word_start(text: &str, at: usize) -> usize {
    let before = &text[..at];
    let trimmed = before.trim_end_matches(|c| !is_word(c));
    trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| !is_word(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

fn word_end(text: &str, at: usize) -> usize {
    let after = &text[at..];
    let skip = after.len() - after.trim_start_matches(|c| !is_word(c)).len();
    let rest = &after[skip..];
    at + skip + rest.find(|c| !is_word(c)).unwrap_or(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits() {
        let mut i = LineInput::default();
        for c in "héllo wörld".chars() {
            i.handle_key(k(KeyCode::Char(c)));
        }
        i.handle_key(k(KeyCode::Backspace));
        assert_eq!(i.text(), "héllo wörl");
        i.handle_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(i.text(), "héllo ");
        i.handle_key(k(KeyCode::Left));
        i.handle_key(k(KeyCode::Left));
        i.handle_key(k(KeyCode::Char('X')));
        assert_eq!(i.text(), "héllXo ");
        i.insert_str("a\x1bb");
        assert_eq!(i.text(), "héllXabo ");
    }
}
