//! Counts over a case, as printed by `cwlens stats`.

use rusqlite::Connection;
use serde::Serialize;

use super::StoreError;

/// Counts of what a case holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub rooms: i64,
    pub accounts: i64,
    pub resigned_accounts: i64,
    pub messages: i64,
    /// Messages with an edit record, or an update time later than the send
    /// time on a body that is not the deleted placeholder.
    pub edited_messages: i64,
    /// Messages whose current body is the deleted placeholder.
    pub deleted_messages: i64,
    /// Earlier versions recorded: one per edit or delete record.
    pub revisions: i64,
    pub files: i64,
    pub quarantined_rows: i64,
    pub imports: i64,
    pub incomplete_imports: i64,
}

/// Counts everything in the case database.
pub fn collect(conn: &Connection) -> Result<Stats, StoreError> {
    let count =
        |sql: &str| -> Result<i64, StoreError> { Ok(conn.query_row(sql, [], |row| row.get(0))?) };
    Ok(Stats {
        rooms: count("SELECT count(*) FROM rooms")?,
        accounts: count("SELECT count(*) FROM accounts")?,
        resigned_accounts: count("SELECT count(*) FROM accounts WHERE resigned = 1")?,
        messages: count("SELECT count(*) FROM messages")?,
        edited_messages: count("SELECT count(*) FROM messages WHERE edited = 1")?,
        deleted_messages: count("SELECT count(*) FROM messages WHERE deleted = 1")?,
        revisions: count("SELECT count(*) FROM revisions")?,
        files: count("SELECT count(*) FROM files")?,
        quarantined_rows: count("SELECT count(*) FROM quarantine")?,
        imports: count("SELECT count(*) FROM imports")?,
        incomplete_imports: count(
            "SELECT count(*) FROM imports WHERE status <> 'complete'
             AND import_id = (SELECT max(import_id) FROM imports)",
        )?,
    })
}
