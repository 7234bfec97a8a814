//! The full-text index: one tantivy document per message, built from the
//! case database and rebuildable from it at any time.
//!
//! Text fields hold normalized plain text cut into character unigrams
//! (for one-character queries) and bigrams with positions (for longer
//! ones). The current text and the earlier versions go to separate
//! fields, so a hit is known to be in the current text or in history. Nothing is
//! stored in the index: results are read back from SQLite by `msg_key`.

pub mod analyzer;
mod live;
mod sync;

use std::path::Path;

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, ReloadPolicy};

pub use live::LiveIndexer;
pub use sync::{SyncError, SyncReport, Watermark, account_names, plain_text, rebuild, sync};

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
    pub current_unigram: Field,
    pub current_bigram: Field,
    pub history_unigram: Field,
    pub history_bigram: Field,
}

fn text_field(tokenizer: &str, positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::Basic
    };
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record)
            .set_fieldnorms(false),
    )
}

/// Builds the index schema.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        msg_key: builder.add_u64_field("msg_key", INDEXED | FAST),
        sent_at: builder.add_i64_field("sent_at", INDEXED | FAST),
        room_key: builder.add_u64_field("room_key", INDEXED | FAST),
        account_key: builder.add_u64_field("account_key", INDEXED | FAST),
        mention: builder.add_text_field("mention", STRING),
        flags: builder.add_u64_field("flags", INDEXED),
        current_unigram: builder
            .add_text_field("current_unigram", text_field(analyzer::UNIGRAM, false)),
        current_bigram: builder
            .add_text_field("current_bigram", text_field(analyzer::BIGRAM, true)),
        history_unigram: builder
            .add_text_field("history_unigram", text_field(analyzer::UNIGRAM, false)),
        history_bigram: builder
            .add_text_field("history_bigram", text_field(analyzer::BIGRAM, true)),
    };
    (builder.build(), fields)
}

/// An open index.
pub struct SearchIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
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
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one when absent.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        let open_error = |source| IndexError::Open {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = schema();
        let exists = dir.join("meta.json").is_file();
        let index = if exists {
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
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(open_error)?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
        })
    }

    /// Opens the index read-only for searching; fails when it does not exist.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        if !dir.join("meta.json").is_file() {
            return Err(IndexError::Open {
                path: dir.to_path_buf(),
                source: tantivy::TantivyError::SystemError("no index".into()),
            });
        }
        SearchIndex::open_or_create(dir)
    }

    /// Reloads the reader so that searches use the last commit.
    pub fn reload(&self) -> Result<(), IndexError> {
        self.reader.reload()?;
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

fn register_tokenizers(index: &Index) {
    index
        .tokenizers()
        .register(analyzer::UNIGRAM, analyzer::CharUnigrams);
    index
        .tokenizers()
        .register(analyzer::BIGRAM, analyzer::CharBigrams);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_use_ngram_tokenizers_with_positions() {
        let (schema, fields) = schema();
        for (field, tokenizer, positions) in [
            (fields.current_unigram, analyzer::UNIGRAM, false),
            (fields.current_bigram, analyzer::BIGRAM, true),
            (fields.history_unigram, analyzer::UNIGRAM, false),
            (fields.history_bigram, analyzer::BIGRAM, true),
        ] {
            let entry = schema.get_field_entry(field);
            let tantivy::schema::FieldType::Str(options) = entry.field_type() else {
                panic!("{} is not a text field", entry.name());
            };
            let indexing = options
                .get_indexing_options()
                .expect("text field is indexed");
            assert_eq!(indexing.tokenizer(), tokenizer);
            assert_ne!(indexing.tokenizer(), "default");
            assert_ne!(indexing.tokenizer(), "en_stem");
            assert_eq!(
                indexing.index_option().has_positions(),
                positions,
                "{}",
                entry.name()
            );
        }
    }
}
