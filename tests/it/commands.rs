//! The one command table: the palette lists exactly the commands the table
//! says work on a screen, narrows, moves, completes and shows arguments;
//! help reaches every command at 80×24 and closes only on Esc, ? or q; a
//! key remapped by `[keys]` shows in help, the footer, the palette and
//! `:keys`, and works.

use crate::support::console::{demo_session, render};
use std::collections::BTreeSet;
use triage::app::commands::palette::{listed, PaletteView};
use triage::app::commands::{Command, COMMANDS};
use triage::app::keymap::{KeyOverride, Keymap};
use triage::app::state::{Overlay, Screen};
use triage::app::{update, AppState, Key, KeyPress, Msg};
use triage::settings::ThemeSpec;

fn console(width: u16, height: u16) -> AppState {
    let mut s = AppState::new(
        demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        true,
        chrono::Utc::now(),
    );
    update(&mut s, Msg::Resize { width, height });
    s
}

fn press(s: &mut AppState, key: KeyPress) {
    update(s, Msg::Key(key));
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        press(s, KeyPress::char(c));
    }
}

fn palette(s: &AppState) -> &PaletteView {
    match &s.overlay {
        Overlay::Palette(view) => view,
        other => panic!("the palette is not open: {other:?}"),
    }
}

#[test]
fn the_palette_lists_every_command_the_table_says_works_on_each_screen() {
    for screen in Screen::every() {
        // The form's keys type into its fields: no palette there.
        if screen == Screen::RunbookForm {
            continue;
        }
        let mut s = console(120, 40);
        s.screen = screen.clone();
        press(&mut s, KeyPress::char(':'));
        let shown: BTreeSet<&str> = listed(&s.screen, palette(&s))
            .iter()
            .map(|c| c.name)
            .collect();
        let table: BTreeSet<&str> = COMMANDS
            .iter()
            .filter(|c| c.works_on(&screen))
            .map(|c| c.name)
            .collect();
        assert_eq!(shown, table, "on {screen:?}");
        for name in [
            "runbooks", "start", "resume", "ctx", "region", "keys", "logs",
        ] {
            assert!(shown.contains(name), "{name} missing on {screen:?}");
        }
    }
}

#[test]
fn the_palette_narrows_moves_completes_and_shows_what_a_command_takes() {
    let mut s = console(80, 24);
    press(&mut s, KeyPress::char(':'));
    let all = listed(&s.screen, palette(&s)).len();
    // Down and PgDn move; Up comes back.
    press(&mut s, KeyPress::plain(Key::Down));
    assert_eq!(palette(&s).selected, 1);
    press(&mut s, KeyPress::plain(Key::PageDown));
    assert!(palette(&s).selected > 1);
    press(&mut s, KeyPress::plain(Key::PageDown));
    press(&mut s, KeyPress::plain(Key::PageDown));
    press(&mut s, KeyPress::plain(Key::PageDown));
    press(&mut s, KeyPress::plain(Key::PageDown));
    assert_eq!(palette(&s).selected, all - 1, "PgDn stops at the last");
    press(&mut s, KeyPress::plain(Key::PageUp));
    press(&mut s, KeyPress::plain(Key::PageUp));
    press(&mut s, KeyPress::plain(Key::PageUp));
    press(&mut s, KeyPress::plain(Key::PageUp));
    press(&mut s, KeyPress::plain(Key::PageUp));
    press(&mut s, KeyPress::plain(Key::Up));
    assert_eq!(palette(&s).selected, 0);
    // Typing narrows: by prefix, then by letters in order.
    typed(&mut s, "rb");
    let names: Vec<&str> = listed(&s.screen, palette(&s))
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names[0], "runbooks", "an alias: {names:?}");
    press(&mut s, KeyPress::plain(Key::Backspace));
    press(&mut s, KeyPress::plain(Key::Backspace));
    typed(&mut s, "sec");
    let names: Vec<&str> = listed(&s.screen, palette(&s))
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names[0], "security", "{names:?}");
    // Tab completes the highlighted one.
    press(&mut s, KeyPress::plain(Key::Backspace));
    press(&mut s, KeyPress::plain(Key::Backspace));
    press(&mut s, KeyPress::plain(Key::Backspace));
    typed(&mut s, "lo");
    press(&mut s, KeyPress::plain(Key::Tab));
    assert_eq!(palette(&s).input.text, "logs ");
    // Its argument's hint shows while it is typed.
    let frame = render(&s);
    assert!(frame.contains(":logs ID"), "{frame}");
    assert!(
        frame.contains("one request across every service"),
        "{frame}"
    );
    // Enter without the argument says what it needs and keeps the line.
    press(&mut s, KeyPress::plain(Key::Enter));
    assert_eq!(palette(&s).problem.as_deref(), Some(":logs needs ID"));
    typed(&mut s, "req-5f1e0c9a");
    press(&mut s, KeyPress::plain(Key::Enter));
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.screen, Screen::Logs);
    // Enter on a highlighted row runs it, even unfinished.
    press(&mut s, KeyPress::char(':'));
    typed(&mut s, "secur");
    press(&mut s, KeyPress::plain(Key::Enter));
    assert_eq!(s.screen, Screen::Security);
}

