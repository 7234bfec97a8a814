//! Drawing of the export dialog: the form, the progress and the result.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use super::{ExportDialog, ExportField, ExportForm, ExportRun, Finished, WrittenSummary};
use crate::export::{Format, Scope, TextEncoding};
use crate::i18n::Lang;
use crate::text::width::{ELLIPSIS, display_width, grapheme_width};
use crate::tui::format;
use crate::tui::overlay::centered;
use crate::tui::screens::{Ui, framed};
use crate::tui::theme::style;
use crate::tui::widgets::text::{clean, clear_for_overlay, fill, paint_line, wrap_line};

/// Columns of the label column of the form.
const LABEL_WIDTH: u16 = 13;

/// Draws the dialog over `area`; returns where the text cursor goes.
pub fn draw(
    buf: &mut Buffer,
    area: Rect,
    dialog: &ExportDialog,
    run: Option<&ExportRun>,
    ui: &Ui<'_>,
) -> Option<Position> {
    match dialog {
        ExportDialog::Form(form) => draw_form(buf, area, form, ui),
        ExportDialog::Progress => {
            if let Some(run) = run {
                draw_progress(buf, area, run, ui);
            }
            None
        }
        ExportDialog::Finished(finished) => {
            draw_finished(buf, area, finished, ui);
            None
        }
    }
}

/// Returns the label of a text encoding.
pub fn encoding_label(encoding: TextEncoding, lang: Lang) -> &'static str {
    match encoding {
        TextEncoding::Utf8Bom => lang.pick(
            "UTF-8（BOM 付き、Excel 向け）",
            "UTF-8 with BOM (for Excel)",
        ),
        TextEncoding::Utf8 => lang.pick(
            "UTF-8（BOM なし、プログラム向け）",
            "UTF-8 without BOM (for programs)",
        ),
        TextEncoding::Cp932 => lang.pick(
            "CP932（Shift_JIS、表せない文字は [U+XXXX]）",
            "CP932 (Shift_JIS; other characters as [U+XXXX])",
        ),
    }
}

fn format_label(format: Format) -> &'static str {
    match format {
        Format::Csv => "CSV",
        Format::Html => "HTML",
    }
}

/// Describes the files an export of the form writes.
fn files_note(form: &ExportForm, lang: Lang) -> &'static str {
    let folder = form.format == Format::Html && form.selected_scope().scope == Scope::Organization;
    match (form.format, form.history, folder) {
        (Format::Csv, true, _) => lang.pick(
            "メッセージの CSV、以前の版の .revisions.csv、.manifest.json",
            "messages .csv, earlier versions .revisions.csv, .manifest.json",
        ),
        (Format::Csv, false, _) => lang.pick(
            "メッセージの CSV と .manifest.json",
            "messages .csv and .manifest.json",
        ),
        (Format::Html, _, true) => lang.pick(
            "フォルダ（index.html、ルームごとのページ、manifest.json）",
            "a folder (index.html, one page per room, manifest.json)",
        ),
        (Format::Html, _, false) => lang.pick(
            "HTML のレポートと .manifest.json",
            "HTML report and .manifest.json",
        ),
    }
}

/// Maximum rows of an error in the form: enough for a message that names
/// two long paths.
const ERROR_ROWS: usize = 6;

