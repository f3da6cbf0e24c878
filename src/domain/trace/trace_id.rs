//! An X-Ray trace id in a log line: `1-` then 8 hex digits (the epoch
//! second), `-`, 24 hex digits — alone, after `Root=` (the
//! `X-Amzn-Trace-Id` header's form), or in any field (`traceId`,
//! `trace_id`, `xray_trace_id`…). The first one found, lower-cased.

/// The first X-Ray trace id in `text`.
pub fn trace_id_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text.get(at..).and_then(|rest| rest.find("1-")) {
        let start = at + found;
        at = start + 2;
        // Not the tail of a longer word or number ("21-…", "x1-…").
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let candidate = &bytes[start..];
        if candidate.len() < 35 {
            return None;
        }
        let hex =
            |range: std::ops::Range<usize>| candidate[range].iter().all(u8::is_ascii_hexdigit);
        let ends = candidate.get(35).is_none_or(|b| !b.is_ascii_alphanumeric());
        if hex(2..10) && candidate[10] == b'-' && hex(11..35) && ends {
            return Some(text[start..start + 35].to_ascii_lowercase());
        }
    }
    None
}
