//! The audit log: an append-only, hash-chained record of every action
//! taken on a case, and `verify`, which checks the chain and the export.
//!
//! Each entry's hash covers its own fields and the previous entry's hash,
//! so changing or removing an entry in the middle breaks every later link.
//! Removing entries from the end cannot be seen from inside the database:
//! `cwlens audit` prints the head hash so it can be written down elsewhere.

pub mod verify;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::Case;

/// The previous-hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    /// RFC 3339 time in UTC.
    pub at: String,
    pub os_user: String,
    pub investigator: String,
    pub action: String,
    /// JSON text of the action's details.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// Computes the hash this entry must carry.
    pub fn expected_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.os_user,
            &self.investigator,
            &self.action,
            &self.detail,
        )
    }
}

fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    os_user: &str,
    investigator: &str,
    action: &str,
    detail: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        at,
        os_user,
        investigator,
        action,
        detail,
    ] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    crate::import::source::hex(&hasher.finalize())
}

/// Returns the login name of the user running cwlens.
pub fn os_user() -> String {
    whoami::username()
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Appends an entry to the case's audit log.
pub fn record(case: &Case, action: &str, detail: serde_json::Value) -> anyhow::Result<()> {
    let investigator = case.info()?.investigator;
    append(case.conn(), &os_user(), &investigator, action, &detail)?;
    Ok(())
}

/// Appends an entry in its own transaction, linking it to the last one.
pub fn append(
    conn: &Connection,
    os_user: &str,
    investigator: &str,
    action: &str,
    detail: &serde_json::Value,
) -> rusqlite::Result<Entry> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let last: Option<(i64, String)> = conn
            .query_row(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS.to_string()),
        };
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let detail = detail.to_string();
        let hash = entry_hash(&prev_hash, seq, &at, os_user, investigator, action, &detail);
        conn.execute(
            "INSERT INTO audit_log (seq, at, os_user, investigator, action, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![seq, at, os_user, investigator, action, detail, prev_hash, hash],
        )?;
        Ok(Entry {
            seq,
            at,
            os_user: os_user.to_string(),
            investigator: investigator.to_string(),
            action: action.to_string(),
            detail,
            prev_hash,
            hash,
        })
    })();
    match result {
        Ok(entry) => {
            conn.execute_batch("COMMIT")?;
            Ok(entry)
        }
        Err(error) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

/// Reads every entry, oldest first.
pub fn entries(conn: &Connection) -> rusqlite::Result<Vec<Entry>> {
    let mut statement = conn.prepare(
        "SELECT seq, at, os_user, investigator, action, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(Entry {
            seq: row.get(0)?,
            at: row.get(1)?,
            os_user: row.get(2)?,
            investigator: row.get(3)?,
            action: row.get(4)?,
            detail: row.get(5)?,
            prev_hash: row.get(6)?,
            hash: row.get(7)?,
        })
    })?;
    rows.collect()
}

/// A break in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    pub seq: i64,
    /// The problem in English, as `verify --json` prints it.
    pub problem: String,
    #[serde(skip)]
    pub kind: ChainIssue,
}

/// Kinds of [`ChainProblem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainIssue {
    /// Entries `from` to `to` are missing before this one.
    Gap {
        from: i64,
        to: i64,
    },
    Unlinked,
    Altered,
    /// The files recorded for an import differ from its audit entry.
    SourceFilesChanged {
        import_id: i64,
    },
    /// No entry has the head hash the investigator wrote down earlier, so
    /// that entry and any after it were removed or changed.
    HeadNotFound {
        hash: String,
    },
    /// The head hash given to check is not a SHA-256 hash in hex.
    InvalidHead {
        hash: String,
    },
}

impl ChainProblem {
    pub fn new(seq: i64, kind: ChainIssue) -> ChainProblem {
        ChainProblem {
            seq,
            problem: kind.describe(crate::i18n::Lang::En),
            kind,
        }
    }

    /// Returns a problem when no entry of the log has the hash `head`.
    /// `head` must be a SHA-256 hash in hex, as `cwlens audit` prints it.
    pub fn check_head(conn: &Connection, head: &str) -> rusqlite::Result<Option<ChainProblem>> {
        let head = head.trim().to_ascii_lowercase();
        if head.len() != 64 || !head.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Ok(Some(ChainProblem::new(
                0,
                ChainIssue::InvalidHead { hash: head },
            )));
        }
        let found: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE hash = ?1)",
            [&head],
            |row| row.get(0),
        )?;
        Ok((!found).then(|| ChainProblem::new(0, ChainIssue::HeadNotFound { hash: head })))
    }
}

