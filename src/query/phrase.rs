//! Exact matching of a word's covering bigrams at their offsets, for words
//! made of common bigrams.
//!
//! tantivy's `PhraseQuery` finds a document's positions by summing the term
//! frequencies of the documents before it in its block, once per term and
//! match. For a word such as お願いします, whose bigrams occur in a quarter
//! of all messages, that summing took a third of the search. When the
//! posting lists of a word's bigrams have similar lengths, [`BigramPhrase`]
//! walks every block of every list in order and keeps a running sum, so the
//! positions of each match are found at once. When one list is much shorter
//! than another, skipping through the long list costs less, and the segment
//! is searched by `PhraseQuery` instead. Both find the same documents; only
//! searches without scores take the walking path.

use std::path::PathBuf;

use tantivy::directory::{CompositeFile, Directory, ManagedDirectory};
use tantivy::positions::PositionReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// A segment is walked when the posting lists of all the bigrams together
/// hold at most this many times the documents of the shortest list.
const WALK_RATIO: u64 = 16;

/// Choice of search path for a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Walk the lists when their lengths are close, else use `PhraseQuery`.
    Auto,
    /// Always walk; tests use it to compare the two paths.
    #[cfg(test)]
    Walk,
}

/// The bigrams of one word, each at its character offset in the word. A
/// document matches when every bigram occurs at one start position plus
/// its offset.
#[derive(Debug, Clone)]
pub struct BigramPhrase {
    terms: Vec<(usize, Term)>,
    strategy: Strategy,
}

impl BigramPhrase {
    /// Builds the query. `terms` contains at least two bigrams of one field.
    pub fn new(terms: Vec<(usize, Term)>, strategy: Strategy) -> BigramPhrase {
        BigramPhrase { terms, strategy }
    }

    fn phrase_query(&self) -> PhraseQuery {
        PhraseQuery::new_with_offset(self.terms.clone())
    }
}

impl Query for BigramPhrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let fallback = self.phrase_query().weight(enable_scoring)?;
        let searcher = match enable_scoring.searcher() {
            Some(searcher) if !enable_scoring.is_scoring_enabled() => searcher,
            _ => return Ok(fallback),
        };
        Ok(Box::new(BigramPhraseWeight {
            directory: searcher.index().directory().clone(),
            field: self.terms[0].1.field(),
            terms: self.terms.clone(),
            strategy: self.strategy,
            fallback,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct BigramPhraseWeight {
    directory: ManagedDirectory,
    field: Field,
    terms: Vec<(usize, Term)>,
    strategy: Strategy,
    fallback: Box<dyn Weight>,
}

impl BigramPhraseWeight {
    /// Opens the positions of this weight's field in one segment.
    fn positions_file(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<tantivy::directory::FileSlice> {
        let path = PathBuf::from(format!("{}.pos", reader.segment_id().uuid_string()));
        let composite = CompositeFile::open(&self.directory.open_read(&path)?)?;
        composite.open_read(self.field).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!(
                "segment {} has no positions for the bigram field; rebuild the index with `cwlens reindex`",
                reader.segment_id().uuid_string()
            ))
        })
    }
}

impl Weight for BigramPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inverted = reader.inverted_index(self.field)?;
        let mut infos: Vec<(u32, TermInfo)> = Vec::with_capacity(self.terms.len());
        for (offset, term) in &self.terms {
            match inverted.get_term_info(term)? {
                Some(info) => infos.push((*offset as u32, info)),
                None => return Ok(Box::new(EmptyScorer)),
            }
        }

        let shortest = infos
            .iter()
            .map(|(_, info)| info.doc_freq)
            .min()
            .unwrap_or(0) as u64;
        let all: u64 = infos.iter().map(|(_, info)| info.doc_freq as u64).sum();
        if self.strategy == Strategy::Auto && all > shortest * WALK_RATIO {
            return self.fallback.scorer(reader, boost);
        }

        let positions = self.positions_file(reader)?;
        let mut cursors = Vec::with_capacity(infos.len());
        for (offset, info) in infos {
            let postings =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            let bytes = positions.slice(info.positions_range.clone()).read_bytes()?;
            cursors.push(Cursor {
                postings,
                positions: PositionReader::open(bytes)?,
                offset,
                index: 0,
                at: 0,
            });
        }
        // The shortest list leads the intersection.
        cursors.sort_by_key(|cursor| cursor.postings.doc_freq());
        let mut scorer = WalkingScorer {
            cursors,
            doc: 0,
            left: Vec::new(),
            right: Vec::new(),
        };
        scorer.doc = scorer.next_match(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.fallback.explain(reader, doc)
    }
}

/// One bigram's postings, read block by block with the position offset of
/// the current document kept up to date.
struct Cursor {
    postings: BlockSegmentPostings,
    positions: PositionReader,
    /// The bigram's offset in the word.
    offset: u32,
    /// Index of the current document in the loaded block.
    index: usize,
    /// Offset, in the term's positions, of the current document's first
    /// position: the sum of the term frequencies of every earlier document.
    at: u64,
}

impl Cursor {
    /// Moves to the first document at or after `target` and returns it.
    fn seek(&mut self, target: DocId) -> DocId {
        loop {
            let docs = self.postings.docs();
            let Some(&last) = docs.last() else {
                return TERMINATED;
            };
            let freqs = self.postings.freqs();
            if last < target {
                self.at += freqs[self.index..]
                    .iter()
                    .map(|&freq| freq as u64)
                    .sum::<u64>();
                self.postings.advance();
                self.index = 0;
                continue;
            }
            while docs[self.index] < target {
                self.at += freqs[self.index] as u64;
                self.index += 1;
            }
            return docs[self.index];
        }
    }

