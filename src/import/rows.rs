//! Row-by-row import of CSV files into the case store.
//!
//! Every record read ends in exactly one of two places: the case tables,
//! or the quarantine with its file, record number, line and reason.

use std::collections::HashMap;

use anyhow::Context;

use super::ImportOptions;
use super::columns::{FileKind, HeaderMap};
use super::csv_layout::{FoundFile, require_columns};
use super::names::NameHints;
use super::source::{self, TextEncoding};
use super::values::{IdError, parse_id, parse_name, parse_time};
use crate::i18n::Lang;
use crate::model::{Account, FileRef, Message, RevisionKind, Role, Room, RoomType, Timestamp};
use crate::store::writer::{BodyFacts, RowOrigin, Writer};
use crate::text::notation::{self, Node};

/// One source file being read.
pub struct FileSession {
    pub file: FoundFile,
    pub source_id: i64,
    pub encoding: TextEncoding,
    pub headers: HeaderMap,
    pub header_names: Vec<String>,
    reader: source::CsvReader,
    record: csv::ByteRecord,
    next_record_number: u64,
    pub rows_read: u64,
    pub rows_imported: u64,
    pub rows_quarantined: u64,
    /// The file ends inside a quoted field (see `source::hash_file_with_quotes`).
    ends_in_quote: bool,
    /// The file ends with a line break, as every record of an export does.
    ends_with_line_break: bool,
    /// A record that took in later records went to the quarantine; its
    /// unclosed quote explains a file that ends inside a quoted field.
    swallowed: bool,
    /// Record number and line of the last record read.
    last_record: Option<(u64, u64)>,
}

/// A file that ends inside a quoted field or without a line break, so its
/// last record may be cut short. The record is imported as read, and the
/// import reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CutFile {
    pub path: String,
    pub record: u64,
    pub line: u64,
    /// True when the file ends inside a quoted field, false when it ends
    /// without a line break.
    pub inside_quote: bool,
}

/// Data an export should have and this one lacks: the import goes on
/// without it and reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingData {
    /// The file or folder, relative to the export folder.
    pub path: String,
    pub kind: MissingKind,
}

/// Kinds of [`MissingData`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingKind {
    /// The file is empty or has no header row.
    EmptyFile,
    /// A room folder has no messages file.
    NoMessagesFile,
    /// The export has no members file, so rooms have no names or members.
    NoMembersFile,
}

/// Rows read, imported and quarantined from one source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub read: u64,
    pub imported: u64,
    pub quarantined: u64,
}

/// A decoded record with its location.
struct Row {
    number: u64,
    line: u64,
    fields: Vec<String>,
}

/// Progress callback: bytes of source files read so far.
pub type ProgressFn<'p> = dyn FnMut(u64) + 'p;

/// Reads source files into a `Writer`.
pub struct Importer<'c, 'p> {
    pub writer: Writer<'c>,
    options: &'p ImportOptions,
    names: NameHints,
    bytes_done: u64,
    progress: &'p mut ProgressFn<'p>,
    /// Called after each commit with the key up to which messages are
    /// settled (see [`Importer::settled_through`]); the indexer catches up then.
    on_commit: &'p mut dyn FnMut(i64) -> anyhow::Result<()>,
    /// Set while a room is read whose later files may still add earlier
    /// versions to its new messages: the largest message key before it.
    hold_above: Option<i64>,
    pub files_skipped: u64,
    /// Files that end inside a quoted field, in the order read.
    pub cut_files: Vec<CutFile>,
    pub missing: Vec<MissingData>,
}

