//! What the user typed into search, parsed into terms and filters, and turned into FTS5 syntax.

use super::StoreError;

/// Filters shared by the meeting list and search. `after`/`before` are inclusive days
/// `YYYY-MM-DD` in `zone` (UTC when `None`) and exclude meetings without a parsable date;
/// `with` matches the start of a word of an attendee's or speaker's name or email, ignoring case
/// and accents (`with:chloe` finds Chloé Martin; all must match); `tags` are exact and all must
/// match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub after: Option<String>,
    pub before: Option<String>,
    pub with: Vec<String>,
    pub tags: Vec<String>,
    /// The user's time zone, in which `after`/`before` days start and end.
    pub zone: Option<jiff::tz::TimeZone>,
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(String),
    Not(String),
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub terms: Vec<Term>,
    pub filter: Filter,
    /// Match the last `Word` as a prefix (search-as-you-type). `parse` sets it.
    pub prefix_last: bool,
    /// The last term is a phrase whose closing quote is not typed yet: its last word is a
    /// prefix too (`"renewal pip` finds "renewal pipeline" while it is typed).
    pub open_phrase: bool,
    /// Words too short for the index (`ab`): a search holding only such words looks for names
    /// like them instead.
    pub short: Vec<String>,
}

/// Words shorter than this many characters are dropped: they would match nearly everything.
pub const MIN_WORD_CHARS: usize = 3;
/// A query of more terms than this is refused: nobody types it, and each term costs a lookup.
pub const MAX_TERMS: usize = 64;

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
            open_phrase: false,
            short: Vec::new(),
        };
        let (tokens, open) = tokens(text);
        let count = tokens.len();
        for (i, token) in tokens.into_iter().enumerate() {
            match token {
                Token::Quoted(phrase) => {
                    let phrase = phrase.split_whitespace().collect::<Vec<_>>().join(" ");
                    if has_word_char(&phrase) {
                        query.terms.push(Term::Phrase(phrase));
                        query.open_phrase = open && i + 1 == count;
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
                    } else if has_word_char(&word) {
                        query.short.push(word);
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
            if query.terms.len() + query.filter.with.len() + query.filter.tags.len() > MAX_TERMS {
                return Err(StoreError::TooManyTerms { max: MAX_TERMS });
            }
        }
        Ok(query)
    }

    /// The query's positive terms (words and phrases), in order.
    pub fn positive(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|t| match t {
            Term::Word(w) | Term::Phrase(w) => Some(w.as_str()),
            Term::Not(_) => None,
        })
    }

    /// The index of the term matched as a prefix, if any: the last word, or an unclosed
    /// phrase that is the last term.
    pub(crate) fn prefix_term(&self) -> Option<usize> {
        if !self.prefix_last {
            return None;
        }
        if self.open_phrase {
            return self.terms.len().checked_sub(1);
        }
        self.terms.iter().rposition(|t| matches!(t, Term::Word(_)))
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
pub(crate) fn parse_day(s: &str) -> Result<jiff::civil::Date, StoreError> {
    crate::timefmt::parse_day(s.trim()).ok_or_else(|| StoreError::BadDate { text: s.to_owned() })
}

impl Filter {
    /// The filter's date window as `[from, to)` unix milliseconds: from the start of the
    /// `after` day to the end of the `before` day, in the filter's zone.
    pub(crate) fn window_ms(&self) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let zone = self.zone.clone().unwrap_or(jiff::tz::TimeZone::UTC);
        let start_ms = |civil: jiff::civil::Date, next: bool| -> i64 {
            let civil = if next {
                civil.tomorrow().unwrap_or(civil)
            } else {
                civil
            };
            civil
                .to_zoned(zone.clone())
                .map_or(i64::MAX, |z| z.timestamp().as_millisecond())
        };
        let from = self
            .after
            .as_deref()
            .map(parse_day)
            .transpose()?
            .map(|d| start_ms(d, false));
        let to = self
            .before
            .as_deref()
            .map(parse_day)
            .transpose()?
            .map(|d| start_ms(d, true));
        Ok((from, to))
    }
}

enum Token {
    Bare(String),
    Quoted(String),
    /// `key:"quoted value"`.
    Filter(String, String),
}

/// The tokens of `text`, and whether its last quote was left open (closed here, as if typed).
fn tokens(text: &str) -> (Vec<Token>, bool) {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut current = String::new();
    let mut open = false;
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            if !current.is_empty() {
                out.push(Token::Bare(std::mem::take(&mut current)));
            }
        } else if c == '"' {
            let mut quoted = String::new();
            open = true;
            for q in chars.by_ref() {
                if q == '"' {
                    open = false;
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
    (out, open)
}

/// Private-use characters that mark a match in FTS `snippet()` output.
pub const OPEN: char = '\u{E000}';
pub const CLOSE: char = '\u{E001}';

/// Removes the markers from `marked`, returning the text and the byte ranges they enclosed.
pub fn take_highlights(marked: &str) -> (String, Vec<std::ops::Range<usize>>) {
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
