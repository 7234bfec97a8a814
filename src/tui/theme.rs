//! Colours, text styles and the glyphs the console draws with.
//!
//! Every glyph the chrome draws depends on the ambiguous-width policy:
//! box-drawing characters such as `─` and `│` are East Asian Ambiguous, so
//! a terminal that draws ambiguous characters two cells wide would push
//! every border out of line. Under [`AmbiguousWidth::Wide`] the chrome uses
//! ASCII instead.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::text::width::AmbiguousWidth;

/// Glyphs of frames, rules and bars.
#[derive(Debug, Clone, Copy)]
pub struct Glyphs {
    pub border: border::Set<'static>,
    /// Left bar of a quote block.
    pub quote_bar: &'static str,
    /// Left bar of an info box.
    pub info_bar: &'static str,
    /// One cell of a horizontal rule.
    pub rule: &'static str,
    /// Filled and empty cells of a progress bar.
    pub bar_full: &'static str,
    pub bar_empty: &'static str,
}

const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Glyphs {
    /// Returns the glyph set that lines up under `policy`.
    pub fn for_policy(policy: AmbiguousWidth) -> Glyphs {
        match policy {
            AmbiguousWidth::Narrow => Glyphs {
                border: border::PLAIN,
                quote_bar: "│ ",
                info_bar: "┃ ",
                rule: "─",
                bar_full: "█",
                bar_empty: "░",
            },
            AmbiguousWidth::Wide => Glyphs {
                border: ASCII_BORDER,
                quote_bar: "| ",
                info_bar: "! ",
                rule: "-",
                bar_full: "#",
                bar_empty: ".",
            },
        }
    }
}

/// Text styles of the console.
pub mod style {
    use super::*;

    pub fn title() -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn header() -> Style {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected() -> Style {
        Style::new().bg(Color::Blue).fg(Color::White)
    }

    /// Returns the style of the selected row of a list without the focus.
    pub fn selected_unfocused() -> Style {
        Style::new().bg(Color::DarkGray)
    }

    pub fn dim() -> Style {
        Style::new().fg(Color::DarkGray)
    }

    pub fn time() -> Style {
        Style::new().fg(Color::Cyan)
    }

    pub fn sender() -> Style {
        Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn resigned() -> Style {
        Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn mention() -> Style {
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn reply() -> Style {
        Style::new().fg(Color::LightBlue)
    }

    pub fn edited() -> Style {
        Style::new().fg(Color::Yellow)
    }

    pub fn deleted() -> Style {
        Style::new().fg(Color::LightRed)
    }

    pub fn system() -> Style {
        Style::new().fg(Color::Gray).add_modifier(Modifier::ITALIC)
    }

    pub fn code() -> Style {
        Style::new().fg(Color::LightCyan)
    }

    pub fn file() -> Style {
        Style::new().fg(Color::LightGreen)
    }

    pub fn task() -> Style {
        Style::new().fg(Color::LightMagenta)
    }

    pub fn hit() -> Style {
        Style::new().bg(Color::Yellow).fg(Color::Black)
    }

    pub fn inserted() -> Style {
        Style::new()
            .fg(Color::Green)
            .add_modifier(Modifier::UNDERLINED)
    }

    pub fn removed() -> Style {
        Style::new()
            .fg(Color::Red)
            .add_modifier(Modifier::CROSSED_OUT)
    }

    pub fn error() -> Style {
        Style::new()
            .fg(Color::LightRed)
            .add_modifier(Modifier::BOLD)
    }

    pub fn status_bar() -> Style {
        Style::new().bg(Color::DarkGray).fg(Color::White)
    }

    pub fn key() -> Style {
        Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn border(focused: bool) -> Style {
        if focused {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().fg(Color::Gray)
        }
    }
}
