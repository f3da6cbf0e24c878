//! Times an operator types: `2026-01-28T03:05:00Z`, `03:05` (UTC, the most
//! recent such time), `15m ago`, `-15m`, `2h ago`.

use chrono::{DateTime, Duration, NaiveTime, Utc};

/// The longest span (and the furthest back a time may lie) triage accepts:
/// ten years. Anything longer is a typo, and would overflow date arithmetic
/// or send millions of calls.
pub const MAX_DAYS: i64 = 3650;
/// How far ahead of now a time may lie (clocks disagree a little).
pub(crate) const MAX_AHEAD_HOURS: i64 = 24;

/// Why a typed time or span was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message(None))]
pub struct TimeInputError {
    /// What was typed.
    pub text: String,
    pub problem: TimeProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    Empty,
    UnreadableTime,
    UnreadableSpan,
    /// A span (or `… ago`) longer than [`MAX_DAYS`].
    TooLong,
    /// An absolute time more than [`MAX_DAYS`] back.
    TooFarBack,
    /// An absolute time more than [`MAX_AHEAD_HOURS`] ahead.
    TooFarAhead,
    /// Second 60 (a leap second, which UTC timestamps from AWS never carry).
    SecondSixty,
}

impl TimeInputError {
    fn new(text: &str, problem: TimeProblem) -> TimeInputError {
        TimeInputError {
            text: text.trim().chars().take(80).collect(),
            problem,
        }
    }

    /// The message, naming the flag it was given to when there is one:
    /// "`--since 300000d` is more than the 10 years triage accepts".
    pub fn message(&self, flag: Option<&str>) -> String {
        let input = match flag {
            Some(flag) => format!("`{flag} {}`", self.text),
            None => format!("`{}`", self.text),
        };
        let years = MAX_DAYS / 365;
        match self.problem {
            TimeProblem::Empty => match flag {
                Some(flag) => format!("{flag} needs a value"),
                None => "empty time".into(),
            },
            TimeProblem::UnreadableTime => format!(
                "cannot read the time {input}: use 2026-01-28T03:05:00Z, 03:05 (UTC), or 15m ago"
            ),
            TimeProblem::SecondSixty => format!(
                "{input} has second 60: a minute's seconds are 00 to 59 (write the next minute's :00)"
            ),
            TimeProblem::UnreadableSpan => {
                format!("cannot read {input} as a duration: use 30s, 30m, 1h or 2d")
            }
            TimeProblem::TooLong => {
                format!("{input} is more than the {years} years triage accepts")
            }
            TimeProblem::TooFarBack => {
                format!("{input} is more than the {years} years back triage accepts")
            }
            TimeProblem::TooFarAhead => format!(
                "{input} is more than {MAX_AHEAD_HOURS} hours ahead of now (check the date and the time zone)"
            ),
        }
    }
}

pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeInputError> {
    let t = text.trim();
    let fail = |problem| TimeInputError::new(text, problem);
    if t.is_empty() {
        return Err(fail(TimeProblem::Empty));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        let at = at.with_timezone(&Utc);
        if is_leap_second(at.time()) {
            return Err(fail(TimeProblem::SecondSixty));
        }
        return within_range(at, now).map_err(fail);
    }
    let relative = t
        .strip_suffix("ago")
        .map(str::trim)
        .or_else(|| t.strip_prefix('-'))
        .map(str::trim);
    if let Some(amount) = relative {
        let span = span_of(amount, &["s", "sec", "secs"], false).map_err(|p| {
            fail(match p {
                TimeProblem::UnreadableSpan => TimeProblem::UnreadableTime,
                other => other,
            })
        })?;
        return now
            .checked_sub_signed(span)
            .ok_or_else(|| fail(TimeProblem::TooLong));
    }
    for format in ["%H:%M:%S", "%H:%M"] {
        if let Ok(time) = NaiveTime::parse_from_str(t, format) {
            if is_leap_second(time) {
                return Err(fail(TimeProblem::SecondSixty));
            }
            let today = now.date_naive().and_time(time).and_utc();
            return Ok(if today > now {
                today - Duration::days(1)
            } else {
                today
            });
        }
    }
    Err(fail(TimeProblem::UnreadableTime))
}

