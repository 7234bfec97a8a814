//! The screens of the console, one file each: the state a screen keeps,
//! how it moves, and how it draws itself from that state.

pub mod changes;
pub mod detail;
pub mod participants;
pub mod people;
pub mod person;
pub mod rooms;
pub mod search;
pub mod timeline;

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};

use super::format::Settings;
use super::keymap::Context;
use super::theme::{Glyphs, style};
use super::widgets::notation::RenderContext;
use super::widgets::text::{line_width, paint_line, truncate_line};
use crate::query::read::AccountLabel;

/// What every screen draws with.
pub struct Ui<'a> {
    pub settings: Settings,
    pub glyphs: Glyphs,
    /// Accounts by account ID, for notation.
    pub names: &'a HashMap<String, AccountLabel>,
}

impl Ui<'_> {
    pub fn pick(&self, ja: &'static str, en: &'static str) -> &'static str {
        self.settings.lang.pick(ja, en)
    }

    pub fn notation(&self) -> RenderContext<'_> {
        RenderContext {
            names: self.names,
            settings: self.settings,
            glyphs: self.glyphs,
        }
    }
}

/// One screen on the stack.
#[derive(Debug)]
pub enum Screen {
    Rooms(rooms::RoomsState),
    Timeline(Box<timeline::TimelineState>),
    Detail(Box<detail::DetailState>),
    Participants(participants::ParticipantsState),
    People(people::PeopleState),
    PersonMessages(person::PersonMessagesState),
    Changes(changes::ChangesState),
    Search(Box<search::SearchState>),
}

impl Screen {
    /// Returns where the keyboard focus is on this screen.
    pub fn context(&self) -> Context {
        match self {
            Screen::Rooms(state) if state.filter_focused => Context::RoomsFilter,
            Screen::Rooms(_) => Context::Rooms,
            Screen::Timeline(_) => Context::Timeline,
            Screen::Detail(_) => Context::Detail,
            Screen::Participants(_) => Context::Participants,
            Screen::People(_) => Context::People,
            Screen::PersonMessages(_) => Context::PersonMessages,
            Screen::Changes(_) => Context::Changes,
            Screen::Search(state) if state.input_focused => Context::SearchInput,
            Screen::Search(_) => Context::Search,
        }
    }

    /// Returns the short name of the screen for the breadcrumb.
    pub fn crumb(&self, ui: &Ui<'_>) -> String {
        match self {
            Screen::Rooms(_) => ui.pick("ルーム", "Rooms").into(),
            Screen::Timeline(state) => {
                super::widgets::text::clean(&state.room.display_name(ui.settings.lang))
            }
            Screen::Detail(_) => ui.pick("詳細", "Detail").into(),
            Screen::Participants(_) => ui.pick("参加者", "Participants").into(),
            Screen::People(_) => ui.pick("人", "People").into(),
            Screen::PersonMessages(state) => {
                super::format::account(&state.person, ui.settings.lang)
            }
            Screen::Changes(_) => ui.pick("編集・削除", "Edits and deletions").into(),
            Screen::Search(_) => ui.pick("検索", "Search").into(),
        }
    }

    /// Draws the screen into `area` and returns where the text cursor
    /// goes when a text field of the screen has the focus.
    pub fn draw(&self, buf: &mut Buffer, area: Rect, ui: &Ui<'_>) -> Option<Position> {
        match self {
            Screen::Rooms(state) => rooms::draw(buf, area, state, ui),
            Screen::Timeline(state) => {
                timeline::draw(buf, area, state, ui);
                None
            }
            Screen::Detail(state) => {
                detail::draw(buf, area, state, ui);
                None
            }
            Screen::Participants(state) => {
                participants::draw(buf, area, state, ui);
                None
            }
            Screen::People(state) => {
                people::draw(buf, area, state, ui);
                None
            }
            Screen::PersonMessages(state) => {
                person::draw(buf, area, state, ui);
                None
            }
            Screen::Changes(state) => {
                changes::draw(buf, area, state, ui);
                None
            }
            Screen::Search(state) => search::draw(buf, area, state, ui),
        }
    }
}

/// Draws a bordered frame with `title` on its top edge and returns the
/// area inside. The title is drawn by [`paint_line`], so it is cleaned and
/// cut like any other text and never overwrites the corners.
pub fn framed(buf: &mut Buffer, area: Rect, title: &Line<'_>, focused: bool, ui: &Ui<'_>) -> Rect {
    if area.width == 0 || area.height == 0 {
        return area;
    }
    let block = Block::bordered()
        .border_set(ui.glyphs.border)
        .border_style(style::border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    if area.width > 4 {
        let room = area.width - 4;
        let cut = truncate_line(title, usize::from(room), ui.settings.ambiguous);
        let width = line_width(&cut, ui.settings.ambiguous) as u16;
        if width > 0 {
            paint_line(
                buf,
                area.x + 1,
                area.y,
                1,
                &Line::raw(" "),
                ui.settings.ambiguous,
            );
            paint_line(buf, area.x + 2, area.y, room, &cut, ui.settings.ambiguous);
            paint_line(
                buf,
                area.x + 2 + width,
                area.y,
                1,
                &Line::raw(" "),
                ui.settings.ambiguous,
            );
        }
    }
    inner
}

/// Returns the rows of a list area below its heading row.
pub fn list_height(area_height: u16) -> usize {
    usize::from(area_height.saturating_sub(1))
}
