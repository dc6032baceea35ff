//! FTS5's `porter unicode61 remove_diacritics 2` tokenizer, ported from SQLite's C, so that the
//! turns of a meeting that hold a search's words (and where in each turn) can be found by
//! scanning the meeting's turns in Rust instead of keeping a second, per-turn FTS index
//! (issue 17).
//!
//! It must give exactly the terms and byte ranges the bundled SQLite's FTS5 gives: a turn whose
//! words FTS5 matched and this does not (or the other way round) is a hit the search shows
//! wrong. So it is a line-by-line port of `fts5UnicodeTokenize`, `sqlite3Fts5UnicodeFold`,
//! `sqlite3Fts5UnicodeCategory`, `fts5_remove_diacritic` and `fts5PorterCb` (SQLite 3.50.2),
//! with SQLite's own tables (in `tokenize/tables.rs`), quirks included: a token's length is
//! counted in bytes, Porter's rules work on bytes and can cut a multi-byte character (so a term
//! is `&[u8]`, not `&str`), code points SQLite's tables leave out are token characters. The
//! tests in `tests/tokenize.rs` hold it to FTS5 on every code point, the sandbox's vocabulary
//! and random text; change nothing here without them.

mod tables;

use std::ops::Range;

use tables::{BLOCK, DATA, DIA, DIA_CHAR, FOLD, FOLD_OFFSET, MAP};

/// FTS5 keeps at most this many bytes of a term (`FTS5_MAX_TOKEN_SIZE`), in its index and in a
/// query alike; [`Token::term`] is cut the same way.
pub const MAX_TERM_BYTES: usize = 32_768;

/// Tokens longer than this (in bytes, after folding) are not stemmed (`FTS5_PORTER_MAX_TOKEN`).
const PORTER_MAX_TOKEN: usize = 64;

/// `remove_diacritics 2`: also letters with several diacritics, or ones SQLite calls complex.
const REMOVE_DIACRITICS: u8 = 2;

/// The categories of the default `categories 'L* N* Co'`, as `sqlite3Fts5UnicodeCatParse` sets
/// them (indexes are SQLite's category numbers; 0, for a code point its tables do not list, is
/// always a token category).
const TOKEN_CATEGORIES: [bool; 32] = {
    let mut c = [false; 32];
    c[0] = true;
    // L*: Ll Lm Lo Lt Lu and LC.
    c[5] = true;
    c[6] = true;
    c[7] = true;
    c[8] = true;
    c[9] = true;
    c[30] = true;
    // N*: Nd Nl No.
    c[13] = true;
    c[14] = true;
    c[15] = true;
    // Co.
    c[31] = true;
    c
};

/// One token of a text, as FTS5 indexes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// The term: folded to lower case, diacritics removed, Porter-stemmed when 3 to 64 bytes
    /// long, and cut to [`MAX_TERM_BYTES`]. Usually UTF-8, but not always (see the module's
    /// header), so compare bytes.
    pub term: &'a [u8],
    /// The token's bytes in the text: its first character to its last, as FTS5's
    /// `highlight()` marks them. A combining diacritic after a letter belongs to the token.
    pub range: Range<usize>,
}

/// A tokenizer of one FTS5 `tokenize` option: `porter unicode61 remove_diacritics 2`, plus any
/// `tokenchars`.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    /// Whether each ASCII byte is a token character (`aTokenChar`).
    ascii: [bool; 128],
    /// Non-ASCII code points whose category says otherwise than `tokenchars` (`aiException`),
    /// sorted.
    exceptions: Vec<u32>,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer::new()
    }
}

impl Tokenizer {
    /// `tokenize = 'porter unicode61 remove_diacritics 2'`.
    pub fn new() -> Self {
        Tokenizer::with_token_chars("")
    }

