//! Where files live by default: the XDG base directories, as the spec says
//! (`$XDG_CONFIG_HOME`, `$XDG_DATA_HOME`, `$XDG_STATE_HOME`,
//! `$XDG_CACHE_HOME`, each falling back under `$HOME`; an empty or relative
//! value is ignored). Kept here rather than in a crate because the
//! environment is injected: settings are resolved, and tested, without
//! touching the process's own variables (`etcetera`'s XDG strategy reads
//! them directly; `directories` maps to macOS folders instead of XDG).

use std::path::PathBuf;

pub(crate) struct Dirs {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Dirs {
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = env("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        let xdg = |var: &str, fallback: &str| {
            env(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(fallback))
                .join("triage")
        };
        Dirs {
            config_dir: xdg("XDG_CONFIG_HOME", ".config"),
            data_dir: xdg("XDG_DATA_HOME", ".local/share"),
            state_dir: xdg("XDG_STATE_HOME", ".local/state"),
            cache_dir: xdg("XDG_CACHE_HOME", ".cache"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_variables_win_and_relative_ones_are_ignored() {
        let env = |name: &str| match name {
            "HOME" => Some("/home/ana".to_string()),
            "XDG_CONFIG_HOME" => Some("/etc/ana".to_string()),
            "XDG_CACHE_HOME" => Some("relative/cache".to_string()),
            "XDG_DATA_HOME" => Some(String::new()),
            _ => None,
        };
        let dirs = Dirs::from_env(&env);
        assert_eq!(dirs.config_dir, PathBuf::from("/etc/ana/triage"));
        assert_eq!(dirs.cache_dir, PathBuf::from("/home/ana/.cache/triage"));
        assert_eq!(
            dirs.data_dir,
            PathBuf::from("/home/ana/.local/share/triage")
        );
        assert_eq!(
            dirs.state_dir,
            PathBuf::from("/home/ana/.local/state/triage")
        );
    }
}
