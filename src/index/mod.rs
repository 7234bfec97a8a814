//! The full-text index: one tantivy document per message, built from the
//! case database and rebuildable from it at any time.
//!
//! Text fields contain normalized plain text cut into character bigrams
//! with positions, plus the last character of each text (see [`analyzer`]).
//! `all_bigram` contains every version, so a search of any version reads one
//! field. `history_bigram` contains the earlier versions, and
//! `current_bigram` the current text of messages that have earlier versions; with the
//! `HAS_HISTORY` flag they answer `in:history` and `in:current` exactly. Nothing is
//! stored in the index: results are read back from SQLite by `msg_key`.

pub mod analyzer;
mod compact;
mod live;
mod sync;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy, SegmentReader};

pub use compact::{MergeReport, SEGMENT_DOCS, merge_small_segments};
pub use live::LiveIndexer;
pub use sync::{
    SyncError, SyncReport, TEXT_VERSION, Watermark, account_names, plain_text, rebuild, sync,
};

/// Flag values of the `flags` field.
pub mod flag {
    pub const EDITED: u64 = 1;
    pub const DELETED: u64 = 2;
    pub const HAS_FILE: u64 = 3;
    pub const HAS_HISTORY: u64 = 4;
}

/// Handles to the fields of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub msg_key: Field,
    pub sent_at: Field,
    pub room_key: Field,
    pub account_key: Field,
    pub mention: Field,
    pub flags: Field,
    /// Every version of the message: the current text and each earlier one.
    pub all_bigram: Field,
    /// The current text, for messages that have earlier versions only.
    pub current_bigram: Field,
    /// The earlier versions.
    pub history_bigram: Field,
}

fn bigram_field() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::BIGRAM)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false),
    )
}

/// Returns the options of a number looked up by exact value. Field norms (a byte per document)
/// only serve scoring, which filters never use.
fn key_field() -> NumericOptions {
    NumericOptions::default().set_indexed()
}

fn mention_field() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

/// Builds the index schema.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        msg_key: builder.add_u64_field("msg_key", key_field().set_fast()),
        // Ranges over a fast field scan its column; no postings needed.
        sent_at: builder.add_i64_field("sent_at", NumericOptions::default().set_fast()),
        room_key: builder.add_u64_field("room_key", key_field()),
        account_key: builder.add_u64_field("account_key", key_field()),
        mention: builder.add_text_field("mention", mention_field()),
        flags: builder.add_u64_field("flags", key_field()),
        all_bigram: builder.add_text_field("all_bigram", bigram_field()),
        current_bigram: builder.add_text_field("current_bigram", bigram_field()),
        history_bigram: builder.add_text_field("history_bigram", bigram_field()),
    };
    (builder.build(), fields)
}

/// An open index.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Fast-field columns of each segment, opened once (see [`Self::columns`]).
    columns: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

/// The fast-field columns a search reads for every match, and the range of
/// sent times in each block of [`TIME_BLOCK`] documents.
pub struct SegmentColumns {
    pub msg_key: Column<u64>,
    pub sent_at: Column<i64>,
    /// `(min, max)` of `sent_at` per block of documents; empty when a
    /// document lacks a time, which the index never writes.
    time_ranges: Vec<(i64, i64)>,
}

/// Documents per entry of [`SegmentColumns::time_range`]: small enough that
/// most blocks of a room hold a short stretch of its history, so a search for
/// the newest matches can pass over them.
pub const TIME_BLOCK: u32 = 128;

impl SegmentColumns {
    fn open(segment: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let fast = segment.fast_fields();
        let sent_at = fast.i64("sent_at")?;
        let mut time_ranges = Vec::new();
        if matches!(sent_at.index, tantivy::columnar::ColumnIndex::Full) {
            let docs: Vec<u32> = (0..segment.max_doc()).collect();
            let mut times = vec![0i64; TIME_BLOCK as usize];
            for block in docs.chunks(TIME_BLOCK as usize) {
                let times = &mut times[..block.len()];
                sent_at.values.get_vals(block, times);
                let min = times.iter().copied().min().unwrap_or(i64::MIN);
                let max = times.iter().copied().max().unwrap_or(i64::MAX);
                time_ranges.push((min, max));
            }
        }
        Ok(SegmentColumns {
            msg_key: fast.u64("msg_key")?,
            sent_at,
            time_ranges,
        })
    }

