//! A room's timeline: every message, oldest first, with time, sender,
//! rendered notation and edit and deletion marks.
//!
//! A room may hold a million messages, so the screen keeps only a window
//! of a few hundred of them. Positions are indices into the whole
//! timeline (0 is the oldest message). Moving near an edge of the window
//! fetches the next chunk by keyset (`room_messages_after` and
//! `room_messages_before`), whose cost does not grow with the position.
//! Jumps to the start, the end, a date or a message load a new window
//! around their anchor.

use std::collections::{HashMap, VecDeque};

use anyhow::Context as _;
use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Ui, framed};
use crate::query::read::{CaseReader, MessageView, RoomSummary};
use crate::text::notation::ReplyTarget;
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::notation::render_body;
use crate::tui::widgets::text::{clean, fill, paint_line, prefixed};

/// Messages fetched from the case at once.
const CHUNK: i64 = 100;
/// Maximum messages kept in memory. Beyond it the window drops its far end.
const MAX_WINDOW: usize = 500;
/// Messages kept loaded beyond the view on both sides.
const MARGIN: i64 = 60;
/// Maximum rows of a body in the timeline. The detail shows the rest.
const MAX_BODY_ROWS: usize = 30;

/// The anchor of a newly loaded window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
    /// A message with its timeline position.
    Message {
        sent_at: i64,
        msg_key: i64,
        position: i64,
    },
    /// The first message sent at or after `unix`, at `position`.
    Time {
        unix: i64,
        position: i64,
    },
}

/// One message laid out for the current width.
#[derive(Debug, Clone)]
pub struct MessageLayout {
    pub lines: Vec<Line<'static>>,
    pub replies: Vec<ReplyTarget>,
}

#[derive(Debug)]
pub struct TimelineState {
    pub room: RoomSummary,
    /// Messages in the room.
    pub total: i64,
    window: VecDeque<MessageView>,
    /// Position of the first message of `window`.
    window_start: i64,
    pub selected: i64,
    /// Position of the first message drawn.
    pub top: i64,
    /// Rows of the top message hidden above the view. Only the end of a
    /// room uses it, so the last message sits on the bottom row.
    top_skip: usize,
    layouts: HashMap<i64, MessageLayout>,
    /// Area the layouts were made for.
    view: Rect,
    /// A search hit to mark, by message key.
    pub hit: Option<i64>,
}

impl TimelineState {
    /// Opens a room at `anchor`, laid out for the screen `area`.
    pub fn open(
        reader: &CaseReader,
        room: RoomSummary,
        anchor: Anchor,
        area: Rect,
        ui: &Ui<'_>,
    ) -> anyhow::Result<TimelineState> {
        let total = reader
            .room_message_count(room.room_key)
            .context("counting the messages of the room")?;
        let mut state = TimelineState {
            room,
            total,
            window: VecDeque::new(),
            window_start: 0,
            selected: 0,
            top: 0,
            top_skip: 0,
            layouts: HashMap::new(),
            view: message_area(area),
            hit: None,
        };
        state.jump(reader, anchor, ui)?;
        Ok(state)
    }

    /// Builds a timeline from messages already in memory: the whole room.
    pub fn from_messages(
        room: RoomSummary,
        messages: Vec<MessageView>,
        area: Rect,
        ui: &Ui<'_>,
    ) -> TimelineState {
        let mut state = TimelineState {
            total: messages.len() as i64,
            room,
            window: messages.into(),
            window_start: 0,
            selected: 0,
            top: 0,
            top_skip: 0,
            layouts: HashMap::new(),
            view: message_area(area),
            hit: None,
        };
        state.settle(ui);
        state
    }

    fn window_end(&self) -> i64 {
        self.window_start + self.window.len() as i64
    }

    /// Returns the message at a timeline position if it is loaded.
    pub fn message_at(&self, position: i64) -> Option<&MessageView> {
        let index = position.checked_sub(self.window_start)?;
        self.window.get(usize::try_from(index).ok()?)
    }

    pub fn selected_message(&self) -> Option<&MessageView> {
        self.message_at(self.selected)
    }

    pub fn selected_layout(&self) -> Option<&MessageLayout> {
        self.selected_message()
            .and_then(|message| self.layouts.get(&message.msg_key))
    }

