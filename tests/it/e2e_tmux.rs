//! End to end: the real binary on the demo, driven through tmux at a fixed
//! size. The OOM-looping service is ranked first, opens, goes back, quits, and
//! the terminal is restored (cooked mode, main screen).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own (`label` names its socket) running `script`
    /// in a `width`×`height` window.
    fn start(label: &str, width: u16, height: u16, script: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("triage-e2e-{label}-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            "sh",
            "-c",
            script,
        ]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux is needed for the end-to-end test");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Poll the screen until `pred` holds (15 s at most) on two captures a
    /// moment apart: one capture can land while a frame is half painted.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_within(what, 15, pred)
    }

    /// The same, for a screen that waits on several reads in a row (the
    /// whole suite runs beside it on two cores).
    fn wait_within(&self, what: &str, seconds: u64, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                std::thread::sleep(Duration::from_millis(60));
                let settled = self.screen();
                if pred(&settled) {
                    return settled;
                }
            }
            if start.elapsed() > Duration::from_secs(seconds) {
                panic!("timed out waiting for {what}; screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
        if keys.last() == Some(&"Escape") {
            // A lone ESC followed at once by a key reads as Alt+key (the
            // terminal's escape prefix): give the console time to read it alone,
            // as a person's next key would be.
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The demo console in its own tmux server and home; returns the temp dir
/// (kept alive), the tmux handle and the file that appears when it exits.
fn demo_console(
    label: &str,
    width: u16,
    height: u16,
) -> (tempfile::TempDir, Tmux, std::path::PathBuf) {
    demo_console_at_speed(label, width, height, None)
}

/// The same, with the demo's simulated time running `speed` times faster
/// (a copy of the saas scenario), for tests that wait for the account to change.
fn demo_console_at_speed(
    label: &str,
    width: u16,
    height: u16,
    speed: Option<f64>,
) -> (tempfile::TempDir, Tmux, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let demo = match speed {
        None => "--demo".to_string(),
        Some(speed) => {
            let text = include_str!("../../src/demo/scenarios/saas.toml");
            assert!(text.contains("\nspeed = 1.0\n"));
            let fast = text.replace("\nspeed = 1.0\n", &format!("\nspeed = {speed:.1}\n"));
            let path = dir.path().join("saas-fast.toml");
            std::fs::write(&path, fast).unwrap();
            format!("--demo={}", path.display())
        }
    };
    console_with(label, width, height, dir, &demo)
}

/// The console started with `demo` (`--demo=slow`) in `dir` as its home.
fn console_with(
    label: &str,
    width: u16,
    height: u16,
    dir: tempfile::TempDir,
    demo: &str,
) -> (tempfile::TempDir, Tmux, std::path::PathBuf) {
    let bin = env!("CARGO_BIN_EXE_triage");
    let done = dir.path().join("done");
    let script = format!(
        "HOME={home} RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log {bin} {demo} --data-dir {home}/data; touch {done}; sleep 60",
        home = dir.path().display(),
        done = done.display(),
    );
    let tmux = Tmux::start(label, width, height, &script);
    (dir, tmux, done)
}

fn wait_for_file(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_oom_service_first_open_back_quit_and_the_terminal_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let done = dir.path().join("done");
    let stty = dir.path().join("stty");
    let script = format!(
        "HOME={home} RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log {bin} --demo --data-dir {home}/data; \
         echo $? > {home}/code; stty -a > {stty}; touch {done}; sleep 60",
        home = dir.path().display(),
        stty = stty.display(),
        done = done.display(),
    );
    let tmux = Tmux::start("main", 100, 30, &script);

    // Ranked first: the OOM-looping service.
    let screen = tmux.wait_for("the ranked services", |s| {
        s.contains("chatbot-api") && s.contains("Services (")
    });
    let lines: Vec<&str> = screen.lines().collect();
    assert!(
        lines[0].contains("DEMO"),
        "DEMO banner on the first line:\n{screen}"
    );
    assert!(
        lines[3].contains("chatbot-api"),
        "first row is the OOM loop:\n{screen}"
    );
    assert!(
        lines[3].contains("degraded") || lines[3].contains("down"),
        "{screen}"
    );
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "1"
    );

    // Open it: deployments, tasks with the OOM kills, events.
    tmux.keys(&["Enter"]);
    let detail = tmux.wait_for("the service detail", |s| {
        s.contains("DEPLOYMENTS") && s.contains("OutOfMemoryError")
    });
    assert!(detail.contains("prod-web/chatbot-api"));
    assert!(detail.contains("137"));

    // Back, then quit.
    tmux.keys(&["Escape"]);
    tmux.wait_for("home again", |s| {
        s.contains("Services (") && !s.contains("DEPLOYMENTS")
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);

    let code = std::fs::read_to_string(dir.path().join("code")).unwrap();
    assert_eq!(code.trim(), "0", "triage exits 0 on q");
    let settings = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = settings.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "terminal left in raw mode: {settings}"
    );
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "0",
        "back on the main screen"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_prints_the_message_on_the_main_screen() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let done = dir.path().join("done");
    let stty = dir.path().join("stty");
    let script = format!(
        "HOME={home} RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log TRIAGE_TEST_PANIC=1 {bin} --demo; \
         echo $? > {home}/code; stty -a > {stty}; touch {done}; sleep 60",
        home = dir.path().display(),
        stty = stty.display(),
        done = done.display(),
    );
    let tmux = Tmux::start("panic", 100, 30, &script);
    wait_for_file(&done);
    let code = std::fs::read_to_string(dir.path().join("code")).unwrap();
    assert_ne!(code.trim(), "0", "a panic is not a success");
    let settings = std::fs::read_to_string(&stty).unwrap();
    let words: Vec<&str> = settings.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "terminal left in raw mode: {settings}"
    );
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "0"
    );
    let screen = tmux.screen();
    assert!(
        screen.contains("panicking on purpose"),
        "the panic message is readable:\n{screen}"
    );
}

