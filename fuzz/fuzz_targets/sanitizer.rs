//! Fuzzes the output sanitizer: whatever goes in, nothing a terminal acts on comes out of any
//! policy, text without such characters passes unchanged, and JSON keeps its value.
#![no_main]

use krisp_model::sanitize;

use std::io::Write;

use libfuzzer_sys::fuzz_target;

/// What must never reach a terminal from plain text.
fn acts_on_a_terminal(c: char) -> bool {
    (c < ' ' && c != '\n' && c != '\t')
        || c == '\x7f'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);

    let plain = sanitize::text(&input);
    assert!(!plain.chars().any(acts_on_a_terminal), "{plain:?}");
    assert_eq!(sanitize::text(&plain), plain, "idempotent");
    if !input
        .chars()
        .any(|c| acts_on_a_terminal(c) || c == '\u{2028}' || c == '\u{2029}')
    {
        assert_eq!(plain, input, "clean text is unchanged");
    }

    let screen = sanitize::clean(&input);
    assert!(
        !screen
            .chars()
            .any(|c| c != '\n' && (acts_on_a_terminal(c) || c == '\t')),
        "{screen:?}"
    );

    let encoded = serde_json::to_string(&*input).expect("a string serializes");
    let json = sanitize::json(&encoded);
    assert!(!json.chars().any(acts_on_a_terminal), "{json:?}");
    let back: String = serde_json::from_str(&json).expect("still JSON");
    assert_eq!(back, input, "same value");

    // A search excerpt with a highlight (from the input's own bytes) is one line, inert, and
    // its highlight still falls on character boundaries of what it shows.
    let mut end = data.get(1).map_or(0, |&b| usize::from(b)).min(input.len());
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let (line, ranges) = sanitize::excerpt_highlighted(&input, std::slice::from_ref(&(0..end)));
    assert!(!line.contains('\n'), "{line:?}");
    assert!(
        !line.chars().any(|c| acts_on_a_terminal(c) || c == '\t'),
        "{line:?}"
    );
    for r in ranges {
        assert!(line.get(r.clone()).is_some(), "{r:?} in {line:?}");
    }

    // The line-buffered writer gives the same bytes however the output is cut.
    let cut = data.first().map_or(0, |&b| usize::from(b)).min(input.len());
    let mut written = Vec::new();
    {
        let mut w = sanitize::Writer::new(&mut written, sanitize::Policy::Text);
        w.write_all(&input.as_bytes()[..cut]).unwrap();
        w.write_all(&input.as_bytes()[cut..]).unwrap();
    }
    assert_eq!(String::from_utf8(written).unwrap(), plain);
});
