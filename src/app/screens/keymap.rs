//! `:keys`: the keymap in use, by where it applies, the user's `[keys]`
//! overrides marked. Owns its scroll.

use super::ScreenHooks;
use crate::app::commands::Scope;
use crate::app::effect::Effect;
use crate::app::state::AppState;

/// The keymap screen's own state.
#[derive(Debug, Clone, Default)]
pub struct KeymapScreen {
    pub scroll: usize,
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the keymap"
    }

    fn entered(&self, state: &mut AppState) -> Vec<Effect> {
        state.keymap_screen.scroll = 0;
        Vec::new()
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let target = (state.keymap_screen.scroll as i64).saturating_add(delta);
        // Headings add lines; the screen stops at its last page.
        let most = 2 * state.keymap.bindings.len() as i64;
        state.keymap_screen.scroll = target.clamp(0, most) as usize;
    }
}
