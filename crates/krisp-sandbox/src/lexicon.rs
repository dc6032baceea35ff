//! Words for generated meetings: a Zipf-drawn vocabulary, rare tokens, and compact transcripts.
//!
//! The vocabulary is `assets/sandbox/words.txt` (about 3,500 English words, most frequent first)
//! and `assets/sandbox/business.txt` (about 250 business and software terms). A word is drawn
//! with probability proportional to 1/rank from a 65,536-slot table, so a draw is one random
//! number and one lookup. Business terms make up one word in eight.
//!
//! Rare tokens (company and code names, ticket numbers, money figures) are made from the seed,
//! each unique and no substring of any other text the generator writes, so a substring or
//! full-text search for one finds exactly the meetings it was put in (see
//! [`super::generate::rare_tokens`]).
//!
//! A transcript is stored as one `u16` per word: 13 bits of token id, 2 bits of punctuation
//! after it and 1 bit for a capital letter. Ten thousand meetings of real length (about 4,000
//! words each) take about 80 MB this way, a quarter of their text.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock, OnceLock};

use super::generate::SplitMix64;

const WORDS: &str = include_str!("../assets/sandbox/words.txt");
const BUSINESS: &str = include_str!("../assets/sandbox/business.txt");

const ID_MASK: u16 = 0x1fff;
/// Token ids available: vocabulary plus rare tokens.
pub const MAX_TOKENS: usize = ID_MASK as usize + 1;
const PUNCT_SHIFT: u16 = 13;
const CAPITAL: u16 = 1 << 15;
const PUNCTUATION: [&str; 4] = ["", ",", ".", "?"];
const SAMPLER_BITS: u32 = 16;

/// The phrase that generated data holds in a known set of meetings and nowhere else
/// ([`super::generate::phrase_meetings`]). Each word also occurs on its own all over the place.
pub const PHRASE: &str = "renewal pipeline forecast";
const PHRASE_WORDS: [&str; 3] = ["renewal", "pipeline", "forecast"];

pub struct Vocabulary {
    words: Vec<&'static str>,
    common_table: Box<[u16]>,
    business_table: Box<[u16]>,
    /// For each word, which of [`PHRASE_WORDS`] it starts with (so "forecasts" counts too).
    phrase_slot: Vec<Option<u8>>,
}

fn read(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
}

/// Slot `j` of the table holds the word whose share of the 1/rank mass covers `(j + 0.5) / 2^16`.
fn zipf_table(first_id: usize, count: usize) -> Box<[u16]> {
    let slots = 1usize << SAMPLER_BITS;
    let total: f64 = (1..=count).map(|rank| 1.0 / rank as f64).sum();
    let mut table = Vec::with_capacity(slots);
    let mut rank = 0;
    let mut cumulative = 1.0 / total;
    for slot in 0..slots {
        let at = (slot as f64 + 0.5) / slots as f64;
        while at > cumulative && rank + 1 < count {
            rank += 1;
            cumulative += 1.0 / ((rank + 1) as f64 * total);
        }
        table.push((first_id + rank) as u16);
    }
    table.into_boxed_slice()
}

pub static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut seen = HashSet::new();
    let mut words: Vec<&'static str> = read(WORDS).filter(|w| seen.insert(*w)).collect();
    let common = words.len();
    words.extend(read(BUSINESS).filter(|w| seen.insert(*w)));
    let phrase_slot = words
        .iter()
        .map(|word| {
            PHRASE_WORDS
                .iter()
                .position(|p| word.starts_with(p))
                .map(|slot| slot as u8)
        })
        .collect();
    Vocabulary {
        common_table: zipf_table(0, common),
        business_table: zipf_table(common, words.len() - common),
        words,
        phrase_slot,
    }
});

impl Vocabulary {
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn id(&self, word: &str) -> Option<u16> {
        self.words
            .iter()
            .position(|w| *w == word)
            .map(|id| id as u16)
    }

    /// A word drawn by rank (one in eight a business term), from one random number.
    fn draw(&self, random: u64) -> u16 {
        let slot = (random >> (64 - SAMPLER_BITS)) as usize;
        if random & 7 == 0 {
            self.business_table[slot]
        } else {
            self.common_table[slot]
        }
    }
}

/// What a rare token stands for; tests pick by kind (a `Company` or `CodeName` is one word to a
/// full-text tokenizer, a `Ticket` or `Figure` is several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RareKind {
    Company,
    CodeName,
    Ticket,
    Figure,
}

/// The vocabulary plus one data set's rare tokens; generated transcripts hold an `Arc` of it.
pub struct Lexicon {
    vocabulary: &'static Vocabulary,
    rare: Vec<(String, RareKind)>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("words", &self.vocabulary.len())
            .field("rare", &self.rare.len())
            .finish()
    }
}

