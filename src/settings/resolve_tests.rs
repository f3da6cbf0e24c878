//! How the settings are resolved: flags over the environment over the
//! config file, and what each config section gives.

use super::*;
use std::collections::HashMap;

fn resolve_with(flags: &GlobalFlags, vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::resolve(flags, &move |name| vars.get(name).cloned())
}

fn config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn flags_beat_environment_beat_config() {
    let (_dir, path) =
        config("profile = \"from-config\"\nendpoint_url = \"http://config\"\nclusters = [\"a\"]\n");
    let mut flags = GlobalFlags {
        config: Some(path),
        ..Default::default()
    };
    let s = resolve_with(
        &flags,
        &[
            ("AWS_PROFILE", "from-env"),
            ("AWS_ENDPOINT_URL", "http://env"),
        ],
    )
    .unwrap();
    assert_eq!(s.profile(), Some("from-config"));
    match &s.source {
        AccountSource::Aws { endpoint_url, .. } => {
            assert_eq!(endpoint_url.as_deref(), Some("http://env"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.clusters, vec!["a"]);
    flags.profile = vec!["from-flag".into()];
    flags.cluster = vec!["b".into(), "c".into()];
    let s = resolve_with(&flags, &[("AWS_PROFILE", "from-env")]).unwrap();
    assert_eq!(s.profile(), Some("from-flag"));
    assert_eq!(s.clusters, vec!["b", "c"]);
}

#[test]
fn desktop_notifications_are_on_unless_the_config_says_no() {
    let s = resolve_with(&GlobalFlags::default(), &[("HOME", "/home/me")]).unwrap();
    assert!(s.notify_desktop);
    let (_dir, path) = config("[notify]\ndesktop = false\n");
    let flags = GlobalFlags {
        config: Some(path),
        ..Default::default()
    };
    let s = resolve_with(&flags, &[("HOME", "/home/me")]).unwrap();
    assert!(!s.notify_desktop);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn environment_profile_is_used_without_a_flag_or_config() {
    let s = resolve_with(
        &GlobalFlags::default(),
        &[("AWS_PROFILE", "ops"), ("HOME", "/nonexistent")],
    )
    .unwrap();
    assert_eq!(s.profile(), Some("ops"));
}

#[test]
fn data_dir_defaults_to_xdg_and_can_be_overridden() {
    let s = resolve_with(&GlobalFlags::default(), &[("HOME", "/home/me")]).unwrap();
    assert_eq!(
        s.data_dir,
        PathBuf::from("/home/me/.local/share/triage/incidents")
    );
    let s = resolve_with(
        &GlobalFlags::default(),
        &[("HOME", "/home/me"), ("XDG_DATA_HOME", "/data")],
    )
    .unwrap();
    assert_eq!(s.data_dir, PathBuf::from("/data/triage/incidents"));
    let s = resolve_with(
        &GlobalFlags::default(),
        &[("TRIAGE_DATA_DIR", "/incidents")],
    )
    .unwrap();
    assert_eq!(s.data_dir, PathBuf::from("/incidents"));
    let flags = GlobalFlags {
        data_dir: Some("/flag".into()),
        ..Default::default()
    };
    let s = resolve_with(&flags, &[("TRIAGE_DATA_DIR", "/incidents")]).unwrap();
    assert_eq!(s.data_dir, PathBuf::from("/flag"));
}

#[test]
fn read_only_production_and_no_color() {
    let (_dir, path) = config("read_only = true\nproduction = [\"prod*\", \"123456789012\"]\n");
    let flags = GlobalFlags {
        config: Some(path),
        profile: vec!["prod-admin".into()],
        ..Default::default()
    };
    let s = resolve_with(&flags, &[("NO_COLOR", "1")]).unwrap();
    assert!(s.read_only && s.no_color);
    assert!(s.is_production(None));
    assert!(s.is_production(Some("123456789012")));
    let flags = GlobalFlags {
        profile: vec!["staging".into()],
        ..Default::default()
    };
    let s = resolve_with(&flags, &[("NO_COLOR", "")]).unwrap();
    assert!(!s.no_color, "an empty NO_COLOR does not count");
    assert!(!s.is_production(Some("123456789012")));
}

#[test]
fn demo_and_refresh_settings() {
    let (_dir, path) = config("[refresh]\nselected_seconds = 2\nothers_seconds = 60\n");
    let flags = GlobalFlags {
        config: Some(path),
        demo: Some("saas".into()),
        ..Default::default()
    };
    let s = resolve_with(&flags, &[]).unwrap();
    assert!(s.is_demo());
    assert_eq!(s.refresh.selected, Duration::from_secs(2));
    assert_eq!(s.refresh.others, Duration::from_secs(60));
    let (_dir, path) = config("[refresh]\nothers_seconds = 0\n");
    let flags = GlobalFlags {
        config: Some(path),
        ..Default::default()
    };
    let err = resolve_with(&flags, &[]).unwrap_err().to_string();
    assert!(err.contains("refresh.others_seconds"), "{err}");
}
