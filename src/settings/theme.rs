//! Themes: TOML files mapping colour *roles* to colours. The built-in ones
//! (`themes/*.toml`) are embedded in the binary; more can live in the config
//! dir's `themes/`.

use super::SettingsError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The roles a theme colours.
pub(crate) const ROLES: &[&str] = &[
    "text",
    "muted",
    "accent",
    "healthy",
    "degraded",
    "critical",
    "deploying",
    "selection_fg",
    "selection_bg",
    "header_fg",
    "header_bg",
    "border",
    "banner_fg",
    "banner_demo_bg",
    "banner_production_bg",
];

/// The built-in themes, embedded at compile time.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// A colour, independent of any terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Reset,
    Named(&'static str),
    Indexed(u8),
    Rgb(u8, u8, u8),
}

const NAMES: &[&str] = &[
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "dark_gray",
    "light_red",
    "light_green",
    "light_yellow",
    "light_blue",
    "light_magenta",
    "light_cyan",
    "white",
];

impl Color {
    pub fn parse(s: &str) -> Option<Color> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase().replace(['-', ' '], "_");
        if lower == "reset" || lower == "default" {
            return Some(Color::Reset);
        }
        if let Some(name) = NAMES.iter().find(|n| **n == lower) {
            return Some(Color::Named(name));
        }
        if let Some(hex) = s.strip_prefix('#') {
            if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                let v = u32::from_str_radix(hex, 16).ok()?;
                return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
            }
            return None;
        }
        s.parse::<u8>().ok().map(Color::Indexed)
    }
}

/// A resolved theme: every role has a colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeSpec {
    pub name: String,
    pub roles: BTreeMap<String, Color>,
}

impl ThemeSpec {
    pub fn role(&self, role: &str) -> Color {
        self.roles.get(role).copied().unwrap_or(Color::Reset)
    }

    pub fn built_in(name: &str) -> Option<ThemeSpec> {
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name)?;
        parse(text, name).ok()
    }
}

#[derive(Deserialize)]
struct ThemeFile {
    name: Option<String>,
    #[serde(default)]
    roles: BTreeMap<String, toml::Spanned<String>>,
}

/// Parse a theme; roles it leaves out come from `dark`.
pub fn parse(text: &str, origin: &str) -> Result<ThemeSpec, SettingsError> {
    let bad = |offset: usize, message: String| SettingsError::BadTheme {
        path: origin.to_string(),
        line: super::config::line_of(text, offset),
        message,
    };
    let file: ThemeFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        bad(offset, e.message().trim().to_string())
    })?;
    let mut roles = if origin == "dark" {
        BTreeMap::new()
    } else {
        ThemeSpec::built_in("dark")
            .map(|t| t.roles)
            .unwrap_or_default()
    };
    for (role, value) in &file.roles {
        let offset = value.span().start;
        let value = value.get_ref();
        if !ROLES.contains(&role.as_str()) {
            return Err(bad(
                offset,
                format!("unknown role `{role}`; roles are: {}", ROLES.join(", ")),
            ));
        }
        let color = Color::parse(value).ok_or_else(|| {
            bad(offset, format!(
                "role `{role}`: `{value}` is not a colour (use a name like light_red, \"#rrggbb\" or 0-255)"
            ))
        })?;
        roles.insert(role.clone(), color);
    }
    Ok(ThemeSpec {
        name: file.name.unwrap_or_else(|| origin.to_string()),
        roles,
    })
}

/// Find a theme by name: the user's themes dir first (so a built-in can be
/// overridden), then the built-ins. A file path also works.
pub fn find(
    name: &str,
    user_dir: &Path,
    _warnings: &mut Vec<String>,
) -> Result<ThemeSpec, SettingsError> {
    let as_path = Path::new(name);
    let candidates = [user_dir.join(format!("{name}.toml")), as_path.to_path_buf()];
    if let Some(path) = candidates
        .iter()
        .find(|p| p.extension().is_some() && p.is_file())
    {
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError::ThemeRead {
            path: path.to_path_buf(),
            source: e,
        })?;
        return parse(&text, &path.display().to_string());
    }
    if let Some(theme) = ThemeSpec::built_in(name) {
        return Ok(theme);
    }
    let mut available: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
    if let Ok(entries) = std::fs::read_dir(user_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "toml") {
                if let Some(stem) = path.file_stem() {
                    available.push(stem.to_string_lossy().into_owned());
                }
            }
        }
    }
    Err(SettingsError::UnknownTheme {
        name: name.to_string(),
        available: available.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_theme_parses_and_colours_every_role() {
        for (name, text) in BUILT_IN {
            let theme = parse(text, name).unwrap();
            for role in ROLES {
                assert!(theme.roles.contains_key(*role), "{name} lacks {role}");
            }
        }
    }

    #[test]
    fn colours_parse() {
        assert_eq!(Color::parse("#ff0080"), Some(Color::Rgb(255, 0, 128)));
        assert_eq!(Color::parse("Light-Red"), Some(Color::Named("light_red")));
        assert_eq!(Color::parse("208"), Some(Color::Indexed(208)));
        assert_eq!(Color::parse("#zz0000"), None);
        assert_eq!(Color::parse("blurple"), None);
    }

    #[test]
    fn unknown_theme_lists_the_available_ones() {
        let err = find("neon", Path::new("/nonexistent"), &mut vec![]).unwrap_err();
        assert!(err.to_string().contains("dark, light, high-contrast"));
    }
}
