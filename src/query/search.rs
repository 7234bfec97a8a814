//! Running parsed queries against the index, and building the hits.
//!
//! A word of one character is the range of terms that begin with it. A
//! longer word is a phrase of bigrams at fixed offsets that covers every character, so it
//! matches exactly the documents that contain the word as a substring.
//! Filters resolve names to keys in SQLite and become term-set or range
//! queries, so counting never loads a stored document.

use std::collections::HashSet;
use std::ops::{Bound, Range};

use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Searcher, Term};

use super::collect::{self, PageRequest};
use super::forward_seek::ForwardSeek;
use super::parse::{Filter, IsFlag, ParsedQuery, Scope};
use super::phrase::{BigramPhrase, Strategy};
use super::read::{CaseReader, MessageView};
use crate::index::{Fields, SearchIndex, analyzer, flag};
use crate::text::normalize::{self, Options};

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
    Relevance,
}

/// Settings of one search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchOptions {
    pub normalization: Options,
    pub order: SortOrder,
}

/// Version of a message in which a hit's words were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedIn {
    Current,
    History,
    /// Only filters matched: the query had no words.
    None,
}

/// A piece of plain text around the first match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` to highlight.
    pub highlights: Vec<Range<usize>>,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    pub message: MessageView,
    pub matched_in: MatchedIn,
    pub snippet: Snippet,
}

/// A page of results with the total count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub total: u64,
    pub hits: Vec<Hit>,
}

/// Characters of context kept before the first match in a snippet.
const SNIPPET_BEFORE: usize = 20;
/// Maximum characters in a snippet.
const SNIPPET_CHARS: usize = 120;
/// Batches a page's snippets are split into, for the search threads.
const SNIPPET_TASKS: usize = 4;

/// Errors of a search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The parser could not read part of the query, such as a filter with
    /// an impossible date. Running the rest would widen the results, so
    /// nothing runs; the text is the parser's messages.
    #[error("{0}")]
    Unreadable(String),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Runs searches over one case.
pub struct Engine<'a> {
    pub reader: &'a CaseReader,
    pub index: &'a SearchIndex,
}

impl<'a> Engine<'a> {
    pub fn new(reader: &'a CaseReader, index: &'a SearchIndex) -> Self {
        Engine { reader, index }
    }

    fn fields(&self) -> Fields {
        self.index.fields
    }

    /// Counts the messages that match.
    pub fn count(&self, query: &ParsedQuery, options: SearchOptions) -> Result<u64, SearchError> {
        check_readable(query)?;
        if needs_verification(query, options) {
            return Ok(self.matching_keys(query, options)?.len() as u64);
        }
        let built = self.build(query, options)?;
        let searcher = self.index.reader.searcher();
        Ok(searcher.search(&built, &Count)? as u64)
    }

