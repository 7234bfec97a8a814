//! Every account of the organization; resigned accounts first on request.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::text::{Line, Span};

use super::participants::affiliation;
use super::{Ui, framed, list_height};
use crate::query::read::Person;
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::table::{Column, ListCursor, TableView, draw_table};

#[derive(Debug)]
pub struct PeopleState {
    pub people: Vec<Person>,
    pub resigned_first: bool,
    pub cursor: ListCursor,
}

impl PeopleState {
    pub fn new(people: Vec<Person>, resigned_first: bool) -> PeopleState {
        PeopleState {
            people,
            resigned_first,
            cursor: ListCursor::default(),
        }
    }

    pub fn selected(&self) -> Option<&Person> {
        self.people.get(self.cursor.selected)
    }

    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// Replaces the list after a change of order, keeping the selected person.
    pub fn reorder(&mut self, people: Vec<Person>, resigned_first: bool, height: usize) {
        let selected = self.selected().map(|person| person.account.account_key);
        self.people = people;
        self.resigned_first = resigned_first;
        let index = selected
            .and_then(|key| {
                self.people
                    .iter()
                    .position(|p| p.account.account_key == key)
            })
            .unwrap_or(0);
        self.cursor.select(index, self.people.len(), height);
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

pub fn draw(buf: &mut Buffer, area: Rect, state: &PeopleState, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let resigned = state.people.iter().filter(|p| p.account.resigned).count();
    let order = if state.resigned_first {
        ui.pick("解約済みが先", "resigned first")
    } else {
        ui.pick("名前順", "by name")
    };
    let title = Line::from(vec![
        Span::styled(ui.pick("人の一覧", "People"), style::title()),
        Span::raw(match lang {
            crate::i18n::Lang::Ja => format!(
                " {} 人（解約済 {} 人）・{order}",
                format::count(state.people.len() as i64),
                format::count(resigned as i64)
            ),
            crate::i18n::Lang::En => format!(
                " {} ({} resigned), {order}",
                format::count(state.people.len() as i64),
                format::count(resigned as i64)
            ),
        }),
    ]);
    framed(buf, area, &title, true, ui);
    let table = table_area(area);
    let columns = [
        Column::fill(ui.pick("名前", "Name")),
        Column::fixed(ui.pick("組織・部署", "Organization"), 24),
        Column::fixed(ui.pick("ルーム", "Rooms"), 6),
        Column::fixed(ui.pick("発言数", "Messages"), 8),
        Column::fixed(ui.pick("最終発言", "Last message"), 16),
    ];
    let rows = state
        .people
        .iter()
        .skip(state.cursor.offset)
        .take(list_height(table.height))
        .map(|person| {
            let name_style = if person.account.resigned {
                style::resigned()
            } else {
                style::sender()
            };
            vec![
                Line::styled(format::account(&person.account, lang), name_style),
                Line::raw(affiliation(
                    person.organization.as_deref(),
                    person.department.as_deref(),
                )),
                Line::raw(format!("{:>6}", format::count(person.rooms))),
                Line::raw(format!("{:>8}", format::count(person.messages))),
                Line::raw(
                    person
                        .last_activity
                        .map(|unix| format::short_time(unix, ui.settings.zone))
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
}
