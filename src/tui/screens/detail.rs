//! One message with everything known about it: where and when it was
//! sent, its files, tags and note, and every version in time order with a
//! character-level diff between consecutive versions.

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};

use super::{Ui, framed};
use crate::model::RevisionKind;
use crate::query::read::{MessageDetail, RevisionView};
use crate::tui::format;
use crate::tui::theme::style;
use crate::tui::widgets::diff::char_diff;
use crate::tui::widgets::notation::render_body;
use crate::tui::widgets::text::{clean, clean_multiline, paint_line, prefixed, wrap_line};

/// Maximum rows of one version. A longer version is cut with a mark, so a
/// multi-megabyte body does not fill memory with rows.
const MAX_VERSION_ROWS: usize = 20_000;

#[derive(Debug)]
pub struct DetailState {
    pub detail: MessageDetail,
    lines: Vec<Line<'static>>,
    pub scroll: usize,
    view: Rect,
}

impl DetailState {
    pub fn new(detail: MessageDetail, area: Rect, ui: &Ui<'_>) -> DetailState {
        let view = text_area(area);
        let lines = build_lines(&detail, view.width, ui);
        DetailState {
            detail,
            lines,
            scroll: 0,
            view,
        }
    }

    pub fn msg_key(&self) -> i64 {
        self.detail.message.msg_key
    }

    pub fn resize(&mut self, area: Rect, ui: &Ui<'_>) {
        let view = text_area(area);
        if view != self.view {
            self.view = view;
            self.lines = build_lines(&self.detail, view.width, ui);
        }
        self.scroll_by(0);
    }

    /// Replaces the message, for example after its tags changed.
    pub fn replace(&mut self, detail: MessageDetail, ui: &Ui<'_>) {
        self.lines = build_lines(&detail, self.view.width, ui);
        self.detail = detail;
        self.scroll_by(0);
    }

    pub fn scroll_by(&mut self, delta: isize) {
        let max = self
            .lines
            .len()
            .saturating_sub(usize::from(self.view.height));
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    pub fn page(&self) -> isize {
        self.view.height.max(1) as isize
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }
}

fn text_area(area: Rect) -> Rect {
    area.inner(Margin::new(1, 1))
}

fn field(label: &str, value: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label}: "), style::dim())];
    spans.extend(value);
    Line::from(spans)
}

