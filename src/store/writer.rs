//! Batched writes of one import into the case database.
//!
//! Rows are written inside explicit transactions that are committed every
//! `batch_rows` rows, so a killed import loses at most the last batch and
//! other processes (the TUI) can read between batches. Every insert is
//! idempotent, so running the same import again adds nothing.

use std::collections::HashMap;

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{StoreError, message_id_to_sql};
use crate::model::{
    Account, FileRef, Message, RevisionKind, Role, Room, Timestamp, is_deleted_body,
};

/// Rows written between two commits.
pub const DEFAULT_BATCH_ROWS: usize = 20_000;

/// Outcome of writing a message row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageOutcome {
    Inserted(i64),
    Unchanged(i64),
    /// The message existed with another body; the old body became a revision.
    Updated(i64),
}

impl MessageOutcome {
    pub fn msg_key(self) -> i64 {
        match self {
            MessageOutcome::Inserted(key)
            | MessageOutcome::Unchanged(key)
            | MessageOutcome::Updated(key) => key,
        }
    }
}

/// Facts about a message body that the importer derives from its notation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFacts {
    pub has_file: bool,
}

/// Origin of a row: the source file and its record number (1-based, header excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowOrigin {
    pub source_id: i64,
    pub record: u64,
}

#[derive(Debug, Clone)]
struct CachedAccount {
    key: i64,
    name: String,
    raw_name: String,
    resigned: bool,
    known: bool,
    organization: Option<String>,
    department: Option<String>,
}

/// Counters of one import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub rows_read: u64,
    pub rows_imported: u64,
    pub rows_quarantined: u64,
    pub messages_added: u64,
    pub messages_updated: u64,
    pub revisions_added: u64,
    pub files_added: u64,
}

/// Writes one import. Dropping it without `finish` leaves the import marked running.
pub struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    batch_rows: usize,
    pending: usize,
    in_transaction: bool,
    source_zone: Tz,
    rooms: HashMap<String, i64>,
    accounts: HashMap<String, CachedAccount>,
    /// `sender_names` keys by name.
    sender_names: HashMap<String, i64>,
    pub counts: ImportCounts,
}

