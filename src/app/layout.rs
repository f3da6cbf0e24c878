//! Screen geometry shared by `update` (mouse clicks, page sizes) and `ui`
//! (drawing), so both agree on where rows are.

/// Rows above the body: the identity line and the breadcrumb/banner line.
pub(crate) const HEADER_ROWS: u16 = 2;
/// Rows below the body: key hints or a message.
pub(crate) const FOOTER_ROWS: u16 = 1;
/// The table's column header row.
pub(crate) const TABLE_HEADER_ROWS: u16 = 1;

/// The first screen row of a list's items (home, events).
pub const fn list_top() -> u16 {
    HEADER_ROWS + TABLE_HEADER_ROWS
}

/// How many list rows fit in a terminal `height` rows tall.
pub(crate) fn list_rows(height: u16) -> usize {
    height.saturating_sub(HEADER_ROWS + TABLE_HEADER_ROWS + FOOTER_ROWS) as usize
}

/// Rows of a list that shares the screen with `below` rows of detail under
/// it (the detail gives way when the screen is too short for both).
pub(crate) fn list_rows_above(height: u16, below: u16) -> usize {
    let rows = list_rows(height);
    if rows >= below as usize + 4 {
        rows - below as usize
    } else {
        rows
    }
}

/// Keep `selected` visible in a window of `rows` starting at `offset`.
pub(crate) fn scroll_into_view(selected: usize, offset: usize, rows: usize) -> usize {
    let rows = rows.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

/// Rows the diagnosis screen spends on patterns above its list.
pub(crate) const DIAGNOSIS_PATTERN_ROWS: u16 = 3;

/// Rows the timeline screen spends on key timestamps above its list.
pub(crate) const TIMELINE_SUMMARY_ROWS: u16 = 2;

/// The palette's list of commands under its input line, in a terminal
/// `height` rows tall (its border and input take 3, the header 2 above).
pub(crate) fn palette_rows(height: u16) -> usize {
    (height.saturating_sub(HEADER_ROWS + 3 + 4) as usize).clamp(3, 12)
}

/// Help's rows of text in a terminal `height` rows tall (its border and
/// its keys-and-search line take 3).
pub(crate) fn help_rows(height: u16) -> usize {
    (height.saturating_sub(3) as usize).max(1)
}