fn draw_form(buf: &mut Buffer, area: Rect, form: &ExportForm, ui: &Ui<'_>) -> Option<Position> {
    let lang = ui.settings.lang;
    let policy = ui.settings.ambiguous;
    // The box grows by the rows an error needs beyond the two it has.
    let error_rows = form.error.as_ref().map_or(0, |error| {
        let width = usize::from(area.width.min(100).saturating_sub(2));
        let line = Line::styled(clean(error), style::error());
        wrap_line(&line, width.max(1), ERROR_ROWS, policy).0.len() as u16
    });
    let box_area = centered(area, 100, 12 + error_rows.saturating_sub(2));
    clear_for_overlay(buf, box_area);
    let title = Line::styled(ui.pick("書き出し", "Export"), style::title());
    let inner = framed(buf, box_area, &title, true, ui);
    if inner.height == 0 || inner.width <= LABEL_WIDTH {
        return None;
    }
    let value_x = inner.x + LABEL_WIDTH;
    let value_width = inner.right() - value_x;

    let rows = [
        (ExportField::Scope, ui.pick("範囲", "Scope")),
        (ExportField::Format, ui.pick("形式", "Format")),
        (ExportField::Encoding, ui.pick("文字コード", "Encoding")),
        (ExportField::History, ui.pick("以前の版", "History")),
        (
            ExportField::Destination,
            ui.pick("書き出し先", "Destination"),
        ),
    ];
    let mut caret = None;
    for (index, (field, label)) in rows.into_iter().enumerate() {
        let y = inner.y + index as u16;
        if y >= inner.bottom() {
            break;
        }
        let focused = form.focus == field;
        let disabled = field == ExportField::Encoding && form.format != Format::Csv;
        let label_style = if disabled {
            style::dim()
        } else if focused {
            style::key()
        } else {
            Style::new()
        };
        paint_line(
            buf,
            inner.x,
            y,
            LABEL_WIDTH - 1,
            &Line::styled(label, label_style),
            policy,
        );

        let value_style = if focused {
            style::selected_unfocused()
        } else {
            Style::new()
        };
        fill(buf, value_x, y, value_width, value_style);
        if field == ExportField::Destination {
            let position = form.destination.render(
                buf,
                Rect::new(value_x, y, value_width, 1),
                value_style,
                policy,
            );
            if focused {
                caret = position;
            }
            continue;
        }
        let value = match field {
            ExportField::Scope => form.selected_scope().label.clone(),
            ExportField::Format => format_label(form.format).to_string(),
            ExportField::Encoding if disabled => ui
                .pick("HTML は常に UTF-8 です", "HTML is always UTF-8")
                .to_string(),
            ExportField::Encoding => encoding_label(form.encoding, lang).to_string(),
            ExportField::History if form.history => ui.pick("含める", "included").to_string(),
            ExportField::History => ui.pick("含めない", "left out").to_string(),
            ExportField::Destination => String::new(),
        };
        let line = if disabled {
            Line::styled(format!("  {value}"), style::dim())
        } else {
            let count = match field {
                ExportField::Scope if form.scopes.len() > 1 => {
                    format!("  {}/{}", form.scope + 1, form.scopes.len())
                }
                _ => String::new(),
            };
            Line::from(vec![
                Span::styled("< ", style::key().patch(value_style)),
                Span::styled(value, value_style),
                Span::styled(" >", style::key().patch(value_style)),
                Span::styled(count, style::dim().patch(value_style)),
            ])
        };
        paint_line(buf, value_x, y, value_width, &line, policy);
    }

    let mut y = inner.y + rows.len() as u16 + 1;
    if y < inner.bottom() {
        let note = Line::from(vec![
            Span::styled(ui.pick("書き出すもの: ", "Writes: "), style::dim()),
            Span::styled(files_note(form, lang), style::dim()),
        ]);
        paint_line(buf, inner.x, y, inner.width, &note, policy);
    }
    y += 1;
    if let Some(error) = &form.error {
        let (error_rows, _) = wrap_line(
            &Line::styled(clean(error), style::error()),
            usize::from(inner.width),
            ERROR_ROWS,
            policy,
        );
        for (offset, row) in error_rows.iter().enumerate() {
            let row_y = y + offset as u16;
            if row_y + 1 < inner.bottom() {
                paint_line(buf, inner.x, row_y, inner.width, row, policy);
            }
        }
    }
    let hint = ui.pick(
        "Tab ↑↓ 項目  ←→ Space 変更  Enter 書き出し  Esc やめる",
        "Tab ↑↓ field  ←→ Space change  Enter export  Esc cancel",
    );
    if inner.height > rows.len() as u16 {
        paint_line(
            buf,
            inner.x,
            inner.bottom() - 1,
            inner.width,
            &Line::styled(hint, style::dim()),
            policy,
        );
    }
    caret
}