fn build_lines(detail: &MessageDetail, width: u16, ui: &Ui<'_>) -> Vec<Line<'static>> {
    let lang = ui.settings.lang;
    let zone = ui.settings.zone;
    let message = &detail.message;
    let width = usize::from(width).max(1);
    let mut lines = Vec::new();

    lines.push(field(
        ui.pick("ルーム", "Room"),
        vec![Span::raw(format!(
            "{} (ID {})",
            clean(&message.room_name),
            clean(&message.room_id)
        ))],
    ));
    lines.push(field(
        ui.pick("メッセージID", "Message ID"),
        vec![Span::raw(clean(&message.message_id))],
    ));
    lines.push(field(
        ui.pick("送信者", "Sender"),
        vec![
            Span::styled(
                format::account(&message.sender, lang),
                if message.sender.resigned {
                    style::resigned()
                } else {
                    style::sender()
                },
            ),
            Span::styled(
                format!(" (ID:{})", clean(&message.sender.account_id)),
                style::dim(),
            ),
        ],
    ));
    lines.push(field(
        ui.pick("送信日時", "Sent"),
        vec![
            Span::styled(
                format::time_with_offset(message.sent_at, zone),
                style::time(),
            ),
            Span::styled(
                format!(
                    " ({} {})",
                    ui.pick("エクスポートの表記", "as exported:"),
                    clean(&detail.sent_at_raw)
                ),
                style::dim(),
            ),
        ],
    ));
    if let Some(updated) = message.updated_at {
        lines.push(field(
            ui.pick("更新日時", "Updated"),
            vec![Span::styled(
                format::time_with_offset(updated, zone),
                style::time(),
            )],
        ));
    }
    let mut state = Vec::new();
    if message.edited {
        state.push(Span::styled(ui.pick("編集済 ", "edited "), style::edited()));
    }
    if message.deleted {
        state.push(Span::styled(
            ui.pick("削除済 ", "deleted "),
            style::deleted(),
        ));
    }
    if state.is_empty() {
        state.push(Span::raw(ui.pick("変更なし", "unchanged")));
    }
    lines.push(field(ui.pick("状態", "State"), state));
    for file in &detail.files {
        let mut text = clean(&file.filename);
        if let Some(size) = file.filesize {
            text.push_str(&format!(" ({})", format::file_size(size)));
        }
        if let Some(uploaded) = file.uploaded_at {
            text.push_str(&format!(" {}", format::time_with_offset(uploaded, zone)));
        }
        lines.push(field(
            ui.pick("ファイル", "File"),
            vec![Span::styled(text, style::file())],
        ));
    }
    let mut marks = Vec::new();
    if message.starred {
        marks.push(Span::styled("★ ", style::mention()));
    }
    for tag in &message.tags {
        marks.push(Span::styled(format!("#{} ", clean(tag)), style::task()));
    }
    if !marks.is_empty() {
        lines.push(field(ui.pick("印", "Marks"), marks));
    }
    if let Some(note) = &message.note {
        let (rows, _) = wrap_line(
            &Line::from(Span::raw(clean_multiline(note))),
            width.saturating_sub(2),
            200,
            ui.settings.ambiguous,
        );
        lines.push(field(ui.pick("メモ", "Note"), Vec::new()));
        lines.extend(
            rows.into_iter()
                .map(|row| prefixed(vec![Span::raw("  ")], row)),
        );
    }

    lines.push(Line::default());
    lines.push(Line::styled(
        ui.pick("■ 表示", "■ As shown"),
        style::header(),
    ));
    let shown = render_body(
        &message.body,
        width.saturating_sub(2),
        MAX_VERSION_ROWS,
        false,
        &ui.notation(),
    );
    lines.extend(
        shown
            .lines
            .into_iter()
            .map(|row| prefixed(vec![Span::raw("  ")], row)),
    );

    lines.push(Line::default());
    let versions = detail.versions();
    lines.push(Line::styled(
        match lang {
            crate::i18n::Lang::Ja => format!("■ 版の履歴（{} 版）", versions.len()),
            crate::i18n::Lang::En => format!("■ Versions ({})", versions.len()),
        },
        style::header(),
    ));
    if versions.len() > 1 {
        lines.push(Line::from(vec![
            Span::styled("[-…-]", style::removed()),
            Span::styled(ui.pick(" 削除された文字  ", " removed  "), style::dim()),
            Span::styled("{+…+}", style::inserted()),
            Span::styled(ui.pick(" 追加された文字", " inserted"), style::dim()),
        ]));
    }
    if detail.revisions.is_empty() && (message.edited || message.deleted) {
        lines.push(Line::styled(
            ui.pick(
                "  変更前の版はエクスポートに含まれていません（変更履歴の出力範囲外）",
                "  The export holds no earlier version (the change is outside the range of the change log)",
            ),
            style::dim(),
        ));
    }

    let mut previous: Option<&str> = None;
    let mut began: Option<&RevisionView> = None;
    for (index, (text, ended_by)) in versions.iter().enumerate() {
        let number = index + 1;
        let deleted_now = began.is_some_and(|r| r.kind == RevisionKind::Delete)
            && crate::model::is_deleted_body(text);
        let mut heading = vec![Span::styled(
            match lang {
                crate::i18n::Lang::Ja => format!("版 {number}  "),
                crate::i18n::Lang::En => format!("Version {number}  "),
            },
            style::title(),
        )];
        match began {
            None => {
                heading.push(Span::raw(ui.pick("送信 ", "sent ")));
                heading.push(Span::styled(
                    format::time_with_offset(message.sent_at, zone),
                    style::time(),
                ));
            }
            Some(revision) => {
                heading.push(Span::styled(
                    format!("{} ", format::revision_kind(revision.kind, lang)),
                    if revision.kind == RevisionKind::Delete {
                        style::deleted()
                    } else {
                        style::edited()
                    },
                ));
                heading.push(Span::styled(
                    format::time_with_offset(revision.at, zone),
                    style::time(),
                ));
            }
        }
        if ended_by.is_none() {
            heading.push(Span::styled(
                ui.pick("  （現在）", "  (current)"),
                style::dim(),
            ));
        }
        let body = match previous {
            Some(before) if !deleted_now => {
                let diff = char_diff(before, text);
                heading.push(Span::styled(
                    match lang {
                        crate::i18n::Lang::Ja => {
                            format!("  −{} +{} 文字", diff.removed, diff.inserted)
                        }
                        crate::i18n::Lang::En => {
                            format!("  −{} +{} characters", diff.removed, diff.inserted)
                        }
                    },
                    style::dim(),
                ));
                diff.line
            }
            _ if deleted_now => Line::styled(
                ui.pick(
                    "（このメッセージは削除されました。直前の版が最後の内容です）",
                    "(deleted; the version before is the last known text)",
                ),
                style::deleted(),
            ),
            _ => Line::from(Span::raw(clean_multiline(text))),
        };
        lines.push(Line::from(heading));
        let (rows, cut) = wrap_line(
            &body,
            width.saturating_sub(2),
            MAX_VERSION_ROWS,
            ui.settings.ambiguous,
        );
        lines.extend(
            rows.into_iter()
                .map(|row| prefixed(vec![Span::raw("  ")], row)),
        );
        if cut {
            lines.push(Line::styled(
                ui.pick("  …（以下省略）", "  … (cut)"),
                style::dim(),
            ));
        }
        previous = Some(text);
        began = *ended_by;
    }
    lines
}

pub fn draw(buf: &mut Buffer, area: Rect, state: &DetailState, ui: &Ui<'_>) {
    let total = state.lines.len();
    let title = Line::from(vec![
        Span::styled(
            ui.pick("メッセージの詳細", "Message detail"),
            style::title(),
        ),
        Span::styled(
            format!(
                " {}-{}/{}",
                (state.scroll + 1).min(total),
                (state.scroll + usize::from(state.view.height)).min(total),
                total
            ),
            style::dim(),
        ),
    ]);
    let inner = framed(buf, area, &title, true, ui);
    for (row, line) in state
        .lines
        .iter()
        .skip(state.scroll)
        .take(usize::from(inner.height))
        .enumerate()
    {
        paint_line(
            buf,
            inner.x,
            inner.y + row as u16,
            inner.width,
            line,
            ui.settings.ambiguous,
        );
    }
}
