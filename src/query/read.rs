//! Read API over a case: rooms, timelines, messages with their history,
//! people and changes. The TUI and the exports read through these types and
//! never see SQLite.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{RevisionKind, Role, RoomType};

/// How a name is shown: resigned accounts carry 【解約済】 (ja) or
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
    /// The name as every screen and export shows it.
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

/// The marker appended to resigned accounts' names.
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
    /// The room name, or its ID when the export gave none.
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

/// Orders of the edits-and-deletions list.
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
}

const MESSAGE_COLUMNS: &str = "m.msg_key, m.room_key, r.room_id, r.name, m.message_id,
    a.account_key, a.account_id, a.name, a.resigned, a.known,
    m.sent_at, m.updated_at, m.body, m.edited, m.deleted, m.has_file,
    (SELECT count(*) FROM revisions v WHERE v.msg_key = m.msg_key),
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM tags t WHERE t.msg_key = m.msg_key ORDER BY tag)),
    EXISTS (SELECT 1 FROM stars s WHERE s.msg_key = m.msg_key),
    (SELECT body FROM notes n WHERE n.msg_key = m.msg_key)";

const MESSAGE_FROM: &str = "FROM messages m JOIN rooms r ON r.room_key = m.room_key JOIN accounts a ON a.account_key = m.account_key";

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
        CaseReader { conn }
    }

    /// Opens a read-only connection to a case.
    pub fn open(case: &crate::store::Case) -> Result<CaseReader, crate::store::StoreError> {
        Ok(CaseReader::new(case.reader()?))
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Every room with its counts.
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
             FROM rooms r LEFT JOIN (
                SELECT m.room_key, count(*) AS messages, max(m.sent_at) AS last_activity,
                    sum(m.edited) AS edited, sum(m.deleted) AS deleted, sum(a.resigned) AS resigned
                FROM messages m JOIN accounts a ON a.account_key = m.account_key GROUP BY m.room_key
             ) s ON s.room_key = r.room_key
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

    /// A window of a room's timeline, oldest first: `limit` messages from
    /// position `offset` (0 is the oldest message).
    pub fn room_messages(
        &self,
        room_key: i64,
        offset: i64,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.room_key = ?1 ORDER BY m.sent_at, m.msg_key LIMIT ?2 OFFSET ?3"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map(params![room_key, limit, offset], message_from_row)?;
        rows.collect()
    }

    /// Up to `limit` messages of a room's timeline that come strictly after
    /// `after`, oldest first. `after` is a `(sent_at, msg_key)` pair of the
    /// timeline order, and `None` starts at the oldest message.
    ///
    /// Unlike [`CaseReader::room_messages`], the cost does not grow with the
    /// position in the room, because the query seeks the timeline index.
    pub fn room_messages_after(
        &self,
        room_key: i64,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let (sent_at, msg_key) = after.unwrap_or((i64::MIN, i64::MIN));
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.room_key = ?1 AND (m.sent_at, m.msg_key) > (?2, ?3)
             ORDER BY m.sent_at, m.msg_key LIMIT ?4"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![room_key, sent_at, msg_key, limit], message_from_row)?;
        rows.collect()
    }

    /// Up to `limit` messages of a room's timeline that come strictly before
    /// `before`, returned oldest first. `None` takes the newest messages.
    pub fn room_messages_before(
        &self,
        room_key: i64,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> rusqlite::Result<Vec<MessageView>> {
        let (sent_at, msg_key) = before.unwrap_or((i64::MAX, i64::MAX));
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.room_key = ?1 AND (m.sent_at, m.msg_key) < (?2, ?3)
             ORDER BY m.sent_at DESC, m.msg_key DESC LIMIT ?4"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows =
            statement.query_map(params![room_key, sent_at, msg_key, limit], message_from_row)?;
        let mut messages: Vec<MessageView> = rows.collect::<Result<_, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    /// Position in its room's timeline of the first message sent at or after `unix`.
    pub fn room_position_at(&self, room_key: i64, unix: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("SELECT count(*) FROM messages WHERE room_key = ?1 AND sent_at < ?2")?
            .query_row(params![room_key, unix], |row| row.get(0))
    }

    /// Position of a message in its room's timeline.
    pub fn room_position_of(&self, msg_key: i64) -> rusqlite::Result<Option<(i64, i64)>> {
        self.conn
            .prepare_cached(
                "SELECT m.room_key, (SELECT count(*) FROM messages o WHERE o.room_key = m.room_key
                    AND (o.sent_at < m.sent_at OR (o.sent_at = m.sent_at AND o.msg_key < m.msg_key)))
                 FROM messages m WHERE m.msg_key = ?1",
            )?
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
            .query_row(params![room_id, message_id], |row| row.get(0))
            .optional()
    }

    /// Messages by key, in the order of `keys`; unknown keys are skipped.
    pub fn messages_by_keys(&self, keys: &[i64]) -> rusqlite::Result<Vec<MessageView>> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM} WHERE m.msg_key = ?1");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(view) = statement.query_row([key], message_from_row).optional()? {
                out.push(view);
            }
        }
        Ok(out)
    }

    /// A message with its earlier versions and files.
    pub fn message_detail(&self, msg_key: i64) -> rusqlite::Result<Option<MessageDetail>> {
        let Some(message) = self.messages_by_keys(&[msg_key])?.into_iter().next() else {
            return Ok(None);
        };
        let sent_at_raw: String = self
            .conn
            .prepare_cached("SELECT sent_at_raw FROM messages WHERE msg_key = ?1")?
            .query_row([msg_key], |row| row.get(0))?;
        let revisions = self.revisions(msg_key)?;
        let mut statement = self.conn.prepare_cached(
            "SELECT file_id, filename, filesize, uploaded_at, url FROM files WHERE msg_key = ?1 ORDER BY file_key",
        )?;
        let files = statement
            .query_map([msg_key], |row| {
                Ok(FileView {
                    file_id: row.get(0)?,
                    filename: row.get(1)?,
                    filesize: row.get(2)?,
                    uploaded_at: row.get(3)?,
                    url: row.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(Some(MessageDetail {
            message,
            revisions,
            files,
            sent_at_raw,
        }))
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

    /// Every account; resigned accounts first when asked.
    pub fn people(&self, resigned_first: bool) -> rusqlite::Result<Vec<Person>> {
        let order = if resigned_first {
            "a.resigned DESC, a.name, a.account_id"
        } else {
            "a.name, a.account_id"
        };
        let sql = format!(
            "SELECT a.account_key, a.account_id, a.name, a.resigned, a.known, a.organization, a.department,
                (SELECT count(*) FROM room_members rm WHERE rm.account_key = a.account_key),
                coalesce(s.messages, 0), s.last_activity
             FROM accounts a LEFT JOIN (
                SELECT account_key, count(*) AS messages, max(sent_at) AS last_activity
                FROM messages GROUP BY account_key
             ) s ON s.account_key = a.account_key
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

    /// An account's messages across all rooms, newest first.
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

    /// Every edited or deleted message of the organization.
    pub fn changes(&self, sort: ChangeSort) -> rusqlite::Result<Vec<MessageView>> {
        let order = match sort {
            ChangeSort::Time => "coalesce(m.updated_at, m.sent_at) DESC, m.msg_key DESC",
            ChangeSort::Person => "a.name, a.account_id, m.sent_at DESC",
            ChangeSort::Room => "r.name, r.room_id, m.sent_at DESC",
        };
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} {MESSAGE_FROM}
             WHERE m.edited = 1 OR m.deleted = 1 OR EXISTS (SELECT 1 FROM revisions v WHERE v.msg_key = m.msg_key)
             ORDER BY {order}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([], message_from_row)?;
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

    /// All tags in use, with how many messages carry each.
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
    use crate::import::{self, ImportOptions};
    use crate::store::Case;

    fn sample_reader() -> (tempfile::TempDir, CaseReader) {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(&dir.path().join("case")).unwrap();
        let export =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        import::run(
            &export,
            &case,
            &ImportOptions::default(),
            &mut |_, _| {},
            &mut || Ok(()),
        )
        .unwrap();
        let reader = CaseReader::open(&case).unwrap();
        (dir, reader)
    }

    fn keys(messages: &[MessageView]) -> Vec<i64> {
        messages.iter().map(|message| message.msg_key).collect()
    }

    #[test]
    fn keyset_windows_match_offset_windows() {
        let (_dir, reader) = sample_reader();
        let busiest = reader
            .rooms(RoomSort::Messages)
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        let total = busiest.messages;
        assert!(
            total > 100,
            "the sample's busiest room has {total} messages"
        );
        let everything = keys(&reader.room_messages(busiest.room_key, 0, total).unwrap());

        let first = reader
            .room_messages_after(busiest.room_key, None, 40)
            .unwrap();
        assert_eq!(keys(&first), everything[..40]);

        let last = first.last().unwrap();
        let next = reader
            .room_messages_after(busiest.room_key, Some((last.sent_at, last.msg_key)), 40)
            .unwrap();
        assert_eq!(keys(&next), everything[40..80]);

        let back = reader
            .room_messages_before(
                busiest.room_key,
                Some((next[0].sent_at, next[0].msg_key)),
                25,
            )
            .unwrap();
        assert_eq!(keys(&back), everything[15..40]);

        let newest = reader
            .room_messages_before(busiest.room_key, None, 30)
            .unwrap();
        assert_eq!(keys(&newest), everything[everything.len() - 30..]);

        let past_end = reader
            .room_messages_after(busiest.room_key, Some((i64::MAX, i64::MAX)), 10)
            .unwrap();
        assert!(past_end.is_empty());
    }

    #[test]
    fn keyset_window_starts_at_position() {
        let (_dir, reader) = sample_reader();
        let room = reader.rooms(RoomSort::Messages).unwrap().remove(0);
        let everything = reader
            .room_messages(room.room_key, 0, room.messages)
            .unwrap();
        let target = &everything[everything.len() / 2];

        let (room_key, position) = reader.room_position_of(target.msg_key).unwrap().unwrap();
        assert_eq!(room_key, room.room_key);
        let window = reader
            .room_messages_after(room_key, Some((target.sent_at, target.msg_key - 1)), 5)
            .unwrap();
        assert_eq!(window[0].msg_key, target.msg_key);
        assert_eq!(everything[position as usize].msg_key, target.msg_key);
    }
}