impl ChainIssue {
    /// Describes the problem in `lang`.
    pub fn describe(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang;
        match (self.clone(), lang) {
            (ChainIssue::Gap { from, to }, Lang::En) => {
                format!("entries {from} to {to} are missing")
            }
            (ChainIssue::Gap { from, to }, Lang::Ja) => {
                format!("エントリ {from} から {to} がありません")
            }
            (ChainIssue::Unlinked, Lang::En) => "does not link to the entry before it".into(),
            (ChainIssue::Unlinked, Lang::Ja) => "前のエントリにつながっていません".into(),
            (ChainIssue::Altered, Lang::En) => {
                "was changed after it was written (hash does not match)".into()
            }
            (ChainIssue::Altered, Lang::Ja) => {
                "書き込まれた後に変更されています（ハッシュが一致しません）".into()
            }
            (ChainIssue::SourceFilesChanged { import_id }, Lang::En) => format!(
                "the source files recorded for import {import_id} were changed after the import"
            ),
            (ChainIssue::SourceFilesChanged { import_id }, Lang::Ja) => format!(
                "取り込み {import_id} で記録した元ファイルの一覧が、取り込みの後に変更されています"
            ),
            (ChainIssue::HeadNotFound { hash }, Lang::En) => format!(
                "no entry has the head hash {hash} written down earlier; that entry, or entries up to it, were removed or changed"
            ),
            (ChainIssue::InvalidHead { hash }, Lang::En) => format!(
                "{hash:?} is not a head hash: give the 64 hexadecimal digits that `cwlens audit` printed"
            ),
            (ChainIssue::InvalidHead { hash }, Lang::Ja) => format!(
                "{hash:?} は最新エントリのハッシュではありません。`cwlens audit` が表示した 16 進数 64 桁を指定してください"
            ),
            (ChainIssue::HeadNotFound { hash }, Lang::Ja) => format!(
                "控えておいたハッシュ {hash} のエントリがありません。そのエントリか、それまでのエントリが削除または変更されています"
            ),
        }
    }
}

/// Checks every link of the chain.
pub fn check_chain(conn: &Connection) -> rusqlite::Result<Vec<ChainProblem>> {
    let mut problems = Vec::new();
    let mut previous_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    for entry in entries(conn)? {
        if entry.seq != expected_seq {
            problems.push(ChainProblem::new(
                entry.seq,
                ChainIssue::Gap {
                    from: expected_seq,
                    to: entry.seq - 1,
                },
            ));
        }
        if entry.prev_hash != previous_hash {
            problems.push(ChainProblem::new(entry.seq, ChainIssue::Unlinked));
        }
        if entry.hash != entry.expected_hash() {
            problems.push(ChainProblem::new(entry.seq, ChainIssue::Altered));
        }
        previous_hash = entry.hash.clone();
        expected_seq = entry.seq + 1;
    }
    Ok(problems)
}

/// The files one import read, summarized for its audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFiles {
    pub count: usize,
    /// SHA-256 over one line per file, sorted by path; see [`SOURCE_FILES_FORMAT`].
    pub digest: String,
}

/// Line format of the source file digest, recorded in each import's audit
/// entry. Format 1 hashed `path TAB sha256 TAB size` per file, so the row
/// counts and the status of a file could be changed unseen. Format 2 hashes
/// every column of its `source_files` row after the IDs: path, kind, size,
/// sha256, encoding, rows read, imported and quarantined, and status.
pub const SOURCE_FILES_FORMAT: i64 = 2;

/// Summarizes the source files an import recorded, in the current format.
pub fn import_files(conn: &Connection, import_id: i64) -> rusqlite::Result<ImportFiles> {
    import_files_in_format(conn, import_id, SOURCE_FILES_FORMAT)
}