const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
const VOWELS: &[u8] = b"aeiou";
const TICKET_PREFIXES: &[&str] = &["INC", "OPS", "SEC", "SUP", "ENG"];

impl Lexicon {
    /// `count` rare tokens made from `seed`; `forbidden` is other fixed text the generator
    /// writes (names, templates), which no rare token may be a substring of.
    pub fn new(count: usize, seed: u64, forbidden: &[&str]) -> Self {
        let vocabulary = &*VOCABULARY;
        let count = count.min(MAX_TOKENS - vocabulary.len());
        // Every 7-letter window of the fixed text: an invented 7-letter name must not be one.
        let mut windows: HashSet<Vec<u8>> = HashSet::new();
        for text in vocabulary
            .words
            .iter()
            .copied()
            .chain(forbidden.iter().copied())
        {
            let lower = text.to_lowercase().into_bytes();
            for window in lower.windows(7) {
                windows.insert(window.to_vec());
            }
        }
        let mut rng = SplitMix64::new(seed ^ 0x7a4e_70ce);
        let mut taken = HashSet::new();
        let mut numbers = HashSet::new();
        let mut rare = Vec::with_capacity(count);
        while rare.len() < count {
            let kind = match rng.below(20) {
                0..=7 => RareKind::Company,
                8..=11 => RareKind::CodeName,
                12..=16 => RareKind::Ticket,
                _ => RareKind::Figure,
            };
            let token = match kind {
                // Seven letters, consonant-vowel alternating: `Vatorik`, `Dumelas`.
                RareKind::Company | RareKind::CodeName => {
                    let mut word: Vec<u8> = (0..7)
                        .map(|i| {
                            if i % 2 == 0 {
                                *rng.pick(CONSONANTS)
                            } else {
                                *rng.pick(VOWELS)
                            }
                        })
                        .collect();
                    if windows.contains(&word) {
                        continue;
                    }
                    if kind == RareKind::Company {
                        word[0] = word[0].to_ascii_uppercase();
                    }
                    String::from_utf8(word).unwrap_or_default()
                }
                // Five digits unique across prefixes, so the number alone is rare too.
                RareKind::Ticket => {
                    let number = rng.between(10_000, 99_999);
                    if !numbers.insert(number) {
                        continue;
                    }
                    format!("{}-{number}", rng.pick(TICKET_PREFIXES))
                }
                // `$4.7M`, `$12.5M`, `$340K`: none is a substring of another (the `$` anchors).
                RareKind::Figure => match rng.below(3) {
                    0 => format!("${}.{}M", rng.between(1, 9), rng.between(1, 9)),
                    1 => format!("${}.{}M", rng.between(10, 99), rng.between(1, 9)),
                    _ => format!("${}0K", rng.between(10, 99)),
                },
            };
            if taken.insert(token.to_lowercase()) {
                rare.push((token, kind));
            }
        }
        Self { vocabulary, rare }
    }

    pub fn rare(&self) -> &[(String, RareKind)] {
        &self.rare
    }

    /// The token id of rare token `index`.
    pub fn rare_id(&self, index: usize) -> u16 {
        (self.vocabulary.len() + index) as u16
    }

    fn text(&self, id: u16) -> &str {
        let id = usize::from(id & ID_MASK);
        match self.vocabulary.words.get(id) {
            Some(word) => word,
            None => self
                .rare
                .get(id - self.vocabulary.len())
                .map_or("", |(token, _)| token),
        }
    }

    fn token_count(&self) -> usize {
        self.vocabulary.len() + self.rare.len()
    }

    /// The ids of tokens whose lowercase text contains `piece` (lowercase).
    fn containing(&self, piece: &str) -> IdSet {
        let mut set = IdSet::default();
        for id in 0..self.token_count() as u16 {
            if self.text(id).to_lowercase().contains(piece) {
                set.insert(id);
            }
        }
        set
    }
}

/// A set of token ids.
#[derive(Clone, Default)]
pub struct IdSet(Vec<u64>);

impl IdSet {
    fn insert(&mut self, id: u16) {
        let id = usize::from(id & ID_MASK);
        if self.0.len() <= id / 64 {
            self.0.resize(id / 64 + 1, 0);
        }
        self.0[id / 64] |= 1 << (id % 64);
    }

    fn intersects(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

/// Draws words and punctuates them into sentences, never producing [`PHRASE`] by chance.
pub struct Writer<'a> {
    pub rng: &'a mut SplitMix64,
    vocabulary: &'static Vocabulary,
    /// Phrase slots of the last two words.
    last: [Option<u8>; 2],
    /// Words left in the current sentence (0: the next word starts one).
    sentence_left: u32,
}

impl<'a> Writer<'a> {
    pub fn new(rng: &'a mut SplitMix64) -> Self {
        Self {
            rng,
            vocabulary: &VOCABULARY,
            last: [None, None],
            sentence_left: 0,
        }
    }

