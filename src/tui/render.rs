//! Draws the whole terminal from a read-only view of the app: the top bar
//! with the path of screens and the case's counts, the top screen, the
//! status bar with the case, the purpose and key hints, and any overlay.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

use super::action::Action;
use super::app::{App, Stage, Status, areas};
use super::browse::CaseHeader;
use super::export_dialog::{self, ExportDialog, ExportRun};
use super::format;
use super::keymap::{self, Context};
use super::overlay::{self, Overlay};
use super::screens::{Screen, Ui};
use super::setup;
use super::theme::style;
use super::widgets::text::{clean, fill, line_width, paint_line, truncate_line};
use crate::i18n::Lang;
use crate::store::PendingImport;

/// Everything the browsing screens are drawn from.
pub struct BrowseView<'a> {
    pub ui: Ui<'a>,
    pub header: &'a CaseHeader,
    pub screens: &'a [Screen],
    pub overlay: &'a Overlay,
    pub status: Option<&'a Status>,
    /// The export running on its worker thread, if any.
    pub export: Option<&'a ExportRun>,
}

/// Draws one frame and puts the terminal cursor at the caret of the
/// focused text field, if any, so an IME composes in place.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if let Some(position) = draw_app(frame.buffer_mut(), area, app) {
        frame.set_cursor_position(position);
    }
}

/// Draws the app into `buf` and returns where the cursor goes.
pub fn draw_app(buf: &mut Buffer, area: Rect, app: &App) -> Option<Position> {
    let empty = HashMap::new();
    match &app.stage {
        Stage::Browse(browser) => {
            let view = BrowseView {
                ui: Ui {
                    settings: app.settings,
                    glyphs: app.glyphs,
                    names: &browser.names,
                },
                header: &browser.header,
                screens: &browser.screens,
                overlay: &app.overlay,
                status: app.status.as_ref(),
                export: browser.export.as_ref(),
            };
            draw_browse(buf, area, &view)
        }
        stage => {
            let ui = Ui {
                settings: app.settings,
                glyphs: app.glyphs,
                names: &empty,
            };
            let parts = areas(area);
            draw_top_bar(buf, parts.top, &[], None, &ui);
            let cursor = match stage {
                Stage::Setup(form) => setup::draw_setup(buf, parts.main, form, &ui),
                Stage::Importing(importing) => {
                    setup::draw_progress(buf, parts.main, importing, &ui);
                    None
                }
                Stage::Failed(error) => {
                    setup::draw_failure(buf, parts.main, error, &ui);
                    None
                }
                Stage::Browse(_) => None,
            };
            draw_status_bar(
                buf,
                parts.status,
                None,
                app.status.as_ref(),
                Context::Importing,
                &ui,
            );
            cursor
        }
    }
}

/// Draws the browsing screens.
pub fn draw_browse(buf: &mut Buffer, area: Rect, view: &BrowseView<'_>) -> Option<Position> {
    let parts = areas(area);
    let ui = &view.ui;
    draw_top_bar(buf, parts.top, view.screens, Some(view.header), ui);
    let mut cursor = match view.screens.last() {
        Some(screen) => screen.draw(buf, parts.main, ui),
        None => None,
    };
    let context = view
        .overlay
        .context()
        .or_else(|| view.screens.last().map(Screen::context))
        .unwrap_or(Context::Rooms);
    // A running export shows its progress in the status bar while its
    // dialog is closed and no other message is there.
    let progress = match (view.status, view.export) {
        (None, Some(run)) if !progress_shown(view.overlay) => Some(Status::info(
            export_dialog::draw::progress_status(run, ui.settings.lang),
        )),
        _ => None,
    };
    draw_status_bar(
        buf,
        parts.status,
        Some(view.header),
        view.status.or(progress.as_ref()),
        context,
        ui,
    );
    if view.overlay.is_open() {
        cursor = overlay::draw(buf, parts.main, view.overlay, view.export, ui);
    }
    cursor
}

/// Returns true when the export's progress dialog is on screen.
fn progress_shown(overlay: &Overlay) -> bool {
    match overlay {
        Overlay::Export(dialog) => **dialog == ExportDialog::Progress,
        Overlay::Help {
            under: Some(under), ..
        } => progress_shown(under),
        _ => false,
    }
}

