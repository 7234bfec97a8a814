//! The first screens for an export that has no case yet: a form for the
//! investigator's name and the purpose of the investigation, then the
//! progress of the import.

use std::path::PathBuf;
use std::time::Instant;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::action::Action;
use super::jobs::{ImportEvent, ImportJob, ImportRequest, Phase};
use super::screens::{Ui, framed};
use super::theme::style;
use super::widgets::input::{Edit, TextInput};
use super::widgets::text::{clean, fill, paint_line};
use crate::i18n::Lang;
use crate::tui::format;

/// The field of the form that has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupField {
    Investigator,
    Purpose,
}

/// The form shown before a new case is created.
#[derive(Debug)]
pub struct SetupForm {
    pub export: PathBuf,
    pub case_dir: PathBuf,
    pub investigator: TextInput,
    pub purpose: TextInput,
    pub focus: SetupField,
    pub error: Option<String>,
}

/// The console's next step after an action on the form.
#[derive(Debug, PartialEq, Eq)]
pub enum SetupOutcome {
    Stay,
    Start(String, String),
    Cancel,
}

impl SetupForm {
    /// Creates the form with the investigator prefilled with the login name.
    pub fn new(export: PathBuf, case_dir: PathBuf, login: &str) -> SetupForm {
        SetupForm {
            export,
            case_dir,
            investigator: TextInput::with_text(login),
            purpose: TextInput::default(),
            focus: SetupField::Purpose,
            error: None,
        }
    }

    fn field(&mut self) -> &mut TextInput {
        match self.focus {
            SetupField::Investigator => &mut self.investigator,
            SetupField::Purpose => &mut self.purpose,
        }
    }

    fn toggle(&mut self) {
        self.focus = match self.focus {
            SetupField::Investigator => SetupField::Purpose,
            SetupField::Purpose => SetupField::Investigator,
        };
    }

    pub fn update(&mut self, action: Action, lang: Lang) -> SetupOutcome {
        match action {
            Action::Edit(edit) => {
                self.field().apply(&edit);
            }
            Action::Paste(text) => {
                self.field().apply(&Edit::Insert(text));
            }
            Action::FocusNext | Action::FocusPrevious | Action::Up | Action::Down => self.toggle(),
            Action::Cancel => return SetupOutcome::Cancel,
            Action::Submit => {
                if self.focus == SetupField::Investigator {
                    self.toggle();
                    return SetupOutcome::Stay;
                }
                let investigator = self.investigator.text().trim().to_string();
                let purpose = self.purpose.text().trim().to_string();
                if investigator.is_empty() {
                    self.focus = SetupField::Investigator;
                    self.error = Some(
                        lang.pick(
                            "調査担当者の名前を入力してください",
                            "Enter the investigator's name",
                        )
                        .into(),
                    );
                } else if purpose.is_empty() {
                    self.error = Some(
                        lang.pick(
                            "調査の目的を入力してください（監査記録とすべての出力に残ります）",
                            "Enter the purpose of the investigation (it goes into the audit log and every export)",
                        )
                        .into(),
                    );
                } else {
                    return SetupOutcome::Start(investigator, purpose);
                }
            }
            _ => {}
        }
        SetupOutcome::Stay
    }
}

/// A running import and its latest progress.
pub struct Importing {
    pub request: ImportRequest,
    job: ImportJob,
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
    pub started: Instant,
}

