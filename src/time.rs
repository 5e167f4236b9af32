//! Calendar dates and times as the APIs write them: AnnA's `YYYYMMDDhhmmss` and
//! `dd/MM/yyyy`, ISO 8601 date-times, and HTTP dates for `Retry-After`.
//!
//! The text formats are ours; the calendar (which dates exist, how many seconds lie
//! between two of them) is `jiff`'s, and HTTP dates are `httpdate`'s.
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::civil;

use crate::error::{Error, Result};

/// A calendar date (proleptic Gregorian), years 0 to 9999.
///
/// ```
/// use tokenbridge::Date;
/// let d = Date::new(2024, 12, 31).unwrap();
/// assert_eq!(d.to_anna_string(), "31/12/2024");
/// assert!(Date::new(2024, 2, 30).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date; an impossible one (month 13, 30 February, a year past 9999...) is an
    /// invalid-input error.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date> {
        match civil_date(year, month, day) {
            Some(_) => Ok(Date { year, month, day }),
            None => Err(Error::invalid_input(
                "date",
                format!("{year:04}-{month:02}-{day:02} is not a calendar date"),
            )),
        }
    }

    /// Parses `dd/MM/yyyy` (AnnA's filter format) or `yyyy-MM-dd`.
    pub fn parse(text: &str) -> Result<Date> {
        let bad = || {
            Error::invalid_input(
                "date",
                format!("`{text}` is not a date written dd/MM/yyyy or yyyy-MM-dd"),
            )
        };
        fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        let parts: Vec<&str> = if text.contains('/') {
            text.split('/').rev().collect()
        } else {
            text.split('-').collect()
        };
        if parts.len() != 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let (y, m, d) = (num(parts[0]), num(parts[1]), num(parts[2]));
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        Date::new(y, m, d).map_err(|_| bad())
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// `dd/MM/yyyy`, as AnnA's filters want it.
    pub fn to_anna_string(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl fmt::Display for Date {
    /// ISO 8601, `yyyy-MM-dd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date and time of day with no time zone (AnnA writes its `Expires` in the
/// server's local time, and does not say which zone that is).
///
/// ```
/// use tokenbridge::LocalDateTime;
/// let t = LocalDateTime::parse_compact("20241231235959").unwrap();
/// assert_eq!(t.to_string(), "2024-12-31T23:59:59");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
}

impl LocalDateTime {
    /// A date-time; an impossible one is an invalid-input error. Second 60 (a leap
    /// second) is taken.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<Self> {
        if civil_time(hour, minute, second).is_none() {
            return Err(Error::invalid_input(
                "time",
                format!("{hour:02}:{minute:02}:{second:02} is not a time of day"),
            ));
        }
        Ok(LocalDateTime {
            date,
            hour,
            minute,
            second,
        })
    }

    /// Parses `YYYYMMDDhhmmss`.
    pub fn parse_compact(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid_input(
                "date_time",
                format!("`{text}` is not a date-time written YYYYMMDDhhmmss"),
            )
        };
        if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        // Fourteen ASCII digits: every two-digit field fits a u8, the year a u16.
        let n = |r: std::ops::Range<usize>| text[r].parse::<u8>().map_err(|_| bad());
        let year = text[0..4].parse::<u16>().map_err(|_| bad())?;
        let date = Date::new(year, n(4..6)?, n(6..8)?).map_err(|_| bad())?;
        LocalDateTime::new(date, n(8..10)?, n(10..12)?, n(12..14)?).map_err(|_| bad())
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }
    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second.
    pub fn second(&self) -> u8 {
        self.second
    }

    /// The instant this is when read as UTC plus `offset_seconds`; `None` before
    /// 1970 (or when the offset is too large to apply).
    pub fn to_system_time(&self, offset_seconds: i64) -> Option<SystemTime> {
        const EPOCH: civil::DateTime = civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0);
        let d = self.date;
        let (time, leap) = civil_time(self.hour, self.minute, self.second)?;
        let local = civil_date(d.year, d.month, d.day)?.to_datetime(time);
        let secs = local
            .duration_since(EPOCH)
            .as_secs()
            .checked_add(leap)?
            .checked_sub(offset_seconds)?;
        u64::try_from(secs)
            .ok()
            .map(|s| UNIX_EPOCH + Duration::from_secs(s))
    }
}