impl<'c> Writer<'c> {
    /// Records the start of an import and opens the first batch.
    ///
    /// Foreign keys are not enforced while the writer lives: it inserts every
    /// parent row (room, account, source file, message) before the rows that
    /// point at it, and the checks cost about a tenth of an import. The tests
    /// run `PRAGMA foreign_key_check` after every import they make.
    ///
    /// `source_zone` is the zone of times written without an offset; a sent
    /// time written as `YYYY-MM-DD HH:MM:SS` in it is stored only as a number.
    pub fn begin(
        conn: &'c Connection,
        export_path: &str,
        layout: &str,
        source_zone: Tz,
    ) -> Result<Self, StoreError> {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        // The first import of a case fills the per-person index once at the
        // end, from sorted keys, instead of inserting into it row by row at
        // the sender's place. A later import restores an index that an
        // interrupted first import left out.
        let empty: bool =
            conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM messages)", [], |row| {
                row.get(0)
            })?;
        if empty {
            conn.execute_batch("DROP INDEX IF EXISTS messages_by_account")?;
            // Lets SQLite sort the index's keys on a second thread.
            conn.pragma_update(None, "threads", 2)?;
        } else {
            conn.execute_batch(PERSON_INDEX)?;
        }
        conn.execute(
            "INSERT INTO imports (started_at, export_path, layout, status, source_tz)
             VALUES (?1, ?2, ?3, 'running', ?4)",
            params![
                chrono::Utc::now().timestamp(),
                export_path,
                layout,
                source_zone.name()
            ],
        )?;
        let import_id = conn.last_insert_rowid();
        let mut writer = Writer {
            conn,
            import_id,
            batch_rows: DEFAULT_BATCH_ROWS,
            pending: 0,
            in_transaction: false,
            source_zone,
            rooms: HashMap::new(),
            accounts: HashMap::new(),
            sender_names: HashMap::new(),
            counts: ImportCounts::default(),
        };
        writer.load_caches()?;
        Ok(writer)
    }

    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    pub fn set_batch_rows(&mut self, rows: usize) {
        self.batch_rows = rows.max(1);
    }

    fn load_caches(&mut self) -> Result<(), StoreError> {
        let mut rooms = self.conn.prepare("SELECT room_id, room_key FROM rooms")?;
        for row in rooms.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
            let (id, key) = row?;
            self.rooms.insert(id, key);
        }
        let mut names = self
            .conn
            .prepare("SELECT raw_name, name_key FROM sender_names")?;
        for row in names.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
            let (name, key) = row?;
            self.sender_names.insert(name, key);
        }
        let mut accounts = self.conn.prepare(
            "SELECT account_id, account_key, name, raw_name, resigned, known, organization, department FROM accounts",
        )?;
        let rows = accounts.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                CachedAccount {
                    key: row.get(1)?,
                    name: row.get(2)?,
                    raw_name: row.get(3)?,
                    resigned: row.get(4)?,
                    known: row.get(5)?,
                    organization: row.get(6)?,
                    department: row.get(7)?,
                },
            ))
        })?;
        for row in rows {
            let (id, account) = row?;
            self.accounts.insert(id, account);
        }
        Ok(())
    }

    fn ensure_transaction(&mut self) -> Result<(), StoreError> {
        if !self.in_transaction {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.in_transaction = true;
        }
        Ok(())
    }

    fn row_written(&mut self) {
        self.pending += 1;
    }

    /// Commits when the batch is full. Call it only between two source
    /// records, so that a commit never splits the rows of one record.
    /// Returns true when a commit happened.
    pub fn commit_if_full(&mut self) -> Result<bool, StoreError> {
        if self.pending >= self.batch_rows {
            self.commit()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Commits the open batch, if any.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        if self.in_transaction {
            self.conn.execute_batch("COMMIT")?;
            self.in_transaction = false;
        }
        self.pending = 0;
        Ok(())
    }

    /// Inserts or updates a room and returns its key.
    pub fn room(&mut self, room: &Room) -> Result<i64, StoreError> {
        self.ensure_transaction()?;
        let key = self.conn.query_row(
            "INSERT INTO rooms (room_id, name, room_type, file_path) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (room_id) DO UPDATE SET
                name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE rooms.name END,
                room_type = CASE WHEN excluded.room_type <> 'unknown' THEN excluded.room_type ELSE rooms.room_type END,
                file_path = coalesce(excluded.file_path, rooms.file_path)
             RETURNING room_key",
            params![room.room_id, room.name, room.room_type.as_str(), room.file_path],
            |row| row.get(0),
        )?;
        self.rooms.insert(room.room_id.clone(), key);
        Ok(key)
    }

    /// Returns the key of a room, creating a bare row for an ID seen only in a folder name.
    pub fn room_key(&mut self, room_id: &str) -> Result<i64, StoreError> {
        if let Some(key) = self.rooms.get(room_id) {
            return Ok(*key);
        }
        self.room(&Room {
            room_id: room_id.to_string(),
            name: String::new(),
            room_type: crate::model::RoomType::Unknown,
            file_path: None,
        })
    }

    /// Inserts or merges an account and returns its key.
    ///
    /// `known` is true when the account comes from a members list rather than
    /// only from a message row. A non-empty name replaces an empty one, the
    /// resigned flag is sticky, and a raw name with a resigned marker wins.
    pub fn account(&mut self, account: &Account, known: bool) -> Result<i64, StoreError> {
        self.ensure_transaction()?;
        let merged = match self.accounts.get(&account.account_id) {
            Some(old) => {
                let mut new = old.clone();
                if !account.name.is_empty() && (new.name.is_empty() || known || !new.known) {
                    new.name = account.name.clone();
                }
                if !account.raw_name.is_empty() && (account.resigned || !new.resigned) {
                    new.raw_name = account.raw_name.clone();
                }
                new.resigned |= account.resigned;
                new.known |= known;
                if account.organization.is_some() {
                    new.organization = account.organization.clone();
                }
                if account.department.is_some() {
                    new.department = account.department.clone();
                }
                if same_account(old, &new) {
                    return Ok(old.key);
                }
                new
            }
            None => CachedAccount {
                key: 0,
                name: account.name.clone(),
                raw_name: account.raw_name.clone(),
                resigned: account.resigned,
                known,
                organization: account.organization.clone(),
                department: account.department.clone(),
            },
        };
        let key: i64 = self.conn.query_row(
            "INSERT INTO accounts (account_id, name, raw_name, resigned, known, organization, department)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (account_id) DO UPDATE SET
                name = excluded.name, raw_name = excluded.raw_name, resigned = excluded.resigned,
                known = excluded.known, organization = excluded.organization, department = excluded.department
             RETURNING account_key",
            params![
                account.account_id,
                merged.name,
                merged.raw_name,
                merged.resigned,
                merged.known,
                merged.organization,
                merged.department
            ],
            |row| row.get(0),
        )?;
        self.accounts
            .insert(account.account_id.clone(), CachedAccount { key, ..merged });
        Ok(key)
    }

    /// Fills in the name of an account whose name is empty, from a recovered guess.
    pub fn recover_account_name(
        &mut self,
        account_id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let Some(cached) = self.accounts.get_mut(account_id) else {
            return Ok(false);
        };
        if !cached.name.is_empty() || name.is_empty() {
            return Ok(false);
        }
        cached.name = name.to_string();
        self.conn.execute(
            "UPDATE accounts SET name = ?1 WHERE account_id = ?2 AND name = ''",
            params![name, account_id],
        )?;
        Ok(true)
    }

    /// IDs of accounts that still have no name.
    pub fn nameless_accounts(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .accounts
            .iter()
            .filter(|(_, account)| account.name.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    pub fn membership(
        &mut self,
        room_key: i64,
        account_key: i64,
        role: Role,
    ) -> Result<(), StoreError> {
        self.ensure_transaction()?;
        self.conn
            .prepare_cached(
                "INSERT INTO room_members (room_key, account_key, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT (room_key, account_key) DO UPDATE SET role = CASE
                    WHEN excluded.role <> 'unknown' THEN excluded.role ELSE room_members.role END",
            )?
            .execute(params![room_key, account_key, role.as_str()])?;
        Ok(())
    }

    /// Registers a source file of this import and returns its ID.
    pub fn source_file(
        &mut self,
        path: &str,
        kind: &str,
        size: u64,
        sha256: &str,
        encoding: &str,
    ) -> Result<i64, StoreError> {
        self.ensure_transaction()?;
        let id = self.conn.query_row(
            "INSERT INTO source_files (import_id, path, kind, size, sha256, encoding, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running')
             ON CONFLICT (import_id, path) DO UPDATE SET sha256 = excluded.sha256
             RETURNING source_id",
            params![self.import_id, path, kind, size as i64, sha256, encoding],
            |row| row.get(0),
        )?;
        Ok(id)
    }

    /// Returns true when an earlier import read a file with this path and hash to the end.
    pub fn already_imported(&self, path: &str, sha256: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM source_files WHERE path = ?1 AND sha256 = ?2 AND status = 'complete' LIMIT 1",
                params![path, sha256],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Closes the bookkeeping of a source file.
    pub fn finish_source(
        &mut self,
        source_id: i64,
        status: &str,
        rows_read: u64,
        rows_imported: u64,
        rows_quarantined: u64,
    ) -> Result<(), StoreError> {
        self.ensure_transaction()?;
        self.conn.execute(
            "UPDATE source_files SET status = ?2, rows_read = ?3, rows_imported = ?4, rows_quarantined = ?5
             WHERE source_id = ?1",
            params![
                source_id,
                status,
                rows_read as i64,
                rows_imported as i64,
                rows_quarantined as i64
            ],
        )?;
        Ok(())
    }

    /// Returns the largest message key so far, 0 in an empty case.
    pub fn max_msg_key(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(max(msg_key), 0) FROM messages",
            [],
            |row| row.get(0),
        )?)
    }

    /// Returns the key of a sender name as a row wrote it, adding it when
    /// new; `None` for an empty name.
    fn sender_name(&mut self, name: &str) -> Result<Option<i64>, StoreError> {
        if name.is_empty() {
            return Ok(None);
        }
        if let Some(key) = self.sender_names.get(name) {
            return Ok(Some(*key));
        }
        let key: i64 = self.conn.query_row(
            "INSERT INTO sender_names (raw_name) VALUES (?1)
             ON CONFLICT (raw_name) DO UPDATE SET raw_name = excluded.raw_name
             RETURNING name_key",
            [name],
            |row| row.get(0),
        )?;
        self.sender_names.insert(name.to_string(), key);
        Ok(Some(key))
    }

    /// Writes a message in its latest form.
    ///
    /// A message seen before with the same body is left alone. One seen
    /// with another body (a later export of the same chat) keeps the older
    /// body as a revision, so nothing an earlier export showed is lost.
    /// When the stored row was updated later than the incoming one (an older
    /// export read after a newer one), the stored body stays current and the
    /// incoming body becomes the revision.
    pub fn message(
        &mut self,
        room_key: i64,
        account_key: i64,
        message: &Message,
        facts: &BodyFacts,
        origin: RowOrigin,
    ) -> Result<MessageOutcome, StoreError> {
        self.ensure_transaction()?;
        let deleted = is_deleted_body(&message.body);
        let edited = !deleted
            && message
                .updated_at
                .as_ref()
                .is_some_and(|updated| updated.unix > message.sent_at.unix);
        let extra = if message.extra.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&message.extra).unwrap_or_default())
        };
        let sender_name_key = self.sender_name(&message.sender_raw_name)?;
        let sent_at_raw = (!crate::import::values::is_plain_local_time(
            &message.sent_at.raw,
            message.sent_at.unix,
            self.source_zone,
        ))
        .then_some(message.sent_at.raw.as_str());
        let message_id = message_id_to_sql(&message.message_id);
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO messages (room_key, message_id, account_key, sender_name_key, sent_at, sent_at_raw,
                    updated_at, updated_at_raw, body, edited, deleted, has_file, extra, source_id, source_record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (room_key, message_id) DO NOTHING",
            )?
            .execute(params![
                room_key,
                message_id,
                account_key,
                sender_name_key,
                message.sent_at.unix,
                sent_at_raw,
                message.updated_at.as_ref().map(|t| t.unix),
                message.updated_at.as_ref().map(|t| t.raw.as_str()),
                message.body,
                edited,
                deleted,
                facts.has_file,
                extra,
                origin.source_id,
                origin.record as i64,
            ])?;
        if inserted == 1 {
            let key = self.conn.last_insert_rowid();
            self.counts.messages_added += 1;
            self.row_written();
            return Ok(MessageOutcome::Inserted(key));
        }

        let stored = self
            .conn
            .prepare_cached(
                "SELECT msg_key, body, updated_at, updated_at_raw, deleted FROM messages
                 WHERE room_key = ?1 AND message_id = ?2",
            )?
            .query_row(params![room_key, message_id], |row| {
                Ok(StoredMessage {
                    key: row.get(0)?,
                    body: row.get(1)?,
                    updated_at: row.get(2)?,
                    updated_at_raw: row.get(3)?,
                    deleted: row.get(4)?,
                })
            })?;
        let (key, old_body, old_updated) = (stored.key, stored.body, stored.updated_at);
        if old_body == message.body {
            self.row_written();
            return Ok(MessageOutcome::Unchanged(key));
        }
        let incoming_time = message
            .updated_at
            .as_ref()
            .map_or(message.sent_at.unix, |t| t.unix);
        if let Some(stored_time) = old_updated.filter(|stored| *stored > incoming_time) {
            // An older export read after a newer one: its body is history,
            // replaced no later than the stored body's update time.
            let kind = if stored.deleted {
                RevisionKind::Delete
            } else {
                RevisionKind::Edit
            };
            let at = Timestamp {
                unix: stored_time,
                raw: stored
                    .updated_at_raw
                    .unwrap_or_else(|| stored_time.to_string()),
            };
            self.revision(key, kind, &at, &message.body, origin)?;
            self.counts.messages_updated += 1;
            self.row_written();
            return Ok(MessageOutcome::Updated(key));
        }
        // The export changed between two downloads: keep the old body as history.
        let kind = if deleted {
            RevisionKind::Delete
        } else {
            RevisionKind::Edit
        };
        let at = message
            .updated_at
            .clone()
            .or_else(|| {
                old_updated.map(|unix| Timestamp {
                    unix,
                    raw: unix.to_string(),
                })
            })
            .unwrap_or_else(|| message.sent_at.clone());
        self.revision(key, kind, &at, &old_body, origin)?;
        self.conn
            .prepare_cached(
                "UPDATE messages SET body = ?2, updated_at = ?3, updated_at_raw = ?4,
                    deleted = ?5, edited = edited OR ?6, has_file = has_file OR ?7
                 WHERE msg_key = ?1",
            )?
            .execute(params![
                key,
                message.body,
                message.updated_at.as_ref().map(|t| t.unix),
                message.updated_at.as_ref().map(|t| t.raw.as_str()),
                deleted,
                edited,
                facts.has_file
            ])?;
        self.counts.messages_updated += 1;
        self.row_written();
        Ok(MessageOutcome::Updated(key))
    }

    /// Looks up the key of a message by room and message ID.
    pub fn message_key(&self, room_key: i64, message_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT msg_key FROM messages WHERE room_key = ?1 AND message_id = ?2")?
            .query_row(params![room_key, message_id_to_sql(message_id)], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Records the text of a message before an edit or deletion.
    /// Returns false when the same revision was recorded before.
    pub fn revision(
        &mut self,
        msg_key: i64,
        kind: RevisionKind,
        at: &Timestamp,
        body_before: &str,
        origin: RowOrigin,
    ) -> Result<bool, StoreError> {
        self.ensure_transaction()?;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO revisions (msg_key, kind, at, at_raw, body_before, dedup, source_id, source_record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (msg_key, dedup) DO NOTHING",
            )?
            .execute(params![
                msg_key,
                kind.as_str(),
                at.unix,
                at.raw,
                body_before,
                revision_dedup(kind, at.unix, body_before),
                origin.source_id,
                origin.record as i64,
            ])?;
        if inserted == 1 {
            if kind == RevisionKind::Edit {
                self.conn
                    .prepare_cached(
                        "UPDATE messages SET edited = 1 WHERE msg_key = ?1 AND edited = 0",
                    )?
                    .execute([msg_key])?;
            }
            self.counts.revisions_added += 1;
        }
        self.row_written();
        Ok(inserted == 1)
    }

    /// Records a shared file. Returns false when it was recorded before.
    pub fn file(
        &mut self,
        room_key: i64,
        account_key: Option<i64>,
        file: &FileRef,
    ) -> Result<bool, StoreError> {
        self.ensure_transaction()?;
        let msg_key = match &file.message_id {
            Some(id) => self.message_key(room_key, id)?,
            None => None,
        };
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO files (room_key, file_id, message_id, msg_key, account_key, filename, filesize,
                    uploaded_at, uploaded_at_raw, url)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (room_key, file_id) DO NOTHING",
            )?
            .execute(params![
                room_key,
                file.file_id,
                file.message_id,
                msg_key,
                account_key,
                file.filename,
                file.filesize,
                file.uploaded_at.as_ref().map(|t| t.unix),
                file.uploaded_at.as_ref().map(|t| t.raw.as_str()),
                file.url,
            ])?;
        if let Some(key) = msg_key {
            self.conn
                .prepare_cached(
                    "UPDATE messages SET has_file = 1 WHERE msg_key = ?1 AND has_file = 0",
                )?
                .execute([key])?;
        }
        if inserted == 1 {
            self.counts.files_added += 1;
        }
        self.row_written();
        Ok(inserted == 1)
    }

    /// Keeps a row that could not be imported, with its location and the reason.
    /// The same record read again by a later import is kept once and is
    /// listed with that import.
    pub fn quarantine(
        &mut self,
        path: &str,
        record: Option<u64>,
        line: Option<u64>,
        reason: &str,
        raw: &[u8],
    ) -> Result<(), StoreError> {
        self.ensure_transaction()?;
        self.conn
            .prepare_cached(
                "INSERT INTO quarantine (import_id, path, record, line, reason, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (path, record, reason, raw) DO UPDATE SET
                    import_id = excluded.import_id, line = excluded.line",
            )?
            .execute(params![
                self.import_id,
                path,
                record.map(|r| r as i64),
                line.map(|l| l as i64),
                reason,
                raw
            ])?;
        self.row_written();
        Ok(())
    }

    /// Commits the last batch and records how the import ended.
    pub fn finish(mut self, error: Option<&str>) -> Result<ImportCounts, StoreError> {
        // Every row is committed first, so that a second connection can
        // count the rooms while this one builds the per-person index. At
        // 10,000,000 messages each takes about 4 s.
        self.commit()?;
        let room_stats = self.count_rooms_aside();
        // Helper threads for the sort of the index build.
        self.conn.pragma_update(None, "threads", SORT_THREADS)?;
        self.ensure_transaction()?;
        self.conn.execute_batch(PERSON_INDEX)?;
        let room_stats = match room_stats.map(|worker| worker.join()) {
            Some(Ok(Ok(stats))) => stats,
            // No second connection (an in-memory case) or a failed one: count here.
            _ => super::schema::read_room_stats(self.conn)?,
        };
        super::schema::write_room_stats(self.conn, &room_stats)?;
        super::schema::rebuild_account_stats(self.conn)?;
        self.commit()?;
        let status = if error.is_some() {
            "failed"
        } else {
            "complete"
        };
        self.conn.execute(
            "UPDATE imports SET finished_at = ?2, status = ?3, error = ?4, rows_read = ?5, rows_imported = ?6,
                rows_quarantined = ?7, messages_added = ?8, revisions_added = ?9
             WHERE import_id = ?1",
            params![
                self.import_id,
                chrono::Utc::now().timestamp(),
                status,
                error,
                self.counts.rows_read as i64,
                self.counts.rows_imported as i64,
                self.counts.rows_quarantined as i64,
                self.counts.messages_added as i64,
                self.counts.revisions_added as i64,
            ],
        )?;
        Ok(self.counts)
    }
}

