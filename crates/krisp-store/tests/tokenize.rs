//! `krisp_store::tokenize` against SQLite's own FTS5, the thing it must copy exactly: each text
//! goes into an FTS5 table with the store's `tokenize` option, and the terms FTS5 indexed (read
//! back in token order from an `fts5vocab` 'instance' table) must be the tokenizer's terms; and
//! `highlight()` of a search for each term must mark exactly the byte ranges the tokenizer gives
//! the tokens with that term.

mod common;

use std::ops::Range;

use krisp_store::TURN_SEPARATOR;
use krisp_store::tokenize::{MAX_TERM_BYTES, Tokenizer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::Connection;

/// `turns_fts`'s option.
const TURNS: &str = "porter unicode61 remove_diacritics 2";

/// `meeting_fts`'s option: turns are joined by U+E002, a token character.
fn meetings_option() -> String {
    format!("{TURNS} tokenchars '{TURN_SEPARATOR}'")
}

/// An in-memory FTS5 table with one `tokenize` option, and its instance vocabulary.
struct Fts5 {
    conn: Connection,
}

impl Fts5 {
    fn new(tokenize: &str) -> Fts5 {
        let conn = Connection::open_in_memory().unwrap();
        let option = tokenize.replace('\'', "''");
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize = '{option}', detail = full);
             CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');"
        ))
        .unwrap();
        Fts5 { conn }
    }

    /// Makes `text` the table's only row.
    fn set(&self, text: &str) {
        self.conn.execute("DELETE FROM t", []).unwrap();
        self.conn
            .execute("INSERT INTO t(rowid, x) VALUES (1, ?1)", [text])
            .unwrap();
    }

    /// The terms FTS5 indexed for the row, in token order.
    fn terms(&self) -> Vec<Vec<u8>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT term, offset FROM v ORDER BY offset")
            .unwrap();
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get_ref(0)?.as_bytes().unwrap().to_vec(),
                    row.get::<_, usize>(1)?,
                ))
            })
            .unwrap();
        rows.enumerate()
            .map(|(i, row)| {
                let (term, offset) = row.unwrap();
                assert_eq!(offset, i, "FTS5 gave two terms one offset");
                term
            })
            .collect()
    }

    /// The row as `highlight(t, 0, '[', ']')` marks a search for the phrase `words`.
    fn highlight(&self, words: &str) -> String {
        let query = format!("\"{}\"", words.replace('"', "\"\""));
        self.conn
            .query_row(
                "SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1",
                [query],
                |row| row.get(0),
            )
            .unwrap()
    }
}

/// The tokenizer's tokens of `text`, owned.
fn ours(tokenizer: &Tokenizer, text: &str) -> Vec<(Vec<u8>, Range<usize>)> {
    let mut tokens = Vec::new();
    tokenizer.for_each_token(text, |token| {
        tokens.push((token.term.to_vec(), token.range))
    });
    tokens
}

/// Shows a term's bytes as text where they are UTF-8.
fn show(term: &[u8]) -> String {
    String::from_utf8_lossy(term).into_owned()
}

/// Asserts the tokenizer gives `text` the terms FTS5 does. Returns the tokens.
fn assert_same_terms(
    fts: &Fts5,
    tokenizer: &Tokenizer,
    text: &str,
) -> Vec<(Vec<u8>, Range<usize>)> {
    fts.set(text);
    let theirs = fts.terms();
    let tokens = ours(tokenizer, text);
    let mine: Vec<&[u8]> = tokens.iter().map(|(term, _)| term.as_slice()).collect();
    if mine != theirs {
        let at = mine
            .iter()
            .zip(&theirs)
            .position(|(a, b)| *a != b.as_slice())
            .unwrap_or(mine.len().min(theirs.len()));
        let near = tokens.get(at).map(|(_, range)| {
            let mut start = range.start.saturating_sub(12);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = text.len().min(range.end + 12);
            while !text.is_char_boundary(end) {
                end += 1;
            }
            &text[start..end]
        });
        panic!(
            "terms differ at token {at}, near {near:?} (of {} bytes): ours {:?}, FTS5's {:?}; \
             ours has {} tokens, FTS5 {}",
            text.len(),
            mine.get(at).map(|t| show(t)),
            theirs.get(at).map(|t| show(t)),
            mine.len(),
            theirs.len()
        );
    }
    tokens
}

