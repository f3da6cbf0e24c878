//! Untrusted text (log lines, event messages, stopped reasons) made safe for a
//! terminal: every escape sequence and control character removed.

/// Strip terminal control sequences (CSI, OSC, DCS/APC/PM/SOS strings, other
/// ESC sequences), C0 controls except newline and tab, DEL and C1 controls.
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
            c if is_control(c) => {}
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
    fn strips_c1_and_bell_and_keeps_text() {
        assert_eq!(strip_controls("a\u{9b}31mb\u{7}c\u{85}d"), "abcd");
        assert_eq!(strip_controls("naïve — 日本\tx\ny"), "naïve — 日本\tx\ny");
        assert_eq!(one_line("a\nb\tc\r"), "a b c");
    }
}
