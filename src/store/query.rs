//! What the user typed into search, parsed into terms and filters, and turned into FTS5 syntax.

use time::{Date, Duration, macros::format_description};

use super::StoreError;

/// Filters shared by the meeting list and search. `after`/`before` are inclusive days
/// `YYYY-MM-DD` (UTC) and exclude meetings without a parsable date; `with` is a
/// case-insensitive substring of any attendee/speaker name or email (all must match); `tags`
/// are exact and all must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub after: Option<String>,
    pub before: Option<String>,
    pub with: Vec<String>,
    pub tags: Vec<String>,
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(String),
    Not(String),
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
    pub filter: Filter,
    /// Match the last `Word` as a prefix (search-as-you-type). `parse` sets it.
    pub prefix_last: bool,
}

/// Words shorter than this many characters are dropped: they would match nearly everything.
pub const MIN_WORD_CHARS: usize = 3;

impl Query {
    /// Parses what the user typed: `after:2026-01-01 before:2026-02-01 with:maya tag:x`,
    /// `"exact words"`, `-word`, and words. Filter values may be quoted (`with:"maya lee"`).
    ///
    /// Words (and `-words`) shorter than 3 characters, and terms with no letter or digit, are
    /// dropped: they would match almost every row. The last bare word is matched as a prefix,
    /// so `initec` finds `initech`. A pure function of the text. A bad date is an error.
    pub fn parse(text: &str) -> Result<Query, StoreError> {
        let mut query = Query {
            terms: Vec::new(),
            filter: Filter::default(),
            prefix_last: true,
        };
        for token in tokens(text) {
            match token {
                Token::Quoted(phrase) => {
                    let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
                    if has_word_char(&phrase) {
                        query.terms.push(Term::Phrase(phrase));
                    }
                }
                Token::Bare(word) => {
                    if let Some((key, value)) = word.split_once(':')
                        && let Some(slot) = query.filter_slot(key)
                    {
                        if !value.is_empty() {
                            slot(&mut query.filter, value)?;
                        }
                        continue;
                    }
                    if let Some(rest) = word.strip_prefix('-') {
                        if long_enough(rest) {
                            query.terms.push(Term::Not(rest.to_owned()));
                        }
                    } else if long_enough(&word) {
                        query.terms.push(Term::Word(word));
                    }
                }
                Token::Filter(key, value) => {
                    if let Some(slot) = query.filter_slot(&key)
                        && !value.is_empty()
                    {
                        slot(&mut query.filter, &value)?;
                    }
                }
            }
        }
        Ok(query)
    }

    #[allow(clippy::type_complexity)]
    fn filter_slot(&self, key: &str) -> Option<fn(&mut Filter, &str) -> Result<(), StoreError>> {
        Some(match key.to_ascii_lowercase().as_str() {
            "after" => |f, v| {
                parse_day(v)?;
                f.after = Some(v.to_owned());
                Ok(())
            },
            "before" => |f, v| {
                parse_day(v)?;
                f.before = Some(v.to_owned());
                Ok(())
            },
            "with" => |f, v| {
                f.with.push(v.to_owned());
                Ok(())
            },
            "tag" => |f, v| {
                f.tags.push(v.to_owned());
                Ok(())
            },
            _ => return None,
        })
    }

    /// Whether the query has something to look for (a word or phrase; exclusions alone do not).
    pub fn is_searchable(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t, Term::Word(_) | Term::Phrase(_)))
    }

    /// The FTS5 MATCH expression: every term quoted (so no user text is FTS syntax), positive
    /// terms ANDed, exclusions as `NOT`. `None` when nothing positive is left.
    pub fn fts_expr(&self) -> Option<String> {
        self.fts_expr_with(self.prefix_last)
    }

    /// The last bare word (the one matched as a prefix).
    pub(crate) fn last_word(&self) -> Option<&str> {
        self.terms.iter().rev().find_map(|t| match t {
            Term::Word(w) => Some(w.as_str()),
            _ => None,
        })
    }

    pub(crate) fn fts_expr_with(&self, prefix_last: bool) -> Option<String> {
        let last_word = self
            .terms
            .iter()
            .rposition(|t| matches!(t, Term::Word(_)))
            .filter(|_| prefix_last);
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for (i, term) in self.terms.iter().enumerate() {
            match term {
                Term::Word(w) | Term::Phrase(w) if has_word_char(w) => {
                    let mut q = quote(w);
                    if Some(i) == last_word {
                        q.push('*');
                    }
                    positive.push(q);
                }
                Term::Not(w) if has_word_char(w) => negative.push(quote(w)),
                _ => {}
            }
        }
        if positive.is_empty() {
            return None;
        }
        let mut expr = format!("({})", positive.join(" AND "));
        for n in negative {
            expr.push_str(" NOT ");
            expr.push_str(&n);
        }
        Some(expr)
    }
}

/// An FTS5 string: double quotes around, inner double quotes doubled.
pub(crate) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn has_word_char(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

fn long_enough(word: &str) -> bool {
    has_word_char(word) && word.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_WORD_CHARS
}

/// `YYYY-MM-DD`, or an error sentence.
pub(crate) fn parse_day(s: &str) -> Result<Date, StoreError> {
    Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| StoreError::BadDate { text: s.to_owned() })
}

impl Filter {
    /// The filter's date window as `[from, to)` unix milliseconds.
    pub(crate) fn window_ms(&self) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let ms = |d: Date| (d.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        let from = self.after.as_deref().map(parse_day).transpose()?.map(ms);
        let to = self
            .before
            .as_deref()
            .map(parse_day)
            .transpose()?
            .map(|d| d.checked_add(Duration::DAY).map_or(i64::MAX, ms));
        Ok((from, to))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self == &Filter::default()
    }
}

enum Token {
    Bare(String),
    Quoted(String),
    /// `key:"quoted value"`.
    Filter(String, String),
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut current = String::new();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            if !current.is_empty() {
                out.push(Token::Bare(std::mem::take(&mut current)));
            }
        } else if c == '"' {
            let mut quoted = String::new();
            for q in chars.by_ref() {
                if q == '"' {
                    break;
                }
                quoted.push(q);
            }
            if current.is_empty() {
                out.push(Token::Quoted(quoted));
            } else if let Some(key) = current.strip_suffix(':') {
                out.push(Token::Filter(key.to_owned(), quoted));
                current.clear();
            } else {
                // `ab"cd ef"`: the quote ends the word; the quoted part is a phrase.
                out.push(Token::Bare(std::mem::take(&mut current)));
                out.push(Token::Quoted(quoted));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(Token::Bare(current));
    }
    out
}

/// Private-use characters that mark a match in FTS `snippet()` output.
pub(crate) const OPEN: char = '\u{E000}';
pub(crate) const CLOSE: char = '\u{E001}';

/// Removes the markers from `marked`, returning the text and the byte ranges they enclosed.
pub(crate) fn take_highlights(marked: &str) -> (String, Vec<std::ops::Range<usize>>) {
    let mut text = String::with_capacity(marked.len());
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    for c in marked.chars() {
        match c {
            OPEN => open = Some(text.len()),
            CLOSE => {
                if let Some(start) = open.take()
                    && start < text.len()
                {
                    ranges.push(start..text.len());
                }
            }
            c => text.push(c),
        }
    }
    (text, ranges)
}
