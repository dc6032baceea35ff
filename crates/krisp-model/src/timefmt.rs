//! Dates and times as people read them: in the user's zone (config `timezone`, `TZ`, the system's),
//! with relative words where they read better. Machine fields (JSON, front matter) stay UTC.
//! Every function takes the zone it shows times in (the caller resolves it once from the config:
//! the TUI's `State::zone`, the CLI's `Local::zone`, the `Library`'s); there is no process-wide one.

use jiff::civil::Date;
/// The zone every function here takes (re-exported for crates that do not use jiff themselves).
pub use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

/// Why a `timezone` setting could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("timezone = {setting:?}: {reason}")]
pub struct ZoneError {
    pub setting: String,
    pub reason: String,
}

/// A count for people: `3,000`, `12`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How long before `now` `at` was, in words, with its time in `tz`: `just now (14:05)`,
/// `5 minutes ago (14:05)`, `3 hours ago (09:10)`, `2 days ago (2026-11-20 14:05)`.
pub fn ago(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let secs = now.as_second().saturating_sub(at.as_second()).max(0);
    let (date, time) = date_and_time_in(at, tz);
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match secs {
        0..60 => format!("just now ({time})"),
        60..3600 => format!("{} ({time})", plural(secs / 60, "minute")),
        3600..86400 => format!("{} ({time})", plural(secs / 3600, "hour")),
        _ => format!("{} ({date} {time})", plural(secs / 86400, "day")),
    }
}

/// The zone a `timezone` setting names: `None`, `"local"` or `""` is `TZ` or the system's zone;
/// `"UTC"` is UTC; anything else an IANA name (`"Europe/Berlin"`), from the bundled database.
pub fn resolve(setting: Option<&str>) -> Result<TimeZone, ZoneError> {
    let setting = setting.map(str::trim).unwrap_or("local");
    match setting {
        "" | "local" | "Local" => Ok(system_zone().unwrap_or(TimeZone::UTC)),
        "UTC" | "utc" | "Z" => Ok(TimeZone::UTC),
        name => named_zone(name).map_err(|e| ZoneError {
            setting: name.to_owned(),
            reason: e.to_string(),
        }),
    }
}

/// The system's zoneinfo directory (where `/etc/localtime` points on Linux and macOS).
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// The zone named `name`: the system's file for it, read alone, else the tzdb jiff bundles.
/// jiff's global database lists the whole zoneinfo tree on first use (some 1,800 files and
/// directories, a third of a headless command's start) to look one name up.
fn named_zone(name: &str) -> Result<TimeZone, jiff::Error> {
    let plain = !name.is_empty()
        && !name.starts_with('/')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    if plain
        && cfg!(unix)
        && let Ok(data) = std::fs::read(std::path::Path::new(ZONEINFO).join(name))
        && let Ok(tz) = TimeZone::tzif(name, &data)
    {
        return Ok(tz);
    }
    jiff::tz::TimeZoneDatabase::bundled()
        .get(name)
        .or_else(|_| TimeZone::get(name))
}

/// The system's zone: `TZ` when set (jiff's reading of it), else `/etc/localtime` read as the
/// zone file it is, named from where it links into zoneinfo. Without walking the zone database
/// (see [`named_zone`]).
fn system_zone() -> Option<TimeZone> {
    const LOCALTIME: &str = "/etc/localtime";
    if std::env::var_os("TZ").is_none() && cfg!(unix) {
        let name = std::fs::read_link(LOCALTIME).ok().and_then(|target| {
            let target = target.to_str()?;
            let at = target.rfind("zoneinfo/")?;
            Some(target[at + "zoneinfo/".len()..].to_owned())
        });
        if let Some(tz) = name.as_deref().and_then(|n| named_zone(n).ok()) {
            return Some(tz);
        }
    }
    TimeZone::try_system().ok()
}