impl Writer<'_> {
    /// Starts counting the messages of each room on a read-only connection
    /// of its own. Returns `None` when the case has no file to open it from.
    fn count_rooms_aside(
        &self,
    ) -> Option<std::thread::JoinHandle<rusqlite::Result<Vec<super::schema::RoomStats>>>> {
        let path = self.conn.path().filter(|path| !path.is_empty())?.to_owned();
        std::thread::Builder::new()
            .name("cwlens-room-stats".into())
            .spawn(move || {
                let conn = Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(30))?;
                super::schema::read_room_stats(&conn)
            })
            .ok()
    }
}

/// Helper threads SQLite may use to sort while it builds an index.
const SORT_THREADS: i64 = 2;

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        let _ = self.conn.pragma_update(None, "foreign_keys", "ON");
    }
}

/// The per-person index of `messages`, as migration 1 defines it.
const PERSON_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS messages_by_account ON messages(account_key, sent_at)";

/// Creates the per-person index when a first import cut short left it out.
/// Call it only while no import runs: a first import drops the index on
/// purpose and builds it at its end.
pub fn restore_person_index(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(PERSON_INDEX)
}

/// The columns of a stored message that decide how another reading of it is merged.
struct StoredMessage {
    key: i64,
    body: String,
    updated_at: Option<i64>,
    updated_at_raw: Option<String>,
    deleted: bool,
}