fn draw_top_bar(
    buf: &mut Buffer,
    area: Rect,
    screens: &[Screen],
    header: Option<&CaseHeader>,
    ui: &Ui<'_>,
) {
    if area.height == 0 {
        return;
    }
    fill(buf, area.x, area.y, area.width, style::status_bar());

    // The case's counts on the right, the path of screens on the left. While
    // an import lags, a warning takes the place of the counts.
    if let Some(pending) = header.and_then(|header| header.pending_import) {
        let warning = format!(" {} ", pending_import_label(pending, ui.settings.lang));
        let right_line = Line::styled(
            warning,
            style::status_bar()
                .fg(ratatui::style::Color::LightRed)
                .add_modifier(ratatui::style::Modifier::BOLD),
        );
        return draw_top_bar_parts(buf, area, screens, right_line, ui);
    }
    let right = header.map(|header| match ui.settings.lang {
        Lang::Ja => format!(
            "{} ルーム · {} 件 · {} 人 ",
            format::count(header.rooms as i64),
            format::count(header.messages),
            format::count(header.people as i64)
        ),
        Lang::En => format!(
            "{} rooms · {} messages · {} people ",
            format::count(header.rooms as i64),
            format::count(header.messages),
            format::count(header.people as i64)
        ),
    });
    let right_line = Line::styled(right.unwrap_or_default(), style::status_bar());
    draw_top_bar_parts(buf, area, screens, right_line, ui);
}

/// Draws the path of screens on the left of the top bar and `right_line`
/// on its right.
fn draw_top_bar_parts(
    buf: &mut Buffer,
    area: Rect,
    screens: &[Screen],
    right_line: Line<'_>,
    ui: &Ui<'_>,
) {
    let policy = ui.settings.ambiguous;
    let right_width = line_width(&right_line, policy) as u16;

    let mut spans = vec![Span::styled(
        " cwlens",
        style::status_bar().add_modifier(ratatui::style::Modifier::BOLD),
    )];
    for screen in screens {
        spans.push(Span::styled(" › ", style::status_bar()));
        spans.push(Span::styled(screen.crumb(ui), style::status_bar()));
    }

    let left_room = area.width.saturating_sub(right_width + 1);
    let left = truncate_line(&Line::from(spans), usize::from(left_room), policy);
    paint_line(buf, area.x, area.y, left_room, &left, policy);
    if right_width < area.width {
        paint_line(
            buf,
            area.right() - right_width,
            area.y,
            right_width,
            &right_line,
            policy,
        );
    }
}

/// Returns the top bar's short warning for an import the case lags.
pub fn pending_import_label(pending: PendingImport, lang: Lang) -> &'static str {
    match pending {
        PendingImport::Running => lang.pick(
            "取り込み中: 件数と検索結果は不完全です",
            "import running: counts and results are incomplete",
        ),
        PendingImport::Unfinished => lang.pick(
            "取り込みが未完了: 件数と検索結果は不完全です",
            "import unfinished: counts and results are incomplete",
        ),
    }
}

/// Returns the status message shown when the console opens a case that an
/// import lags.
pub fn pending_import_status(pending: PendingImport, lang: Lang) -> &'static str {
    match pending {
        PendingImport::Running => lang.pick(
            "別の cwlens がこのケースに取り込み中です。件数と検索結果は、取り込みが終わってから開き直すまで不完全です",
            "another cwlens process is importing into this case; counts and search results stay incomplete until it finishes and the case is opened again",
        ),
        PendingImport::Unfinished => lang.pick(
            "最後の取り込みが途中で終わっています。件数と検索結果は不完全です。同じ取り込みをもう一度実行してください",
            "the last import did not finish, so counts and search results are incomplete; run the same import again",
        ),
    }
}