/// A calendar day written `YYYY-MM-DD` (that form only), if it exists: how `--after`,
/// `after:`, the tools' arguments and the client's checks all take a day.
pub fn parse_day(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return None;
    }
    Date::strptime("%Y-%m-%d", text).ok()
}

/// `("2026-01-15", "16:00")` in `tz`: the meeting list's two columns.
pub fn date_and_time_in(at: Timestamp, tz: &TimeZone) -> (String, String) {
    let z = at.to_zoned(tz.clone());
    (
        z.strftime("%Y-%m-%d").to_string(),
        z.strftime("%H:%M").to_string(),
    )
}

/// A time standing alone, with its zone named: `2026-01-15 16:00 CET`.
pub fn stamp_in(at: Timestamp, tz: &TimeZone) -> String {
    let z = at.to_zoned(tz.clone());
    format!("{} {}", z.strftime("%Y-%m-%d %H:%M"), zone_label(&z))
}

/// The zone's abbreviation where it has a lettered one (`CET`, `UTC`), else its offset.
fn zone_label(z: &Zoned) -> String {
    let abbr = z.strftime("%Z").to_string();
    if abbr.chars().any(|c| c.is_ascii_alphabetic()) {
        abbr
    } else {
        z.strftime("UTC%:z").to_string()
    }
}

/// A server's time or date string (`2026-11-29T15:00:00Z`, `2026-02-01`) as a person reads it
/// from `now` in `tz`: `in 2 h`, `today 15:00`, `tomorrow 09:30`, `yesterday`, `Sun 29 Nov 15:00`.
/// Text that is neither comes back unchanged.
pub fn when_in(raw: &str, now: Timestamp, tz: &TimeZone) -> String {
    let raw = raw.trim();
    let today = now.to_zoned(tz.clone()).date();
    if let Ok(at) = raw.parse::<Timestamp>() {
        let z = at.to_zoned(tz.clone());
        let hm = z.strftime("%H:%M").to_string();
        let minutes = (at.as_second() - now.as_second()) / 60;
        if (1..60).contains(&minutes) {
            return format!("in {minutes} min");
        }
        if (60..6 * 60).contains(&minutes) {
            return format!("in {} h", (minutes + 30) / 60);
        }
        if (-59..=0).contains(&minutes) {
            return if minutes == 0 {
                "now".to_owned()
            } else {
                format!("{} min ago", -minutes)
            };
        }
        return match day_word(z.date(), today) {
            Some(word) => format!("{word} {hm}"),
            None => format!("{} {hm}", day_label(z.date(), today)),
        };
    }
    if let Ok(date) = raw.get(..10).unwrap_or(raw).parse::<Date>() {
        return match day_word(date, today) {
            Some(word) => word.to_owned(),
            None => day_label(date, today),
        };
    }
    raw.to_owned()
}

fn day_word(date: Date, today: Date) -> Option<&'static str> {
    if date == today {
        Some("today")
    } else if Some(date) == today.checked_add(1.day()).ok() {
        Some("tomorrow")
    } else if Some(date) == today.checked_sub(1.day()).ok() {
        Some("yesterday")
    } else {
        None
    }
}

/// `Sun 29 Nov`, with the year when it is not this year.
fn day_label(date: Date, today: Date) -> String {
    if date.year() == today.year() {
        date.strftime("%a %-d %b").to_string()
    } else {
        date.strftime("%a %-d %b %Y").to_string()
    }
}

