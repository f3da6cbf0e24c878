//! The `triage` binary with a clean environment: no AWS settings from the
//! machine, config, cache, data and log in a temp dir.

use assert_cmd::Command;

pub fn triage(home: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("triage").unwrap();
    cmd.env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("TRIAGE_LOG_FILE", home.path().join("triage.log"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_DATA_HOME", home.path().join("data"));
    cmd
}

/// A command's output as JSON, or a panic showing what it was.
pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}