    /// `(min, max)` of the sent times of each block of [`TIME_BLOCK`]
    /// documents, in document order; empty when unknown.
    pub fn time_ranges(&self) -> &[(i64, i64)] {
        &self.time_ranges
    }
}

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "the search index in {path} cannot be opened ({source}); rebuild it with `cwlens reindex --case <DIR>`"
    )]
    Open {
        path: std::path::PathBuf,
        source: tantivy::TantivyError,
    },
    #[error(
        "the search index in {0} was built by an older cwlens, whose text differs; rebuild it with `cwlens reindex --case <DIR>`"
    )]
    Outdated(std::path::PathBuf),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one when absent.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        SearchIndex::open_with(dir, 1)
    }

    /// Opens or creates the index; searches use `search_threads` threads.
    fn open_with(dir: &Path, search_threads: usize) -> Result<SearchIndex, IndexError> {
        let open_error = |source| IndexError::Open {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = schema();
        let exists = dir.join("meta.json").is_file();
        let mut index = if exists {
            Index::open_in_dir(dir).map_err(open_error)?
        } else {
            std::fs::create_dir_all(dir).map_err(|error| open_error(error.into()))?;
            let _ = crate::store::restrict_to_owner(dir);
            Index::create_in_dir(dir, schema.clone()).map_err(open_error)?
        };
        if index.schema() != schema {
            return Err(open_error(tantivy::TantivyError::SchemaError(
                "the index was built by another version of cwlens".into(),
            )));
        }
        if search_threads > 1 {
            index
                .set_multithread_executor(search_threads)
                .map_err(open_error)?;
        }
        SearchIndex::with_index(index, fields).map_err(open_error)
    }

    fn with_index(index: Index, fields: Fields) -> tantivy::Result<SearchIndex> {
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            columns: Mutex::new(HashMap::new()),
        })
    }

    /// Creates an empty index in memory, for a case whose first import has
    /// not created its index yet. Every search over it finds nothing.
    pub fn empty_in_memory() -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema();
        Ok(SearchIndex::with_index(
            Index::create_in_ram(schema),
            fields,
        )?)
    }

    /// Opens the index read-only for searching; fails when it does not exist.
    ///
    /// Searches run over the segments on one thread per core (at most
    /// four): a query that matches a large part of the case then takes
    /// about half the time on two cores.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Open {
                path: dir.to_path_buf(),
                source: tantivy::TantivyError::SystemError("no index".into()),
            });
        }
        SearchIndex::open_with(dir, search_threads())
    }

    /// Reloads the reader so that searches use the last commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        self.lock_columns().retain(|id, _| live.contains(id));
        Ok(())
    }

    /// Returns the `msg_key` and `sent_at` columns of a segment. Opening a
    /// column reads its block index, which took about a quarter of a
    /// search's time at 1,000,000 messages. Segments never change, so each
    /// is opened once.
    /// The first opening also reads every sent time of the segment, about
    /// 10 ms per 1,000,000 documents, to note the range of each block.
    pub fn columns(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        if let Some(columns) = self.lock_columns().get(&segment.segment_id()) {
            return Ok(columns.clone());
        }
        let columns = Arc::new(SegmentColumns::open(segment)?);
        self.lock_columns()
            .insert(segment.segment_id(), columns.clone());
        Ok(columns)
    }

    fn lock_columns(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentColumns>>> {
        // The map only caches; one left by a panicking thread is still sound.
        self.columns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fails when the index contains text of another [`TEXT_VERSION`],
    /// because its searches could miss matches.
    pub fn check_current(&self, dir: &Path) -> Result<(), IndexError> {
        if self.watermark()?.outdated() {
            return Err(IndexError::Outdated(dir.to_path_buf()));
        }
        Ok(())
    }

    /// Reads the position up to which the case database is indexed.
    pub fn watermark(&self) -> Result<Watermark, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|payload| serde_json::from_str(payload).ok())
            .unwrap_or_default())
    }
}

/// Threads a search runs on: one per core, at most four.
pub fn search_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(analyzer::BIGRAM, analyzer::CharBigrams);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_use_the_ngram_tokenizer_with_positions() {
        let (schema, fields) = schema();
        for field in [
            fields.all_bigram,
            fields.current_bigram,
            fields.history_bigram,
        ] {
            let entry = schema.get_field_entry(field);
            let tantivy::schema::FieldType::Str(options) = entry.field_type() else {
                panic!("{} is not a text field", entry.name());
            };
            let indexing = options
                .get_indexing_options()
                .expect("text field is indexed");
            assert_eq!(indexing.tokenizer(), analyzer::BIGRAM);
            assert!(indexing.index_option().has_positions(), "{}", entry.name());
        }
    }
}
