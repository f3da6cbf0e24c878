//! A metric's shape in one line of block characters, its threshold drawn:
//! points at or past the alarm's threshold are in the critical colour, so a
//! climb to the kill reads at a glance.

use crate::ui::theme::Styles;
use chrono::{DateTime, Utc};
use ratatui::text::Span;

const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// At most `width` cells from `start` to `end` (never more than one a
/// point), each the peak of its points; the scale tops at `top` (100 for a
/// percentage) or the larger of the peak and the threshold. Cells with no
/// point are blank.
pub(crate) fn spans<'a>(
    points: &[(DateTime<Utc>, f64)],
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    width: usize,
    top: Option<f64>,
    threshold: Option<(f64, bool)>,
    styles: &Styles,
) -> Vec<Span<'a>> {
    let width = width.min(points.len());
    if width == 0 || end <= start {
        return Vec::new();
    }
    let span = (end - start).num_seconds().max(1) as f64;
    let mut cells: Vec<Option<f64>> = vec![None; width];
    for (t, v) in points {
        let at = ((*t - start).num_seconds() as f64 / span * width as f64).floor();
        if at < 0.0 || at >= width as f64 {
            continue;
        }
        let cell = &mut cells[at as usize];
        *cell = Some(cell.map_or(*v, |c: f64| c.max(*v)));
    }
    let top = top
        .unwrap_or_else(|| {
            cells
                .iter()
                .flatten()
                .copied()
                .chain(threshold.map(|(t, _)| t))
                .fold(0.0_f64, f64::max)
        })
        .max(f64::EPSILON);
    cells
        .into_iter()
        .map(|cell| match cell {
            None => Span::raw(" "),
            Some(v) => {
                let level =
                    ((v / top).clamp(0.0, 1.0) * (LEVELS.len() - 1) as f64).round() as usize;
                let glyph = LEVELS[level.min(LEVELS.len() - 1)];
                // (threshold, above): an alarm fires above it, or below it.
                let breached =
                    threshold.is_some_and(|(t, above)| if above { v >= t } else { v <= t });
                let style = if breached {
                    styles.critical()
                } else {
                    styles.accent()
                };
                Span::styled(glyph.to_string(), style)
            }
        })
        .collect()
}
