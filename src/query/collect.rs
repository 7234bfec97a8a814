//! Counting matches and keeping the newest (or oldest) ones in one pass.
//!
//! tantivy's own sort by a fast field opens the field's column for every
//! search, which took about a quarter of a search's time at 1,000,000
//! messages. This
//! collector reads the columns from [`crate::index::SearchIndex::columns`],
//! which opens each segment's columns once, and returns message keys
//! directly, so no second lookup is needed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::{SearchIndex, SegmentColumns};

/// A match in the order of a result list: larger ranks come first.
type Rank = (i64, u64);

/// Counts every match and keeps the `offset + limit` first ones by time,
/// ties broken by message key.
pub struct CountAndFirst<'a> {
    pub index: &'a SearchIndex,
    pub offset: usize,
    pub limit: usize,
    pub oldest_first: bool,
}

/// The count and one page of message keys.
#[derive(Debug, Default)]
pub struct Page {
    pub total: u64,
    pub keys: Vec<i64>,
}

/// Returns the rank of a match. `!` reverses the order of both types without overflow.
fn rank(oldest_first: bool, sent_at: i64, msg_key: u64) -> Rank {
    if oldest_first {
        (!sent_at, !msg_key)
    } else {
        (sent_at, msg_key)
    }
}

/// Returns the message key a rank was made from.
fn msg_key_of(oldest_first: bool, rank: Rank) -> i64 {
    let key = if oldest_first { !rank.1 } else { rank.1 };
    key as i64
}

pub struct SegmentFirst {
    columns: std::sync::Arc<SegmentColumns>,
    keep: usize,
    oldest_first: bool,
    total: u64,
    /// The `keep` highest ranks so far, lowest on top.
    heap: BinaryHeap<Reverse<Rank>>,
}

impl SegmentFirst {
    /// False when no time in the block of `doc` ranks above the lowest
    /// match kept.
    fn block_may_enter(&self, doc: DocId) -> bool {
        let (Some((earliest, latest)), Some(lowest)) =
            (self.columns.time_range(doc), self.heap.peek())
        else {
            return true;
        };
        let best = if self.oldest_first { earliest } else { latest };
        rank(self.oldest_first, best, 0).0 >= lowest.0.0
    }

    fn offer(&mut self, doc: DocId, sent_at: i64) {
        if self.heap.len() == self.keep {
            // A full page: the time alone rules most documents out, without
            // reading their message key.
            let lowest = self.heap.peek().map_or((i64::MIN, 0), |lowest| lowest.0);
            let time_rank = rank(self.oldest_first, sent_at, 0).0;
            if time_rank < lowest.0 {
                return;
            }
        }
        let msg_key = self.columns.msg_key.first(doc).unwrap_or(0);
        let rank = rank(self.oldest_first, sent_at, msg_key);
        if self.heap.len() < self.keep {
            self.heap.push(Reverse(rank));
        } else if let Some(mut lowest) = self.heap.peek_mut()
            && rank > lowest.0
        {
            *lowest = Reverse(rank);
        }
    }
}

impl SegmentCollector for SegmentFirst {
    type Fruit = (u64, Vec<Rank>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        if self.keep == 0 {
            return;
        }
        let sent_at = self.columns.sent_at.first(doc).unwrap_or(0);
        self.offer(doc, sent_at);
    }

    /// Searches without scores hand over matches in blocks. Once the page
    /// is full, a match whose block of documents holds no time that could
    /// enter it is counted without reading its time.
    fn collect_block(&mut self, docs: &[DocId]) {
        self.total += docs.len() as u64;
        if self.keep == 0 {
            return;
        }
        for &doc in docs {
            if self.heap.len() == self.keep && !self.block_may_enter(doc) {
                continue;
            }
            let sent_at = self.columns.sent_at.first(doc).unwrap_or(0);
            self.offer(doc, sent_at);
        }
    }

    fn harvest(self) -> Self::Fruit {
        (
            self.total,
            self.heap.into_iter().map(|Reverse(rank)| rank).collect(),
        )
    }
}

impl Collector for CountAndFirst<'_> {
    type Fruit = Page;
    type Child = SegmentFirst;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFirst> {
        Ok(SegmentFirst {
            columns: self.index.columns(segment)?,
            keep: self.offset + self.limit,
            oldest_first: self.oldest_first,
            total: 0,
            heap: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(u64, Vec<Rank>)>) -> tantivy::Result<Page> {
        let mut total = 0;
        let mut ranks = Vec::new();
        for (count, segment_ranks) in fruits {
            total += count;
            ranks.extend(segment_ranks);
        }
        ranks.sort_unstable_by(|a, b| b.cmp(a));
        let keys = ranks
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|rank| msg_key_of(self.oldest_first, rank))
            .collect();
        Ok(Page { total, keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_newest_and_oldest_first() {
        for oldest_first in [false, true] {
            let mut ranks: Vec<Rank> = [(5, 1), (-3, 9), (5, 2), (i64::MIN, 0), (i64::MAX, 7)]
                .into_iter()
                .map(|(sent, key)| rank(oldest_first, sent, key))
                .collect();
            ranks.sort_unstable_by(|a, b| b.cmp(a));
            let keys: Vec<i64> = ranks
                .into_iter()
                .map(|rank| msg_key_of(oldest_first, rank))
                .collect();
            if oldest_first {
                assert_eq!(keys, [0, 9, 1, 2, 7]);
            } else {
                assert_eq!(keys, [7, 2, 1, 9, 0]);
            }
        }
    }

    /// Pages of a real index with several segments, equal times and a
    /// deleted document equal the brute-force order of every document.
    #[test]
    fn pages_match_a_full_sort() {
        use tantivy::query::AllQuery;
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let fields = index.fields;
        let mut writer: tantivy::IndexWriter =
            index.index.writer_with_num_threads(1, 15_000_000).unwrap();

        let mut expected = Vec::new();
        // Times repeat and wander, so that blocks of documents overlap in
        // time and ties cross block and segment borders.
        for key in 1..=1000u64 {
            let sent = ((key * 7919) % 613) as i64 / 3 - 50 + (key / 300) as i64;
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_u64(fields.msg_key, key);
            doc.add_i64(fields.sent_at, sent);
            writer.add_document(doc).unwrap();
            if key % 400 == 0 {
                writer.commit().unwrap();
            }
            if key != 13 {
                expected.push((sent, key as i64));
            }
        }
        writer.delete_term(tantivy::Term::from_field_u64(fields.msg_key, 13));
        writer.commit().unwrap();
        index.reload().unwrap();
        let searcher = index.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);

        for oldest_first in [false, true] {
            let mut order = expected.clone();
            if oldest_first {
                order.sort_unstable();
            } else {
                order.sort_unstable_by(|a, b| b.cmp(a));
            }
            let all: Vec<i64> = order.iter().map(|(_, key)| *key).collect();
            for (offset, limit) in [(0, 5), (3, 10), (35, 50), (0, 0), (990, 20), (0, 999)] {
                let page = searcher
                    .search(
                        &AllQuery,
                        &CountAndFirst {
                            index: &index,
                            offset,
                            limit,
                            oldest_first,
                        },
                    )
                    .unwrap();
                assert_eq!(page.total, 999);
                let want: Vec<i64> = all.iter().skip(offset).take(limit).copied().collect();
                assert_eq!(
                    page.keys, want,
                    "offset {offset} limit {limit} oldest {oldest_first}"
                );
            }
        }
    }
}