/// Summarizes the source files an import recorded, in an older or the current format.
pub fn import_files_in_format(
    conn: &Connection,
    import_id: i64,
    format: i64,
) -> rusqlite::Result<ImportFiles> {
    let mut statement = conn.prepare(
        "SELECT path, sha256, size, kind, encoding, rows_read, rows_imported, rows_quarantined, status
         FROM source_files WHERE import_id = ?1 ORDER BY path",
    )?;
    let rows = statement.query_map([import_id], |row| {
        let path: String = row.get(0)?;
        let sha256: String = row.get(1)?;
        let size: i64 = row.get(2)?;
        if format < 2 {
            return Ok(format!("{path}\t{sha256}\t{size}\n"));
        }
        Ok(format!(
            "{path}\t{}\t{size}\t{sha256}\t{}\t{}\t{}\t{}\t{}\n",
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, i64>(5)?,
            row.get::<_, i64>(6)?,
            row.get::<_, i64>(7)?,
            row.get::<_, String>(8)?
        ))
    })?;
    let mut hasher = Sha256::new();
    let mut count = 0;
    for line in rows {
        hasher.update(line?.as_bytes());
        count += 1;
    }
    Ok(ImportFiles {
        count,
        digest: crate::import::source::hex(&hasher.finalize()),
    })
}

/// Returns the hash of the newest entry, or the genesis value for an empty log.
pub fn head_hash(conn: &Connection) -> rusqlite::Result<String> {
    Ok(conn
        .query_row(
            "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> (tempfile::TempDir, Case) {
        let dir = tempfile::tempdir().unwrap();
        let case = Case::open_or_create(&dir.path().join("case")).unwrap();
        (dir, case)
    }

    #[test]
    fn entries_link_to_each_other() {
        let (_dir, case) = case();
        for index in 0..3 {
            append(
                case.conn(),
                "user",
                "調査 太郎",
                "search",
                &serde_json::json!({ "query": index }),
            )
            .unwrap();
        }
        let entries = entries(case.conn()).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].prev_hash, GENESIS);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert!(check_chain(case.conn()).unwrap().is_empty());
    }

    /// Appends `count` search entries to the case's audit log.
    fn append_searches(case: &Case, count: usize) {
        for index in 0..count {
            append(
                case.conn(),
                "user",
                "",
                "search",
                &serde_json::json!({ "query": index }),
            )
            .unwrap();
        }
    }

    #[test]
    fn changed_entry_breaks_chain() {
        let (_dir, case) = case();
        append_searches(&case, 3);
        case.conn()
            .execute(
                "UPDATE audit_log SET detail = '{\"query\":99}' WHERE seq = 2",
                [],
            )
            .unwrap();
        let problems = check_chain(case.conn()).unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].seq, 2);
    }

    fn recorded_import(case: &Case) {
        case.conn()
            .execute_batch(
                "INSERT INTO imports (import_id, started_at, export_path, layout, status)
                 VALUES (1, 0, '/export', 'chatwork_csv', 'complete');
                 INSERT INTO source_files (import_id, path, kind, size, sha256, encoding,
                    rows_read, rows_imported, rows_quarantined, status)
                 VALUES (1, 'rooms/a/1/messages.csv', 'messages', 10, 'ab', 'utf-8', 3, 2, 1, 'complete');",
            )
            .unwrap();
    }

    #[test]
    fn legacy_source_files_digest_is_kept() {
        let (_dir, case) = case();
        recorded_import(&case);
        let expected = crate::import::source::hex(&Sha256::digest(
            "rooms/a/1/messages.csv\tab\t10\n".as_bytes(),
        ));
        let legacy = import_files_in_format(case.conn(), 1, 1).unwrap();
        assert_eq!(legacy.digest, expected);
        assert_eq!(legacy.count, 1);
    }

    #[test]
    fn source_files_digest_covers_row_counts() {
        let (_dir, case) = case();
        recorded_import(&case);
        let before = import_files(case.conn(), 1).unwrap().digest;
        case.conn()
            .execute("UPDATE source_files SET rows_quarantined = 0", [])
            .unwrap();
        assert_ne!(import_files(case.conn(), 1).unwrap().digest, before);
    }

    #[test]
    fn deleted_entry_breaks_chain() {
        let (_dir, case) = case();
        append_searches(&case, 3);
        case.conn()
            .execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        let problems = check_chain(case.conn()).unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.seq == 3 && p.problem.contains("missing"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.seq == 3 && p.problem.contains("link"))
        );
    }
}
