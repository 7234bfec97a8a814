//! Tests of the whole console on real cases: state tests that feed
//! actions to the app, snapshots of every screen, the text-safety and
//! width cases, and property tests over random text.
//!
//! The sample export is imported once per test process into a template
//! case (real SQLite and tantivy). Tests that only read share one copy of
//! it; tests that write tags, stars, notes or audit entries get a copy of
//! their own.

mod cases;
mod export;
mod properties;
mod snapshots;
mod state;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Rect};
use unicode_width::UnicodeWidthStr;

use super::action::Action;
use super::app::{App, SearchMode};
use super::format::Settings;
use super::render;
use crate::i18n::Lang;
use crate::import;
use crate::store::Case;
use crate::text::width::{AmbiguousWidth, is_ambiguous};

/// Imports `export` into a new case at `case_dir` and builds its index.
pub fn import_case(export: &Path, case_dir: &Path) {
    let (_, case) = import::import_for_tests(export, case_dir);
    case.set_people_and_purpose(Some("調査 太郎"), Some("テスト用の調査"))
        .unwrap();
    crate::cli::import_cmd::sync_index(&case, &mut |_, _| {}).unwrap();
}

/// Copies a case folder (database, index, logs) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

struct Shared {
    _dir: tempfile::TempDir,
    template: PathBuf,
    read_only: PathBuf,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let template = dir.path().join("template");
        import_case(&export, &template);
        let read_only = dir.path().join("sample-case");
        copy_dir(&template, &read_only);
        Shared {
            _dir: dir,
            template,
            read_only,
        }
    })
}

/// Returns the sample case that tests share when they do not write to it.
pub fn sample_case() -> &'static Path {
    &shared().read_only
}

/// Returns a case imported once per test process from a generated export
/// of 15,000 messages in 3 rooms, about 550 of them edited or deleted:
/// more than a list screen loads at once.
pub fn generated_case() -> &'static Path {
    static GENERATED: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, case) = GENERATED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("export");
        let options = crate::generate::Options::new(3, 15_000, 11);
        crate::generate::generate(&export, &options, &mut |_| {}).unwrap();
        let case = dir.path().join("generated-case");
        import_case(&export, &case);
        (dir, case)
    });
    case
}

/// Returns a copy of the sample case for one test that writes to it.
pub fn own_sample_case() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("sample-case");
    copy_dir(&shared().template, &case);
    (dir, case)
}

pub fn settings(lang: Lang, ambiguous: AmbiguousWidth) -> Settings {
    Settings {
        lang,
        zone: chrono_tz::Asia::Tokyo,
        ambiguous,
    }
}

/// Opens `case` in an app of `width` x `height` with searches run inline.
pub fn open_app(case: &Path, width: u16, height: u16, settings: Settings) -> App {
    App::browse(
        case,
        settings,
        Rect::new(0, 0, width, height),
        SearchMode::Inline,
    )
    .unwrap()
}

/// Applies actions in order, polling the search replies after each.
pub fn feed(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        app.update(action);
        app.tick();
    }
}

/// Types text into the focused field, one character per key as a terminal sends it.
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        feed(
            app,
            [Action::Edit(super::widgets::input::Edit::Insert(
                c.to_string(),
            ))],
        );
    }
}

/// Draws the app through a ratatui `Terminal` on a `TestBackend` and
/// returns the frame's buffer and where the cursor was put.
///
/// The frame's buffer is what ratatui diffs and sends, and it still marks
/// the cells the diff skips. The backend's copy contains only the cells it
/// was sent. Both are checked for raw control characters.
pub fn draw(app: &App) -> (Buffer, Option<Position>) {
    let mut terminal = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    let buffer = terminal
        .draw(|frame| render::draw(frame, app))
        .unwrap()
        .buffer
        .clone();
    let sent = all_symbols(terminal.backend().buffer());
    assert!(
        !sent
            .chars()
            .any(|c| c.is_control() || crate::text::sanitize::is_bidi_control(c)),
        "a raw control character reached the terminal"
    );
    let mut scratch = Buffer::empty(app.size);
    let cursor = render::draw_app(&mut scratch, app.size, app);
    if let Some(position) = cursor {
        assert_eq!(terminal.get_cursor_position().unwrap(), position);
    }
    (buffer, cursor)
}