/// Returns the progress of a running export for the status bar.
pub fn progress_status(run: &ExportRun, lang: Lang) -> String {
    let cancelling = run.cancel_requested();
    let Some((done, total)) = run.progress else {
        return match (lang, cancelling) {
            (Lang::Ja, false) => "書き出しの範囲を調べています（e で表示）".into(),
            (Lang::En, false) => "exporting: resolving the scope (e shows it)".into(),
            (Lang::Ja, true) => "書き出しを中止しています".into(),
            (Lang::En, true) => "cancelling the export".into(),
        };
    };
    let done = format::count(done as i64);
    let total = format::count(total as i64);
    match (lang, cancelling) {
        (Lang::Ja, false) => format!("書き出し中 {done} / {total} 件（e で表示）"),
        (Lang::En, false) => format!("exporting {done} / {total} messages (e shows it)"),
        (Lang::Ja, true) => format!("書き出しを中止しています {done} / {total} 件"),
        (Lang::En, true) => format!("cancelling the export {done} / {total} messages"),
    }
}

fn draw_progress(buf: &mut Buffer, area: Rect, run: &ExportRun, ui: &Ui<'_>) {
    let lang = ui.settings.lang;
    let policy = ui.settings.ambiguous;
    let box_area = centered(area, 76, 10);
    clear_for_overlay(buf, box_area);
    let title = Line::styled(ui.pick("書き出し中", "Exporting"), style::title());
    let inner = framed(buf, box_area, &title, true, ui);
    if inner.height < 6 {
        return;
    }

    let what = format!("{} · {}", run.scope_label, format_label(run.request.format));
    paint_line(buf, inner.x, inner.y, inner.width, &Line::raw(what), policy);
    let path = tail_cut(
        &clean(&run.request.out.to_string_lossy()),
        usize::from(inner.width),
        ui,
    );
    paint_line(
        buf,
        inner.x,
        inner.y + 1,
        inner.width,
        &Line::styled(path, style::dim()),
        policy,
    );

    let (done, total) = run.progress.unwrap_or((0, 0));
    let ratio = if total == 0 {
        0.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    let bar_width = usize::from(inner.width.saturating_sub(8));
    let full = (ratio * bar_width as f64).round() as usize;
    let bar = Line::from(vec![
        Span::styled(ui.glyphs.bar_full.repeat(full), style::header()),
        Span::styled(ui.glyphs.bar_empty.repeat(bar_width - full), style::dim()),
        Span::raw(format!(" {:>3.0}%", ratio * 100.0)),
    ]);
    paint_line(buf, inner.x, inner.y + 3, inner.width, &bar, policy);

    let counts = match (run.progress, lang) {
        (None, _) => ui
            .pick("書き出す範囲を調べています", "resolving the scope")
            .to_string(),
        (Some(_), Lang::Ja) => format!(
            "メッセージ {} / {} 件",
            format::count(done as i64),
            format::count(total as i64)
        ),
        (Some(_), Lang::En) => format!(
            "{} / {} messages",
            format::count(done as i64),
            format::count(total as i64)
        ),
    };
    let elapsed = run.started.elapsed().as_secs();
    let timing = if elapsed == 0 {
        String::new()
    } else {
        format!("  ({}:{:02})", elapsed / 60, elapsed % 60)
    };
    paint_line(
        buf,
        inner.x,
        inner.y + 4,
        inner.width,
        &Line::raw(format!("{counts}{timing}")),
        policy,
    );
    if run.cancel_requested() {
        paint_line(
            buf,
            inner.x,
            inner.y + 5,
            inner.width,
            &Line::styled(
                ui.pick(
                    "中止しています。書きかけのファイルは消します",
                    "cancelling; the files written so far are removed",
                ),
                style::error(),
            ),
            policy,
        );
    }
    paint_line(
        buf,
        inner.x,
        inner.bottom() - 1,
        inner.width,
        &Line::styled(
            ui.pick(
                "c Esc 中止  Enter 閉じて閲覧を続ける（書き出しは続きます）",
                "c Esc cancel  Enter close and keep browsing (the export goes on)",
            ),
            style::dim(),
        ),
        policy,
    );
}

/// Returns the lines that describe a written export.
fn written_lines(summary: &WrittenSummary, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let lang = ui.settings.lang;
    let count = |value: u64| format::count(value as i64);
    let mut lines = vec![Line::raw(match lang {
        Lang::Ja => format!(
            "ルーム {} 件、メッセージ {} 件、以前の版 {} 件",
            count(summary.rooms),
            count(summary.messages),
            count(summary.earlier_versions)
        ),
        Lang::En => format!(
            "{} rooms, {} messages, {} earlier versions",
            count(summary.rooms),
            count(summary.messages),
            count(summary.earlier_versions)
        ),
    })];
    if summary.messages == 0 {
        lines.push(Line::styled(
            ui.pick(
                "範囲に該当するメッセージがないため、空の出力を書き出しました",
                "no messages are in the scope, so the output is empty",
            ),
            style::error(),
        ));
    }
    for path in &summary.paths {
        lines.push(Line::styled(clean(&path.to_string_lossy()), style::key()));
    }
    if summary.folder_files > 0 {
        lines.push(Line::styled(
            match lang {
                Lang::Ja => format!(
                    "フォルダの中のファイル {} 個（ハッシュは manifest.json にあります）",
                    count(summary.folder_files as u64)
                ),
                Lang::En => format!(
                    "files in the folder: {} (manifest.json lists their hashes)",
                    count(summary.folder_files as u64)
                ),
            },
            style::dim(),
        ));
    }
    if summary.replaced_messages > 0 {
        lines.push(Line::styled(
            match lang {
                Lang::Ja => format!(
                    "注意: CP932 で表せない文字を [U+XXXX] に置き換えたメッセージ {} 件（一覧はマニフェスト）",
                    count(summary.replaced_messages)
                ),
                Lang::En => format!(
                    "note: messages with characters CP932 cannot hold, written as [U+XXXX]: {} (listed in the manifest)",
                    count(summary.replaced_messages)
                ),
            },
            style::error(),
        ));
    }
    if summary.neutralized_cells > 0 {
        lines.push(Line::styled(
            match lang {
                Lang::Ja => format!(
                    "表計算ソフトが数式として読まないよう、先頭に ' を付けたセル {} 件",
                    count(summary.neutralized_cells)
                ),
                Lang::En => format!(
                    "cells prefixed with ' so that spreadsheets do not read them as formulas: {}",
                    count(summary.neutralized_cells)
                ),
            },
            style::dim(),
        ));
    }
    lines
}

fn draw_finished(buf: &mut Buffer, area: Rect, finished: &Finished, ui: &Ui<'_>) {
    let policy = ui.settings.ambiguous;
    let (title, lines) = match finished {
        Finished::Written(summary) => (
            Line::styled(ui.pick("書き出しました", "Exported"), style::title()),
            written_lines(summary, ui),
        ),
        Finished::Cancelled => (
            Line::styled(
                ui.pick("書き出しを中止しました", "Export cancelled"),
                style::error(),
            ),
            vec![Line::raw(ui.pick(
                "何も書き出していません。書きかけのファイルは消しました。",
                "Nothing was written; the files written so far were removed.",
            ))],
        ),
    };

    let width = 100.min(area.width);
    let text_width = usize::from(width.saturating_sub(2)).max(1);
    let mut rows = Vec::new();
    for line in &lines {
        let (wrapped, _) = wrap_line(line, text_width, 3, policy);
        rows.extend(wrapped);
    }

    let height = (rows.len() as u16 + 4).min(area.height);
    let box_area = centered(area, width, height);
    clear_for_overlay(buf, box_area);
    let inner = framed(buf, box_area, &title, true, ui);
    if inner.height == 0 {
        return;
    }
    let text_rows = usize::from(inner.height.saturating_sub(2));
    for (index, row) in rows.iter().take(text_rows).enumerate() {
        paint_line(
            buf,
            inner.x,
            inner.y + index as u16,
            inner.width,
            row,
            policy,
        );
    }
    paint_line(
        buf,
        inner.x,
        inner.bottom() - 1,
        inner.width,
        &Line::styled(ui.pick("Enter Esc 閉じる", "Enter Esc close"), style::dim()),
        policy,
    );
}

/// Returns `text` cut to `max` cells from the left, so the end of a path
/// (the file name) stays visible: `…/cases/report.csv`.
fn tail_cut(text: &str, max: usize, ui: &Ui<'_>) -> String {
    let policy = ui.settings.ambiguous;
    if display_width(text, policy) <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub(display_width(ELLIPSIS, policy));
    let mut tail = Vec::new();
    let mut used = 0;
    for g in text.graphemes(true).rev() {
        let g_width = grapheme_width(g, policy);
        if used + g_width > budget {
            break;
        }
        used += g_width;
        tail.push(g);
    }
    tail.reverse();
    format!("{ELLIPSIS}{}", tail.concat())
}
