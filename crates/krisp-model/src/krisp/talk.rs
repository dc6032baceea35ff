//! Who talked how long, from the turn offsets: each speaker's share of the meeting, and a row of
//! time slices each owned by the speaker who talked most in it.

use std::time::Duration;

use super::Turn;

/// The last turn has no next one to end it: it is taken to last as long as its words take to say
/// at this pace (words per minute), at least a second.
const WORDS_PER_MINUTE: u64 = 150;

/// Talk time per speaker, in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkTime {
    /// `(speaker, milliseconds)`.
    pub speakers: Vec<(String, u64)>,
    /// From the start of the recording to the end of the last turn.
    pub total_ms: u64,
    /// Each turn as `(speaker index, start ms, end ms)`, in transcript order.
    spans: Vec<(usize, u64, u64)>,
}

impl TalkTime {
    /// Each turn lasts until the next one starts; the last one until `end` when that is later
    /// than its start (a duration the server stated), else as long as its words take.
    pub fn of(turns: &[Turn], end: Option<Duration>) -> TalkTime {
        let mut speakers: Vec<(String, u64)> = Vec::new();
        let mut spans = Vec::with_capacity(turns.len());
        let end_ms = end.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let mut total_ms = 0;
        for (i, turn) in turns.iter().enumerate() {
            let start = turn.start_ms();
            let stop = match turns.get(i + 1) {
                Some(next) => next.start_ms(),
                None => match end_ms {
                    Some(e) if e > start => e,
                    _ => u64::try_from(estimated_end(turn).as_millis()).unwrap_or(u64::MAX),
                },
            };
            // Out-of-order offsets give a turn no time rather than a negative one.
            let stop = stop.max(start);
            let k = match speakers.iter().position(|(s, _)| *s == turn.speaker) {
                Some(k) => k,
                None => {
                    speakers.push((turn.speaker.clone(), 0));
                    speakers.len() - 1
                }
            };
            speakers[k].1 += stop - start;
            spans.push((k, start, stop));
            total_ms = total_ms.max(stop);
        }
        TalkTime {
            speakers,
            total_ms,
            spans,
        }
    }

    /// Whole percentages of the talking time, one per speaker, that add up to exactly 100
    /// (largest remainder); all zero when nobody talked.
    pub fn percents(&self) -> Vec<u8> {
        let ms: Vec<u64> = self.speakers.iter().map(|(_, ms)| *ms).collect();
        percents(&ms)
    }

    /// `cells` equal slices of `[0, total)`, each the index of the speaker who talked most in it
    /// (`None` where nobody did). Linear in turns + cells × speakers.
    pub fn timeline(&self, cells: usize) -> Vec<Option<usize>> {
        let mut out = vec![None; cells];
        if cells == 0 || self.total_ms == 0 {
            return out;
        }
        let total = u128::from(self.total_ms);
        let n = cells as u128;
        // Cell c covers [c * total / n, (c + 1) * total / n).
        let bound = |c: usize| u64::try_from(c as u128 * total / n).unwrap_or(u64::MAX);
        let mut talked = vec![0u64; self.speakers.len()];
        let mut first = 0; // the first span that may still reach into the cell
        for (c, slot) in out.iter_mut().enumerate() {
            let (lo, hi) = (bound(c), bound(c + 1));
            talked.iter_mut().for_each(|t| *t = 0);
            while self.spans.get(first).is_some_and(|s| s.2 <= lo) {
                first += 1;
            }
            for &(k, start, stop) in &self.spans[first..] {
                if start >= hi {
                    break;
                }
                talked[k] += stop.min(hi).saturating_sub(start.max(lo));
            }
            let best = talked
                .iter()
                .enumerate()
                .filter(|(_, t)| **t > 0)
                // The earlier speaker wins a tie, so equal slices do not flicker between widths.
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)));
            *slot = best.map(|(k, _)| k);
        }
        out
    }

    /// The cell (of `cells`) that the offset `at` falls in.
    pub fn cell_at(&self, at: Duration, cells: usize) -> usize {
        if cells == 0 || self.total_ms == 0 {
            return 0;
        }
        let at = at.as_millis().min(u128::from(self.total_ms));
        let c = at * cells as u128 / u128::from(self.total_ms);
        usize::try_from(c).unwrap_or(usize::MAX).min(cells - 1)
    }
}

/// How long `text` takes to say.
/// When the last turn of a transcript ends, by the same estimate the talk times use: its start
/// plus as long as its words take to say.
pub fn estimated_end(last: &Turn) -> Duration {
    Duration::from_millis(last.start_ms().saturating_add(spoken_ms(&last.text)))
}

fn spoken_ms(text: &str) -> u64 {
    let words = text.split_whitespace().count() as u64;
    (words * 60_000 / WORDS_PER_MINUTE).max(1_000)
}

