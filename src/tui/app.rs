//! The console's state and the one function that changes it:
//! [`App::update`], which takes an [`Action`].
//!
//! The app goes through stages: the setup form and the import for an
//! export without a case, then browsing the case. Browsing keeps a stack
//! of screens; Enter pushes one and Esc pops it. Overlays (help, prompts,
//! the tag picker, the export dialog) sit above the stack and take the
//! keys while open.

use std::path::{Path, PathBuf};

use ratatui::layout::Rect;

use super::action::Action;
use super::browse::{Browser, Env};
use super::format::Settings;
use super::jobs::{ImportRequest, Searcher};
use super::keymap::Context;
use super::overlay::Overlay;
use super::setup::{Importing, SetupForm, SetupOutcome};
use super::theme::Glyphs;

/// A message in the status bar until the next action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: false,
        }
    }

    pub fn error(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: true,
        }
    }
}

/// Where searches run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    /// On a thread of their own, as in the console.
    Thread,
    /// At once on the app's session, as tests need.
    Inline,
}

#[derive(Debug)]
pub enum Stage {
    Setup(SetupForm),
    Importing(Importing),
    /// The import failed; the message says why.
    Failed(String),
    Browse(Box<Browser>),
}

/// The parts of the terminal: top bar, screen and status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub top: Rect,
    pub main: Rect,
    pub status: Rect,
}

/// Splits the terminal into its parts.
pub fn areas(size: Rect) -> Areas {
    let top = Rect {
        height: size.height.min(1),
        ..size
    };
    let status_height = u16::from(size.height >= 2);
    let status = Rect {
        y: size.bottom().saturating_sub(status_height),
        height: status_height,
        ..size
    };
    let main = Rect {
        y: size.y + top.height,
        height: size.height.saturating_sub(top.height + status_height),
        ..size
    };
    Areas { top, main, status }
}

pub struct App {
    pub settings: Settings,
    pub glyphs: Glyphs,
    /// The whole terminal.
    pub size: Rect,
    pub stage: Stage,
    pub overlay: Overlay,
    pub status: Option<Status>,
    pub quit: bool,
    /// Exit code of the process once `quit` is set.
    pub exit_code: i32,
    search_mode: SearchMode,
}

impl App {
    /// Opens a case for browsing.
    pub fn browse(
        case_dir: &Path,
        settings: Settings,
        size: Rect,
        search_mode: SearchMode,
    ) -> anyhow::Result<App> {
        let mut app = App::new(settings, size, search_mode, Stage::Failed(String::new()));
        let browser = Browser::open(case_dir, &app.env(), app.searcher(case_dir))?;
        if let Some(pending) = browser.header.pending_import {
            app.status = Some(Status::error(super::render::pending_import_status(
                pending,
                settings.lang,
            )));
        }
        app.stage = Stage::Browse(Box::new(browser));
        Ok(app)
    }

    /// Starts with the setup form for an export that has no case yet.
    pub fn setup(
        export: PathBuf,
        case_dir: PathBuf,
        settings: Settings,
        size: Rect,
        search_mode: SearchMode,
    ) -> App {
        let form = SetupForm::new(export, case_dir, &crate::audit::os_user());
        App::new(settings, size, search_mode, Stage::Setup(form))
    }

    fn new(settings: Settings, size: Rect, search_mode: SearchMode, stage: Stage) -> App {
        App {
            settings,
            glyphs: Glyphs::for_policy(settings.ambiguous),
            size,
            stage,
            overlay: Overlay::None,
            status: None,
            quit: false,
            exit_code: 0,
            search_mode,
        }
    }

    fn searcher(&self, case_dir: &Path) -> Searcher {
        match self.search_mode {
            SearchMode::Thread => Searcher::spawn(case_dir, self.settings.zone, self.settings.lang),
            SearchMode::Inline => Searcher::inline(),
        }
    }

    pub fn env(&self) -> Env {
        Env {
            settings: self.settings,
            glyphs: self.glyphs,
            area: areas(self.size).main,
        }
    }

    pub fn browser(&self) -> Option<&Browser> {
        match &self.stage {
            Stage::Browse(browser) => Some(browser),
            _ => None,
        }
    }

    pub fn browser_mut(&mut self) -> Option<&mut Browser> {
        match &mut self.stage {
            Stage::Browse(browser) => Some(browser),
            _ => None,
        }
    }

    /// Returns where the keyboard focus is.
    pub fn context(&self) -> Context {
        if let Some(context) = self.overlay.context() {
            return context;
        }
        match &self.stage {
            Stage::Setup(_) => Context::Setup,
            Stage::Importing(_) | Stage::Failed(_) => Context::Importing,
            Stage::Browse(browser) => browser.context(),
        }
    }