/// Whether a date string (`YYYY-MM-DD…`) is before `now`'s day in `tz`: an overdue due date.
pub fn is_past_day(raw: &str, now: Timestamp, tz: &TimeZone) -> bool {
    let today = now.to_zoned(tz.clone()).date();
    let day = match raw.trim().parse::<Timestamp>() {
        Ok(at) => at.to_zoned(tz.clone()).date(),
        Err(_) => match raw.trim().get(..10).and_then(|d| d.parse::<Date>().ok()) {
            Some(d) => d,
            None => return false,
        },
    };
    day < today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn a_day_is_yyyy_mm_dd_only() {
        assert_eq!(
            parse_day("2026-01-31"),
            Some(jiff::civil::date(2026, 1, 31))
        );
        for wrong in [
            "2026-02-30",
            "2026-1-31",
            "31/01/2026",
            "2026-01-31T10:00",
            " 2026-01-31",
            "+026-01-31",
            "",
        ] {
            assert_eq!(parse_day(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn list_columns_follow_the_zone() {
        let at = ts("2026-01-15T23:30:00Z");
        assert_eq!(
            date_and_time_in(at, &TimeZone::UTC),
            ("2026-01-15".into(), "23:30".into())
        );
        let berlin = TimeZone::get("Europe/Berlin").expect("bundled tzdb");
        assert_eq!(
            date_and_time_in(at, &berlin),
            ("2026-01-16".into(), "00:30".into())
        );
        assert_eq!(stamp_in(at, &berlin), "2026-01-16 00:30 CET");
        assert_eq!(stamp_in(at, &TimeZone::UTC), "2026-01-15 23:30 UTC");
        let kolkata = TimeZone::get("Asia/Kolkata").expect("bundled tzdb");
        assert_eq!(stamp_in(at, &kolkata), "2026-01-16 05:00 IST");
    }

    #[test]
    fn settings_resolve() {
        assert_eq!(resolve(Some("UTC")), Ok(TimeZone::UTC));
        assert_eq!(
            resolve(Some("America/New_York")).map(|t| t.iana_name().map(str::to_owned)),
            Ok(Some("America/New_York".to_owned()))
        );
        let err = resolve(Some("Mars/Olympus")).expect_err("no such zone");
        assert_eq!(err.setting, "Mars/Olympus");
        // A setting is a zone's name, never a way to read another file.
        for path in [
            "../../../etc/passwd",
            "/etc/localtime",
            "America/../../etc/hostname",
        ] {
            assert!(resolve(Some(path)).is_err(), "{path} is not a zone");
        }
        assert!(resolve(Some("local")).is_ok());
        assert!(resolve(None).is_ok());
    }

    #[test]
    fn relative_words() {
        let now = ts("2026-11-29T13:00:00Z");
        let utc = TimeZone::UTC;
        let w = |s: &str| when_in(s, now, &utc);
        assert_eq!(w("2026-11-29T15:00:00Z"), "in 2 h");
        assert_eq!(w("2026-11-29T13:20:00Z"), "in 20 min");
        assert_eq!(w("2026-11-29T12:50:00Z"), "10 min ago");
        assert_eq!(w("2026-11-29T20:00:00Z"), "today 20:00");
        assert_eq!(w("2026-11-30T09:30:00Z"), "tomorrow 09:30");
        assert_eq!(w("2026-11-28T09:30:00Z"), "yesterday 09:30");
        assert_eq!(w("2026-12-03T09:30:00Z"), "Thu 3 Dec 09:30");
        assert_eq!(w("2025-12-03T09:30:00Z"), "Wed 3 Dec 2025 09:30");
        assert_eq!(w("2026-11-30"), "tomorrow");
        assert_eq!(w("2026-11-20"), "Fri 20 Nov");
        assert_eq!(w("soon"), "soon");
        // The same instant, a day later in Auckland.
        let auckland = TimeZone::get("Pacific/Auckland").expect("bundled tzdb");
        assert_eq!(
            when_in("2026-11-30T09:30:00Z", now, &auckland),
            "today 22:30"
        );
    }

    #[test]
    fn overdue_days() {
        let now = ts("2026-11-29T13:00:00Z");
        assert!(is_past_day("2026-11-28", now, &TimeZone::UTC));
        assert!(!is_past_day("2026-11-29", now, &TimeZone::UTC));
        assert!(!is_past_day("not a date", now, &TimeZone::UTC));
    }
}