/// chrono reads `:60` as a leap second (a nanosecond count past a second).
fn is_leap_second(time: NaiveTime) -> bool {
    use chrono::Timelike;
    time.nanosecond() >= 1_000_000_000
}

/// An absolute time within ten years back and a day ahead of `now`.
fn within_range(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeProblem> {
    if at < now - Duration::days(MAX_DAYS) {
        return Err(TimeProblem::TooFarBack);
    }
    if at > now + Duration::hours(MAX_AHEAD_HOURS) {
        return Err(TimeProblem::TooFarAhead);
    }
    Ok(at)
}

/// A span of time: `30m`, `1h`, `2d`, `90s`, `500ms`; at most ten years.
pub fn parse_span(text: &str) -> Result<Duration, TimeInputError> {
    span_of(text.trim(), &["s"], true).map_err(|p| TimeInputError::new(text, p))
}

/// `<digits><unit>`, checked against [`MAX_DAYS`] before any arithmetic.
fn span_of(text: &str, second_units: &[&str], millis: bool) -> Result<Duration, TimeProblem> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() {
        return Err(TimeProblem::UnreadableSpan);
    }
    let unit = unit.trim();
    let ms_per_unit: u64 = match unit {
        "ms" if millis => 1,
        u if second_units.contains(&u) => 1_000,
        "m" | "min" | "mins" => 60_000,
        "h" | "hr" | "hrs" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        _ => return Err(TimeProblem::UnreadableSpan),
    };
    // All digits: a number too big for u64 is far more than ten years.
    let n: u64 = number.parse().map_err(|_| TimeProblem::TooLong)?;
    let max_ms = MAX_DAYS as u64 * 86_400_000;
    let ms = n.checked_mul(ms_per_unit).ok_or(TimeProblem::TooLong)?;
    if ms > max_ms {
        return Err(TimeProblem::TooLong);
    }
    Ok(Duration::milliseconds(ms as i64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn reads_absolute_clock_and_relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        assert_eq!(
            parse("2026-01-28T02:50:00Z", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 28, 2, 50, 0).unwrap()
        );
        assert_eq!(
            parse("03:05", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 28, 3, 5, 0).unwrap()
        );
        assert_eq!(
            parse("23:30", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 27, 23, 30, 0).unwrap()
        );
        assert_eq!(parse("15m ago", now).unwrap(), now - Duration::minutes(15));
        assert_eq!(parse("-2h", now).unwrap(), now - Duration::hours(2));
        assert!(parse("yesterday-ish", now)
            .unwrap_err()
            .to_string()
            .contains("15m ago"));
    }
}

#[cfg(test)]
mod bounds {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_and_times_beyond_ten_years_are_refused_by_name() {
        let now = Utc.with_ymd_and_hms(2026, 1, 28, 3, 12, 0).unwrap();
        let err = parse_span("300000d").unwrap_err();
        assert_eq!(err.problem, TimeProblem::TooLong);
        assert_eq!(
            err.message(Some("--since")),
            "`--since 300000d` is more than the 10 years triage accepts"
        );
        assert_eq!(
            parse_span("99999999999999999999999h").unwrap_err().problem,
            TimeProblem::TooLong
        );
        assert_eq!(parse_span("3650d").unwrap(), Duration::days(3650));
        assert_eq!(
            parse("9223372036854775807m ago", now).unwrap_err().problem,
            TimeProblem::TooLong
        );
        assert_eq!(
            parse("0001-01-01T00:00:00Z", now).unwrap_err().problem,
            TimeProblem::TooFarBack
        );
        assert_eq!(
            parse("9999-12-31T23:59:59+14:00", now).unwrap_err().problem,
            TimeProblem::TooFarAhead
        );
        assert_eq!(
            parse_span("-5m").unwrap_err().problem,
            TimeProblem::UnreadableSpan
        );
        assert_eq!(parse_span("500ms").unwrap(), Duration::milliseconds(500));
    }
}
