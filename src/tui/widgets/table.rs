//! Lists with columns, drawn one visible row at a time.
//!
//! A screen keeps a [`ListCursor`] (selection and scroll offset) and hands
//! [`draw_table`] only the rows that fit, so a list of any length costs
//! the same to draw. Cells are cut and padded by display width under the
//! console's ambiguous-width policy.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{fill, fit_line, paint_line};
use crate::text::width::AmbiguousWidth;
use crate::tui::theme::style;

/// Selection and scroll position of a list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    /// Index of the first visible row.
    pub offset: usize,
}

impl ListCursor {
    /// Moves the selection by `delta` rows within `len` rows and scrolls so
    /// that it stays inside a view of `height` rows.
    pub fn move_by(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        let target = self.selected.saturating_add_signed(delta).min(len - 1);
        self.select(target, len, height);
    }

    /// Selects row `index` (clamped) and scrolls it into view.
    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        self.selected = index.min(len - 1);
        self.keep_visible(len, height);
    }

    /// Scrolls the view by `delta` rows and drags the selection along when
    /// it would leave the view, as a mouse wheel does.
    pub fn scroll_by(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        let height = height.max(1);
        let max_offset = len.saturating_sub(height);
        self.offset = self.offset.saturating_add_signed(delta).min(max_offset);
        if self.selected < self.offset {
            self.selected = self.offset;
        }
        if self.selected >= self.offset + height {
            self.selected = self.offset + height - 1;
        }
        self.selected = self.selected.min(len - 1);
    }

    /// Adjusts the offset so the selection is inside a view of `height` rows.
    pub fn keep_visible(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if len == 0 {
            *self = ListCursor::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Returns the row under screen row `row_in_view`, if there is one.
    pub fn row_at(&self, row_in_view: usize, len: usize) -> Option<usize> {
        let index = self.offset + row_in_view;
        (index < len).then_some(index)
    }
}

/// Width of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Exactly this many cells.
    Fixed(u16),
    /// The cells left after the fixed columns, shared by all fill columns.
    Fill,
}

/// A column heading and its width.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: Width,
}

impl Column {
    pub fn fixed(title: &str, width: u16) -> Column {
        Column {
            title: title.to_string(),
            width: Width::Fixed(width),
        }
    }

    pub fn fill(title: &str) -> Column {
        Column {
            title: title.to_string(),
            width: Width::Fill,
        }
    }
}

/// Cells a fill column keeps before fixed columns shrink: enough for a
/// short name with its resigned marker (`前田 翔太【解約済】` is 19), and
/// for a longer name cut before the marker.
const FILL_MIN: u16 = 20;

/// Resolves column widths for `total` cells, one space between columns.
/// Fill columns share what the fixed ones leave, but keep at least
/// [`FILL_MIN`] cells each while the table is wide enough. The fixed
/// columns that do not fit then shrink from the right.
pub fn column_widths(columns: &[Column], total: u16) -> Vec<u16> {
    let gaps = columns.len().saturating_sub(1) as u16;
    let available = total.saturating_sub(gaps);
    let fixed: u16 = columns
        .iter()
        .map(|column| match column.width {
            Width::Fixed(width) => width,
            Width::Fill => 0,
        })
        .sum();
    let fills = columns
        .iter()
        .filter(|column| column.width == Width::Fill)
        .count() as u16;
    let spare = if fills == 0 {
        0
    } else {
        available
            .saturating_sub(fixed)
            .max(FILL_MIN.saturating_mul(fills).min(available))
    };
    let mut left = available.saturating_sub(spare);
    let mut filled = 0;
    columns
        .iter()
        .map(|column| match column.width {
            Width::Fixed(wanted) => {
                let width = wanted.min(left);
                left -= width;
                width
            }
            Width::Fill => {
                filled += 1;
                if filled == fills {
                    spare - spare / fills * (fills - 1)
                } else {
                    spare / fills
                }
            }
        })
        .collect()
}

/// The rows and columns [`draw_table`] draws.
pub struct TableView<'a> {
    pub columns: &'a [Column],
    /// The visible rows, starting at the cursor's offset, one line per cell.
    pub rows: Vec<Vec<Line<'static>>>,
    /// Index of the selected row within `rows`, if it is visible.
    pub selected: Option<usize>,
    pub focused: bool,
}

