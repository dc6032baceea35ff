//! Transcript-like text for the tokenizer's tests and its bench: the sandbox's English
//! vocabulary (its `assets/sandbox/*.txt`, read from that crate's folder so the two cannot drift),
//! drawn with probability 1/rank, in sentences with capitals and punctuation as the sandbox
//! writes them, plus the numbers, contractions and hyphens people say.

/// The sandbox's vocabulary, most frequent first: its common words, then its business terms.
pub fn vocabulary() -> Vec<&'static str> {
    const WORDS: &str = include_str!("../../../krisp-sandbox/assets/sandbox/words.txt");
    const BUSINESS: &str = include_str!("../../../krisp-sandbox/assets/sandbox/business.txt");
    [WORDS, BUSINESS]
        .iter()
        .flat_map(|file| file.lines())
        .filter(|line| !line.starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect()
}

/// Words people say that the vocabulary has not: contractions, numbers, hyphens, names.
const EXTRAS: [&str; 12] = [
    "don't",
    "it's",
    "we're",
    "3.5%",
    "$1,200",
    "Q3",
    "e-mail",
    "follow-up",
    "2024-10-01",
    "O'Brien",
    "José",
    "naïve",
];

/// About `bytes` bytes of transcript text, the same for the same `seed`.
pub fn transcript(seed: u64, bytes: usize) -> String {
    let words = vocabulary();
    let mut cumulative = Vec::with_capacity(words.len());
    let mut total = 0.0;
    for rank in 0..words.len() {
        total += 1.0 / (rank as f64 + 1.0);
        cumulative.push(total);
    }
    // xorshift64*: deterministic and dependency-free.
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut out = String::with_capacity(bytes + 32);
    let mut sentence_left = 0;
    while out.len() < bytes {
        let draw = next();
        let word = if draw % 40 == 0 {
            EXTRAS[(draw / 40 % EXTRAS.len() as u64) as usize]
        } else {
            let x = (draw >> 11) as f64 / (1u64 << 53) as f64 * total;
            words[cumulative.partition_point(|&c| c < x).min(words.len() - 1)]
        };
        if sentence_left == 0 {
            sentence_left = 4 + next() % 18;
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(word);
        }
        sentence_left -= 1;
        if sentence_left == 0 {
            out.push_str(if next() % 100 < 15 { "? " } else { ". " });
        } else if next() % 100 < 7 {
            out.push_str(", ");
        } else {
            out.push(' ');
        }
    }
    out
}
