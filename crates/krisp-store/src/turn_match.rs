//! Which of a search's words and phrases a transcript turn holds, and where, as FTS5's
//! `turns_fts` said it (issue 17): the turns of the meetings a search shows are scanned with
//! [`Tokenizer`] instead of keeping a per-turn index as big as half the text.
//!
//! FTS5's rules, kept here: a word of the query is read by the same tokenizer as the text, so it
//! may be several tokens, a phrase; a phrase matches consecutive tokens; a prefix (`"p"*`) is
//! stemmed too and matches the terms that start with its last token's term; `highlight()`
//! marks each match from its first token's first byte to its last token's last byte, one span
//! for matches that share a token, separate spans otherwise (even when adjacent).

use std::ops::Range;

use super::tokenize::Tokenizer;

/// A word or phrase of a query as FTS5 reads it: its tokens' terms in order, the last one
/// matched as a prefix or not. No terms (a word of no token character) matches nothing, as
/// FTS5's empty phrase does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    terms: Vec<Vec<u8>>,
    prefix: bool,
}

impl Phrase {
    /// `text` read as FTS5 reads the query term `"text"` (or `"text"*` when `prefix`).
    pub(crate) fn new(tokenizer: &Tokenizer, text: &str, prefix: bool) -> Phrase {
        let mut terms = Vec::new();
        tokenizer.for_each_token(text, |t| terms.push(t.term.to_vec()));
        Phrase { terms, prefix }
    }

    /// Whether the tokens `at..` of a turn start with this phrase.
    fn matches_at(&self, tokens: &Tokens, at: usize) -> bool {
        let last = self.terms.len() - 1;
        self.terms.iter().enumerate().all(|(j, want)| {
            let got = tokens.term(at + j);
            if j == last && self.prefix {
                got.starts_with(want)
            } else {
                got == want.as_slice()
            }
        })
    }

    /// How every match of this phrase in a pure-ASCII text begins: the first
    /// `max(1, len(t) - STEM_TAIL)` bytes of its first term `t` (lower case) start a word, the
    /// first of the match; `None` when it never matches in such a text.
    ///
    /// Why: a pure-ASCII text's tokens are its runs of ASCII letters and digits, folded to
    /// lower case, so their terms are ASCII (a term with another byte is never in it), and
    /// Porter's stemming (`tokenize::porter`) changes a token only from its second byte on and
    /// never lengthens it: each rule cuts after a stem of at least one byte and appends at most
    /// `STEM_TAIL` bytes, and one that adds a byte (step 1b's `e`, `at` to `ate`) follows the
    /// removal of two or more. So a token's term `s` begins with the token's first
    /// `max(1, len(s) - STEM_TAIL)` bytes. A term equal to `t`, or (the last token of a prefix)
    /// starting with `t`, is at least as long as `t`, so its token starts with `t`'s first
    /// `max(1, len(t) - STEM_TAIL)` bytes.
    fn lead(&self) -> Option<Vec<u8>> {
        if self.terms.iter().any(|t| t.is_empty() || !t.is_ascii()) {
            return None;
        }
        let first = self.terms.first()?;
        Some(first[..first.len().saturating_sub(STEM_TAIL).max(1)].to_vec())
    }
}

/// The most bytes Porter's rules append after the stem they keep (`tion`, `ence`, `ance`,
/// `able`).
const STEM_TAIL: usize = 4;

/// A turn's tokens: terms packed into one buffer, reused from turn to turn.
#[derive(Default)]
struct Tokens {
    bytes: Vec<u8>,
    /// Each token's term (in `bytes`) and range in the text.
    spans: Vec<(Range<usize>, Range<usize>)>,
}

impl Tokens {
    fn term(&self, i: usize) -> &[u8] {
        &self.bytes[self.spans[i].0.clone()]
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    /// Every token of `text`, in place of the ones held.
    fn read(&mut self, tokenizer: &Tokenizer, text: &str) {
        self.bytes.clear();
        self.spans.clear();
        tokenizer.for_each_token(text, |t| {
            let start = self.bytes.len();
            self.bytes.extend_from_slice(t.term);
            self.spans.push((start..self.bytes.len(), t.range));
        });
    }
}

/// Matches a query's phrases in turn after turn.
pub(crate) struct Matcher<'q> {
    phrases: &'q [Phrase],
    /// For each phrase, how every match of it in a pure-ASCII turn begins (see
    /// `Phrase::lead`).
    leads: Vec<Option<Vec<u8>>>,
    tokenizer: Tokenizer,
    tokens: Tokens,
}

