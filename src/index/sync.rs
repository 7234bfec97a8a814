//! Bringing the index up to date with the case database.
//!
//! Messages only ever get new keys and revisions only ever get added, so
//! the index keeps a watermark in its commit payload: the highest message
//! key and revision key it has seen. A sync indexes the messages above the
//! first, and re-indexes the older messages that gained a revision above
//! the second. An import killed halfway leaves a lower watermark, and the
//! next sync picks up from there.
//!
//! `[picon:…]`, `[pname:…]` and `[piconname:…]` index as the account's
//! name, so the watermark also keeps a digest of every account name. When
//! a later import renames an account or recovers a name, the sync
//! re-indexes every message that has such a tag in any version.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::{Fields, IndexError, SearchIndex, flag};
use crate::text::normalize::normalize;
use crate::text::notation;

/// Memory budget of the index writer, shared by its threads.
pub(super) const WRITER_MEMORY_BYTES: usize = 192 * 1024 * 1024;
/// Documents between two progress reports.
const PROGRESS_EVERY: u64 = 10_000;

/// How far the index has seen the case database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    pub messages_through: i64,
    pub revisions_through: i64,
    /// Digest of the account names the indexed text used; 0 when unknown.
    #[serde(default)]
    pub names_digest: u64,
    /// [`TEXT_VERSION`] of the indexed text; 0 for an index written before
    /// the version was recorded.
    #[serde(default)]
    pub text_version: u32,
}

/// Version of the text in the index, as normalization and plain text make
/// it. An index of another version misses matches for queries the change
/// affects, so it is built again. Version 2 folds variant kanji and joins
/// the names of person tags in a row with `、`, and 3 puts the title of an
/// `[info]` block on a line of its own.
pub const TEXT_VERSION: u32 = 3;

impl Watermark {
    /// True when documents were indexed with another [`TEXT_VERSION`].
    pub fn outdated(&self) -> bool {
        self.messages_through > 0 && self.text_version != TEXT_VERSION
    }
}

/// Counts of one sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub added: u64,
    pub replaced: u64,
    pub watermark: Watermark,
}

/// Errors of a sync.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// One message as the index needs it.
struct Row {
    msg_key: i64,
    room_key: i64,
    account_key: i64,
    sent_at: i64,
    body: String,
    edited: bool,
    deleted: bool,
    has_file: bool,
}

/// Account names by account ID, for `[piconname:…]` in plain text.
pub fn account_names(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut statement = conn.prepare("SELECT account_id, name FROM accounts WHERE name <> ''")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Hashes every account ID and name, so that a sync notices a changed name.
pub(super) fn names_digest(names: &HashMap<String, String>) -> u64 {
    let mut sorted: Vec<(&String, &String)> = names.iter().collect();
    sorted.sort();
    let mut hasher = sha2::Sha256::new();
    for (account_id, name) in sorted {
        for part in [account_id, name] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    // 0 stands for "unknown" in an older watermark.
    u64::from_le_bytes(bytes).max(1)
}

/// Derives the plain searchable text of a body, before normalization.
pub fn plain_text(body: &str, names: &HashMap<String, String>) -> String {
    if notation::is_plain(body) {
        return body.to_owned();
    }
    let nodes = notation::parse(body);
    notation::plain_text(&nodes, &|id: &str| names.get(id).cloned())
}

/// Indexes what the case database contains beyond the index's watermark.
/// `progress` receives documents done and documents to do.
pub fn sync(
    conn: &Connection,
    index: &SearchIndex,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SyncReport, SyncError> {
    let mut start = index.watermark()?;
    let names = account_names(conn)?;
    let target = Watermark {
        text_version: TEXT_VERSION,
        names_digest: names_digest(&names),
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
    };
    if target == start {
        return Ok(SyncReport {
            watermark: start,
            ..SyncReport::default()
        });
    }
    let mut writer = bulk_writer(index)?;
    if start.outdated() {
        // Text of another version: every document is written again.
        writer.delete_all_documents()?;
        start = Watermark::default();
    }
    let fields = index.fields;
    let total: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM messages WHERE msg_key > ?1)
              + (SELECT count(DISTINCT msg_key) FROM revisions WHERE rev_key > ?2 AND msg_key <= ?1)",
        params![start.messages_through, start.revisions_through],
        |row| row.get(0),
    )?;
    let total = total.max(0) as u64;
    let mut report = SyncReport::default();

    // Older messages that gained a revision, or whose person tags now
    // name someone else: replace their documents.
    let mut touched: Vec<i64> = {
        let mut statement = conn.prepare(
            "SELECT DISTINCT msg_key FROM revisions WHERE rev_key > ?1 AND msg_key <= ?2 ORDER BY msg_key",
        )?;
        let rows = statement.query_map(
            params![start.revisions_through, start.messages_through],
            |row| row.get(0),
        )?;
        rows.collect::<Result<_, _>>()?
    };
    if start.names_digest != target.names_digest && start.messages_through > 0 {
        let mut statement = conn.prepare(
            "SELECT msg_key FROM messages WHERE msg_key <= ?1
                AND (body LIKE '%[picon%' OR body LIKE '%[pname:%')
             UNION
             SELECT msg_key FROM revisions WHERE msg_key <= ?1
                AND (body_before LIKE '%[picon%' OR body_before LIKE '%[pname:%')",
        )?;
        let rows = statement.query_map([start.messages_through], |row| row.get(0))?;
        for row in rows {
            touched.push(row?);
        }
        touched.sort_unstable();
        touched.dedup();
    }
    for msg_key in touched {
        writer.delete_term(Term::from_field_u64(fields.msg_key, msg_key as u64));
        index_range(
            conn,
            &writer,
            fields,
            &names,
            msg_key - 1,
            msg_key,
            &mut |_| {},
        )?;
        report.replaced += 1;
    }

    // New messages, in key order, with their revisions merged in.
    let replaced = report.replaced;
    report.added = index_range(
        conn,
        &writer,
        fields,
        &names,
        start.messages_through,
        target.messages_through,
        &mut |done| {
            if done % PROGRESS_EVERY == 0 {
                progress(replaced + done, total);
            }
        },
    )?;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&serde_json::to_string(&target).unwrap_or_default());
    commit.commit()?;
    writer.wait_merging_threads()?;
    progress(total, total);
    index.reload()?;
    report.watermark = target;
    tracing::info!(
        added = report.added,
        replaced = report.replaced,
        "index synced"
    );
    Ok(report)
}

