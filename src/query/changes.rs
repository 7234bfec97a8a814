//! The order of the edits-and-deletions list: the key of every changed
//! message, sorted by time, person or room.
//!
//! A large case has hundreds of thousands of changed messages, so the
//! list is read as keys only. The columns the sorts need come from the
//! partial index `messages_changed` and the revisions' (msg_key, dedup)
//! index, never from a scan of `messages`, and presenters read the
//! messages they show a window at a time with
//! [`CaseReader::messages_by_keys`].

use std::cmp::Reverse;
use std::collections::HashMap;

use rusqlite::{OptionalExtension, Row};

use super::read::{CaseReader, ChangeSort};

/// Edited or deleted messages in key order, read from the covering partial
/// index alone. `INDEXED BY` makes the statement fail to prepare, instead
/// of scanning the table, if the index is missing or cannot be used.
const FLAGGED: &str = "SELECT msg_key, updated_at, sent_at, account_key, room_key
     FROM messages INDEXED BY messages_changed
     WHERE edited = 1 OR deleted = 1 ORDER BY msg_key";

/// Keys of messages with earlier versions, in key order.
const REVISED: &str = "SELECT DISTINCT msg_key FROM revisions ORDER BY msg_key";

/// The sort columns of one message, by its key.
const BY_KEY: &str = "SELECT msg_key, updated_at, sent_at, account_key, room_key
     FROM messages WHERE msg_key = ?1";

const ACCOUNT_ORDER: &str = "SELECT account_key FROM accounts ORDER BY name, account_id";

const ROOM_ORDER: &str = "SELECT room_key FROM rooms ORDER BY name, room_id";

/// The columns of a changed message that its place in the list depends on.
#[derive(Debug, Clone, Copy)]
struct ChangedMessage {
    msg_key: i64,
    /// The update time, or the sent time when the export gave none.
    changed_at: i64,
    sent_at: i64,
    account_key: i64,
    room_key: i64,
}

fn changed_from_row(row: &Row<'_>) -> rusqlite::Result<ChangedMessage> {
    let updated_at: Option<i64> = row.get(1)?;
    let sent_at: i64 = row.get(2)?;
    Ok(ChangedMessage {
        msg_key: row.get(0)?,
        changed_at: updated_at.unwrap_or(sent_at),
        sent_at,
        account_key: row.get(3)?,
        room_key: row.get(4)?,
    })
}

impl CaseReader {
    /// Returns the key of every message that is edited, deleted or has an
    /// earlier version, once each, in the order of `sort`:
    ///
    /// - `Time`: the newest change first (the update time, or the sent
    ///   time when the export gave none);
    /// - `Person`: by sender name, then account ID, then newest sent first;
    /// - `Room`: by room name, then room ID, then newest sent first.
    ///
    /// Names compare as SQLite's `BINARY` collation does, and ties go to
    /// the larger key first.
    pub fn changed_keys(&self, sort: ChangeSort) -> rusqlite::Result<Vec<i64>> {
        let mut changed = self.changed_messages()?;
        let accounts = self.ranks(ACCOUNT_ORDER)?;
        let rooms = self.ranks(ROOM_ORDER)?;
        // Like the joins of `messages_by_keys`, leave out a message whose
        // account or room row is missing, because it could not be shown.
        changed.retain(|message| {
            accounts.contains_key(&message.account_key) && rooms.contains_key(&message.room_key)
        });

        match sort {
            ChangeSort::Time => changed.sort_unstable_by_key(|message| {
                (Reverse(message.changed_at), Reverse(message.msg_key))
            }),
            ChangeSort::Person => changed.sort_unstable_by_key(|message| {
                (
                    accounts[&message.account_key],
                    Reverse(message.sent_at),
                    Reverse(message.msg_key),
                )
            }),
            ChangeSort::Room => changed.sort_unstable_by_key(|message| {
                (
                    rooms[&message.room_key],
                    Reverse(message.sent_at),
                    Reverse(message.msg_key),
                )
            }),
        }
        Ok(changed.into_iter().map(|message| message.msg_key).collect())
    }