impl fmt::Display for LocalDateTime {
    /// ISO 8601 without zone, `yyyy-MM-ddThh:mm:ss`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

/// The date as jiff holds it, when it is one (jiff's years stop at 9999).
fn civil_date(year: u16, month: u8, day: u8) -> Option<civil::Date> {
    let (year, month, day) = (
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    );
    civil::Date::new(year, month, day).ok()
}

/// The time of day as jiff holds it, with the seconds it leaves out: a leap second
/// (`:60`, which a server clock may write and jiff's `Time` cannot hold) is read as
/// `:59` plus one second.
fn civil_time(hour: u8, minute: u8, second: u8) -> Option<(civil::Time, i64)> {
    let (second, leap) = if second == 60 { (59, 1) } else { (second, 0) };
    let (hour, minute, second) = (
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
    );
    Some((civil::Time::new(hour, minute, second, 0).ok()?, leap))
}

/// A date-time read from text, with its zone when the text had one.
pub(crate) struct ParsedDateTime {
    pub local: LocalDateTime,
    /// Seconds east of UTC, when the text gave a zone (`Z`, `+hh:mm`).
    pub offset: Option<i64>,
}

/// Parses ISO 8601 / RFC 3339 (`2024-05-01T10:00:00Z`, `...+03:00`, `... 10:00:00`,
/// fractional seconds ignored) and the compact `YYYYMMDDhhmmss`.
pub(crate) fn parse_date_time(text: &str) -> Option<ParsedDateTime> {
    let t = text.trim();
    if let Ok(local) = LocalDateTime::parse_compact(t) {
        return Some(ParsedDateTime {
            local,
            offset: None,
        });
    }
    if t.len() < 19 {
        return None;
    }
    let (date_part, rest) = (t.get(..10)?, t.get(10..)?);
    let sep = rest.chars().next()?;
    if !matches!(sep, 'T' | 't' | ' ') {
        return None;
    }
    let date = Date::parse(date_part).ok()?;
    let time = rest.get(1..9)?;
    let hms: Vec<&str> = time.split(':').collect();
    if hms.len() != 3 || hms.iter().any(|p| p.len() != 2) {
        return None;
    }
    let p = |s: &str| s.parse::<u8>().ok();
    let local = LocalDateTime::new(date, p(hms[0])?, p(hms[1])?, p(hms[2])?).ok()?;
    let mut zone = rest.get(9..)?;
    if let Some(frac) = zone.strip_prefix('.') {
        zone = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match zone {
        "" => None,
        "Z" | "z" => Some(0),
        z if (z.starts_with('+') || z.starts_with('-')) && z.len() == 6 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let h: i64 = z.get(1..3)?.parse().ok()?;
            let m: i64 = z.get(4..6)?.parse().ok()?;
            Some(sign * (h * 3600 + m * 60))
        }
        _ => return None,
    };
    Some(ParsedDateTime { local, offset })
}

/// Parses an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT` (not the obsolete RFC 850
/// and asctime forms).
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let at = httpdate::parse_http_date(text).ok()?;
    // httpdate reads all three forms and writes IMF-fixdates: the text was one when
    // writing the instant back gives the text again.
    (httpdate::fmt_http_date(at) == text.trim()).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn local(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> LocalDateTime {
        LocalDateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s).unwrap()
    }

    #[test]
    fn civil_days() {
        assert_eq!(local(1970, 1, 1, 0, 0, 0).to_system_time(0), Some(at(0)));
        assert_eq!(
            local(2000, 3, 1, 0, 0, 0).to_system_time(0),
            Some(at(11_017 * 86_400))
        );
        assert_eq!(
            local(2024, 12, 31, 0, 0, 0).to_system_time(0),
            Some(at(20_088 * 86_400))
        );
    }