impl<'q> Matcher<'q> {
    pub(crate) fn new(phrases: &'q [Phrase]) -> Matcher<'q> {
        Matcher {
            phrases,
            leads: phrases.iter().map(Phrase::lead).collect(),
            tokenizer: Tokenizer::new(),
            tokens: Tokens::default(),
        }
    }

    /// Reads every token of `text` into `self.tokens`.
    fn read(&mut self, text: &str) {
        self.tokens.read(&self.tokenizer, text);
    }

    /// How many phrases it matches.
    pub(crate) fn len(&self) -> usize {
        self.phrases.len()
    }

    /// Which phrases `text` holds, into `held` (one for each phrase); whether it holds any.
    pub(crate) fn holds(&mut self, text: &str, held: &mut [bool]) -> bool {
        held.fill(false);
        if text.is_ascii() {
            return self.holds_ascii(text, held);
        }
        self.read(text);
        let mut any = false;
        for (phrase, held) in self.phrases.iter().zip(held.iter_mut()) {
            let n = phrase.terms.len();
            if n == 0 || n > self.tokens.len() {
                continue;
            }
            *held = (0..=self.tokens.len() - n).any(|at| phrase.matches_at(&self.tokens, at));
            any |= *held;
        }
        any
    }

    /// `holds` for a pure-ASCII `text`, whose tokens are its runs of token bytes (words): a
    /// phrase can only match from a word that starts with its lead, so only such words are
    /// looked at (found by their first byte, in either case), and only the words from there are
    /// tokenized, as many as the phrase has tokens.
    fn holds_ascii(&mut self, text: &str, held: &mut [bool]) -> bool {
        let bytes = text.as_bytes();
        let tokenizer = &self.tokenizer;
        let token = |b: u8| tokenizer.is_ascii_token_byte(b);
        let mut any = false;
        for ((phrase, lead), held) in self.phrases.iter().zip(&self.leads).zip(held.iter_mut()) {
            let Some(lead) = lead else { continue };
            let first = lead[0];
            for start in memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes) {
                if start > 0 && token(bytes[start - 1])
                    || !bytes[start..]
                        .get(..lead.len())
                        .is_some_and(|b| b.eq_ignore_ascii_case(lead))
                {
                    continue;
                }
                // The phrase's words from `start`: tokenized on their own, they are the text's
                // tokens there (a token never runs past a word's end).
                let mut end = start;
                for k in 0..phrase.terms.len() {
                    if k > 0 {
                        while end < bytes.len() && !token(bytes[end]) {
                            end += 1;
                        }
                    }
                    while end < bytes.len() && token(bytes[end]) {
                        end += 1;
                    }
                }
                self.tokens.read(tokenizer, &text[start..end]);
                if self.tokens.len() == phrase.terms.len() && phrase.matches_at(&self.tokens, 0) {
                    *held = true;
                    any = true;
                    break;
                }
            }
        }
        any
    }

    /// The byte ranges of `text` that FTS5's `highlight()` marks for the phrases; empty when it
    /// holds none.
    pub(crate) fn highlights(&mut self, text: &str) -> Vec<Range<usize>> {
        self.read(text);
        // Every match as (first token, last token), ordered by where it starts.
        let mut found: Vec<(usize, usize)> = Vec::new();
        for phrase in self.phrases {
            let n = phrase.terms.len();
            if n == 0 || n > self.tokens.len() {
                continue;
            }
            for at in 0..=self.tokens.len() - n {
                if phrase.matches_at(&self.tokens, at) {
                    found.push((at, at + n - 1));
                }
            }
        }
        found.sort_unstable();
        // `fts5CInstIterNext`: a match starting at or before the end of the span being built
        // joins it; one starting after (even right after) opens the next span.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (start, end) in found {
            match spans.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => spans.push((start, end)),
            }
        }
        spans
            .into_iter()
            .map(|(first, last)| self.tokens.spans[first].1.start..self.tokens.spans[last].1.end)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Phrase, Tokenizer};

    /// Pieces of English words, Porter's suffixes among them, so that every rule fires, often
    /// one after another.
    const PIECES: &[&str] = &[
        "a", "e", "i", "o", "u", "y", "b", "c", "d", "g", "l", "n", "p", "r", "s", "t", "z", "ing",
        "ed", "ies", "sses", "ss", "eed", "at", "bl", "iz", "ll", "ational", "tional", "enci",
        "anci", "izer", "logi", "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator",
        "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative",
        "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible",
        "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "ly",
        "ency",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The premise of `Phrase::lead`: an ASCII word's term begins with the word's first
        /// `max(1, len(term) - STEM_TAIL)` bytes (folded).
        #[test]
        fn an_ascii_words_lead_starts_it(
            pieces in prop::collection::vec(0..PIECES.len(), 1..7),
            upper in any::<u64>(),
        ) {
            let word: String = pieces
                .iter()
                .map(|&p| PIECES[p])
                .collect::<String>()
                .chars()
                .enumerate()
                .map(|(i, c)| if upper >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
                .collect();
            let phrase = Phrase::new(&Tokenizer::new(), &word, false);
            prop_assert_eq!(phrase.terms.len(), 1);
            let lead = phrase.lead().unwrap();
            prop_assert!(
                word.to_ascii_lowercase().as_bytes().starts_with(&lead),
                "{} stems to {:?}, lead {:?}",
                word,
                String::from_utf8_lossy(&phrase.terms[0]),
                String::from_utf8_lossy(&lead)
            );
        }
    }
}