    /// Loads a window around `anchor` and selects the anchored message.
    pub fn jump(&mut self, reader: &CaseReader, anchor: Anchor, ui: &Ui<'_>) -> anyhow::Result<()> {
        let room_key = self.room.room_key;
        let half = CHUNK;
        // `position` is the anchor's place in the timeline. The window
        // starts as many messages before it as were read before it.
        let (before, after, position) = match anchor {
            Anchor::Start => (
                Vec::new(),
                reader.room_messages_after(room_key, None, 2 * half)?,
                0,
            ),
            Anchor::End => (
                reader.room_messages_before(room_key, None, 2 * half)?,
                Vec::new(),
                self.total,
            ),
            Anchor::Message {
                sent_at,
                msg_key,
                position,
            } => (
                reader.room_messages_before(room_key, Some((sent_at, msg_key)), half)?,
                reader.room_messages_after(room_key, Some((sent_at, msg_key - 1)), half)?,
                position,
            ),
            Anchor::Time { unix, position } => (
                reader.room_messages_before(room_key, Some((unix, i64::MIN)), half)?,
                reader.room_messages_after(room_key, Some((unix, i64::MIN)), half)?,
                position,
            ),
        };

        self.window_start = (position - before.len() as i64).max(0);
        self.window = before.into_iter().chain(after).collect();
        self.layouts.clear();
        self.selected = position.clamp(0, (self.total - 1).max(0));
        self.top = if anchor == Anchor::End {
            // Fill the view up to the last message.
            self.selected - i64::from(self.view.height)
        } else {
            // A few messages before the anchor give context.
            self.selected - 3
        }
        .max(0);

        self.ensure_window(reader)?;
        self.settle(ui);
        Ok(())
    }

    /// Moves the selection by `delta` messages.
    pub fn move_by(&mut self, reader: &CaseReader, delta: i64, ui: &Ui<'_>) -> anyhow::Result<()> {
        if self.total == 0 {
            return Ok(());
        }
        self.selected = self.selected.saturating_add(delta).clamp(0, self.total - 1);
        self.ensure_window(reader)?;
        self.settle(ui);
        Ok(())
    }

    /// Scrolls the view by `delta` messages, dragging the selection along
    /// when it would leave the view, as a mouse wheel does.
    pub fn scroll_by(
        &mut self,
        reader: &CaseReader,
        delta: i64,
        ui: &Ui<'_>,
    ) -> anyhow::Result<()> {
        if self.total == 0 {
            return Ok(());
        }
        self.top = self.top.saturating_add(delta).clamp(0, self.total - 1);
        self.selected = self.selected.max(self.top);
        self.ensure_window(reader)?;
        let visible = self.visible_count(ui);
        if self.selected >= self.top + visible {
            self.selected = self.top + visible - 1;
        }
        self.ensure_window(reader)?;
        self.settle(ui);
        Ok(())
    }

    /// Returns how many messages from `top` fit in the view, at least one.
    pub fn visible_count(&mut self, ui: &Ui<'_>) -> i64 {
        let height = usize::from(self.view.height);
        let mut used = 0;
        let mut count = 0;
        let mut position = self.top;
        while position < self.window_end() {
            let rows = self.height_of(position, ui);
            if used + rows > height && count > 0 {
                break;
            }
            used += rows;
            count += 1;
            position += 1;
        }
        count.max(1)
    }

    /// Sets the area the timeline is drawn in and lays it out again.
    pub fn resize(&mut self, area: Rect, ui: &Ui<'_>) {
        let view = message_area(area);
        if view != self.view {
            self.view = view;
            self.layouts.clear();
        }
        self.settle(ui);
    }

    /// Lays out the messages again, for example after a tag changed.
    pub fn relayout(&mut self, ui: &Ui<'_>) {
        self.layouts.clear();
        self.settle(ui);
    }

    /// Replaces a loaded message with a fresh copy of it.
    pub fn replace_message(&mut self, message: MessageView, ui: &Ui<'_>) {
        if let Some(slot) = self
            .window
            .iter_mut()
            .find(|m| m.msg_key == message.msg_key)
        {
            self.layouts.remove(&message.msg_key);
            *slot = message;
        }
        self.settle(ui);
    }

    /// Selects the message drawn at screen row `y`; returns true on a hit.
    pub fn click(&mut self, y: u16, ui: &Ui<'_>) -> bool {
        if y < self.view.y || y >= self.view.bottom() {
            return false;
        }
        let mut row = self.view.y;
        let mut position = self.top;
        while position < self.window_end() && row < self.view.bottom() {
            let mut rows = self.height_of(position, ui) as u16;
            if position == self.top {
                rows = rows.saturating_sub(self.top_skip as u16);
            }
            if y < row + rows {
                self.selected = position;
                self.settle(ui);
                return true;
            }
            row += rows;
            position += 1;
        }
        false
    }

