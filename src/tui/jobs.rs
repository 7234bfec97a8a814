//! Slow work off the UI thread: the import of a new case, searches and
//! exports.
//!
//! Each job runs on its own thread and reports over a channel that the run
//! loop polls between frames, so typing and scrolling do not wait for it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use chrono_tz::Tz;

use crate::export::{ExportError, ExportReport, ExportRequest};
use crate::i18n::Lang;
use crate::query::Session;
use crate::query::search::{SearchOptions, SearchPage};
use crate::store::Case;

/// A request to the searcher. `generation` comes back in the reply so the
/// screen can drop replies to queries the user has since changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchRequest {
    Count {
        generation: u64,
        text: String,
        options: SearchOptions,
    },
    Page {
        generation: u64,
        text: String,
        options: SearchOptions,
        offset: usize,
        limit: usize,
    },
}

#[derive(Debug)]
pub enum SearchReply {
    Count {
        generation: u64,
        /// Mistakes the parser found; the rest of the query still ran.
        errors: Vec<String>,
        result: Result<u64, String>,
    },
    Page {
        generation: u64,
        offset: usize,
        result: Result<SearchPage, String>,
    },
}

/// Runs one request on `session` and returns its reply.
pub fn answer(session: &Session, request: SearchRequest) -> SearchReply {
    match request {
        SearchRequest::Count {
            generation,
            text,
            options,
        } => {
            let query = session.parse(&text);
            let result = if query.is_empty() {
                Ok(0)
            } else {
                session
                    .count(&query, options)
                    .map_err(|error| format!("{error:#}"))
            };
            SearchReply::Count {
                generation,
                errors: query.errors,
                result,
            }
        }
        SearchRequest::Page {
            generation,
            text,
            options,
            offset,
            limit,
        } => {
            let query = session.parse(&text);
            let result = session
                .search(&query, options, offset, limit)
                .map_err(|error| format!("{error:#}"));
            SearchReply::Page {
                generation,
                offset,
                result,
            }
        }
    }
}

/// Runs searches either on a thread of their own (the console) or at once
/// on the caller's session (tests, which need replies in a known order).
pub enum Searcher {
    Thread {
        requests: Sender<SearchRequest>,
        replies: Receiver<SearchReply>,
    },
    Inline {
        replies: Vec<SearchReply>,
    },
}

impl Searcher {
    /// Starts a search thread with its own session on the case.
    pub fn spawn(case_dir: &Path, zone: Tz, lang: Lang) -> Searcher {
        let (request_tx, request_rx) = mpsc::channel::<SearchRequest>();
        let (reply_tx, reply_rx) = mpsc::channel();
        let case_dir = case_dir.to_path_buf();
        thread::spawn(move || search_thread(&case_dir, zone, lang, &request_rx, &reply_tx));
        Searcher::Thread {
            requests: request_tx,
            replies: reply_rx,
        }
    }

    pub fn inline() -> Searcher {
        Searcher::Inline {
            replies: Vec::new(),
        }
    }

    pub fn submit(&mut self, request: SearchRequest, session: &Session) {
        match self {
            Searcher::Thread { requests, .. } => {
                // A send fails only when the thread has ended; the reply
                // that never comes leaves the screen showing "counting".
                if requests.send(request).is_err() {
                    tracing::error!("the search thread has stopped");
                }
            }
            Searcher::Inline { replies } => replies.push(answer(session, request)),
        }
    }

    /// Returns the replies that have arrived.
    pub fn poll(&mut self) -> Vec<SearchReply> {
        match self {
            Searcher::Thread { replies, .. } => replies.try_iter().collect(),
            Searcher::Inline { replies } => std::mem::take(replies),
        }
    }
}

fn search_thread(
    case_dir: &Path,
    zone: Tz,
    lang: Lang,
    requests: &Receiver<SearchRequest>,
    replies: &Sender<SearchReply>,
) {
    let session = match Session::open_for_browsing(case_dir, zone, lang) {
        Ok(session) => Some(session),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the search thread cannot open the case");
            None
        }
    };
    while let Ok(first) = requests.recv() {
        // Only the newest count matters while the user types; pages are all kept.
        let mut batch = vec![first];
        batch.extend(requests.try_iter());
        let newest_count = batch
            .iter()
            .rposition(|request| matches!(request, SearchRequest::Count { .. }));
        for (index, request) in batch.into_iter().enumerate() {
            if matches!(request, SearchRequest::Count { .. }) && Some(index) != newest_count {
                continue;
            }
            let reply = match &session {
                Some(session) => answer(session, request),
                None => failed_reply(request, lang),
            };
            if replies.send(reply).is_err() {
                return;
            }
        }
    }
}