#[test]
fn demo_start_an_incident_add_a_note_a_second_terminals_note_a_milestone_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let data = dir.path().join("incidents");
    let done = dir.path().join("done");
    let script = format!(
        "HOME={home} USER=alice RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log {bin} --demo --data-dir {data}; touch {done}; sleep 60",
        home = dir.path().display(),
        data = data.display(),
        done = done.display(),
    );
    let tmux = Tmux::start("tl", 120, 30, &script);
    tmux.wait_for("the ranked services", |s| s.contains("chatbot-api"));

    tmux.keys(&[":"]);
    tmux.keys(&["-l", "start chatbot-api OOM loop"]);
    tmux.keys(&["Enter"]);
    // The severity is asked next, one suggested: Enter takes it.
    tmux.wait_for("the severity asked", |s| s.contains("severity: SEV1"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the incident attached", |s| {
        s.contains("incident ") && s.contains("chatbot-api-oom-loop")
    });
    tmux.keys(&["t"]);
    tmux.wait_for("the timeline", |s| {
        s.contains("Services › Timeline") && s.contains("Console opened by alice")
    });

    tmux.keys(&["n"]);
    tmux.wait_for("the note prompt", |s| s.contains("note (Enter saves"));
    tmux.keys(&["-l", "rolling back chatbot-api to :40"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the note", |s| {
        s.contains("rolling back chatbot-api to :40")
    });

    // A second terminal writes to the same incident while the console is
    // open: the timeline shows it within a couple of seconds, once.
    let incident_id = std::fs::read_dir(&data)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name();
    let written = Command::new(bin)
        .env("HOME", dir.path())
        .env("USER", "bob")
        .env("TRIAGE_LOG_FILE", dir.path().join("cli.log"))
        .arg("--data-dir")
        .arg(&data)
        .args(["incident", "note"])
        .arg(&incident_id)
        .arg("bob from the other terminal")
        .output()
        .unwrap();
    assert!(written.status.success(), "{written:?}");
    let screen = tmux.wait_for("the other terminal's note", |s| {
        s.contains("bob from the other terminal")
    });
    assert_eq!(
        screen.matches("bob from the other terminal").count(),
        1,
        "{screen}"
    );

    tmux.keys(&["m"]);
    tmux.wait_for("the milestone prompt", |s| s.contains("milestone [time]"));
    tmux.keys(&["-l", "detected 10m ago"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the milestone", |s| {
        s.contains("★ Detected") && s.contains("TTD")
    });

    tmux.keys(&["x"]);
    tmux.wait_for("the export", |s| s.contains("exported"));
    tmux.keys(&["q"]);
    wait_for_file(&done);

    let incident = std::fs::read_dir(&data)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let journal = std::fs::read_to_string(incident.join("journal.jsonl")).unwrap();
    assert!(journal.contains("rolling back chatbot-api to :40"));
    assert!(journal.contains("\"milestone\":\"detected\""));
    assert!(
        journal.contains("First look"),
        "the console wrote its first look"
    );
    let md = std::fs::read_to_string(incident.join("postmortem.md")).unwrap();
    assert!(md.starts_with("# Post-mortem: chatbot-api OOM loop"));
    assert!(md.contains("rolling back chatbot-api to :40"));
    assert!(incident.join("timeline.json").is_file() && incident.join("timeline.csv").is_file());
}

