//! The terminal guard: raw mode, alternate screen, mouse capture and bracketed
//! paste on enter; all restored on drop and from the panic hook, whatever
//! the exit path.

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{stdout, Stdout};
use std::ops::{Deref, DerefMut};
use std::sync::Once;

pub(crate) struct Guard {
    terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Guard {
    pub fn enter() -> std::io::Result<Guard> {
        install_panic_hook();
        take_over()?;
        let terminal = match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(t) => t,
            Err(err) => {
                restore();
                return Err(err);
            }
        };
        Ok(Guard { terminal })
    }
}

impl Guard {
    /// Hand the terminal back for a while (a shell runs on it).
    pub(crate) fn suspend(&mut self) {
        restore();
    }

    /// Take it again and repaint everything on the next draw.
    pub fn resume(&mut self) -> std::io::Result<()> {
        take_over()?;
        self.terminal.clear()
    }
}

/// Raw mode, the alternate screen, mouse and bracketed paste, no cursor.
fn take_over() -> std::io::Result<()> {
    enable_raw_mode()?;
    if let Err(err) = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        // A paste arrives as one event, never as keys that run commands.
        EnableBracketedPaste,
        cursor::Hide
    ) {
        restore();
        return Err(err);
    }
    Ok(())
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

impl Deref for Guard {
    type Target = Terminal<CrosstermBackend<Stdout>>;
    fn deref(&self) -> &Self::Target {
        &self.terminal
    }
}

impl DerefMut for Guard {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.terminal
    }
}

/// Ask the terminal to put `text` on the clipboard (OSC 52; works over SSH
/// and in tmux with `set-clipboard on`).
pub(crate) fn copy_to_clipboard(text: &str) {
    use std::io::Write;
    let mut out = stdout();
    let _ = write!(out, "\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
    let _ = out.flush();
}

/// The bell, and a desktop notification where the terminal shows one
/// (OSC 9: iTerm2, WezTerm, kitty, Windows Terminal; OSC 777: rxvt, foot,
/// Konsole). `text` is one sanitized line; the sequences' own terminators
/// are taken out of it.
pub(crate) fn notify(text: &str, desktop: bool) {
    use std::io::Write;
    let text: String = crate::domain::sanitize::one_line(text)
        .chars()
        .filter(|c| !matches!(c, '\u{7}' | '\u{1b}' | ';'))
        .take(200)
        .collect();
    let mut out = stdout();
    let _ = if desktop {
        write!(
            out,
            "\u{7}\u{1b}]9;triage: {text}\u{7}\u{1b}]777;notify;triage;{text}\u{7}"
        )
    } else {
        write!(out, "\u{7}")
    };
    let _ = out.flush();
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let _ = execute!(
        stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// A panic restores the terminal before the message is printed, so the
/// message is readable and the shell usable.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(super::base64(b"arn"), "YXJu");
        assert_eq!(super::base64(b"ar"), "YXI=");
        assert_eq!(super::base64(b"a"), "YQ==");
        assert_eq!(super::base64(b""), "");
    }
}