fn same_account(a: &CachedAccount, b: &CachedAccount) -> bool {
    a.name == b.name
        && a.raw_name == b.raw_name
        && a.resigned == b.resigned
        && a.known == b.known
        && a.organization == b.organization
        && a.department == b.department
}

/// Computes a 63-bit digest that identifies a revision of a message, so the same
/// revision read twice is stored once without indexing its whole text.
fn revision_dedup(kind: RevisionKind, at: i64, body: &str) -> i64 {
    let mut hasher = Sha256::new();
    hasher.update(kind.as_str().as_bytes());
    hasher.update(at.to_le_bytes());
    hasher.update(body.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    (u64::from_le_bytes(bytes) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Message, Timestamp};
    use crate::store::Case;

    fn has_person_index(conn: &Connection) -> bool {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'messages_by_account')",
            [],
            |row| row.get(0),
        )
        .unwrap()
    }

    fn write_one(writer: &mut Writer<'_>, message_id: &str) {
        let room_key = writer.room_key("100").unwrap();
        let account = Account {
            account_id: "7".into(),
            name: "見本 太郎".into(),
            raw_name: "見本 太郎".into(),
            resigned: false,
            organization: None,
            department: None,
        };
        let account_key = writer.account(&account, false).unwrap();
        let message = Message {
            room_id: "100".into(),
            message_id: message_id.into(),
            account_id: "7".into(),
            sender_raw_name: "見本 太郎".into(),
            sent_at: Timestamp {
                unix: 1_700_000_000,
                raw: "2023-11-15 07:13:20".into(),
            },
            updated_at: None,
            body: "本文".into(),
            extra: Vec::new(),
        };
        let origin = RowOrigin {
            source_id: writer
                .source_file("a.csv", "messages", 1, "00", "utf-8")
                .unwrap(),
            record: 1,
        };
        writer
            .message(
                room_key,
                account_key,
                &message,
                &BodyFacts::default(),
                origin,
            )
            .unwrap();
    }

    /// The first import of a case builds the per-person index at its end.
    /// An import cut short leaves the index out, so the next one restores it.
    #[test]
    fn person_index_rebuilt_after_first_import() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(dir.path()).unwrap();
        let conn = case.conn();
        assert!(has_person_index(conn));

        let mut writer =
            Writer::begin(conn, "/export", "chatwork_csv", chrono_tz::Asia::Tokyo).unwrap();
        assert!(!has_person_index(conn), "dropped for the first import");
        write_one(&mut writer, "1");
        writer.commit().unwrap();
        drop(writer);
        assert!(!has_person_index(conn), "an import cut short leaves it out");

        let mut writer =
            Writer::begin(conn, "/export", "chatwork_csv", chrono_tz::Asia::Tokyo).unwrap();
        assert!(has_person_index(conn), "the next import restores it");
        write_one(&mut writer, "2");
        writer.finish(None).unwrap();
        assert!(has_person_index(conn));
        let indexed: i64 = conn
            .query_row(
                "SELECT count(*) FROM messages INDEXED BY messages_by_account WHERE account_key > 0",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 2);
    }

    /// The room counts are read on a second connection, which reads only
    /// committed rows. Rows still in the open batch must count too.
    #[test]
    fn room_counts_include_the_last_batch() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(dir.path()).unwrap();
        let conn = case.conn();
        let mut writer =
            Writer::begin(conn, "/export", "chatwork_csv", chrono_tz::Asia::Tokyo).unwrap();
        for id in ["1", "2", "3"] {
            write_one(&mut writer, id);
        }
        writer.commit().unwrap();
        let aside = writer.count_rooms_aside().expect("a file-backed case");
        assert_eq!(aside.join().unwrap().unwrap()[0].messages, 3);
        write_one(&mut writer, "4");
        writer.finish(Some("stopped by the test")).unwrap();
        let counted: i64 = conn
            .query_row("SELECT messages FROM room_stats", [], |row| row.get(0))
            .unwrap();
        assert_eq!(counted, 4);
        assert_eq!(
            super::super::schema::read_room_stats(conn).unwrap()[0].messages,
            4
        );
    }

    #[test]
    fn person_index_exists_after_finish() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(dir.path()).unwrap();
        let conn = case.conn();
        let mut writer =
            Writer::begin(conn, "/export", "chatwork_csv", chrono_tz::Asia::Tokyo).unwrap();
        write_one(&mut writer, "1");
        writer.finish(None).unwrap();
        assert!(has_person_index(conn));
    }
}