    /// Writes the positions of the current document, less the bigram's
    /// offset, to the start of `out`: the start positions of the word this
    /// occurrence could belong to. Returns how many were written. `out`
    /// only grows, so that no call clears memory it then overwrites.
    fn starts(&mut self, out: &mut Vec<u32>) -> usize {
        let count = self.postings.freqs()[self.index] as usize;
        if out.len() < count {
            out.resize(count, 0);
        }
        let out = &mut out[..count];
        self.positions.read(self.at, out);
        let mut position = 0u32;
        let mut written = 0;
        for index in 0..count {
            position += out[index];
            if position >= self.offset {
                out[written] = position - self.offset;
                written += 1;
            }
        }
        written
    }
}

struct WalkingScorer {
    cursors: Vec<Cursor>,
    doc: DocId,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl WalkingScorer {
    /// Returns the first document at or after `target` where every bigram
    /// occurs at its offset from a common start.
    fn next_match(&mut self, mut target: DocId) -> DocId {
        'align: loop {
            for cursor in &mut self.cursors {
                let doc = cursor.seek(target);
                if doc == TERMINATED {
                    return TERMINATED;
                }
                if doc > target {
                    target = doc;
                    continue 'align;
                }
            }
            if self.starts_agree() {
                return target;
            }
            target += 1;
        }
    }

    /// True when the current document has a start shared by every bigram.
    fn starts_agree(&mut self) -> bool {
        let (first, rest) = self.cursors.split_first_mut().expect("two or more bigrams");
        let mut shared = first.starts(&mut self.left);
        for cursor in rest {
            if shared == 0 {
                return false;
            }
            let found = cursor.starts(&mut self.right);
            let right = &self.right[..found];
            let mut next = 0;
            let mut kept = 0;
            for index in 0..shared {
                let start = self.left[index];
                while next < right.len() && right[next] < start {
                    next += 1;
                }
                if next < right.len() && right[next] == start {
                    self.left[kept] = start;
                    kept += 1;
                }
            }
            shared = kept;
        }
        shared > 0
    }
}

impl DocSet for WalkingScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next_match(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc != TERMINATED && self.doc < target {
            self.doc = self.next_match(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.cursors[0].postings.doc_freq()
    }
}

impl Scorer for WalkingScorer {
    fn score(&mut self) -> Score {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use tantivy::collector::DocSetCollector;
    use tantivy::query::Query;

    use super::*;
    use crate::index::SearchIndex;
    use crate::query::search::covering_bigrams;

    /// Texts over a small alphabet repeat every bigram often, across
    /// documents, segments and values of one field. The walking path must
    /// find exactly the documents that `PhraseQuery` finds, which are the
    /// documents that contain the word.
    #[test]
    fn walk_matches_phrase_query_and_scan() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        let fields = index.fields;
        let mut writer: tantivy::IndexWriter =
            index.index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut random = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let alphabet: Vec<char> = "あいうえおか会議".chars().collect();
        let mut texts: Vec<Vec<String>> = Vec::new();
        for key in 0..3000u64 {
            let values: Vec<String> = (0..random.random_range(1..=2))
                .map(|_| {
                    let length = random.random_range(0..40);
                    (0..length)
                        .map(|_| alphabet[random.random_range(0..alphabet.len())])
                        .collect()
                })
                .collect();
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_u64(fields.msg_key, key);
            for value in &values {
                doc.add_text(fields.all_bigram, value);
            }
            writer.add_document(doc).unwrap();
            if key % 1000 == 999 {
                writer.commit().unwrap();
            }
            texts.push(values);
        }
        writer.commit().unwrap();
        index.reload().unwrap();
        let searcher = index.reader.searcher();
        assert!(searcher.segment_readers().len() > 1);

        // Short words made of the alphabet, and longer ones cut from the texts.
        let mut words: Vec<String> = ["あいう", "会議あ", "いうえお", "ああああ", "かか会"]
            .map(String::from)
            .to_vec();
        for (key, length) in [(5, 6), (500, 7), (1500, 9), (2999, 12)] {
            let chars: Vec<char> = texts[key..]
                .iter()
                .flatten()
                .find(|text| text.chars().count() >= length)
                .unwrap()
                .chars()
                .collect();
            words.push(chars[..length].iter().collect());
        }
        for word in &words {
            let word = word.as_str();
            let terms: Vec<(usize, Term)> = covering_bigrams(word)
                .into_iter()
                .map(|(offset, text)| (offset, Term::from_field_text(fields.all_bigram, &text)))
                .collect();
            let found = |query: &dyn Query| {
                let mut keys: Vec<u64> = searcher
                    .search(query, &DocSetCollector)
                    .unwrap()
                    .into_iter()
                    .map(|address| {
                        let reader = searcher.segment_reader(address.segment_ord);
                        let column = reader.fast_fields().u64("msg_key").unwrap();
                        column.first(address.doc_id).unwrap()
                    })
                    .collect();
                keys.sort_unstable();
                keys
            };
            let walked = found(&BigramPhrase::new(terms.clone(), Strategy::Walk));
            let phrase = found(&PhraseQuery::new_with_offset(terms.clone()));
            let automatic = found(&BigramPhrase::new(terms, Strategy::Auto));
            let scanned: Vec<u64> = (0..texts.len() as u64)
                .filter(|&key| texts[key as usize].iter().any(|text| text.contains(word)))
                .collect();
            assert!(!scanned.is_empty(), "{word}");
            assert_eq!(walked, scanned, "{word}");
            assert_eq!(phrase, scanned, "{word}");
            assert_eq!(automatic, scanned, "{word}");
        }
    }
}
