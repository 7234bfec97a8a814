//! A query wrapper whose scorer is never asked to seek backwards.
//!
//! tantivy 0.27 excludes documents (`Occur::MustNot`) by calling
//! `DocSet::seek_danger` on the excluding scorer with each candidate, and a
//! fresh `PhraseScorer` already sits on its first match, which may lie past
//! the candidate. `PhraseScorer::seek_danger` debug-asserts that the target
//! is not behind its current document, so a debug build panicked on queries
//! such as `会議室 -第2会議`. Release builds skip the assertion, and the
//! postings below it do not move backwards.
//!
//! The wrapped scorer keeps the trait's default `seek_danger`, which seeks
//! the inner scorer only to a target past its current document.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// A query whose scorer seeks the wrapped query's scorer only forward.
#[derive(Debug)]
pub struct ForwardSeek(pub Box<dyn Query>);

impl Clone for ForwardSeek {
    fn clone(&self) -> Self {
        ForwardSeek(self.0.box_clone())
    }
}

impl Query for ForwardSeek {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardSeekWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ForwardSeekWeight(Box<dyn Weight>);

impl Weight for ForwardSeekWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardSeekScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardSeekScorer(Box<dyn Scorer>);

impl DocSet for ForwardSeekScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            return doc;
        }
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for ForwardSeekScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