    fn word(&mut self) -> u16 {
        loop {
            let id = self.vocabulary.draw(self.rng.next_u64());
            let slot = self.vocabulary.phrase_slot[usize::from(id)];
            if self.last == [Some(0), Some(1)] && slot == Some(2) {
                continue;
            }
            self.last = [self.last[1], slot];
            return id;
        }
    }

    /// Appends `count` encoded words; the last one ends its sentence.
    pub fn words(&mut self, count: u32, out: &mut Vec<u16>) {
        for left in (0..count).rev() {
            let mut token = self.word();
            if self.sentence_left == 0 {
                token |= CAPITAL;
                self.sentence_left = self.rng.between(4, 22);
            }
            self.sentence_left -= 1;
            let punct = if self.sentence_left == 0 || left == 0 {
                self.sentence_left = 0;
                if self.rng.chance(15) { 3 } else { 2 }
            } else if self.rng.chance(7) {
                1
            } else {
                0
            };
            out.push(token | (punct << PUNCT_SHIFT));
        }
    }

    /// A sentence of `low..=high` words as text, for notes.
    pub fn sentence(&mut self, low: u32, high: u32) -> String {
        let mut tokens = Vec::new();
        let count = self.rng.between(low, high);
        self.sentence_left = count;
        // Capitalise the first word by hand: `words` only does it at a sentence start.
        self.words(count, &mut tokens);
        if let Some(first) = tokens.first_mut() {
            *first |= CAPITAL;
        }
        let words = &self.vocabulary.words;
        render_tokens(&tokens, |id| {
            words.get(usize::from(id)).copied().unwrap_or("")
        })
    }
}

/// Replaces the word at `at` with another token, keeping its capital and punctuation.
pub fn overwrite(tokens: &mut [u16], at: usize, id: u16) {
    if let Some(token) = tokens.get_mut(at) {
        *token = (*token & !ID_MASK) | (id & ID_MASK);
    }
}

/// Encoded words of [`PHRASE`], the first keeping `keep`'s capital and the last its punctuation.
pub fn put_phrase(tokens: &mut [u16], at: usize) {
    let vocabulary = &*VOCABULARY;
    for (offset, word) in PHRASE_WORDS.iter().enumerate() {
        let Some(id) = vocabulary.id(word) else {
            continue;
        };
        if let Some(token) = tokens.get_mut(at + offset) {
            let keep = if offset < 2 {
                *token & CAPITAL
            } else {
                *token & !ID_MASK
            };
            *token = keep | id;
        }
    }
}

fn render_tokens<'t>(tokens: &[u16], text: impl Fn(u16) -> &'t str) -> String {
    let mut out = String::with_capacity(tokens.len() * 7);
    for (n, &token) in tokens.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let word = text(token & ID_MASK);
        let capital = token & CAPITAL != 0 || word == "i";
        let mut chars = word.chars();
        if capital && let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        } else {
            out.push_str(word);
        }
        out.push_str(PUNCTUATION[usize::from(token >> PUNCT_SHIFT & 3)]);
    }
    out
}

/// One turn of a generated transcript: its words are `tokens[previous end..end]`.
#[derive(Debug, Clone, Copy)]
pub struct CompactTurn {
    pub start_s: u32,
    pub end: u32,
    pub speaker: u8,
}

/// A generated transcript: encoded words, turn boundaries, and which tokens occur (for search).
#[derive(Clone)]
pub struct GeneratedTranscript {
    pub turns: Vec<CompactTurn>,
    pub tokens: Box<[u16]>,
    present: IdSet,
    lexicon: Arc<Lexicon>,
}

impl std::fmt::Debug for GeneratedTranscript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedTranscript")
            .field("turns", &self.turns.len())
            .field("words", &self.tokens.len())
            .finish()
    }
}

