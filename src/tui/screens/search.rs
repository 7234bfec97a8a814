//! The search screen: a query box with a live count while typing, and the
//! results across rooms with room, time, sender and highlighted snippet.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::changes::row_marks;
use super::{Ui, framed, list_height};
use crate::query::search::{Hit, MatchedIn, SortOrder};
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::input::TextInput;
use crate::tui::widgets::table::{Column, ListCursor, TableView, draw_table};
use crate::tui::widgets::text::{clean, fill, paint_line};

/// Results read per request.
pub const PAGE: usize = 200;

/// The count shown while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveCount {
    /// Nothing typed.
    Empty,
    /// A count was requested and has not come back yet.
    Counting,
    Count(u64),
    Failed(String),
}

/// Results of a submitted query.
#[derive(Debug)]
pub struct Results {
    pub query: String,
    pub total: u64,
    /// Hits read so far, from the first.
    pub hits: Vec<Hit>,
    /// A page was requested and has not come back yet.
    pub loading: bool,
    pub error: Option<String>,
}

#[derive(Debug)]
pub struct SearchState {
    pub input: TextInput,
    pub input_focused: bool,
    pub order: SortOrder,
    pub live: LiveCount,
    /// Mistakes the parser found in the typed query.
    pub errors: Vec<String>,
    pub results: Option<Results>,
    pub cursor: ListCursor,
    /// Generation of the newest count and page requests; older replies are dropped.
    pub count_generation: u64,
    pub page_generation: u64,
}

impl SearchState {
    pub fn new() -> SearchState {
        SearchState {
            input: TextInput::default(),
            input_focused: true,
            order: SortOrder::Newest,
            live: LiveCount::Empty,
            errors: Vec::new(),
            results: None,
            cursor: ListCursor::default(),
            count_generation: 0,
            page_generation: 0,
        }
    }

    pub fn hit_count(&self) -> usize {
        self.results
            .as_ref()
            .map_or(0, |results| results.hits.len())
    }

    pub fn selected_hit(&self) -> Option<&Hit> {
        self.results
            .as_ref()
            .and_then(|results| results.hits.get(self.cursor.selected))
    }

    /// True when the selection is near the end of the hits read so far and
    /// more exist.
    pub fn wants_more(&self, height: usize) -> bool {
        self.results.as_ref().is_some_and(|results| {
            !results.loading
                && results.error.is_none()
                && (results.hits.len() as u64) < results.total
                && self.cursor.selected + height * 2 >= results.hits.len()
        })
    }

    /// Selects the row at screen row `y`, or focuses the box; returns true
    /// when a result row was clicked.
    pub fn click(&mut self, area: Rect, x: u16, y: u16) -> bool {
        let inner = inner(area);
        if y == inner.y && inner.contains(Position::new(x, y)) {
            self.input_focused = true;
            return false;
        }
        let table = table_area(area);
        if !table.contains(Position::new(x, y)) || y == table.y {
            return false;
        }
        let len = self.hit_count();
        match self.cursor.row_at(usize::from(y - table.y - 1), len) {
            Some(index) => {
                self.cursor.select(index, len, visible_rows(area));
                self.input_focused = false;
                true
            }
            None => false,
        }
    }
}

impl Default for SearchState {
    fn default() -> Self {
        SearchState::new()
    }
}

fn inner(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

fn table_area(area: Rect) -> Rect {
    let inner = inner(area);
    Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    }
}

/// Returns the rows the result list shows in the screen `area`.
pub fn visible_rows(area: Rect) -> usize {
    list_height(table_area(area).height)
}