    /// Returns one page of hits with the total count.
    pub fn search(
        &self,
        query: &ParsedQuery,
        options: SearchOptions,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, SearchError> {
        check_readable(query)?;
        if needs_verification(query, options) {
            let keys = self.matching_keys(query, options)?;
            let page: Vec<i64> = keys.iter().skip(offset).take(limit).copied().collect();
            return Ok(SearchPage {
                total: keys.len() as u64,
                hits: self.hits(&page, query, options)?,
            });
        }
        let built = self.build(query, options)?;
        let searcher = self.index.reader.searcher();
        let (total, keys) =
            self.count_and_page(&searcher, built.as_ref(), options.order, offset, limit)?;
        Ok(SearchPage {
            total,
            hits: self.hits(&keys, query, options)?,
        })
    }

    /// Every matching message key, in the order `options.order` sets
    /// (relevance falls back to newest first).
    pub fn matching_keys(
        &self,
        query: &ParsedQuery,
        options: SearchOptions,
    ) -> Result<Vec<i64>, SearchError> {
        check_readable(query)?;
        let built = self.build(query, options)?;
        let searcher = self.index.reader.searcher();
        let addresses: HashSet<DocAddress> = searcher.search(&built, &DocSetCollector)?;
        let mut keyed = Vec::with_capacity(addresses.len());
        for address in addresses {
            let columns = self
                .index
                .columns(searcher.segment_reader(address.segment_ord))?;
            let key = columns.msg_key.first(address.doc_id).unwrap_or(0) as i64;
            let sent = columns.sent_at.first(address.doc_id).unwrap_or(0);
            keyed.push((sent, key));
        }
        match options.order {
            SortOrder::Oldest => keyed.sort_unstable(),
            SortOrder::Newest | SortOrder::Relevance => keyed.sort_unstable_by(|a, b| b.cmp(a)),
        }
        let mut keys: Vec<i64> = keyed.into_iter().map(|(_, key)| key).collect();
        if needs_verification(query, options) {
            let mut verified = Vec::with_capacity(keys.len());
            for key in keys {
                if self.verify(key, query, options)? {
                    verified.push(key);
                }
            }
            keys = verified;
        }
        Ok(keys)
    }

    /// Counts the matches and collects the message keys of one page in a
    /// single pass over the postings.
    fn count_and_page(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        order: SortOrder,
        offset: usize,
        limit: usize,
    ) -> Result<(u64, Vec<i64>), SearchError> {
        if order == SortOrder::Relevance && limit > 0 {
            let collector = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score();
            let (total, top) = searcher.search(query, &(Count, collector))?;
            let mut keys = Vec::with_capacity(top.len());
            for (_, address) in top {
                let columns = self
                    .index
                    .columns(searcher.segment_reader(address.segment_ord))?;
                keys.push(columns.msg_key.first(address.doc_id).unwrap_or(0) as i64);
            }
            return Ok((total as u64, keys));
        }
        let request = PageRequest {
            offset,
            limit,
            oldest_first: order == SortOrder::Oldest,
            // A single term's count is its document frequency.
            count_apart: query.downcast_ref::<TermQuery>().is_some(),
        };
        let page = collect::count_and_page(self.index, searcher, query, request)?;
        Ok((page.total, page.keys))
    }

    /// Builds the tantivy query. Kana-sensitive searches use the folded
    /// index to find candidates and leave exclusions to `verify`.
    fn build(
        &self,
        query: &ParsedQuery,
        options: SearchOptions,
    ) -> Result<Box<dyn Query>, SearchError> {
        let fields = self.fields();
        let folded = Options { fold_kana: true };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &query.include {
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for word in group {
                let normalized = normalize::normalize_with(word, folded);
                if let Some(word_query) = word_query(fields, &normalized, query.scope) {
                    alternatives.push((Occur::Should, word_query));
                }
            }
            match alternatives.len() {
                0 => continue,
                1 => clauses.push((Occur::Must, alternatives.remove(0).1)),
                _ => clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives)))),
            }
        }
        if !needs_verification(query, options) {
            for word in &query.exclude {
                let normalized = normalize::normalize_with(word, folded);
                if let Some(word_query) = word_query(fields, &normalized, query.scope) {
                    clauses.push((Occur::MustNot, word_query));
                }
            }
        }
        for filter in &query.filters {
            clauses.push((Occur::Must, self.filter_query(filter)?));
        }
        if query.scope == Scope::History && query.include.is_empty() {
            // Without a word to find in them, `in:history` selects the
            // messages that have earlier versions.
            clauses.push((Occur::Must, flag_query(fields, flag::HAS_HISTORY)));
        }
        if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            if query.is_empty() {
                return Ok(Box::new(EmptyQuery));
            }
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        // A lone required clause is the query itself, which keeps a single
        // term countable from its document frequency.
        if let [(Occur::Must, _)] = clauses[..] {
            return Ok(clauses.remove(0).1);
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    fn filter_query(&self, filter: &Filter) -> Result<Box<dyn Query>, SearchError> {
        let fields = self.fields();
        let conn = self.reader.conn();
        let folded = |text: &str| normalize::normalize(text);
        Ok(match filter {
            Filter::Room(value) => {
                let keys = matching_keys_by_name(
                    conn,
                    "SELECT room_key, room_id, name FROM rooms",
                    &folded(value),
                    value,
                )?;
                term_set_u64(fields.room_key, keys)
            }
            Filter::From(value) => {
                let keys = matching_keys_by_name(
                    conn,
                    "SELECT account_key, account_id, name FROM accounts",
                    &folded(value),
                    value,
                )?;
                term_set_u64(fields.account_key, keys)
            }
            Filter::To(value) => {
                let ids = matching_ids_by_name(conn, &folded(value), value)?;
                let terms: Vec<Term> = ids
                    .into_iter()
                    .map(|id| Term::from_field_text(fields.mention, &id))
                    .collect();
                Box::new(TermSetQuery::new(terms))
            }
            Filter::After(unix) => Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(fields.sent_at, *unix)),
                Bound::Unbounded,
            )),
            Filter::Before(unix) => Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Excluded(Term::from_field_i64(fields.sent_at, *unix)),
            )),
            Filter::Is(IsFlag::Edited) => flag_query(fields, flag::EDITED),
            Filter::Is(IsFlag::Deleted) => flag_query(fields, flag::DELETED),
            Filter::HasFile => flag_query(fields, flag::HAS_FILE),
            Filter::Is(IsFlag::Resigned) => {
                let keys = keys_of_sql(
                    conn,
                    "SELECT account_key FROM accounts WHERE resigned = 1",
                    [],
                )?;
                term_set_u64(fields.account_key, keys)
            }
            Filter::Is(IsFlag::Starred) => {
                let keys = keys_of_sql(conn, "SELECT msg_key FROM stars", [])?;
                term_set_u64(fields.msg_key, keys)
            }
            Filter::Tag(tag) => {
                let keys = keys_of_sql(
                    conn,
                    "SELECT msg_key FROM tags WHERE tag = ?1",
                    [tag.as_str()],
                )?;
                term_set_u64(fields.msg_key, keys)
            }
        })
    }

    /// Checks a candidate against the query with the exact normalization options.
    fn verify(
        &self,
        msg_key: i64,
        query: &ParsedQuery,
        options: SearchOptions,
    ) -> Result<bool, SearchError> {
        let texts = self.version_texts(msg_key, options.normalization)?;
        let contains = |word: &str| {
            let needle = normalize::normalize_with(word, options.normalization);
            texts
                .iter()
                .filter(|(current, _)| in_scope(*current, query.scope))
                .any(|(_, text)| text.contains(&needle))
        };
        let included = query
            .include
            .iter()
            .all(|group| group.iter().any(|word| contains(word)));
        let excluded = query.exclude.iter().any(|word| contains(word));
        Ok(included && !excluded)
    }

    /// Normalized plain text of every version; `true` marks the current one.
    fn version_texts(
        &self,
        msg_key: i64,
        options: Options,
    ) -> Result<Vec<(bool, String)>, SearchError> {
        let name_map = self.reader.names_by_id()?;
        let mut texts = Vec::new();
        if let Some(detail) = self.reader.message_detail(msg_key)? {
            texts.push((
                true,
                normalize::normalize_with(
                    &crate::index::plain_text(&detail.message.body, &name_map),
                    options,
                ),
            ));
            for revision in &detail.revisions {
                texts.push((
                    false,
                    normalize::normalize_with(
                        &crate::index::plain_text(&revision.body_before, &name_map),
                        options,
                    ),
                ));
            }
        }
        Ok(texts)
    }

    /// Loads messages and builds their snippets.
    pub fn hits(
        &self,
        keys: &[i64],
        query: &ParsedQuery,
        options: SearchOptions,
    ) -> Result<Vec<Hit>, SearchError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let names = self.reader.names_by_id()?;
        let words: Vec<String> = query
            .positive_words()
            .map(|word| normalize::normalize_with(word, options.normalization))
            .filter(|word| !word.is_empty())
            .collect();
        let messages = self.reader.messages_by_keys(keys)?;
        // Snippets of the current texts take about a third of a page's
        // time, and need no database, so the idle search threads share them.
        let executor = self.index.index.search_executor();
        let chunk = messages.len().div_ceil(SNIPPET_TASKS).max(1);
        let current: Vec<(String, Option<Snippet>)> = executor
            .map(
                |batch: &[MessageView]| {
                    Ok(batch
                        .iter()
                        .map(|message| {
                            let current = crate::index::plain_text(&message.body, &names);
                            let snippet = snippet_for(&current, &words, options.normalization)
                                .filter(|_| query.scope != Scope::History);
                            (current, snippet)
                        })
                        .collect::<Vec<_>>())
                },
                messages.chunks(chunk),
            )?
            .into_iter()
            .flatten()
            .collect();

        let mut hits = Vec::with_capacity(messages.len());
        for (message, (current, snippet)) in messages.into_iter().zip(current) {
            let (matched_in, snippet) = if words.is_empty() {
                // A deleted message has no current text, and `in:history`
                // is about the earlier ones. Show the latest earlier text,
                // marked as an earlier version.
                let before = if current.trim().is_empty() || query.scope == Scope::History {
                    self.reader
                        .revisions(message.msg_key)?
                        .iter()
                        .rev()
                        .map(|revision| crate::index::plain_text(&revision.body_before, &names))
                        .find(|text| !text.trim().is_empty())
                } else {
                    None
                };
                match before {
                    Some(text) => (MatchedIn::History, snippet_at_start(&text)),
                    None => (MatchedIn::None, snippet_at_start(&current)),
                }
            } else if let Some(snippet) = snippet {
                (MatchedIn::Current, snippet)
            } else {
                let mut found = None;
                for revision in self.reader.revisions(message.msg_key)? {
                    let text = crate::index::plain_text(&revision.body_before, &names);
                    if let Some(snippet) = snippet_for(&text, &words, options.normalization) {
                        found = Some(snippet);
                        break;
                    }
                }
                match found {
                    Some(snippet) => (MatchedIn::History, snippet),
                    None => (MatchedIn::Current, snippet_at_start(&current)),
                }
            };
            hits.push(Hit {
                message,
                matched_in,
                snippet,
            });
        }
        Ok(hits)
    }
}