    #[test]
    fn leap_days() {
        assert!(Date::new(2024, 2, 29).is_ok());
        assert!(Date::new(2000, 2, 29).is_ok());
        assert!(Date::new(2023, 2, 29).is_err());
        assert!(Date::new(1900, 2, 29).is_err());
        assert!(Date::new(2024, 2, 30).is_err());
        assert!(Date::parse("29/02/2024").is_ok());
        assert!(Date::parse("2023-02-29").is_err());
        assert!(LocalDateTime::parse_compact("20240229120000").is_ok());
        assert!(LocalDateTime::parse_compact("20230229120000").is_err());
        let e = Date::new(2023, 2, 29).unwrap_err().to_string();
        assert!(e.contains("2023-02-29 is not a calendar date"), "{e}");
        // The day after 28 February is 29 February in a leap year, 1 March otherwise.
        let day = |y, m, d| local(y, m, d, 0, 0, 0).to_system_time(0).unwrap();
        let one_day = Duration::from_secs(86_400);
        assert_eq!(day(2024, 3, 1), day(2024, 2, 28) + one_day * 2);
        assert_eq!(day(2023, 3, 1), day(2023, 2, 28) + one_day);
    }

    #[test]
    fn months_and_days_in_range() {
        assert!(Date::new(2024, 0, 1).is_err());
        assert!(Date::new(2024, 13, 1).is_err());
        assert!(Date::new(2024, 1, 0).is_err());
        assert!(Date::new(2024, 4, 31).is_err());
        assert!(Date::new(2024, 255, 255).is_err());
        assert!(Date::parse("31/04/2024").is_err());
        assert!(Date::parse("01/256/2024").is_err());
        assert!(LocalDateTime::parse_compact("20241301000000").is_err());
    }

    #[test]
    fn year_bounds() {
        assert_eq!(Date::new(0, 1, 1).unwrap().to_string(), "0000-01-01");
        assert!(Date::new(0, 2, 29).is_ok(), "year 0 is a leap year");
        assert_eq!(Date::new(9999, 12, 31).unwrap().to_string(), "9999-12-31");
        assert!(Date::new(10_000, 1, 1).is_err());
        assert!(Date::new(u16::MAX, 1, 1).is_err());
        assert!(Date::parse("0000-01-01").is_ok());
        assert!(Date::parse("31/12/9999").is_ok());
        assert!(Date::parse("01/01/10000").is_err());
        // Before 1970 there is no SystemTime to give; the last second of 9999 is one.
        assert_eq!(local(1969, 12, 31, 23, 59, 59).to_system_time(0), None);
        assert_eq!(local(0, 1, 1, 0, 0, 0).to_system_time(0), None);
        assert_eq!(
            local(9999, 12, 31, 23, 59, 59).to_system_time(0),
            Some(at(253_402_300_799))
        );
        assert_eq!(
            LocalDateTime::parse_compact("99991231235959")
                .unwrap()
                .to_system_time(-3600),
            Some(at(253_402_300_799 + 3600))
        );
    }

