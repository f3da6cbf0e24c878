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

/// [`triage`] against the emulator in `region`, with dummy keys.
pub fn aws_triage(home: &tempfile::TempDir, region: &str) -> Command {
    let mut cmd = triage(home);
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args([
            "--region",
            region,
            "--endpoint-url",
            &super::moto().endpoint,
        ]);
    cmd
}

/// A stand-in `session-manager-plugin` in `dir`: writes its arguments, one
/// a line, to `dir/plugin-args`, prints `STUB SHELL`, reads one line (the
/// "shell"), and exits with `code`. Returns the folder to put first on PATH.
pub fn stub_plugin(dir: &std::path::Path, code: i32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let plugin = bin.join("session-manager-plugin");
    let record = dir.join("plugin-args");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\n: > '{record}'\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{record}'; done\necho 'STUB SHELL'\nread line\necho \"stub read: $line\"\nexit {code}\n",
            record = record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}
