//! The AWS CLI's files: profiles from both files (AWS_CONFIG_FILE and
//! AWS_SHARED_CREDENTIALS_FILE honoured), SSO profiles marked, and the SSO
//! token's expiry read from the CLI's cache for new-style (`sso_session`)
//! and legacy profiles; how long it has left and the command that renews it.

use chrono::{Duration, TimeZone, Utc};
use triage::domain::sso::{login_command, state, SsoState};
use triage::store::aws_profiles::AwsFiles;

fn files(dir: &tempfile::TempDir) -> AwsFiles {
    let config = dir.path().join("custom-config");
    let credentials = dir.path().join("custom-credentials");
    std::fs::write(
        &config,
        "[default]\nregion = eu-west-1\n\n[profile prod-oncall]\nsso_session = acme\nsso_account_id = 111111111111\nsso_role_name = OnCall\nregion = eu-west-1\n\n[profile legacy]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n\n[profile staging]\nrole_arn = arn:aws:iam::222222222222:role/ops\nsource_profile = default\n\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(
        &credentials,
        "[ci-bot]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n",
    )
    .unwrap();
    let home = dir.path().join("home");
    let env = move |k: &str| match k {
        "HOME" => Some(home.display().to_string()),
        "AWS_CONFIG_FILE" => Some(config.display().to_string()),
        "AWS_SHARED_CREDENTIALS_FILE" => Some(credentials.display().to_string()),
        _ => None,
    };
    AwsFiles::from_env(&env)
}

fn cache(files: &AwsFiles, key_sha1: &str, expires: &str) {
    std::fs::create_dir_all(&files.sso_cache).unwrap();
    std::fs::write(
        files.sso_cache.join(format!("{key_sha1}.json")),
        format!("{{\"startUrl\":\"https://acme.awsapps.com/start\",\"region\":\"eu-west-1\",\"accessToken\":\"not-read\",\"expiresAt\":\"{expires}\"}}"),
    )
    .unwrap();
}

#[test]
fn profiles_from_both_files_with_sso_marked() {
    let dir = tempfile::tempdir().unwrap();
    let files = files(&dir);
    let profiles = files.profiles();
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["ci-bot", "default", "legacy", "prod-oncall", "staging"]
    );
    let by = |n: &str| profiles.iter().find(|p| p.name == n).unwrap();
    assert!(by("prod-oncall").sso && by("legacy").sso);
    assert!(!by("staging").sso && !by("ci-bot").sso);
    assert_eq!(by("prod-oncall").sso_session.as_deref(), Some("acme"));
    assert_eq!(
        by("staging").role_arn.as_deref(),
        Some("arn:aws:iam::222222222222:role/ops")
    );
}

#[test]
fn the_tokens_expiry_is_read_from_the_clis_cache() {
    let dir = tempfile::tempdir().unwrap();
    let files = files(&dir);
    assert_eq!(files.sso_token("prod-oncall"), None, "no token cached yet");
    // sha1("acme"): the cache file of the sso-session.
    cache(
        &files,
        "293abb6b76d7791c0732cc517d38c4b5c734b87f",
        "2026-01-28T03:20:00Z",
    );
    let token = files
        .sso_token("prod-oncall")
        .expect("read by its session's name");
    assert_eq!(
        token.expires_at,
        Utc.with_ymd_and_hms(2026, 1, 28, 3, 20, 0).unwrap()
    );
    assert_eq!(token.session.as_deref(), Some("acme"));
    // sha1 of the start URL: the legacy profile's cache file (the CLI's old "UTC" suffix too).
    cache(
        &files,
        "40169cea58ca6cbf23fb27b2542923fb5f524af0",
        "2026-01-28T05:00:00UTC",
    );
    let legacy = files.sso_token("legacy").expect("read by its start URL");
    assert_eq!(
        legacy.expires_at,
        Utc.with_ymd_and_hms(2026, 1, 28, 5, 0, 0).unwrap()
    );
    assert_eq!(legacy.session, None);
    assert!(files.sso_token("staging").is_none(), "not an SSO profile");

    let at = |h, m| Utc.with_ymd_and_hms(2026, 1, 28, h, m, 0).unwrap();
    assert_eq!(state(&token, at(2, 0)), SsoState::Fresh);
    assert_eq!(state(&token, at(3, 10)), SsoState::ExpiringSoon(10));
    assert_eq!(
        state(&token, at(3, 19) + Duration::seconds(30)),
        SsoState::ExpiringSoon(1)
    );
    assert_eq!(state(&token, at(3, 20)), SsoState::Expired);
}

