//! The keymap feeds help, the footer and dispatch; `[keys]` in the config
//! replaces an action's keys; a conflict, an unknown action, a text-field
//! key or an unreadable key is a config error naming the file and line;
//! `:keys` shows the keymap in use with yours marked.

use crate::support::console::{demo_session, render};
use triage::app::commands::Command;
use triage::app::keymap::{KeyOverride, Keymap};
use triage::app::state::Screen;
use triage::app::{update, AppState, Key, KeyPress, Msg};
use triage::settings::ThemeSpec;

fn entry(action: &str, keys: &[&str], line: usize) -> KeyOverride {
    KeyOverride {
        action: action.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
        line,
    }
}

#[test]
fn an_action_gets_the_keys_the_config_gives_it() {
    let map = Keymap::with_overrides(&[entry("timeline", &["T", "ctrl-t"], 4)]).unwrap();
    assert_eq!(
        map.command_for(&Screen::Services, KeyPress::char('T')),
        Some(Command::Timeline)
    );
    assert_eq!(
        map.command_for(&Screen::Services, KeyPress::ctrl('t')),
        Some(Command::Timeline)
    );
    assert_eq!(
        map.command_for(&Screen::Services, KeyPress::char('t')),
        None
    );
    let bound = map
        .bindings
        .iter()
        .find(|b| b.command == Command::Timeline)
        .unwrap();
    assert!(bound.yours);
    assert_eq!(bound.label(), "T ^t");
}

#[test]
fn refused_entries_say_why_at_their_line() {
    let problems = Keymap::with_overrides(&[
        entry("timeline", &["d"], 3),
        entry("timeleine", &["x"], 4),
        entry("edit_submit", &["ctrl-m"], 5),
        entry("refresh", &["ctrl-shift-x"], 6),
    ])
    .unwrap_err();
    let at = |line: usize| {
        problems
            .iter()
            .find(|p| p.line == line)
            .map(|p| p.message.clone())
            .unwrap_or_default()
    };
    assert!(
        at(3).contains("`d` would be both") && at(3).contains("diagnosis"),
        "{problems:?}"
    );
    assert!(
        at(4).contains("no command `timeleine`; commands:"),
        "{problems:?}"
    );
    assert!(
        at(5).contains("edits text and keeps its keys"),
        "{problems:?}"
    );
    assert!(
        at(6).contains("cannot read the key `ctrl-shift-x`"),
        "{problems:?}"
    );
}

#[test]
fn a_conflict_in_the_config_stops_the_console_with_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/triage");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "theme = \"dark\"\n\n[keys]\ntimeline = \"d\"\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("triage")
        .unwrap()
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("TRIAGE_LOG_FILE", home.path().join("log"))
        .arg("--demo")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("config.toml:4: key `keys.timeline`: `d` would be both"),
        "{stderr}"
    );
}

#[test]
fn keys_shows_the_keymap_in_use_with_yours_marked() {
    let mut s = AppState::new(
        demo_session(),
        ThemeSpec::built_in("dark").unwrap(),
        true,
        chrono::Utc::now(),
    );
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 40,
        },
    );
    s.keymap = Keymap::with_overrides(&[entry("timeline", &["T"], 4)]).unwrap();
    for c in ":keys".chars() {
        update(&mut s, Msg::Key(KeyPress::char(c)));
    }
    update(&mut s, Msg::Key(KeyPress::plain(Key::Enter)));
    assert_eq!(s.screen, Screen::Keymap);
    let text = render(&s);
    assert!(
        text.contains("1 command(s) with keys from [keys]"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains("the incident timeline"))
        .unwrap();
    assert!(
        line.starts_with("◆") && line.contains(" T  the incident timeline"),
        "{line}"
    );
    // The end of the list: the text-field keys.
    update(&mut s, Msg::Key(KeyPress::char('G')));
    let end = render(&s);
    assert!(
        end.contains("In text fields") && end.contains("^w  delete the last word"),
        "{end}"
    );
    // The help overlay and the footer read the same keymap.
    update(&mut s, Msg::Key(KeyPress::plain(Key::Esc)));
    update(&mut s, Msg::Key(KeyPress::char('T')));
    assert_eq!(s.screen, Screen::Timeline, "the new key works");
    // Tiny sizes never panic.
    for (w, h) in [(20, 5), (1, 1)] {
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        s.screen = Screen::Keymap;
        render(&s);
    }
}
