//! Untrusted text (log lines, event messages, stopped reasons, names from AWS,
//! runbook text) made safe for a terminal, a JSON document or an export:
//! every escape sequence, control character and bidi override removed. The
//! same cleaning everywhere: [`strip_controls`] for text, [`clean_json`] for
//! every string (keys too) of a JSON value.

/// Strip terminal control sequences (CSI, OSC, DCS/APC/PM/SOS strings, other
/// ESC sequences), C0 controls except newline and tab, DEL, C1 controls, and
/// the bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make
/// text read differently from what it is.
pub fn strip_controls(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
                    skip_string(&mut chars)
                }
                // Two-character escapes (ESC c, ESC 7, ESC ( B …): drop the
                // next char, and one more for charset designations.
                Some('(') | Some(')') | Some('*') | Some('+') | Some('#') | Some('%') => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\t' => out.push(c),
            c if is_control(c) || is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Sanitized and folded onto one line: newlines and tabs become spaces.
pub fn one_line(input: &str) -> String {
    strip_controls(input)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect()
}

fn is_control(c: char) -> bool {
    let u = c as u32;
    u < 0x20 || u == 0x7f || (0x80..=0x9f).contains(&u)
}

/// Bidi embeddings, overrides and isolates: LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// True when `text` holds nothing [`strip_controls`] would remove (newlines
/// and tabs allowed).
#[cfg(test)]
fn is_clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (is_control(c) && c != '\n' && c != '\t') || is_bidi_control(c))
}

/// True when `text` can go to a terminal cell as it is: no control at all
/// (newlines and tabs included) and no bidi character.
pub(crate) fn is_displayable(text: &str) -> bool {
    !text.chars().any(|c| is_control(c) || is_bidi_control(c))
}

/// Every string of a JSON value, keys included, cleaned as [`strip_controls`]
/// cleans text (a JSON escape like `\u009b` decodes to a real control).
pub fn clean_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(strip_controls(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (strip_controls(&k), clean_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in 0x40..=0x7e.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        // A control char inside CSI aborts it.
        if is_control(c) && c != '\u{1b}' {
            break;
        }
    }
}

/// OSC / DCS / SOS / PM / APC: up to BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_and_cursor_sequences() {
        assert_eq!(strip_controls("\u{1b}[31mred\u{1b}[0m ok"), "red ok");
        assert_eq!(strip_controls("a\u{1b}[2J\u{1b}[Hb"), "ab");
    }

    #[test]
    fn strips_osc_title_and_hyperlinks_and_clipboard() {
        assert_eq!(strip_controls("x\u{1b}]0;pwned\u{7}y"), "xy");
        assert_eq!(
            strip_controls("\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\"),
            "click"
        );
        assert_eq!(strip_controls("\u{1b}]52;c;ZWNobw==\u{7}after"), "after");
    }

    #[test]
    fn strips_bidi_overrides_and_isolates() {
        assert_eq!(strip_controls("ok\u{202e}gnp.exe\u{202c}"), "okgnp.exe");
        assert_eq!(strip_controls("\u{2066}a\u{2069}b"), "ab");
        assert!(!is_clean("x\u{2067}"));
        let v: serde_json::Value =
            serde_json::from_str(r#"{"k\u009b31m":["\u001b[2Jx","\u202ey"]}"#).unwrap();
        assert_eq!(clean_json(v), serde_json::json!({"k": ["x", "y"]}));
    }

    #[test]
    fn strips_c1_and_bell_and_keeps_text() {
        assert_eq!(strip_controls("a\u{9b}31mb\u{7}c\u{85}d"), "abcd");
        assert_eq!(strip_controls("naïve — 日本\tx\ny"), "naïve — 日本\tx\ny");
        assert_eq!(one_line("a\nb\tc\r"), "a b c");
    }
}