impl std::fmt::Debug for Importing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importing")
            .field("phase", &self.phase)
            .field("done", &self.done)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Importing {
    pub fn start(request: ImportRequest) -> Importing {
        Importing {
            job: ImportJob::start(request.clone()),
            request,
            phase: Phase::Reading,
            done: 0,
            total: 0,
            started: Instant::now(),
        }
    }

    /// Returns a progress screen with no import behind it, for drawing tests.
    #[cfg(test)]
    pub fn idle(case_dir: PathBuf) -> Importing {
        Importing {
            job: ImportJob::idle(),
            request: ImportRequest {
                export: PathBuf::new(),
                case_dir,
                investigator: String::new(),
                purpose: String::new(),
                lang: Lang::Ja,
            },
            phase: Phase::Reading,
            done: 0,
            total: 0,
            started: Instant::now(),
        }
    }

    /// Applies the progress that arrived; returns the result once finished.
    pub fn poll(&mut self) -> Option<Result<super::jobs::ImportSummary, String>> {
        for event in self.job.poll() {
            match event {
                ImportEvent::Progress { phase, done, total } => {
                    self.phase = phase;
                    self.done = done;
                    self.total = total;
                }
                ImportEvent::Finished(result) => return Some(result),
            }
        }
        None
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

pub fn draw_setup(buf: &mut Buffer, area: Rect, form: &SetupForm, ui: &Ui<'_>) -> Option<Position> {
    let lang = ui.settings.lang;
    let box_area = centered(area, 76, 14);
    let title = Line::styled(
        ui.pick("新しいケースを作成", "Create a new case"),
        style::title(),
    );
    let inner = framed(buf, box_area, &title, true, ui);
    let policy = ui.settings.ambiguous;
    let mut y = inner.y;
    let text_row = |buf: &mut Buffer, y: &mut u16, line: Line<'_>| {
        if *y < inner.bottom() {
            paint_line(buf, inner.x, *y, inner.width, &line, policy);
        }
        *y += 1;
    };
    text_row(
        buf,
        &mut y,
        Line::from(vec![
            Span::styled(ui.pick("エクスポート: ", "Export: "), style::dim()),
            Span::raw(clean(&form.export.to_string_lossy())),
        ]),
    );
    text_row(
        buf,
        &mut y,
        Line::from(vec![
            Span::styled(ui.pick("ケース: ", "Case: "), style::dim()),
            Span::raw(clean(&form.case_dir.to_string_lossy())),
        ]),
    );
    text_row(buf, &mut y, Line::raw(""));
    text_row(
        buf,
        &mut y,
        Line::raw(ui.pick(
            "取り込む前に、調査担当者と調査の目的を記録します。",
            "Before the import, record who investigates and why.",
        )),
    );
    text_row(buf, &mut y, Line::raw(""));

    let mut caret = None;
    for (field, label, input) in [
        (
            SetupField::Investigator,
            ui.pick("調査担当者: ", "Investigator: "),
            &form.investigator,
        ),
        (
            SetupField::Purpose,
            ui.pick("調査の目的: ", "Purpose: "),
            &form.purpose,
        ),
    ] {
        if y >= inner.bottom() {
            break;
        }
        let label_end = paint_line(
            buf,
            inner.x,
            y,
            inner.width,
            &Line::styled(label, style::key()),
            policy,
        );
        let field_area = Rect::new(label_end, y, inner.right().saturating_sub(label_end), 1);
        let focused = form.focus == field;
        let field_style = if focused {
            style::selected_unfocused()
        } else {
            ratatui::style::Style::new()
        };
        fill(
            buf,
            field_area.x,
            field_area.y,
            field_area.width,
            field_style,
        );
        let position = input.render(buf, field_area, field_style, policy);
        if focused {
            caret = position;
        }
        y += 2;
    }
    if let Some(error) = &form.error {
        text_row(buf, &mut y, Line::styled(clean(error), style::error()));
    } else {
        text_row(buf, &mut y, Line::raw(""));
    }
    text_row(
        buf,
        &mut y,
        Line::styled(
            match lang {
                Lang::Ja => "Enter 次へ・取り込み開始  Tab 項目の移動  Esc 取り込まずに終了",
                Lang::En => {
                    "Enter next / start the import  Tab switch field  Esc quit without importing"
                }
            },
            style::dim(),
        ),
    );
    caret
}

pub fn draw_progress(buf: &mut Buffer, area: Rect, importing: &Importing, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let policy = ui.settings.ambiguous;
    let box_area = centered(area, 70, 9);
    let title = Line::styled(ui.pick("取り込み中", "Importing"), style::title());
    let inner = framed(buf, box_area, &title, true, ui);
    if inner.height < 4 {
        return;
    }

    let phase = match importing.phase {
        Phase::Reading => ui.pick("エクスポートを読み込んでいます", "Reading the export"),
        Phase::Indexing => ui.pick("検索の索引を作っています", "Building the search index"),
    };
    paint_line(
        buf,
        inner.x,
        inner.y,
        inner.width,
        &Line::raw(phase),
        policy,
    );

    // While the last batches are indexed there is no count, and the
    // reading before it is complete.
    let finishing = importing.phase == Phase::Indexing && importing.total == 0;
    let ratio = if finishing {
        1.0
    } else if importing.total == 0 {
        0.0
    } else {
        (importing.done as f64 / importing.total as f64).clamp(0.0, 1.0)
    };
    let bar_width = usize::from(inner.width.saturating_sub(8));
    let full = (ratio * bar_width as f64).round() as usize;
    let bar = Line::from(vec![
        Span::styled(ui.glyphs.bar_full.repeat(full), style::header()),
        Span::styled(ui.glyphs.bar_empty.repeat(bar_width - full), style::dim()),
        Span::raw(format!(" {:>3.0}%", ratio * 100.0)),
    ]);
    paint_line(buf, inner.x, inner.y + 2, inner.width, &bar, policy);

    let counts = match (importing.phase, lang) {
        _ if finishing => String::new(),
        (Phase::Reading, _) => format!(
            "{} / {} KB",
            format::count((importing.done / 1024) as i64),
            format::count((importing.total / 1024) as i64)
        ),
        (Phase::Indexing, Lang::Ja) => format!(
            "メッセージ {} / {} 件",
            format::count(importing.done as i64),
            format::count(importing.total as i64)
        ),
        (Phase::Indexing, Lang::En) => format!(
            "{} / {} messages",
            format::count(importing.done as i64),
            format::count(importing.total as i64)
        ),
    };
    let elapsed = importing.started.elapsed().as_secs();
    let timing = if elapsed == 0 {
        String::new()
    } else {
        format!("  ({}:{:02})", elapsed / 60, elapsed % 60)
    };
    paint_line(
        buf,
        inner.x,
        inner.y + 3,
        inner.width,
        &Line::raw(format!("{counts}{timing}")),
        policy,
    );
    paint_line(
        buf,
        inner.x,
        inner.bottom() - 1,
        inner.width,
        &Line::styled(
            ui.pick(
                "q 中断（次回は続きから取り込みます）",
                "q stop (the next run continues)",
            ),
            style::dim(),
        ),
        policy,
    );
}

pub fn draw_failure(buf: &mut Buffer, area: Rect, error: &str, ui: &Ui<'_>) {
    let policy = ui.settings.ambiguous;
    let box_area = centered(area, 76, 10);
    let title = Line::styled(
        ui.pick("取り込みに失敗しました", "The import failed"),
        style::error(),
    );
    let inner = framed(buf, box_area, &title, true, ui);
    let (rows, _) = super::widgets::text::wrap_line(
        &Line::raw(clean(error)),
        usize::from(inner.width),
        usize::from(inner.height.saturating_sub(2)),
        policy,
    );
    for (index, row) in rows.iter().enumerate() {
        paint_line(
            buf,
            inner.x,
            inner.y + index as u16,
            inner.width,
            row,
            policy,
        );
    }
    if inner.height > 0 {
        paint_line(
            buf,
            inner.x,
            inner.bottom() - 1,
            inner.width,
            &Line::styled(ui.pick("q 終了", "q quit"), style::dim()),
            policy,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SetupForm {
        SetupForm::new(PathBuf::from("/export"), PathBuf::from("/case"), "tanaka")
    }

    #[test]
    fn investigator_is_prefilled_and_purpose_has_focus() {
        let form = form();
        assert_eq!(form.investigator.text(), "tanaka");
        assert_eq!(form.focus, SetupField::Purpose);
    }

    #[test]
    fn empty_purpose_is_rejected() {
        let mut form = form();
        assert_eq!(form.update(Action::Submit, Lang::Ja), SetupOutcome::Stay);
        assert!(form.error.is_some());
    }

    #[test]
    fn filled_form_starts_import() {
        let mut form = form();
        form.update(Action::Paste("ハラスメント申告の調査\n".into()), Lang::Ja);
        assert_eq!(
            form.update(Action::Submit, Lang::Ja),
            SetupOutcome::Start("tanaka".into(), "ハラスメント申告の調査".into())
        );
    }

    #[test]
    fn pasted_newline_does_not_submit() {
        let mut form = form();
        let outcome = form.update(Action::Paste("目的\n".into()), Lang::Ja);
        assert_eq!(outcome, SetupOutcome::Stay);
        assert_eq!(form.purpose.text(), "目的 ");
    }
}