/// Asserts the tokenizer gives `text` the terms FTS5 does, and (for text without NUL, which
/// `highlight()` stops at) that FTS5 highlights each term where the tokenizer's ranges say.
/// Returns the tokens.
fn assert_as_fts5(fts: &Fts5, tokenizer: &Tokenizer, text: &str) -> Vec<(Vec<u8>, Range<usize>)> {
    let tokens = assert_same_terms(fts, tokenizer, text);
    if !text.contains('\0') {
        let mut seen: Vec<&[u8]> = Vec::new();
        for (term, range) in &tokens {
            if seen.contains(&term.as_slice()) {
                continue;
            }
            seen.push(term);
            let mut expected = String::new();
            let mut copied = 0;
            for (_, hit) in tokens.iter().filter(|(t, _)| t == term) {
                expected.push_str(&text[copied..hit.start]);
                expected.push('[');
                expected.push_str(&text[hit.clone()]);
                expected.push(']');
                copied = hit.end;
            }
            expected.push_str(&text[copied..]);
            let words = &text[range.clone()];
            assert_eq!(
                fts.highlight(words),
                expected,
                "FTS5 highlights {words:?} (term {:?}) elsewhere",
                show(term)
            );
        }
    }
    tokens
}

/// The terms of `text` as text, for the tests that spell them out.
fn terms(text: &str) -> Vec<String> {
    let fts = Fts5::new(TURNS);
    assert_as_fts5(&fts, &Tokenizer::new(), text)
        .into_iter()
        .map(|(term, _)| show(&term))
        .collect()
}

#[test]
fn english_with_punctuation_numbers_apostrophes_and_hyphens() {
    assert_eq!(
        terms("Don't e-mail me: it's 3.5% (not 35%)!"),
        [
            "don", "t", "e", "mail", "me", "it", "s", "3", "5", "not", "35"
        ]
    );
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    for text in [
        "",
        "   ",
        "...!?",
        "Hello, world. How are you doing today? I'm fine -- thanks!",
        "We shipped v2.0.1 on 2024-10-01 at 09:30; revenue was $1,200,000 (up 12.5%).",
        "O'Brien's team—the follow-up e-mail—said: \"it's done\"... or isn't it?",
        "user@example.com https://example.com/a_b?c=d#e snake_case camelCase ALLCAPS",
        "tab\tseparated\nnew line\r\nwindows line\x0bvertical\x0cform\x07bell\x1bescape",
        "ends with a word",
        "The sandbox's rare tokens: INFRA-4521 closed, $2.4M and $35.7M signed, $450K left.",
        "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "0 1 22 333 4444 55555 3.14159 1e10 0x1F 1_000",
    ] {
        assert_as_fts5(&fts, &tokenizer, text);
    }
}

#[test]
fn words_the_porter_stemmer_treats_specially() {
    assert_eq!(
        terms("generalizations oscillators relational happy sky agreed"),
        ["gener", "oscil", "relat", "happi", "sky", "agre"]
    );
    let words = "generalizations oscillators relational happy sky agreed feed hopping falling \
        conditional valenci digitizer operator formalize electriciti hopeful goodness revival \
        allowance inference airliner gyroscopic adjustable defensible irritant replacement \
        adjustment dependent adoption homologou communism activate angulariti homologous \
        effective bowdlerize probate rate cease controll roll caresses ponies ties caress cats \
        plastered bled motoring sing conflated troubled sized hopping tanned hissing fizzed \
        failing filing happy sky relational conditional rational valenci hesitanci digitizer \
        conformabli radicalli differentli vileli analogousli vietnamization predication \
        operator feudalism decisiveness hopefulness callousness formaliti sensitiviti \
        sensibiliti triplicate formative formalize electriciti electrical hopeful goodness \
        revival allowance inference airliner gyroscopic adjustable defensible irritant \
        replacement adjustment dependent adoption homologou communism activate angulariti \
        homologous effective bowdlerize probate rate cease controll roll agreement eed ed ing \
        aed ied aing sing bing ying yes yyy eyes says plays toys ies sses ss s es is us was \
        abated abbled ablize abling ableness ableful fully tally skies dying lying tying \
        generously ably ality ness ful ement ment ent ion sion tion ition ation ization \
        ousness iveness fulness alism aliti iviti biliti logi ousli entli alli bli eli anci \
        enci izer ator ational tional ical icate iciti ative alize bowled filled tolled";
    let fts = Fts5::new(TURNS);
    assert_as_fts5(&fts, &Tokenizer::new(), words);
    // Each word alone, and in capitals, as some steps look at the start of the word.
    for word in words.split_whitespace() {
        assert_as_fts5(&fts, &Tokenizer::new(), word);
        assert_as_fts5(&fts, &Tokenizer::new(), &word.to_uppercase());
    }
}