/// Returns the key hints of the status bar: the few keys that work
/// everywhere in `context`. The help overlay lists the rest.
fn hints(context: Context, lang: Lang) -> Vec<(&'static str, &'static str)> {
    let opens = keymap::tables(context)
        .first()
        .is_some_and(|table| table.iter().any(|binding| binding.action == Action::Open));
    match context {
        Context::Help => vec![("Esc", lang.pick("閉じる", "close"))],
        Context::Choice => vec![
            ("Enter", lang.pick("選ぶ", "choose")),
            ("Esc", lang.pick("やめる", "cancel")),
        ],
        Context::Importing => vec![("q", lang.pick("終了", "quit"))],
        Context::ExportForm | Context::ExportPath => vec![
            ("Enter", lang.pick("書き出し", "export")),
            ("Esc", lang.pick("やめる", "cancel")),
        ],
        Context::ExportRunning => vec![
            ("c", lang.pick("中止", "cancel")),
            ("Enter", lang.pick("閉じる", "close")),
        ],
        Context::ExportDone => vec![("Enter", lang.pick("閉じる", "close"))],
        Context::Setup | Context::Prompt => vec![
            ("Enter", lang.pick("確定", "confirm")),
            ("Esc", lang.pick("やめる", "cancel")),
        ],
        Context::RoomsFilter | Context::SearchInput => vec![
            ("Enter", lang.pick("確定", "confirm")),
            ("Esc", lang.pick("入力を離れる", "leave the field")),
            ("Ctrl-c", lang.pick("終了", "quit")),
        ],
        _ => {
            let mut hints = Vec::new();
            if opens {
                hints.push(("Enter", lang.pick("開く", "open")));
            }
            hints.push(("Esc", lang.pick("戻る", "back")));
            hints.push(("/", lang.pick("検索", "search")));
            hints.push(("?", lang.pick("キー一覧", "keys")));
            hints.push(("q", lang.pick("終了", "quit")));
            hints
        }
    }
}

fn draw_status_bar(
    buf: &mut Buffer,
    area: Rect,
    header: Option<&CaseHeader>,
    status: Option<&Status>,
    context: Context,
    ui: &Ui<'_>,
) {
    if area.height == 0 {
        return;
    }
    let policy = ui.settings.ambiguous;
    fill(buf, area.x, area.y, area.width, style::status_bar());
    let mut hint_spans = Vec::new();
    for (key, description) in hints(context, ui.settings.lang) {
        hint_spans.push(Span::styled(
            format!(" {key}"),
            style::status_bar().fg(ratatui::style::Color::Yellow),
        ));
        hint_spans.push(Span::styled(format!(" {description}"), style::status_bar()));
    }
    hint_spans.push(Span::styled(" ", style::status_bar()));
    let hint_line = Line::from(hint_spans);

    let left = match (status, header) {
        (Some(status), _) => Line::styled(
            format!(" {}", clean(&status.text)),
            if status.error {
                style::status_bar().fg(ratatui::style::Color::LightRed)
            } else {
                style::status_bar().fg(ratatui::style::Color::LightGreen)
            },
        ),
        (None, Some(header)) => {
            let purpose = if header.purpose.is_empty() {
                ui.pick("（目的未記録）", "(no purpose recorded)")
                    .to_string()
            } else {
                clean(&header.purpose)
            };
            Line::styled(
                format!(
                    " {} {} · {} {}",
                    ui.pick("ケース", "case"),
                    clean(&header.case_name),
                    ui.pick("目的", "purpose"),
                    purpose
                ),
                style::status_bar(),
            )
        }
        (None, None) => Line::default(),
    };
    // The case and purpose give way to the key hints, down to a third of
    // the bar.
    let left_full = line_width(&left, policy) as u16;
    let hints_full = line_width(&hint_line, policy) as u16;
    let left_width = if left_full.saturating_add(hints_full) <= area.width {
        left_full
    } else {
        left_full.min((area.width / 3).max(area.width.saturating_sub(hints_full)))
    };
    let left_cut = truncate_line(&left, usize::from(left_width), policy);
    let used = paint_line(buf, area.x, area.y, left_width, &left_cut, policy);
    let hint_room = area.right().saturating_sub(used);
    let hint_cut = truncate_line(&hint_line, usize::from(hint_room), policy);
    let hint_width = line_width(&hint_cut, policy) as u16;
    paint_line(
        buf,
        area.right() - hint_width,
        area.y,
        hint_width,
        &hint_cut,
        policy,
    );
}