/// Returns the columns a terminal uses for one cluster, as xterm and tmux
/// measure them: wcwidth per character, with ambiguous characters wide
/// when the terminal is set up for CJK. This model is independent of the
/// console's own width code, so the checks below can catch it out.
fn terminal_width(symbol: &str, policy: AmbiguousWidth) -> usize {
    match policy {
        AmbiguousWidth::Narrow => symbol.width(),
        AmbiguousWidth::Wide => {
            // As in Markus Kuhn's wcwidth_cjk, a spacing ambiguous
            // character is wide; a zero-width one (a variation selector,
            // a combining mark) stays zero.
            let cjk = symbol.width_cjk();
            let ambiguous = symbol.chars().next().is_some_and(|c| {
                is_ambiguous(c) && unicode_width::UnicodeWidthChar::width(c) == Some(1)
            });
            if ambiguous { cjk.max(2) } else { cjk }
        }
    }
}

/// Replays how ratatui sends a full buffer to a terminal and checks that
/// no cell is written over a glyph still on screen, and that no row runs
/// past the right edge. Returns the problems found.
pub fn overlaps(buffer: &Buffer, policy: AmbiguousWidth) -> Vec<String> {
    let mut problems = Vec::new();
    let width = usize::from(buffer.area.width);
    for y in 0..buffer.area.height {
        let mut skip_by_ratatui = 0usize;
        let mut terminal_column = 0usize;
        for x in 0..width {
            let cell = &buffer[(x as u16, y)];
            if skip_by_ratatui > 0 {
                skip_by_ratatui -= 1;
                continue;
            }
            if cell.diff_option == CellDiffOption::Skip {
                continue;
            }
            skip_by_ratatui = usize::from(cell.cell_width()).saturating_sub(1);
            if x < terminal_column {
                problems.push(format!(
                    "row {y}: cell {x} {:?} is written over the glyph before it",
                    cell.symbol()
                ));
            }
            terminal_column = x + terminal_width(cell.symbol(), policy).max(1);
        }
        if terminal_column > width {
            problems.push(format!("row {y} runs {terminal_column} columns wide"));
        }
    }
    problems
}

/// Returns the screen as a terminal shows it: one line per row, cells
/// hidden under a wide glyph left out.
pub fn screen_text(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0usize;
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if cell.diff_option == CellDiffOption::Skip {
                continue;
            }
            skip = usize::from(cell.cell_width()).saturating_sub(1);
            out.push_str(cell.symbol());
        }
        out.push('\n');
    }
    out
}

/// Returns every symbol in the buffer, for searching it for raw controls.
pub fn all_symbols(buffer: &Buffer) -> String {
    buffer.content.iter().map(|cell| cell.symbol()).collect()
}

/// Checks that every row of the screen has its right border in the last
/// column and the left border in the first, between the top bar and the
/// status bar.
pub fn assert_borders_in_place(buffer: &Buffer, border: &str) {
    let right = buffer.area.width - 1;
    for y in 2..buffer.area.height - 2 {
        let left_cell = buffer[(0, y)].symbol();
        let right_cell = buffer[(right, y)].symbol();
        assert_eq!(left_cell, border, "left border of row {y}");
        assert_eq!(right_cell, border, "right border of row {y}");
    }
}

/// A terminal screen as xterm and tmux keep it, fed with the cells
/// ratatui's diff sends. Writing into any cell of a wide glyph erases the
/// whole glyph, as those terminals do.
pub struct TerminalModel {
    width: usize,
    policy: AmbiguousWidth,
    /// Per cell: the glyph starting there and its width, or `None` for a
    /// cell covered by the glyph to its left.
    cells: Vec<Vec<Option<(String, usize)>>>,
}

impl TerminalModel {
    pub fn new(width: u16, height: u16, policy: AmbiguousWidth) -> TerminalModel {
        let blank = Some((" ".to_string(), 1));
        TerminalModel {
            width: usize::from(width),
            policy,
            cells: vec![vec![blank; usize::from(width)]; usize::from(height)],
        }
    }

    fn erase_glyph_at(&mut self, x: usize, y: usize) {
        let row = &mut self.cells[y];
        let mut start = x;
        while start > 0 && row[start].is_none() {
            start -= 1;
        }

        let width = row[start].as_ref().map_or(1, |(_, width)| *width);
        for cell in row.iter_mut().skip(start).take(width.max(1)) {
            *cell = Some((" ".to_string(), 1));
        }
    }