    #[test]
    fn times_of_day() {
        assert_eq!(local(2024, 1, 1, 23, 59, 59).hour(), 23);
        assert!(LocalDateTime::new(Date::new(2024, 1, 1).unwrap(), 24, 0, 0).is_err());
        assert!(LocalDateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 60, 0).is_err());
        assert!(LocalDateTime::new(Date::new(2024, 1, 1).unwrap(), 0, 0, 61).is_err());
        let e = LocalDateTime::new(Date::new(2024, 1, 1).unwrap(), 24, 0, 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("24:00:00 is not a time of day"), "{e}");
        // A leap second is the second after :59.
        let leap = local(2016, 12, 31, 23, 59, 60);
        assert_eq!(leap.to_string(), "2016-12-31T23:59:60");
        assert_eq!(
            leap.to_system_time(0),
            local(2017, 1, 1, 0, 0, 0).to_system_time(0)
        );
        let e = LocalDateTime::parse_compact("20241231246000")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is not a date-time written YYYYMMDDhhmmss"),
            "{e}"
        );
    }

    #[test]
    fn system_time_offsets() {
        let t = local(2024, 5, 1, 10, 0, 0);
        let utc = 1_714_557_600;
        assert_eq!(t.to_system_time(0), Some(at(utc)));
        // 10:00 at UTC+03:00 is 07:00 UTC; 10:00 at UTC-03:00 is 13:00 UTC.
        assert_eq!(t.to_system_time(3 * 3600), Some(at(utc - 3 * 3600)));
        assert_eq!(t.to_system_time(-3 * 3600), Some(at(utc + 3 * 3600)));
        assert_eq!(t.to_system_time(5 * 3600 + 30 * 60), Some(at(utc - 19_800)));
        // An offset can carry the instant across midnight and the year.
        assert_eq!(
            local(2024, 1, 1, 1, 0, 0).to_system_time(2 * 3600),
            local(2023, 12, 31, 23, 0, 0).to_system_time(0)
        );
        // Across the epoch: just after it in UTC-01:00 is before 1970 in UTC+01:00.
        let start = local(1970, 1, 1, 0, 30, 0);
        assert_eq!(start.to_system_time(-3600), Some(at(5400)));
        assert_eq!(start.to_system_time(3600), None);
        // Offsets too large to apply are no instant, not a panic.
        assert_eq!(t.to_system_time(i64::MIN), None);
        assert_eq!(t.to_system_time(i64::MAX), None);
    }

    #[test]
    fn dates_parse_both_ways() {
        assert_eq!(
            Date::parse("01/02/2024").unwrap(),
            Date::new(2024, 2, 1).unwrap()
        );
        assert_eq!(
            Date::parse("2024-02-01").unwrap(),
            Date::new(2024, 2, 1).unwrap()
        );
        assert!(Date::parse("2024/02/01").is_err());
        assert!(Date::parse("29/02/2023").is_err());
        assert!(Date::parse("1/2/2024").is_ok());
        assert!(Date::parse("+1/2/2024").is_err());
        let e = Date::parse("2024-13-01").unwrap_err().to_string();
        assert!(
            e.contains("`2024-13-01` is not a date written dd/MM/yyyy or yyyy-MM-dd"),
            "{e}"
        );
    }

    #[test]
    fn iso_date_times() {
        let p = parse_date_time("2024-05-01T10:00:00Z").unwrap();
        assert_eq!(p.offset, Some(0));
        assert_eq!(
            p.local.to_system_time(0).unwrap(),
            UNIX_EPOCH + Duration::from_secs(1_714_557_600)
        );
        let p = parse_date_time("2024-05-01T10:00:00.123-03:00").unwrap();
        assert_eq!(p.offset, Some(-3 * 3600));
        assert!(parse_date_time("2024-05-01 10:00:00")
            .unwrap()
            .offset
            .is_none());
        assert!(parse_date_time("tomorrow").is_none());
        assert!(parse_date_time("2024-05-01T25:00:00Z").is_none());
        assert!(parse_date_time("2023-02-29T10:00:00Z").is_none());
        assert!(parse_date_time("2024-02-29T10:00:00+05:30").is_some());
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap(),
            UNIX_EPOCH + Duration::from_secs(784_111_777)
        );
        assert!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").is_none());
        assert!(parse_http_date("Sun Nov  6 08:49:37 1994").is_none());
        assert_eq!(
            parse_http_date(" Thu, 29 Feb 2024 00:00:00 GMT "),
            Some(at(1_709_164_800))
        );
        assert!(parse_http_date("Wed, 29 Feb 2023 00:00:00 GMT").is_none());
        assert!(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC").is_none());
        assert!(parse_http_date("").is_none());
    }
}