    /// `tokenize = 'porter unicode61 remove_diacritics 2 tokenchars '<chars>''`: the characters
    /// of `chars` are token characters too. As in SQLite, the string ends at a NUL, and a
    /// combining diacritic in it is ignored.
    pub fn with_token_chars(chars: &str) -> Self {
        let mut ascii = [false; 128];
        // `sqlite3Fts5UnicodeAscii`: the ASCII range straight from the category table, which
        // lists it without gaps.
        let mut i = 0usize;
        let mut entry = 0usize;
        while i < 128 {
            let token = TOKEN_CATEGORIES[usize::from(DATA[entry] & 0x1f)];
            let end = usize::from(DATA[entry] >> 5) + i;
            while i < 128 && i < end {
                ascii[i] = token;
                i += 1;
            }
            entry += 1;
        }
        ascii[0] = false;

        // `fts5UnicodeAddExceptions(p, chars, 1)`.
        let mut exceptions: Vec<u32> = Vec::new();
        let chars = chars.split('\0').next().unwrap_or("");
        let bytes = chars.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let (code, next) = read_utf8(bytes, at);
            at = next;
            if code < 128 {
                ascii[code as usize] = true;
            } else if !TOKEN_CATEGORIES[category(code)] && !is_diacritic(code) {
                let i = exceptions.partition_point(|&e| e <= code);
                exceptions.insert(i, code);
            }
        }
        Tokenizer { ascii, exceptions }
    }

    /// Calls `each` with every token of `text` in order (the n-th call is FTS5's token offset
    /// n). The term borrows a buffer reused from token to token: copy it to keep it.
    ///
    /// ```
    /// use krisp_store::tokenize::Tokenizer;
    ///
    /// let mut tokens = Vec::new();
    /// Tokenizer::new().for_each_token("Generalizations, don't!", |token| {
    ///     tokens.push((String::from_utf8_lossy(token.term).into_owned(), token.range));
    /// });
    /// assert_eq!(tokens, [("gener".into(), 0..15), ("don".into(), 17..20), ("t".into(), 21..22)]);
    /// ```
    pub fn for_each_token(&self, text: &str, mut each: impl FnMut(Token<'_>)) {
        let bytes = text.as_bytes();
        let mut fold: Vec<u8> = Vec::with_capacity(64);
        let mut at = 0;
        loop {
            fold.clear();
            // Skip separators; a non-ASCII token character starts the token here.
            let start;
            loop {
                let Some(&b) = bytes.get(at) else { return };
                if b & 0x80 != 0 {
                    let (code, next) = read_utf8(bytes, at);
                    if self.is_token_char(code) {
                        start = at;
                        let folded = fold_code(code);
                        if folded != 0 {
                            write_utf8(&mut fold, folded);
                        }
                        at = next;
                        break;
                    }
                    at = next;
                } else if self.ascii[usize::from(b)] {
                    start = at;
                    break;
                } else {
                    at += 1;
                }
            }
            // The token's characters, folded into `fold`.
            let mut end = at;
            while let Some(&b) = bytes.get(at) {
                if b & 0x80 != 0 {
                    let (code, next) = read_utf8(bytes, at);
                    at = next;
                    if self.is_token_char(code) || is_diacritic(code) {
                        let folded = fold_code(code);
                        if folded != 0 {
                            write_utf8(&mut fold, folded);
                        }
                    } else {
                        break;
                    }
                } else if self.ascii[usize::from(b)] {
                    // The run of ASCII token characters from here, in one go.
                    let run = bytes[at..]
                        .iter()
                        .position(|&b| b & 0x80 != 0 || !self.ascii[usize::from(b)])
                        .map_or(bytes.len(), |len| at + len);
                    fold.extend(bytes[at..run].iter().map(u8::to_ascii_lowercase));
                    at = run;
                } else {
                    break;
                }
                end = at;
            }
            let stemmed = porter(&mut fold);
            let term = &fold[..stemmed.min(MAX_TERM_BYTES)];
            each(Token {
                term,
                range: start..end,
            });
        }
    }

    /// Whether the ASCII byte `b` is a token character (so that, in pure-ASCII text, the tokens
    /// are the runs of such bytes).
    pub fn is_ascii_token_byte(&self, b: u8) -> bool {
        self.ascii.get(usize::from(b)).copied().unwrap_or(false)
    }

    /// `fts5UnicodeIsAlnum`, for a code point of 128 or more.
    fn is_token_char(&self, code: u32) -> bool {
        TOKEN_CATEGORIES[category(code)] ^ self.exceptions.binary_search(&code).is_ok()
    }
}