fn failed_reply(request: SearchRequest, lang: Lang) -> SearchReply {
    let message = lang
        .pick(
            "検索の索引を開けません。`cwlens reindex` で作り直してください",
            "cannot open the search index; rebuild it with `cwlens reindex`",
        )
        .to_string();
    match request {
        SearchRequest::Count { generation, .. } => SearchReply::Count {
            generation,
            errors: Vec::new(),
            result: Err(message),
        },
        SearchRequest::Page {
            generation, offset, ..
        } => SearchReply::Page {
            generation,
            offset,
            result: Err(message),
        },
    }
}

/// A step of the import of a new case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the export; progress counts bytes.
    Reading,
    /// Finishing the search index; progress counts messages when the index
    /// is rebuilt, and is 0 of 0 while the last batches are indexed.
    Indexing,
}

#[derive(Debug)]
pub enum ImportEvent {
    Progress { phase: Phase, done: u64, total: u64 },
    Finished(Result<ImportSummary, String>),
}

/// Counts of a finished import, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub messages_added: u64,
    pub rows_quarantined: u64,
    /// Files that may be cut short and files the export lacks, as the
    /// command line's summary describes them.
    pub notes: Vec<String>,
}

/// The export, the case and the investigator's entries from the setup form.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub export: PathBuf,
    pub case_dir: PathBuf,
    pub investigator: String,
    pub purpose: String,
    pub lang: Lang,
}

/// A running import.
pub struct ImportJob {
    events: Receiver<ImportEvent>,
    finished: bool,
}

/// Minimum time between two progress events, so a fast import does not
/// flood the channel.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

impl ImportJob {
    pub fn start(request: ImportRequest) -> ImportJob {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let result = run_import(&request, &tx).map_err(|error| format!("{error:#}"));
            let _ = tx.send(ImportEvent::Finished(result));
        });
        ImportJob {
            events: rx,
            finished: false,
        }
    }

    /// Returns a job that reports nothing, for drawing tests.
    #[cfg(test)]
    pub fn idle() -> ImportJob {
        let (_, rx) = mpsc::channel();
        ImportJob {
            events: rx,
            finished: true,
        }
    }

    /// Returns the events that have arrived.
    pub fn poll(&mut self) -> Vec<ImportEvent> {
        let mut events = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(event) => events.push(event),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.finished {
                        events.push(ImportEvent::Finished(Err(
                            "the import stopped without a result".into(),
                        )));
                    }
                    self.finished = true;
                    break;
                }
            }
        }
        if events
            .iter()
            .any(|event| matches!(event, ImportEvent::Finished(_)))
        {
            self.finished = true;
        }
        events
    }
}

fn run_import(
    request: &ImportRequest,
    events: &Sender<ImportEvent>,
) -> anyhow::Result<ImportSummary> {
    let is_new = !request.case_dir.join(crate::store::DATABASE_FILE).exists();
    // Held until the index is complete, so a second import is refused at once.
    let lock = crate::store::lock_import(&request.case_dir)?;
    let case = Case::open_or_create(&request.case_dir)?;
    crate::cli::logging::init(&case.log_dir());
    crate::cli::import_cmd::record_resumed_import(&case, Some("tui"))?;
    crate::cli::import_cmd::record_people_and_purpose(
        &case,
        is_new,
        Some(&request.investigator),
        Some(&request.purpose),
        Some("tui"),
    )?;

    let options = crate::import::ImportOptions {
        lang: request.lang,
        ..Default::default()
    };
    let started = Instant::now();
    let mut last_sent = Instant::now() - PROGRESS_INTERVAL;
    let mut report = |phase: Phase, done: u64, total: u64| {
        if done >= total || last_sent.elapsed() >= PROGRESS_INTERVAL {
            last_sent = Instant::now();
            let _ = events.send(ImportEvent::Progress { phase, done, total });
        }
    };
    // The index is built while the import commits its batches, as
    // `cwlens import` does.
    let indexer = crate::index::LiveIndexer::start(
        &request.case_dir.join(crate::store::DATABASE_FILE),
        &case.index_dir(),
    )?;
    let result = crate::import::run(
        &request.export,
        &case,
        &lock,
        &options,
        &mut |done, total| report(Phase::Reading, done, total),
        &mut |settled| {
            indexer.catch_up(settled);
            Ok(())
        },
    );
    let import = match result {
        Ok(import) => import,
        Err(error) => {
            drop(indexer);
            crate::audit::record(
                &case,
                "import_failed",
                serde_json::json!({ "export": request.export.to_string_lossy(), "error": format!("{error:#}") }),
            )?;
            return Err(error);
        }
    };

    report(Phase::Indexing, 0, 0);
    let indexed = match indexer.finish() {
        Ok(indexed) => indexed,
        Err(error) => {
            // An index that failed to build is rebuilt from the database.
            tracing::warn!(error = %error, "indexing during import failed; rebuilding");
            crate::cli::import_cmd::sync_index(&case, &mut |done, total| {
                report(Phase::Indexing, done, total)
            })?
        }
    };
    crate::audit::record(
        &case,
        "import",
        crate::cli::import_cmd::import_audit_detail(&case, &import)?,
    )?;
    case.checkpoint()?;
    tracing::info!(
        import_id = import.import_id,
        messages_added = import.counts.messages_added,
        documents_indexed = indexed.added + indexed.replaced,
        seconds = started.elapsed().as_secs_f64(),
        "import from the console finished"
    );
    let lang = request.lang;
    let notes = import
        .cut_files
        .iter()
        .map(|file| crate::cli::import_cmd::cut_file_note(file, lang))
        .chain(
            import
                .missing
                .iter()
                .map(|missing| crate::cli::import_cmd::missing_note(missing, lang)),
        )
        .collect();
    Ok(ImportSummary {
        messages_added: import.counts.messages_added,
        rows_quarantined: import.counts.rows_quarantined,
        notes,
    })
}