/// Whole percentages of `parts` adding up to 100: each rounded down, then the points left over
/// go to the largest remainders (the earlier part on a tie).
pub fn percents(parts: &[u64]) -> Vec<u8> {
    let total: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    if total == 0 {
        return vec![0; parts.len()];
    }
    let mut out: Vec<u8> = Vec::with_capacity(parts.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(parts.len());
    for (i, &p) in parts.iter().enumerate() {
        let scaled = u128::from(p) * 100;
        out.push(u8::try_from(scaled / total).unwrap_or(100));
        remainders.push((scaled % total, i));
    }
    let given: u32 = out.iter().map(|&p| u32::from(p)).sum();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders
        .iter()
        .take(100usize.saturating_sub(given as usize))
    {
        out[i] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(speaker: &str, secs: u64, text: &str) -> Turn {
        Turn {
            speaker: speaker.into(),
            start: Duration::from_secs(secs),
            text: text.into(),
        }
    }

    #[test]
    fn each_turn_lasts_until_the_next_and_the_last_until_the_stated_end() {
        let turns = [
            turn("Ann", 0, "a"),
            turn("Bob", 30, "b"),
            turn("Ann", 40, "c"),
        ];
        let t = TalkTime::of(&turns, Some(Duration::from_secs(100)));
        assert_eq!(
            t.speakers,
            [("Ann".to_owned(), 90_000), ("Bob".to_owned(), 10_000)]
        );
        assert_eq!(t.total_ms, 100_000);
        assert_eq!(t.percents(), [90, 10]);
    }

    #[test]
    fn without_an_end_the_last_turn_lasts_as_long_as_its_words() {
        // 15 words at 150 a minute: six seconds.
        let words = "one two three four five six seven eight nine ten a b c d e";
        let t = TalkTime::of(&[turn("Ann", 0, "hi"), turn("Bob", 10, words)], None);
        assert_eq!(t.total_ms, 16_000);
        assert_eq!(t.speakers[1].1, 6_000);
        // The meeting header's "about" length is the same end.
        assert_eq!(
            estimated_end(&turn("Bob", 10, words)),
            Duration::from_secs(16)
        );
        // A stated end before the last turn starts is not believed.
        let t = TalkTime::of(
            &[turn("Ann", 0, "hi"), turn("Bob", 10, "")],
            Some(Duration::from_secs(5)),
        );
        assert_eq!(t.total_ms, 11_000);
    }

    #[test]
    fn shares_add_up_to_a_hundred() {
        assert_eq!(percents(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(percents(&[2, 1, 1]), [50, 25, 25]);
        assert_eq!(
            percents(&[1, 1, 1, 1, 1, 1, 1]),
            [15, 15, 14, 14, 14, 14, 14]
        );
        assert_eq!(percents(&[999, 1]), [100, 0]);
        assert_eq!(percents(&[0, 0]), [0, 0]);
        assert_eq!(percents(&[]), Vec::<u8>::new());
        for parts in [
            vec![7u64, 13, 29, 51],
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            vec![u64::MAX, u64::MAX, 3],
        ] {
            let sum: u32 = percents(&parts).iter().map(|&p| u32::from(p)).sum();
            assert_eq!(sum, 100, "{parts:?}");
        }
    }

    #[test]
    fn out_of_order_offsets_give_no_negative_time() {
        let t = TalkTime::of(&[turn("Ann", 50, "a"), turn("Bob", 10, "b")], None);
        assert_eq!(t.speakers[0].1, 0);
        assert_eq!(t.total_ms, 50_000);
    }

    #[test]
    fn each_cell_goes_to_whoever_talked_most_in_it() {
        // Ann 0–25, Bob 25–30, Ann 30–40, nobody after: ten 4-second cells.
        let turns = [turn("Ann", 0, ""), turn("Bob", 25, ""), turn("Ann", 30, "")];
        let t = TalkTime::of(&turns, Some(Duration::from_secs(40)));
        let cells = t.timeline(10);
        // Cell 6 is 24–28: Ann 1 s, Bob 3 s. Cell 7 is 28–32: Bob 2 s, Ann 2 s: the tie goes to
        // the earlier speaker.
        assert_eq!(
            cells,
            [0, 0, 0, 0, 0, 0, 1, 0, 0, 0].map(Some).to_vec(),
            "{cells:?}"
        );
        let t = TalkTime::of(&[turn("Ann", 20, "")], Some(Duration::from_secs(40)));
        assert_eq!(t.timeline(4), [None, None, Some(0), Some(0)]);
        assert_eq!(t.timeline(0), []);
    }

    #[test]
    fn an_offset_lands_in_its_cell() {
        let t = TalkTime::of(&[turn("Ann", 0, "")], Some(Duration::from_secs(100)));
        assert_eq!(t.cell_at(Duration::from_secs(0), 10), 0);
        assert_eq!(t.cell_at(Duration::from_secs(9), 10), 0);
        assert_eq!(t.cell_at(Duration::from_secs(10), 10), 1);
        assert_eq!(t.cell_at(Duration::from_secs(55), 10), 5);
        assert_eq!(t.cell_at(Duration::from_secs(100), 10), 9);
        assert_eq!(t.cell_at(Duration::from_secs(500), 10), 9);
    }
}