/// `READ_UTF8` on valid UTF-8: the code point at `at` and where the next character starts.
/// SQLite reads U+FFFE and U+FFFF as U+FFFD.
fn read_utf8(bytes: &[u8], at: usize) -> (u32, usize) {
    let b0 = u32::from(bytes[at]);
    let cont = |i: usize| u32::from(bytes[at + i] & 0x3f);
    let (code, len) = if b0 < 0x80 {
        (b0, 1)
    } else if b0 < 0xe0 {
        ((b0 & 0x1f) << 6 | cont(1), 2)
    } else if b0 < 0xf0 {
        ((b0 & 0x0f) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        (
            (b0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            4,
        )
    };
    let code = if code & 0xffff_fffe == 0xfffe {
        0xfffd
    } else {
        code
    };
    (code, at + len)
}

/// `WRITE_UTF8`: any value below 2^21, as SQLite encodes it.
fn write_utf8(out: &mut Vec<u8>, c: u32) {
    if c < 0x80 {
        out.push(c as u8);
    } else if c < 0x800 {
        out.extend_from_slice(&[0xc0 | (c >> 6) as u8, 0x80 | (c & 0x3f) as u8]);
    } else if c < 0x10000 {
        out.extend_from_slice(&[
            0xe0 | (c >> 12 & 0x0f) as u8,
            0x80 | (c >> 6 & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    } else {
        out.extend_from_slice(&[
            0xf0 | (c >> 18 & 0x07) as u8,
            0x80 | (c >> 12 & 0x3f) as u8,
            0x80 | (c >> 6 & 0x3f) as u8,
            0x80 | (c & 0x3f) as u8,
        ]);
    }
}

/// `sqlite3Fts5UnicodeCategory`: SQLite's category number of a code point (0 where its tables
/// have nothing, and for every code point of plane 16).
fn category(code: u32) -> usize {
    if code >= 1 << 20 {
        return 0;
    }
    let plane = (code >> 16) as usize;
    let (lo, hi) = (usize::from(BLOCK[plane]), usize::from(BLOCK[plane + 1]));
    let key = code & 0xffff;
    let found = MAP[lo..hi].partition_point(|&m| u32::from(m) <= key);
    if found == 0 {
        return 0;
    }
    let i = lo + found - 1;
    let first = u32::from(MAP[i]);
    if key >= first + u32::from(DATA[i] >> 5) {
        return 0;
    }
    match DATA[i] & 0x1f {
        30 if (key - first) & 1 == 1 => 5,
        30 => 9,
        c => usize::from(c),
    }
}

/// `sqlite3Fts5UnicodeIsdiacritic`: the combining marks that stay inside a token (and fold to
/// nothing).
fn is_diacritic(c: u32) -> bool {
    const MASK0: u32 = 0x0802_9fdf;
    const MASK1: u32 = 0x0003_61f8;
    if !(768..=817).contains(&c) {
        return false;
    }
    if c < 768 + 32 {
        MASK0 & (1 << (c - 768)) != 0
    } else {
        MASK1 & (1 << (c - 768 - 32)) != 0
    }
}

/// `sqlite3Fts5UnicodeFold(c, 2)` for a code point of 128 or more: its lower case, without
/// diacritics; 0 for a diacritic alone.
fn fold_code(c: u32) -> u32 {
    if c < 0x10000 {
        // The last rule starting at or before `c` (the first starts at 65).
        let i = FOLD.partition_point(|&(code, _, _)| u32::from(code) <= c) - 1;
        let (code, flags, len) = FOLD[i];
        let (code, flags) = (u32::from(code), u32::from(flags));
        let mut ret = c;
        if c < code + u32::from(len) && 0 == (0x01 & flags & (code ^ c)) {
            ret = (c + u32::from(FOLD_OFFSET[(flags >> 1) as usize])) & 0xffff;
        }
        remove_diacritic(ret, REMOVE_DIACRITICS == 2)
    } else if (66560..66600).contains(&c) {
        c + 40
    } else {
        c
    }
}

/// `fts5_remove_diacritic`: the ASCII letter under a lower-case letter with diacritics.
fn remove_diacritic(c: u32, complex: bool) -> u32 {
    let key = (c << 3) | 0x07;
    // DIA[0] is 0, so some entry is at or below every key.
    let i = DIA.partition_point(|&d| key >= u32::from(d)) - 1;
    let (dia, ch) = (u32::from(DIA[i]), DIA_CHAR[i]);
    if !complex && ch & 0x80 != 0 {
        return c;
    }
    if c > (dia >> 3) + (dia & 0x07) {
        c
    } else {
        u32::from(ch & 0x7f)
    }
}

/// `fts5PorterCb`: stems a folded token in place (when 3 to 64 bytes long); its new length.
/// Stemming never lengthens a token: step 1b adds back at most one of the bytes it took.
fn porter(word: &mut [u8]) -> usize {
    let n = word.len();
    if !(3..=PORTER_MAX_TOKEN).contains(&n) {
        return n;
    }
    let buf = word;
    let mut n = n;

    // Step 1.
    step_1a(buf, &mut n);
    if step_1b(buf, &mut n) && !step_1b2(buf, &mut n) {
        let c = buf[n - 1];
        // SQLite reads buf[n - 2] only after the first tests; a one-byte stem here is a vowel.
        if !is_vowel(c, false) && c != b'l' && c != b's' && c != b'z' && n >= 2 && c == buf[n - 2] {
            n -= 1;
        } else if m_eq1(&buf[..n]) && ostar(&buf[..n]) {
            buf[n] = b'e';
            n += 1;
        }
    }

    // Step 1C.
    if buf[n - 1] == b'y' && has_vowel(&buf[..n - 1]) {
        buf[n - 1] = b'i';
    }

    // Steps 2 to 4. Their every rule needs a suffix of 2 bytes or more and a stem before it.
    if n >= 2 {
        step_2(buf, &mut n);
        step_3(buf, &mut n);
        step_4(buf, &mut n);
    }

    // Step 5a.
    if buf[n - 1] == b'e' {
        let stem = &buf[..n - 1];
        if m_gt1(stem) || (m_eq1(stem) && !ostar(stem)) {
            n -= 1;
        }
    }

    // Step 5b.
    if n > 1 && buf[n - 1] == b'l' && buf[n - 2] == b'l' && m_gt1(&buf[..n - 1]) {
        n -= 1;
    }

    n
}

/// `fts5PorterIsVowel`.
fn is_vowel(c: u8, y_is_vowel: bool) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u') || (y_is_vowel && c == b'y')
}

/// `fts5PorterGobbleVC`: the length of the stem's first vowels-then-consonant run, or 0.
fn gobble_vc(stem: &[u8], prev_cons: bool) -> usize {
    let mut cons = prev_cons;
    let mut i = 0;
    while i < stem.len() {
        cons = !is_vowel(stem[i], cons);
        if !cons {
            break;
        }
        i += 1;
    }
    i += 1;
    while i < stem.len() {
        cons = !is_vowel(stem[i], cons);
        if cons {
            return i + 1;
        }
        i += 1;
    }
    0
}

/// `fts5Porter_MGt0`: m > 0.
fn m_gt0(stem: &[u8]) -> bool {
    gobble_vc(stem, false) != 0
}

/// `fts5Porter_MGt1`: m > 1.
fn m_gt1(stem: &[u8]) -> bool {
    let n = gobble_vc(stem, false);
    n != 0 && gobble_vc(&stem[n..], true) != 0
}

/// `fts5Porter_MEq1`: m = 1.
fn m_eq1(stem: &[u8]) -> bool {
    let n = gobble_vc(stem, false);
    n != 0 && gobble_vc(&stem[n..], true) == 0
}

/// `fts5Porter_Ostar`: *o, the stem ends consonant-vowel-consonant, the last not w, x or y.
fn ostar(stem: &[u8]) -> bool {
    let last = stem[stem.len() - 1];
    if last == b'w' || last == b'x' || last == b'y' {
        return false;
    }
    let mut mask = 0u32;
    let mut cons = false;
    for &c in stem {
        cons = !is_vowel(c, cons);
        mask = (mask << 1).wrapping_add(u32::from(cons));
    }
    mask & 0x07 == 0x05
}

/// `fts5Porter_MGt1_and_S_or_T`.
fn m_gt1_and_s_or_t(stem: &[u8]) -> bool {
    matches!(stem.last(), Some(b's' | b't')) && m_gt1(stem)
}

/// `fts5Porter_Vowel`: *v*, the stem holds a vowel (y only after the first letter).
fn has_vowel(stem: &[u8]) -> bool {
    stem.iter().enumerate().any(|(i, &c)| is_vowel(c, i > 0))
}

/// One rule of the generated steps: when the token ends with `suffix` after at least one byte,
/// replace it with `output` if `cond` holds of the stem. Whether the suffix matched, as the
/// generated code tries no further suffix once one has.
fn rule(
    buf: &mut [u8],
    n: &mut usize,
    suffix: &[u8],
    cond: fn(&[u8]) -> bool,
    output: &[u8],
) -> bool {
    let len = *n;
    if len <= suffix.len() || &buf[len - suffix.len()..len] != suffix {
        return false;
    }
    let stem = len - suffix.len();
    if cond(&buf[..stem]) {
        buf[stem..stem + output.len()].copy_from_slice(output);
        *n = stem + output.len();
    }
    true
}

/// `fts5PorterStep1A`: plurals.
fn step_1a(buf: &[u8], n: &mut usize) {
    let len = *n;
    if buf[len - 1] == b's' {
        if buf[len - 2] == b'e' {
            if (len > 4 && buf[len - 4] == b's' && buf[len - 3] == b's')
                || (len > 3 && buf[len - 3] == b'i')
            {
                *n = len - 2;
            } else {
                *n = len - 1;
            }
        } else if buf[len - 2] != b's' {
            *n = len - 1;
        }
    }
}

/// `fts5PorterStep1B`: -eed, -ed, -ing. True when -ed or -ing went.
fn step_1b(buf: &mut [u8], n: &mut usize) -> bool {
    let len = *n;
    match buf[len - 2] {
        b'e' => {
            if rule(buf, n, b"eed", m_gt0, b"ee") {
                false
            } else if len > 2 && &buf[len - 2..len] == b"ed" && has_vowel(&buf[..len - 2]) {
                *n = len - 2;
                true
            } else {
                false
            }
        }
        b'n' if len > 3 && &buf[len - 3..len] == b"ing" && has_vowel(&buf[..len - 3]) => {
            *n = len - 3;
            true
        }
        _ => false,
    }
}

/// `fts5PorterStep1B2`: -at, -bl, -iz get their e back. True when one did.
fn step_1b2(buf: &mut [u8], n: &mut usize) -> bool {
    fn always(_: &[u8]) -> bool {
        true
    }
    if *n < 2 {
        // SQLite reads before the buffer here, but no rule can match: the one byte left is a
        // vowel, and each rule's second byte is a consonant.
        return false;
    }
    let before = *n;
    match buf[before - 2] {
        b'a' => rule(buf, n, b"at", always, b"ate"),
        b'b' => rule(buf, n, b"bl", always, b"ble"),
        b'i' => rule(buf, n, b"iz", always, b"ize"),
        _ => false,
    }
}

/// `fts5PorterStep2`.
fn step_2(buf: &mut [u8], n: &mut usize) {
    let r = |buf: &mut [u8], n: &mut usize, suffix: &[u8], output: &[u8]| {
        rule(buf, n, suffix, m_gt0, output)
    };
    match buf[*n - 2] {
        b'a' => {
            let _ = r(buf, n, b"ational", b"ate") || r(buf, n, b"tional", b"tion");
        }
        b'c' => {
            let _ = r(buf, n, b"enci", b"ence") || r(buf, n, b"anci", b"ance");
        }
        b'e' => {
            r(buf, n, b"izer", b"ize");
        }
        b'g' => {
            r(buf, n, b"logi", b"log");
        }
        b'l' => {
            let _ = r(buf, n, b"bli", b"ble")
                || r(buf, n, b"alli", b"al")
                || r(buf, n, b"entli", b"ent")
                || r(buf, n, b"eli", b"e")
                || r(buf, n, b"ousli", b"ous");
        }
        b'o' => {
            let _ = r(buf, n, b"ization", b"ize")
                || r(buf, n, b"ation", b"ate")
                || r(buf, n, b"ator", b"ate");
        }
        b's' => {
            let _ = r(buf, n, b"alism", b"al")
                || r(buf, n, b"iveness", b"ive")
                || r(buf, n, b"fulness", b"ful")
                || r(buf, n, b"ousness", b"ous");
        }
        b't' => {
            let _ = r(buf, n, b"aliti", b"al")
                || r(buf, n, b"iviti", b"ive")
                || r(buf, n, b"biliti", b"ble");
        }
        _ => {}
    }
}

/// `fts5PorterStep3`.
fn step_3(buf: &mut [u8], n: &mut usize) {
    let r = |buf: &mut [u8], n: &mut usize, suffix: &[u8], output: &[u8]| {
        rule(buf, n, suffix, m_gt0, output)
    };
    match buf[*n - 2] {
        b'a' => {
            r(buf, n, b"ical", b"ic");
        }
        b's' => {
            r(buf, n, b"ness", b"");
        }
        b't' => {
            let _ = r(buf, n, b"icate", b"ic") || r(buf, n, b"iciti", b"ic");
        }
        b'u' => {
            r(buf, n, b"ful", b"");
        }
        b'v' => {
            r(buf, n, b"ative", b"");
        }
        b'z' => {
            r(buf, n, b"alize", b"al");
        }
        _ => {}
    }
}

/// `fts5PorterStep4`.
fn step_4(buf: &mut [u8], n: &mut usize) {
    let r = |buf: &mut [u8], n: &mut usize, suffix: &[u8]| rule(buf, n, suffix, m_gt1, b"");
    match buf[*n - 2] {
        b'a' => {
            r(buf, n, b"al");
        }
        b'c' => {
            let _ = r(buf, n, b"ance") || r(buf, n, b"ence");
        }
        b'e' => {
            r(buf, n, b"er");
        }
        b'i' => {
            r(buf, n, b"ic");
        }
        b'l' => {
            let _ = r(buf, n, b"able") || r(buf, n, b"ible");
        }
        b'n' => {
            let _ =
                r(buf, n, b"ant") || r(buf, n, b"ement") || r(buf, n, b"ment") || r(buf, n, b"ent");
        }
        b'o' => {
            let _ = rule(buf, n, b"ion", m_gt1_and_s_or_t, b"") || r(buf, n, b"ou");
        }
        b's' => {
            r(buf, n, b"ism");
        }
        b't' => {
            let _ = r(buf, n, b"ate") || r(buf, n, b"iti");
        }
        b'u' => {
            r(buf, n, b"ous");
        }
        b'v' => {
            r(buf, n, b"ive");
        }
        b'z' => {
            r(buf, n, b"ize");
        }
        _ => {}
    }
}
