//! One person's messages across all rooms, newest first.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::text::{Line, Span};

use super::changes::{preview_of, row_marks};
use super::{Ui, framed, list_height};
use crate::query::read::{AccountLabel, CaseReader, MessageView};
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::table::{Column, ListCursor, TableView, draw_table};
use crate::tui::widgets::text::clean;

/// Messages read from the case at once.
const PAGE: i64 = 200;

#[derive(Debug)]
pub struct PersonMessagesState {
    pub person: AccountLabel,
    pub total: i64,
    page: Vec<MessageView>,
    page_start: i64,
    previews: HashMap<i64, String>,
    pub cursor: ListCursor,
}

impl PersonMessagesState {
    pub fn open(
        reader: &CaseReader,
        person: AccountLabel,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<PersonMessagesState> {
        let total = reader.person_message_count(person.account_key)?;
        let mut state = PersonMessagesState {
            person,
            total,
            page: Vec::new(),
            page_start: 0,
            previews: HashMap::new(),
            cursor: ListCursor::default(),
        };
        state.load_around(reader, 0)?;
        state.prepare(reader, height, names)?;
        Ok(state)
    }

    /// Builds the list from messages already in memory.
    pub fn from_messages(person: AccountLabel, messages: Vec<MessageView>) -> PersonMessagesState {
        PersonMessagesState {
            person,
            total: messages.len() as i64,
            page: messages,
            page_start: 0,
            previews: HashMap::new(),
            cursor: ListCursor::default(),
        }
    }

    fn len(&self) -> usize {
        usize::try_from(self.total).unwrap_or(0)
    }

    fn message(&self, index: usize) -> Option<&MessageView> {
        let offset = (index as i64).checked_sub(self.page_start)?;
        self.page.get(usize::try_from(offset).ok()?)
    }

    pub fn selected(&self) -> Option<&MessageView> {
        self.message(self.cursor.selected)
    }

    fn load_around(&mut self, reader: &CaseReader, index: usize) -> anyhow::Result<()> {
        let start = (index as i64 - PAGE / 2).max(0);
        self.page = reader.person_messages(self.person.account_key, start, PAGE)?;
        self.page_start = start;
        Ok(())
    }

    /// Moves the selection and loads the rows it needs.
    pub fn move_by(
        &mut self,
        reader: &CaseReader,
        delta: isize,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<()> {
        self.cursor.move_by(delta, self.len(), height);
        self.prepare(reader, height, names)
    }

    pub fn scroll_by(
        &mut self,
        reader: &CaseReader,
        delta: isize,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<()> {
        self.cursor.scroll_by(delta, self.len(), height);
        self.prepare(reader, height, names)
    }

    /// Loads the page that contains the visible rows, and their previews.
    pub fn prepare(
        &mut self,
        reader: &CaseReader,
        height: usize,
        names: &HashMap<String, AccountLabel>,
    ) -> anyhow::Result<()> {
        let first = self.cursor.offset;
        let last = (first + height).min(self.len());
        let page_end = self.page_start + self.page.len() as i64;
        if (first as i64) < self.page_start || (last as i64) > page_end {
            self.load_around(reader, self.cursor.selected)?;
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

    /// Replaces one message, for example after its tags changed.
    pub fn replace_message(&mut self, message: MessageView) {
        if let Some(slot) = self.page.iter_mut().find(|m| m.msg_key == message.msg_key) {
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

fn table_area(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

/// Returns the rows the list shows in the screen `area`.
pub fn visible_rows(area: Rect) -> usize {
    list_height(table_area(area).height)
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &PersonMessagesState, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let title = Line::from(vec![
        Span::styled(
            format::account(&state.person, lang),
            if state.person.resigned {
                style::resigned()
            } else {
                style::title()
            },
        ),
        Span::raw(match lang {
            crate::i18n::Lang::Ja => {
                format!(" の発言 {} 件（新しい順）", format::count(state.total))
            }
            crate::i18n::Lang::En => {
                format!(": {} messages, newest first", format::count(state.total))
            }
        }),
    ]);
    framed(buf, area, &title, true, ui);
    let table = table_area(area);
    let columns = [
        Column::fixed(ui.pick("日時", "Time"), 16),
        Column::fixed(ui.pick("ルーム", "Room"), 20),
        Column::fixed(ui.pick("印", "!"), 6),
        Column::fill(ui.pick("本文", "Text")),
    ];
    let rows = (state.cursor.offset
        ..(state.cursor.offset + list_height(table.height)).min(state.len()))
        .map(|index| match state.message(index) {
            Some(message) => vec![
                Line::styled(
                    format::short_time(message.sent_at, ui.settings.zone),
                    style::time(),
                ),
                Line::raw(clean(&message.room_name)),
                row_marks(message, ui),
                Line::raw(
                    state
                        .previews
                        .get(&message.msg_key)
                        .cloned()
                        .unwrap_or_default(),
                ),
            ],
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
}
