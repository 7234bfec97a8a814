//! CSV export: one row per message, and with history a second file of
//! earlier versions, one row per version.
//!
//! Every field is quoted (RFC 4180), so a body with commas, quotes or line
//! breaks stays one field, and records end with CRLF. Line breaks inside a
//! body are written as the body has them. Text cells from the data pass
//! through [`spreadsheet::neutralize`], IDs through [`spreadsheet::id_cell`].

use std::path::{Path, PathBuf};

use super::encoding::{Encoder, TextEncoding};
use super::output::{HashingFile, OutputFile, Staging};
use super::plain::PlainRenderer;
use super::plan::{Plan, Windows};
use super::replacements::{ReplacedMessage, ReplacementList, ReplacementLog};
use super::{Context, ExportError, Progress, spreadsheet, time};
use crate::i18n::Lang;
use crate::model::{RevisionKind, RoomType};
use crate::query::read::{MessageView, RevisionView};

/// Columns of the messages file: Japanese and English header.
pub const MESSAGE_COLUMNS: [(&str, &str); 16] = [
    ("ルームID", "room_id"),
    ("ルーム名", "room_name"),
    ("ルーム種別", "room_type"),
    ("メッセージID", "message_id"),
    ("送信日時", "sent_at"),
    ("送信者ID", "sender_id"),
    ("送信者名", "sender_name"),
    ("解約済み", "resigned"),
    ("本文", "body"),
    ("本文（原文）", "body_raw"),
    ("編集日時", "edited_at"),
    ("削除日時", "deleted_at"),
    ("以前の版の数", "earlier_versions"),
    ("タグ", "tags"),
    ("削除前の本文", "body_before_deletion"),
    ("メモ", "note"),
];

/// Columns of the revisions file: Japanese and English header.
pub const REVISION_COLUMNS: [(&str, &str); 11] = [
    ("ルームID", "room_id"),
    ("メッセージID", "message_id"),
    ("版", "version"),
    ("操作", "action"),
    ("操作日時", "action_at"),
    ("操作前の本文", "body_before"),
    ("操作前の本文（原文）", "body_before_raw"),
    ("ルーム名", "room_name"),
    ("送信日時", "sent_at"),
    ("送信者ID", "sender_id"),
    ("送信者名", "sender_name"),
];

/// Separator of several tags in the tags cell.
pub const TAG_SEPARATOR: &str = "\n";

/// Path of the revisions file beside `out`: `report.csv` gives
/// `report.revisions.csv`.
pub fn revisions_path(out: &Path) -> PathBuf {
    let stem = match out.extension() {
        Some(extension) if extension.eq_ignore_ascii_case("csv") => out.with_extension(""),
        _ => out.to_path_buf(),
    };
    let mut name = stem.into_os_string();
    name.push(".revisions.csv");
    PathBuf::from(name)
}

/// The files the CSV export wrote, with the characters and cells it changed.
pub struct CsvOutcome {
    pub files: Vec<OutputFile>,
    pub replaced: ReplacementList,
    pub neutralized_cells: u64,
}

/// A CSV file that quotes every field and encodes each record.
struct CsvFile {
    file: HashingFile,
    encoder: Encoder,
    record: String,
    encoded: Vec<u8>,
    /// Characters replaced since the last [`CsvFile::take_replaced`].
    replaced: Vec<char>,
}

impl CsvFile {
    fn create(
        staging: &mut Staging,
        path: &Path,
        encoding: TextEncoding,
    ) -> Result<CsvFile, ExportError> {
        let mut file = staging.create(path)?;
        file.put(encoding.preamble())?;
        Ok(CsvFile {
            file,
            encoder: Encoder::new(encoding),
            record: String::with_capacity(4096),
            encoded: Vec::with_capacity(4096),
            replaced: Vec::new(),
        })
    }