/// Splits a snippet into spans with the highlighted byte ranges marked.
/// Ranges that are out of bounds or not on character boundaries are
/// ignored rather than trusted, so no input can make slicing panic.
pub fn highlighted(text: &str, highlights: &[Range<usize>], base: Style) -> Vec<Span<'static>> {
    let flat = text.replace(['\n', '\r'], " ");
    let mut spans = Vec::new();
    let mut position = 0;
    for range in highlights {
        let valid = range.start >= position
            && range.start < range.end
            && range.end <= flat.len()
            && flat.is_char_boundary(range.start)
            && flat.is_char_boundary(range.end);
        if !valid {
            continue;
        }
        if range.start > position {
            spans.push(Span::styled(clean(&flat[position..range.start]), base));
        }
        spans.push(Span::styled(clean(&flat[range.clone()]), style::hit()));
        position = range.end;
    }
    if position < flat.len() {
        spans.push(Span::styled(clean(&flat[position..]), base));
    }
    spans
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &SearchState, ui: &Ui<'_>) -> Option<Position> {
    let lang = ui.settings.lang;
    let order = match state.order {
        SortOrder::Newest => ui.pick("新しい順", "newest first"),
        SortOrder::Oldest => ui.pick("古い順", "oldest first"),
        SortOrder::Relevance => ui.pick("関連度順", "by relevance"),
    };
    let mut title = vec![Span::styled(ui.pick("検索", "Search"), style::title())];
    if let Some(results) = &state.results {
        title.push(Span::raw(match lang {
            crate::i18n::Lang::Ja => format!(
                " 「{}」 {} 件 · {order}",
                clean(&results.query),
                format::count(results.total as i64)
            ),
            crate::i18n::Lang::En => format!(
                " \"{}\" {} hits, {order}",
                clean(&results.query),
                format::count(results.total as i64)
            ),
        }));
    }
    let inner = framed(buf, area, &Line::from(title), true, ui);
    if inner.height == 0 {
        return None;
    }

    let label_end = paint_line(
        buf,
        inner.x,
        inner.y,
        inner.width,
        &Line::styled(ui.pick("検索語: ", "Query: "), style::key()),
        ui.settings.ambiguous,
    );
    let count_text = match &state.live {
        LiveCount::Empty => String::new(),
        LiveCount::Counting => ui.pick("数えています…", "counting…").to_string(),
        LiveCount::Count(count) => match lang {
            crate::i18n::Lang::Ja => format!("{} 件", format::count(*count as i64)),
            crate::i18n::Lang::En => format!("{} hits", format::count(*count as i64)),
        },
        LiveCount::Failed(_) => ui.pick("検索できません", "search failed").to_string(),
    };
    let count_width = 16.min(inner.width.saturating_sub(label_end - inner.x));
    let field = Rect::new(
        label_end,
        inner.y,
        inner
            .right()
            .saturating_sub(label_end)
            .saturating_sub(count_width + 1),
        1,
    );
    let field_style = if state.input_focused {
        style::selected_unfocused()
    } else {
        Style::new()
    };
    fill(buf, field.x, field.y, field.width, field_style);
    let caret = state
        .input
        .render(buf, field, field_style, ui.settings.ambiguous);
    let count_x = inner.right().saturating_sub(count_width);
    paint_line(
        buf,
        count_x,
        inner.y,
        count_width,
        &Line::styled(count_text, style::title()),
        ui.settings.ambiguous,
    );

    if inner.height > 1 {
        let second = if let Some(error) = state.errors.first() {
            Line::styled(clean(error), style::error())
        } else if let LiveCount::Failed(error) = &state.live {
            Line::styled(clean(error), style::error())
        } else {
            Line::styled(
                ui.pick(
                    "例: 給料 泥棒  a OR b  -除外  from:名前  room:名前  after:2024-03-01  is:deleted  is:resigned",
                    "e.g. word1 word2  a OR b  -exclude  from:name  room:name  after:2024-03-01  is:deleted  is:resigned",
                ),
                style::dim(),
            )
        };
        paint_line(
            buf,
            inner.x,
            inner.y + 1,
            inner.width,
            &second,
            ui.settings.ambiguous,
        );
    }

    let table = table_area(area);
    let columns = [
        Column::fixed(ui.pick("日時", "Time"), 16),
        Column::fixed(ui.pick("ルーム", "Room"), 14),
        Column::fixed(ui.pick("送信者", "Sender"), 14),
        Column::fixed(ui.pick("印", "!"), 4),
        Column::fill(ui.pick("抜粋", "Snippet")),
    ];
    let rows = match &state.results {
        Some(results) => results
            .hits
            .iter()
            .skip(state.cursor.offset)
            .take(list_height(table.height))
            .map(|hit| hit_row(hit, ui))
            .collect(),
        None => Vec::new(),
    };
    let view = TableView {
        columns: &columns,
        rows,
        selected: state.cursor.selected.checked_sub(state.cursor.offset),
        focused: !state.input_focused,
    };
    draw_table(buf, table, &view, ui.settings.ambiguous);
    if let Some(results) = &state.results {
        let notice = if let Some(error) = &results.error {
            Some(Line::styled(clean(error), style::error()))
        } else if results.total == 0 && !results.loading {
            Some(Line::styled(
                ui.pick("一致するメッセージはありません", "No message matches"),
                style::dim(),
            ))
        } else {
            None
        };
        if let Some(notice) = notice
            && table.height > 1
        {
            fill(buf, table.x, table.y + 1, table.width, Style::new());
            paint_line(
                buf,
                table.x,
                table.y + 1,
                table.width,
                &notice,
                ui.settings.ambiguous,
            );
        }
    }
    caret.filter(|_| state.input_focused)
}

fn hit_row(hit: &Hit, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let message = &hit.message;
    let name_style = if message.sender.resigned {
        style::resigned()
    } else {
        style::sender()
    };
    let mut snippet = Vec::new();
    if hit.matched_in == MatchedIn::History {
        snippet.push(Span::styled(
            ui.pick("[変更前] ", "[earlier] "),
            style::edited(),
        ));
    }
    snippet.extend(highlighted(
        &hit.snippet.text,
        &hit.snippet.highlights,
        Style::new(),
    ));
    vec![
        Line::styled(
            format::short_time(message.sent_at, ui.settings.zone),
            style::time(),
        ),
        Line::raw(clean(&message.room_name)),
        Line::styled(
            format::account(&message.sender, ui.settings.lang),
            name_style,
        ),
        row_marks(message, ui),
        Line::from(snippet),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_covers_exact_bytes() {
        let text = "見本 花子（試験）- 深夜対応";
        let start = text.find('-').unwrap();
        let highlight = start..start + 1;
        let spans = highlighted(text, std::slice::from_ref(&highlight), Style::new());
        let marked: Vec<&str> = spans
            .iter()
            .filter(|span| span.style == style::hit())
            .map(|span| span.content.as_ref())
            .collect();
        assert_eq!(marked, ["-"]);
    }

    #[test]
    fn bad_ranges_are_ignored() {
        let text = "あいう";
        #[allow(clippy::reversed_empty_ranges)]
        let ranges = [1..2, 0..100, 3..3, 6..3];
        for range in ranges {
            let spans = highlighted(text, &[range], Style::new());
            let joined: String = spans.iter().map(|span| span.content.as_ref()).collect();
            assert_eq!(joined, "あいう");
        }
    }

    #[test]
    fn newline_in_snippet_is_a_space() {
        let spans = highlighted("一行目\n二行目", &[], Style::new());
        assert_eq!(spans[0].content, "一行目 二行目");
    }
}