#[test]
fn the_sandbox_vocabulary_stems_as_fts5_stems_it() {
    let words = common::vocabulary();
    assert!(words.len() > 3_000, "{} words", words.len());
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    // In texts of 100 words: highlight() reads the whole text once per distinct term.
    let mut tokens = 0;
    for chunk in words.chunks(100) {
        tokens += assert_as_fts5(&fts, &tokenizer, &chunk.join(" ")).len();
        // With the suffixes English adds, each of which the stemmer handles on its own.
        for suffix in [
            "s", "es", "ed", "ing", "er", "ly", "ness", "ation", "ize", "ful", "ment",
        ] {
            let text: Vec<String> = chunk.iter().map(|w| format!("{w}{suffix}")).collect();
            assert_as_fts5(&fts, &tokenizer, &text.join(", "));
        }
    }
    assert_eq!(tokens, words.len());
}

#[test]
fn long_words_are_not_stemmed_and_very_long_ones_are_cut() {
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    for len in [60, 61, 62, 63, 64, 65, 66, 70, 100, 200] {
        let base = "abcdefghij".repeat(len / 10 + 1);
        for suffix in ["ing", "ed", "s", "ational", "ness", "y", "e", "ll"] {
            let word = format!("{}{suffix}", &base[..len - suffix.len()]);
            assert_as_fts5(
                &fts,
                &tokenizer,
                &format!("{word} {} x", word.to_uppercase()),
            );
        }
    }
    // Bytes, not characters, count: 30 two-byte letters make a 60-byte token, 33 a 66-byte one.
    for count in [20, 30, 31, 32, 33, 40] {
        let word = format!("{}ing", "é".repeat(count));
        assert_as_fts5(&fts, &tokenizer, &word);
        let word = format!("{}ations", "Ω".repeat(count));
        assert_as_fts5(&fts, &tokenizer, &word);
    }
    // FTS5 keeps the first 32,768 bytes of a term, even mid-character.
    for len in [
        MAX_TERM_BYTES - 1,
        MAX_TERM_BYTES,
        MAX_TERM_BYTES + 1,
        40_000,
    ] {
        let word: String = "x".repeat(len - 2) + "ж";
        let tokens = assert_as_fts5(&fts, &tokenizer, &format!("a {word} b"));
        assert_eq!(tokens[1].0.len(), (len).min(MAX_TERM_BYTES));
        assert_eq!(tokens[1].1, 2..2 + len);
    }
}

