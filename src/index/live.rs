//! Indexing while an import runs.
//!
//! A worker thread keeps one index writer open for the whole import. After each
//! committed batch the importer asks it to catch up, and it indexes the new
//! messages from its own read-only connection, so parsing the export and
//! building the index use both cores. It goes no further than the key the
//! importer calls settled: a room whose change log is still to come keeps
//! its new messages back, so that each is indexed once, with its versions.
//! The index is committed once, at the end, with the watermark. If the
//! process dies before that, the next sync starts again from the last
//! committed watermark.
//!
//! Each catch-up reads in one snapshot and notes the last revision it saw.
//! At the end, exactly the messages that gained a revision after they were
//! indexed are indexed again.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, params};
use tantivy::Term;

use super::SearchIndex;
use super::sync::{
    SyncError, SyncReport, Watermark, account_names, bulk_writer, index_range, names_digest,
};

enum Signal {
    /// Index the messages committed so far, up to this key.
    CatchUp(i64),
    Finish,
}

/// A running index worker.
pub struct LiveIndexer {
    sender: Sender<Signal>,
    handle: JoinHandle<Result<SyncReport, SyncError>>,
}

impl LiveIndexer {
    /// Starts the worker for the case database `database` and the index in `index_dir`.
    pub fn start(database: &Path, index_dir: &Path) -> Result<LiveIndexer, SyncError> {
        // Open the index here so that a broken index fails the import at once.
        let index = SearchIndex::open_or_create(index_dir)?;
        let database = database.to_path_buf();
        let (sender, receiver) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("cwlens-indexer".into())
            .spawn(move || run(&database, &index, &receiver))
            .map_err(|error| SyncError::Index(super::IndexError::Tantivy(error.into())))?;
        Ok(LiveIndexer { sender, handle })
    }

    /// Asks the worker to index what has been committed so far, up to the
    /// message key `settled`.
    pub fn catch_up(&self, settled: i64) {
        let _ = self.sender.send(Signal::CatchUp(settled));
    }

    /// Indexes the rest, commits and waits for the worker.
    pub fn finish(self) -> Result<SyncReport, SyncError> {
        let _ = self.sender.send(Signal::Finish);
        match self.handle.join() {
            Ok(result) => result,
            Err(_) => Err(SyncError::Index(super::IndexError::Tantivy(
                tantivy::TantivyError::SystemError("the indexing thread panicked".into()),
            ))),
        }
    }
}

fn open_reader(database: &PathBuf) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(conn)
}

fn max_keys(conn: &Connection) -> rusqlite::Result<Watermark> {
    Ok(Watermark {
        names_digest: 0,
        text_version: 0,
        messages_through: conn.query_row(
            "SELECT coalesce(max(msg_key), 0) FROM messages",
            [],
            |row| row.get(0),
        )?,
        revisions_through: conn.query_row(
            "SELECT coalesce(max(rev_key), 0) FROM revisions",
            [],
            |row| row.get(0),
        )?,
    })
}

fn run(
    database: &PathBuf,
    index: &SearchIndex,
    receiver: &Receiver<Signal>,
) -> Result<SyncReport, SyncError> {
    let conn = open_reader(database)?;
    let mut start = index.watermark()?;
    let fields = index.fields;
    let mut writer = bulk_writer(index)?;
    if start.outdated() {
        // Text of another version: every message is indexed again.
        writer.delete_all_documents()?;
        start = Watermark::default();
    }
    let mut through = start.messages_through;
    let mut report = SyncReport::default();
    let mut first_names_digest = None;
    // Per catch-up: the keys it indexed and the last revision it saw.
    let mut passes: Vec<(i64, i64, i64)> = Vec::new();
    loop {
        // A closed channel means the import failed: leave the index uncommitted.
        let Ok(signal) = receiver.recv() else {
            return Ok(SyncReport {
                watermark: start,
                ..SyncReport::default()
            });
        };
        let settled = match signal {
            Signal::CatchUp(settled) => settled,
            Signal::Finish => i64::MAX,
        };
        // One snapshot, so the revisions read with the messages are exactly
        // those up to the revision key noted.
        conn.execute_batch("BEGIN")?;
        let names = account_names(&conn)?;
        first_names_digest.get_or_insert(names_digest(&names));
        let seen = max_keys(&conn)?;
        let target = seen.messages_through.min(settled);
        if target > through {
            report.added +=
                index_range(&conn, &writer, fields, &names, through, target, &mut |_| {})?;
            passes.push((through, target, seen.revisions_through));
            through = target;
        }
        conn.execute_batch("COMMIT")?;
        if matches!(signal, Signal::Finish) {
            break;
        }
    }

    // Messages indexed before this import, and messages indexed during it
    // before a revision of theirs was written, are indexed again so their
    // documents contain every version.
    let names = account_names(&conn)?;
    let end = max_keys(&conn)?;
    let mut touched: Vec<i64> = Vec::new();
    {
        let mut statement = conn.prepare(
            "SELECT DISTINCT msg_key FROM revisions
             WHERE rev_key > ?1 AND msg_key > ?2 AND msg_key <= ?3",
        )?;
        let earlier = std::iter::once((0, start.messages_through, start.revisions_through));
        for (after, upto, revisions_seen) in earlier.chain(passes.iter().copied()) {
            let rows =
                statement.query_map(params![revisions_seen, after, upto], |row| row.get(0))?;
            for row in rows {
                touched.push(row?);
            }
        }
    }
    touched.sort_unstable();
    touched.dedup();
    // Names that changed while the import ran (a name recovered at the end,
    // say) change the plain text of person tags indexed before.
    let final_digest = names_digest(&names);
    let stale_names = first_names_digest.is_some_and(|first| first != final_digest)
        || (start.names_digest != final_digest && start.messages_through > 0);
    if stale_names {
        let mut statement = conn.prepare(
            "SELECT msg_key FROM messages WHERE msg_key <= ?1
                AND (body LIKE '%[picon%' OR body LIKE '%[pname:%')
             UNION
             SELECT msg_key FROM revisions WHERE msg_key <= ?1
                AND (body_before LIKE '%[picon%' OR body_before LIKE '%[pname:%')",
        )?;
        let rows = statement.query_map([through], |row| row.get(0))?;
        for row in rows {
            touched.push(row?);
        }
        touched.sort_unstable();
        touched.dedup();
    }
    for msg_key in touched {
        writer.delete_term(Term::from_field_u64(fields.msg_key, msg_key as u64));
        index_range(
            &conn,
            &writer,
            fields,
            &names,
            msg_key - 1,
            msg_key,
            &mut |_| {},
        )?;
        report.replaced += 1;
    }
    let watermark = Watermark {
        text_version: super::sync::TEXT_VERSION,
        names_digest: final_digest,
        messages_through: through,
        revisions_through: end.revisions_through,
    };
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&serde_json::to_string(&watermark).unwrap_or_default());
    commit.commit()?;
    writer.wait_merging_threads()?;
    report.watermark = watermark;
    tracing::info!(
        added = report.added,
        replaced = report.replaced,
        "index built during import"
    );
    Ok(report)
}
