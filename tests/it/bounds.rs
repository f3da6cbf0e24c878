//! Bounded by construction: no typed time or span panics or runs away, a
//! runbook cannot loop for ever (check refuses unbounded `goto` cycles and
//! huge `retries`; a run stops after a fixed number of attempts of one step
//! whatever the jumps), and a search that would cost too many calls asks
//! first.

use assert_cmd::Command;
use proptest::prelude::*;
use triage::domain::timeline::time_input::{parse, parse_span, TimeProblem, MAX_DAYS};

fn triage(home: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", home.path())
        .env("USER", "dana")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TRIAGE_LOG_FILE", home.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"));
    cmd
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn huge_durations_and_times_exit_2_saying_what_was_too_big() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["diagnose", "--since", "300000d"],
            "`--since 300000d` is more than the 10 years triage accepts",
        ),
        (
            &["logs", "req-1", "--since", "99999999999999999999h"],
            "`--since 99999999999999999999h` is more than the 10 years triage accepts",
        ),
        (
            &["logs", "req-1", "--start", "0001-01-01T00:00:00Z"],
            "`--start 0001-01-01T00:00:00Z` is more than the 10 years back triage accepts",
        ),
        (
            &["logs", "req-1", "--start", "9223372036854775807m ago"],
            "is more than the 10 years triage accepts",
        ),
        (
            &["incident", "note", "x", "--at", "400000d ago"],
            "`--at 400000d ago` is more than the 10 years triage accepts",
        ),
    ];
    for (args, wanted) in cases {
        let out = triage(&home).arg("--demo").args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(wanted), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn config_intervals_beyond_a_day_are_refused_with_the_key() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/triage");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        "[refresh]\nothers_seconds = 100000000000000\n",
    )
    .unwrap();
    let out = triage(&home).args(["--demo", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refresh.others_seconds"),
        "{}",
        stderr(&out)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any text: an answer or a refusal, never a panic.
    #[test]
    fn no_typed_time_or_span_panics(text in "\\PC{0,40}") {
        let now = chrono::Utc::now();
        let _ = parse(&text, now);
        let _ = parse_span(&text);
    }

    /// Numbers of any size, with every unit and form triage reads.
    #[test]
    fn huge_negative_and_overflowing_numbers_are_refused_not_panicked_on(
        n in prop_oneof![any::<u64>().prop_map(|n| n.to_string()), "[0-9]{15,40}", "-[0-9]{1,25}"],
        unit in prop_oneof![Just("ms"), Just("s"), Just("m"), Just("h"), Just("d"), Just("days"), Just("min")],
        form in 0..4usize,
    ) {
        let now = chrono::Utc::now();
        let text = match form {
            0 => format!("{n}{unit}"),
            1 => format!("{n}{unit} ago"),
            2 => format!("-{n}{unit}"),
            _ => format!("{n} {unit} ago"),
        };
        if let Ok(span) = parse_span(&text) {
            prop_assert!(span <= chrono::Duration::days(MAX_DAYS));
            prop_assert!(span >= chrono::Duration::zero());
        }
        match parse(&text, now) {
            Ok(at) => prop_assert!(at >= now - chrono::Duration::days(MAX_DAYS) && at <= now),
            Err(e) => prop_assert!(!e.message(Some("--since")).is_empty()),
        }
    }

    /// Absolute times from year 0 to 9999, any offset.
    #[test]
    fn absolute_times_far_away_are_refused(
        year in 0..10000i32, month in 1..13u32, day in 1..29u32,
        offset in -14..15i32,
    ) {
        let now = chrono::Utc::now();
        let sign = if offset < 0 { '-' } else { '+' };
        let text = format!("{year:04}-{month:02}-{day:02}T12:00:00{sign}{:02}:00", offset.abs());
        match parse(&text, now) {
            Ok(at) => prop_assert!((now - at).num_days() <= MAX_DAYS && (at - now).num_hours() <= 24),
            Err(e) => prop_assert!(matches!(
                e.problem,
                TimeProblem::TooFarBack | TimeProblem::TooFarAhead | TimeProblem::UnreadableTime
            )),
        }
    }
}

const HEAD: &str = "---\nrunbook: 1\nid: loops\ntitle: Loops\n---\n\n";

fn check_says(body: &str, wanted: &str) {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("loops.md");
    std::fs::write(&file, format!("{HEAD}{body}")).unwrap();
    let out = triage(&home)
        .args(["runbook", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(wanted), "wanted `{wanted}` in:\n{text}");
}

#[test]
fn check_refuses_a_step_that_jumps_to_itself() {
    check_says(
        "```bash {id=again kind=shell on_failure=goto:again}\nfalse\n```\n",
        "`on_failure=goto:again` jumps to itself",
    );
}

#[test]
fn check_refuses_two_steps_that_jump_to_each_other() {
    check_says(
        "```bash {id=a kind=shell on_failure=goto:b}\nfalse\n```\n\n```bash {id=b kind=shell on_failure=goto:a}\nfalse\n```\n",
        "repeats a → b → a for as long as `b` fails",
    );
}

#[test]
fn check_refuses_a_million_retries() {
    check_says(
        "```bash {id=a kind=shell retries=1000000}\nfalse\n```\n",
        "`retries=1000000` is more than 10",
    );
}

#[test]
fn a_loop_that_passes_check_still_stops_after_the_attempt_cap() {
    // `b` fails and jumps back to `a`; its `when=` could end the loop (so
    // check accepts it) but here it always holds.
    let body = "```bash {id=a kind=shell}\necho go=yes >> \"$RB_OUTPUT\"\n```\n\n```bash {id=b kind=shell when=a.go==yes on_failure=goto:a}\nexit 1\n```\n";
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("loops.md");
    std::fs::write(&file, format!("{HEAD}{body}")).unwrap();
    let check = triage(&home)
        .args(["runbook", "check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let out = triage(&home)
        .args([
            "--demo",
            "runbook",
            "run",
            file.to_str().unwrap(),
            "-o",
            "json",
        ])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let journal = std::fs::read_dir(home.path().join("data/triage/incidents"))
        .unwrap()
        .map(|e| e.unwrap().path().join("journal.jsonl"))
        .find(|p| p.exists())
        .unwrap();
    let text = std::fs::read_to_string(journal).unwrap();
    let ran = |step: &str| {
        text.lines()
            .filter(|l| {
                l.contains(&format!(r#""step_id":"{step}""#)) && l.contains(r#""state":"running""#)
            })
            .count()
    };
    let cap = triage::domain::runbook::run::MAX_ATTEMPTS_PER_RUN as usize;
    assert_eq!(ran("a"), cap, "a ran {} times", ran("a"));
    assert_eq!(ran("b"), cap);
    let last = text.lines().last().unwrap();
    assert!(last.contains(r#""state":"failed""#), "{last}");
    assert!(
        last.contains("ran 25 times in this run, the most any step may"),
        "{last}"
    );
}

#[test]
fn a_search_that_would_need_too_many_calls_asks_for_yes() {
    let home = tempfile::tempdir().unwrap();
    // Ten years in six-hour Insights chunks: refused before the first call.
    let out = triage(&home)
        .args(["--demo", "logs", "req-5f1e0c9a", "--since", "3650d"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("this search would make at least"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    // A cap of 3 calls ([logs] max_calls) stops a filter search over the
    // demo's groups, and says how to go on; --yes lifts it.
    let config = home.path().join("config/triage");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[logs]\nmax_calls = 3\n").unwrap();
    let out = triage(&home)
        .args(["--demo", "logs", "req-5f1e0c9a", "--since", "1h"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("INCOMPLETE: stopped at 3 calls"),
        "{}",
        stderr(&out)
    );
    let out = triage(&home)
        .args(["--demo", "logs", "req-5f1e0c9a", "--since", "1h", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn check_refuses_a_timeout_of_zero_that_would_always_fail() {
    check_says(
        "```bash {id=a kind=shell timeout=0s}\ntrue\n```\n",
        "`timeout=0s` would fail the step before it starts",
    );
}

#[test]
fn a_runbook_larger_than_its_cap_is_refused_before_it_is_read_whole() {
    let home = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = triage(&home)
        .args(["runbook", "check", "/dev/zero"])
        .output()
        .unwrap();
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("larger than 5120 KiB, the most a runbook may be"),
        "{text}"
    );
    // Not gigabytes first: a few MiB read at the most.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_time_with_second_sixty_is_refused_not_printed_as_sixty() {
    let now = chrono::Utc::now();
    for text in ["03:12:60", "2026-01-28T03:12:60Z"] {
        let err = parse(text, now).unwrap_err();
        assert_eq!(err.problem, TimeProblem::SecondSixty, "{text}");
        assert!(
            err.to_string().contains("a minute's seconds are 00 to 59"),
            "{err}"
        );
    }
    let home = tempfile::tempdir().unwrap();
    triage(&home)
        .args(["incident", "start", "x"])
        .assert()
        .success();
    let out = triage(&home)
        .args(["incident", "milestone", "detected", "--at", "03:12:60"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("second 60"), "{}", stderr(&out));
}
