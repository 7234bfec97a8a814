//! Browsing an open case: the screen stack and what each action does on
//! each screen. Reads go through the query API (`Session`); writes of the
//! investigator's actions go through `record::Recorder`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ratatui::layout::Rect;

use super::action::Action;
use super::app::Status;
use super::export_dialog::ExportRun;
use super::format::{self, Settings};
use super::jobs::{SearchReply, SearchRequest, Searcher};
use super::keymap::Context;
use super::overlay::{self, Overlay};
use super::record::Recorder;
use super::screens::changes::ChangesState;
use super::screens::detail::DetailState;
use super::screens::participants::ParticipantsState;
use super::screens::people::PeopleState;
use super::screens::person::PersonMessagesState;
use super::screens::rooms::RoomsState;
use super::screens::search::{LiveCount, Results, SearchState};
use super::screens::timeline::{Anchor, TimelineState};
use super::screens::{self, Screen, Ui};
use super::theme::Glyphs;
use super::widgets::input::Edit;
use crate::query::Session;
use crate::query::read::{AccountLabel, ChangeSort, MessageView, RoomSummary};
use crate::query::search::{SearchOptions, SortOrder};
use crate::store::PendingImport;

/// Settings and screen area that every action needs.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub settings: Settings,
    pub glyphs: Glyphs,
    /// The area screens are drawn in.
    pub area: Rect,
}

/// Returns the drawing context for `names`.
pub fn ui<'a>(names: &'a HashMap<String, AccountLabel>, env: &Env) -> Ui<'a> {
    Ui {
        settings: env.settings,
        glyphs: env.glyphs,
        names,
    }
}

/// The case as the top bar and the status bar show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseHeader {
    /// Name of the case folder.
    pub case_name: String,
    pub investigator: String,
    pub purpose: String,
    pub rooms: usize,
    pub messages: i64,
    pub people: usize,
    /// The import the counts and search results lag, if any.
    pub pending_import: Option<PendingImport>,
}

/// An open case being browsed.
pub struct Browser {
    pub session: Session,
    pub case_dir: PathBuf,
    pub header: CaseHeader,
    /// Accounts by account ID, for names in notation.
    pub names: HashMap<String, AccountLabel>,
    /// Every room, for opening one by key.
    pub rooms: Vec<RoomSummary>,
    pub screens: Vec<Screen>,
    searcher: Searcher,
    recorder: Option<Recorder>,
    /// The reason the case cannot be written to, when `recorder` is `None`.
    recorder_error: Option<String>,
    /// The export running on its worker thread, if any.
    pub export: Option<ExportRun>,
    /// Generation of the newest search request.
    generation: u64,
    /// Searches whose first page was recorded in the audit log.
    recorded_generation: u64,
    /// When the state of a pending import was last checked.
    pending_checked: Instant,
}

/// Time between two checks of an import the case lags.
const PENDING_CHECK: Duration = Duration::from_secs(1);

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("case_dir", &self.case_dir)
            .field("screens", &self.screens.len())
            .finish_non_exhaustive()
    }
}

