//! Every edited or deleted message of the organization, sortable by time,
//! person and room.
//!
//! A large case has hundreds of thousands of changed messages, so the
//! screen keeps only their keys in list order and, like the timeline,
//! reads the messages around the view with `messages_by_keys` as it
//! scrolls. Another sort reads the keys again.

use std::collections::HashMap;
use std::ops::Range;

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

/// Rows loaded beyond each edge of the view, so that moving a few rows
/// reads nothing.
pub const MARGIN: usize = 100;

#[derive(Debug)]
pub struct ChangesState {
    pub sort: ChangeSort,
    /// Key of every changed message, in the order of `sort`.
    keys: Vec<i64>,
    /// Positions in `keys` whose messages are loaded.
    loaded: Range<usize>,
    /// The loaded messages by key.
    messages: HashMap<i64, MessageView>,
    /// Previews of loaded messages by key.
    previews: HashMap<i64, String>,
    pub cursor: ListCursor,
}

impl ChangesState {
    /// Reads the keys of the list in `sort` order and the messages of the
    /// first `height` rows with a margin.
    pub fn open(
        reader: &CaseReader,
        sort: ChangeSort,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<ChangesState> {
        let mut state = ChangesState {
            sort,
            keys: reader.changed_keys(sort)?,
            loaded: 0..0,
            messages: HashMap::new(),
            previews: HashMap::new(),
            cursor: ListCursor::default(),
        };
        state.prepare(reader, height, names)?;
        Ok(state)
    }

    /// Builds the list from messages already in memory, in their order.
    pub fn from_messages(messages: Vec<MessageView>, sort: ChangeSort) -> ChangesState {
        let keys: Vec<i64> = messages.iter().map(|message| message.msg_key).collect();
        ChangesState {
            sort,
            loaded: 0..keys.len(),
            keys,
            messages: messages
                .into_iter()
                .map(|message| (message.msg_key, message))
                .collect(),
            previews: HashMap::new(),
            cursor: ListCursor::default(),
        }
    }

    /// Returns the key of every message in the list, in list order.
    pub fn keys(&self) -> &[i64] {
        &self.keys
    }

    /// Returns the message at `index` in the list if it is loaded.
    pub fn message(&self, index: usize) -> Option<&MessageView> {
        if !self.loaded.contains(&index) {
            return None;
        }
        self.messages.get(self.keys.get(index)?)
    }

    pub fn selected(&self) -> Option<&MessageView> {
        self.message(self.cursor.selected)
    }

    /// Returns the number of messages held in memory.
    pub fn loaded_len(&self) -> usize {
        self.messages.len()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Returns the order after `sort`: time, person, room, time again.
    pub fn next_sort(sort: ChangeSort) -> ChangeSort {
        match sort {
            ChangeSort::Time => ChangeSort::Person,
            ChangeSort::Person => ChangeSort::Room,
            ChangeSort::Room => ChangeSort::Time,
        }
    }

    /// Loads the messages around the visible rows when the view reaches
    /// past the loaded ones, and computes the previews of the visible rows.
    pub fn prepare(
        &mut self,
        reader: &CaseReader,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<()> {
        let first = self.cursor.offset.min(self.len());
        let last = (first + height).min(self.len());
        if first < self.loaded.start || last > self.loaded.end {
            let around = first.saturating_sub(MARGIN)..(last + MARGIN).min(self.len());
            self.load(reader, around)?;
        }
        for index in first..last {
            if let Some(message) = self.message(index)
                && !self.previews.contains_key(&message.msg_key)
            {
                let key = message.msg_key;
                let preview = preview_of(reader, message, names)?;
                self.previews.insert(key, preview);
            }
        }
        Ok(())
    }

    /// Replaces the loaded messages with those at `range` of the list, and
    /// drops the previews of the others.
    fn load(&mut self, reader: &CaseReader, range: Range<usize>) -> anyhow::Result<()> {
        let messages = reader.messages_by_keys(&self.keys[range.clone()])?;
        self.messages = messages
            .into_iter()
            .map(|message| (message.msg_key, message))
            .collect();
        self.previews
            .retain(|key, _| self.messages.contains_key(key));
        self.loaded = range;
        Ok(())
    }

    /// Replaces one message if it is loaded, for example after its tags
    /// changed.
    pub fn replace_message(&mut self, message: MessageView) {
        if let Some(slot) = self.messages.get_mut(&message.msg_key) {
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
        Span::raw(format!(" {} · {order}", format::count(state.len() as i64))),
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
    let first = state.cursor.offset;
    let rows = (first..(first + list_height(table.height)).min(state.len()))
        .map(|index| match state.message(index) {
            Some(message) => {
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
            }
            None => vec![Line::styled("…", style::dim())],
        })
        .collect();
    let view = TableView {
        columns: &columns,
        rows,
        selected: state.cursor.selected.checked_sub(state.cursor.offset),
        focused: true,
    };
    draw_table(buf, table, &view, ui.settings.ambiguous);
    if state.is_empty() && table.height > 1 {
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