/// Rejects a query with parts the parser could not read.
fn check_readable(query: &ParsedQuery) -> Result<(), SearchError> {
    if query.errors.is_empty() {
        return Ok(());
    }
    Err(SearchError::Unreadable(query.errors.join("; ")))
}

fn in_scope(current: bool, scope: Scope) -> bool {
    match scope {
        Scope::Any => true,
        Scope::Current => current,
        Scope::History => !current,
    }
}

/// Kana-sensitive searches need the stored text to confirm each candidate.
fn needs_verification(query: &ParsedQuery, options: SearchOptions) -> bool {
    !options.normalization.fold_kana && (!query.include.is_empty() || !query.exclude.is_empty())
}

/// Builds the query for one normalized word in the fields of `scope`.
fn word_query(fields: Fields, word: &str, scope: Scope) -> Option<Box<dyn Query>> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    if chars.is_empty() {
        return None;
    }
    let in_field = |field: Field| -> Box<dyn Query> {
        if let [(_, c)] = chars[..] {
            // Every character of a text begins a term (see `index::analyzer`).
            let (low, high) = analyzer::prefix_bounds(c);
            return Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_text(field, &low)),
                Bound::Included(Term::from_field_text(field, &high)),
            ));
        }
        let bigrams = covering_bigrams(word);
        if bigrams.len() == 1 {
            return Box::new(TermQuery::new(
                Term::from_field_text(field, &bigrams[0].1),
                IndexRecordOption::Basic,
            ));
        }
        let terms = bigrams
            .into_iter()
            .map(|(offset, text)| (offset, Term::from_field_text(field, &text)))
            .collect();
        Box::new(ForwardSeek(Box::new(BigramPhrase::new(
            terms,
            Strategy::Auto,
        ))))
    };
    Some(match scope {
        Scope::Any => in_field(fields.all_bigram),
        Scope::History => in_field(fields.history_bigram),
        // A message without earlier versions has only its current text in
        // `all_bigram`; one with them has its current text in `current_bigram`.
        Scope::Current => Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, in_field(fields.all_bigram)),
                    (Occur::MustNot, flag_query(fields, flag::HAS_HISTORY)),
                ])) as Box<dyn Query>,
            ),
            (Occur::Should, in_field(fields.current_bigram)),
        ])),
    })
}