impl Browser {
    pub fn open(case_dir: &Path, env: &Env, searcher: Searcher) -> anyhow::Result<Browser> {
        let session = Session::open_for_browsing(case_dir, env.settings.zone, env.settings.lang)?;
        let rooms = session
            .reader
            .rooms(crate::query::read::RoomSort::LastActivity)?;
        let names = session.reader.account_names()?;
        let (recorder, recorder_error) = match Recorder::open(case_dir) {
            Ok(recorder) => (Some(recorder), None),
            Err(error) => (None, Some(format!("{error:#}"))),
        };
        let info = match &recorder {
            Some(recorder) => recorder.case().info().ok(),
            None => None,
        };
        let header = CaseHeader {
            case_name: case_dir
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| case_dir.to_string_lossy().into_owned()),
            investigator: info
                .as_ref()
                .map(|info| info.investigator.clone())
                .unwrap_or_default(),
            purpose: info.map(|info| info.purpose).unwrap_or_default(),
            rooms: rooms.len(),
            messages: rooms.iter().map(|room| room.messages).sum(),
            people: names.len(),
            pending_import: session.pending_import,
        };
        let mut browser = Browser {
            session,
            case_dir: case_dir.to_path_buf(),
            header,
            names,
            screens: vec![Screen::Rooms(RoomsState::new(rooms.clone()))],
            rooms,
            searcher,
            recorder,
            recorder_error,
            export: None,
            generation: 0,
            recorded_generation: 0,
            pending_checked: Instant::now(),
        };
        browser.relayout(env);
        Ok(browser)
    }

    pub fn context(&self) -> Context {
        self.screens.last().map_or(Context::Rooms, Screen::context)
    }

    pub fn recorder(&self) -> anyhow::Result<&Recorder> {
        match &self.recorder {
            Some(recorder) => Ok(recorder),
            None => anyhow::bail!(
                "the case cannot be written to: {}",
                self.recorder_error.as_deref().unwrap_or("unknown reason")
            ),
        }
    }

    /// True while a search request has no reply yet.
    pub fn searching(&self) -> bool {
        self.screens.iter().any(|screen| match screen {
            Screen::Search(state) => {
                state.live == LiveCount::Counting
                    || state
                        .results
                        .as_ref()
                        .is_some_and(|results| results.loading)
            }
            _ => false,
        })
    }

    /// Lays every screen out again for a new terminal size.
    pub fn relayout(&mut self, env: &Env) {
        let ui = ui(&self.names, env);
        for screen in &mut self.screens {
            match screen {
                Screen::Rooms(state) => {
                    let height = screens::rooms::visible_rows(env.area);
                    state.cursor.keep_visible(state.shown_len(), height);
                }
                Screen::Timeline(state) => state.resize(env.area, &ui),
                Screen::Detail(state) => state.resize(env.area, &ui),
                Screen::Participants(state) => {
                    let len = state.len();
                    state
                        .cursor
                        .keep_visible(len, screens::participants::visible_rows(env.area));
                }
                Screen::People(state) => {
                    let len = state.len();
                    state
                        .cursor
                        .keep_visible(len, screens::people::visible_rows(env.area));
                }
                Screen::PersonMessages(state) => {
                    let height = screens::person::visible_rows(env.area);
                    let _ = state.move_by(&self.session.reader, 0, height, &self.names);
                }
                Screen::Changes(state) => {
                    let height = screens::changes::visible_rows(env.area);
                    let len = state.len();
                    state.cursor.keep_visible(len, height);
                    let _ = state.prepare(&self.session.reader, height, &self.names);
                }
                Screen::Search(state) => {
                    let len = state.hit_count();
                    state
                        .cursor
                        .keep_visible(len, screens::search::visible_rows(env.area));
                }
            }
        }
    }

    /// Applies one action to the top screen.
    pub fn update(
        &mut self,
        action: Action,
        overlay: &mut Overlay,
        env: &Env,
    ) -> anyhow::Result<Option<Status>> {
        let lang = env.settings.lang;
        match action {
            Action::ToggleHelp => {
                *overlay = Overlay::Help {
                    context: self.context(),
                    scroll: 0,
                    under: None,
                };
                return Ok(None);
            }
            Action::ShowRooms => {
                self.screens.truncate(1);
                return Ok(None);
            }
            Action::ShowPeople => {
                self.screens.truncate(1);
                let people = self.session.reader.people(false)?;
                self.screens
                    .push(Screen::People(PeopleState::new(people, false)));
                return Ok(None);
            }
            Action::ShowChanges => {
                self.screens.truncate(1);
                self.push_changes(ChangeSort::Time, env)?;
                return Ok(None);
            }
            Action::ShowSearch => {
                self.show_search();
                return Ok(None);
            }
            Action::Back => {
                if self.screens.len() > 1 {
                    self.screens.pop();
                    return Ok(None);
                }
                return Ok(Some(Status::info(
                    lang.pick("q で終了します", "press q to quit"),
                )));
            }
            Action::Tag | Action::ToggleStar | Action::Note | Action::BulkTag => {
                return overlay::start_annotation(self, action, overlay, env);
            }
            Action::Export => return super::export_dialog::open(self, overlay, env),
            Action::NextHit => return self.step_hit(1, env),
            Action::PreviousHit => return self.step_hit(-1, env),
            _ => {}
        }
        match self.screens.last().map(Screen::context) {
            Some(Context::Rooms | Context::RoomsFilter) => self.rooms_action(action, env),
            Some(Context::Timeline) => self.timeline_action(action, overlay, env),
            Some(Context::Detail) => self.detail_action(action),
            Some(Context::Participants) => self.participants_action(action, env),
            Some(Context::People) => self.people_action(action, env),
            Some(Context::PersonMessages) => self.person_action(action, env),
            Some(Context::Changes) => self.changes_action(action, env),
            Some(Context::Search | Context::SearchInput) => self.search_action(action, env),
            _ => Ok(None),
        }
    }

    fn rooms_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::rooms::visible_rows(env.area);
        let Some(Screen::Rooms(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let len = state.shown_len();
        if state.filter_focused {
            match action {
                Action::Edit(edit) if state.filter.apply(&edit) => state.refresh(height),
                Action::Paste(text) => {
                    state.filter.apply(&Edit::Insert(text));
                    state.refresh(height);
                }
                Action::Submit
                | Action::Cancel
                | Action::FocusNext
                | Action::FocusPrevious
                | Action::Down => {
                    state.filter_focused = false;
                }
                _ => {}
            }
            return Ok(None);
        }
        match action {
            Action::Up => state.cursor.move_by(-1, len, height),
            Action::Down => state.cursor.move_by(1, len, height),
            Action::PageUp => state.cursor.move_by(-(height as isize), len, height),
            Action::PageDown => state.cursor.move_by(height as isize, len, height),
            Action::HalfPageUp => state.cursor.move_by(-(height as isize / 2), len, height),
            Action::HalfPageDown => state.cursor.move_by(height as isize / 2, len, height),
            Action::Top => state.cursor.select(0, len, height),
            Action::Bottom => state.cursor.select(len.saturating_sub(1), len, height),
            Action::ScrollUp => state.cursor.scroll_by(-3, len, height),
            Action::ScrollDown => state.cursor.scroll_by(3, len, height),
            Action::FocusFilter | Action::FocusNext | Action::FocusPrevious => {
                state.filter_focused = true
            }
            Action::CycleSort => state.cycle_sort(height),
            Action::ReverseSort => state.reverse(height),
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                let names = &self.names;
                let hit = state.click(env.area, column, row, &ui(names, env));
                if hit && before == state.cursor.selected {
                    return self.rooms_action(Action::Open, env);
                }
            }
            Action::Open => {
                if let Some(room) = state.selected_room().cloned() {
                    self.open_room(room, Anchor::End, None, env)?;
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Opens a room's timeline at `anchor` and records it in the audit log.
    fn open_room(
        &mut self,
        room: RoomSummary,
        anchor: Anchor,
        hit: Option<i64>,
        env: &Env,
    ) -> anyhow::Result<()> {
        let ui = ui(&self.names, env);
        let mut timeline = TimelineState::open(&self.session.reader, room, anchor, env.area, &ui)?;
        timeline.hit = hit;
        self.recorder()?.opened_room(&timeline.room)?;
        self.screens.push(Screen::Timeline(Box::new(timeline)));
        Ok(())
    }

    /// Opens the room of a message with the message selected.
    pub fn open_message_in_room(
        &mut self,
        msg_key: i64,
        env: &Env,
    ) -> anyhow::Result<Option<Status>> {
        let lang = env.settings.lang;
        let Some((room_key, position)) = self.session.reader.room_position_of(msg_key)? else {
            return Ok(Some(Status::error(
                lang.pick("メッセージが見つかりません", "message not found"),
            )));
        };
        let Some(room) = self
            .rooms
            .iter()
            .find(|room| room.room_key == room_key)
            .cloned()
        else {
            return Ok(Some(Status::error(
                lang.pick("ルームが見つかりません", "room not found"),
            )));
        };
        let message = self
            .session
            .reader
            .messages_by_keys(&[msg_key])?
            .into_iter()
            .next()
            .context("reading the message")?;
        let anchor = Anchor::Message {
            sent_at: message.sent_at,
            msg_key,
            position,
        };
        self.open_room(room, anchor, Some(msg_key), env)?;
        Ok(None)
    }

    fn timeline_action(
        &mut self,
        action: Action,
        overlay: &mut Overlay,
        env: &Env,
    ) -> anyhow::Result<Option<Status>> {
        let lang = env.settings.lang;
        let reader = &self.session.reader;
        let ui = ui(&self.names, env);
        let Some(Screen::Timeline(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        match action {
            Action::Up => state.move_by(reader, -1, &ui)?,
            Action::Down => state.move_by(reader, 1, &ui)?,
            Action::PageUp => {
                let page = state.visible_count(&ui);
                state.move_by(reader, -page, &ui)?;
            }
            Action::PageDown => {
                let page = state.visible_count(&ui);
                state.move_by(reader, page, &ui)?;
            }
            Action::HalfPageUp => {
                let page = (state.visible_count(&ui) / 2).max(1);
                state.move_by(reader, -page, &ui)?;
            }
            Action::HalfPageDown => {
                let page = (state.visible_count(&ui) / 2).max(1);
                state.move_by(reader, page, &ui)?;
            }
            Action::Top => state.jump(reader, Anchor::Start, &ui)?,
            Action::Bottom => state.jump(reader, Anchor::End, &ui)?,
            Action::ScrollUp => state.scroll_by(reader, -3, &ui)?,
            Action::ScrollDown => state.scroll_by(reader, 3, &ui)?,
            Action::Click { row, .. } => {
                let before = state.selected;
                if state.click(row, &ui) && before == state.selected {
                    return self.timeline_action(Action::Open, overlay, env);
                }
            }
            Action::JumpToDate => *overlay = Overlay::date_prompt(),
            Action::ShowParticipants => {
                let room = state.room.clone();
                let participants = reader.participants(room.room_key)?;
                self.screens
                    .push(Screen::Participants(ParticipantsState::new(
                        room,
                        participants,
                    )));
            }
            Action::Open => {
                if let Some(key) = state.selected_message().map(|message| message.msg_key) {
                    self.push_detail(key, env)?;
                }
            }
            Action::JumpToReply => {
                let Some(target) = state
                    .selected_layout()
                    .and_then(|layout| layout.replies.first())
                    .cloned()
                else {
                    return Ok(Some(Status::info(lang.pick(
                        "このメッセージは返信ではありません",
                        "this message is not a reply",
                    ))));
                };
                let room_id = target
                    .room_id
                    .clone()
                    .unwrap_or_else(|| state.room.room_id.clone());
                let found = match &target.message_id {
                    Some(message_id) => reader.find_message(&room_id, message_id)?,
                    None => None,
                };
                let Some(msg_key) = found else {
                    return Ok(Some(Status::error(lang.pick(
                        "返信先のメッセージはこのケースにありません",
                        "the replied message is not in this case",
                    ))));
                };
                let Some((room_key, position)) = reader.room_position_of(msg_key)? else {
                    return Ok(None);
                };
                if room_key == state.room.room_key {
                    let message = reader.messages_by_keys(&[msg_key])?;
                    if let Some(message) = message.first() {
                        state.jump(
                            reader,
                            Anchor::Message {
                                sent_at: message.sent_at,
                                msg_key,
                                position,
                            },
                            &ui,
                        )?;
                        state.hit = Some(msg_key);
                    }
                } else {
                    return self.open_message_in_room(msg_key, env);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Jumps the top timeline to the first message at or after `unix`.
    pub fn jump_to_time(&mut self, unix: i64, env: &Env) -> anyhow::Result<Option<Status>> {
        let lang = env.settings.lang;
        let reader = &self.session.reader;
        let ui = ui(&self.names, env);
        let Some(Screen::Timeline(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let position = reader.room_position_at(state.room.room_key, unix)?;
        if position >= state.total {
            state.jump(reader, Anchor::End, &ui)?;
            return Ok(Some(Status::info(lang.pick(
                "その日時より後のメッセージはありません。最後のメッセージを表示します",
                "no message at or after that time; showing the last one",
            ))));
        }
        state.jump(reader, Anchor::Time { unix, position }, &ui)?;
        Ok(None)
    }

    fn push_detail(&mut self, msg_key: i64, env: &Env) -> anyhow::Result<()> {
        let detail = self
            .session
            .reader
            .message_detail(msg_key)?
            .context("the message is no longer in the case")?;
        let ui = ui(&self.names, env);
        let state = DetailState::new(detail, env.area, &ui);
        self.screens.push(Screen::Detail(Box::new(state)));
        Ok(())
    }

    fn detail_action(&mut self, action: Action) -> anyhow::Result<Option<Status>> {
        let Some(Screen::Detail(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let page = state.page();
        match action {
            Action::Up => state.scroll_by(-1),
            Action::Down => state.scroll_by(1),
            Action::PageUp => state.scroll_by(-page),
            Action::PageDown => state.scroll_by(page),
            Action::HalfPageUp => state.scroll_by(-page / 2),
            Action::HalfPageDown => state.scroll_by(page / 2),
            Action::Top => state.scroll = 0,
            Action::Bottom => state.scroll_by(isize::MAX / 2),
            Action::ScrollUp => state.scroll_by(-3),
            Action::ScrollDown => state.scroll_by(3),
            _ => {}
        }
        Ok(None)
    }

    fn participants_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::participants::visible_rows(env.area);
        let Some(Screen::Participants(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let len = state.len();
        if move_list(&mut state.cursor, &action, len, height) {
            return Ok(None);
        }
        match action {
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                if state.click(env.area, column, row) && before == state.cursor.selected {
                    return self.participants_action(Action::Open, env);
                }
            }
            Action::Open => {
                if let Some(person) = state.selected().map(|p| p.account.clone()) {
                    self.open_person(person, env)?;
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn people_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::people::visible_rows(env.area);
        let Some(Screen::People(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let len = state.len();
        if move_list(&mut state.cursor, &action, len, height) {
            return Ok(None);
        }
        match action {
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                if state.click(env.area, column, row) && before == state.cursor.selected {
                    return self.people_action(Action::Open, env);
                }
            }
            Action::ToggleResignedFirst => {
                let resigned_first = !state.resigned_first;
                let people = self.session.reader.people(resigned_first)?;
                state.reorder(people, resigned_first, height);
            }
            Action::Open => {
                if let Some(person) = state.selected().map(|p| p.account.clone()) {
                    self.open_person(person, env)?;
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Opens a person's messages and records it in the audit log.
    fn open_person(&mut self, person: AccountLabel, env: &Env) -> anyhow::Result<()> {
        let height = screens::person::visible_rows(env.area);
        let state = PersonMessagesState::open(&self.session.reader, person, height, &self.names)?;
        self.recorder()?.opened_person(&state.person)?;
        self.screens.push(Screen::PersonMessages(state));
        Ok(())
    }

    fn person_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::person::visible_rows(env.area);
        let reader = &self.session.reader;
        let names = &self.names;
        let Some(Screen::PersonMessages(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let total = usize::try_from(state.total).unwrap_or(0);
        let page = height as isize;
        match action {
            Action::Up => state.move_by(reader, -1, height, names)?,
            Action::Down => state.move_by(reader, 1, height, names)?,
            Action::PageUp => state.move_by(reader, -page, height, names)?,
            Action::PageDown => state.move_by(reader, page, height, names)?,
            Action::HalfPageUp => state.move_by(reader, -page / 2, height, names)?,
            Action::HalfPageDown => state.move_by(reader, page / 2, height, names)?,
            Action::Top => state.move_by(reader, -(total as isize), height, names)?,
            Action::Bottom => state.move_by(reader, total as isize, height, names)?,
            Action::ScrollUp => state.scroll_by(reader, -3, height, names)?,
            Action::ScrollDown => state.scroll_by(reader, 3, height, names)?,
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                if state.click(env.area, column, row) {
                    state.move_by(reader, 0, height, names)?;
                    if before == state.cursor.selected {
                        return self.person_action(Action::Open, env);
                    }
                }
            }
            Action::Open => {
                if let Some(key) = state.selected().map(|message| message.msg_key) {
                    return self.open_message_in_room(key, env);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn push_changes(&mut self, sort: ChangeSort, env: &Env) -> anyhow::Result<()> {
        let state = ChangesState::open(
            &self.session.reader,
            sort,
            screens::changes::visible_rows(env.area),
            &self.names,
        )?;
        self.screens.push(Screen::Changes(state));
        Ok(())
    }

    fn changes_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::changes::visible_rows(env.area);
        let reader = &self.session.reader;
        let Some(Screen::Changes(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        let len = state.len();
        if move_list(&mut state.cursor, &action, len, height) {
            state.prepare(reader, height, &self.names)?;
            return Ok(None);
        }
        match action {
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                if state.click(env.area, column, row) && before == state.cursor.selected {
                    return self.changes_action(Action::Open, env);
                }
            }
            Action::CycleSort => {
                let sort = ChangesState::next_sort(state.sort);
                self.screens.pop();
                self.push_changes(sort, env)?;
            }
            Action::Open => {
                if let Some(key) = state.selected().map(|message| message.msg_key) {
                    self.push_detail(key, env)?;
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Shows the search screen, reusing the one on the stack if there is one.
    fn show_search(&mut self) {
        if let Some(index) = self
            .screens
            .iter()
            .position(|screen| matches!(screen, Screen::Search(_)))
        {
            self.screens.truncate(index + 1);
        } else {
            self.screens.push(Screen::Search(Box::default()));
        }
        if let Some(Screen::Search(state)) = self.screens.last_mut() {
            state.input_focused = true;
        }
    }

    fn search_options(order: SortOrder) -> SearchOptions {
        SearchOptions {
            order,
            ..SearchOptions::default()
        }
    }

    fn search_action(&mut self, action: Action, env: &Env) -> anyhow::Result<Option<Status>> {
        let height = screens::search::visible_rows(env.area);
        let Some(Screen::Search(state)) = self.screens.last_mut() else {
            return Ok(None);
        };
        if state.input_focused {
            let changed = match action {
                Action::Edit(edit) => state.input.apply(&edit),
                Action::Paste(text) => state.input.apply(&Edit::Insert(text)),
                Action::Submit => {
                    self.run_search();
                    return Ok(None);
                }
                Action::Cancel => {
                    if state.results.is_some() {
                        state.input_focused = false;
                    } else {
                        self.screens.pop();
                    }
                    return Ok(None);
                }
                Action::Down | Action::FocusNext | Action::FocusPrevious => {
                    if state.results.is_some() {
                        state.input_focused = false;
                    }
                    return Ok(None);
                }
                Action::Click { column, row } => {
                    state.click(env.area, column, row);
                    return Ok(None);
                }
                _ => false,
            };
            if changed {
                self.request_count();
            }
            return Ok(None);
        }
        let len = state.hit_count();
        if move_list(&mut state.cursor, &action, len, height) {
            self.request_more(height);
            return Ok(None);
        }
        match action {
            Action::FocusFilter | Action::FocusNext | Action::FocusPrevious => {
                state.input_focused = true
            }
            Action::CycleSearchOrder => {
                state.order = match state.order {
                    SortOrder::Newest => SortOrder::Oldest,
                    SortOrder::Oldest => SortOrder::Relevance,
                    SortOrder::Relevance => SortOrder::Newest,
                };
                if state.results.is_some() {
                    self.run_search();
                }
            }
            Action::Click { column, row } => {
                let before = state.cursor.selected;
                if state.click(env.area, column, row) && before == state.cursor.selected {
                    return self.search_action(Action::Open, env);
                }
            }
            Action::Open => {
                if let Some(key) = state.selected_hit().map(|hit| hit.message.msg_key) {
                    return self.open_message_in_room(key, env);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    fn search_state(&mut self) -> Option<&mut SearchState> {
        self.screens
            .iter_mut()
            .rev()
            .find_map(|screen| match screen {
                Screen::Search(state) => Some(state.as_mut()),
                _ => None,
            })
    }

    /// Asks for the live count of the text in the search box.
    fn request_count(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let Some(state) = self.search_state() else {
            return;
        };
        let text = state.input.text().to_string();
        let options = Self::search_options(state.order);
        state.count_generation = generation;
        if text.trim().is_empty() {
            state.live = LiveCount::Empty;
            state.errors.clear();
            return;
        }
        state.live = LiveCount::Counting;
        let request = SearchRequest::Count {
            generation,
            text,
            options,
        };
        self.searcher.submit(request, &self.session);
    }

    /// Runs the query in the box and moves the focus to the results.
    fn run_search(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let Some(state) = self.search_state() else {
            return;
        };
        let text = state.input.text().trim().to_string();
        if text.is_empty() {
            return;
        }
        let options = Self::search_options(state.order);
        state.page_generation = generation;
        state.results = Some(Results {
            query: text.clone(),
            total: 0,
            hits: Vec::new(),
            loading: true,
            error: None,
        });
        state.cursor = Default::default();
        state.input_focused = false;
        let request = SearchRequest::Page {
            generation,
            text,
            options,
            offset: 0,
            limit: screens::search::PAGE,
        };
        self.searcher.submit(request, &self.session);
    }

    /// Asks for the next page when the selection nears the end of the hits read.
    fn request_more(&mut self, height: usize) {
        let Some(state) = self.search_state() else {
            return;
        };
        if !state.wants_more(height) {
            return;
        }
        let options = Self::search_options(state.order);
        let generation = state.page_generation;
        let Some(results) = state.results.as_mut() else {
            return;
        };
        results.loading = true;
        let request = SearchRequest::Page {
            generation,
            text: results.query.clone(),
            options,
            offset: results.hits.len(),
            limit: screens::search::PAGE,
        };
        self.searcher.submit(request, &self.session);
    }

    /// Returns true when the import the case lagged has ended or stopped
    /// since it was last checked. Checks at most once per second.
    pub fn pending_import_changed(&mut self) -> bool {
        let Some(pending) = self.header.pending_import else {
            return false;
        };
        if self.pending_checked.elapsed() < PENDING_CHECK {
            return false;
        }
        self.pending_checked = Instant::now();
        match crate::store::Case::open(&self.case_dir).and_then(|case| case.pending_import()) {
            Ok(now) => now != Some(pending),
            Err(_) => false,
        }
    }

    /// Opens the case again after the import it lagged ended or stopped:
    /// the counts, the room list, names and searches then read the new
    /// state. Returns the status that reports it.
    pub fn reopen(&mut self, env: &Env, searcher: Searcher) -> anyhow::Result<Status> {
        let lang = env.settings.lang;
        let session = Session::open_for_browsing(&self.case_dir, env.settings.zone, lang)?;
        let rooms = session
            .reader
            .rooms(crate::query::read::RoomSort::LastActivity)?;
        self.names = session.reader.account_names()?;
        self.header.rooms = rooms.len();
        self.header.messages = rooms.iter().map(|room| room.messages).sum();
        self.header.people = self.names.len();
        self.header.pending_import = session.pending_import;
        if let Some(Screen::Rooms(_)) = self.screens.first() {
            self.screens[0] = Screen::Rooms(RoomsState::new(rooms.clone()));
        }
        self.rooms = rooms;
        self.session = session;
        self.searcher = searcher;
        self.relayout(env);
        Ok(match self.header.pending_import {
            None => Status::info(lang.pick(
                "取り込みが終わりました。件数と検索結果を新しくしました",
                "the import finished; counts and search results are now complete",
            )),
            Some(pending) => Status::error(super::render::pending_import_status(pending, lang)),
        })
    }

    /// Takes in search replies; returns a status when one needs showing.
    pub fn poll_searches(&mut self, env: &Env) -> Option<Status> {
        let height = screens::search::visible_rows(env.area);
        let mut status = None;
        for mut reply in self.searcher.poll() {
            self.fill_empty_snippets(&mut reply);
            let mut record = None;
            let Some(state) = self.search_state() else {
                continue;
            };
            match reply {
                SearchReply::Count {
                    generation,
                    errors,
                    result,
                } => {
                    if generation != state.count_generation {
                        continue;
                    }
                    state.errors = errors;
                    state.live = match result {
                        Ok(count) => LiveCount::Count(count),
                        Err(error) => LiveCount::Failed(error),
                    };
                }
                SearchReply::Page {
                    generation,
                    offset,
                    result,
                } => {
                    if generation != state.page_generation {
                        continue;
                    }
                    let Some(results) = state.results.as_mut() else {
                        continue;
                    };
                    results.loading = false;
                    match result {
                        Ok(page) => {
                            if offset == results.hits.len() {
                                results.total = page.total;
                                results.hits.extend(page.hits);
                            }
                            if offset == 0 {
                                record = Some((results.query.clone(), page.total, generation));
                            }
                        }
                        Err(error) => results.error = Some(error),
                    }
                    let len = state.hit_count();
                    state.cursor.keep_visible(len, height);
                }
            }
            if let Some((query, total, generation)) = record
                && generation > self.recorded_generation
            {
                self.recorded_generation = generation;
                if let Err(error) = self
                    .recorder()
                    .and_then(|recorder| recorder.searched(&query, total))
                {
                    status = Some(Status::error(format!("{error:#}")));
                }
            }
        }
        if self.search_state().is_some() {
            self.request_more(height);
        }
        status
    }

    /// Shows deleted hits of a query of filters only (`from:… is:deleted`)
    /// as the changes list does: `✗` and the text before the deletion. The
    /// engine gives them that text marked as an earlier version, with no
    /// word highlighted.
    fn fill_empty_snippets(&self, reply: &mut SearchReply) {
        let SearchReply::Page {
            result: Ok(page), ..
        } = reply
        else {
            return;
        };
        for hit in &mut page.hits {
            if !hit.message.deleted || !hit.snippet.highlights.is_empty() {
                continue;
            }
            match screens::changes::preview_of(&self.session.reader, &hit.message, &self.names) {
                Ok(preview) => {
                    hit.snippet = crate::query::search::Snippet {
                        text: preview,
                        highlights: Vec::new(),
                    };
                    hit.matched_in = crate::query::search::MatchedIn::None;
                }
                Err(error) => {
                    tracing::warn!(msg_key = hit.message.msg_key, error = %format!("{error:#}"), "no preview for a deleted hit");
                }
            }
        }
    }

    /// Opens the next or previous search hit in its room.
    fn step_hit(&mut self, delta: isize, env: &Env) -> anyhow::Result<Option<Status>> {
        let lang = env.settings.lang;
        let height = screens::search::visible_rows(env.area);
        let Some(index) = self
            .screens
            .iter()
            .position(|screen| matches!(screen, Screen::Search(_)))
        else {
            return Ok(Some(Status::info(lang.pick(
                "検索結果がありません（/ で検索）",
                "no search results (press / to search)",
            ))));
        };
        let Screen::Search(state) = &mut self.screens[index] else {
            return Ok(None);
        };

        let len = state.hit_count();
        if len == 0 {
            return Ok(Some(Status::info(
                lang.pick("検索結果がありません", "no search results"),
            )));
        }
        let before = state.cursor.selected;
        state.cursor.move_by(delta, len, height);
        if state.cursor.selected == before {
            return Ok(Some(Status::info(if delta > 0 {
                lang.pick("最後の検索結果です", "this is the last hit")
            } else {
                lang.pick("最初の検索結果です", "this is the first hit")
            })));
        }

        // The hit opens in place of the screens above the search.
        let key = state.selected_hit().map(|hit| hit.message.msg_key);
        let position = format!(
            "{}/{}",
            state.cursor.selected + 1,
            state.results.as_ref().map_or(0, |r| r.total)
        );
        self.request_more(height);
        self.screens.truncate(index + 1);
        if let Some(key) = key
            && let Some(status) = self.open_message_in_room(key, env)?
        {
            return Ok(Some(status));
        }
        Ok(Some(Status::info(match lang {
            crate::i18n::Lang::Ja => format!("検索結果 {position}"),
            crate::i18n::Lang::En => format!("hit {position}"),
        })))
    }

    /// Returns the message the top screen has selected, for tags, stars and notes.
    pub fn selected_message(&self) -> Option<&MessageView> {
        match self.screens.last()? {
            Screen::Timeline(state) => state.selected_message(),
            Screen::Detail(state) => Some(&state.detail.message),
            Screen::PersonMessages(state) => state.selected(),
            Screen::Changes(state) => state.selected(),
            Screen::Search(state) if !state.input_focused => {
                state.selected_hit().map(|hit| &hit.message)
            }
            _ => None,
        }
    }

    /// Reads a message again after its tags, star or note changed, and
    /// updates every screen that shows it.
    pub fn refresh_message(&mut self, msg_key: i64, env: &Env) -> anyhow::Result<()> {
        let Some(message) = self
            .session
            .reader
            .messages_by_keys(&[msg_key])?
            .into_iter()
            .next()
        else {
            return Ok(());
        };
        let detail = self.session.reader.message_detail(msg_key)?;
        let ui = ui(&self.names, env);
        for screen in &mut self.screens {
            match screen {
                Screen::Timeline(state) => state.replace_message(message.clone(), &ui),
                Screen::Detail(state) if state.msg_key() == msg_key => {
                    if let Some(detail) = detail.clone() {
                        state.replace(detail, &ui);
                    }
                }
                Screen::Changes(state) => state.replace_message(message.clone()),
                Screen::PersonMessages(state) => state.replace_message(message.clone()),
                Screen::Search(state) => {
                    if let Some(results) = state.results.as_mut() {
                        for hit in &mut results.hits {
                            if hit.message.msg_key == msg_key {
                                hit.message = message.clone();
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Returns the keys and query of every result of the current search.
    pub fn all_result_keys(&self) -> anyhow::Result<Option<(Vec<i64>, String)>> {
        let Some(Screen::Search(state)) = self.screens.last() else {
            return Ok(None);
        };
        let Some(results) = &state.results else {
            return Ok(None);
        };
        let query = self.session.parse(&results.query);
        let keys = self
            .session
            .matching_keys(&query, Self::search_options(state.order))?;
        Ok(Some((keys, results.query.clone())))
    }

    pub fn format_count(&self, count: usize) -> String {
        format::count(count as i64)
    }
}

/// Applies a movement action to a list cursor; returns false for any other action.
fn move_list(
    cursor: &mut super::widgets::table::ListCursor,
    action: &Action,
    len: usize,
    height: usize,
) -> bool {
    let page = height.max(1) as isize;
    match action {
        Action::Up => cursor.move_by(-1, len, height),
        Action::Down => cursor.move_by(1, len, height),
        Action::PageUp => cursor.move_by(-page, len, height),
        Action::PageDown => cursor.move_by(page, len, height),
        Action::HalfPageUp => cursor.move_by(-(page / 2).max(1), len, height),
        Action::HalfPageDown => cursor.move_by((page / 2).max(1), len, height),
        Action::Top => cursor.select(0, len, height),
        Action::Bottom => cursor.select(len.saturating_sub(1), len, height),
        Action::ScrollUp => cursor.scroll_by(-3, len, height),
        Action::ScrollDown => cursor.scroll_by(3, len, height),
        _ => return false,
    }
    true
}