#[test]
fn accents_scripts_emoji_and_private_use_characters() {
    assert_eq!(
        terms("Café naïve Ångström Straße ŒUVRE İstanbul"),
        ["cafe", "naiv", "angstrom", "straß", "œuvr", "istanbul"]
    );
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    for text in [
        "café CAFÉ cafe\u{301} naïve Ångström Straße STRASSE ß ẞ Œuvre œuvre İstanbul ıi IJ ĳ",
        "Ärger Öl Übermaß façade jalapeño smörgåsbord Dvořák Łódź Đorđe ǅemal Ǆ ǆ",
        "Tiếng Việt có dấu: Nguyễn Thị Minh Khai, Hà Nội, Đà Nẵng, ếch, ỡ",
        "Ελληνικά: Καλημέρα κόσμε, ΣΟΦΊΑ σοφία ς ΐ ΰ ᾼ ᾳ ῼ",
        "Русский: Привет, мир! Ёлка ёлка ЙОД Щука ҐАНОК",
        "中文文本，没有空格。日本語のテキスト、カタカナ。한국어 텍스트",
        "العربية: مرحبا بالعالم، ١٢٣ ٤٥٦ עברית: שלום עולם",
        "हिन्दी पाठ ગુજરાતી தமிழ் ไทย ລາວ ཀ ᠮᠣᠩᠭᠣᠯ",
        "emoji 😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ ✔ word😀word a👍b",
        "combining alone: \u{301} \u{300}\u{301} x\u{301}y \u{308}a a\u{308} \u{20dd} a\u{20dd}b",
        "\u{301}start a\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}\u{309}\u{30a}b",
        "private \u{e000} \u{e002} a\u{e002}b \u{f8ff} \u{f0000} \u{10fffd} x\u{10fffd}y \u{fffd}",
        "non-characters \u{fffe} \u{ffff} a\u{fffe}b a\u{ffff}b \u{1fffe}",
        "unassigned \u{378} a\u{378}b \u{e0080} \u{2fffd} \u{10ffff}",
        "controls \u{1}\u{2}\u{7f}\u{80}\u{9f} a\u{85}b \u{200b}zero\u{200d}width\u{feff}bom",
        "Mixed: naïveБыстро中文abc123٣٤Ωmega ℌℑ ﬁ ﬀ Ⅻ ⅻ ① ½ ²³ Ⓐⓐ Ｆｕｌｌ ｗｉｄｔｈ",
        "𐐀𐐁 𐐨 Deseret 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙 Kelvin K Å Ω",
        "Turn one \u{e002} turn two \u{e002} turn three",
    ] {
        assert_as_fts5(&fts, &tokenizer, text);
    }
}

#[test]
fn porter_can_cut_a_character_in_two_as_fts5_does() {
    // "a₂ing" loses "ing", then the last of two equal bytes (U+2082 is E2 82 82), as a doubled
    // consonant would: FTS5 indexes a term that is not UTF-8.
    let fts = Fts5::new(TURNS);
    let tokens = assert_as_fts5(&fts, &Tokenizer::new(), "a\u{2082}ing x\u{2082}ed");
    assert_eq!(tokens[0].0, b"a\xe2\x82");
    assert_eq!(tokens[1].0, "x\u{2082}ed".as_bytes());
}

#[test]
fn every_code_point_alone_and_inside_a_word() {
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    let mut token_chars = 0;
    let mut start = 0u32;
    while start < 0x11_0000 {
        let end = start + 0x8000;
        let mut text = String::new();
        for c in (start..end)
            .filter_map(char::from_u32)
            .filter(|&c| c != '\0')
        {
            text.push('x');
            text.push(c);
            text.push_str("y ");
            text.push(c);
            text.push(' ');
        }
        let tokens = assert_same_terms(&fts, &tokenizer, &text);
        token_chars += tokens.iter().filter(|(term, _)| term[0] != b'x').count();
        start = end;
    }
    // Letters, digits and private use (plus what SQLite's tables leave out) are most of Unicode.
    assert!(
        token_chars > 900_000,
        "{token_chars} code points are tokens"
    );
}

#[test]
fn token_chars_join_words_as_fts5_joins_them() {
    let turns = ["Hello, it's me.", "Café — naïve?", "", "3.5% e-mail"];
    let joined = turns.join(&format!(" {TURN_SEPARATOR} "));
    let fts = Fts5::new(&meetings_option());
    let tokenizer = Tokenizer::with_token_chars(&TURN_SEPARATOR.to_string());
    let tokens = assert_as_fts5(&fts, &tokenizer, &joined);
    let separators = tokens
        .iter()
        .filter(|(term, _)| *term == TURN_SEPARATOR.to_string().as_bytes())
        .count();
    assert_eq!(separators, turns.len() - 1);
    assert_as_fts5(
        &fts,
        &tokenizer,
        &format!("a{TURN_SEPARATOR}b {TURN_SEPARATOR}"),
    );

    // ASCII punctuation, a non-ASCII separator, a letter already a token character, a
    // diacritic (ignored) and U+FFFE (read as U+FFFD).
    for chars in [
        "-_",
        "—…€",
        "a",
        "\u{301}",
        "\u{fffe}",
        "'.%",
        "-\u{e002}é\u{301}—",
    ] {
        let option = format!("{TURNS} tokenchars '{}'", chars.replace('\'', "''"));
        let fts = Fts5::new(&option);
        let tokenizer = Tokenizer::with_token_chars(chars);
        for text in [
            "e-mail snake_case it's 3.5% wait… 10€ a—b — café\u{301}",
            "a\u{fffd}b a\u{fffe}b a\u{ffff}b \u{fffd} ...---___",
            "x\u{301}y \u{301} a\u{e002}b",
        ] {
            assert_as_fts5(&fts, &tokenizer, text);
        }
    }
}