impl<'c, 'p> Importer<'c, 'p> {
    pub fn new(
        writer: Writer<'c>,
        options: &'p ImportOptions,
        progress: &'p mut ProgressFn<'p>,
        on_commit: &'p mut dyn FnMut(i64) -> anyhow::Result<()>,
    ) -> Self {
        Importer {
            writer,
            options,
            names: NameHints::default(),
            bytes_done: 0,
            progress,
            on_commit,
            hold_above: None,
            files_skipped: 0,
            cut_files: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// Returns the largest message key whose message can gain no more
    /// earlier versions from the files still to read, or every key when no
    /// room is held. The indexer indexes no further, so that a message is
    /// indexed once with all its versions instead of twice.
    pub fn settled_through(&self) -> i64 {
        self.hold_above.unwrap_or(i64::MAX)
    }

    /// Marks the messages written from now on as unsettled until
    /// [`Importer::release`]. Returns false when a hold is already on.
    pub fn hold(&mut self) -> anyhow::Result<bool> {
        if self.hold_above.is_some() {
            return Ok(false);
        }
        self.hold_above = Some(self.writer.max_msg_key()?);
        Ok(true)
    }

    /// Ends a hold; the next commit lets the indexer take the held messages.
    pub fn release(&mut self) {
        self.hold_above = None;
    }

    fn committed(&mut self) -> anyhow::Result<()> {
        let settled = self.settled_through();
        (self.on_commit)(settled)
    }

    pub fn options(&self) -> &ImportOptions {
        self.options
    }

    pub fn lang(&self) -> Lang {
        self.options.lang
    }

    pub fn into_parts(self) -> (Writer<'c>, NameHints) {
        (self.writer, self.names)
    }

    pub fn room_key(&mut self, room_id: &str) -> anyhow::Result<i64> {
        Ok(self.writer.room_key(room_id)?)
    }

    /// Opens a source file. Returns `None` when an earlier import already
    /// read the same file to the end, or when the file has no header row.
    pub fn open_file(
        &mut self,
        file: &FoundFile,
        kind: FileKind,
    ) -> anyhow::Result<Option<FileSession>> {
        let (sha256, size, odd_quotes, last_byte) = source::hash_file_with_quotes(&file.path)
            .with_context(|| format!("cannot read {}", file.path.display()))?;
        let encoding = match self.options.mapping.encoding() {
            Some(encoding) => encoding,
            None => source::detect_encoding(&file.path)
                .with_context(|| format!("cannot read {}", file.path.display()))?,
        };
        let kind_label = file.kind.map_or("unknown", FileKind::as_str);
        if self.writer.already_imported(&file.relative, &sha256)? {
            let source_id = self.writer.source_file(
                &file.relative,
                kind_label,
                size,
                &sha256,
                encoding.label(),
            )?;
            self.writer.finish_source(source_id, "skipped", 0, 0, 0)?;
            self.advance(size);
            self.files_skipped += 1;
            return Ok(None);
        }
        let mut reader = source::csv_reader(&file.path, encoding)
            .with_context(|| format!("cannot read {}", file.path.display()))?;
        let mut record = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut record)
            .with_context(|| format!("cannot parse the header row of {}", file.path.display()))?;
        let source_id =
            self.writer
                .source_file(&file.relative, kind_label, size, &sha256, encoding.label())?;
        if !has_header {
            self.writer.finish_source(source_id, "complete", 0, 0, 0)?;
            self.missing.push(MissingData {
                path: file.relative.clone(),
                kind: MissingKind::EmptyFile,
            });
            self.advance(size);
            return Ok(None);
        }
        let header_names: Vec<String> = record
            .iter()
            .map(|field| {
                encoding
                    .decode_field(field)
                    .unwrap_or_else(|| String::from_utf8_lossy(field).into_owned())
            })
            .collect();
        let headers = HeaderMap::build(kind, &header_names, self.options.mapping.overrides(kind));
        Ok(Some(FileSession {
            file: file.clone(),
            source_id,
            encoding,
            headers,
            header_names,
            reader,
            record,
            next_record_number: 1,
            rows_read: 0,
            rows_imported: 0,
            rows_quarantined: 0,
            ends_in_quote: odd_quotes && !encoding.is_utf16(),
            // The last byte of a UTF-16 line break depends on the byte order.
            ends_with_line_break: encoding.is_utf16()
                || matches!(last_byte, None | Some(b'\n' | b'\r')),
            swallowed: false,
            last_record: None,
        }))
    }

    /// Registers a non-CSV source file. Returns `None` when an earlier
    /// import already read the same file to the end.
    pub fn open_other(
        &mut self,
        file: &FoundFile,
        kind_label: &str,
        encoding: &str,
    ) -> anyhow::Result<Option<i64>> {
        let (sha256, size) = source::hash_file(&file.path)
            .with_context(|| format!("cannot read {}", file.path.display()))?;
        let source_id =
            self.writer
                .source_file(&file.relative, kind_label, size, &sha256, encoding)?;
        if self.writer.already_imported(&file.relative, &sha256)? {
            self.writer.finish_source(source_id, "skipped", 0, 0, 0)?;
            self.advance(size);
            self.files_skipped += 1;
            return Ok(None);
        }
        Ok(Some(source_id))
    }

    /// Closes a non-CSV source file opened with `open_other`.
    pub fn close_other(
        &mut self,
        file: &FoundFile,
        source_id: i64,
        counts: RowCounts,
    ) -> anyhow::Result<()> {
        self.writer.finish_source(
            source_id,
            "complete",
            counts.read,
            counts.imported,
            counts.quarantined,
        )?;
        self.writer.counts.rows_read += counts.read;
        self.writer.counts.rows_imported += counts.imported;
        self.writer.counts.rows_quarantined += counts.quarantined;
        self.advance(file.size);
        if self.writer.commit_if_full()? {
            self.committed()?;
        }
        Ok(())
    }

    /// Records the counts of a finished file and commits.
    pub fn close_file(&mut self, session: Option<FileSession>) -> anyhow::Result<()> {
        let Some(session) = session else {
            return Ok(());
        };
        let ends_in_quote = session.ends_in_quote && !session.swallowed;
        if let Some((record, line)) = session.last_record
            && (ends_in_quote || !session.ends_with_line_break)
        {
            tracing::warn!(
                path = %session.file.relative,
                record,
                inside_quote = ends_in_quote,
                "the file may be cut short"
            );
            self.cut_files.push(CutFile {
                path: session.file.relative.clone(),
                record,
                line,
                inside_quote: ends_in_quote,
            });
        }
        self.writer.finish_source(
            session.source_id,
            "complete",
            session.rows_read,
            session.rows_imported,
            session.rows_quarantined,
        )?;
        self.writer.counts.rows_read += session.rows_read;
        self.writer.counts.rows_imported += session.rows_imported;
        self.writer.counts.rows_quarantined += session.rows_quarantined;
        self.advance(session.file.size);
        Ok(())
    }

    fn advance(&mut self, bytes: u64) {
        self.bytes_done += bytes;
        (self.progress)(self.bytes_done);
    }

    /// Reads the next record. Records with an encoding error or a field
    /// count that does not fit the header go to the quarantine here.
    fn next_row(&mut self, session: &mut FileSession) -> anyhow::Result<Option<Row>> {
        loop {
            if self.writer.commit_if_full()? {
                self.committed()?;
                let position = session.reader.position().byte();
                (self.progress)(self.bytes_done + position.min(session.file.size));
            }
            let read = session
                .reader
                .read_byte_record(&mut session.record)
                .with_context(|| {
                    format!(
                        "cannot read {} after record {}",
                        session.file.relative,
                        session.next_record_number - 1
                    )
                })?;
            if !read {
                return Ok(None);
            }
            let number = session.next_record_number;
            session.next_record_number += 1;
            session.rows_read += 1;
            let line = source::record_line(&mut session.reader, &session.record);
            session.last_record = Some((number, line));
            let mut fields = Vec::with_capacity(session.record.len());
            let mut undecodable = None;
            for (index, field) in session.record.iter().enumerate() {
                match session.encoding.decode_field(field) {
                    Some(text) => fields.push(text),
                    None => {
                        undecodable = Some(index);
                        break;
                    }
                }
            }
            if let Some(index) = undecodable {
                let column = session.header_names.get(index).cloned().unwrap_or_default();
                let reason = match self.lang() {
                    Lang::Ja => format!(
                        "列 {column} が {} として読めません",
                        session.encoding.label()
                    ),
                    Lang::En => {
                        format!("column {column} is not valid {}", session.encoding.label())
                    }
                };
                self.quarantine_current(session, number, line, &reason)?;
                continue;
            }
            if let Some(reason) = field_count_problem(&session.header_names, &fields, self.lang()) {
                self.quarantine_current(session, number, line, &reason)?;
                continue;
            }
            return Ok(Some(Row {
                number,
                line,
                fields,
            }));
        }
    }

    fn quarantine_current(
        &mut self,
        session: &mut FileSession,
        number: u64,
        line: u64,
        reason: &str,
    ) -> anyhow::Result<()> {
        let raw = raw_record(session);
        self.writer.quarantine(
            &session.file.relative,
            Some(number),
            Some(line),
            reason,
            &raw,
        )?;
        session.rows_quarantined += 1;
        Ok(())
    }

    /// Puts every record of a file into the quarantine.
    pub fn quarantine_whole_file(
        &mut self,
        session: &mut FileSession,
        reason: &str,
    ) -> anyhow::Result<()> {
        let header_count = session.header_names.len();
        // Rows of an unrecognised file have no field count to check against.
        session.header_names = vec![String::new(); header_count];
        while let Some(row) = self.next_row_unchecked(session)? {
            self.quarantine_current(session, row.0, row.1, reason)?;
        }
        Ok(())
    }

    fn next_row_unchecked(
        &mut self,
        session: &mut FileSession,
    ) -> anyhow::Result<Option<(u64, u64)>> {
        self.writer.commit_if_full()?;
        if !session.reader.read_byte_record(&mut session.record)? {
            return Ok(None);
        }
        let number = session.next_record_number;
        session.next_record_number += 1;
        session.rows_read += 1;
        let line = source::record_line(&mut session.reader, &session.record);
        Ok(Some((number, line)))
    }

    fn reject(&mut self, session: &mut FileSession, row: &Row, reason: &str) -> anyhow::Result<()> {
        self.quarantine_current(session, row.number, row.line, reason)
    }

    /// Reads a required ID; a bad one sends the row to the quarantine and returns `None`.
    fn required_id(
        &mut self,
        session: &mut FileSession,
        row: &Row,
        field: &str,
    ) -> anyhow::Result<Option<String>> {
        match self.id_field(session, row, field) {
            Ok(id) => Ok(Some(id)),
            Err(reason) => {
                self.reject(session, row, &reason)?;
                Ok(None)
            }
        }
    }

    fn id_field(&self, session: &FileSession, row: &Row, field: &str) -> Result<String, String> {
        let raw = session.headers.get(&row.fields, field).unwrap_or("");
        parse_id(raw).map_err(|error| self.id_reason(&error, field))
    }

    fn id_reason(&self, error: &IdError, field: &str) -> String {
        match (self.lang(), error) {
            (Lang::Ja, IdError::Missing) => format!("{field} が空です"),
            (Lang::Ja, IdError::Damaged(raw)) => format!(
                "{field} {raw:?} は表計算ソフトで数値に変換され、桁が失われています。元のエクスポートファイルを使ってください"
            ),
            (Lang::Ja, IdError::Invalid(raw)) => format!("{field} {raw:?} は ID ではありません"),
            (Lang::En, error) => error.reason(field),
        }
    }

    fn time_reason(&self, field: &str, raw: &str) -> String {
        match self.lang() {
            Lang::Ja => format!("{field} {raw:?} を日時として読めません"),
            Lang::En => format!("{field} {raw:?} is not a time cwlens can read"),
        }
    }

    /// Imports the members file: rooms, accounts and memberships.
    pub fn import_members(
        &mut self,
        session: &mut FileSession,
        path_to_room: &mut HashMap<String, String>,
    ) -> anyhow::Result<()> {
        require_columns(session, self.lang())?;
        while let Some(row) = self.next_row(session)? {
            let Some(room_id) = self.required_id(session, &row, "room_id")? else {
                continue;
            };
            let Some(account_id) = self.required_id(session, &row, "account_id")? else {
                continue;
            };
            let headers = &session.headers;
            let file_path = headers
                .get(&row.fields, "file_path")
                .map(|path| path.trim().trim_matches('/').replace('\\', "/"))
                .filter(|path| !path.is_empty());
            if let Some(path) = &file_path {
                path_to_room.insert(path.clone(), room_id.clone());
            }
            let room = Room {
                room_id: room_id.clone(),
                name: headers
                    .get(&row.fields, "room_name")
                    .unwrap_or("")
                    .trim()
                    .to_string(),
                room_type: headers
                    .get(&row.fields, "room_type")
                    .map_or(RoomType::Unknown, RoomType::parse),
                file_path,
            };
            let role = headers
                .get(&row.fields, "role")
                .map_or(Role::Unknown, Role::parse);
            let account = account_from(
                &account_id,
                headers.get(&row.fields, "name").unwrap_or(""),
                headers.get(&row.fields, "organization_name"),
                headers.get(&row.fields, "department"),
            );
            let room_key = self.writer.room(&room)?;
            let account_key = self.writer.account(&account, true)?;
            self.writer.membership(room_key, account_key, role)?;
            session.rows_imported += 1;
        }
        Ok(())
    }

    /// Imports a room's member list.
    pub fn import_room_members(
        &mut self,
        session: &mut FileSession,
        room_key: i64,
    ) -> anyhow::Result<()> {
        require_columns(session, self.lang())?;
        while let Some(row) = self.next_row(session)? {
            let Some(account_id) = self.required_id(session, &row, "account_id")? else {
                continue;
            };
            let headers = &session.headers;
            let role = headers
                .get(&row.fields, "role")
                .map_or(Role::Unknown, Role::parse);
            let account = account_from(
                &account_id,
                headers.get(&row.fields, "name").unwrap_or(""),
                headers.get(&row.fields, "organization_name"),
                headers.get(&row.fields, "department"),
            );
            let account_key = self.writer.account(&account, true)?;
            self.writer.membership(room_key, account_key, role)?;
            session.rows_imported += 1;
        }
        Ok(())
    }

    /// Imports a room's messages. When the file carries an action column, rows with
    /// an edit or delete action are history and are read in a second pass,
    /// after every message of the file exists.
    pub fn import_messages(
        &mut self,
        session: &mut FileSession,
        room_id: &str,
        room_key: i64,
    ) -> anyhow::Result<()> {
        require_columns(session, self.lang())?;
        let inline_history = session.headers.has("action");
        // A second pass over this file adds earlier versions to the messages
        // of the first one.
        let held_here = inline_history && self.hold()?;
        let mut history_rows = 0u64;
        while let Some(row) = self.next_row(session)? {
            if inline_history {
                let action = session
                    .headers
                    .get(&row.fields, "action")
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if !action.is_empty() && !is_current_action(&action) {
                    if RevisionKind::parse(&action).is_some() {
                        history_rows += 1;
                    } else {
                        let reason = self.action_reason(&action);
                        self.reject(session, &row, &reason)?;
                    }
                    continue;
                }
            }
            self.import_message_row(session, &row, room_id, room_key)?;
        }
        if history_rows > 0 {
            self.import_inline_history(session, room_key)?;
        }
        if held_here {
            self.release();
        }
        Ok(())
    }

    fn action_reason(&self, action: &str) -> String {
        match self.lang() {
            Lang::Ja => format!("操作 {action:?} は 編集・削除 のどちらでもありません"),
            Lang::En => format!("action {action:?} is neither edit nor delete"),
        }
    }

    fn import_message_row(
        &mut self,
        session: &mut FileSession,
        row: &Row,
        room_id: &str,
        room_key: i64,
    ) -> anyhow::Result<()> {
        let message_id = match self.id_field(session, row, "message_id") {
            Ok(id) => id,
            Err(reason) => return self.reject(session, row, &reason),
        };
        let account_id = match self.id_field(session, row, "account_id") {
            Ok(id) => id,
            Err(reason) => return self.reject(session, row, &reason),
        };
        let zone = self.options.source_tz;
        let headers = &session.headers;
        let send_raw = headers.get(&row.fields, "send_time").unwrap_or("");
        let Some(sent_at) = parse_time(send_raw, zone) else {
            let reason = self.time_reason("send_time", send_raw);
            return self.reject(session, row, &reason);
        };
        let update_raw = headers.get(&row.fields, "update_time").unwrap_or("");
        let updated_at = parse_time(update_raw, zone);
        if updated_at.is_none() && !update_raw.trim().is_empty() && update_raw.trim() != "0" {
            let reason = self.time_reason("update_time", update_raw);
            return self.reject(session, row, &reason);
        }
        let raw_name = headers.get(&row.fields, "name").unwrap_or("");
        let body = headers.get(&row.fields, "body").unwrap_or("").to_string();
        if let Some(body_line) = embedded_record(&body, session, zone) {
            let reason = match self.lang() {
                Lang::Ja => format!(
                    "本文の {body_line} 行目が、このファイルの別のレコードのように読めます。引用符が閉じていないため、後のレコードを本文に取り込んでしまった可能性があります。元のファイルのこのレコード（{} 行目から）を確認してください",
                    row.line
                ),
                Lang::En => format!(
                    "line {body_line} of the body reads like another record of this file; a quote that is never closed may have pulled the records after it into this body. Check this record in the file, from line {}",
                    row.line
                ),
            };
            session.swallowed = true;
            return self.reject(session, row, &reason);
        }
        let extra: Vec<(String, String)> = headers
            .unknown
            .iter()
            .filter_map(|(index, header)| {
                row.fields
                    .get(*index)
                    .map(|value| (header.clone(), value.clone()))
            })
            .collect();
        let account = account_from(&account_id, raw_name, None, None);
        let message = Message {
            room_id: room_id.to_string(),
            message_id,
            account_id,
            sender_raw_name: raw_name.to_string(),
            sent_at,
            updated_at,
            body,
            extra,
        };
        self.write_message(session, row.number, room_key, &account, &message)
    }

    /// Writes one message with its account; shared by the CSV and JSON readers.
    pub fn write_message_parts(
        &mut self,
        source_id: i64,
        record: u64,
        room_key: i64,
        account: &Account,
        message: &Message,
    ) -> anyhow::Result<()> {
        // A body without notation has no file and no person tag.
        let facts = if notation::is_plain(&message.body) {
            BodyFacts::default()
        } else {
            let nodes = notation::parse(&message.body);
            self.names.collect(&nodes);
            body_facts(&nodes)
        };
        let account_key = self.writer.account(account, false)?;
        self.writer.message(
            room_key,
            account_key,
            message,
            &facts,
            RowOrigin { source_id, record },
        )?;
        Ok(())
    }

    fn write_message(
        &mut self,
        session: &mut FileSession,
        record: u64,
        room_key: i64,
        account: &Account,
        message: &Message,
    ) -> anyhow::Result<()> {
        self.write_message_parts(session.source_id, record, room_key, account, message)?;
        session.rows_imported += 1;
        Ok(())
    }

    /// Second pass over a messages file: its history rows.
    fn import_inline_history(
        &mut self,
        session: &mut FileSession,
        room_key: i64,
    ) -> anyhow::Result<()> {
        let mut reader = source::csv_reader(&session.file.path, session.encoding)?;
        let mut record = csv::ByteRecord::new();
        reader.read_byte_record(&mut record)?;
        let mut number = 0u64;
        while reader.read_byte_record(&mut record)? {
            number += 1;
            self.writer.commit_if_full()?;
            let line = source::record_line(&mut reader, &record);
            let Some(fields) = record
                .iter()
                .map(|field| session.encoding.decode_field(field))
                .collect::<Option<Vec<String>>>()
            else {
                continue; // quarantined in the first pass
            };
            if field_count_problem(&session.header_names, &fields, self.lang()).is_some() {
                continue;
            }
            let headers = &session.headers;
            let action = headers.get(&fields, "action").unwrap_or("").trim();
            let Some(kind) = RevisionKind::parse(action) else {
                continue;
            };
            let row = Row {
                number,
                line,
                fields: fields.clone(),
            };
            let time_raw = ["action_time", "update_time", "send_time"]
                .into_iter()
                .filter_map(|field| headers.get(&fields, field))
                .find(|value| !value.trim().is_empty())
                .unwrap_or("")
                .to_string();
            let body = headers
                .get(&fields, "body_before")
                .or_else(|| headers.get(&fields, "body"))
                .unwrap_or("")
                .to_string();
            let message_id = headers.get(&fields, "message_id").unwrap_or("").to_string();
            session.record = record.clone();
            self.import_revision(session, &row, room_key, &message_id, kind, &time_raw, &body)?;
        }
        Ok(())
    }

    /// Imports a room's edit and deletion history.
    pub fn import_message_logs(
        &mut self,
        session: &mut FileSession,
        room_key: i64,
    ) -> anyhow::Result<()> {
        require_columns(session, self.lang())?;
        while let Some(row) = self.next_row(session)? {
            let headers = &session.headers;
            let action = headers
                .get(&row.fields, "action")
                .unwrap_or("")
                .trim()
                .to_string();
            let Some(kind) = RevisionKind::parse(&action) else {
                let reason = self.action_reason(&action);
                self.reject(session, &row, &reason)?;
                continue;
            };
            let time_raw = headers
                .get(&row.fields, "action_time")
                .unwrap_or("")
                .to_string();
            let body = headers
                .get(&row.fields, "body_before")
                .unwrap_or("")
                .to_string();
            let message_id = headers
                .get(&row.fields, "message_id")
                .unwrap_or("")
                .to_string();
            self.import_revision(session, &row, room_key, &message_id, kind, &time_raw, &body)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn import_revision(
        &mut self,
        session: &mut FileSession,
        row: &Row,
        room_key: i64,
        message_id_raw: &str,
        kind: RevisionKind,
        time_raw: &str,
        body_before: &str,
    ) -> anyhow::Result<()> {
        let message_id = match parse_id(message_id_raw) {
            Ok(id) => id,
            Err(error) => {
                let reason = self.id_reason(&error, "message_id");
                return self.reject(session, row, &reason);
            }
        };
        let Some(at) = parse_time(time_raw, self.options.source_tz) else {
            let reason = self.time_reason("action_time", time_raw);
            return self.reject(session, row, &reason);
        };
        let Some(msg_key) = self.writer.message_key(room_key, &message_id)? else {
            let reason = match self.lang() {
                Lang::Ja => format!("このルームにメッセージ {message_id} がありません"),
                Lang::En => format!("message {message_id} is not in this room"),
            };
            return self.reject(session, row, &reason);
        };
        self.writer.revision(
            msg_key,
            kind,
            &at,
            body_before,
            RowOrigin {
                source_id: session.source_id,
                record: row.number,
            },
        )?;
        session.rows_imported += 1;
        Ok(())
    }

    /// Imports a room's shared files.
    pub fn import_files(&mut self, session: &mut FileSession, room_key: i64) -> anyhow::Result<()> {
        require_columns(session, self.lang())?;
        while let Some(row) = self.next_row(session)? {
            let Some(file_id) = self.required_id(session, &row, "file_id")? else {
                continue;
            };
            let headers = &session.headers;
            let message_id = headers
                .get(&row.fields, "message_id")
                .and_then(|raw| parse_id(raw).ok());
            let account_id = headers
                .get(&row.fields, "account_id")
                .and_then(|raw| parse_id(raw).ok());
            let upload_raw = headers.get(&row.fields, "upload_time").unwrap_or("");
            let file = FileRef {
                room_id: String::new(),
                file_id,
                message_id,
                account_id: account_id.clone(),
                filename: headers
                    .get(&row.fields, "filename")
                    .unwrap_or("")
                    .to_string(),
                filesize: headers
                    .get(&row.fields, "filesize")
                    .and_then(|raw| raw.trim().parse::<i64>().ok()),
                uploaded_at: parse_time(upload_raw, self.options.source_tz),
                url: headers
                    .get(&row.fields, "url")
                    .map(str::trim)
                    .filter(|url| !url.is_empty())
                    .map(str::to_string),
            };
            let account_key = match &account_id {
                Some(id) => {
                    let account = account_from(
                        id,
                        headers.get(&row.fields, "name").unwrap_or(""),
                        None,
                        None,
                    );
                    Some(self.writer.account(&account, false)?)
                }
                None => None,
            };
            self.writer.file(room_key, account_key, &file)?;
            session.rows_imported += 1;
        }
        Ok(())
    }
}

/// Returns why a record's field count does not fit its header, if it does not.
/// Extra empty fields (a trailing comma) and missing fields under blank
/// headers are accepted.
/// Returns the record just read, as the file contains it, line break
/// included. UTF-16 records, read through a transcoding stream, are
/// written again as CSV.
///
/// The CSV reader ends a record at the `\r` of a CRLF, so its positions
/// put the `\n` at the start of the next record: it moves back here.
fn raw_record(session: &mut FileSession) -> Vec<u8> {
    let start = session.record.position().map(csv::Position::byte);
    let end = session.reader.position().byte();
    let (Some(start), Some(offset)) = (start, session.encoding.stream_offset()) else {
        return source::record_bytes(&session.record);
    };
    let Ok(mut bytes) = source::read_range(&session.file.path, start + offset, end + offset + 1)
    else {
        return source::record_bytes(&session.record);
    };
    if bytes.len() as u64 > end - start {
        let next = bytes.pop();
        if next == Some(b'\n') && bytes.last() == Some(&b'\r') {
            bytes.push(b'\n');
        }
    }
    if bytes.first() == Some(&b'\n') {
        bytes.remove(0);
    }
    bytes
}

/// Returns the line number (from 1) of a body line that reads like a
/// record of the same messages file. Such a line has at least as many
/// fields as the header, a message ID of digits and a written date and
/// time. A field whose opening quote is never closed takes the records
/// after it into one body like this.
fn embedded_record(body: &str, session: &FileSession, zone: chrono_tz::Tz) -> Option<usize> {
    if !body.contains('\n') {
        return None;
    }
    let headers = &session.headers;
    let (id_column, time_column) = (headers.index("message_id")?, headers.index("send_time")?);
    let columns = session.header_names.len();
    body.lines().enumerate().skip(1).find_map(|(index, line)| {
        // Most lines have too few commas, which a count finds without
        // splitting.
        if memchr::memchr_iter(b',', line.as_bytes()).count() + 1 < columns {
            return None;
        }
        let parts: Vec<&str> = line.split(',').map(|part| part.trim_matches('"')).collect();
        let id = parts.get(id_column)?;
        let time = parts.get(time_column)?;
        // A written date and time only: a bare number also parses as a Unix
        // time, and bodies are full of numbers with thousands separators.
        let looks_like_record = parts.len() >= columns
            && !id.is_empty()
            && id.bytes().all(|byte| byte.is_ascii_digit())
            && time.contains(':')
            && time.contains(['-', '/'])
            && parse_time(time, zone).is_some();
        looks_like_record.then_some(index + 1)
    })
}

fn field_count_problem(headers: &[String], fields: &[String], lang: Lang) -> Option<String> {
    if fields.len() == headers.len() {
        return None;
    }
    let longest = fields.len().max(headers.len());
    let fits = (fields.len().min(headers.len())..longest).all(|index| match fields.get(index) {
        Some(extra) => extra.is_empty(),
        None => headers[index].trim().is_empty(),
    });
    if fits {
        return None;
    }
    Some(match lang {
        Lang::Ja => format!(
            "列の数が {} です（見出しは {} 列）",
            fields.len(),
            headers.len()
        ),
        Lang::En => format!(
            "row has {}, the header has {}",
            crate::i18n::count_en(fields.len() as u64, "field", "fields"),
            headers.len()
        ),
    })
}

fn is_current_action(action: &str) -> bool {
    matches!(
        crate::text::normalize::fold_header(action).as_str(),
        "投稿" | "送信" | "post" | "posted" | "send" | "sent" | "current" | "最新" | "現在"
    )
}

/// Builds an account from a name cell, with any resigned marker split off.
pub fn account_from(
    account_id: &str,
    raw_name: &str,
    organization: Option<&str>,
    department: Option<&str>,
) -> Account {
    let parsed = parse_name(raw_name);
    let clean = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    Account {
        account_id: account_id.to_string(),
        name: parsed.name,
        raw_name: raw_name.trim().to_string(),
        resigned: parsed.resigned,
        organization: clean(organization),
        department: clean(department),
    }
}

/// Derives the stored facts of a body from its parsed notation.
pub fn body_facts(nodes: &[Node]) -> BodyFacts {
    BodyFacts {
        has_file: contains_file(nodes),
    }
}

fn contains_file(nodes: &[Node]) -> bool {
    nodes.iter().any(|node| match node {
        Node::Download { .. } | Node::Preview { .. } => true,
        // A file inside a quote belongs to the quoted message.
        Node::Quote { .. } => false,
        Node::Task { children, .. } => contains_file(children),
        Node::Info { title, children } => {
            contains_file(children) || title.as_ref().is_some_and(|title| contains_file(title))
        }
        _ => false,
    })
}

/// Timestamp helper for readers that get Unix seconds.
pub fn unix_timestamp(unix: i64) -> Timestamp {
    Timestamp {
        unix,
        raw: unix.to_string(),
    }
}
