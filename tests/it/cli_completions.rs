//! `triage completions SHELL` and `triage man`: generated from the parser's
//! own definitions, for every shell, without a config or an account.

use crate::support::cli::triage;

fn stdout_of(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home).args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn every_shell_gets_a_completion_script_naming_the_subcommands() {
    for (shell, marker) in [
        ("bash", "complete -F _triage"),
        ("zsh", "#compdef triage"),
        ("fish", "complete -c triage"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[triage]"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {marker} missing");
        for sub in [
            "status", "alarms", "diagnose", "logs", "incident", "runbook",
        ] {
            assert!(script.contains(sub), "{shell} completes {sub}");
        }
    }
}

#[test]
fn an_unknown_shell_says_which_there_are() {
    let home = tempfile::tempdir().unwrap();
    let out = triage(&home).args(["completions", "tcsh"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("bash, elvish, fish, powershell, zsh"),
        "{stderr}"
    );
}

#[test]
fn the_manual_is_roff_and_has_a_page_per_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".ie"), "roff");
    assert!(page.contains(".TH triage 1"));
    assert!(page.contains("\\-\\-demo"), "the flags are in it");

    let dir = tempfile::tempdir().unwrap();
    let listed = stdout_of(&["man", "--dir", dir.path().to_str().unwrap()]);
    for page in [
        "triage.1",
        "triage-status.1",
        "triage-alarms.1",
        "triage-runbook-run.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page} written");
        assert!(listed.contains(page), "{page} listed");
    }
}

#[test]
fn a_broken_config_does_not_stop_completions() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/triage");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "refresh = [").unwrap();
    triage(&home)
        .args(["completions", "bash"])
        .assert()
        .success();
}
