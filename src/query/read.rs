//! Read API over a case: rooms, timelines, messages with their history,
//! people and changes. The TUI and the exports read through these types and
//! never see SQLite.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{RevisionKind, Role, RoomType};
use crate::store::message_id_to_sql;

/// Account name as shown: resigned accounts carry 【解約済】 (ja) or
/// " (resigned)" (en); an account with no name shows its ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountLabel {
    pub account_key: i64,
    pub account_id: String,
    pub name: String,
    pub resigned: bool,
    /// False for a sender found in no members list.
    pub known: bool,
}

impl AccountLabel {
    /// Formats the name as every screen and export shows it.
    pub fn display(&self, lang: Lang) -> String {
        let base = if self.name.is_empty() {
            match lang {
                Lang::Ja => format!("不明 (ID:{})", self.account_id),
                Lang::En => format!("Unknown (ID:{})", self.account_id),
            }
        } else {
            self.name.clone()
        };
        if self.resigned {
            format!("{base}{}", resigned_marker(lang))
        } else {
            base
        }
    }
}

/// Returns the marker appended to resigned accounts' names.
pub fn resigned_marker(lang: Lang) -> &'static str {
    lang.pick("【解約済】", " (resigned)")
}

/// A room with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomSummary {
    pub room_key: i64,
    pub room_id: String,
    pub name: String,
    pub room_type: RoomType,
    pub members: i64,
    pub messages: i64,
    /// Unix seconds of the newest message.
    pub last_activity: Option<i64>,
    pub edited: i64,
    pub deleted: i64,
    /// Messages sent by resigned accounts.
    pub resigned_messages: i64,
}

impl RoomSummary {
    /// Returns the room name, or its ID when the export gave none.
    pub fn display_name(&self, lang: Lang) -> String {
        if self.name.is_empty() {
            match lang {
                Lang::Ja => format!("(名前なし ID:{})", self.room_id),
                Lang::En => format!("(no name, ID:{})", self.room_id),
            }
        } else {
            self.name.clone()
        }
    }
}

/// Orders of the room list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoomSort {
    #[default]
    LastActivity,
    Name,
    Messages,
    Members,
    Type,
}

/// A message as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub msg_key: i64,
    pub room_key: i64,
    pub room_id: String,
    pub room_name: String,
    pub message_id: String,
    pub sender: AccountLabel,
    pub sent_at: i64,
    pub updated_at: Option<i64>,
    /// Raw body with Chatwork notation.
    pub body: String,
    pub edited: bool,
    pub deleted: bool,
    pub has_file: bool,
    /// Earlier versions recorded for this message.
    pub revisions: i64,
    pub tags: Vec<String>,
    pub starred: bool,
    pub note: Option<String>,
}

/// One earlier version of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionView {
    pub kind: RevisionKind,
    /// Unix seconds of the edit or deletion.
    pub at: i64,
    pub at_raw: String,
    pub body_before: String,
}

/// A shared file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileView {
    pub file_id: String,
    pub filename: String,
    pub filesize: Option<i64>,
    pub uploaded_at: Option<i64>,
    pub url: Option<String>,
}

/// A message with everything known about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageDetail {
    pub message: MessageView,
    /// Earlier versions, oldest first; ties keep import order.
    pub revisions: Vec<RevisionView>,
    pub files: Vec<FileView>,
    pub sent_at_raw: String,
}

impl MessageDetail {
    /// Every version in time order: each earlier version, then the current
    /// body. Each entry is the text and the time it stopped being current
    /// (`None` for the current body).
    pub fn versions(&self) -> Vec<(&str, Option<&RevisionView>)> {
        let mut versions: Vec<(&str, Option<&RevisionView>)> = self
            .revisions
            .iter()
            .map(|revision| (revision.body_before.as_str(), Some(revision)))
            .collect();
        versions.push((self.message.body.as_str(), None));
        versions
    }
}

/// The place of a message: its room and time, for ordering a set of
/// messages by room and time without loading them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MessagePlace {
    pub msg_key: i64,
    pub room_key: i64,
    pub sent_at: i64,
    /// Earlier versions recorded for this message.
    pub revisions: i64,
}

