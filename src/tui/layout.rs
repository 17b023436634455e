//! Screen areas computed from the terminal size alone, shared by the views (to draw) and by
//! `update` (to page by the visible height and to hit-test mouse clicks).

use ratatui::layout::{Constraint, Layout, Rect};

/// Width from which the detail pane sits beside the table.
pub const SIDE_DETAIL_MIN_WIDTH: u16 = 140;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
}

pub fn frame(size: (u16, u16)) -> Frame {
    let area = Rect::new(0, 0, size.0, size.1);
    let [header, body, status, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1), Constraint::Length(1)])
            .areas(area);
    Frame { header, body, status, footer }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerAreas {
    /// Search and filter line.
    pub bar: Rect,
    /// The table including its border.
    pub table: Rect,
    /// Detail pane (empty when not shown).
    pub detail: Rect,
}

/// The ledger's areas. When the detail has the focus on a narrow terminal it takes the whole
/// body; on a wide one it sits beside the table all the time.
pub fn ledger(body: Rect, detail_focused: bool) -> LedgerAreas {
    let detail_full = detail_focused && body.width < SIDE_DETAIL_MIN_WIDTH;
    let [bar, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
    if detail_full {
        return LedgerAreas { bar, table: Rect::default(), detail: rest };
    }
    if body.width >= SIDE_DETAIL_MIN_WIDTH {
        let [table, detail] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(rest);
        LedgerAreas { bar, table, detail }
    } else {
        LedgerAreas { bar, table: rest, detail: Rect::default() }
    }
}

/// Rows of data the table shows: its height minus the border and the column header.
pub fn table_rows(table: Rect) -> usize {
    table.height.saturating_sub(3) as usize
}

/// The first data row's y.
pub fn table_first_row_y(table: Rect) -> u16 {
    table.y + 2
}