#[test]
fn help_reaches_every_command_at_80x24_and_only_esc_question_mark_or_q_close_it() {
    let mut s = console(80, 24);
    press(&mut s, KeyPress::char('?'));
    let mut seen = String::new();
    let mut last = String::new();
    // Page through to the end: every command's name shows on some page.
    for _ in 0..40 {
        let frame = render(&s);
        if frame == last {
            break;
        }
        seen.push_str(&frame);
        last = frame;
        press(&mut s, KeyPress::plain(Key::PageDown));
    }
    for c in COMMANDS {
        assert!(
            seen.contains(&format!(":{}", c.name)),
            ":{} never shown",
            c.name
        );
    }
    assert!(
        seen.contains("delete the last word"),
        "the text-field keys too"
    );
    // Keys that are not Esc, ? or q leave it open.
    for key in ['x', 'j', 'k', ' ', 'l'] {
        press(&mut s, KeyPress::char(key));
        assert!(matches!(s.overlay, Overlay::Help(_)), "{key} closed help");
    }
    // / narrows it to what contains a word.
    press(&mut s, KeyPress::char('/'));
    typed(&mut s, "milestone");
    press(&mut s, KeyPress::plain(Key::Enter));
    let frame = render(&s);
    assert!(frame.contains(":add_milestone"), "{frame}");
    assert!(!frame.contains(":quit"), "{frame}");
    // The first Esc clears the search, the second closes help.
    press(&mut s, KeyPress::plain(Key::Esc));
    assert!(matches!(s.overlay, Overlay::Help(_)));
    assert!(render(&s).contains(":quit"));
    press(&mut s, KeyPress::plain(Key::Esc));
    assert_eq!(s.overlay, Overlay::None);
    press(&mut s, KeyPress::char('?'));
    press(&mut s, KeyPress::char('?'));
    assert_eq!(s.overlay, Overlay::None, "? closes it");
}

#[test]
fn a_remapped_key_shows_in_help_footer_palette_and_keys_and_works() {
    let mut s = console(120, 40);
    s.keymap = Keymap::with_overrides(&[KeyOverride {
        action: "timeline".into(),
        keys: vec!["T".into()],
        line: 3,
    }])
    .unwrap();
    let footer = render(&s).lines().last().unwrap().to_string();
    assert!(footer.contains("T timeline"), "{footer}");
    assert!(!footer.contains("t timeline"), "{footer}");
    press(&mut s, KeyPress::char('?'));
    let help = render(&s);
    let line = help.lines().find(|l| l.contains(":timeline")).unwrap();
    assert!(line.contains(" T  :timeline"), "{line}");
    press(&mut s, KeyPress::plain(Key::Esc));
    press(&mut s, KeyPress::char(':'));
    typed(&mut s, "timel");
    let frame = render(&s);
    let row = frame.lines().find(|l| l.contains(":timeline")).unwrap();
    assert!(
        row.trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with('T'),
        "{row}"
    );
    press(&mut s, KeyPress::plain(Key::Esc));
    press(&mut s, KeyPress::char('t'));
    assert_eq!(s.screen, Screen::Services, "t no longer opens it");
    press(&mut s, KeyPress::char('T'));
    assert_eq!(s.screen, Screen::Timeline);
    // Aliases name commands in `[keys]` too.
    let map = Keymap::with_overrides(&[KeyOverride {
        action: "tl".into(),
        keys: vec!["ctrl-t".into()],
        line: 1,
    }])
    .unwrap();
    assert_eq!(
        map.command_for(&Screen::Services, KeyPress::ctrl('t')),
        Some(Command::Timeline)
    );
}

#[test]
fn a_command_that_does_not_work_here_says_where_it_does() {
    let mut s = console(120, 40);
    triage::app::commands::run::dispatch(&mut s, Command::RunSkip, "");
    let said = &s.message.as_ref().unwrap().text;
    assert!(said.contains(":run_skip does not work on"), "{said}");
    assert!(said.contains("a runbook run"), "{said}");
}
