//! Merging the small segments of the index.
//!
//! Imports never merge (see `sync::bulk_writer`). A large import writes
//! segments of about [`SEGMENT_DOCS`] documents, one each time an indexing
//! thread fills its share of the memory budget. A small import writes a
//! segment per thread all the same, so a case imported many times from
//! small exports gathers many small segments, and every search opens and
//! reads each of them. `merge_small_segments` merges those into segments
//! of about the size a large import writes.
//!
//! It leaves the large segments alone on purpose. Merging the 47 segments
//! of a case of 10,000,000 messages into 2 made the newest-page search
//! about four times slower: p50 went from 1.4 to 5.7 ms and p95 from 42 to
//! 118 ms. The likely cause is that a search runs segments on separate
//! threads and passes over a whole segment older than a full page.

use tantivy::IndexWriter;
use tantivy::merge_policy::NoMergePolicy;

use super::{IndexError, SearchIndex};

/// Documents in a segment of a large import, and in a merged segment. A
/// segment of fewer than half as many counts as small.
pub const SEGMENT_DOCS: u64 = 200_000;

/// Memory budget of the writer that merges. Merging reads the segments
/// through memory maps and indexes nothing, so it needs only the minimum.
const MERGE_WRITER_BYTES: usize = 16 * 1024 * 1024;

/// Segments and documents before and after a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub segments_before: usize,
    pub segments_after: usize,
    /// Documents of the index; deleted ones leave it during the merge.
    pub documents: u64,
}

/// Merges the small segments of the index into segments of up to
/// `target` documents, and deletes the files of the merged ones. The
/// commit payload, and with it the watermark, is kept.
pub fn merge_small_segments(index: &SearchIndex, target: u64) -> Result<MergeReport, IndexError> {
    let sizes: Vec<_> = index
        .index
        .searchable_segment_metas()?
        .iter()
        .map(|meta| (meta.id(), u64::from(meta.num_docs())))
        .collect();
    let segments_before = sizes.len();
    let groups = small_groups(sizes, target);
    if !groups.is_empty() {
        let mut writer: IndexWriter = index.index.writer_with_num_threads(1, MERGE_WRITER_BYTES)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let merges: Vec<_> = groups.iter().map(|group| writer.merge(group)).collect();
        for merge in merges {
            merge.wait()?;
        }
        // The files of a segment stay while a searcher uses it, so the
        // reader moves on to the merged segments first.
        index.reload()?;
        writer.garbage_collect_files().wait()?;
        writer.wait_merging_threads()?;
    }
    let after = index.index.searchable_segment_metas()?;
    Ok(MergeReport {
        segments_before,
        segments_after: after.len(),
        documents: after.iter().map(|meta| u64::from(meta.num_docs())).sum(),
    })
}

/// Groups the small items, in order, into runs of at most `target` in
/// total. Items of at least half the target stay out, and so does a run of
/// one item, which would gain nothing.
fn small_groups<T>(items: Vec<(T, u64)>, target: u64) -> Vec<Vec<T>> {
    let mut groups = Vec::new();
    let mut run = Vec::new();
    let mut total = 0;
    for (item, size) in items {
        if size.saturating_mul(2) >= target {
            continue;
        }
        if total + size > target && !run.is_empty() {
            groups.push(std::mem::take(&mut run));
            total = 0;
        }
        run.push(item);
        total += size;
    }
    groups.push(run);
    groups.retain(|group| group.len() > 1);
    groups
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;
    use tantivy::{TantivyDocument, Term};

    use super::*;

    #[test]
    fn only_small_segments_are_grouped() {
        let sizes = vec![
            ('a', 30),
            ('b', 150),
            ('c', 40),
            ('d', 20),
            ('e', 50),
            ('f', 10),
            ('g', 45),
            ('h', 30),
        ];
        assert_eq!(
            small_groups(sizes, 100),
            [vec!['a', 'c', 'd', 'f'], vec!['g', 'h']]
        );
        // A lone small segment stays as it is.
        assert!(small_groups(vec![('a', 10), ('b', 90)], 100).is_empty());
        assert!(small_groups(Vec::<(char, u64)>::new(), 100).is_empty());
    }

    fn count(index: &SearchIndex, text: &str) -> usize {
        let term = Term::from_field_text(index.fields.all_bigram, text);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        index.reader.searcher().search(&query, &Count).unwrap()
    }

    /// Five commits make five segments. After the merge there are three, with
    /// the same counts, without the deleted document, and with the payload.
    #[test]
    fn merge_keeps_documents_and_payload() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let fields = index.fields;
        let mut writer: IndexWriter = index.index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for key in 0..500u64 {
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.msg_key, key);
            let text = if key % 3 == 0 {
                "会議室"
            } else {
                "見積書"
            };
            doc.add_text(fields.all_bigram, text);
            writer.add_document(doc).unwrap();
            if key % 100 == 99 {
                writer.commit().unwrap();
            }
        }
        writer.delete_term(Term::from_field_u64(fields.msg_key, 3));
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload("{\"messages_through\":500}");
        commit.commit().unwrap();
        writer.wait_merging_threads().unwrap();
        index.reload().unwrap();
        assert_eq!(index.index.searchable_segment_metas().unwrap().len(), 5);
        let before = (count(&index, "会議"), count(&index, "見積"));
        assert_eq!(before, (166, 333));

        // Five segments of 100 documents, merged in runs of at most 250.
        let report = merge_small_segments(&index, 250).unwrap();
        assert_eq!(
            report,
            MergeReport {
                segments_before: 5,
                segments_after: 3,
                documents: 499,
            }
        );
        assert_eq!((count(&index, "会議"), count(&index, "見積")), before);
        let payload = index.index.load_metas().unwrap().payload;
        assert_eq!(payload.as_deref(), Some("{\"messages_through\":500}"));
        let files = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|entry| {
                let path = entry.as_ref().unwrap().path();
                path.extension().is_some_and(|extension| extension == "idx")
            })
            .count();
        assert_eq!(files, 3, "the merged segments' files are deleted");

        let again = merge_small_segments(&index, 250).unwrap();
        assert_eq!((again.segments_before, again.segments_after), (3, 3));
    }
}