    fn write_row<'f>(
        &mut self,
        fields: impl IntoIterator<Item = &'f str>,
    ) -> Result<(), ExportError> {
        self.record.clear();
        for (index, field) in fields.into_iter().enumerate() {
            if index > 0 {
                self.record.push(',');
            }
            self.record.push('"');
            if field.contains('"') {
                self.record.push_str(&field.replace('"', "\"\""));
            } else {
                self.record.push_str(field);
            }
            self.record.push('"');
        }
        self.record.push_str("\r\n");
        self.encoded.clear();
        self.encoder
            .encode(&self.record, &mut self.encoded, &mut self.replaced);
        self.file.put(&self.encoded)
    }

    fn take_replaced(&mut self) -> Vec<char> {
        std::mem::take(&mut self.replaced)
    }
}

/// Counts the text cells that the spreadsheet rule changed.
#[derive(Default)]
struct Cells {
    neutralized: u64,
}

impl Cells {
    fn text<'v>(&mut self, value: &'v str) -> std::borrow::Cow<'v, str> {
        let cell = spreadsheet::neutralize(value);
        if matches!(cell, std::borrow::Cow::Owned(_)) {
            self.neutralized += 1;
        }
        cell
    }
}

/// Writes the CSV files of a plan.
pub fn write(
    context: &Context<'_>,
    plan: &Plan,
    staging: &mut Staging,
    progress: &mut Progress<'_>,
) -> Result<CsvOutcome, ExportError> {
    let request = context.request;
    let lang = request.lang;
    let ids_as_text = !request.plain_ids;
    let mut messages = CsvFile::create(staging, &request.out, request.encoding)?;
    messages.write_row(MESSAGE_COLUMNS.iter().map(|(ja, en)| lang.pick(ja, en)))?;
    let mut revisions = match request.history {
        true => {
            let mut file =
                CsvFile::create(staging, &revisions_path(&request.out), request.encoding)?;
            file.write_row(REVISION_COLUMNS.iter().map(|(ja, en)| lang.pick(ja, en)))?;
            Some(file)
        }
        false => None,
    };
    let plain = PlainRenderer {
        names: &context.names,
        lang,
        zone: request.zone,
    };
    let mut cells = Cells::default();
    let mut replaced_log = match request.encoding {
        TextEncoding::Cp932 => Some(ReplacementLog::create(
            &staging.scratch_path(&request.out, ".replaced")?,
        )?),
        TextEncoding::Utf8Bom | TextEncoding::Utf8 => None,
    };

    for planned in &plan.rooms {
        let room = &planned.room;
        let room_type = room_type_label(room.room_type, lang);
        let room_name = room.display_name(lang);
        let mut windows = Windows::new(context.reader, planned);
        while let Some(window) = windows.next_window()? {
            for message in &window {
                let history = if message.revisions > 0 {
                    context.reader.revisions(message.msg_key)?
                } else {
                    Vec::new()
                };
                let (edited_at, deleted_at) = change_times(message, &history);
                let sender = message.sender.display(lang);
                let body = plain.render(&message.body);
                let tags = message.tags.join(TAG_SEPARATOR);
                // A deleted message's row carries the text it had before,
                // so the row reads on its own.
                let before_deletion = if message.deleted {
                    history
                        .iter()
                        .rev()
                        .map(|revision| plain.render(&revision.body_before))
                        .find(|text| !text.trim().is_empty())
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                let note = message.note.clone().unwrap_or_default();
                let sent_at = time::iso(message.sent_at, request.zone);
                let fields = [
                    spreadsheet::id_cell(&room.room_id, ids_as_text),
                    cells.text(&room_name),
                    room_type.into(),
                    spreadsheet::id_cell(&message.message_id, ids_as_text),
                    sent_at.clone().into(),
                    spreadsheet::id_cell(&message.sender.account_id, ids_as_text),
                    cells.text(&sender),
                    yes_no(message.sender.resigned, lang).into(),
                    cells.text(&body),
                    cells.text(&message.body),
                    edited_at
                        .map(|at| time::iso(at, request.zone))
                        .unwrap_or_default()
                        .into(),
                    deleted_at
                        .map(|at| time::iso(at, request.zone))
                        .unwrap_or_default()
                        .into(),
                    message.revisions.to_string().into(),
                    cells.text(&tags),
                    cells.text(&before_deletion),
                    cells.text(&note),
                ];
                messages.write_row(fields.iter().map(|field| field.as_ref()))?;
                let mut replaced = messages.take_replaced();

                if let Some(file) = revisions.as_mut() {
                    for (index, revision) in history.iter().enumerate() {
                        let body_before = plain.render(&revision.body_before);
                        let fields = [
                            spreadsheet::id_cell(&room.room_id, ids_as_text),
                            spreadsheet::id_cell(&message.message_id, ids_as_text),
                            (index + 1).to_string().into(),
                            action_label(revision.kind, lang).into(),
                            time::iso(revision.at, request.zone).into(),
                            cells.text(&body_before),
                            cells.text(&revision.body_before),
                            cells.text(&room_name),
                            sent_at.clone().into(),
                            spreadsheet::id_cell(&message.sender.account_id, ids_as_text),
                            cells.text(&sender),
                        ];
                        file.write_row(fields.iter().map(|field| field.as_ref()))?;
                    }
                    replaced.extend(file.take_replaced());
                }
                if let Some(log) = replaced_log.as_mut().filter(|_| !replaced.is_empty()) {
                    log.push(ReplacedMessage::new(
                        &room.room_id,
                        &message.message_id,
                        &replaced,
                    ))?;
                }
            }
            progress.advance(window.len() as u64)?;
        }
    }

    let mut files = vec![messages.file.finish()?];
    if let Some(file) = revisions {
        files.push(file.file.finish()?);
    }
    Ok(CsvOutcome {
        files,
        replaced: match replaced_log {
            Some(log) => log.finish()?,
            None => ReplacementList::default(),
        },
        neutralized_cells: cells.neutralized,
    })
}

/// Returns the time of the last edit and of the deletion. They come from
/// the history where the export recorded it. Otherwise the message's
/// update time is used for the change that its flags mark as the last.
fn change_times(message: &MessageView, history: &[RevisionView]) -> (Option<i64>, Option<i64>) {
    let last_of = |kind: RevisionKind| {
        history
            .iter()
            .filter(|revision| revision.kind == kind)
            .map(|revision| revision.at)
            .next_back()
    };
    let deleted_at = last_of(RevisionKind::Delete)
        .or_else(|| message.deleted.then_some(message.updated_at).flatten());
    let edited_at = last_of(RevisionKind::Edit).or_else(|| {
        (message.edited && !message.deleted)
            .then_some(message.updated_at)
            .flatten()
    });
    (edited_at, deleted_at)
}

/// Returns the room type as the reports name it.
pub fn room_type_label(room_type: RoomType, lang: Lang) -> &'static str {
    match room_type {
        RoomType::Group => lang.pick("グループ", "group"),
        RoomType::Direct => lang.pick("ダイレクト", "direct"),
        RoomType::My => lang.pick("マイチャット", "my"),
        RoomType::Unknown => lang.pick("不明", "unknown"),
    }
}

/// Returns the change a revision records, as the reports name it.
pub fn action_label(kind: RevisionKind, lang: Lang) -> &'static str {
    match kind {
        RevisionKind::Edit => lang.pick("編集", "edit"),
        RevisionKind::Delete => lang.pick("削除", "delete"),
    }
}

fn yes_no(value: bool, lang: Lang) -> &'static str {
    match value {
        true => lang.pick("はい", "yes"),
        false => lang.pick("いいえ", "no"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_file_sits_beside() {
        assert_eq!(
            revisions_path(Path::new("/tmp/report.csv")),
            PathBuf::from("/tmp/report.revisions.csv")
        );
        assert_eq!(
            revisions_path(Path::new("report.CSV")),
            PathBuf::from("report.revisions.csv")
        );
        assert_eq!(
            revisions_path(Path::new("report")),
            PathBuf::from("report.revisions.csv")
        );
    }
}