/// A file of the export that an import read, with its SHA-256 at that time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The first import that read this path with this content.
    pub import_id: i64,
    /// Path relative to the export folder.
    pub path: String,
    pub size: i64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A member of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub account: AccountLabel,
    pub role: Role,
    pub organization: Option<String>,
    pub department: Option<String>,
    /// Messages this account sent in the room.
    pub messages: i64,
    /// False for a sender who is in no members list of the room.
    pub listed: bool,
}

/// An account across the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub account: AccountLabel,
    pub organization: Option<String>,
    pub department: Option<String>,
    pub rooms: i64,
    pub messages: i64,
    pub last_activity: Option<i64>,
}

/// Orders of the edits-and-deletions list (see [`CaseReader::changed_keys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChangeSort {
    #[default]
    Time,
    Person,
    Room,
}

/// Reads a case. Holds a read-only connection.
pub struct CaseReader {
    conn: Connection,
    /// Names by account ID with the `data_version` they were read at.
    names: std::cell::RefCell<Option<(i64, NameMap)>>,
}

/// Account names by account ID, shared between the searches of a reader.
pub type NameMap = std::sync::Arc<HashMap<String, String>>;

// `message_id` is an INTEGER or TEXT (see `store::message_id`), and the
// CAST gives back the text of the export either way.
const MESSAGE_COLUMNS: &str = "m.msg_key, m.room_key, r.room_id, r.name, CAST(m.message_id AS TEXT),
    a.account_key, a.account_id, a.name, a.resigned, a.known,
    m.sent_at, m.updated_at, m.body, m.edited, m.deleted, m.has_file,
    (SELECT count(*) FROM revisions v WHERE v.msg_key = m.msg_key),
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags t WHERE t.msg_key = m.msg_key ORDER BY tag)),
    EXISTS (SELECT 1 FROM stars s WHERE s.msg_key = m.msg_key),
    (SELECT body FROM notes n WHERE n.msg_key = m.msg_key)";

const MESSAGE_FROM: &str = "FROM messages m JOIN rooms r ON r.room_key = m.room_key JOIN accounts a ON a.account_key = m.account_key";

// Filters of the room timeline. `messages_by_room_time` is
// `(room_key, sent_at)` and, like every index on a rowid table, ends with
// the rowid `msg_key`, so SQLite reads each window in index order without a
// sort. The keyset filters seek on `sent_at`, and the rows of that same
// second are then filtered by `msg_key`. The test
// `room_timeline_reads_index_in_order` checks the plans.
const ROOM_WINDOW: &str = "WHERE m.room_key = ?1 ORDER BY m.sent_at, m.msg_key LIMIT ?2 OFFSET ?3";
const ROOM_WINDOW_AFTER: &str = "WHERE m.room_key = ?1 AND (m.sent_at, m.msg_key) > (?2, ?3)
    ORDER BY m.sent_at, m.msg_key LIMIT ?4";
const ROOM_WINDOW_BEFORE: &str = "WHERE m.room_key = ?1 AND (m.sent_at, m.msg_key) < (?2, ?3)
    ORDER BY m.sent_at DESC, m.msg_key DESC LIMIT ?4";
const ROOM_POSITION_AT: &str = "SELECT count(*) FROM messages WHERE room_key = ?1 AND sent_at < ?2";
const ROOM_POSITION_OF: &str = "SELECT m.room_key,
        (SELECT count(*) FROM messages o WHERE o.room_key = m.room_key
            AND (o.sent_at < m.sent_at OR (o.sent_at = m.sent_at AND o.msg_key < m.msg_key)))
    FROM messages m WHERE m.msg_key = ?1";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<MessageView> {
    let tags: Option<String> = row.get(17)?;
    Ok(MessageView {
        msg_key: row.get(0)?,
        room_key: row.get(1)?,
        room_id: row.get(2)?,
        room_name: row.get(3)?,
        message_id: row.get(4)?,
        sender: AccountLabel {
            account_key: row.get(5)?,
            account_id: row.get(6)?,
            name: row.get(7)?,
            resigned: row.get(8)?,
            known: row.get(9)?,
        },
        sent_at: row.get(10)?,
        updated_at: row.get(11)?,
        body: row.get(12)?,
        edited: row.get(13)?,
        deleted: row.get(14)?,
        has_file: row.get(15)?,
        revisions: row.get(16)?,
        tags: tags
            .map(|joined| joined.split('\u{1f}').map(str::to_string).collect())
            .unwrap_or_default(),
        starred: row.get(18)?,
        note: row.get(19)?,
    })
}