    /// Reads the sort columns of every changed message, in no particular order.
    fn changed_messages(&self) -> rusqlite::Result<Vec<ChangedMessage>> {
        let conn = self.conn();
        let flagged: Vec<ChangedMessage> = conn
            .prepare_cached(FLAGGED)?
            .query_map([], changed_from_row)?
            .collect::<Result<_, _>>()?;

        // A message can have earlier versions without either flag, for
        // example when a history file records a deletion but the body in
        // messages.csv was not replaced. Only those are read one by one.
        let mut revised = conn.prepare_cached(REVISED)?;
        let mut by_key = conn.prepare_cached(BY_KEY)?;
        let mut unflagged = Vec::new();
        for key in revised.query_map([], |row| row.get::<_, i64>(0))? {
            let key = key?;
            if flagged
                .binary_search_by_key(&key, |message| message.msg_key)
                .is_err()
            {
                unflagged.extend(by_key.query_row([key], changed_from_row).optional()?);
            }
        }

        let mut changed = flagged;
        changed.extend(unflagged);
        Ok(changed)
    }

    /// Returns each key that `sql` selects with its position in the result.
    fn ranks(&self, sql: &str) -> rusqlite::Result<HashMap<i64, usize>> {
        let mut statement = self.conn().prepare_cached(sql)?;
        let keys = statement.query_map([], |row| row.get::<_, i64>(0))?;
        keys.enumerate()
            .map(|(rank, key)| key.map(|key| (key, rank)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::model::{RevisionKind, Timestamp};
    use crate::store::Case;
    use crate::store::writer::{RowOrigin, Writer};

    /// Generates an export of 6,000 messages in 4 rooms (about 230 of them
    /// edited or deleted) and imports it into a new case.
    fn generated_case() -> (tempfile::TempDir, Case) {
        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("export");
        let options = crate::generate::Options::new(4, 6_000, 7);
        crate::generate::generate(&export, &options, &mut |_| {}).unwrap();
        let (_, case) = crate::import::import_for_tests(&export, &dir.path().join("case"));
        (dir, case)
    }

    fn keys(conn: &rusqlite::Connection, sql: &str) -> Vec<i64> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    /// Returns the changed messages in `order` by a scan of every message,
    /// as the list read them before it had an index.
    fn scanned(conn: &rusqlite::Connection, order: &str) -> Vec<i64> {
        keys(
            conn,
            &format!(
                "SELECT m.msg_key FROM messages m NOT INDEXED
                    JOIN rooms r ON r.room_key = m.room_key
                    JOIN accounts a ON a.account_key = m.account_key
                 WHERE m.edited = 1 OR m.deleted = 1
                    OR EXISTS (SELECT 1 FROM revisions v WHERE v.msg_key = m.msg_key)
                 ORDER BY {order}"
            ),
        )
    }

    /// Records a deletion in the history of three messages that have no
    /// flag and no earlier version, through the importer's writer, as a
    /// history file that contradicts messages.csv does. Returns their keys.
    fn add_revisions_without_flags(case: &Case) -> Vec<i64> {
        let conn = case.conn();
        let plain = keys(
            conn,
            "SELECT msg_key FROM messages m WHERE edited = 0 AND deleted = 0
                AND NOT EXISTS (SELECT 1 FROM revisions v WHERE v.msg_key = m.msg_key)
             ORDER BY msg_key LIMIT 3",
        );
        let mut writer =
            Writer::begin(conn, "/history", "chatwork_csv", chrono_tz::Asia::Tokyo).unwrap();
        let source_id = writer
            .source_file(
                "rooms/aa/1/message_logs.csv",
                "message_logs",
                1,
                "00",
                "utf-8",
            )
            .unwrap();
        for (record, key) in plain.iter().enumerate() {
            let at = Timestamp {
                unix: 1_700_000_000 + record as i64,
                raw: String::new(),
            };
            let origin = RowOrigin {
                source_id,
                record: record as u64 + 1,
            };
            let added = writer
                .revision(*key, RevisionKind::Delete, &at, "削除前の本文", origin)
                .unwrap();
            assert!(added);
        }
        writer.finish(None).unwrap();
        plain
    }

    /// Gives two flagged messages of one sender in one room the same sent
    /// and update times, so every order has a tie for the key to break.
    fn add_tie(case: &Case) -> (i64, i64) {
        let conn = case.conn();
        let (first, second): (i64, i64) = conn
            .query_row(
                "SELECT a.msg_key, b.msg_key FROM messages a JOIN messages b
                    ON b.account_key = a.account_key AND b.room_key = a.room_key
                    AND b.msg_key > a.msg_key
                 WHERE (a.edited = 1 OR a.deleted = 1) AND (b.edited = 1 OR b.deleted = 1)
                 ORDER BY a.msg_key, b.msg_key LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "UPDATE messages SET sent_at = 1650000000, updated_at = 1650000100
             WHERE msg_key IN (?1, ?2)",
            [first, second],
        )
        .unwrap();
        (first, second)
    }

    #[test]
    fn changed_keys_equal_a_full_scan() {
        let (_dir, case) = generated_case();
        let revised_only = add_revisions_without_flags(&case);
        add_tie(&case);
        let conn = case.conn();
        assert!(
            count(
                conn,
                "SELECT count(*) FROM messages WHERE edited = 1 AND deleted = 0"
            ) > 50
        );
        assert!(count(conn, "SELECT count(*) FROM messages WHERE deleted = 1") > 10);
        assert_eq!(revised_only.len(), 3);

        let reader = CaseReader::open(&case).unwrap();
        let orders = [
            (
                ChangeSort::Time,
                "coalesce(m.updated_at, m.sent_at) DESC, m.msg_key DESC",
            ),
            (
                ChangeSort::Person,
                "a.name, a.account_id, m.sent_at DESC, m.msg_key DESC",
            ),
            (
                ChangeSort::Room,
                "r.name, r.room_id, m.sent_at DESC, m.msg_key DESC",
            ),
        ];
        for (sort, order) in orders {
            let listed = reader.changed_keys(sort).unwrap();
            let unique: HashSet<i64> = listed.iter().copied().collect();
            assert_eq!(unique.len(), listed.len(), "{sort:?}: a key listed twice");
            for key in &revised_only {
                assert!(unique.contains(key), "{sort:?}: message {key} is missing");
            }
            assert_eq!(listed, scanned(conn, order), "{sort:?}");
        }
    }

    #[test]
    fn changed_keys_of_a_case_without_changes() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(&dir.path().join("case")).unwrap();
        let reader = CaseReader::open(&case).unwrap();
        for sort in [ChangeSort::Time, ChangeSort::Person, ChangeSort::Room] {
            assert!(reader.changed_keys(sort).unwrap().is_empty());
        }
    }

    /// Returns the detail column of `EXPLAIN QUERY PLAN` for `sql`.
    fn plan(conn: &rusqlite::Connection, sql: &str, params: &[i64]) -> Vec<String> {
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params_from_iter(params), |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn change_queries_never_scan_messages() {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(&dir.path().join("case")).unwrap();
        let conn = case.conn();
        assert_eq!(
            plan(conn, FLAGGED, &[]),
            ["SCAN messages USING COVERING INDEX messages_changed"]
        );
        assert_eq!(
            plan(conn, REVISED, &[]),
            ["SCAN revisions USING COVERING INDEX sqlite_autoindex_revisions_1"]
        );
        assert_eq!(
            plan(conn, BY_KEY, &[1]),
            ["SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)"]
        );
    }
}
