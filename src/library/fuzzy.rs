//! Finding a meeting by a misspelt or partial name when no meeting holds the words typed.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::Window;
use crate::krisp::MeetingId;
use crate::store::{Hit, Place, Query, Store, StoreError};

/// A fuzzy match must score at least this much a letter (what a plain match scores before
/// bonuses): single letters scattered across a list of names are noise, not a match.
const MIN_SCORE_PER_LETTER: u32 = 16;

/// The meetings whose name (or people) fuzzily match `words`, best first, passing the query's
/// filters: how many, and the window of them.
pub(super) fn names(
    store: &Store,
    query: &Query,
    words: &[String],
    window: Window,
) -> Result<(usize, Vec<Hit>), StoreError> {
    let needle = words.join(" ");
    let letters = needle.chars().filter(|c| !c.is_whitespace()).count();
    let min = u32::try_from(letters)
        .unwrap_or(u32::MAX)
        .saturating_mul(MIN_SCORE_PER_LETTER);
    let pattern = Pattern::parse(&needle, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    // Only what matches is kept, and only its score and id: at 30,000 meetings a one-letter
    // needle matches most names, and their rows are read again for the window alone.
    let mut scored: Vec<(u32, Place, MeetingId)> = Vec::new();
    store.fuzzy_candidates(&query.filter, &mut |hit| {
        let by_name = pattern
            .score(Utf32Str::new(&hit.name, &mut buf), &mut matcher)
            .filter(|&s| s >= min);
        let people = hit.people.join(", ");
        let by_people = pattern
            .score(Utf32Str::new(&people, &mut buf), &mut matcher)
            .filter(|&s| s >= min);
        let best = match (by_name, by_people) {
            (Some(n), Some(p)) if p > n => Some((p, Place::People)),
            (Some(n), _) => Some((n, Place::Name)),
            (None, Some(p)) => Some((p, Place::People)),
            (None, None) => None,
        };
        if let Some((score, place)) = best {
            scored.push((score, place, hit.meeting_id));
        }
    })?;
    // Best score first; the newest first among equals (candidates come newest first).
    scored.sort_by_key(|(score, _, _)| std::cmp::Reverse(*score));
    let total = scored.len();
    let mut hits = Vec::new();
    for (score, place, id) in scored.into_iter().skip(window.offset).take(window.limit) {
        let Some(mut hit) = store.fuzzy_candidate(&id)? else {
            continue;
        };
        hit.excerpt = match place {
            Place::People => hit.people.join(", "),
            _ => hit.name.clone(),
        };
        hit.place = Some(place);
        hit.score = f64::from(score);
        hits.push(hit);
    }
    Ok((total, hits))
}
