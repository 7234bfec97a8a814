//! Schema of the case database and its migrations.
//!
//! `PRAGMA user_version` contains the number of migrations applied. A migration
//! is appended, never edited, once a release has shipped it.

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: the imported export and the bookkeeping of each import.
    r#"
CREATE TABLE case_info (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    created_at    INTEGER NOT NULL,
    investigator  TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL DEFAULT '',
    export_path   TEXT,
    source_tz     TEXT NOT NULL DEFAULT 'Asia/Tokyo'
);

CREATE TABLE imports (
    import_id       INTEGER PRIMARY KEY,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    export_path     TEXT NOT NULL,
    layout          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    error           TEXT,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_imported   INTEGER NOT NULL DEFAULT 0,
    rows_quarantined INTEGER NOT NULL DEFAULT 0,
    messages_added  INTEGER NOT NULL DEFAULT 0,
    revisions_added INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE source_files (
    source_id       INTEGER PRIMARY KEY,
    import_id       INTEGER NOT NULL REFERENCES imports(import_id),
    path            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_imported   INTEGER NOT NULL DEFAULT 0,
    rows_quarantined INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('running', 'complete', 'skipped')),
    UNIQUE (import_id, path)
);
CREATE INDEX source_files_by_hash ON source_files(path, sha256, status);

CREATE TABLE rooms (
    room_key   INTEGER PRIMARY KEY,
    room_id    TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    room_type  TEXT NOT NULL DEFAULT 'unknown',
    file_path  TEXT
);

CREATE TABLE accounts (
    account_key   INTEGER PRIMARY KEY,
    account_id    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    raw_name      TEXT NOT NULL DEFAULT '',
    resigned      INTEGER NOT NULL DEFAULT 0,
    known         INTEGER NOT NULL DEFAULT 0,
    organization  TEXT,
    department    TEXT
);

CREATE TABLE room_members (
    room_key     INTEGER NOT NULL REFERENCES rooms(room_key),
    account_key  INTEGER NOT NULL REFERENCES accounts(account_key),
    role         TEXT NOT NULL DEFAULT 'unknown',
    PRIMARY KEY (room_key, account_key)
) WITHOUT ROWID;

CREATE TABLE messages (
    msg_key         INTEGER PRIMARY KEY,
    room_key        INTEGER NOT NULL REFERENCES rooms(room_key),
    message_id      TEXT NOT NULL,
    account_key     INTEGER NOT NULL REFERENCES accounts(account_key),
    sender_raw_name TEXT NOT NULL DEFAULT '',
    sent_at         INTEGER NOT NULL,
    sent_at_raw     TEXT NOT NULL,
    updated_at      INTEGER,
    updated_at_raw  TEXT,
    body            TEXT NOT NULL,
    edited          INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    has_file        INTEGER NOT NULL DEFAULT 0,
    extra           TEXT,
    source_id       INTEGER REFERENCES source_files(source_id),
    source_record   INTEGER,
    UNIQUE (room_key, message_id)
);
CREATE INDEX messages_by_room_time ON messages(room_key, sent_at, msg_key);
CREATE INDEX messages_by_account ON messages(account_key, sent_at);

CREATE TABLE revisions (
    rev_key        INTEGER PRIMARY KEY,
    msg_key        INTEGER NOT NULL REFERENCES messages(msg_key),
    kind           TEXT NOT NULL CHECK (kind IN ('edit', 'delete')),
    at             INTEGER NOT NULL,
    at_raw         TEXT NOT NULL,
    body_before    TEXT NOT NULL,
    dedup          INTEGER NOT NULL,
    source_id      INTEGER REFERENCES source_files(source_id),
    source_record  INTEGER,
    UNIQUE (msg_key, dedup)
);

CREATE TABLE files (
    file_key        INTEGER PRIMARY KEY,
    room_key        INTEGER NOT NULL REFERENCES rooms(room_key),
    file_id         TEXT NOT NULL,
    message_id      TEXT,
    msg_key         INTEGER REFERENCES messages(msg_key),
    account_key     INTEGER REFERENCES accounts(account_key),
    filename        TEXT NOT NULL DEFAULT '',
    filesize        INTEGER,
    uploaded_at     INTEGER,
    uploaded_at_raw TEXT,
    url             TEXT,
    UNIQUE (room_key, file_id)
);
CREATE INDEX files_by_message ON files(msg_key);