fn account_from_row(row: &Row<'_>, start: usize) -> rusqlite::Result<AccountLabel> {
    Ok(AccountLabel {
        account_key: row.get(start)?,
        account_id: row.get(start + 1)?,
        name: row.get(start + 2)?,
        resigned: row.get(start + 3)?,
        known: row.get(start + 4)?,
    })
}

impl CaseReader {
    /// Wraps a connection to the case database.
    pub fn new(conn: Connection) -> CaseReader {
        CaseReader {
            conn,
            names: std::cell::RefCell::new(None),
        }
    }

    /// Opens a read-only connection to a case.
    pub fn open(case: &crate::store::Case) -> Result<CaseReader, crate::store::StoreError> {
        Ok(CaseReader::new(case.reader()?))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Lists every room with its counts as of the last import (see
    /// `room_stats`).
    pub fn rooms(&self, sort: RoomSort) -> rusqlite::Result<Vec<RoomSummary>> {
        let order = match sort {
            RoomSort::LastActivity => "last_activity DESC NULLS LAST, r.room_key",
            RoomSort::Name => "r.name, r.room_key",
            RoomSort::Messages => "messages DESC, r.room_key",
            RoomSort::Members => "members DESC, r.room_key",
            RoomSort::Type => "r.room_type, r.name, r.room_key",
        };
        let sql = format!(
            "SELECT r.room_key, r.room_id, r.name, r.room_type,
                (SELECT count(*) FROM room_members rm WHERE rm.room_key = r.room_key) AS members,
                coalesce(s.messages, 0) AS messages, s.last_activity AS last_activity,
                coalesce(s.edited, 0), coalesce(s.deleted, 0), coalesce(s.resigned, 0)
             FROM rooms r LEFT JOIN room_stats s ON s.room_key = r.room_key
             ORDER BY {order}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(RoomSummary {
                room_key: row.get(0)?,
                room_id: row.get(1)?,
                name: row.get(2)?,
                room_type: RoomType::from_db(&row.get::<_, String>(3)?),
                members: row.get(4)?,
                messages: row.get(5)?,
                last_activity: row.get(6)?,
                edited: row.get(7)?,
                deleted: row.get(8)?,
                resigned_messages: row.get(9)?,
            })
        })?;
        rows.collect()
    }

    /// Number of messages in a room.
    pub fn room_message_count(&self, room_key: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT count(*) FROM messages WHERE room_key = ?1")?
            .query_row([room_key], |row| row.get(0))
    }

    /// Reads a window of a room's timeline, oldest first: `limit` messages from
    /// position `offset` (0 is the oldest message).
    pub fn room_messages(
        &self,
        room_key: i64,
        offset: i64,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW}");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![room_key, limit, offset], message_from_row)?;
        rows.collect()
    }