    /// Applies one action. Errors end up in the status bar, never in a panic.
    pub fn update(&mut self, action: Action) {
        if let Action::Resize { width, height } = action {
            self.size = Rect::new(0, 0, width, height);
            let env = self.env();
            if let Stage::Browse(browser) = &mut self.stage {
                browser.relayout(&env);
            }
            return;
        }
        if action == Action::Quit {
            self.quit = true;
            if matches!(self.stage, Stage::Failed(_)) {
                self.exit_code = crate::cli::EXIT_ERROR;
            }
            return;
        }
        self.status = None;
        let env = self.env();
        if self.overlay.is_open() {
            let Stage::Browse(browser) = &mut self.stage else {
                self.overlay = Overlay::None;
                return;
            };
            match super::overlay::update(&mut self.overlay, browser, action, &env) {
                Ok(status) => self.status = status,
                Err(error) => self.status = Some(Status::error(format!("{error:#}"))),
            }
            return;
        }
        match &mut self.stage {
            Stage::Setup(form) => match form.update(action, self.settings.lang) {
                SetupOutcome::Stay => {}
                SetupOutcome::Cancel => self.quit = true,
                SetupOutcome::Start(investigator, purpose) => {
                    let request = ImportRequest {
                        export: form.export.clone(),
                        case_dir: form.case_dir.clone(),
                        investigator,
                        purpose,
                        lang: self.settings.lang,
                    };
                    self.stage = Stage::Importing(Importing::start(request));
                }
            },
            Stage::Importing(_) | Stage::Failed(_) => {}
            Stage::Browse(browser) => match browser.update(action, &mut self.overlay, &env) {
                Ok(status) => self.status = status,
                Err(error) => self.status = Some(Status::error(format!("{error:#}"))),
            },
        }
    }

    /// Takes in what the background jobs have reported since the last call.
    pub fn tick(&mut self) {
        let env = self.env();
        match &mut self.stage {
            Stage::Importing(importing) => match importing.poll() {
                None => {}
                Some(Ok(summary)) => {
                    let case_dir = importing.request.case_dir.clone();
                    let searcher = self.searcher(&case_dir);
                    self.stage = match Browser::open(&case_dir, &env, searcher) {
                        Ok(browser) => Stage::Browse(Box::new(browser)),
                        Err(error) => Stage::Failed(format!("{error:#}")),
                    };
                    self.status = import_notes_status(&summary, &case_dir, env.settings.lang);
                }
                Some(Err(error)) => self.stage = Stage::Failed(error),
            },
            Stage::Browse(browser) => {
                if browser.pending_import_changed() {
                    let searcher = match self.search_mode {
                        SearchMode::Thread => Searcher::spawn(
                            &browser.case_dir,
                            self.settings.zone,
                            self.settings.lang,
                        ),
                        SearchMode::Inline => Searcher::inline(),
                    };
                    self.status = Some(match browser.reopen(&env, searcher) {
                        Ok(status) => status,
                        Err(error) => Status::error(format!("{error:#}")),
                    });
                }
                if let Some(status) = browser.poll_searches(&env) {
                    self.status = Some(status);
                }
                if let Some(status) = super::export_dialog::poll(browser, &mut self.overlay, &env) {
                    self.status = Some(status);
                }
            }
            Stage::Setup(_) | Stage::Failed(_) => {}
        }
    }

    /// True while a background job is running, so the loop keeps redrawing.
    pub fn busy(&self) -> bool {
        match &self.stage {
            Stage::Importing(_) => true,
            Stage::Browse(browser) => browser.searching() || browser.export.is_some(),
            _ => false,
        }
    }
}

/// Returns the status that lists what an import from the console left
/// aside: quarantined rows, and files that may be cut short or are missing.
/// `None` when it left nothing aside.
fn import_notes_status(
    summary: &super::jobs::ImportSummary,
    case_dir: &Path,
    lang: crate::i18n::Lang,
) -> Option<Status> {
    let mut parts = Vec::new();
    if summary.rows_quarantined > 0 {
        parts.push(match lang {
            crate::i18n::Lang::Ja => format!(
                "{} 行を隔離しました（一覧: cwlens quarantine --case {}）",
                summary.rows_quarantined,
                case_dir.display()
            ),
            crate::i18n::Lang::En => format!(
                "{} quarantined (list them with: cwlens quarantine --case {})",
                crate::i18n::count_en(summary.rows_quarantined, "row", "rows"),
                case_dir.display()
            ),
        });
    }
    parts.extend(summary.notes.iter().cloned());
    (!parts.is_empty()).then(|| Status::error(parts.join(" / ")))
}