    /// Makes sure the messages around the view are loaded.
    fn ensure_window(&mut self, reader: &CaseReader) -> anyhow::Result<()> {
        if self.total == 0 {
            self.window.clear();
            return Ok(());
        }
        let room_key = self.room.room_key;
        let rows = i64::from(self.view.height.max(1));
        let want_start = (self.top.min(self.selected) - MARGIN).max(0);
        let want_end = (self.selected.max(self.top) + rows + MARGIN).min(self.total);
        if self.window.is_empty()
            || want_end <= self.window_start
            || want_start >= self.window_end()
        {
            // No overlap: only positions are known, so read by offset once.
            let messages = reader.room_messages(room_key, want_start, want_end - want_start)?;
            self.window = messages.into();
            self.window_start = want_start;
            self.layouts.clear();
        }
        while self.window_start > want_start {
            let first = &self.window[0];
            let earlier = reader.room_messages_before(
                room_key,
                Some((first.sent_at, first.msg_key)),
                CHUNK,
            )?;
            if earlier.is_empty() {
                break;
            }
            self.window_start -= earlier.len() as i64;
            for message in earlier.into_iter().rev() {
                self.window.push_front(message);
            }
        }
        while self.window_end() < want_end {
            let Some(last) = self.window.back() else {
                break;
            };
            let later =
                reader.room_messages_after(room_key, Some((last.sent_at, last.msg_key)), CHUNK)?;
            if later.is_empty() {
                // The room has fewer messages than counted when it was opened.
                self.total = self.window_end();
                break;
            }
            self.window.extend(later);
        }
        self.trim_window();
        Ok(())
    }

    /// Drops messages far from the selection once the window is too large.
    fn trim_window(&mut self) {
        while self.window.len() > MAX_WINDOW {
            let from_front = self.selected.min(self.top) - self.window_start;
            let from_back = self.window_end() - self.selected.max(self.top);
            let dropped = if from_front > from_back {
                self.window_start += 1;
                self.window.pop_front()
            } else {
                self.window.pop_back()
            };
            if let Some(message) = dropped {
                self.layouts.remove(&message.msg_key);
            }
        }
    }

    /// Clamps positions and scrolls so the selected message is in view.
    fn settle(&mut self, ui: &Ui<'_>) {
        if self.total == 0 {
            self.selected = 0;
            self.top = 0;
            return;
        }
        self.selected = self.selected.clamp(
            self.window_start,
            (self.window_end() - 1).max(self.window_start),
        );
        let height = usize::from(self.view.height);
        // Every message takes at least one row, so a top further up than
        // `height` messages can never show the selection.
        self.top = self
            .top
            .max(self.selected - height as i64)
            .clamp(self.window_start, self.selected);
        loop {
            let rows: usize = (self.top..=self.selected)
                .map(|p| self.height_of(p, ui))
                .sum();
            if rows <= height || self.top >= self.selected {
                break;
            }
            self.top += 1;
        }

        // Lay out what the next draw shows.
        let mut used = 0;
        let mut position = self.top;
        while used < height && position < self.window_end() {
            used += self.height_of(position, ui);
            position += 1;
        }

        // When the room ends above the bottom row, earlier messages fill
        // the view from the top, the first of them cut.
        self.top_skip = 0;
        if used < height && position == self.total {
            while self.top > self.window_start && used < height {
                self.top -= 1;
                used += self.height_of(self.top, ui);
            }
            self.top_skip = used.saturating_sub(height);
        }
    }

    fn height_of(&mut self, position: i64, ui: &Ui<'_>) -> usize {
        let Some(message) = self.message_at(position) else {
            return 1;
        };
        let key = message.msg_key;
        if !self.layouts.contains_key(&key) {
            let layout = layout_message(message, self.view.width, self.view.height, ui);
            self.layouts.insert(key, layout);
        }
        self.layouts[&key].lines.len()
    }
}

