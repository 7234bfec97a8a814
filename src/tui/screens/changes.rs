//! Every edited or deleted message of the organization, sortable by time,
//! person and room.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::text::{Line, Span};

use super::{Ui, framed, list_height};
use crate::query::read::{AccountLabel, CaseReader, ChangeSort, MessageView};
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::notation::plain_text;
use crate::tui::widgets::table::{Column, ListCursor, TableView, draw_table};
use crate::tui::widgets::text::clean;

#[derive(Debug)]
pub struct ChangesState {
    pub sort: ChangeSort,
    pub changes: Vec<MessageView>,
    previews: HashMap<i64, String>,
    pub cursor: ListCursor,
}

impl ChangesState {
    pub fn new(changes: Vec<MessageView>, sort: ChangeSort) -> ChangesState {
        ChangesState {
            sort,
            changes,
            previews: HashMap::new(),
            cursor: ListCursor::default(),
        }
    }

    pub fn selected(&self) -> Option<&MessageView> {
        self.changes.get(self.cursor.selected)
    }

    pub fn len(&self) -> usize {
        self.changes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Returns the order after `sort`: time, person, room, time again.
    pub fn next_sort(sort: ChangeSort) -> ChangeSort {
        match sort {
            ChangeSort::Time => ChangeSort::Person,
            ChangeSort::Person => ChangeSort::Room,
            ChangeSort::Room => ChangeSort::Time,
        }
    }

    /// Computes the previews of the visible rows.
    pub fn prepare(
        &mut self,
        reader: &CaseReader,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<()> {
        let first = self.cursor.offset;
        let last = (first + height).min(self.changes.len());
        for message in &self.changes[first..last] {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                self.previews.entry(message.msg_key)
            {
                slot.insert(preview_of(reader, message, names)?);
            }
        }
        Ok(())
    }

    /// Replaces one message, for example after its tags changed.
    pub fn replace_message(&mut self, message: MessageView) {
        if let Some(slot) = self
            .changes
            .iter_mut()
            .find(|m| m.msg_key == message.msg_key)
        {
            *slot = message;
        }
    }

    /// Selects the row at screen row `y`; returns true on a hit.
    pub fn click(&mut self, area: Rect, x: u16, y: u16) -> bool {
        let table = table_area(area);
        if !table.contains(Position::new(x, y)) || y == table.y {
            return false;
        }
        match self.cursor.row_at(usize::from(y - table.y - 1), self.len()) {
            Some(index) => {
                self.cursor.select(index, self.len(), visible_rows(area));
                true
            }
            None => false,
        }
    }
}

/// Returns a one-row preview of a message. A deleted message shows the
/// text it had before the deletion, when the export recorded it.
pub fn preview_of(
    reader: &CaseReader,
    message: &MessageView,
    names: &HashMap<String, AccountLabel>,
) -> anyhow::Result<String> {
    if message.deleted {
        let revisions = reader.revisions(message.msg_key)?;
        let before = revisions
            .iter()
            .rev()
            .find(|revision| !crate::model::is_deleted_body(&revision.body_before));
        return Ok(match before {
            Some(revision) => format!(
                "{}{}",
                "✗ ",
                format::one_line(&plain_text(&revision.body_before, names))
            ),
            None => "✗".to_string(),
        });
    }
    Ok(format::one_line(&plain_text(&message.body, names)))
}

/// Returns the short marks of a list row: edited, deleted, star, tags.
pub fn row_marks(message: &MessageView, ui: &Ui<'_>) -> Line<'static> {
    let mut spans = Vec::new();
    if message.edited {
        spans.push(Span::styled(ui.pick("編", "E"), style::edited()));
    }
    if message.deleted {
        spans.push(Span::styled(ui.pick("削", "D"), style::deleted()));
    }
    if message.starred {
        spans.push(Span::styled("★", style::mention()));
    }
    if !message.tags.is_empty() || message.note.is_some() {
        spans.push(Span::styled("#", style::task()));
    }
    Line::from(spans)
}

fn table_area(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

/// Returns the rows the list shows in the screen `area`.
pub fn visible_rows(area: Rect) -> usize {
    list_height(table_area(area).height)
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &ChangesState, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let order = match state.sort {
        ChangeSort::Time => ui.pick("時刻順", "by time"),
        ChangeSort::Person => ui.pick("人順", "by person"),
        ChangeSort::Room => ui.pick("ルーム順", "by room"),
    };
    let title = Line::from(vec![
        Span::styled(ui.pick("編集・削除", "Edits and deletions"), style::title()),
        Span::raw(format!(
            " {} · {order}",
            format::count(state.changes.len() as i64)
        )),
    ]);
    framed(buf, area, &title, true, ui);
    let table = table_area(area);
    let columns = [
        Column::fixed(ui.pick("変更日時", "Changed"), 16),
        Column::fixed(ui.pick("印", "!"), 4),
        Column::fixed(ui.pick("送信者", "Sender"), 16),
        Column::fixed(ui.pick("ルーム", "Room"), 14),
        Column::fill(ui.pick("本文（削除は削除前）", "Text (before deletion)")),
    ];
    let rows = state
        .changes
        .iter()
        .skip(state.cursor.offset)
        .take(list_height(table.height))
        .map(|message| {
            let name_style = if message.sender.resigned {
                style::resigned()
            } else {
                style::sender()
            };
            vec![
                Line::styled(
                    format::short_time(
                        message.updated_at.unwrap_or(message.sent_at),
                        ui.settings.zone,
                    ),
                    style::time(),
                ),
                row_marks(message, ui),
                Line::styled(format::account(&message.sender, lang), name_style),
                Line::raw(clean(&message.room_name)),
                Line::raw(
                    state
                        .previews
                        .get(&message.msg_key)
                        .cloned()
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    let view = TableView {
        columns: &columns,
        rows,
        selected: state.cursor.selected.checked_sub(state.cursor.offset),
        focused: true,
    };
    draw_table(buf, table, &view, ui.settings.ambiguous);
    if state.changes.is_empty() && table.height > 1 {
        let empty = Line::styled(
            ui.pick(
                "編集・削除されたメッセージはありません",
                "No edited or deleted message",
            ),
            style::dim(),
        );
        crate::tui::widgets::text::paint_line(
            buf,
            table.x,
            table.y + 1,
            table.width,
            &empty,
            ui.settings.ambiguous,
        );
    }
}
