//! Counting matches and keeping the newest (or oldest) ones.
//!
//! tantivy's own sort by a fast field opens the field's column for every
//! search, which took about a quarter of a search's time at 1,000,000
//! messages. This module reads the columns from
//! [`crate::index::SearchIndex::columns`], which opens each segment's
//! columns once, and returns message keys directly, so no second lookup is
//! needed.
//!
//! Two things keep a page cheap when a query matches millions of messages:
//!
//! - a query whose count needs no pass over its matches is counted apart.
//!   For a single term in a segment without deletions, the count is the
//!   term's document frequency. The page is then found by seeking past
//!   every block of documents whose times cannot enter it;
//! - segments share the lowest time of any full page found so far, so a
//!   segment searched later passes over what an earlier one has ruled out.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Searcher, SegmentReader, TERMINATED};

use crate::index::{SearchIndex, SegmentColumns, TIME_BLOCK};

/// A match in the order of a result list: larger ranks come first.
type Rank = (i64, u64);

/// Parameters of one search's count and page.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub offset: usize,
    pub limit: usize,
    pub oldest_first: bool,
    /// Count with the weight's own count and walk the matches only for the
    /// page. Worth it only when that count does not visit the matches, as
    /// for a single term.
    pub count_apart: bool,
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

/// Counts the matches of `query` and returns the keys of one page.
pub fn count_and_page(
    index: &SearchIndex,
    searcher: &Searcher,
    query: &dyn Query,
    request: PageRequest,
) -> tantivy::Result<Page> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;

    // The time rank below which no match can enter the page: the lowest
    // time of a full page in any segment.
    let floor = AtomicI64::new(i64::MIN);
    let segments = searcher.segment_readers().iter();
    let fruits = searcher.index().search_executor().map(
        |segment| {
            let mut first = SegmentFirst {
                columns: index.columns(segment)?,
                keep: request.offset + request.limit,
                oldest_first: request.oldest_first,
                heap: BinaryHeap::new(),
                floor: &floor,
            };
            let total = first.run(weight.as_ref(), segment, request.count_apart)?;
            Ok((total, first.heap.into_vec()))
        },
        segments,
    )?;

    let mut total = 0;
    let mut ranks = Vec::new();
    for (count, heap) in fruits {
        total += count;
        ranks.extend(heap.into_iter().map(|Reverse(rank)| rank));
    }
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    let keys = ranks
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .map(|rank| msg_key_of(request.oldest_first, rank))
        .collect();
    Ok(Page { total, keys })
}

/// The page of one segment.
struct SegmentFirst<'a> {
    columns: Arc<SegmentColumns>,
    keep: usize,
    oldest_first: bool,
    /// The `keep` highest ranks so far, lowest on top.
    heap: BinaryHeap<Reverse<Rank>>,
    floor: &'a AtomicI64,
}