    /// Returns a window of a room's timeline, oldest first: up to `limit` messages
    /// after the message at `(sent_at, msg_key)`, or from the start when
    /// `after` is `None`. Unlike [`CaseReader::room_messages`] the cost of a
    /// window does not grow with its position, so a whole room can be read
    /// window by window.
    pub fn room_messages_after(
        &self,
        room_key: i64,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let (sent_at, msg_key) = after.unwrap_or((i64::MIN, i64::MIN));
        let sql = format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW_AFTER}");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![room_key, sent_at, msg_key, limit], message_from_row)?;
        rows.collect()
    }

    /// Up to `limit` messages of a room's timeline that come strictly before
    /// `before`, returned oldest first. `None` takes the newest messages.
    /// Like [`CaseReader::room_messages_after`], it seeks the timeline
    /// index, so the cost does not grow with the position in the room.
    pub fn room_messages_before(
        &self,
        room_key: i64,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let (sent_at, msg_key) = before.unwrap_or((i64::MAX, i64::MAX));
        let sql = format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW_BEFORE}");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![room_key, sent_at, msg_key, limit], message_from_row)?;
        let mut messages: Vec<MessageView> = rows.collect::<Result<_, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    /// Returns the room, time and history count of each message in `keys`,
    /// in the order of `keys`. Unknown keys are skipped.
    pub fn message_places(&self, keys: &[i64]) -> rusqlite::Result<Vec<MessagePlace>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT m.msg_key, m.room_key, m.sent_at,
                (SELECT count(*) FROM revisions v WHERE v.msg_key = m.msg_key)
             FROM messages m WHERE m.msg_key = ?1",
        )?;
        let mut places = Vec::with_capacity(keys.len());
        for key in keys {
            let place = statement
                .query_row([key], |row| {
                    Ok(MessagePlace {
                        msg_key: row.get(0)?,
                        room_key: row.get(1)?,
                        sent_at: row.get(2)?,
                        revisions: row.get(3)?,
                    })
                })
                .optional()?;
            places.extend(place);
        }
        Ok(places)
    }

    /// Number of earlier versions per room, keyed by `room_key`; rooms
    /// without any are absent.
    pub fn room_revision_counts(&self) -> rusqlite::Result<HashMap<i64, i64>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT m.room_key, count(*) FROM revisions v JOIN messages m ON m.msg_key = v.msg_key
             GROUP BY m.room_key",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }

    /// Position in its room's timeline of the first message sent at or after `unix`.
    pub fn room_position_at(&self, room_key: i64, unix: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached(ROOM_POSITION_AT)?
            .query_row(params![room_key, unix], |row| row.get(0))
    }

    /// Position of a message in its room's timeline.
    pub fn room_position_of(&self, msg_key: i64) -> rusqlite::Result<Option<(i64, i64)>> {
        self.conn
            .prepare_cached(ROOM_POSITION_OF)?
            .query_row([msg_key], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
    }

    /// Finds a message by room ID and message ID, as replies point at them.
    pub fn find_message(&self, room_id: &str, message_id: &str) -> rusqlite::Result<Option<i64>> {
        self.conn
            .prepare_cached(
                "SELECT m.msg_key FROM messages m JOIN rooms r ON r.room_key = m.room_key
                 WHERE r.room_id = ?1 AND m.message_id = ?2",
            )?
            .query_row(params![room_id, message_id_to_sql(message_id)], |row| {
                row.get(0)
            })
            .optional()
    }

    /// Messages by key, in the order of `keys`; unknown keys are skipped.
    pub fn messages_by_keys(&self, keys: &[i64]) -> rusqlite::Result<Vec<MessageView>> {
        // One statement per page of up to 64 keys; SQLite returns the rows
        // in key order, so they are put back in the order asked for.
        const PAGE: usize = 64;
        let mut found: HashMap<i64, MessageView> = HashMap::with_capacity(keys.len());
        for page in keys.chunks(PAGE) {
            let marks = vec!["?"; page.len()].join(",");
            let sql =
                format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} WHERE m.msg_key IN ({marks})");
            let mut statement = self.conn.prepare_cached(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(page), message_from_row)?;
            for row in rows {
                let view = row?;
                found.insert(view.msg_key, view);
            }
        }
        Ok(keys
            .iter()
            .filter_map(|key| found.get(key).cloned())
            .collect())
    }

    /// Reads a message with its earlier versions and files.
    pub fn message_detail(&self, msg_key: i64) -> rusqlite::Result<Option<MessageDetail>> {
        let Some(message) = self.messages_by_keys(&[msg_key])?.into_iter().next() else {
            return Ok(None);
        };
        // NULL: the export wrote the plain local time of its import's zone.
        let (sent_at_raw, sent_at, zone): (Option<String>, i64, Option<String>) = self
            .conn
            .prepare_cached(
                "SELECT m.sent_at_raw, m.sent_at, i.source_tz FROM messages m
                 LEFT JOIN source_files s ON s.source_id = m.source_id
                 LEFT JOIN imports i ON i.import_id = s.import_id
                 WHERE m.msg_key = ?1",
            )?
            .query_row([msg_key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        let sent_at_raw = sent_at_raw.unwrap_or_else(|| {
            let zone = zone
                .and_then(|name| name.parse().ok())
                .unwrap_or(chrono_tz::Asia::Tokyo);
            crate::import::values::plain_local_time(sent_at, zone)
        });
        let revisions = self.revisions(msg_key)?;
        let files = self.files(msg_key)?;
        Ok(Some(MessageDetail {
            message,
            revisions,
            files,
            sent_at_raw,
        }))
    }

    /// Files shared with a message, in import order.
    pub fn files(&self, msg_key: i64) -> rusqlite::Result<Vec<FileView>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT file_id, filename, filesize, uploaded_at, url FROM files WHERE msg_key = ?1 ORDER BY file_key",
        )?;
        let rows = statement.query_map([msg_key], |row| {
            Ok(FileView {
                file_id: row.get(0)?,
                filename: row.get(1)?,
                filesize: row.get(2)?,
                uploaded_at: row.get(3)?,
                url: row.get(4)?,
            })
        })?;
        rows.collect()
    }

    /// Earlier versions of a message, oldest first.
    pub fn revisions(&self, msg_key: i64) -> rusqlite::Result<Vec<RevisionView>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT kind, at, at_raw, body_before FROM revisions WHERE msg_key = ?1 ORDER BY at, rev_key",
        )?;
        let rows = statement.query_map([msg_key], |row| {
            Ok(RevisionView {
                kind: RevisionKind::from_db(&row.get::<_, String>(0)?),
                at: row.get(1)?,
                at_raw: row.get(2)?,
                body_before: row.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// Members of a room, and senders in it who are on no members list.
    pub fn participants(&self, room_key: i64) -> rusqlite::Result<Vec<Participant>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT a.account_key, a.account_id, a.name, a.resigned, a.known,
                coalesce(rm.role, 'unknown'), a.organization, a.department,
                (SELECT count(*) FROM messages m WHERE m.room_key = ?1 AND m.account_key = a.account_key),
                rm.room_key IS NOT NULL
             FROM accounts a LEFT JOIN room_members rm ON rm.account_key = a.account_key AND rm.room_key = ?1
             WHERE rm.room_key IS NOT NULL
                OR a.account_key IN (SELECT DISTINCT account_key FROM messages WHERE room_key = ?1)
             ORDER BY a.resigned DESC, a.name, a.account_id",
        )?;
        let rows = statement.query_map([room_key], |row| {
            Ok(Participant {
                account: account_from_row(row, 0)?,
                role: Role::from_db(&row.get::<_, String>(5)?),
                organization: row.get(6)?,
                department: row.get(7)?,
                messages: row.get(8)?,
                listed: row.get(9)?,
            })
        })?;
        rows.collect()
    }

    /// Lists every account, resigned accounts first when requested.
    /// Counts are as of the last import (see `account_stats`).
    pub fn people(&self, resigned_first: bool) -> rusqlite::Result<Vec<Person>> {
        let order = if resigned_first {
            "a.resigned DESC, a.name, a.account_id"
        } else {
            "a.name, a.account_id"
        };
        let sql = format!(
            "SELECT a.account_key, a.account_id, a.name, a.resigned, a.known, a.organization, a.department,
                coalesce(s.rooms, 0), coalesce(s.messages, 0), s.last_activity
             FROM accounts a LEFT JOIN account_stats s ON s.account_key = a.account_key
             ORDER BY {order}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([], |row| {
            Ok(Person {
                account: account_from_row(row, 0)?,
                organization: row.get(5)?,
                department: row.get(6)?,
                rooms: row.get(7)?,
                messages: row.get(8)?,
                last_activity: row.get(9)?,
            })
        })?;
        rows.collect()
    }

    /// Number of messages an account sent.
    pub fn person_message_count(&self, account_key: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT count(*) FROM messages WHERE account_key = ?1")?
            .query_row([account_key], |row| row.get(0))
    }

    /// Reads an account's messages across all rooms, newest first.
    pub fn person_messages(
        &self,
        account_key: i64,
        offset: i64,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.account_key = ?1 ORDER BY m.sent_at DESC, m.msg_key DESC LIMIT ?2 OFFSET ?3"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![account_key, limit, offset], message_from_row)?;
        rows.collect()
    }

    /// Returns the keys of every message an account sent, newest first.
    pub fn person_message_keys(&self, account_key: i64) -> rusqlite::Result<Vec<i64>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT msg_key FROM messages WHERE account_key = ?1 ORDER BY sent_at DESC, msg_key DESC",
        )?;
        let rows = statement.query_map([account_key], |row| row.get(0))?;
        rows.collect()
    }

    /// Account names by account ID, for rendering `[piconname:…]` and mentions.
    pub fn account_names(&self) -> rusqlite::Result<HashMap<String, AccountLabel>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT account_key, account_id, name, resigned, known FROM accounts",
        )?;
        let rows = statement.query_map([], |row| account_from_row(row, 0))?;
        rows.map(|label| label.map(|label| (label.account_id.clone(), label)))
            .collect()
    }

    /// Names by account ID, as [`crate::index::plain_text`] wants them. The
    /// map is read once and again only after another connection changed the
    /// database, so a search does not read every account for each hit.
    pub fn names_by_id(&self) -> rusqlite::Result<NameMap> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        if let Some((seen, names)) = self.names.borrow().as_ref()
            && *seen == version
        {
            return Ok(names.clone());
        }
        let names: HashMap<String, String> = self
            .account_names()?
            .into_iter()
            .map(|(id, label)| (id, label.name))
            .collect();
        let names = std::sync::Arc::new(names);
        *self.names.borrow_mut() = Some((version, names.clone()));
        Ok(names)
    }

    /// Lists every export file that an import read, once per path and content:
    /// files that a later import found unchanged are listed with the import
    /// that first read them. Includes files of an import that never finished.
    pub fn source_files(&self) -> rusqlite::Result<Vec<SourceFile>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT min(import_id), path, size, sha256 FROM source_files
             GROUP BY path, sha256, size ORDER BY path, min(import_id)",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(SourceFile {
                import_id: row.get(0)?,
                path: row.get(1)?,
                size: row.get(2)?,
                sha256: row.get(3)?,
            })
        })?;
        rows.collect()
    }

    /// Lists the export folders the case was imported from, as the imports
    /// recorded them (canonical paths).
    pub fn export_folders(&self) -> rusqlite::Result<Vec<String>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT DISTINCT export_path FROM imports ORDER BY export_path")?;
        let rows = statement.query_map([], |row| row.get(0))?;
        rows.collect()
    }

    /// Room name and sender of each message key, in the order of `keys`.
    pub fn message_origins(&self, keys: &[i64]) -> rusqlite::Result<Vec<(String, AccountLabel)>> {
        let mut statement = self.conn.prepare_cached(
            "SELECT r.name, r.room_id, a.account_key, a.account_id, a.name, a.resigned, a.known
             FROM messages m JOIN rooms r ON r.room_key = m.room_key JOIN accounts a ON a.account_key = m.account_key
             WHERE m.msg_key = ?1",
        )?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(origin) = statement
                .query_row([key], |row| {
                    let name: String = row.get(0)?;
                    let id: String = row.get(1)?;
                    let room = if name.is_empty() { id } else { name };
                    Ok((room, account_from_row(row, 2)?))
                })
                .optional()?
            {
                out.push(origin);
            }
        }
        Ok(out)
    }

    /// Lists the tags in use, with how many messages carry each.
    pub fn tag_counts(&self) -> rusqlite::Result<Vec<(String, i64)>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Case;

    /// Creates a case with two rooms: room 1 has five messages, two of them
    /// sent at the same second, and room 2 has one.
    fn case_with_messages() -> (tempfile::TempDir, Case) {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(&dir.path().join("case")).unwrap();
        case.conn()
            .execute_batch(
                "INSERT INTO imports (import_id, started_at, export_path, layout, status)
                    VALUES (1, 0, '/e', 'csv', 'complete'), (2, 10, '/e', 'csv', 'complete');
                 INSERT INTO source_files (import_id, path, kind, size, sha256, encoding, status) VALUES
                    (1, 'members/members.csv', 'members', 10, 'aa', 'utf-8', 'complete'),
                    (2, 'members/members.csv', 'members', 10, 'aa', 'utf-8', 'skipped'),
                    (2, 'rooms/x/1/messages.csv', 'messages', 20, 'bb', 'utf-8', 'complete');
                 INSERT INTO rooms (room_key, room_id, name) VALUES (1, '100', '営業'), (2, '200', '総務');
                 INSERT INTO accounts (account_key, account_id, name) VALUES (1, '7', '試験 太郎');
                 INSERT INTO messages (msg_key, room_key, message_id, account_key, sent_at, sent_at_raw, body) VALUES
                    (1, 1, 11, 1, 300, '', 'c'),
                    (2, 1, 12, 1, 100, '', 'a'),
                    (3, 1, 13, 1, 200, '', 'b1'),
                    (4, 1, 14, 1, 200, '', 'b2'),
                    (5, 1, 15, 1, 400, '', 'd'),
                    (6, 2, 21, 1, 100, '', 'x');
                 INSERT INTO revisions (msg_key, kind, at, at_raw, body_before, dedup) VALUES
                    (3, 'edit', 250, '', 'b0', 1), (3, 'edit', 260, '', 'b00', 2), (6, 'delete', 150, '', 'y', 3);
                 INSERT INTO files (room_key, file_id, msg_key, filename, filesize) VALUES
                    (1, '900', 5, '議事録.pdf', 2048);",
            )
            .unwrap();
        (dir, case)
    }

    #[test]
    fn room_counts_come_from_the_last_rebuild() {
        let (_dir, case) = case_with_messages();
        case.conn()
            .execute_batch(
                "UPDATE messages SET edited = 1 WHERE msg_key = 3;
                 UPDATE messages SET deleted = 1 WHERE msg_key = 6;",
            )
            .unwrap();
        crate::store::rebuild_stats(case.conn()).unwrap();
        let reader = CaseReader::open(&case).unwrap();
        let rooms = reader.rooms(RoomSort::Name).unwrap();
        let counts: Vec<(String, i64, Option<i64>, i64, i64)> = rooms
            .iter()
            .map(|room| {
                (
                    room.room_id.clone(),
                    room.messages,
                    room.last_activity,
                    room.edited,
                    room.deleted,
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("100".to_string(), 5, Some(400), 1, 0),
                ("200".to_string(), 1, Some(100), 0, 1)
            ]
        );
    }

    #[test]
    fn plain_sent_time_shows_export_text() {
        let (_dir, case) = case_with_messages();
        case.conn()
            .execute_batch(
                "UPDATE imports SET source_tz = 'America/New_York' WHERE import_id = 2;
                 INSERT INTO messages (msg_key, room_key, message_id, account_key, sent_at, sent_at_raw, body, source_id)
                    VALUES (7, 1, 16, 1, 1700000000, NULL, 'e', 3),
                           (8, 1, 17, 1, 1700000000, NULL, 'f', NULL);",
            )
            .unwrap();
        let reader = CaseReader::open(&case).unwrap();
        let shown = |key| reader.message_detail(key).unwrap().unwrap().sent_at_raw;
        // 2023-11-14 22:13:20 UTC.
        assert_eq!(shown(7), "2023-11-14 17:13:20");
        // Without a source file the case's default zone applies.
        assert_eq!(shown(8), "2023-11-15 07:13:20");
    }

    #[test]
    fn room_windows_cover_room_in_order() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let expected: Vec<i64> = reader
            .room_messages(1, 0, 100)
            .unwrap()
            .iter()
            .map(|message| message.msg_key)
            .collect();
        assert_eq!(expected, [2, 3, 4, 1, 5]);

        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let window = reader.room_messages_after(1, after, 2).unwrap();
            if window.is_empty() {
                break;
            }
            after = window.last().map(|last| (last.sent_at, last.msg_key));
            seen.extend(window.iter().map(|message| message.msg_key));
        }
        assert_eq!(seen, expected);
    }

    #[test]
    fn room_windows_before_mirror_after() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let keys = |messages: Vec<MessageView>| -> Vec<i64> {
            messages.iter().map(|message| message.msg_key).collect()
        };

        assert_eq!(
            keys(reader.room_messages_before(1, None, 2).unwrap()),
            [1, 5]
        );
        assert_eq!(
            keys(reader.room_messages_before(1, Some((400, 5)), 2).unwrap()),
            [4, 1]
        );
        // Messages 3 and 4 share a second; the key breaks the tie.
        assert_eq!(
            keys(reader.room_messages_before(1, Some((200, 4)), 10).unwrap()),
            [2, 3]
        );
        assert!(
            reader
                .room_messages_before(1, Some((100, 2)), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(keys(reader.room_messages_before(2, None, 10).unwrap()), [6]);

        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let window = reader.room_messages_before(1, before, 2).unwrap();
            if window.is_empty() {
                break;
            }
            before = window.first().map(|first| (first.sent_at, first.msg_key));
            seen.splice(0..0, window.iter().map(|message| message.msg_key));
        }
        assert_eq!(seen, [2, 3, 4, 1, 5]);
    }

    #[test]
    fn message_places_skip_unknown_keys() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let places = reader.message_places(&[6, 99, 3]).unwrap();
        assert_eq!(
            places,
            [
                MessagePlace {
                    msg_key: 6,
                    room_key: 2,
                    sent_at: 100,
                    revisions: 1
                },
                MessagePlace {
                    msg_key: 3,
                    room_key: 1,
                    sent_at: 200,
                    revisions: 2
                },
            ]
        );
    }

    #[test]
    fn revision_counts_by_room() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let counts = reader.room_revision_counts().unwrap();
        assert_eq!(counts.get(&1), Some(&2));
        assert_eq!(counts.get(&2), Some(&1));
    }

    #[test]
    fn source_files_once_per_content() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let files = reader.source_files().unwrap();
        let listed: Vec<(i64, &str, &str)> = files
            .iter()
            .map(|file| (file.import_id, file.path.as_str(), file.sha256.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                (1, "members/members.csv", "aa"),
                (2, "rooms/x/1/messages.csv", "bb")
            ]
        );
    }

    #[test]
    fn room_timeline_reads_index_in_order() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let statements = [
            (
                "room_messages",
                format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW}"),
            ),
            (
                "room_messages_after",
                format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW_AFTER}"),
            ),
            (
                "room_messages_before",
                format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} {ROOM_WINDOW_BEFORE}"),
            ),
            ("room_position_at", ROOM_POSITION_AT.to_string()),
            ("room_position_of", ROOM_POSITION_OF.to_string()),
        ];
        for (name, sql) in statements {
            let mut explain = reader
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let values = vec![1_i64; explain.parameter_count()];
            let plan: Vec<String> = explain
                .query_map(rusqlite::params_from_iter(values), |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter()
                    .any(|step| step.contains("INDEX messages_by_room_time (room_key=?")),
                "{name} does not search messages_by_room_time: {plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                "{name} sorts in a temporary B-tree: {plan:?}"
            );
        }
    }

    #[test]
    fn files_of_message() {
        let (_dir, case) = case_with_messages();
        let reader = CaseReader::open(&case).unwrap();
        let files = reader.files(5).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].filename, "議事録.pdf");
        assert_eq!(files[0].filesize, Some(2048));
        assert!(reader.files(1).unwrap().is_empty());
    }
}