impl GeneratedTranscript {
    pub fn new(turns: Vec<CompactTurn>, tokens: Vec<u16>, lexicon: Arc<Lexicon>) -> Self {
        let mut present = IdSet::default();
        for &token in &tokens {
            present.insert(token);
        }
        Self {
            turns,
            tokens: tokens.into_boxed_slice(),
            present,
            lexicon,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    /// Turn `index`'s text.
    pub fn text(&self, index: usize) -> String {
        let start = index
            .checked_sub(1)
            .and_then(|previous| self.turns.get(previous))
            .map_or(0, |turn| turn.end as usize);
        let end = self
            .turns
            .get(index)
            .map_or(start, |turn| turn.end as usize);
        render_tokens(&self.tokens[start..end], |id| self.lexicon.text(id))
    }

    /// Whether the lowercase text (turns joined by newlines) contains the query. Each run of
    /// letters and digits in the query lies inside one token, so a meeting lacking a token for
    /// any run cannot match; a query that is one such run matches exactly when one is there.
    /// Only what is left (several runs, all present) is checked against the rendered text.
    pub fn matches(&self, query: &GeneratedQuery) -> bool {
        let candidates = query.candidates.get_or_init(|| {
            query
                .pieces
                .iter()
                .map(|piece| self.lexicon.containing(piece))
                .collect()
        });
        if !candidates.iter().all(|set| set.intersects(&self.present)) {
            return false;
        }
        if query.pieces.len() == 1 && query.pieces[0] == query.needle {
            return true;
        }
        let text = (0..self.turns.len())
            .map(|index| self.text(index).to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        text.contains(&query.needle)
    }
}

/// A lowercase search string prepared for generated transcripts. One data set has one lexicon,
/// so the tokens holding each part of the query are found once per search, at the first
/// transcript asked.
pub struct GeneratedQuery {
    needle: String,
    /// The distinct runs of letters and digits in the needle.
    pieces: Vec<String>,
    candidates: OnceLock<Vec<IdSet>>,
}

impl GeneratedQuery {
    pub fn new(needle: &str) -> Self {
        let mut pieces: Vec<String> = Vec::new();
        for piece in needle.split(|c: char| !c.is_alphanumeric()) {
            if !piece.is_empty() && !pieces.iter().any(|p| p == piece) {
                pieces.push(piece.to_owned());
            }
        }
        Self {
            needle: needle.to_owned(),
            pieces,
            candidates: OnceLock::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_has_thousands_of_words_and_the_phrase() {
        let vocabulary = &*VOCABULARY;
        assert!(vocabulary.len() > 3000, "{}", vocabulary.len());
        assert!(vocabulary.len() < MAX_TOKENS / 2);
        for word in PHRASE_WORDS {
            assert!(vocabulary.id(word).is_some(), "{word}");
        }
    }

    #[test]
    fn draws_follow_rank() {
        let vocabulary = &*VOCABULARY;
        let mut rng = SplitMix64::new(3);
        let mut counts = vec![0u32; vocabulary.len()];
        for _ in 0..200_000 {
            counts[usize::from(vocabulary.draw(rng.next_u64()))] += 1;
        }
        // "the" (rank 1) about ten times "you" (rank 10); business terms one in eight.
        let (the, you) = (counts[0], counts[10]);
        assert!(the > 7 * you && the < 14 * you, "{the} vs {you}");
        let common = usize::from(vocabulary.business_table[0]);
        let business: u32 = counts[common..].iter().sum();
        assert!((20_000..30_000).contains(&business), "{business}");
        assert!(counts.iter().filter(|&&n| n > 0).count() > 3000);
    }

    #[test]
    fn the_phrase_is_never_written_by_chance() {
        let mut rng = SplitMix64::new(9);
        let mut writer = Writer::new(&mut rng);
        let text: String = (0..3000)
            .map(|_| writer.sentence(3, 30).to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        assert!(!words.windows(3).any(|w| w[0].starts_with("renewal")
            && w[1].starts_with("pipeline")
            && w[2].starts_with("forecast")));
    }

    #[test]
    fn rare_tokens_are_unique_and_contain_no_fixed_text() {
        let lexicon = Lexicon::new(3000, 5, &["Daniel Brooks"]);
        let lower: Vec<String> = lexicon.rare.iter().map(|(t, _)| t.to_lowercase()).collect();
        let distinct: HashSet<&String> = lower.iter().collect();
        assert_eq!(distinct.len(), 3000);
        for (token, kind) in lexicon.rare() {
            match kind {
                RareKind::Company | RareKind::CodeName => {
                    let lower = token.to_lowercase();
                    assert!(
                        !VOCABULARY.words.iter().any(|w| w.contains(&lower)),
                        "{token}"
                    );
                }
                RareKind::Ticket => assert!(token.len() == 9 && token.as_bytes()[3] == b'-'),
                RareKind::Figure => assert!(token.starts_with('$')),
            }
        }
    }

    #[test]
    fn turns_render_as_sentences() {
        let mut rng = SplitMix64::new(1);
        let mut tokens = Vec::new();
        Writer::new(&mut rng).words(40, &mut tokens);
        let lexicon = Arc::new(Lexicon::new(10, 1, &[]));
        let turns = vec![CompactTurn {
            start_s: 0,
            end: 40,
            speaker: 0,
        }];
        let transcript = GeneratedTranscript::new(turns, tokens, lexicon);
        let text = transcript.text(0);
        assert!(text.starts_with(|c: char| c.is_uppercase()), "{text}");
        assert!(text.ends_with(['.', '?']), "{text}");
        assert_eq!(text.split(' ').count(), 40, "{text}");
    }
}