#[test]
fn against_an_unreachable_endpoint_the_console_still_opens_and_says_why() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let done = dir.path().join("done");
    let script = format!(
        "HOME={home} AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_EC2_METADATA_DISABLED=true \
         TRIAGE_LOG_FILE={home}/triage.log {bin} --region us-east-1 --endpoint-url {endpoint} --data-dir {home}/data; \
         touch {done}; sleep 60",
        home = dir.path().display(),
        done = done.display(),
    );
    let tmux = Tmux::start("down", 120, 30, &script);
    let screen = tmux.wait_for("the error", |s| {
        s.contains("Cannot load services") && s.contains("retrying in")
    });
    assert!(
        screen.contains("cannot reach") && screen.contains(&endpoint),
        "{screen}"
    );
    // Still responsive: help opens and closes, q quits.
    tmux.keys(&["?"]);
    tmux.wait_for("help", |s| s.contains("j k PgUp PgDn"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("j k PgUp PgDn"));
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn two_terminals_one_timeline_through_the_shared_log() {
    let moto = crate::support::moto();
    let region = crate::support::fresh_region();
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let aws =
        "AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_EC2_METADATA_DISABLED=true";
    let flags = format!("--share --region {region} --endpoint-url {}", moto.endpoint);
    // One responder's shell command: their own home and data dir, shared log on.
    let responder = |name: &str, home: &Path, args: &[&str]| -> String {
        let out = Command::new(bin)
            .env_clear()
            .env("HOME", home)
            .env("USER", name)
            .env("TRIAGE_DATA_DIR", home.join("incidents"))
            .env("TRIAGE_LOG_FILE", home.join("triage.log"))
            .envs([
                ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_EC2_METADATA_DISABLED", "true"),
            ])
            .args(flags.split_whitespace())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // Alice starts the incident from her shell; Bob joins it by id, then opens his console.
    let alice_home = dir.path().join("alice");
    let bob_home = dir.path().join("bob");
    let id = responder("alice", &alice_home, &["incident", "start", "Egress spike"])
        .trim()
        .to_string();
    responder("bob", &bob_home, &["incident", "note", &id, "bob here"]);

    let done = dir.path().join("done");
    let script = format!(
        "HOME={home} USER=bob {aws} RUST_BACKTRACE=0 TRIAGE_DATA_DIR={home}/incidents TRIAGE_LOG_FILE={log} \
         {bin} {flags}; touch {done}; sleep 60",
        home = bob_home.display(),
        log = dir.path().join("bob-console.log").display(),
        done = done.display(),
    );
    let tmux = Tmux::start("share", 120, 30, &script);
    tmux.wait_for("bob's console attached", |s| {
        s.contains(&format!("incident {id}"))
    });
    tmux.keys(&["t"]);
    tmux.wait_for("the shared timeline", |s| {
        s.contains("Incident opened: Egress spike") && s.contains("bob here")
    });

    // Alice adds a note from her terminal: it appears in Bob's console.
    responder(
        "alice",
        &alice_home,
        &[
            "incident",
            "note",
            &id,
            "alice sees sg-0abc open to 0.0.0.0/0",
        ],
    );
    let screen = tmux.wait_for("alice's note in bob's console", |s| {
        s.contains("alice sees sg-0abc")
    });
    assert!(
        screen.contains("alice") && screen.contains("bob"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn demo_from_home_to_the_oom_finding() {
    let (_dir, tmux, done) = demo_console("diag", 120, 32);
    // The loop shows on the home screen once stopped tasks are read; at 120
    // columns the reason is its short form, the runbook R opens kept whole.
    tmux.wait_for("the loop on the home screen", |s| {
        s.contains("× OOM · R: oom-restart-loop")
    });
    tmux.keys(&["d"]);
    let screen = tmux.wait_for("the diagnosis", |s| {
        s.contains("Services › Diagnosis") && s.contains("oom_killed")
    });
    assert!(
        screen.contains("since chatbot-api:41 was deployed"),
        "{screen}"
    );
    // The worst finding is first: open it.
    tmux.keys(&["Enter"]);
    let finding = tmux.wait_for("the finding", |s| {
        s.contains("EVIDENCE") && s.contains("LAST LOG LINES")
    });
    assert!(
        finding.contains("Out of memory") && finding.contains("OutOfMemoryError"),
        "{finding}"
    );
    assert!(finding.contains("RUNBOOK  oom-restart-loop"), "{finding}");
    // The rest is a scroll away: the container's last words (how many
    // request lines come before them depends on the demo's traffic), then
    // what to check.
    tmux.keys(&["G"]);
    tmux.wait_for("the last lines and the checks", |s| {
        s.contains("memory high") && s.contains("CHECK FIRST")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("back on the diagnosis", |s| {
        s.contains("Services › Diagnosis") && !s.contains("EVIDENCE")
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn demo_a_findings_logs_are_one_key_away() {
    let (_dir, tmux, done) = demo_console("logs", 120, 30);
    tmux.wait_for("the console", |s| s.contains("Services ("));
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "diag"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the diagnosis", |s| s.contains("oom_killed"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the finding", |s| s.contains("EVIDENCE"));
    tmux.keys(&["l"]);
    let logs = tmux.wait_for("the task's logs", |s| s.contains("lines up to the stop"));
    let last = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .nth_back(1)
        .unwrap_or("");
    assert!(
        last.contains("memory high"),
        "the last line before the kill: {logs}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("back on the finding", |s| s.contains("EVIDENCE"));
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn demo_oom_finding_its_logs_its_runbook_roll_back_and_the_service_recovers() {
    let (dir, tmux, done) = demo_console_at_speed("runbook", 130, 36, Some(20.0));
    tmux.wait_for("the loop on the home screen", |s| {
        s.contains("OOM loop since chatbot-api:41") && s.contains("R: oom-restart-loop")
    });
    tmux.keys(&["d"]);
    tmux.wait_for("the diagnosis", |s| s.contains("oom_killed"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the OOM finding", |s| {
        s.contains("Out of memory") && s.contains("RUNBOOK  oom-restart-loop")
    });
    // Its log lines, then back.
    tmux.keys(&["l"]);
    tmux.wait_for("the task's logs", |s| {
        s.contains("lines up to the stop") && s.contains("memory high")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("back on the finding", |s| s.contains("EVIDENCE"));
    // Its runbook, filled in from the finding.
    tmux.keys(&["R"]);
    let form = tmux.wait_for("the runbook's form", |s| s.contains("› parameters"));
    assert!(
        form.contains("[prod-web") && form.contains("[chatbot-api]") && form.contains("[8]"),
        "{form}"
    );
    tmux.keys(&["Enter"]);
    // No incident is open: its title and severity are asked, both offered.
    tmux.wait_for("the title asked", |s| {
        s.contains("incident title") && s.contains("prod-web/chatbot-api: ")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the severity asked", |s| s.contains("severity: SEV1"));
    tmux.keys(&["Enter"]);
    // Steps 1 and 2 read the account; step 3 asks.
    let choice = tmux.wait_for("the choice", |s| s.contains("step 3 of 6 waits for you"));
    assert!(choice.contains("✓  1 Why tasks stopped"), "{choice}");
    assert!(choice.contains("options: rollback, scale"), "{choice}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the options", |s| {
        s.contains("choose (1 rollback · 2 scale)")
    });
    tmux.keys(&["1", "Enter"]);
    let confirm = tmux.wait_for("the typed confirmation", |s| {
        s.contains("confirm by typing chatbot-api")
    });
    assert!(
        confirm.contains("chatbot-api:41 → chatbot-api:40"),
        "the plan: {confirm}"
    );
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "chatbot-api"]);
    tmux.wait_for("the name typed", |s| {
        s.contains("type chatbot-api to confirm: chatbot-api")
    });
    tmux.keys(&["Enter"]);
    let end = tmux.wait_for("the run's end", |s| s.contains("run succeeded"));
    assert!(end.contains("✓  4 Roll back"), "{end}");
    assert!(end.contains("↷  5 Scale out"), "{end}");
    assert!(end.contains("steady after"), "{end}");
    // The service recovered: back on the home screen, healthy on revision 40.
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "svc"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("home", |s| s.contains("Services ("));
    // Its memory alarm returns to OK once five minutes (simulated) pass
    // without a kill; `r` reads the alarms again at once.
    let recovered = |s: &str| {
        s.lines()
            .any(|l| l.contains(" chatbot-api ") && l.contains("healthy") && !l.contains('⚑'))
    };
    let start = Instant::now();
    while !recovered(&tmux.screen()) {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "chatbot-api did not recover:\n{}",
            tmux.screen()
        );
        tmux.keys(&["r"]);
        std::thread::sleep(Duration::from_secs(2));
    }
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "svc chatbot-api"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("chatbot-api on revision 40", |s| {
        s.contains("chatbot-api:40")
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);
    // The whole run is in the incident's journal.
    let incidents = dir.path().join("data");
    let journal = std::fs::read_dir(&incidents)
        .unwrap()
        .map(|e| e.unwrap().path().join("journal.jsonl"))
        .find(|p| p.exists())
        .expect("the run opened an incident");
    let text = std::fs::read_to_string(journal).unwrap();
    for expected in [
        "\"step_id\":\"rollback\"",
        "\"confirmation\":\"chatbot-api\"",
        "\"milestone\":\"mitigated\"",
        // Both transitions of its alarm.
        "Alarm prod-web chatbot-api memory above 90 % in ALARM",
        "Alarm prod-web chatbot-api memory above 90 % back to OK",
    ] {
        assert!(text.contains(expected), "{expected} not journaled");
    }
}

#[test]
fn demo_r_on_the_home_row_opens_the_suggested_runbook_filled_in() {
    let (_dir, tmux, done) = demo_console("home-r", 160, 36);
    // The first row says why, what R does, and what memory shows.
    let home = tmux.wait_for("the loop, the hint and the memory", |s| {
        s.contains("OOM loop since chatbot-api:41")
            && s.contains("R: oom-restart-loop")
            && s.contains("memory 100 %")
    });
    let row = home.lines().find(|l| l.contains(" chatbot-api ")).unwrap();
    assert!(row.contains('⚑'), "its alarm is flagged: {row}");
    assert!(home.contains("alarms in ALARM"), "{home}");
    // Select it (the first row is whichever service changed last: at the
    // first read that can be another degraded one).
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "chatbot"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("only chatbot-api", |s| {
        s.contains("Services (1)") && s.contains("/chatbot")
    });
    tmux.keys(&["R"]);
    let form = tmux.wait_for("the runbook's form", |s| s.contains("› parameters"));
    assert!(
        form.contains("oom-restart-loop") && form.contains("[chatbot-api]"),
        "{form}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("the title asked", |s| s.contains("incident title"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the severity asked", |s| s.contains("severity: SEV1"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the run waits at its choice", |s| {
        s.contains("✓  1 Why tasks stopped") && s.contains("waits for you")
    });
    // Leaving mid-run is safe: the journal has it, `:resume` goes on.
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn demo_logs_screen_follows_a_failing_request_across_services() {
    let (_dir, tmux, done) = demo_console("logscreen", 150, 36);
    tmux.wait_for("the console", |s| s.contains("Services ("));
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "logs req-5f1e0c9a"]);
    tmux.keys(&["Enter"]);
    // Waits for all six rows drawn: a capture can land mid-paint.
    let screen = tmux.wait_for("the request's six lines", |s| {
        s.contains("req-5f1e0c9a · 6 lines across 3 services")
            && s.contains("log groups searched")
            && s.matches("\"correlationId\":\"req-5f1e0c9a\"").count() == 6
    });
    // In order through the services, the hop latency where the service changes.
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("\"correlationId\":\"req-5f1e0c9a\""))
        .collect();
    assert_eq!(rows.len(), 6, "{screen}");
    let order: Vec<&str> = rows
        .iter()
        .map(|r| {
            ["frontend", "backend-api", "chatbot-api"]
                .into_iter()
                .find(|s| r.contains(&format!(" {s} ")))
                .unwrap_or("?")
        })
        .collect();
    assert_eq!(
        order,
        [
            "frontend",
            "backend-api",
            "chatbot-api",
            "chatbot-api",
            "backend-api",
            "frontend"
        ],
        "{screen}"
    );
    assert!(
        rows[1].contains("ms backend-api"),
        "hop latency: {}",
        rows[1]
    );
    assert!(
        rows[3].contains("ERROR") && rows[3].contains("timed out"),
        "{}",
        rows[3]
    );
    // The failing line's JSON, then the lines around it in its stream.
    tmux.keys(&["j", "j", "j", "Enter"]);
    tmux.wait_for("the JSON", |s| s.contains("\"status\": 504"));
    tmux.keys(&["Enter", "c"]);
    tmux.wait_for("the context", |s| {
        s.contains("around it in ecs/api/") && s.contains("memory high")
    });
    // Find within the results.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "502"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the find", |s| !s.contains("find: "));
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn x_opens_a_shell_through_the_plugin_and_the_console_comes_back_intact() {
    let moto = crate::support::moto();
    let region = crate::support::fresh_region();
    let task = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(crate::support::seed_exec(region, true, true));
    let task_id = task.rsplit('/').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    // The stub plugin: records its arguments and the terminal's mode, then
    // reads one line as a shell would.
    let bin_dir = home.join("bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let plugin = bin_dir.join("session-manager-plugin");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {h}/plugin-args; done\nstty -a > {h}/stty-in-shell\necho 'STUB SHELL ready'\nread line\necho \"stub read: $line\" > {h}/shell-read\nexit 0\n",
            h = home.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let done = home.join("done");
    let script = format!(
        "HOME={h} PATH={b}:$PATH AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=secret AWS_EC2_METADATA_DISABLED=true \
         RUST_BACKTRACE=0 TRIAGE_LOG_FILE={h}/triage.log {bin} --region {region} --endpoint-url {e} --data-dir {h}/data; \
         stty -a > {h}/stty; touch {d}; sleep 60",
        h = home.display(),
        b = bin_dir.display(),
        bin = env!("CARGO_BIN_EXE_triage"),
        e = moto.endpoint,
        d = done.display(),
    );
    let tmux = Tmux::start("exec", 110, 30, &script);
    tmux.wait_for("the service", |s| {
        s.contains("api") && s.contains("Services (")
    });
    tmux.keys(&["Enter"]);
    let short = &task_id[..8];
    tmux.wait_for("the running task", |s| {
        s.contains("TASKS") && s.contains(short)
    });

    tmux.keys(&["x"]);
    tmux.wait_for("the shell", |s| s.contains("STUB SHELL ready"));
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "0",
        "the console left the alternate screen for the shell"
    );
    let in_shell = std::fs::read_to_string(home.join("stty-in-shell")).unwrap();
    assert!(
        in_shell.split_whitespace().any(|w| w == "icanon"),
        "the shell got a cooked terminal: {in_shell}"
    );
    tmux.keys(&["hello", "Enter"]);
    let back = tmux.wait_for("the console again", |s| {
        s.contains("back from the shell into api") && s.contains("TASKS")
    });
    assert!(back.contains("prod/api"), "{back}");
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trim(),
        "1",
        "back on the alternate screen"
    );
    let read = std::fs::read_to_string(home.join("shell-read")).unwrap();
    assert_eq!(
        read.trim(),
        "stub read: hello",
        "the keys went to the shell, not to triage"
    );
    let args = std::fs::read_to_string(home.join("plugin-args")).unwrap();
    assert!(args.contains("StartSession"), "{args}");
    assert!(args.contains(&format!("ecs:prod_{task_id}_")), "{args}");

    // Keys reach the console again, and it quits cleanly.
    tmux.keys(&["Escape"]);
    tmux.wait_for("home", |s| {
        s.contains("Services (") && !s.contains("DEPLOYMENTS")
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);
    let settings = std::fs::read_to_string(home.join("stty")).unwrap();
    assert!(
        settings.split_whitespace().any(|w| w == "icanon"),
        "{settings}"
    );
}

#[test]
fn an_expired_sso_session_shows_the_login_and_a_fresh_token_resumes_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let config = home.join("aws-config");
    std::fs::write(
        &config,
        "[profile prod-oncall]\nsso_session = acme\nsso_account_id = 111111111111\nsso_role_name = OnCall\nregion = eu-west-1\n\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .unwrap();
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // sha1("acme"): the cache file of the sso-session, as the AWS CLI names it.
    let token = cache.join("293abb6b76d7791c0732cc517d38c4b5c734b87f.json");
    let write_token = |expires: chrono::DateTime<chrono::Utc>| {
        let text = format!(
            "{{\"startUrl\":\"https://acme.awsapps.com/start\",\"region\":\"eu-west-1\",\"accessToken\":\"not-read\",\"expiresAt\":\"{}\"}}",
            expires.format("%Y-%m-%dT%H:%M:%SZ")
        );
        // Written whole, then renamed, as the CLI does.
        let partial = cache.join("token.partial");
        std::fs::write(&partial, text).unwrap();
        std::fs::rename(&partial, &token).unwrap();
    };
    write_token(chrono::Utc::now() - chrono::Duration::hours(1));
    let script = format!(
        "HOME={h} AWS_CONFIG_FILE={c} AWS_EC2_METADATA_DISABLED=true RUST_BACKTRACE=0 TRIAGE_LOG_FILE={h}/triage.log \
         {bin} --profile prod-oncall --region eu-west-1 --endpoint-url {e} --data-dir {h}/data; touch {h}/done; sleep 60",
        h = home.display(),
        c = config.display(),
        bin = env!("CARGO_BIN_EXE_triage"),
        e = crate::support::moto().endpoint,
    );
    let tmux = Tmux::start("sso", 140, 30, &script);
    tmux.wait_for("the expired session and its login", |s| {
        s.contains("SSO session expired: run `aws sso login --sso-session acme`")
    });

    // `aws sso login` succeeded in another terminal: a fresh token in the cache.
    write_token(chrono::Utc::now() + chrono::Duration::hours(8));
    let resumed = tmux.wait_for("the console reading again by itself", |s| {
        s.contains("SSO session renewed for prod-oncall: reading its account again")
    });
    assert!(!resumed.contains("SSO session expired"), "{resumed}");
    tmux.keys(&["q"]);
    wait_for_file(&home.join("done"));
}

#[test]
fn ctx_switches_profile_in_place_and_the_incident_stays_attached() {
    let moto = crate::support::moto();
    let (r1, r2) = (
        crate::support::fresh_region(),
        crate::support::fresh_region(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (region, cluster, service) in [(r1, "alpha", "alpha-api"), (r2, "beta", "beta-api")] {
        runtime.block_on(async {
            let config = crate::support::moto_config(region).await;
            crate::support::seed_services(&config, cluster, service, &[service]).await;
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::write(
        home.join("aws-config"),
        format!("[profile alpha]\nregion = {r1}\n\n[profile beta]\nregion = {r2}\n"),
    )
    .unwrap();
    std::fs::write(
        home.join("aws-credentials"),
        "[alpha]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n\n[beta]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let script = format!(
        "HOME={h} AWS_CONFIG_FILE={h}/aws-config AWS_SHARED_CREDENTIALS_FILE={h}/aws-credentials AWS_EC2_METADATA_DISABLED=true \
         RUST_BACKTRACE=0 TRIAGE_LOG_FILE={h}/triage.log {bin} --profile alpha --endpoint-url {e} --data-dir {h}/data; touch {h}/done; sleep 60",
        h = home.display(),
        bin = env!("CARGO_BIN_EXE_triage"),
        e = moto.endpoint,
    );
    let tmux = Tmux::start("ctx", 140, 30, &script);
    tmux.wait_for("alpha's services", |s| s.contains("alpha-api"));
    tmux.keys(&[":start Egress spike", "Enter"]);
    // The one service is scaled to zero: SEV4 is offered, and taken.
    tmux.wait_for("the severity asked", |s| s.contains("severity: SEV1"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the incident", |s| s.contains("egress-spike"));

    tmux.keys(&[":ctx", "Enter"]);
    let picker = tmux.wait_for("the profiles", |s| {
        s.contains("beta") && s.contains("← current")
    });
    assert!(picker.contains("alpha"), "{picker}");
    tmux.keys(&["beta", "Enter"]);
    let switched = tmux.wait_for("beta's services, without a restart", |s| {
        s.contains("beta-api") && !s.contains("alpha-api")
    });
    assert!(
        switched.contains("egress-spike"),
        "the incident stays attached:\n{switched}"
    );
    assert!(switched.contains("beta"), "{switched}");

    tmux.keys(&["t"]);
    tmux.wait_for("the switch in the timeline", |s| {
        s.contains(&format!("Console switched from alpha/{r1} (profile alpha)"))
            && s.contains(&format!("to beta/{r2}"))
    });
    let journal = std::fs::read_dir(home.join("data"))
        .unwrap()
        .flatten()
        .map(|d| std::fs::read_to_string(d.path().join("journal.jsonl")).unwrap_or_default())
        .collect::<String>();
    assert!(
        journal.contains(&format!(
            "Console switched from alpha/{r1} (profile alpha) to beta/{r2} (account 123456789012, profile beta)"
        )),
        "{journal}"
    );
    assert!(
        journal.contains("Console opened by"),
        "the new account's opening is journaled too"
    );

    // `:ctx +alpha` adds alpha back beside beta: both ranked together.
    tmux.keys(&["Escape"]);
    tmux.keys(&[":ctx +alpha", "Enter"]);
    let both = tmux.wait_for("alpha beside beta", |s| {
        s.contains("alpha-api") && s.contains("beta-api") && s.contains("ACCOUNT")
    });
    assert!(
        both.contains(&format!("2 pairs · beta/{r2} · alpha/{r1}")),
        "{both}"
    );
    assert!(both.contains("egress-spike"), "still attached:\n{both}");
    // The console ends when asked (a console that outlived its test once
    // spun at 80 % CPU for hours: this fails instead).
    tmux.keys(&["q"]);
    wait_for_file(&home.join("done"));
}

#[test]
fn several_pairs_on_one_home_screen_and_a_failing_pair_keeps_its_data() {
    let moto = crate::support::moto();
    let (r1, r2) = (
        crate::support::fresh_region(),
        crate::support::fresh_region(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The same cluster and service in both Regions; one more in the second.
    for (region, services) in [(r1, vec!["checkout"]), (r2, vec!["checkout", "search"])] {
        runtime.block_on(async {
            let config = crate::support::moto_config(region).await;
            crate::support::seed_services(&config, "web", "app", &services).await;
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::fs::write(
        home.join("aws-config"),
        format!("[profile base]\nregion = {r1}\n"),
    )
    .unwrap();
    std::fs::write(
        home.join("aws-credentials"),
        "[base]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n",
    )
    .unwrap();
    let config_dir = home.join("config/triage");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.toml"),
        format!(
            "[[accounts]]\nname = \"prod\"\nprofile = \"base\"\nregions = [\"{r1}\", \"{r2}\"]\n"
        ),
    )
    .unwrap();
    let script = format!(
        "HOME={h} XDG_CONFIG_HOME={h}/config AWS_CONFIG_FILE={h}/aws-config AWS_SHARED_CREDENTIALS_FILE={h}/aws-credentials \
         AWS_EC2_METADATA_DISABLED=true RUST_BACKTRACE=0 TRIAGE_LOG_FILE={h}/triage.log {bin} --endpoint-url {e} --data-dir {h}/data; touch {h}/done; sleep 60",
        h = home.display(),
        bin = env!("CARGO_BIN_EXE_triage"),
        e = moto.endpoint,
    );
    let tmux = Tmux::start("pairs", 160, 30, &script);
    let both = tmux.wait_for("both pairs' services ranked together", |s| {
        s.contains("ACCOUNT") && s.contains("REGION") && s.contains("search") && {
            let checkout = s.lines().filter(|l| l.contains("checkout")).count();
            checkout == 2
        }
    });
    assert!(
        both.contains(&format!("2 pairs · prod/{r1} · prod/{r2}")),
        "{both}"
    );
    for region in [r1, r2] {
        assert!(
            both.lines()
                .any(|l| l.contains("prod") && l.contains(region) && l.contains("checkout")),
            "checkout of {region} has its own row:\n{both}"
        );
    }

    // The second Region starts refusing the credentials: it says so, keeps
    // its last rows with their age, and the first goes on.
    moto.fail(r2, "ListClusters", "UnrecognizedClientException", 1000);
    tmux.keys(&["r"]);
    let failing = tmux.wait_for("the failing pair, and why in the footer", |s| {
        s.contains(&format!(
            "1 of 2 pairs failing: prod/{r2} (credentials rejected, data"
        )) && s.contains(&format!("⚠ prod/{r2}: AWS rejected the credentials"))
    });
    assert!(
        failing.contains("search"),
        "the failing pair's last rows stay:\n{failing}"
    );
    let checkout_rows = failing.lines().filter(|l| l.contains("checkout")).count();
    assert_eq!(checkout_rows, 2, "{failing}");
    tmux.keys(&["q"]);
    wait_for_file(&home.join("done"));
}

#[test]
fn demo_with_two_pairs_a_session_that_expires_keeps_its_rows_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    // Staging's minutes go by 10 times faster: its session expires 12 s in
    // and is back 18 s later.
    let text = include_str!("../../src/demo/scenarios/staging.toml");
    assert!(text.contains("\nspeed = 1.0\n"));
    let staging = dir.path().join("staging.toml");
    std::fs::write(
        &staging,
        text.replace("\nspeed = 1.0\n", "\nspeed = 10.0\n"),
    )
    .unwrap();
    let done = dir.path().join("done");
    let script = format!(
        "HOME={home} RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log {bin} --demo=saas,{staging} --data-dir {home}/data; touch {done}; sleep 60",
        home = dir.path().display(),
        staging = staging.display(),
        done = done.display(),
    );
    let tmux = Tmux::start("demopairs", 160, 32, &script);
    let both = tmux.wait_for("both simulated pairs", |s| {
        s.contains("ACCOUNT") && s.contains("stg-web") && s.contains("prod-web")
    });
    assert!(
        both.contains("2 pairs · saas/eu-west-1 · staging/us-east-1"),
        "{both}"
    );
    // Refresh (r) until the screen shows it: reads otherwise come every 30 s.
    let refresh_until = |what: &str, pred: &dyn Fn(&str) -> bool| {
        let start = Instant::now();
        loop {
            tmux.keys(&["r"]);
            std::thread::sleep(Duration::from_millis(1500));
            let screen = tmux.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(45),
                "never saw {what}:\n{screen}"
            );
        }
    };
    let failing = refresh_until("staging's session expired", &|s| {
        s.contains("1 of 2 pairs failing: staging/us-east-1 (credentials expired, data")
    });
    assert!(failing.contains("stg-web"), "its rows stay:\n{failing}");
    // Once the "refreshing…" note is gone, the footer says what to run.
    tmux.wait_for("the fix in the footer", |s| {
        s.contains("⚠ staging/us-east-1: AWS credentials have expired")
            && s.contains("aws sso login --profile staging")
    });
    refresh_until("staging back by itself", &|s| {
        !s.contains("pairs failing") && s.contains("stg-web")
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

/// Poll until `pred` holds, pressing `r` (read again now) between looks.
fn wait_refreshing(tmux: &Tmux, what: &str, seconds: u64, pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let screen = tmux.screen();
        if pred(&screen) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(seconds),
            "timed out waiting for {what}; screen was:\n{screen}"
        );
        tmux.keys(&["r"]);
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// The TX line's "now" figure, in KB/s.
fn egress_now(screen: &str) -> Option<f64> {
    let line = screen.lines().find(|l| l.trim_start().starts_with("TX "))?;
    let now = line.split("now ").nth(1)?;
    let (value, unit) = now.split_once(' ')?;
    let value: f64 = value.parse().ok()?;
    Some(if unit.starts_with("MB/s") {
        value * 1000.0
    } else if unit.starts_with("KB/s") {
        value
    } else {
        value / 1000.0
    })
}

#[test]
fn demo_the_3am_egress_lock_down_keep_the_evidence_and_the_timeline_tells_it() {
    let (dir, tmux, done) = demo_console_at_speed("egress", 160, 44, Some(20.0));
    // The first screen flags backend-api's egress and says what R does.
    let home = tmux.wait_for("backend-api flagged", |s| {
        s.lines().any(|l| {
            l.contains(" backend-api ") && l.contains("egress") && l.contains("R: compromised-host")
        })
    });
    let row = home.lines().find(|l| l.contains(" backend-api ")).unwrap();
    assert!(row.contains("degraded"), "{row}");
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "backend"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("only backend-api", |s| s.contains("Services (1)"));
    // Its screen: the finding, the open egress, the secrets, TX far above usual.
    tmux.keys(&["Enter"]);
    let service = tmux.wait_for("the service's security lines", |s| {
        s.contains("SECURITY")
            && s.contains("OPEN EGRESS")
            && s.contains("SECRETS")
            && s.contains("its usual")
    });
    assert!(service.contains("198.51.100.23:6667"), "{service}");
    assert!(
        egress_now(&service).is_some_and(|kb| kb > 300.0),
        "{service}"
    );
    // R + Enter: compromised-host, filled in from the service.
    tmux.keys(&["R"]);
    // Waits for the whole form: a capture can land mid-paint.
    let form = tmux.wait_for("the runbook's form", |s| {
        s.contains("› parameters") && s.contains("[sg-0b4c3a2d1e0f00001]")
    });
    assert!(form.contains("compromised-host"), "{form}");
    assert!(form.contains("[sg-0b4c3a2d1e0f00001]"), "{form}");
    assert!(form.contains("prod/backend/database-url"), "{form}");
    assert!(
        form.contains("from the service's network configuration"),
        "{form}"
    );
    tmux.keys(&["Enter"]);
    // Its incident first: named after backend-api's trouble, SEV1 offered.
    tmux.wait_for("the title asked", |s| {
        s.contains("incident title") && s.contains("prod-web/backend-api: egress")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("SEV1 offered", |s| s.contains("│SEV1"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the approval", |s| s.contains("A second person approves"));
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "Sam"]);
    tmux.keys(&["Enter"]);
    let flow = tmux.wait_for("the flow logs' plan", |s| {
        s.contains("turn on VPC flow logs")
    });
    assert!(flow.contains("/triage/flow-logs/backend-api"), "{flow}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the lockdown's confirmation", |s| {
        s.contains("confirm by typing sg-0b4c3a2d1e0f00001")
    });
    tmux.keys(&["Enter"]);
    tmux.keys(&["-l", "sg-0b4c3a2d1e0f00001"]);
    tmux.keys(&["Enter"]);
    // The evidence step reads the flow logs, then rotation asks.
    wait_refreshing(&tmux, "the rotation's question", 90, |s| {
        s.contains("✓  4 Where the traffic went") && s.contains("Rotate every secret")
    });
    tmux.keys(&["k"]);
    let evidence = tmux.wait_for("the evidence", |s| s.contains("top destinations"));
    assert!(evidence.contains("198.51.100.23:6667"), "{evidence}");
    tmux.keys(&["f"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the redeploy's question", |s| {
        s.contains("step 6 of 8 waits for you")
    });
    tmux.keys(&["Enter"]);
    wait_refreshing(&tmux, "steady, then the manual step", 90, |s| {
        s.contains("✓  7 Wait until steady") && s.contains("step 8 of 8 waits for you")
    });
    // After the lockdown the egress falls back to its usual.
    tmux.keys(&["Escape"]);
    tmux.keys(&[":"]);
    tmux.keys(&["-l", "svc backend-api"]);
    tmux.keys(&["Enter"]);
    wait_refreshing(&tmux, "the egress back to its usual", 120, |s| {
        egress_now(s).is_some_and(|kb| kb < 100.0)
    });
    tmux.keys(&["q"]);
    wait_for_file(&done);
    // The timeline tells it in order: detect, contain, rotate, redeploy.
    let journal = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().path().join("journal.jsonl"))
        .find(|p| p.exists())
        .expect("the run opened an incident");
    let text = std::fs::read_to_string(journal).unwrap();
    let entries: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // When each happened (the timeline's order), by what its entry says.
    let at = |what: &str, found: &dyn Fn(&serde_json::Value) -> bool| {
        entries
            .iter()
            .find(|e| found(e))
            .and_then(|e| e["occurred_at"].as_str())
            .unwrap_or_else(|| panic!("{what} not journaled:\n{text}"))
            .to_string()
    };
    let detect = at("the GuardDuty finding", &|e| {
        e["summary"]
            .as_str()
            .is_some_and(|s| s.contains("GuardDuty HIGH Backdoor"))
    });
    let contain = at("contained", &|e| e["milestone"] == "contained");
    let step_done = |id: &'static str| {
        move |e: &serde_json::Value| {
            e["runbook"]["step_id"] == id && e["runbook"]["state"] == "succeeded"
        }
    };
    let rotate = at("the rotation", &step_done("rotate"));
    let redeploy = at("the redeploy", &step_done("redeploy"));
    assert!(
        detect < contain && contain <= rotate && rotate <= redeploy,
        "{detect} {contain} {rotate} {redeploy}"
    );
    assert!(text.contains("198.51.100.23:6667"), "the evidence is kept");
}

#[test]
fn slow_demo_a_log_line_on_the_service_screen_opens_its_requests_waterfall() {
    let dir = tempfile::tempdir().unwrap();
    let (_dir, tmux, done) = console_with("waterfall", 80, 24, dir, "--demo=slow");
    // The row says what it waits on, once its slow requests are read.
    tmux.wait_within("the headline", 60, |s| {
        s.contains("backend-api") && s.contains("waiting on chatbot-api")
    });
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "backend-api"]);
    tmux.keys(&["Enter"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("backend-api's screen", |s| {
        s.contains("Services › prod-web/backend-api") && s.contains("waiting on a dependency")
    });
    // At 80×24 the footer says how to reach the lines.
    assert!(screen.contains("Tab logs"), "{screen}");
    // Tab: its own recent lines, newest first; keep the request lines.
    tmux.keys(&["Tab"]);
    tmux.wait_within("its log lines", 45, |s| {
        s.contains("LOGS") && s.contains("correlationId")
    });
    // The lines of requests that cross services carry their trace id.
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "traceId"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the filter", |s| {
        s.contains("filter: traceId") && !s.contains("▏")
    });
    // Enter on a line: its request's waterfall, drawn from X-Ray.
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_within("the waterfall", 45, |s| {
        s.contains("Waterfall › req-") && s.contains("from X-Ray trace 1-")
    });
    assert!(
        screen.contains("bottleneck chatbot-api model call holds"),
        "{screen}"
    );
    assert!(screen.contains("→ model call"), "{screen}");
    assert!(screen.contains("chatbot-api › model call"), "{screen}");
    // Its lines are one key away; back returns to the waterfall.
    tmux.keys(&["L"]);
    tmux.wait_for("the request's lines", |s| {
        s.contains("lines across 3 services")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the waterfall again", |s| s.contains("Waterfall › req-"));
    tmux.keys(&["q"]);
    wait_for_file(&done);
}

#[test]
fn a_cli_run_at_a_terminal_asks_its_incident_s_title_and_severity() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_triage");
    let done = dir.path().join("done");
    // No incident open: the run opens one, asking at the terminal; the
    // run itself then stops at its choice (no --yes).
    let script = format!(
        "cd /; HOME={home} USER=alice RUST_BACKTRACE=0 TRIAGE_LOG_FILE={home}/triage.log {bin} --demo --data-dir {home}/data \
         runbook run oom-restart-loop --service prod-web/chatbot-api; \
         HOME={home} {bin} --data-dir {home}/data incident export > {home}/pm.md; touch {done}; sleep 60",
        home = dir.path().display(),
        done = done.display(),
    );
    let tmux = Tmux::start("cli-ask", 80, 24, &script);
    tmux.wait_for("the title offered", |s| {
        s.contains("incident title [prod-web/chatbot-api: ECS task OOM restart loop]:")
    });
    tmux.keys(&["-l", "chatbot-api OOM loop after :41"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the severity offered", |s| s.contains("[SEV3]:"));
    tmux.keys(&["-l", "sev2"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the run at its choice", |s| s.contains("needs a choice"));
    wait_for_file(&done);
    let md = std::fs::read_to_string(dir.path().join("pm.md")).unwrap();
    assert!(
        md.starts_with("# Post-mortem: chatbot-api OOM loop after :41\n"),
        "{md}"
    );
    assert!(md.contains("| Severity | SEV2 |"), "{md}");
}