CREATE TABLE links (
    msg_key         INTEGER NOT NULL REFERENCES messages(msg_key),
    kind            TEXT NOT NULL CHECK (kind IN ('to', 'toall', 'reply', 'quote')),
    account_id      TEXT,
    target_room     TEXT,
    target_message  TEXT
);
CREATE INDEX links_by_message ON links(msg_key);
CREATE INDEX links_by_account ON links(account_id, kind);

CREATE TABLE quarantine (
    quarantine_id  INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES imports(import_id),
    path           TEXT NOT NULL,
    record         INTEGER,
    line           INTEGER,
    reason         TEXT NOT NULL,
    raw            BLOB,
    UNIQUE (path, record, reason)
);
"#,
    // 2: accountability: audit log, tags, stars and notes.
    r#"
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    os_user       TEXT NOT NULL,
    investigator  TEXT NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE TABLE tags (
    msg_key    INTEGER NOT NULL REFERENCES messages(msg_key),
    tag        TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (msg_key, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags(tag, msg_key);

CREATE TABLE stars (
    msg_key    INTEGER PRIMARY KEY REFERENCES messages(msg_key),
    added_at   INTEGER NOT NULL
);

CREATE TABLE notes (
    msg_key     INTEGER PRIMARY KEY REFERENCES messages(msg_key),
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
"#,
    // 3: the quarantine keeps each distinct raw record of a file position, so
    // a later download whose damaged row changed does not lose the new text.
    r#"
CREATE TABLE quarantine_v3 (
    quarantine_id  INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES imports(import_id),
    path           TEXT NOT NULL,
    record         INTEGER,
    line           INTEGER,
    reason         TEXT NOT NULL,
    raw            BLOB,
    UNIQUE (path, record, reason, raw)
);
INSERT INTO quarantine_v3 (quarantine_id, import_id, path, record, line, reason, raw)
    SELECT quarantine_id, import_id, path, record, line, reason, raw FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_v3 RENAME TO quarantine;
"#,
    // 4: smaller messages. A sender name is stored once in `sender_names`.
    // `sent_at_raw` is NULL when the export wrote the time as
    // `YYYY-MM-DD HH:MM:SS` in the zone of its import (`imports.source_tz`),
    // so it can be written again from `sent_at`. The `links` table is gone
    // because nothing read it: mentions are in the search index, and
    // replies and quotes are read from the body.
    r#"
CREATE TABLE sender_names (
    name_key  INTEGER PRIMARY KEY,
    raw_name  TEXT NOT NULL UNIQUE
);
INSERT INTO sender_names (raw_name)
    SELECT DISTINCT sender_raw_name FROM messages WHERE sender_raw_name <> '' ORDER BY 1;
ALTER TABLE imports ADD COLUMN source_tz TEXT;
CREATE TABLE messages_v4 (
    msg_key         INTEGER PRIMARY KEY,
    room_key        INTEGER NOT NULL REFERENCES rooms(room_key),
    message_id      TEXT NOT NULL,
    account_key     INTEGER NOT NULL REFERENCES accounts(account_key),
    sender_name_key INTEGER REFERENCES sender_names(name_key),
    sent_at         INTEGER NOT NULL,
    sent_at_raw     TEXT,
    updated_at      INTEGER,
    updated_at_raw  TEXT,
    body            TEXT NOT NULL,
    edited          INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    has_file        INTEGER NOT NULL DEFAULT 0,
    extra           TEXT,
    source_id       INTEGER REFERENCES source_files(source_id),
    source_record   INTEGER,
    UNIQUE (room_key, message_id)
);
INSERT INTO messages_v4
    SELECT msg_key, room_key, message_id, account_key,
        (SELECT name_key FROM sender_names WHERE raw_name = m.sender_raw_name),
        sent_at, sent_at_raw, updated_at, updated_at_raw, body, edited, deleted, has_file,
        extra, source_id, source_record
    FROM messages AS m ORDER BY msg_key;
DROP TABLE messages;
ALTER TABLE messages_v4 RENAME TO messages;
CREATE INDEX messages_by_room_time ON messages(room_key, sent_at, msg_key);
CREATE INDEX messages_by_account ON messages(account_key, sent_at);
DROP TABLE links;
"#,
    // 5: per-room counts, so that the room list does not aggregate every
    // message of the case each time it opens. Each import rebuilds them.
    r#"
CREATE TABLE room_stats (
    room_key       INTEGER PRIMARY KEY REFERENCES rooms(room_key),
    messages       INTEGER NOT NULL,
    last_activity  INTEGER,
    edited         INTEGER NOT NULL,
    deleted        INTEGER NOT NULL,
    resigned       INTEGER NOT NULL
);
"#,
    // 6: per-person counts, for the same reason as `room_stats`.
    r#"
CREATE TABLE account_stats (
    account_key    INTEGER PRIMARY KEY REFERENCES accounts(account_key),
    messages       INTEGER NOT NULL,
    last_activity  INTEGER,
    rooms          INTEGER NOT NULL
);
"#,
    // 7: the edited and deleted messages in a partial index of their own,
    // with every column the edits-and-deletions list sorts by, so the list
    // is read from the index without scanning `messages`. The flags are
    // columns too, because without them SQLite 3.51.3 (as rusqlite
    // bundles it) reads each row of the table to check them.
    // Messages changed only through a revision row are found through the
    // revisions' own (msg_key, dedup) index.
    r#"
CREATE INDEX messages_changed
    ON messages(msg_key, updated_at, sent_at, account_key, room_key, edited, deleted)
    WHERE edited = 1 OR deleted = 1;
"#,
    // 8: smaller messages and indexes. `message_id` has no type affinity. It
    // stores a canonical decimal ID as an INTEGER and any other ID as TEXT
    // (see `store::message_id`). The CASE below is that rule in SQL: CAST to
    // INTEGER reads the longest leading integer and saturates outside the
    // i64 range (SQLite documentation, "CAST expressions"), so the round
    // trip through TEXT gives back the stored text only for canonical
    // decimals. `messages_by_room_time` drops its explicit `msg_key` because
    // every entry of an index on a rowid table ends with the rowid anyway.
    // The pages of the old table stay in the file as free pages, which
    // later imports reuse; `cwlens compact` gives them back.
    r#"
CREATE TABLE messages_v8 (
    msg_key         INTEGER PRIMARY KEY,
    room_key        INTEGER NOT NULL REFERENCES rooms(room_key),
    message_id      NOT NULL,
    account_key     INTEGER NOT NULL REFERENCES accounts(account_key),
    sender_name_key INTEGER REFERENCES sender_names(name_key),
    sent_at         INTEGER NOT NULL,
    sent_at_raw     TEXT,
    updated_at      INTEGER,
    updated_at_raw  TEXT,
    body            TEXT NOT NULL,
    edited          INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    has_file        INTEGER NOT NULL DEFAULT 0,
    extra           TEXT,
    source_id       INTEGER REFERENCES source_files(source_id),
    source_record   INTEGER,
    UNIQUE (room_key, message_id)
);
INSERT INTO messages_v8
    SELECT msg_key, room_key,
        CASE WHEN CAST(CAST(message_id AS INTEGER) AS TEXT) = message_id
            THEN CAST(message_id AS INTEGER) ELSE message_id END,
        account_key, sender_name_key, sent_at, sent_at_raw, updated_at, updated_at_raw, body,
        edited, deleted, has_file, extra, source_id, source_record
    FROM messages ORDER BY msg_key;
DROP TABLE messages;
ALTER TABLE messages_v8 RENAME TO messages;
CREATE INDEX messages_by_room_time ON messages(room_key, sent_at);
CREATE INDEX messages_by_account ON messages(account_key, sent_at);
CREATE INDEX messages_changed
    ON messages(msg_key, updated_at, sent_at, account_key, room_key, edited, deleted)
    WHERE edited = 1 OR deleted = 1;
"#,
];

/// Rebuilds `room_stats` and `account_stats` from the messages and room
/// members. Run at the end of every import and by the migrations that add
/// the tables.
pub fn rebuild_stats(conn: &Connection) -> rusqlite::Result<()> {
    write_room_stats(conn, &read_room_stats(conn)?)?;
    rebuild_account_stats(conn)
}

/// The counts of one room, as `room_stats` keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomStats {
    pub room_key: i64,
    pub messages: i64,
    pub last_activity: Option<i64>,
    pub edited: i64,
    pub deleted: i64,
    pub resigned: i64,
}

/// Counts the messages of every room. It only reads, so it can run on a
/// connection of its own while the import's connection builds an index.
pub fn read_room_stats(conn: &Connection) -> rusqlite::Result<Vec<RoomStats>> {
    let mut statement = conn.prepare(
        "SELECT m.room_key, count(*), max(m.sent_at), sum(m.edited), sum(m.deleted), sum(a.resigned)
         FROM messages m JOIN accounts a ON a.account_key = m.account_key
         GROUP BY m.room_key",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(RoomStats {
            room_key: row.get(0)?,
            messages: row.get(1)?,
            last_activity: row.get(2)?,
            edited: row.get(3)?,
            deleted: row.get(4)?,
            resigned: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// Replaces the rows of `room_stats`.
pub fn write_room_stats(conn: &Connection, stats: &[RoomStats]) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM room_stats", [])?;
    let mut insert = conn.prepare(
        "INSERT INTO room_stats (room_key, messages, last_activity, edited, deleted, resigned)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for room in stats {
        insert.execute(rusqlite::params![
            room.room_key,
            room.messages,
            room.last_activity,
            room.edited,
            room.deleted,
            room.resigned
        ])?;
    }
    Ok(())
}

/// Rebuilds `account_stats`. The per-person index makes it a read of that
/// index instead of the whole table.
pub fn rebuild_account_stats(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(REBUILD_ACCOUNT_STATS)
}

const REBUILD_ACCOUNT_STATS: &str = "
DELETE FROM account_stats;
INSERT INTO account_stats (account_key, messages, last_activity, rooms)
    SELECT a.account_key, coalesce(s.messages, 0), s.last_activity, coalesce(r.rooms, 0)
    FROM accounts a
    LEFT JOIN (SELECT account_key, count(*) AS messages, max(sent_at) AS last_activity
               FROM messages GROUP BY account_key) s ON s.account_key = a.account_key
    LEFT JOIN (SELECT account_key, count(*) AS rooms
               FROM room_members GROUP BY account_key) r ON r.account_key = a.account_key;
";

/// Number of migrations this build contains.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database has not seen yet.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // A migration may rebuild a table that others point at, and SQLite
    // allows that only with foreign keys off. The check afterwards proves
    // that every reference is still valid.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!(
                    "migration {} left a row of {table} pointing at a missing row",
                    index + 1
                )),
            )));
        }
        tx.commit()?;
    }
    if current < STATS_SINCE {
        rebuild_stats(conn)?;
    }
    if enforced {
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    // A migration that rebuilds `messages` writes the whole table to the
    // WAL. Copying it into the database now keeps the WAL from staying that
    // large until the next import.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// The first schema version with both `room_stats` and `account_stats`; a
/// database migrated from before it gets them filled once.
const STATS_SINCE: i64 = 6;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn quarantine_rows_survive_migration_three() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO imports (import_id, started_at, export_path, layout, status)
                VALUES (1, 0, '/export', 'chatwork_csv', 'complete');
             INSERT INTO quarantine (import_id, path, record, line, reason, raw)
                VALUES (1, 'rooms/a/1/messages.csv', 2, 3, 'bad id', X'612C620D0A');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();

        let raw: Vec<u8> = conn
            .query_row("SELECT raw FROM quarantine", [], |row| row.get(0))
            .unwrap();
        assert_eq!(raw, b"a,b\r\n");
        let other_text = conn.execute(
            "INSERT INTO quarantine (import_id, path, record, line, reason, raw)
                VALUES (1, 'rooms/a/1/messages.csv', 2, 3, 'bad id', X'612C630D0A')",
            [],
        );
        assert_eq!(
            other_text.unwrap(),
            1,
            "another raw text at the same place is kept"
        );
    }

    #[test]
    fn messages_keep_their_data_through_migration_four() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO imports (import_id, started_at, export_path, layout, status)
                VALUES (1, 0, '/export', 'chatwork_csv', 'complete');
             INSERT INTO rooms (room_key, room_id) VALUES (1, '55');
             INSERT INTO accounts (account_key, account_id, name) VALUES (1, '7', '試験 太郎');
             INSERT INTO messages (msg_key, room_key, message_id, account_key, sender_raw_name,
                    sent_at, sent_at_raw, body)
                VALUES (1, 1, '101', 1, '試験 太郎', 100, '1970-01-01 09:01:40', '本文'),
                       (2, 1, '102', 1, '', 200, '200', '二つ目'),
                       (3, 1, '103', 1, '試験 太郎(解約済)', 300, '300', '三つ目');
             INSERT INTO revisions (msg_key, kind, at, at_raw, body_before, dedup)
                VALUES (1, 'edit', 150, '150', '前の本文', 1);
             INSERT INTO stars (msg_key, added_at) VALUES (3, 0);
             INSERT INTO links (msg_key, kind, account_id) VALUES (1, 'to', '7');",
        )
        .unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate(&mut conn).unwrap();

        let rows: Vec<(i64, String, Option<String>, String, String)> = conn
            .prepare(
                "SELECT m.msg_key, CAST(m.message_id AS TEXT), n.raw_name, m.sent_at_raw, m.body
                 FROM messages m
                 LEFT JOIN sender_names n ON n.name_key = m.sender_name_key ORDER BY m.msg_key",
            )
            .unwrap()
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (
                    1,
                    "101".into(),
                    Some("試験 太郎".into()),
                    "1970-01-01 09:01:40".into(),
                    "本文".into()
                ),
                (2, "102".into(), None, "200".into(), "二つ目".into()),
                (
                    3,
                    "103".into(),
                    Some("試験 太郎(解約済)".into()),
                    "300".into(),
                    "三つ目".into()
                ),
            ]
        );
        let revision: String = conn
            .query_row(
                "SELECT body_before FROM revisions WHERE msg_key = 1",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(revision, "前の本文");
        let links: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'links'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(links, 0);
        let enforced: bool = conn
            .query_row("PRAGMA foreign_keys", [], |row| row.get(0))
            .unwrap();
        assert!(enforced, "foreign keys are on again after the migration");
        // The stars row still points at message 3 in the rebuilt table.
        let orphan = conn.execute("INSERT INTO stars (msg_key, added_at) VALUES (99, 0)", []);
        assert!(orphan.is_err(), "references are enforced on the new table");
    }

    #[test]
    fn migration_seven_indexes_existing_changes() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..6] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 6).unwrap();
        conn.execute_batch(
            "INSERT INTO rooms (room_key, room_id) VALUES (1, '55');
             INSERT INTO accounts (account_key, account_id) VALUES (1, '7');
             INSERT INTO messages (msg_key, room_key, message_id, account_key, sent_at, body, edited, deleted)
                VALUES (1, 1, '101', 1, 100, '本文', 0, 0),
                       (2, 1, '102', 1, 200, '直した本文', 1, 0),
                       (3, 1, '103', 1, 300, '[deleted]', 0, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();

        let indexed: Vec<i64> = conn
            .prepare(
                "SELECT msg_key FROM messages INDEXED BY messages_changed
                 WHERE edited = 1 OR deleted = 1 ORDER BY msg_key",
            )
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(indexed, [2, 3]);
    }

    /// Opens an in-memory database with the first `version` migrations
    /// applied, one room and one account.
    fn database_at(version: usize) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO rooms (room_key, room_id) VALUES (1, '55');
             INSERT INTO accounts (account_key, account_id) VALUES (1, '7');",
        )
        .unwrap();
        conn
    }

    fn stored_as_integer(id: &str) -> bool {
        matches!(
            crate::store::message_id_to_sql(id),
            rusqlite::types::ToSqlOutput::Owned(rusqlite::types::Value::Integer(_))
        )
    }

    /// Stores `ids` as text in a version 7 database, runs migration 8 and
    /// checks each row against `message_id_to_sql`: same storage class, same
    /// text back, and found by a lookup bound through it.
    fn check_migrated_ids(ids: &[String]) -> Result<(), String> {
        let mut conn = database_at(7);
        {
            let mut insert = conn
                .prepare(
                    "INSERT INTO messages (msg_key, room_key, message_id, account_key, sent_at, body)
                     VALUES (?1, 1, ?2, 1, 0, '')",
                )
                .unwrap();
            for (key, id) in ids.iter().enumerate() {
                insert.execute(rusqlite::params![key as i64, id]).unwrap();
            }
        }
        migrate(&mut conn).map_err(|error| error.to_string())?;

        for (key, id) in ids.iter().enumerate() {
            let (class, text): (String, String) = conn
                .query_row(
                    "SELECT typeof(message_id), CAST(message_id AS TEXT) FROM messages
                     WHERE msg_key = ?1",
                    [key as i64],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            let expected = if stored_as_integer(id) {
                "integer"
            } else {
                "text"
            };
            if class != expected {
                return Err(format!("{id:?} migrated to {class}, Rust binds {expected}"));
            }
            if text != *id {
                return Err(format!("{id:?} reads back as {text:?}"));
            }
            let found: Option<i64> = conn
                .query_row(
                    "SELECT msg_key FROM messages WHERE room_key = 1 AND message_id = ?1",
                    [crate::store::message_id_to_sql(id)],
                    |row| row.get(0),
                )
                .optional()
                .unwrap();
            if found != Some(key as i64) {
                return Err(format!("lookup of {id:?} found {found:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn migration_eight_converts_edge_ids_like_rust() {
        let ids: Vec<String> = [
            "0",
            "7",
            "-5",
            "-0",
            "007",
            "00",
            "",
            "12a",
            "a12",
            "+12",
            " 12",
            "12 ",
            "1e3",
            "12.0",
            "0x1F",
            "１２",
            "1570000000000000001",
            "9223372036854775807",
            "9223372036854775808",
            "9999999999999999999",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
        ]
        .iter()
        .map(|id| id.to_string())
        .collect();
        check_migrated_ids(&ids).unwrap();
    }

    proptest! {
        #[test]
        fn migration_eight_agrees_with_rust_rule(
            ids in proptest::collection::btree_set(
                prop_oneof![
                    any::<i64>().prop_map(|n| n.to_string()),
                    any::<u64>().prop_map(|n| n.to_string()),
                    "-?0[0-9]{0,19}",
                    "-?[1-9][0-9]{17,20}",
                    "[-+ 0-9a.e]{0,21}",
                    "\\PC{0,8}",
                ],
                1..40,
            )
        ) {
            let ids: Vec<String> = ids.into_iter().collect();
            if let Err(problem) = check_migrated_ids(&ids) {
                prop_assert!(false, "{}", problem);
            }
        }
    }

    #[test]
    fn case_at_version_seven_reads_same_ids() {
        let dir = tempfile::tempdir().unwrap();
        let case_dir = dir.path().join("case");
        std::fs::create_dir(&case_dir).unwrap();
        let conn = Connection::open(case_dir.join(crate::store::DATABASE_FILE)).unwrap();
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 7).unwrap();
        // Version 7 stored every ID as TEXT.
        let ids = [
            (1, 1, "101"),
            (2, 1, "007"),
            (3, 1, "9223372036854775808"),
            (4, 1, "12a"),
            (5, 1, "-5"),
            (6, 2, "101"),
            (7, 2, "1570000000000000001"),
        ];
        conn.execute_batch(
            "INSERT INTO imports (import_id, started_at, export_path, layout, status)
                VALUES (1, 0, '/export', 'chatwork_csv', 'complete');
             INSERT INTO source_files (source_id, import_id, path, kind, size, sha256, encoding, status)
                VALUES (1, 1, 'rooms/55/messages.csv', 'messages', 10, 'aa', 'utf-8', 'complete');
             INSERT INTO rooms (room_key, room_id) VALUES (1, '55'), (2, '66');
             INSERT INTO accounts (account_key, account_id, name) VALUES (1, '7', '試験 太郎');",
        )
        .unwrap();
        for (key, room, id) in ids {
            conn.execute(
                "INSERT INTO messages (msg_key, room_key, message_id, account_key, sent_at, body,
                    source_id, source_record)
                 VALUES (?1, ?2, ?3, 1, ?1, '本文', 1, ?1)",
                rusqlite::params![key, room, id],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO revisions (msg_key, kind, at, at_raw, body_before, dedup)
                VALUES (1, 'edit', 5, '5', '前の本文', 1);
             INSERT INTO files (room_key, file_id, message_id, msg_key, filename)
                VALUES (1, '900', '007', 2, '議事録.pdf');
             INSERT INTO stars (msg_key, added_at) VALUES (3, 0);
             INSERT INTO tags (msg_key, tag, added_at) VALUES (4, '要確認', 0);
             INSERT INTO notes (msg_key, body, updated_at) VALUES (5, 'メモ', 0);",
        )
        .unwrap();
        drop(conn);

        let case = crate::store::Case::open(&case_dir).unwrap();
        let version: i64 = case
            .conn()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let classes: Vec<String> = case
            .conn()
            .prepare("SELECT typeof(message_id) FROM messages ORDER BY msg_key")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            classes,
            [
                "integer", "text", "text", "text", "integer", "integer", "integer"
            ]
        );

        let reader = crate::query::read::CaseReader::open(&case).unwrap();
        let keys: Vec<i64> = ids.iter().map(|(key, _, _)| *key).collect();
        let read: Vec<(i64, String)> = reader
            .messages_by_keys(&keys)
            .unwrap()
            .into_iter()
            .map(|message| (message.msg_key, message.message_id))
            .collect();
        let expected: Vec<(i64, String)> = ids
            .iter()
            .map(|(key, _, id)| (*key, id.to_string()))
            .collect();
        assert_eq!(read, expected);
        for (key, room, id) in ids {
            let room_id = if room == 1 { "55" } else { "66" };
            assert_eq!(
                reader.find_message(room_id, id).unwrap(),
                Some(key),
                "lookup of {id:?} in room {room_id}"
            );
        }
        let detail = reader.message_detail(1).unwrap().unwrap();
        assert_eq!(detail.revisions.len(), 1);
        assert_eq!(reader.files(2).unwrap()[0].filename, "議事録.pdf");
        assert!(
            reader.messages_by_keys(&[3]).unwrap()[0].starred,
            "star of message 3"
        );
        assert_eq!(reader.messages_by_keys(&[4]).unwrap()[0].tags, ["要確認"]);
        assert_eq!(
            reader.messages_by_keys(&[5]).unwrap()[0].note.as_deref(),
            Some("メモ")
        );

        let broken: Option<String> = case
            .conn()
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .optional()
            .unwrap();
        assert_eq!(broken, None);
        let integrity: String = case
            .conn()
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(integrity, "ok");
        let orphan = case
            .conn()
            .execute("INSERT INTO stars (msg_key, added_at) VALUES (99, 0)", []);
        assert!(orphan.is_err(), "references are enforced on the new table");
    }

    #[test]
    fn migration_eight_drops_msg_key_from_time_index() {
        let mut conn = database_at(7);
        migrate(&mut conn).unwrap();

        let columns = |index: &str| -> Vec<String> {
            conn.prepare(&format!("PRAGMA index_info({index})"))
                .unwrap()
                .query_map([], |row| row.get(2))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(columns("messages_by_room_time"), ["room_key", "sent_at"]);
        assert_eq!(columns("messages_by_account"), ["account_key", "sent_at"]);
        assert_eq!(
            columns("messages_changed"),
            [
                "msg_key",
                "updated_at",
                "sent_at",
                "account_key",
                "room_key",
                "edited",
                "deleted"
            ]
        );
        let declared: String = conn
            .query_row(
                "SELECT type FROM pragma_table_info('messages') WHERE name = 'message_id'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(declared, "", "message_id has no declared type");
    }
}
