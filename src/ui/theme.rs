//! Theme roles → ratatui styles. With NO_COLOR every role is plain text and
//! only bold/reverse remain.

use crate::domain::Health;
use crate::settings::theme::{Color as ThemeColor, ThemeSpec};
use ratatui::style::{Color, Modifier, Style};

pub struct Styles<'a> {
    spec: &'a ThemeSpec,
    no_color: bool,
}

impl<'a> Styles<'a> {
    pub fn new(spec: &'a ThemeSpec, no_color: bool) -> Self {
        Styles { spec, no_color }
    }

    fn color(&self, role: &str) -> Color {
        convert(self.spec.role(role))
    }

    fn fg(&self, role: &str) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(self.color(role))
        }
    }

    pub fn text(&self) -> Style {
        self.fg("text")
    }
    /// One of several distinct colours, by a name's hash (a service's colour
    /// on the logs screen); plain with NO_COLOR.
    pub fn series(&self, name: &str) -> Style {
        const COLOURS: [Color; 6] = [
            Color::Cyan,
            Color::Magenta,
            Color::Yellow,
            Color::LightBlue,
            Color::LightGreen,
            Color::LightRed,
        ];
        if self.no_color {
            return Style::default().add_modifier(Modifier::BOLD);
        }
        let hash = name
            .bytes()
            .fold(5381usize, |h, b| h.wrapping_mul(33) ^ b as usize);
        Style::default().fg(COLOURS[hash % COLOURS.len()])
    }
    pub(crate) fn muted(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            self.fg("muted")
        }
    }
    pub(crate) fn accent(&self) -> Style {
        self.fg("accent").add_modifier(Modifier::BOLD)
    }
    pub fn critical(&self) -> Style {
        self.fg("critical").add_modifier(Modifier::BOLD)
    }
    pub fn degraded(&self) -> Style {
        self.fg("degraded")
    }
    pub fn healthy(&self) -> Style {
        self.fg("healthy")
    }
    pub(crate) fn heading(&self) -> Style {
        self.fg("accent").add_modifier(Modifier::BOLD)
    }
    pub(crate) fn table_header(&self) -> Style {
        self.muted().add_modifier(Modifier::BOLD)
    }
    pub(crate) fn selection(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .fg(self.color("selection_fg"))
                .bg(self.color("selection_bg"))
        }
    }
    pub fn header(&self) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default()
                .fg(self.color("header_fg"))
                .bg(self.color("header_bg"))
        }
    }
    pub(crate) fn banner_demo(&self) -> Style {
        self.banner("banner_demo_bg")
    }
    pub(crate) fn banner_production(&self) -> Style {
        self.banner("banner_production_bg")
    }
    fn banner(&self, bg: &str) -> Style {
        let style = Style::default().add_modifier(Modifier::BOLD);
        if self.no_color {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style.fg(self.color("banner_fg")).bg(self.color(bg))
        }
    }
    pub(crate) fn border(&self) -> Style {
        self.fg("border")
    }

    pub fn health(&self, health: Health) -> Style {
        match health {
            Health::Down | Health::Failed => self.critical(),
            Health::Degraded => self.degraded().add_modifier(Modifier::BOLD),
            // On its way back: the healthy colour, not bold.
            Health::Recovering => self.healthy(),
            Health::Deploying => self.fg("deploying"),
            Health::Healthy => self.healthy(),
            Health::ScaledToZero => self.muted(),
        }
    }
}

/// A symbol per health, so health reads without colour too.
pub(crate) fn health_symbol(health: Health) -> &'static str {
    match health {
        Health::Down => "✖",
        Health::Failed => "✖",
        Health::Degraded => "▲",
        Health::Recovering => "↗",
        Health::Deploying => "↻",
        Health::Healthy => "●",
        Health::ScaledToZero => "○",
    }
}

fn convert(color: ThemeColor) -> Color {
    match color {
        ThemeColor::Reset => Color::Reset,
        ThemeColor::Indexed(i) => Color::Indexed(i),
        ThemeColor::Rgb(r, g, b) => Color::Rgb(r, g, b),
        ThemeColor::Named(name) => match name {
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" => Color::Gray,
            "dark_gray" => Color::DarkGray,
            "light_red" => Color::LightRed,
            "light_green" => Color::LightGreen,
            "light_yellow" => Color::LightYellow,
            "light_blue" => Color::LightBlue,
            "light_magenta" => Color::LightMagenta,
            "light_cyan" => Color::LightCyan,
            "white" => Color::White,
            _ => Color::Reset,
        },
    }
}