/// Returns the bigrams at offsets 0, 2, 4, … plus the last one, which together
/// cover every character of `word` (at least two characters long).
pub fn covering_bigrams(word: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = word.chars().collect();
    let last = chars.len() - 2;
    let mut offsets: Vec<usize> = (0..=last).step_by(2).collect();
    if offsets.last() != Some(&last) {
        offsets.push(last);
    }
    offsets
        .into_iter()
        .map(|offset| (offset, chars[offset..offset + 2].iter().collect()))
        .collect()
}

fn flag_query(fields: Fields, value: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(fields.flags, value),
        IndexRecordOption::Basic,
    ))
}

fn term_set_u64(field: Field, keys: Vec<i64>) -> Box<dyn Query> {
    if keys.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(TermSetQuery::new(
        keys.into_iter()
            .map(|key| Term::from_field_u64(field, key as u64)),
    ))
}

fn keys_of_sql<P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| row.get(0))?;
    rows.collect()
}

/// Keys of rows whose ID equals `raw` or whose normalized name contains `needle`.
fn matching_keys_by_name(
    conn: &rusqlite::Connection,
    sql: &str,
    needle: &str,
    raw: &str,
) -> rusqlite::Result<Vec<i64>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query([])?;
    let mut keys = Vec::new();
    while let Some(row) = rows.next()? {
        let key: i64 = row.get(0)?;
        let id: String = row.get(1)?;
        let name: String = row.get(2)?;
        if id == raw.trim() || (!needle.is_empty() && normalize::normalize(&name).contains(needle))
        {
            keys.push(key);
        }
    }
    Ok(keys)
}

