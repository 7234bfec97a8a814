//! Reading a case: the read API every presenter uses (`read`, with the
//! order of the edits-and-deletions list in `changes`), the search
//! language (`parse`) and its execution over the index (`search`).
//! `Session` bundles what a presenter needs to hold.

mod changes;
mod collect;
mod forward_seek;
pub mod parse;
mod phrase;
pub mod read;
pub mod search;

use std::path::Path;

use chrono_tz::Tz;

use crate::i18n::Lang;
use crate::index::SearchIndex;
use crate::store::{Case, PendingImport};
use parse::ParsedQuery;
use read::CaseReader;
use search::{Engine, SearchError, SearchOptions, SearchPage};

/// An open case for reading and searching.
pub struct Session {
    pub reader: CaseReader,
    pub index: SearchIndex,
    /// Zone in which times are shown and dates in queries are read.
    pub zone: Tz,
    pub lang: Lang,
    /// The import the index and counts lag, when the session was opened
    /// for browsing during or after an import that has not finished.
    pub pending_import: Option<PendingImport>,
}

impl Session {
    /// Opens a case folder for reading. The index must exist.
    pub fn open(case_dir: &Path, zone: Tz, lang: Lang) -> anyhow::Result<Session> {
        Session::for_case(&Case::open(case_dir)?, zone, lang)
    }

    /// Opens a session on a case that is already open.
    pub fn for_case(case: &Case, zone: Tz, lang: Lang) -> anyhow::Result<Session> {
        // While an import runs, or after one stopped midway, the index lags
        // the database, and a search would miss hits without saying so.
        case.check_complete()?;
        Session::assemble(case, zone, lang, None)
    }

    /// Opens a case folder for the console, which may read a case while
    /// an import writes it or after one stopped. The session notes the
    /// pending import, so the console can warn that its counts and search
    /// results are incomplete.
    pub fn open_for_browsing(case_dir: &Path, zone: Tz, lang: Lang) -> anyhow::Result<Session> {
        let case = Case::open(case_dir)?;
        let pending_import = case.pending_import()?;
        Session::assemble(&case, zone, lang, pending_import)
    }

    fn assemble(
        case: &Case,
        zone: Tz,
        lang: Lang,
        pending_import: Option<PendingImport>,
    ) -> anyhow::Result<Session> {
        let reader = CaseReader::open(case)?;
        let running = pending_import == Some(PendingImport::Running);
        // Without it, a person's messages would be read by a scan of every
        // message. Building it takes seconds per million messages, once. A
        // running first import drops it on purpose and builds it at its end.
        if !running {
            crate::store::writer::restore_person_index(case.conn())?;
        }
        let index = match SearchIndex::open(&case.index_dir()) {
            Ok(index) => index,
            // The first import creates the index when its indexer starts.
            Err(_) if pending_import.is_some() && !case.index_dir().join("meta.json").exists() => {
                SearchIndex::empty_in_memory()?
            }
            Err(error) => return Err(error.into()),
        };
        // A running import rebuilds an outdated index, and the console
        // already warns that results are incomplete.
        if !running {
            index.check_current(&case.index_dir())?;
        }
        index.reload()?;
        Ok(Session {
            reader,
            index,
            zone,
            lang,
            pending_import,
        })
    }

    pub fn parse(&self, input: &str) -> ParsedQuery {
        parse::parse(input, self.zone, self.lang)
    }

    pub fn engine(&self) -> Engine<'_> {
        Engine::new(&self.reader, &self.index)
    }

    pub fn count(&self, query: &ParsedQuery, options: SearchOptions) -> Result<u64, SearchError> {
        self.engine().count(query, options)
    }

    pub fn search(
        &self,
        query: &ParsedQuery,
        options: SearchOptions,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, SearchError> {
        self.engine().search(query, options, offset, limit)
    }

    /// Every matching message key, newest first unless `options` says otherwise.
    pub fn matching_keys(
        &self,
        query: &ParsedQuery,
        options: SearchOptions,
    ) -> Result<Vec<i64>, SearchError> {
        self.engine().matching_keys(query, options)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn has_person_index(case: &Case) -> bool {
        case.conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'messages_by_account')",
                [],
                |row| row.get(0),
            )
            .unwrap()
    }

    /// During a first import the index may not exist yet. The console
    /// reads the case and its searches find nothing until the import ends.
    #[test]
    fn browsing_a_first_import_before_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let case_dir = dir.path().join("case");
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let (lock, case) = crate::import::import_for_tests(&export, &case_dir);
        assert!(!case.index_dir().join("meta.json").exists());

        let session =
            Session::open_for_browsing(&case_dir, chrono_tz::Asia::Tokyo, Lang::Ja).unwrap();
        assert_eq!(session.pending_import, Some(PendingImport::Running));
        let query = session.parse("見積");
        assert_eq!(session.count(&query, SearchOptions::default()).unwrap(), 0);
        assert!(
            !case.index_dir().join("meta.json").exists(),
            "nothing written"
        );
        drop(lock);
    }

    /// A first import cut short leaves the per-person index out. No session
    /// restores it while an import runs, and the next session does.
    #[test]
    fn session_restores_the_person_index() {
        let dir = tempfile::tempdir().unwrap();
        let case_dir = dir.path().join("case");
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let (lock, case) = crate::import::import_for_tests(&export, &case_dir);
        crate::cli::import_cmd::sync_index(&case, &mut |_, _| {}).unwrap();
        case.conn()
            .execute_batch("DROP INDEX messages_by_account")
            .unwrap();

        let rejected = Session::open(&case_dir, chrono_tz::Asia::Tokyo, Lang::Ja);
        assert!(rejected.is_err(), "an import holds the lock");
        assert!(!has_person_index(&case));
        let browsing =
            Session::open_for_browsing(&case_dir, chrono_tz::Asia::Tokyo, Lang::Ja).unwrap();
        assert_eq!(browsing.pending_import, Some(PendingImport::Running));
        assert!(!has_person_index(&case), "the import builds it at its end");
        drop(browsing);
        drop(lock);

        let session = Session::open(&case_dir, chrono_tz::Asia::Tokyo, Lang::Ja).unwrap();
        assert!(has_person_index(&case));
        let plan: String = case
            .conn()
            .query_row(
                "EXPLAIN QUERY PLAN SELECT msg_key FROM messages WHERE account_key = 1
                 ORDER BY sent_at DESC",
                [],
                |row| row.get(3),
            )
            .unwrap();
        assert!(plan.contains("messages_by_account"), "{plan}");
        let first = session.reader.person_message_keys(1).unwrap();
        assert!(!first.is_empty());
    }
}