impl SegmentFirst<'_> {
    /// Counts the matches of the segment and keeps its page.
    fn run(
        &mut self,
        weight: &dyn Weight,
        segment: &SegmentReader,
        count_apart: bool,
    ) -> tantivy::Result<u64> {
        let alive = segment.alive_bitset();
        let is_alive = |doc: DocId| alive.is_none_or(|bits| bits.is_alive(doc));
        let mut scorer = weight.scorer(segment, 1.0)?;
        if count_apart {
            let total = weight.count(segment)? as u64;
            if self.keep == 0 {
                return Ok(total);
            }
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if !self.block_may_enter(doc) {
                    match self.next_block_that_may_enter(doc) {
                        Some(start) => doc = scorer.seek(start),
                        None => break,
                    }
                    continue;
                }
                if is_alive(doc) {
                    self.offer(doc);
                }
                doc = scorer.advance();
            }
            return Ok(total);
        }
        let mut total = 0;
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let filled = scorer.fill_buffer(&mut buffer);
            for &doc in &buffer[..filled] {
                if !is_alive(doc) {
                    continue;
                }
                total += 1;
                if self.keep > 0 && self.block_may_enter(doc) {
                    self.offer(doc);
                }
            }
            if filled < buffer.len() {
                return Ok(total);
            }
        }
    }

    /// The time rank a match must reach to enter the page.
    fn threshold(&self) -> i64 {
        let shared = self.floor.load(Ordering::Relaxed);
        match self.heap.peek() {
            Some(lowest) if self.heap.len() == self.keep => shared.max(lowest.0.0),
            _ => shared,
        }
    }

    /// Returns the best time rank in block number `block`, or `None` when unknown.
    fn best_in_block(&self, block: usize) -> Option<i64> {
        let (earliest, latest) = self.columns.time_ranges().get(block).copied()?;
        let best = if self.oldest_first { earliest } else { latest };
        Some(rank(self.oldest_first, best, 0).0)
    }

    /// False when no time in the block of `doc` reaches the threshold.
    fn block_may_enter(&self, doc: DocId) -> bool {
        self.best_in_block((doc / TIME_BLOCK) as usize)
            .is_none_or(|best| best >= self.threshold())
    }

    /// Returns the first document of the next block after `doc`'s whose
    /// times may enter the page, or `None` when no later block may.
    fn next_block_that_may_enter(&self, doc: DocId) -> Option<DocId> {
        let threshold = self.threshold();
        let blocks = self.columns.time_ranges().len();
        ((doc / TIME_BLOCK) as usize + 1..blocks)
            .find(|&block| {
                self.best_in_block(block)
                    .is_none_or(|best| best >= threshold)
            })
            .map(|block| block as DocId * TIME_BLOCK)
    }

    fn offer(&mut self, doc: DocId) {
        let sent_at = self.columns.sent_at.first(doc).unwrap_or(0);
        // The time alone rules most documents out, without reading their
        // message key. Equal times may still enter on the key.
        if rank(self.oldest_first, sent_at, 0).0 < self.threshold() {
            return;
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
        if self.heap.len() == self.keep
            && let Some(lowest) = self.heap.peek()
        {
            self.floor.fetch_max(lowest.0.0, Ordering::Relaxed);
        }
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
    /// deleted document equal the brute-force order of the matching
    /// documents, counted with the pass over the matches and apart from it,
    /// on one search thread and on two.
    #[test]
    fn pages_match_a_full_sort() {
        use tantivy::query::{AllQuery, TermQuery};
        use tantivy::schema::IndexRecordOption;
        let dir = tempfile::tempdir().unwrap();
        let mut index = SearchIndex::open_or_create(dir.path()).unwrap();
        let fields = index.fields;
        let mut writer: tantivy::IndexWriter =
            index.index.writer_with_num_threads(1, 15_000_000).unwrap();

        let mut all = Vec::new();
        let mut flagged = Vec::new();
        // Times repeat and wander, so that blocks of documents overlap in
        // time and ties cross block and segment borders. Every third
        // document carries a flag term, so that a term query skips blocks.
        for key in 1..=3000u64 {
            let sent = ((key * 7919) % 613) as i64 / 3 - 50 + (key / 300) as i64;
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_u64(fields.msg_key, key);
            doc.add_i64(fields.sent_at, sent);
            if key % 3 == 0 {
                doc.add_u64(fields.flags, 1);
            }
            writer.add_document(doc).unwrap();
            if key % 700 == 0 {
                writer.commit().unwrap();
            }
            if key != 13 && key != 15 {
                all.push((sent, key as i64));
                if key % 3 == 0 {
                    flagged.push((sent, key as i64));
                }
            }
        }
        for deleted in [13, 15] {
            writer.delete_term(tantivy::Term::from_field_u64(fields.msg_key, deleted));
        }
        writer.commit().unwrap();
        index.reload().unwrap();

        let term = TermQuery::new(
            tantivy::Term::from_field_u64(fields.flags, 1),
            IndexRecordOption::Basic,
        );
        for threads in [1, 2] {
            if threads == 2 {
                index.index.set_multithread_executor(2).unwrap();
            }
            let searcher = index.reader.searcher();
            assert!(searcher.segment_readers().len() > 1);
            for (query, expected) in [(&AllQuery as &dyn Query, &all), (&term, &flagged)] {
                for oldest_first in [false, true] {
                    let mut order = expected.clone();
                    if oldest_first {
                        order.sort_unstable();
                    } else {
                        order.sort_unstable_by(|a, b| b.cmp(a));
                    }
                    let keys: Vec<i64> = order.iter().map(|(_, key)| *key).collect();
                    for (offset, limit) in [(0, 5), (3, 10), (35, 50), (0, 0), (990, 20), (0, 2999)]
                    {
                        for count_apart in [false, true] {
                            let request = PageRequest {
                                offset,
                                limit,
                                oldest_first,
                                count_apart,
                            };
                            let page = count_and_page(&index, &searcher, query, request).unwrap();
                            assert_eq!(page.total, expected.len() as u64, "{request:?}");
                            let want: Vec<i64> =
                                keys.iter().skip(offset).take(limit).copied().collect();
                            assert_eq!(page.keys, want, "{request:?} threads {threads}");
                        }
                    }
                }
            }
        }
    }
}
