//! Small text helpers for drawing: ages, times, truncation.

use chrono::{DateTime, Duration, Utc};
use unicode_width::UnicodeWidthChar;

/// "12s", "4m", "3h", "2d".
pub fn age(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "4m ago" since `then`, or "—".
pub fn ago(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> String {
    match then {
        Some(t) => format!("{} ago", age(now - t)),
        None => "—".into(),
    }
}

/// Short age since `then`, or "—".
pub fn since(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> String {
    then.map(|t| age(now - t)).unwrap_or_else(|| "—".into())
}

/// "03:12:05" in UTC.
pub fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
}

/// Cut text to `width` terminal columns, ending with … when cut.
pub fn truncate(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// The first 8 characters of a task id, as the ECS console shows them.
pub(crate) fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A resource named with its pair first when several pairs are watched
/// ("prod/eu-west-1 prod-web/api"), as it is when only one is.
pub(crate) fn with_pair(
    state: &crate::app::state::AppState,
    pair: &crate::domain::Pair,
    name: &str,
) -> String {
    if state.several_pairs() {
        format!("{pair} {name}")
    } else {
        name.to_string()
    }
}

/// Below this many columns a headline is said in its few-word form.
const SHORT_HEADLINE: usize = 45;

/// A service's headline for `width` columns: the whole one when what `R`
/// opens still fits, else the few-word one (which keeps it).
/// The headline with the service's top suspect: said after what `R` opens
/// (or after the first part when nothing is suggested), or at the end when
/// `after_evidence` (a security lead — GuardDuty, egress — outranks a
/// change). The short form, for narrow screens, is left as it is.
pub(crate) fn with_suspect(
    suggestion: &crate::domain::suggestion::Suggestion,
    phrase: &str,
    after_evidence: bool,
) -> crate::domain::suggestion::Suggestion {
    let insert = |text: &str| {
        if after_evidence {
            return format!("{text} · {phrase}");
        }
        const HINT: &str = " · R: ";
        let start = text.find(HINT).map_or(0, |at| at + HINT.len());
        let end = text[start..].find(" · ").map_or(text.len(), |i| start + i);
        format!("{} · {phrase}{}", &text[..end], &text[end..])
    };
    crate::domain::suggestion::Suggestion {
        headline: insert(&suggestion.headline),
        ..suggestion.clone()
    }
}

pub(crate) fn headline_within(
    suggestion: &crate::domain::suggestion::Suggestion,
    width: usize,
) -> String {
    const HINT: &str = " · R: ";
    let headline = &suggestion.headline;
    let fits = width >= SHORT_HEADLINE
        && match headline.find(HINT) {
            Some(at) => {
                let rest = &headline[at + HINT.len()..];
                let end = at + HINT.len() + rest.find(" · ").unwrap_or(rest.len());
                unicode_width::UnicodeWidthStr::width(&headline[..end]) <= width
            }
            None => true,
        };
    if fits {
        headline.clone()
    } else {
        suggestion.short.clone()
    }
}
