//! Transcripts as timed speaker turns, and the `MM:SS` / `H:MM:SS` offsets Krisp labels them with.

use std::fmt::Write as _;
use std::time::Duration;

/// One speaker turn of a transcript. `start` is the offset from the start of the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: String,
    pub start: Duration,
    pub text: String,
}

impl Turn {
    /// `start` in whole milliseconds (saturating: no recording is 584 million years long).
    pub fn start_ms(&self) -> u64 {
        u64::try_from(self.start.as_millis()).unwrap_or(u64::MAX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    pub turns: Vec<Turn>,
}

impl Transcript {
    pub fn is_empty(&self) -> bool {
        self.turns.is_empty()
    }

    /// The meeting's length as every view shows it: where the last turn starts, in whole
    /// seconds (the vault's front matter `duration` is the same).
    pub fn length(&self) -> Option<Duration> {
        self.turns
            .last()
            .map(|t| Duration::from_secs(t.start.as_secs()))
    }

    /// Speaker names in order of first appearance.
    pub fn speakers(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for turn in &self.turns {
            if !seen.contains(&turn.speaker.as_str()) {
                seen.push(&turn.speaker);
            }
        }
        seen
    }
}

/// `MM:SS` below an hour, `H:MM:SS` from an hour on, as Krisp writes them. Milliseconds, which
/// Krisp never sends, are appended as `.mmm` only when non-zero so that no export loses them.
/// An offset for people: `12:34`, or `1:02:03` from an hour on.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

pub fn format_offset(d: Duration) -> String {
    let mut out = String::with_capacity(12);
    write_offset(&mut out, d);
    out
}

pub(crate) fn write_offset(out: &mut String, d: Duration) {
    let total_ms = d.as_millis();
    let ms = total_ms % 1000;
    let secs = total_ms / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    // Writing into a String cannot fail.
    let _ = if h > 0 {
        write!(out, "{h}:{m:02}:{s:02}")
    } else {
        write!(out, "{m:02}:{s:02}")
    };
    if ms != 0 {
        let _ = write!(out, ".{ms:03}");
    }
}

/// Parses `M:SS`, `MM:SS`, `H:MM:SS` (minutes may exceed 59 when there is no hour part, as some
/// long recordings are labelled), each optionally followed by `.f`, `.ff` or `.fff`.
pub fn parse_offset(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (clock, millis) = match s.split_once('.') {
        Some((clock, frac)) => (clock, parse_fraction(frac)?),
        None => (s, 0),
    };
    let mut parts = clock.split(':');
    let first = parts.next()?;
    let second = parts.next()?;
    let third = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let secs = match third {
        None => {
            let m = number(first, 1, 6)?;
            let s = two_digits_below_60(second)?;
            m * 60 + s
        }
        Some(third) => {
            let h = number(first, 1, 6)?;
            let m = two_digits_below_60(second)?;
            let s = two_digits_below_60(third)?;
            h * 3600 + m * 60 + s
        }
    };
    Some(Duration::from_millis(secs * 1000 + millis))
}

fn number(s: &str, min_len: usize, max_len: usize) -> Option<u64> {
    if !(min_len..=max_len).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn two_digits_below_60(s: &str) -> Option<u64> {
    number(s, 2, 2).filter(|&n| n < 60)
}

fn parse_fraction(frac: &str) -> Option<u64> {
    let n = number(frac, 1, 3)?;
    Some(n * 10u64.pow(3 - frac.len() as u32))
}

/// Recognises a turn header: `**Name | MM:SS**`, `**Name** | MM:SS` or Krisp's plain-text
/// `Name | MM:SS` (the `txt` export). Returns the speaker and the offset.
pub(crate) fn parse_turn_header(line: &str) -> Option<(&str, Duration)> {
    let line = line.trim();
    // Cheap rejection first: most lines of a transcript are utterances.
    if line.len() < 5 || !line.as_bytes()[line.len() - 1].is_ascii_digit() && !line.ends_with("**")
    {
        return None;
    }
    let (name, stamp) = if let Some(bold) = line.strip_prefix("**") {
        if let Some(inner) = bold.strip_suffix("**") {
            inner.rsplit_once('|')?
        } else {
            let (name, rest) = bold.split_once("**")?;
            (name, rest.trim_start().strip_prefix('|')?)
        }
    } else {
        let (name, stamp) = line.rsplit_once('|')?;
        // A bare header must look like one: no table pipes, no list or heading markers.
        if name.contains('|') || name.starts_with(['#', '-', '>']) {
            return None;
        }
        (name, stamp)
    };
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some((name, parse_offset(stamp)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip() {
        for (text, secs) in [
            ("00:00", 0),
            ("01:02", 62),
            ("59:59", 3599),
            ("1:00:00", 3600),
        ] {
            assert_eq!(parse_offset(text), Some(Duration::from_secs(secs)));
            assert_eq!(format_offset(Duration::from_secs(secs)), text);
        }
        assert_eq!(format_offset(Duration::from_millis(62_500)), "01:02.500");
        assert_eq!(parse_offset("01:02.5"), Some(Duration::from_millis(62_500)));
        assert_eq!(parse_offset("75:30"), Some(Duration::from_secs(4530)));
        for bad in [
            "",
            "1",
            "1:2",
            "1:60",
            "1:00:60",
            "a:00",
            "1:00:00:00",
            "1:00.",
            "-1:00",
        ] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn turn_headers() {
        let d = Duration::from_secs;
        assert_eq!(
            parse_turn_header("**Anna Lee | 00:05**"),
            Some(("Anna Lee", d(5)))
        );
        assert_eq!(
            parse_turn_header("**Anna | 1:02:03**"),
            Some(("Anna", d(3723)))
        );
        assert_eq!(
            parse_turn_header("**Speaker 2** | 10:00"),
            Some(("Speaker 2", d(600)))
        );
        assert_eq!(
            parse_turn_header("Bob Ray | 00:07"),
            Some(("Bob Ray", d(7)))
        );
        assert_eq!(parse_turn_header("| a | 00:07"), None);
        assert_eq!(parse_turn_header("**Anna Lee**"), None);
        assert_eq!(parse_turn_header("** | 00:05**"), None);
        assert_eq!(parse_turn_header("We met at 10:00"), None);
    }
}
