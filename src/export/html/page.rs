//! The parts of a report page: head with style and Content-Security-Policy,
//! the report header, the tables of contents, room headings and messages.

use chrono::TimeZone;

use super::diff::push_diff;
use super::escape::{push_text, url_ranges};
use super::notation::{BodyRenderer, is_digits, push_account};
use crate::export::csv::{action_label, room_type_label};
use crate::export::plain::PlainRenderer;
use crate::export::plan::{Plan, PlannedRoom};
use crate::export::{Context, scope_description};
use crate::i18n::Lang;
use crate::model::RevisionKind;
use crate::query::read::{FileView, MessageView, RevisionView};

/// The Content-Security-Policy of every page: no script, no external
/// resource, inline style only. A second layer behind the escaping.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = include_str!("style.css");

/// Appends the document start up to and including `<body>`.
pub fn push_head(out: &mut String, title: &str, lang: Lang) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(lang.pick("ja", "en"));
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
    out.push_str(CONTENT_SECURITY_POLICY);
    out.push_str("\">\n<meta name=\"referrer\" content=\"no-referrer\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"cwlens ");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("\">\n<title>");
    push_text(out, title);
    out.push_str("</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
}

/// Appends the document end.
pub fn push_tail(out: &mut String, context: &Context<'_>) {
    let lang = context.request.lang;
    out.push_str("<footer>");
    out.push_str(lang.pick("作成: cwlens ", "Written by cwlens "));
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str(" · ");
    push_text(
        out,
        &crate::export::time::iso(context.exported_at, context.request.zone),
    );
    out.push_str("</footer>\n</body>\n</html>\n");
}

/// Returns the title of every report.
pub fn report_title(lang: Lang) -> &'static str {
    lang.pick(
        "Chatwork ログ調査レポート",
        "Chatwork log investigation report",
    )
}

/// The part of the header about the source export.
pub enum Sources<'a> {
    /// A table of every source file with its SHA-256.
    Table,
    /// A link to the page that contains the table.
    See(&'a str),
}