/// Returns the area messages are drawn in, inside the frame.
pub fn message_area(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

/// Lays out one message for a view `width` cells wide and `height` rows high.
pub fn layout_message(
    message: &MessageView,
    width: u16,
    height: u16,
    ui: &Ui<'_>,
) -> MessageLayout {
    let lang = ui.settings.lang;
    let mut header = vec![
        Span::styled(
            format::time_with_offset(message.sent_at, ui.settings.zone),
            style::time(),
        ),
        Span::raw(" "),
        Span::styled(
            format::account(&message.sender, lang),
            if message.sender.resigned {
                style::resigned()
            } else {
                style::sender()
            },
        ),
    ];
    header.extend(marks(message, ui));
    let body_width = usize::from(width.saturating_sub(3)).max(1);
    let max_rows = usize::from(height)
        .saturating_sub(2)
        .clamp(1, MAX_BODY_ROWS);
    let body = render_body(&message.body, body_width, max_rows, true, &ui.notation());
    let mut lines = vec![Line::from(header)];
    for line in body.lines {
        lines.push(prefixed(vec![Span::raw("  ")], line));
    }
    if body.truncated {
        lines.push(Line::styled(
            ui.pick(
                "  …（続きは Enter で詳細を表示）",
                "  … (press Enter for the rest)",
            ),
            style::dim(),
        ));
    }
    if message.deleted && message.revisions > 0 {
        lines.push(Line::styled(
            ui.pick(
                "  削除前の内容は Enter で表示",
                "  press Enter for the text before deletion",
            ),
            style::dim(),
        ));
    }
    MessageLayout {
        lines,
        replies: body.replies,
    }
}

/// Returns the marks after the sender: edited, deleted, history, star, tags, note.
pub fn marks(message: &MessageView, ui: &Ui<'_>) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if message.edited {
        spans.push(Span::styled(
            ui.pick(" [編集済]", " [edited]"),
            style::edited(),
        ));
    }
    if message.deleted {
        spans.push(Span::styled(
            ui.pick(" [削除済]", " [deleted]"),
            style::deleted(),
        ));
    }
    if message.revisions > 0 {
        let label = match ui.settings.lang {
            crate::i18n::Lang::Ja => format!(" [履歴 {}]", message.revisions),
            crate::i18n::Lang::En => format!(" [{} earlier]", message.revisions),
        };
        spans.push(Span::styled(label, style::edited()));
    }
    if message.starred {
        spans.push(Span::styled(" ★", style::mention()));
    }
    for tag in &message.tags {
        spans.push(Span::styled(format!(" #{}", clean(tag)), style::task()));
    }
    if message.note.is_some() {
        spans.push(Span::styled(ui.pick(" [メモ]", " [note]"), style::task()));
    }
    spans
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &TimelineState, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let position = if state.total == 0 {
        String::new()
    } else {
        format!(
            " {}/{}",
            format::count(state.selected + 1),
            format::count(state.total)
        )
    };
    let title = Line::from(vec![
        Span::styled(clean(&state.room.display_name(lang)), style::title()),
        Span::styled(
            format!(" ({})", format::room_type(state.room.room_type, lang)),
            style::dim(),
        ),
        Span::raw(position),
    ]);
    let inner = framed(buf, area, &title, true, ui);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if state.total == 0 {
        let empty = Line::styled(
            ui.pick("メッセージはありません", "No messages"),
            style::dim(),
        );
        paint_line(
            buf,
            inner.x,
            inner.y,
            inner.width,
            &empty,
            ui.settings.ambiguous,
        );
        return;
    }
    let mut y = inner.y;
    let mut position = state.top;
    while y < inner.bottom() {
        let Some(message) = state.message_at(position) else {
            break;
        };
        let computed;
        let layout = match state.layouts.get(&message.msg_key) {
            Some(layout) => layout,
            None => {
                computed = layout_message(message, inner.width, inner.height, ui);
                &computed
            }
        };
        let selected = position == state.selected;
        let is_hit = state.hit == Some(message.msg_key);
        let hidden = if position == state.top {
            state.top_skip
        } else {
            0
        };
        for (index, line) in layout.lines.iter().enumerate().skip(hidden) {
            if y >= inner.bottom() {
                break;
            }
            let gutter = if selected {
                style::selected()
            } else if is_hit {
                style::hit()
            } else {
                Style::new()
            };
            fill(buf, inner.x, y, 1, gutter);
            let mut line = line.clone();
            if index == 0 && selected {
                fill(
                    buf,
                    inner.x + 1,
                    y,
                    inner.width - 1,
                    style::selected_unfocused(),
                );
                line.style = style::selected_unfocused();
            }
            paint_line(
                buf,
                inner.x + 1,
                y,
                inner.width - 1,
                &line,
                ui.settings.ambiguous,
            );
            y += 1;
        }
        position += 1;
    }
}