/// Deletes every document and indexes the whole case database again.
pub fn rebuild(
    conn: &Connection,
    index: &SearchIndex,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SyncReport, SyncError> {
    let mut writer: IndexWriter = index.index.writer_with_num_threads(1, 32 * 1024 * 1024)?;
    writer.delete_all_documents()?;
    let mut commit = writer.prepare_commit()?;
    commit.set_payload(&serde_json::to_string(&Watermark::default()).unwrap_or_default());
    commit.commit()?;
    writer.wait_merging_threads()?;
    sync(conn, index, progress)
}

/// Opens the writer of a bulk load: one indexing thread per core (at most
/// four) sharing [`WRITER_MEMORY_BYTES`], and no merges. Merging reads the
/// merged segments through memory maps. At 10,000,000 messages that
/// doubled the import's resident memory to about 730 MB and added a tenth
/// to its CPU time, while searches over the unmerged segments measured
/// within 10% of the merged index (BENCHMARKS.md).
/// A case imported many times from small exports gathers small segments;
/// `cwlens compact` merges those (see `compact.rs`).
pub(super) fn bulk_writer(index: &SearchIndex) -> tantivy::Result<IndexWriter> {
    let writer: IndexWriter = index
        .index
        .writer_with_num_threads(writer_threads(), WRITER_MEMORY_BYTES)?;
    writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
    Ok(writer)
}

/// Indexing threads of the writer: one per core, at most four.
fn writer_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// Indexes the messages with `after < msg_key <= through`; returns how many.
pub(super) fn index_range(
    conn: &Connection,
    writer: &IndexWriter,
    fields: Fields,
    names: &HashMap<String, String>,
    after: i64,
    through: i64,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, SyncError> {
    let mut messages = conn.prepare_cached(
        "SELECT msg_key, room_key, account_key, sent_at, body, edited, deleted, has_file
         FROM messages WHERE msg_key > ?1 AND msg_key <= ?2 ORDER BY msg_key",
    )?;
    let mut revisions = conn.prepare_cached(
        "SELECT msg_key, body_before FROM revisions WHERE msg_key > ?1 AND msg_key <= ?2
         ORDER BY msg_key, at, rev_key",
    )?;
    let mut revision_rows = revisions.query(params![after, through])?;
    let mut pending_revision: Option<(i64, String)> = next_revision(&mut revision_rows)?;
    let mut rows = messages.query(params![after, through])?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let message = Row {
            msg_key: row.get(0)?,
            room_key: row.get(1)?,
            account_key: row.get(2)?,
            sent_at: row.get(3)?,
            body: row.get(4)?,
            edited: row.get(5)?,
            deleted: row.get(6)?,
            has_file: row.get(7)?,
        };
        let mut history = Vec::new();
        while let Some((key, _)) = &pending_revision {
            if *key > message.msg_key {
                break;
            }
            let (key, body) = pending_revision.take().unwrap_or_default();
            if key == message.msg_key {
                history.push(body);
            }
            pending_revision = next_revision(&mut revision_rows)?;
        }
        writer.add_document(document(fields, names, &message, &history))?;
        count += 1;
        progress(count);
    }
    Ok(count)
}

fn next_revision(rows: &mut rusqlite::Rows<'_>) -> rusqlite::Result<Option<(i64, String)>> {
    match rows.next()? {
        Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
        None => Ok(None),
    }
}

fn document(
    fields: Fields,
    names: &HashMap<String, String>,
    message: &Row,
    history: &[String],
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_u64(fields.msg_key, message.msg_key as u64);
    doc.add_i64(fields.sent_at, message.sent_at);
    doc.add_u64(fields.room_key, message.room_key as u64);
    doc.add_u64(fields.account_key, message.account_key as u64);
    // Most bodies hold no notation and are indexed as they are.
    let plain = notation::is_plain(&message.body);
    let nodes = if plain {
        Vec::new()
    } else {
        notation::parse(&message.body)
    };
    for account_id in notation::links(&nodes).mentions {
        doc.add_text(fields.mention, account_id);
    }
    for (set, value) in [
        (message.edited, flag::EDITED),
        (message.deleted, flag::DELETED),
        (message.has_file, flag::HAS_FILE),
        (!history.is_empty(), flag::HAS_HISTORY),
    ] {
        if set {
            doc.add_u64(fields.flags, value);
        }
    }
    let current = if plain {
        normalize(&message.body)
    } else {
        normalize(&notation::plain_text(&nodes, &|id: &str| {
            names.get(id).cloned()
        }))
    };
    doc.add_text(fields.all_bigram, &current);
    if !history.is_empty() {
        // Only a message with earlier versions needs its current text on its
        // own: without them, the text of every version is the current text.
        doc.add_text(fields.current_bigram, &current);
    }
    for body in history {
        let text = normalize(&plain_text(body, names));
        doc.add_text(fields.all_bigram, &text);
        doc.add_text(fields.history_bigram, &text);
    }
    doc
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// An index whose names digest differs, as after a renamed account,
    /// has the next sync re-index exactly the messages with a person tag in
    /// any version.
    #[test]
    fn changed_names_reindex_person_tags() {
        let dir = tempfile::tempdir().unwrap();
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let (_lock, case) = crate::import::import_for_tests(&export, &dir.path().join("case"));
        let conn = case.conn();
        let index = SearchIndex::open_or_create(&case.index_dir()).unwrap();
        let first = sync(conn, &index, &mut |_, _| {}).unwrap();
        assert!(first.added > 0);

        let older = Watermark {
            names_digest: 1,
            ..index.watermark().unwrap()
        };
        let mut writer = bulk_writer(&index).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(&serde_json::to_string(&older).unwrap());
        commit.commit().unwrap();
        drop(writer);

        let tagged: i64 = conn
            .query_row(
                "SELECT count(*) FROM (
                    SELECT msg_key FROM messages WHERE body LIKE '%[picon%' OR body LIKE '%[pname:%'
                    UNION
                    SELECT msg_key FROM revisions WHERE body_before LIKE '%[picon%' OR body_before LIKE '%[pname:%')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(tagged > 0);
        let second = sync(conn, &index, &mut |_, _| {}).unwrap();
        assert_eq!((second.added, second.replaced), (0, tagged as u64));
        assert_eq!(second.watermark.names_digest, first.watermark.names_digest);
        let searcher = index.reader.searcher();
        assert_eq!(searcher.num_docs(), first.added);
    }

    /// An index of text from an older cwlens is rejected for searching, and
    /// the next sync writes every document again, once.
    #[test]
    fn outdated_text_is_indexed_again() {
        let dir = tempfile::tempdir().unwrap();
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let case_dir = dir.path().join("case");
        let (lock, case) = crate::import::import_for_tests(&export, &case_dir);
        let conn = case.conn();
        let index = SearchIndex::open_or_create(&case.index_dir()).unwrap();
        let first = sync(conn, &index, &mut |_, _| {}).unwrap();
        assert_eq!(first.watermark.text_version, TEXT_VERSION);

        let older = Watermark {
            text_version: 0,
            ..first.watermark
        };
        let mut writer = bulk_writer(&index).unwrap();
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(&serde_json::to_string(&older).unwrap());
        commit.commit().unwrap();
        drop(writer);
        drop(lock);
        let rejected =
            crate::query::Session::open(&case_dir, chrono_tz::Asia::Tokyo, crate::i18n::Lang::Ja);
        let error = rejected.err().expect("an outdated index is rejected");
        assert!(
            matches!(
                error.downcast_ref::<crate::index::IndexError>(),
                Some(crate::index::IndexError::Outdated(_))
            ),
            "{error:#}"
        );

        let second = sync(conn, &index, &mut |_, _| {}).unwrap();
        assert_eq!(second.added, first.added);
        assert_eq!(second.watermark.text_version, TEXT_VERSION);
        index.reload().unwrap();
        assert_eq!(index.reader.searcher().num_docs(), first.added);
    }
}
