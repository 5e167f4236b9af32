//! Calendar dates and times as the APIs write them: AnnA's `YYYYMMDDhhmmss` and
//! `dd/MM/yyyy`, ISO 8601 date-times, and HTTP dates for `Retry-After`.
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// A calendar date (proleptic Gregorian).
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
    /// A date; an impossible one (month 13, 30 February...) is an invalid-input error.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(Error::invalid_input(
                "date",
                format!("{year:04}-{month:02}-{day:02} is not a calendar date"),
            ));
        }
        Ok(Date { year, month, day })
    }

    /// Parses `dd/MM/yyyy` (AnnA's filter format) or `yyyy-MM-dd`.
    pub fn parse(text: &str) -> Result<Date> {
        let bad = || {
            Error::invalid_input(
                "date",
                format!("`{text}` is not a date written dd/MM/yyyy or yyyy-MM-dd"),
            )
        };
        let num = |s: &str| -> Result<u16> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        let parts: Vec<&str> = if text.contains('/') {
            text.split('/').rev().collect()
        } else {
            text.split('-').collect()
        };
        if parts.len() != 3 || parts[0].len() != 4 {
            return Err(bad());
        }
        let (y, m, d) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
        if m > 12 || d > 31 {
            return Err(bad());
        }
        Date::new(y, m as u8, d as u8).map_err(|_| bad())
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

    fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year as i64, self.month as i64, self.day as i64)
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
    /// A date-time; an impossible one is an invalid-input error.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Result<Self> {
        if hour > 23 || minute > 59 || second > 60 {
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
        let n = |r: std::ops::Range<usize>| text[r].parse::<u16>().map_err(|_| bad());
        let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
        if mo > 12 || d > 31 {
            return Err(bad());
        }
        let date = Date::new(y, mo as u8, d as u8).map_err(|_| bad())?;
        LocalDateTime::new(date, n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8)
            .map_err(|_| bad())
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

    /// The instant this is when read as UTC plus `offset_seconds`.
    pub fn to_system_time(&self, offset_seconds: i64) -> Option<SystemTime> {
        let secs = self.date.days_since_epoch() * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
            - offset_seconds;
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

/// Parses an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() != 6 || parts[5] != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == parts[2])? as u8 + 1;
    let date = Date::new(parts[3].parse().ok()?, month, parts[1].parse().ok()?).ok()?;
    let hms: Vec<u8> = parts[4]
        .split(':')
        .map(|s| s.parse().ok())
        .collect::<Option<_>>()?;
    if hms.len() != 3 {
        return None;
    }
    LocalDateTime::new(date, hms[0], hms[1], hms[2])
        .ok()?
        .to_system_time(0)
}

fn is_leap(y: u16) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given civil date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2024, 12, 31), 20_088);
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
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap(),
            UNIX_EPOCH + Duration::from_secs(784_111_777)
        );
        assert!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").is_none());
    }
}
