//! Times an operator types: `2026-01-28T03:05:00Z`, `03:05` (UTC, the most
//! recent such time), `15m ago`, `-15m`, `2h ago`.

use chrono::{DateTime, Duration, NaiveTime, Utc};

pub fn parse(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty time".into());
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&Utc));
    }
    let relative = t
        .strip_suffix("ago")
        .map(str::trim)
        .or_else(|| t.strip_prefix('-'))
        .map(str::trim);
    if let Some(amount) = relative {
        let (number, unit) = amount.split_at(
            amount
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(amount.len()),
        );
        let n: i64 = number.parse().map_err(|_| bad(text))?;
        let d = match unit.trim() {
            "s" | "sec" | "secs" => Duration::seconds(n),
            "m" | "min" | "mins" => Duration::minutes(n),
            "h" | "hr" | "hrs" => Duration::hours(n),
            "d" | "day" | "days" => Duration::days(n),
            _ => return Err(bad(text)),
        };
        return Ok(now - d);
    }
    for format in ["%H:%M:%S", "%H:%M"] {
        if let Ok(time) = NaiveTime::parse_from_str(t, format) {
            let today = now.date_naive().and_time(time).and_utc();
            return Ok(if today > now {
                today - Duration::days(1)
            } else {
                today
            });
        }
    }
    Err(bad(text))
}

fn bad(text: &str) -> String {
    format!("cannot read the time `{text}`: use 2026-01-28T03:05:00Z, 03:05 (UTC), or 15m ago")
}

/// A span of time: `30m`, `1h`, `2d`, `90s`, `500ms`.
pub fn parse_span(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || format!("cannot read `{text}` as a duration: use 30s, 30m, 1h or 2d");
    let n: i64 = number.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::milliseconds(n)),
        "s" => Ok(Duration::seconds(n)),
        "m" => Ok(Duration::minutes(n)),
        "h" => Ok(Duration::hours(n)),
        "d" => Ok(Duration::days(n)),
        _ => Err(bad()),
    }
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
        assert!(parse("yesterday-ish", now).unwrap_err().contains("15m ago"));
    }
}