/// Draws a heading row and the rows of `view` into `area`.
pub fn draw_table(buf: &mut Buffer, area: Rect, view: &TableView<'_>, policy: AmbiguousWidth) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let widths = column_widths(view.columns, area.width);
    let heading: Vec<Line<'static>> = view
        .columns
        .iter()
        .map(|column| Line::from(Span::styled(column.title.clone(), style::header())))
        .collect();
    draw_row(buf, area.x, area.y, &widths, &heading, Style::new(), policy);
    for (index, row) in view.rows.iter().enumerate() {
        let y = area.y + 1 + index as u16;
        if y >= area.bottom() {
            break;
        }
        let row_style = match (view.selected == Some(index), view.focused) {
            (true, true) => style::selected(),
            (true, false) => style::selected_unfocused(),
            _ => Style::new(),
        };
        fill(buf, area.x, y, area.width, row_style);
        draw_row(buf, area.x, y, &widths, row, row_style, policy);
    }
}

fn draw_row(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    widths: &[u16],
    cells: &[Line<'static>],
    row_style: Style,
    policy: AmbiguousWidth,
) {
    let mut column_x = x;
    for (width, cell) in widths.iter().zip(cells) {
        if *width == 0 {
            continue;
        }
        let mut fitted = fit_line(cell, usize::from(*width), policy);
        fitted.style = row_style.patch(fitted.style);
        paint_line(buf, column_x, y, *width, &fitted, policy);
        column_x = column_x.saturating_add(*width + 1);
    }
}

/// Returns which column a screen column falls in, for clicks on headings.
pub fn column_at(columns: &[Column], total: u16, x_in_table: u16) -> Option<usize> {
    let widths = column_widths(columns, total);
    let mut start = 0;
    for (index, width) in widths.iter().enumerate() {
        if x_in_table >= start && x_in_table < start + width {
            return Some(index);
        }
        start += width + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_scrolls_to_keep_selection_visible() {
        let mut cursor = ListCursor::default();
        cursor.move_by(15, 100, 10);
        assert_eq!(
            cursor,
            ListCursor {
                selected: 15,
                offset: 6
            }
        );
        cursor.move_by(-10, 100, 10);
        assert_eq!(
            cursor,
            ListCursor {
                selected: 5,
                offset: 5
            }
        );
        cursor.move_by(1000, 100, 10);
        assert_eq!(
            cursor,
            ListCursor {
                selected: 99,
                offset: 90
            }
        );
        cursor.move_by(-1000, 100, 10);
        assert_eq!(
            cursor,
            ListCursor {
                selected: 0,
                offset: 0
            }
        );
    }

    #[test]
    fn cursor_on_empty_list_stays_at_zero() {
        let mut cursor = ListCursor {
            selected: 5,
            offset: 3,
        };
        cursor.move_by(1, 0, 10);
        assert_eq!(cursor, ListCursor::default());
    }

    #[test]
    fn wheel_drags_selection() {
        let mut cursor = ListCursor::default();
        cursor.scroll_by(3, 100, 10);
        assert_eq!(
            cursor,
            ListCursor {
                selected: 3,
                offset: 3
            }
        );
        cursor.scroll_by(1000, 100, 10);
        assert_eq!(cursor.offset, 90);
    }

    #[test]
    fn widths_share_what_is_left() {
        let columns = [
            Column::fixed("a", 10),
            Column::fill("b"),
            Column::fixed("c", 5),
        ];
        assert_eq!(column_widths(&columns, 40), vec![10, 23, 5]);
        // A narrow table keeps the fill column, which shows the names.
        assert_eq!(column_widths(&columns, 12), vec![0, 10, 0]);
        assert_eq!(column_widths(&columns, 30), vec![8, 20, 0]);
        assert_eq!(column_at(&columns, 40, 12), Some(1));
        assert_eq!(column_at(&columns, 40, 10), None);
    }

    #[test]
    fn narrow_widths_never_exceed_total() {
        let columns = [Column::fixed("a", 10), Column::fixed("b", 10)];
        for total in 0..30 {
            let widths = column_widths(&columns, total);
            let used: u16 = widths.iter().sum::<u16>() + 1;
            assert!(used <= total.max(1), "{total}: {widths:?}");
        }
    }
}