#[test]
fn a_generated_transcript_tokenizes_as_fts5_tokenizes_it() {
    let fts = Fts5::new(TURNS);
    let tokenizer = Tokenizer::new();
    for seed in 1..=3 {
        let text = common::transcript(seed, 17 * 1024);
        let tokens = assert_as_fts5(&fts, &tokenizer, &text);
        assert!(tokens.len() > 3_000, "{} tokens", tokens.len());
    }
}

/// A character of transcript-like text: mostly ASCII letters, some accented, punctuation,
/// spaces, digits, U+E002 and combining marks.
fn weighted_char() -> impl Strategy<Value = char> {
    prop_oneof![
        40 => prop::char::range('a', 'z'),
        8 => prop::char::range('A', 'Z'),
        6 => prop::sample::select("éèêëÉàâäÄçÇñÑöÖüÜßœŒıİøØåÅ".chars().collect::<Vec<_>>()),
        8 => prop::sample::select(" .,;:!?'\"-()%$/@#…—".chars().collect::<Vec<_>>()),
        12 => Just(' '),
        4 => prop::char::range('0', '9'),
        2 => Just(TURN_SEPARATOR),
        1 => prop::sample::select(vec!['\u{301}', '\u{308}', '\u{327}', '\u{20dd}']),
        1 => any::<char>(),
    ]
}

/// Runs `cases` cases of `strategy` through FTS5 and the tokenizer of both the store's options.
fn run_both_options(cases: u32, strategy: impl Strategy<Value = String>) {
    let options = [
        (Fts5::new(TURNS), Tokenizer::new()),
        (
            Fts5::new(&meetings_option()),
            Tokenizer::with_token_chars(&TURN_SEPARATOR.to_string()),
        ),
    ];
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    runner
        .run(&strategy, |text| {
            for (fts, tokenizer) in &options {
                assert_as_fts5(fts, tokenizer, &text);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_strings_tokenize_as_fts5() {
    run_both_options(3_000, any::<String>());
}

#[test]
fn arbitrary_characters_tokenize_as_fts5() {
    run_both_options(
        3_000,
        prop::collection::vec(any::<char>(), 0..64).prop_map(|chars| chars.into_iter().collect()),
    );
}

#[test]
fn transcript_like_strings_tokenize_as_fts5() {
    run_both_options(
        4_000,
        prop::collection::vec(weighted_char(), 0..160)
            .prop_map(|chars| chars.into_iter().collect()),
    );
}

/// Every suffix a Porter rule looks at.
const SUFFIXES: [&str; 66] = [
    "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "at", "bl", "iz", "y", "ational", "tional",
    "enci", "anci", "izer", "logi", "bli", "alli", "entli", "eli", "ousli", "ization", "ation",
    "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative",
    "alize", "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible",
    "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive",
    "ize", "e", "ll", "l", "z", "w",
];

#[test]
fn porter_suffixes_on_random_stems_stem_as_fts5() {
    // A stem of a few random letters (vowels, y and consonants in every order, so every
    // measure m and the *o condition come up), then one to three suffixes.
    let stem = prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(b"aeiou".to_vec()),
            1 => Just(b'y'),
            4 => prop::sample::select(b"bcdfghjklmnpqrstvwxz".to_vec()),
        ],
        0..7,
    );
    let suffixes = prop::collection::vec(prop::sample::select(SUFFIXES.to_vec()), 1..4);
    let word = (stem, suffixes)
        .prop_map(|(stem, suffixes)| String::from_utf8(stem).unwrap() + &suffixes.concat());
    run_both_options(
        3_000,
        prop::collection::vec(word, 1..8).prop_map(|words| words.join(" ")),
    );
}