    fn is_emoji_tail(&self, x: usize, y: usize) -> bool {
        let row = &self.cells[y];
        let mut start = x;
        while start > 0 && row[start].is_none() {
            start -= 1;
        }
        start < x
            && row[start]
                .as_ref()
                .is_some_and(|(symbol, _)| symbol.contains('\u{FE0F}'))
    }

    /// Applies the cells ratatui sends to go from `previous` to `next`.
    ///
    /// A cell's symbol is written glyph by glyph from its column, the way a
    /// terminal reads the bytes. A grapheme cluster is one glyph, except that
    /// half-width sound marks (ﾞ ﾟ) are glyphs of their own, because
    /// terminals do not combine them with the kana before.
    pub fn apply(&mut self, previous: &Buffer, next: &Buffer) {
        for (x, y, cell) in previous.diff(next) {
            let (mut x, y) = (usize::from(x), usize::from(y));
            let mut last = None;
            for glyph in terminal_glyphs(cell.symbol()) {
                let width = terminal_width(&glyph, self.policy);
                if width == 0 {
                    // A zero-width glyph joins the one before it.
                    if let Some(Some((symbol, _))) =
                        last.map(|start: usize| &mut self.cells[y][start])
                    {
                        symbol.push_str(&glyph);
                    }
                    continue;
                }
                if x >= self.width {
                    continue;
                }
                // ratatui 0.30 sends a blank for the second cell of an emoji
                // with U+FE0F right after the emoji, for terminals that leave
                // that cell stale, and takes the emoji to stay. The model
                // follows it.
                if glyph == " " && self.is_emoji_tail(x, y) {
                    x += 1;
                    continue;
                }
                last = Some(x);
                for covered in x..(x + width).min(self.width) {
                    self.erase_glyph_at(covered, y);
                }
                self.cells[y][x] = Some((glyph, width));
                for covered in x + 1..(x + width).min(self.width) {
                    self.cells[y][covered] = None;
                }
                x += width;
            }
        }
    }

    /// Returns the screen as the terminal shows it, one line per row.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for row in &self.cells {
            for (symbol, _) in row.iter().flatten() {
                out.push_str(symbol);
            }
            out.push('\n');
        }
        out
    }
}

/// Splits a cell's symbol into the glyphs a terminal draws.
fn terminal_glyphs(symbol: &str) -> Vec<String> {
    let mut glyphs = Vec::new();
    for cluster in unicode_segmentation::UnicodeSegmentation::graphemes(symbol, true) {
        let mut glyph = String::new();
        for c in cluster.chars() {
            if matches!(c, '\u{FF9E}' | '\u{FF9F}') && !glyph.is_empty() {
                glyphs.push(std::mem::take(&mut glyph));
            }
            glyph.push(c);
        }
        glyphs.push(glyph);
    }
    glyphs
}

/// Checks that a terminal fed with every frame of `frames` in turn shows
/// exactly the last one, with no glyph left over from an earlier frame.
pub fn assert_no_fragments(frames: &[Buffer], policy: AmbiguousWidth) {
    let Some(first) = frames.first() else {
        return;
    };
    let mut model = TerminalModel::new(first.area.width, first.area.height, policy);
    let mut previous = Buffer::empty(first.area);
    for (index, frame) in frames.iter().enumerate() {
        model.apply(&previous, frame);
        let expected = screen_text(frame);
        let shown = model.text();
        for (row, (shown_row, expected_row)) in shown.lines().zip(expected.lines()).enumerate() {
            assert_eq!(
                shown_row.trim_end(),
                expected_row.trim_end(),
                "frame {index}, row {row}: the terminal kept a fragment\nbefore: {}\nafter:  {}",
                marked_row(&previous, row as u16),
                marked_row(frame, row as u16),
            );
        }
        previous = frame.clone();
    }
}

/// Returns one row of a buffer with each cell's symbol in brackets and
/// its diff option after it, to show what a failing check saw.
fn marked_row(buffer: &Buffer, y: u16) -> String {
    (0..buffer.area.width)
        .map(|x| {
            let cell = &buffer[(x, y)];
            match cell.diff_option {
                CellDiffOption::None => format!("[{}]", cell.symbol()),
                option => format!("[{}]{option:?}", cell.symbol()),
            }
        })
        .collect()
}