fn matching_ids_by_name(
    conn: &rusqlite::Connection,
    needle: &str,
    raw: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached("SELECT account_id, name FROM accounts")?;
    let mut rows = statement.query([])?;
    let mut ids = Vec::new();
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let name: String = row.get(1)?;
        if id == raw.trim() || (!needle.is_empty() && normalize::normalize(&name).contains(needle))
        {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Builds a snippet around the first occurrence of any word, or `None` when no word occurs.
pub fn snippet_for(text: &str, words: &[String], options: Options) -> Option<Snippet> {
    let mapped = normalize::normalize_mapped(text, options);
    let mut matches: Vec<Range<usize>> = Vec::new();
    for word in words {
        for (start, found) in mapped.text.match_indices(word.as_str()) {
            matches.push(mapped.original_range(start..start + found.len()));
        }
    }
    if matches.is_empty() {
        return None;
    }
    matches.sort_by_key(|range| (range.start, range.end));
    let first = matches[0].start;
    let start = text[..first]
        .char_indices()
        .rev()
        .nth(SNIPPET_BEFORE.saturating_sub(1))
        .map_or(0, |(index, _)| index);
    let end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(index, _)| start + index);
    let highlights = merge(matches)
        .into_iter()
        .filter(|range| range.start >= start && range.end <= end)
        .map(|range| range.start - start..range.end - start)
        .collect();
    Some(Snippet {
        text: text[start..end].to_string(),
        highlights,
    })
}

fn snippet_at_start(text: &str) -> Snippet {
    let end = text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(index, _)| index);
    Snippet {
        text: text[..end].to_string(),
        highlights: Vec::new(),
    }
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|range| range.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_bigrams_cover_every_character() {
        assert_eq!(covering_bigrams("ab"), vec![(0, "ab".to_string())]);
        assert_eq!(
            covering_bigrams("abc"),
            vec![(0, "ab".to_string()), (1, "bc".to_string())]
        );
        assert_eq!(
            covering_bigrams("abcd"),
            vec![(0, "ab".to_string()), (2, "cd".to_string())]
        );
        assert_eq!(
            covering_bigrams("abcde"),
            vec![
                (0, "ab".to_string()),
                (2, "cd".to_string()),
                (3, "de".to_string())
            ]
        );
    }

    #[test]
    fn snippet_highlights_original_characters() {
        let text = "見本 花子（試験）- 深夜対応";
        let snippet = snippet_for(text, &["-".to_string()], Options::default()).unwrap();
        let range = snippet.highlights[0].clone();
        assert_eq!(&snippet.text[range], "-");
    }

    #[test]
    fn snippet_maps_full_width_back() {
        let snippet = snippet_for("ＡＢＣ商事", &["abc".to_string()], Options::default()).unwrap();
        assert_eq!(&snippet.text[snippet.highlights[0].clone()], "ＡＢＣ");
    }

    #[test]
    fn snippet_maps_dotted_i_back() {
        let snippet = snippet_for(
            "İstanbul出張",
            &["istanbul".to_string()],
            Options::default(),
        )
        .unwrap();
        assert_eq!(&snippet.text[snippet.highlights[0].clone()], "İstanbul");
    }
}
