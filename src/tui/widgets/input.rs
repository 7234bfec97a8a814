//! A one-line text field: the search box, the room filter and the prompts.
//!
//! The caret is a byte offset that always sits on a grapheme cluster
//! boundary, so editing never splits a character. The field reports where
//! the caret is drawn, and the frame puts the terminal's real cursor there
//! (`Frame::set_cursor_position`): a Japanese IME anchors its composition
//! window at that cursor. Committed IME text and pasted text arrive as
//! characters or as one string and are inserted exactly once. A line break
//! in them becomes a space, because the field holds one line and a break
//! must never act as Enter.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use unicode_segmentation::UnicodeSegmentation;

use super::text::paint_line;
use crate::text::width::{AmbiguousWidth, display_width, grapheme_width};

/// Maximum length of a field's text, in bytes. It keeps a runaway paste
/// from making every keystroke slow.
pub const MAX_INPUT_BYTES: usize = 4096;

/// An editing operation on a text field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Insert(String),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Deletes from the start of the field to the caret.
    ClearToStart,
    /// Deletes from the caret to the end of the field.
    ClearToEnd,
    /// Deletes the word before the caret.
    DeleteWord,
}

/// The text and caret of a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    caret: usize,
}

impl TextInput {
    /// Creates a field holding `text` with the caret at its end.
    pub fn with_text(text: &str) -> TextInput {
        let mut input = TextInput::default();
        input.insert(text);
        input
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Returns the caret as a byte offset into [`TextInput::text`].
    pub fn caret(&self) -> usize {
        self.caret
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Applies one edit; returns true when the text changed.
    pub fn apply(&mut self, edit: &Edit) -> bool {
        let before = self.text.len();
        match edit {
            Edit::Insert(text) => return self.insert(text),
            Edit::Backspace => {
                if let Some(start) = self.previous_boundary() {
                    self.text.replace_range(start..self.caret, "");
                    self.caret = start;
                }
            }
            Edit::Delete => {
                if let Some(end) = self.next_boundary() {
                    self.text.replace_range(self.caret..end, "");
                }
            }
            Edit::Left => self.caret = self.previous_boundary().unwrap_or(self.caret),
            Edit::Right => self.caret = self.next_boundary().unwrap_or(self.caret),
            Edit::Home => self.caret = 0,
            Edit::End => self.caret = self.text.len(),
            Edit::ClearToStart => {
                self.text.replace_range(..self.caret, "");
                self.caret = 0;
            }
            Edit::ClearToEnd => self.text.truncate(self.caret),
            Edit::DeleteWord => {
                let head = &self.text[..self.caret];
                let trimmed = head.trim_end();
                let start = trimmed
                    .char_indices()
                    .rev()
                    .find(|(_, c)| c.is_whitespace())
                    .map_or(0, |(index, c)| index + c.len_utf8());
                self.text.replace_range(start..self.caret, "");
                self.caret = start;
            }
        }
        self.text.len() != before
    }

    /// Inserts text at the caret. Line breaks and tabs become spaces and
    /// other control characters are dropped. Returns true when anything
    /// was inserted.
    fn insert(&mut self, text: &str) -> bool {
        let room = MAX_INPUT_BYTES.saturating_sub(self.text.len());
        let mut cleaned = String::with_capacity(text.len().min(room));
        let mut previous_cr = false;
        for c in text.chars() {
            let replacement = match c {
                '\n' if previous_cr => None,
                '\r' | '\n' | '\t' => Some(' '),
                c if c.is_control() || crate::text::sanitize::is_bidi_control(c) => None,
                c => Some(c),
            };
            previous_cr = c == '\r';
            if let Some(c) = replacement {
                if cleaned.len() + c.len_utf8() > room {
                    break;
                }
                cleaned.push(c);
            }
        }
        if cleaned.is_empty() {
            return false;
        }
        self.text.insert_str(self.caret, &cleaned);
        self.caret += cleaned.len();
        // A combining mark typed after a base letter joins its cluster, so
        // the caret moves to the end of the cluster it landed in.
        self.caret = self.boundary_at_or_after(self.caret);
        true
    }

    fn previous_boundary(&self) -> Option<usize> {
        self.text[..self.caret]
            .grapheme_indices(true)
            .next_back()
            .map(|(index, _)| index)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.caret..]
            .graphemes(true)
            .next()
            .map(|g| self.caret + g.len())
    }

    fn boundary_at_or_after(&self, offset: usize) -> usize {
        let mut position = 0;
        for g in self.text.graphemes(true) {
            if position >= offset {
                return position;
            }
            position += g.len();
        }
        self.text.len()
    }

    /// Draws the field into one row of `area` and returns where the caret
    /// is, or `None` when the field has no cell on the screen.
    ///
    /// When the text is wider than the field, the view scrolls so that the
    /// caret stays visible.
    pub fn render(
        &self,
        buf: &mut Buffer,
        area: Rect,
        style: Style,
        policy: AmbiguousWidth,
    ) -> Option<Position> {
        let area = area.intersection(buf.area);
        if area.width == 0 || area.height == 0 {
            return None;
        }
        let width = usize::from(area.width);
        // Keep one cell free after the caret for the cursor itself.
        let caret_x = display_width(&self.text[..self.caret], policy);
        let mut start = 0;
        let mut skipped = 0;
        if caret_x + 1 > width {
            for g in self.text[..self.caret].graphemes(true) {
                if caret_x - skipped < width {
                    break;
                }
                skipped += grapheme_width(g, policy);
                start += g.len();
            }
        }
        let visible = Line::styled(self.text[start..].to_string(), style);
        paint_line(buf, area.x, area.y, area.width, &visible, policy);
        let offset = u16::try_from(caret_x - skipped).unwrap_or(area.width - 1);
        Some(Position::new(area.x + offset.min(area.width - 1), area.y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_ime_text_is_inserted_once() {
        let mut input = TextInput::default();
        for c in "検索".chars() {
            input.apply(&Edit::Insert(c.to_string()));
        }
        assert_eq!(input.text(), "検索");
        input.apply(&Edit::Insert("ｱｲｳ".into()));
        assert_eq!(input.text(), "検索ｱｲｳ");
        assert_eq!(input.caret(), input.text().len());
    }

    #[test]
    fn pasted_newline_becomes_space() {
        let mut input = TextInput::default();
        input.apply(&Edit::Insert("議事録\n共有".into()));
        assert_eq!(input.text(), "議事録 共有");
        input.apply(&Edit::Insert("a\r\nb\tc\x1b".into()));
        assert_eq!(input.text(), "議事録 共有a b c");
    }

    #[test]
    fn backspace_removes_whole_cluster() {
        let mut input = TextInput::with_text("了解👩‍💻");
        input.apply(&Edit::Backspace);
        assert_eq!(input.text(), "了解");
        let mut nfd = TextInput::with_text("カ\u{3099}");
        nfd.apply(&Edit::Backspace);
        assert_eq!(nfd.text(), "");
    }

    #[test]
    fn caret_moves_by_cluster() {
        let mut input = TextInput::with_text("🇯🇵a");
        input.apply(&Edit::Left);
        input.apply(&Edit::Left);
        assert_eq!(input.caret(), 0);
        input.apply(&Edit::Right);
        assert_eq!(input.caret(), "🇯🇵".len());
        input.apply(&Edit::Insert("x".into()));
        assert_eq!(input.text(), "🇯🇵xa");
    }

    #[test]
    fn word_and_line_deletion() {
        let mut input = TextInput::with_text("from:佐藤 給料 泥棒");
        input.apply(&Edit::DeleteWord);
        assert_eq!(input.text(), "from:佐藤 給料 ");
        input.apply(&Edit::Home);
        input.apply(&Edit::ClearToEnd);
        assert_eq!(input.text(), "");
    }

    #[test]
    fn caret_position_counts_cells() {
        let input = TextInput::with_text("検索ab");
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 1));
        let position = input.render(
            &mut buf,
            Rect::new(3, 0, 10, 1),
            Style::new(),
            AmbiguousWidth::Narrow,
        );
        assert_eq!(position, Some(Position::new(3 + 6, 0)));
    }

    #[test]
    fn long_text_scrolls_to_caret() {
        let input = TextInput::with_text(&"あ".repeat(30));
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        let position = input.render(
            &mut buf,
            Rect::new(0, 0, 12, 1),
            Style::new(),
            AmbiguousWidth::Narrow,
        );
        assert!(position.unwrap().x < 12);
        assert_eq!(buf[(0, 0)].symbol(), "あ");
    }

    #[test]
    fn field_without_cells_has_no_caret() {
        let input = TextInput::with_text("検索");
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        let outside = Rect::new(4, 0, 3, 1);
        assert_eq!(
            input.render(&mut buf, outside, Style::new(), AmbiguousWidth::Narrow),
            None
        );
    }

    #[test]
    fn input_is_capped() {
        let mut input = TextInput::default();
        input.apply(&Edit::Insert("あ".repeat(MAX_INPUT_BYTES)));
        assert!(input.text().len() <= MAX_INPUT_BYTES);
        assert!(input.text().is_char_boundary(input.text().len()));
    }
}