#[test]
fn an_expired_session_profile_is_told_the_session_login() {
    use triage::cli::exit::CliError;
    use triage::domain::PortError;
    let dir = tempfile::tempdir().unwrap();
    let files = files(&dir);
    let expired = |profile: &str| {
        CliError::Port(PortError::ExpiredCredentials {
            profile: Some(profile.into()),
        })
    };
    assert_eq!(
        expired("prod-oncall").sso_session_hint(&files).as_deref(),
        Some("profile `prod-oncall` signs in through SSO session `acme`: `aws sso login --sso-session acme` renews it")
    );
    assert_eq!(
        expired("legacy").sso_session_hint(&files),
        None,
        "--profile already said"
    );
    assert_eq!(expired("prod-oncall").exit_code(), 3);
}

#[test]
fn the_login_command_names_the_session_or_the_profile() {
    assert_eq!(
        login_command(Some("prod-oncall"), Some("acme")),
        "aws sso login --sso-session acme"
    );
    assert_eq!(
        login_command(Some("legacy"), None),
        "aws sso login --profile legacy"
    );
    assert_eq!(login_command(None, None), "aws sso login");
}

#[test]
fn the_console_says_when_sso_runs_out_and_resumes_by_itself_when_renewed() {
    use triage::app::{update, AppState, Effect, Msg, WorkerResult};
    use triage::domain::sso::SsoToken;
    let t0 = Utc.with_ymd_and_hms(2026, 1, 28, 3, 10, 0).unwrap();
    let mut session = crate::support::console::demo_session();
    session.demo = None;
    session.profile = Some("prod-oncall".into());
    let mut s = AppState::new(
        session,
        triage::settings::ThemeSpec::built_in("dark").unwrap(),
        false,
        t0,
    );
    update(
        &mut s,
        Msg::Resize {
            width: 160,
            height: 30,
        },
    );
    let effects = update(&mut s, Msg::Tick(t0));
    assert!(
        effects.contains(&Effect::CheckSso {
            profile: "prod-oncall".into()
        }),
        "{effects:?}"
    );
    let token = |h, m| SsoToken {
        expires_at: Utc.with_ymd_and_hms(2026, 1, 28, h, m, 0).unwrap(),
        session: Some("acme".into()),
    };
    update(
        &mut s,
        Msg::Worker(WorkerResult::Sso {
            profile: "prod-oncall".into(),
            token: Some(token(3, 20)),
        }),
    );
    let text = crate::support::console::render(&s);
    assert!(
        text.contains("SSO: 10m left (aws sso login --sso-session acme)"),
        "{text}"
    );

    // Past the expiry: the banner says what to run.
    let later = t0 + Duration::minutes(11);
    update(&mut s, Msg::Tick(later));
    let text = crate::support::console::render(&s);
    assert!(
        text.contains(
            "SSO session expired: run `aws sso login --sso-session acme`; triage resumes by itself"
        ),
        "{text}"
    );
    // A fresh token in the cache: the account is read again at once, no key pressed.
    let effects = update(
        &mut s,
        Msg::Worker(WorkerResult::Sso {
            profile: "prod-oncall".into(),
            token: Some(token(11, 0)),
        }),
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchStatus { .. })),
        "{effects:?}"
    );
    let text = crate::support::console::render(&s);
    assert!(
        !text.contains("expired") && !text.contains("left ("),
        "{text}"
    );
    assert!(text.contains("SSO session renewed"), "{text}");
}
