//! The interactive console (`cwlens open`).
//!
//! The loop is synchronous: draw a frame, wait up to [`TICK`] for a key,
//! mouse or paste event, turn it into an [`action::Action`] through the
//! [`keymap`], and apply it with [`app::App::update`]. Imports, searches
//! and exports run on worker threads (see [`jobs`]) and are polled between
//! frames.
//! The console reads the case through the query API only.
//!
//! # Width policy
//!
//! East Asian Ambiguous characters (①, ■, ※, ○, △, ☆, Greek and
//! Cyrillic letters, box drawing) are one cell wide in most terminals and
//! two in terminals set up for CJK. `--ambiguous-width 1` (the default)
//! measures them as one cell. With `--ambiguous-width 2` every text the
//! console draws measures them as two cells. The cell after each one is
//! marked as covered, so ratatui never writes into the second half of the
//! glyph. Frames, rules and bars switch to ASCII, because box-drawing
//! characters are ambiguous too. Wide characters, ZWJ emoji and
//! decomposed kana are measured per grapheme cluster and never cut.
//!
//! # Text safety
//!
//! Names, room names and bodies are drawn through
//! `widgets::text::paint_line`, which replaces control characters (ESC,
//! OSC, C1, CR, bidi overrides) with visible placeholders, so no escape
//! sequence from an export reaches the terminal.

pub mod action;
pub mod app;
pub mod browse;
pub mod export_dialog;
pub mod format;
pub mod jobs;
pub mod keymap;
pub mod overlay;
pub mod record;
pub mod render;
pub mod screens;
pub mod setup;
pub mod theme;
pub mod widgets;

#[cfg(test)]
mod tests;

use std::io::{self, Stdout};
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use app::{App, SearchMode};
use format::Settings;

/// Maximum wait for an event before the loop polls the workers again.
const TICK: Duration = Duration::from_millis(100);

/// The folder `cwlens open` opens, and whether it needs an import first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenTarget {
    /// A case folder with its database and index.
    Case(PathBuf),
    /// An export without a (finished) case: ask, import, then open.
    Import { export: PathBuf, case_dir: PathBuf },
}

/// Runs the console until the user quits; returns the exit code.
pub fn run(target: OpenTarget, settings: Settings) -> anyhow::Result<i32> {
    if let OpenTarget::Case(case_dir) = &target {
        crate::cli::logging::init(&case_dir.join(crate::store::LOG_DIR));
    }
    let mut terminal = enter_terminal()?;
    let result = run_loop(&mut terminal, target, settings);
    let restored = leave_terminal(&mut terminal);
    let code = result?;
    restored?;
    Ok(code)
}

type Backend = CrosstermBackend<Stdout>;

fn enter_terminal() -> anyhow::Result<Terminal<Backend>> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(error) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        restore_terminal();
        return Err(error.into());
    }
    match Terminal::new(CrosstermBackend::new(stdout)) {
        Ok(terminal) => Ok(terminal),
        Err(error) => {
            restore_terminal();
            Err(error.into())
        }
    }
}

fn leave_terminal(terminal: &mut Terminal<Backend>) -> anyhow::Result<()> {
    restore_terminal();
    terminal.show_cursor()?;
    Ok(())
}

/// Puts the terminal back the way the shell expects it. Safe to call twice.
fn restore_terminal() {
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Restores the terminal before the default hook prints the panic, so the
/// message is readable and the shell is usable afterwards.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

fn run_loop(
    terminal: &mut Terminal<Backend>,
    target: OpenTarget,
    settings: Settings,
) -> anyhow::Result<i32> {
    let size = terminal.size()?;
    let size = Rect::new(0, 0, size.width, size.height);
    let mut app = match target {
        OpenTarget::Case(case_dir) => App::browse(&case_dir, settings, size, SearchMode::Thread)?,
        OpenTarget::Import { export, case_dir } => {
            App::setup(export, case_dir, settings, size, SearchMode::Thread)
        }
    };
    loop {
        terminal.draw(|frame| render::draw(frame, &app))?;
        if app.quit {
            return Ok(app.exit_code);
        }
        if event::poll(TICK)? {
            // Take every event that is already waiting before drawing again,
            // so a burst of keys (or a held key) costs one frame.
            loop {
                handle_event(&mut app, event::read()?);
                if app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        app.tick();
    }
}

fn handle_event(app: &mut App, event: Event) {
    let context = app.context();
    let action = match event {
        Event::Key(key) => keymap::key_action(context, &key),
        Event::Mouse(mouse) => keymap::mouse_action(&mouse),
        Event::Paste(text) => keymap::paste_action(context, text),
        Event::Resize(width, height) => Some(action::Action::Resize { width, height }),
        Event::FocusGained | Event::FocusLost => None,
    };
    if let Some(action) = action {
        app.update(action);
    }
}