/// Appends the report header: case, investigator, purpose, time, tool,
/// scope, counts and the source files.
pub fn push_report_header(
    out: &mut String,
    context: &Context<'_>,
    plan: &Plan,
    heading: &str,
    sources: Sources<'_>,
) {
    let lang = context.request.lang;
    out.push_str("<header class=\"report\">\n<h1>");
    push_text(out, heading);
    out.push_str("</h1>\n<table class=\"meta\">\n");
    let folder_name = context
        .case_dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rows: [(&str, String); 8] = [
        (
            lang.pick("案件", "Case"),
            format!("{folder_name} ({})", context.case_dir.display()),
        ),
        (
            lang.pick("調査担当者", "Investigator"),
            context.info.investigator.clone(),
        ),
        (
            lang.pick("調査目的", "Purpose"),
            context.info.purpose.clone(),
        ),
        (
            lang.pick("出力日時", "Exported at"),
            crate::export::time::iso(context.exported_at, context.request.zone),
        ),
        (
            lang.pick("ツール", "Tool"),
            format!("cwlens {}", env!("CARGO_PKG_VERSION")),
        ),
        (lang.pick("範囲", "Scope"), scope_description(context, plan)),
        (
            lang.pick("件数", "Counts"),
            match lang {
                Lang::Ja => format!(
                    "ルーム {} / メッセージ {} / 以前の版 {}",
                    group(plan.rooms.len() as u64),
                    group(plan.messages),
                    group(plan.revisions)
                ),
                Lang::En => format!(
                    "{} rooms / {} messages / {} earlier versions",
                    group(plan.rooms.len() as u64),
                    group(plan.messages),
                    group(plan.revisions)
                ),
            },
        ),
        (
            lang.pick("時刻", "Times"),
            match lang {
                Lang::Ja => format!("{} の時刻で表示", context.request.zone.name()),
                Lang::En => format!("shown in {}", context.request.zone.name()),
            },
        ),
    ];
    for (label, value) in rows {
        out.push_str("<tr><th>");
        push_text(out, label);
        out.push_str("</th><td>");
        push_text(out, &value);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
    match sources {
        Sources::Table => push_source_table(out, context),
        Sources::See(page) => {
            out.push_str("<p class=\"note\">");
            out.push_str(lang.pick(
                "出典ファイルと SHA-256 は ",
                "The source files and their SHA-256 are listed in ",
            ));
            out.push_str("<a href=\"");
            push_text(out, page);
            out.push_str("\">");
            push_text(out, page);
            out.push_str("</a>");
            out.push_str(lang.pick(" に記載しています。", "."));
            out.push_str("</p>\n");
        }
    }
    out.push_str("</header>\n");
}

fn push_source_table(out: &mut String, context: &Context<'_>) {
    let lang = context.request.lang;
    out.push_str("<h2>");
    out.push_str(lang.pick(
        "出典ファイル（取り込んだエクスポート）",
        "Source files (the imported export)",
    ));
    out.push_str("</h2>\n");
    if let Some(path) = &context.info.export_path {
        out.push_str("<p class=\"note\">");
        push_text(out, path);
        out.push_str("</p>\n");
    }
    out.push_str("<table class=\"list sources\"><tr><th>");
    out.push_str(lang.pick("パス", "Path"));
    out.push_str("</th><th>");
    out.push_str(lang.pick("バイト数", "Bytes"));
    out.push_str("</th><th>SHA-256</th></tr>\n");
    for source in &context.source_files {
        out.push_str("<tr><td>");
        push_text(out, &source.path);
        out.push_str("</td><td class=\"num\">");
        out.push_str(&group(source.size.max(0) as u64));
        out.push_str("</td><td class=\"hash\">");
        push_text(out, &source.sha256);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

/// Appends a table of contents. `link` gives each room's link target.
pub fn push_toc(out: &mut String, plan: &Plan, lang: Lang, link: &dyn Fn(&PlannedRoom) -> String) {
    out.push_str("<nav class=\"toc\">\n<h2>");
    out.push_str(lang.pick("目次", "Contents"));
    out.push_str("</h2>\n<table class=\"list\"><tr><th>");
    out.push_str(lang.pick("ルーム", "Room"));
    out.push_str("</th><th>");
    out.push_str(lang.pick("種別", "Type"));
    out.push_str("</th><th>");
    out.push_str(lang.pick("ルームID", "Room ID"));
    out.push_str("</th><th>");
    out.push_str(lang.pick("メッセージ", "Messages"));
    out.push_str("</th><th>");
    out.push_str(lang.pick("以前の版", "Earlier versions"));
    out.push_str("</th></tr>\n");
    for planned in &plan.rooms {
        out.push_str("<tr><td><a href=\"");
        push_text(out, &link(planned));
        out.push_str("\">");
        push_text(out, &planned.room.display_name(lang));
        out.push_str("</a></td><td>");
        out.push_str(room_type_label(planned.room.room_type, lang));
        out.push_str("</td><td>");
        push_text(out, &planned.room.room_id);
        out.push_str("</td><td class=\"num\">");
        out.push_str(&group(planned.messages));
        out.push_str("</td><td class=\"num\">");
        out.push_str(&group(planned.revisions));
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n</nav>\n");
}

/// Returns the `id` of a room's section.
pub fn room_anchor(planned: &PlannedRoom) -> String {
    if is_digits(&planned.room.room_id) {
        format!("room-{}", planned.room.room_id)
    } else {
        format!("room-k{}", planned.room.room_key)
    }
}

/// Appends the start of a room's section with its heading.
pub fn push_room_start(out: &mut String, planned: &PlannedRoom, lang: Lang) {
    out.push_str("<section class=\"room\" id=\"");
    out.push_str(&room_anchor(planned));
    out.push_str("\">\n<h2>");
    push_text(out, &planned.room.display_name(lang));
    out.push_str("</h2>\n<div class=\"room-meta\">");
    out.push_str(lang.pick("ルームID: ", "Room ID: "));
    push_text(out, &planned.room.room_id);
    out.push_str(" · ");
    out.push_str(room_type_label(planned.room.room_type, lang));
    out.push_str(" · ");
    match lang {
        Lang::Ja => out.push_str(&format!(
            "メッセージ {} 件 · 以前の版 {} 件",
            group(planned.messages),
            group(planned.revisions)
        )),
        Lang::En => out.push_str(&format!(
            "{} messages · {} earlier versions",
            group(planned.messages),
            group(planned.revisions)
        )),
    }
    out.push_str("</div>\n");
    if planned.messages == 0 {
        out.push_str("<p class=\"note\">");
        out.push_str(lang.pick("メッセージはありません。", "No messages."));
        out.push_str("</p>\n");
    }
}

/// Appends the end of a room's section.
pub fn push_room_end(out: &mut String) {
    out.push_str("</section>\n");
}

/// One message with what the page shows of it.
pub struct MessageParts<'m> {
    pub message: &'m MessageView,
    pub files: &'m [FileView],
    /// Earlier versions, oldest first; empty without history.
    pub history: &'m [RevisionView],
    pub history_included: bool,
}

/// Appends a message.
pub fn push_message(
    out: &mut String,
    parts: &MessageParts<'_>,
    body: &BodyRenderer<'_>,
    plain: &PlainRenderer<'_>,
) {
    let message = parts.message;
    let lang = body.lang;

    out.push_str("<article class=\"message\" id=\"");
    if is_digits(&message.message_id) {
        out.push_str("m-");
        out.push_str(&message.message_id);
    } else {
        out.push_str(&format!("k-{}", message.msg_key));
    }
    out.push_str("\">\n<div class=\"message-head\"><time datetime=\"");
    push_text(out, &crate::export::time::iso(message.sent_at, body.zone));
    out.push_str("\">");
    push_text(out, &local_seconds(message.sent_at, body.zone));
    out.push_str("</time><span class=\"sender\">");
    push_account(out, &message.sender, lang);
    out.push_str("</span><span class=\"ids\">");
    out.push_str(lang.pick("送信者ID: ", "sender ID: "));
    push_text(out, &message.sender.account_id);
    out.push_str(lang.pick(" · メッセージID: ", " · message ID: "));
    push_text(out, &message.message_id);
    out.push_str("</span>");

    if message.edited {
        out.push_str("<span class=\"badge edited\">");
        out.push_str(lang.pick("編集済み", "edited"));
        out.push_str("</span>");
    }
    if message.deleted {
        out.push_str("<span class=\"badge deleted\">");
        out.push_str(lang.pick("削除済み", "deleted"));
        out.push_str("</span>");
    }
    for tag in &message.tags {
        out.push_str("<span class=\"badge tag\">");
        push_text(out, tag);
        out.push_str("</span>");
    }

    out.push_str("</div>\n<div class=\"body\">");
    body.render(&message.body, out);
    out.push_str("</div>\n");
    if let Some(note) = message
        .note
        .as_deref()
        .filter(|note| !note.trim().is_empty())
    {
        out.push_str("<p class=\"memo\">");
        out.push_str(lang.pick("調査メモ: ", "Investigator's note: "));
        push_text(out, note);
        out.push_str("</p>\n");
    }

    if !parts.files.is_empty() {
        push_files(out, parts.files, lang);
    }
    if parts.history_included {
        push_history(out, parts, body, plain);
    } else if message.revisions > 0 {
        out.push_str("<p class=\"note\">");
        out.push_str(&match lang {
            Lang::Ja => format!(
                "以前の版 {} 件（この出力には含めていません）",
                message.revisions
            ),
            Lang::En => format!(
                "{} earlier versions (not included in this export)",
                message.revisions
            ),
        });
        out.push_str("</p>\n");
    }
    out.push_str("</article>\n");
}

fn push_files(out: &mut String, files: &[FileView], lang: Lang) {
    out.push_str("<ul class=\"files\">");
    for file in files {
        out.push_str("<li>");
        out.push_str(lang.pick("ファイル: ", "File: "));
        push_text(out, &file.filename);
        if let Some(size) = file.filesize {
            out.push_str(" (");
            out.push_str(&human_size(size));
            out.push(')');
        }
        if let Some(url) = &file.url {
            out.push_str(" — ");
            let whole_url = url_ranges(url).first() == Some(&(0..url.len()));
            if whole_url {
                out.push_str("<a href=\"");
                push_text(out, url);
                out.push_str("\" rel=\"noopener noreferrer\">");
                push_text(out, url);
                out.push_str("</a>");
            } else {
                push_text(out, url);
            }
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

/// Appends the earlier versions: for each edit a diff from the text before
/// to the text after it, for a deletion the last text before it.
fn push_history(
    out: &mut String,
    parts: &MessageParts<'_>,
    body: &BodyRenderer<'_>,
    plain: &PlainRenderer<'_>,
) {
    let message = parts.message;
    let lang = body.lang;
    if parts.history.is_empty() {
        if message.edited || message.deleted {
            out.push_str("<p class=\"note\">");
            out.push_str(lang.pick(
                "変更前の本文はエクスポートに記録されていません。",
                "The export holds no text from before the change.",
            ));
            out.push_str("</p>\n");
        }
        return;
    }
    out.push_str("<div class=\"history\"><div class=\"history-title\">");
    out.push_str(&match lang {
        Lang::Ja => format!("編集・削除の履歴（{} 件）", parts.history.len()),
        Lang::En => format!("Edits and deletions ({})", parts.history.len()),
    });
    out.push_str("</div>\n<ol>\n");
    for (index, revision) in parts.history.iter().enumerate() {
        let after = parts
            .history
            .get(index + 1)
            .map_or(message.body.as_str(), |next| next.body_before.as_str());
        out.push_str("<li><div class=\"change-head\">");
        push_text(out, &local_seconds(revision.at, body.zone));
        out.push(' ');
        out.push_str(action_label(revision.kind, lang));
        out.push_str("</div>");
        let deleted_after =
            revision.kind == RevisionKind::Delete || crate::model::is_deleted_body(after);
        if deleted_after {
            out.push_str("<div class=\"note\">");
            out.push_str(lang.pick("削除前の本文:", "Text before the deletion:"));
            out.push_str("</div><div class=\"body\">");
            body.render(&revision.body_before, out);
            out.push_str("</div>");
        } else {
            out.push_str("<div class=\"note\">");
            out.push_str(&match lang {
                Lang::Ja => format!("版 {} → 版 {} の差分:", index + 1, index + 2),
                Lang::En => format!("Changes from version {} to {}:", index + 1, index + 2),
            });
            out.push_str("</div><div class=\"body diff\">");
            push_diff(
                out,
                &plain.render(&revision.body_before),
                &plain.render(after),
            );
            out.push_str("</div>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol></div>\n");
}

/// Formats Unix seconds as `2024-01-09 08:45:00` in the zone.
fn local_seconds(unix: i64, zone: chrono_tz::Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => unix.to_string(),
    }
}

/// Formats a byte count as Chatwork does: `247.60 KB`.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

/// Formats a count with thousands separators, as both languages write them.
pub fn group(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_chatwork() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(253_542), "247.60 KB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.00 MB");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(group(999), "999");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
