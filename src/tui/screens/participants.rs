//! Members of a room with role, department and message count, plus the
//! senders found in no members list of the room.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::text::{Line, Span};

use super::{Ui, framed, list_height};
use crate::query::read::{Participant, RoomSummary};
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::table::{Column, ListCursor, TableView, draw_table};
use crate::tui::widgets::text::clean;

#[derive(Debug)]
pub struct ParticipantsState {
    pub room: RoomSummary,
    pub participants: Vec<Participant>,
    pub cursor: ListCursor,
}

impl ParticipantsState {
    pub fn new(room: RoomSummary, participants: Vec<Participant>) -> ParticipantsState {
        ParticipantsState {
            room,
            participants,
            cursor: ListCursor::default(),
        }
    }

    pub fn selected(&self) -> Option<&Participant> {
        self.participants.get(self.cursor.selected)
    }

    pub fn len(&self) -> usize {
        self.participants.len()
    }

    pub fn is_empty(&self) -> bool {
        self.participants.is_empty()
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

/// Returns the organization and department joined for one column.
pub fn affiliation(organization: Option<&str>, department: Option<&str>) -> String {
    let parts: Vec<&str> = [organization, department]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect();
    clean(&parts.join(" / "))
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &ParticipantsState, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let title = Line::from(vec![
        Span::styled(ui.pick("参加者", "Participants"), style::title()),
        Span::raw(format!(
            " {} ({})",
            clean(&state.room.display_name(lang)),
            format::count(state.participants.len() as i64)
        )),
    ]);
    framed(buf, area, &title, true, ui);
    let table = table_area(area);
    let columns = [
        Column::fill(ui.pick("名前", "Name")),
        Column::fixed(ui.pick("権限", "Role"), 10),
        Column::fixed(ui.pick("組織・部署", "Organization"), 24),
        Column::fixed(ui.pick("発言数", "Messages"), 8),
        Column::fixed(ui.pick("備考", "Note"), 12),
    ];
    let rows = state
        .participants
        .iter()
        .skip(state.cursor.offset)
        .take(list_height(table.height))
        .map(|participant| {
            let name_style = if participant.account.resigned {
                style::resigned()
            } else {
                style::sender()
            };
            vec![
                Line::styled(format::account(&participant.account, lang), name_style),
                Line::raw(format::role(participant.role, lang)),
                Line::raw(affiliation(
                    participant.organization.as_deref(),
                    participant.department.as_deref(),
                )),
                Line::raw(format!("{:>8}", format::count(participant.messages))),
                if participant.listed {
                    Line::default()
                } else {
                    Line::styled(ui.pick("メンバー外", "not a member"), style::edited())
                },
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
}