#[derive(Debug)]
pub enum ExportEvent {
    /// Messages written so far and in total.
    Progress {
        done: u64,
        total: u64,
    },
    Finished(Result<ExportReport, ExportError>),
    /// The thread ended without a result, which only a panic does.
    Lost,
}

/// A running export. Dropping it cancels the export and waits for the
/// thread, so quitting the console leaves no partly written files.
pub struct ExportJob {
    events: Receiver<ExportEvent>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    finished: bool,
}

impl ExportJob {
    /// Starts `request` on the case in `case_dir` on a thread of its own.
    pub fn start(case_dir: PathBuf, request: ExportRequest) -> ExportJob {
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let cancelled = Arc::clone(&cancel);
        let thread = thread::spawn(move || {
            let result = run_export(&case_dir, &request, &mut |done, total| {
                let _ = tx.send(ExportEvent::Progress { done, total });
                !cancelled.load(Ordering::Relaxed)
            });
            let _ = tx.send(ExportEvent::Finished(result));
        });
        ExportJob {
            events: rx,
            cancel,
            thread: Some(thread),
            finished: false,
        }
    }

    /// Returns a job that reports nothing, for drawing tests.
    #[cfg(test)]
    pub fn idle() -> ExportJob {
        let (_, rx) = mpsc::channel();
        ExportJob {
            events: rx,
            cancel: Arc::new(AtomicBool::new(false)),
            thread: None,
            finished: true,
        }
    }

    /// Asks the export to stop at its next window of messages. The export
    /// then removes what it wrote and finishes with
    /// [`ExportError::Cancelled`], unless it had already written its last
    /// window.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancel_requested(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Returns the flag that cancels the job, so a test can see when a
    /// cancellation was requested after the job moved away.
    #[cfg(test)]
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Returns the events that have arrived.
    pub fn poll(&mut self) -> Vec<ExportEvent> {
        let mut events = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(event) => {
                    if matches!(event, ExportEvent::Finished(_)) {
                        self.finished = true;
                    }
                    events.push(event);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.finished {
                        tracing::error!("the export thread ended without a result");
                        events.push(ExportEvent::Lost);
                        self.finished = true;
                    }
                    break;
                }
            }
        }
        events
    }
}

impl Drop for ExportJob {
    fn drop(&mut self) {
        self.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens the case and runs one export on it. `progress` is the callback of
/// [`crate::export::run`]: it receives messages done and in total, and
/// returns false to cancel.
pub fn run_export(
    case_dir: &Path,
    request: &ExportRequest,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ExportReport, ExportError> {
    let case = Case::open(case_dir)?;
    let result = crate::export::run(&case, request, progress);
    match &result {
        Ok(_) => {}
        Err(ExportError::Cancelled) => tracing::info!("the export from the console was cancelled"),
        Err(error) => tracing::error!(error = %error, "the export from the console failed"),
    }
    result
}
