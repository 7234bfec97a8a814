//! The room list: every room with its kind, members, messages and last
//! activity, sortable by each column and filtered as the user types.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::{Ui, framed, list_height};
use crate::query::read::RoomSummary;
use crate::text::normalize;
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::table::{Column, ListCursor, TableView, column_at, draw_table};
use crate::tui::widgets::text::{clean, paint_line};

/// Columns the list can be sorted by, in the order `o` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomColumn {
    Name,
    Type,
    Members,
    Messages,
    LastActivity,
}

impl RoomColumn {
    fn next(self) -> RoomColumn {
        match self {
            RoomColumn::Name => RoomColumn::Type,
            RoomColumn::Type => RoomColumn::Members,
            RoomColumn::Members => RoomColumn::Messages,
            RoomColumn::Messages => RoomColumn::LastActivity,
            RoomColumn::LastActivity => RoomColumn::Name,
        }
    }

    /// Counts and times read best largest first; names and kinds A to Z.
    fn descending_by_default(self) -> bool {
        matches!(
            self,
            RoomColumn::Members | RoomColumn::Messages | RoomColumn::LastActivity
        )
    }

    /// Returns the sortable column drawn as table column `index`, if any.
    fn of_table_column(index: usize) -> Option<RoomColumn> {
        match index {
            1 => Some(RoomColumn::Name),
            2 => Some(RoomColumn::Type),
            3 => Some(RoomColumn::Members),
            4 => Some(RoomColumn::Messages),
            5 => Some(RoomColumn::LastActivity),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct RoomsState {
    rooms: Vec<RoomSummary>,
    /// Indices into `rooms` that pass the filter, in display order.
    matching: Vec<usize>,
    pub sort: RoomColumn,
    pub descending: bool,
    pub filter: TextInput,
    pub filter_focused: bool,
    pub cursor: ListCursor,
}

impl RoomsState {
    pub fn new(rooms: Vec<RoomSummary>) -> RoomsState {
        let mut state = RoomsState {
            rooms,
            matching: Vec::new(),
            sort: RoomColumn::LastActivity,
            descending: true,
            filter: TextInput::default(),
            filter_focused: false,
            cursor: ListCursor::default(),
        };
        state.refresh(0);
        state
    }

    pub fn shown_len(&self) -> usize {
        self.matching.len()
    }

    /// Returns the rooms that pass the filter, in display order.
    pub fn shown_rooms(&self) -> Vec<&RoomSummary> {
        self.matching
            .iter()
            .map(|&index| &self.rooms[index])
            .collect()
    }

    pub fn selected_room(&self) -> Option<&RoomSummary> {
        self.matching
            .get(self.cursor.selected)
            .map(|&index| &self.rooms[index])
    }

    /// Re-applies filter and order, keeping the selected room selected.
    pub fn refresh(&mut self, height: usize) {
        let selected_key = self.selected_room().map(|room| room.room_key);
        let needle = normalize::normalize(self.filter.text().trim());
        self.matching = (0..self.rooms.len())
            .filter(|&index| {
                let room = &self.rooms[index];
                needle.is_empty()
                    || normalize::normalize(&room.name).contains(&needle)
                    || room.room_id.contains(self.filter.text().trim())
            })
            .collect();
        let rooms = &self.rooms;
        let sort = self.sort;
        self.matching.sort_by(|&a, &b| {
            let (a, b) = (&rooms[a], &rooms[b]);
            let order = match sort {
                RoomColumn::Name => a.name.cmp(&b.name),
                RoomColumn::Type => a.room_type.as_str().cmp(b.room_type.as_str()),
                RoomColumn::Members => a.members.cmp(&b.members),
                RoomColumn::Messages => a.messages.cmp(&b.messages),
                RoomColumn::LastActivity => a.last_activity.cmp(&b.last_activity),
            };
            order.then(a.room_key.cmp(&b.room_key))
        });
        if self.descending {
            self.matching.reverse();
        }
        let index = selected_key
            .and_then(|key| {
                self.matching
                    .iter()
                    .position(|&i| self.rooms[i].room_key == key)
            })
            .unwrap_or(0);
        self.cursor.select(index, self.matching.len(), height);
    }

    pub fn cycle_sort(&mut self, height: usize) {
        self.set_sort(self.sort.next(), height);
    }

    pub fn set_sort(&mut self, column: RoomColumn, height: usize) {
        if column == self.sort {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = column.descending_by_default();
        }
        self.refresh(height);
    }

    pub fn reverse(&mut self, height: usize) {
        self.descending = !self.descending;
        self.refresh(height);
    }

    /// Handles a click at `(x, y)` inside the screen `area`: a heading
    /// sorts, a row selects. Returns true when a row was clicked.
    pub fn click(&mut self, area: Rect, x: u16, y: u16, ui: &Ui<'_>) -> bool {
        let table = table_area(area);
        if !table.contains(Position::new(x, y)) {
            return false;
        }
        let height = list_height(table.height);
        if y == table.y {
            let columns = columns(ui);
            if let Some(column) =
                column_at(&columns, table.width, x - table.x).and_then(RoomColumn::of_table_column)
            {
                self.set_sort(column, height);
            }
            return false;
        }
        match self
            .cursor
            .row_at(usize::from(y - table.y - 1), self.matching.len())
        {
            Some(index) => {
                self.cursor.select(index, self.matching.len(), height);
                true
            }
            None => false,
        }
    }
}

/// Returns the rows the list shows in the screen `area`.
pub fn visible_rows(area: Rect) -> usize {
    list_height(table_area(area).height)
}

fn inner(area: Rect) -> Rect {
    area.inner(ratatui::layout::Margin::new(1, 1))
}

fn table_area(area: Rect) -> Rect {
    let inner = inner(area);
    Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

fn columns(ui: &Ui<'_>) -> Vec<Column> {
    vec![
        Column::fixed(ui.pick("印", "!"), 6),
        Column::fill(ui.pick("ルーム名", "Room")),
        Column::fixed(ui.pick("種別", "Kind"), 10),
        Column::fixed(ui.pick("人数", "Members"), 7),
        Column::fixed(ui.pick("件数", "Messages"), 8),
        Column::fixed(ui.pick("最終発言", "Last message"), 16),
    ]
}

/// Returns the marker of a room: edits, deletions, resigned senders.
pub fn marker(room: &RoomSummary, ui: &Ui<'_>) -> Line<'static> {
    let mut spans = Vec::new();
    if room.edited > 0 {
        spans.push(Span::styled(ui.pick("編", "E"), style::edited()));
    }
    if room.deleted > 0 {
        spans.push(Span::styled(ui.pick("削", "D"), style::deleted()));
    }
    if room.resigned_messages > 0 {
        spans.push(Span::styled(ui.pick("解", "R"), style::resigned()));
    }
    Line::from(spans)
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &RoomsState, ui: &Ui<'_>) -> Option<Position> {
    let title = Line::from(vec![
        Span::styled(ui.pick("ルーム一覧", "Rooms"), style::title()),
        Span::raw(format!(
            " ({}/{})",
            format::count(state.matching.len() as i64),
            format::count(state.rooms.len() as i64)
        )),
    ]);
    let inner = framed(buf, area, &title, true, ui);
    if inner.height == 0 {
        return None;
    }

    let label = ui.pick("絞り込み: ", "Filter: ");
    let label_end = paint_line(
        buf,
        inner.x,
        inner.y,
        inner.width,
        &Line::styled(label, style::dim()),
        ui.settings.ambiguous,
    );
    let field = Rect::new(
        label_end,
        inner.y,
        inner.right().saturating_sub(label_end),
        1,
    );
    let field_style = if state.filter_focused {
        style::selected_unfocused()
    } else {
        ratatui::style::Style::new()
    };
    crate::tui::widgets::text::fill(buf, field.x, field.y, field.width, field_style);
    let caret = state
        .filter
        .render(buf, field, field_style, ui.settings.ambiguous);
    if state.filter.is_empty() && !state.filter_focused {
        let hint = Line::styled(ui.pick("f で入力", "press f to type"), style::dim());
        paint_line(
            buf,
            field.x,
            field.y,
            field.width,
            &hint,
            ui.settings.ambiguous,
        );
    }

    let table = table_area(area);
    let columns = columns(ui);
    let mut columns_with_order = columns.clone();
    if let Some(index) =
        (0..columns.len()).find(|&i| RoomColumn::of_table_column(i) == Some(state.sort))
    {
        let arrow = if state.descending { "▼" } else { "▲" };
        columns_with_order[index].title = format!("{}{arrow}", columns[index].title);
    }
    let height = list_height(table.height);
    let rows = state
        .matching
        .iter()
        .skip(state.cursor.offset)
        .take(height)
        .map(|&index| room_row(&state.rooms[index], ui))
        .collect();
    let view = TableView {
        columns: &columns_with_order,
        rows,
        selected: state.cursor.selected.checked_sub(state.cursor.offset),
        focused: !state.filter_focused,
    };
    draw_table(buf, table, &view, ui.settings.ambiguous);
    if state.matching.is_empty() && table.height > 1 {
        let empty = Line::styled(
            ui.pick("条件に合うルームはありません", "No room matches the filter"),
            style::dim(),
        );
        paint_line(
            buf,
            table.x,
            table.y + 1,
            table.width,
            &empty,
            ui.settings.ambiguous,
        );
    }
    caret.filter(|_| state.filter_focused)
}

fn room_row(room: &RoomSummary, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let lang = ui.settings.lang;
    vec![
        marker(room, ui),
        Line::raw(clean(&room.display_name(lang))),
        Line::raw(format::room_type(room.room_type, lang)),
        Line::raw(format!("{:>7}", format::count(room.members))),
        Line::raw(format!("{:>8}", format::count(room.messages))),
        Line::raw(
            room.last_activity
                .map(|unix| format::short_time(unix, ui.settings.zone))
                .unwrap_or_default(),
        ),
    ]
}
