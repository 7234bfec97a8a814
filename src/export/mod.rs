//! Exports for people outside the tool: CSV for spreadsheets and HTML
//! reports, each with a manifest of what it contains and the SHA-256 of every
//! file it wrote.
//!
//! [`run`] is the one entry point for the command line and the TUI. It
//! resolves the scope into a [`plan::Plan`], streams the messages room by
//! room in windows (never all at once), reports progress after each window
//! and stops when the progress callback returns false. Output appears under
//! its final name only when the export succeeded.

pub mod csv;
pub mod encoding;
pub mod html;
pub mod manifest;
mod messages;
pub mod output;
pub mod plain;
pub mod plan;
pub mod replacements;
pub mod spreadsheet;
pub mod time;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Serialize;

pub use encoding::TextEncoding;
use manifest::{
    CaseRecord, Counts, Manifest, OutputRecord, ReplacedRecord, ScopeRecord, SpreadsheetRecord,
};
pub use messages::{Interface, error_message};
pub use output::OutputFile;
use output::Staging;
use plan::Plan;
pub use replacements::ReplacedMessage;
use replacements::ReplacementList;

use crate::i18n::Lang;
use crate::index::SearchIndex;
use crate::query::parse::{self, ParsedQuery};
use crate::query::read::{AccountLabel, CaseReader, SourceFile};
use crate::query::search::{Engine, SearchOptions, SortOrder};
use crate::store::{Case, CaseInfo};

/// File format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One row per message, for spreadsheets.
    Csv,
    /// A printable report.
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
}

/// The messages an export contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every room of the case. As HTML this is a folder.
    Organization,
    /// Whole rooms, by `room_key`.
    Rooms(Vec<i64>),
    /// Messages by `msg_key`, for example the ones a view shows.
    Messages(Vec<i64>),
    /// Every message a person sent, by `msg_key`, with the person's
    /// account ID for the manifest and the report header.
    Person { account_id: String, keys: Vec<i64> },
    /// The messages a search finds, optionally only in some rooms
    /// (`room_key`s; empty means every room). Hits are marked in HTML.
    Query { query: String, rooms: Vec<i64> },
}

impl Scope {
    fn kind(&self) -> &'static str {
        match self {
            Scope::Organization => "organization",
            Scope::Rooms(_) => "rooms",
            Scope::Messages(_) => "messages",
            Scope::Person { .. } => "person",
            Scope::Query { .. } => "query",
        }
    }
}

/// Everything an export needs to know.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub scope: Scope,
    pub format: Format,
    /// Encoding of CSV files; HTML is always UTF-8.
    pub encoding: TextEncoding,
    /// Include earlier versions of edited and deleted messages.
    pub history: bool,
    /// The file to write, or the folder for an HTML organization export.
    pub out: PathBuf,
    pub lang: Lang,
    /// Zone in which times are written.
    pub zone: Tz,
    /// Write IDs in CSV as bare digits instead of `="…"` text formulas.
    pub plain_ids: bool,
    /// Replace existing output (a folder only when it is an earlier export).
    pub force: bool,
    /// The front end that asked for the export, `"cli"` or `"tui"`, as the
    /// audit entry records it.
    pub interface: &'static str,
}

impl ExportRequest {
    /// Returns a request with the defaults of the command line: UTF-8 with
    /// BOM, history included, Japanese, Japan time.
    pub fn new(scope: Scope, format: Format, out: PathBuf) -> ExportRequest {
        ExportRequest {
            scope,
            format,
            encoding: TextEncoding::default(),
            history: true,
            out,
            lang: Lang::Ja,
            zone: chrono_tz::Asia::Tokyo,
            plain_ids: false,
            force: false,
            interface: "cli",
        }
    }

    /// Returns true when the output is a folder rather than a file.
    pub fn writes_folder(&self) -> bool {
        self.format == Format::Html && self.scope == Scope::Organization
    }
}

/// The result of an export: the files it wrote and what it changed on the way.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The files of the export, without the manifest.
    pub outputs: Vec<OutputFile>,
    pub manifest: OutputFile,
    pub counts: Counts,
    /// Messages with characters the encoding could not hold: the first
    /// [`replacements::REPORTED`]; the manifest lists all of them.
    pub replaced: Vec<ReplacedMessage>,
    /// Number of messages with characters the encoding could not hold.
    pub replaced_total: u64,
    /// CSV text cells that got a leading `'`.
    pub neutralized_cells: u64,
}

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the export was cancelled; nothing was written")]
    Cancelled,
    #[error("{0} already exists; choose another output path, or pass --force to replace it")]
    OutputExists(PathBuf),
    #[error(
        "{out} is inside the export folder {export}, and cwlens never writes into an export; choose a path outside it"
    )]
    InsideExportFolder { out: PathBuf, export: PathBuf },
    #[error(
        "{0} exists and is not an earlier cwlens export (it has no manifest.json); choose another output folder"
    )]
    NotAnExport(PathBuf),
    #[error(
        "{0} is a folder; give a file path (only an HTML export of the whole organization writes a folder)"
    )]
    OutputIsFolder(PathBuf),
    #[error("no room with key {0} in the case")]
    UnknownRoom(String),
    #[error("the query is empty: give a word or a filter (for example from:123 is:deleted)")]
    EmptyQuery,
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the manifest: {0}")]
    Manifest(#[from] serde_json::Error),
    #[error("the export could not be recorded in the audit log, so nothing was written: {0:#}")]
    Audit(anyhow::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Search(#[from] crate::query::search::SearchError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// Progress of an export in messages, passed to the caller's callback.
pub struct Progress<'a> {
    callback: &'a mut dyn FnMut(u64, u64) -> bool,
    done: u64,
    total: u64,
}

impl Progress<'_> {
    /// Adds `messages` to the count done and calls the callback, which
    /// returns whether to go on.
    pub fn advance(&mut self, messages: u64) -> Result<(), ExportError> {
        self.done += messages;
        if (self.callback)(self.done, self.total) {
            Ok(())
        } else {
            Err(ExportError::Cancelled)
        }
    }
}

/// Shared state of one export.
pub struct Context<'a> {
    pub reader: &'a CaseReader,
    pub request: &'a ExportRequest,
    pub names: HashMap<String, AccountLabel>,
    pub case_dir: PathBuf,
    pub info: CaseInfo,
    /// Unix seconds.
    pub exported_at: i64,
    pub source_files: Vec<SourceFile>,
}

/// Runs an export of `case`.
///
/// `progress` receives messages done and messages in total after every
/// window of messages. When it returns false, the export stops, removes
/// what it wrote and returns [`ExportError::Cancelled`].
pub fn run(
    case: &Case,
    request: &ExportRequest,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ExportReport, ExportError> {
    // During an import, or after one stopped, the messages would not match
    // the manifest written beside them.
    case.check_complete()?;
    let reader = CaseReader::open(case)?;
    let mut matching_keys = |text: &str| -> Result<(ParsedQuery, Vec<i64>), ExportError> {
        let query = parse::parse(text, request.zone, request.lang);
        if query.is_empty() {
            return Err(ExportError::EmptyQuery);
        }
        let index = SearchIndex::open(&case.index_dir())?;
        index.reload()?;
        let options = SearchOptions {
            order: SortOrder::Oldest,
            ..SearchOptions::default()
        };
        let keys = Engine::new(&reader, &index).matching_keys(&query, options)?;
        Ok((query, keys))
    };
    check_outside_export_folders(&reader, &request.out)?;
    let plan = Plan::build(&reader, &request.scope, &mut matching_keys)?;
    let context = Context {
        reader: &reader,
        request,
        names: reader.account_names()?,
        case_dir: case.dir().to_path_buf(),
        info: case.info()?,
        exported_at: chrono::Utc::now().timestamp(),
        source_files: reader.source_files()?,
    };
    tracing::info!(
        format = request.format.as_str(),
        scope = request.scope.kind(),
        rooms = plan.rooms.len(),
        messages = plan.messages,
        "export started"
    );
    let started = std::time::Instant::now();

    let manifest_path = if request.writes_folder() {
        request.out.join(manifest::FOLDER_MANIFEST)
    } else {
        manifest::beside(&request.out)
    };
    let mut staging = if request.writes_folder() {
        Staging::folder(&request.out, request.force)?
    } else {
        let mut paths = vec![request.out.clone(), manifest_path.clone()];
        if request.format == Format::Csv && request.history {
            paths.push(csv::revisions_path(&request.out));
        }
        Staging::files(&paths, request.force)?
    };

    let mut progress = Progress {
        callback: progress,
        done: 0,
        total: plan.messages,
    };
    let written = (|| {
        progress.advance(0)?;
        Ok(match request.format {
            Format::Csv => {
                let outcome = csv::write(&context, &plan, &mut staging, &mut progress)?;
                (
                    outcome.files,
                    outcome.replaced,
                    Some(outcome.neutralized_cells),
                )
            }
            Format::Html => {
                let outcome = html::write(
                    &context,
                    &plan,
                    &mut staging,
                    request.writes_folder(),
                    &mut progress,
                )?;
                (outcome.files, ReplacementList::default(), None)
            }
        })
    })();
    let (outputs, replaced, neutralized) = match written {
        Err(ExportError::Cancelled) => {
            // Nothing was written, but the attempt is part of the record.
            let detail = serde_json::json!({
                "format": request.format.as_str(),
                "scope": request.scope.kind(),
                "out": absolute(&request.out),
                "messages_done": progress.done,
                "messages_total": progress.total,
                "interface": request.interface,
            });
            if let Err(audit_error) = crate::audit::record(case, "export_cancelled", detail) {
                tracing::error!(error = %audit_error, "the cancelled export could not be recorded");
            }
            return Err(ExportError::Cancelled);
        }
        other => other?,
    };

    let counts = Counts {
        rooms: plan.rooms.len() as u64,
        messages: plan.messages,
        earlier_versions: plan.revisions,
    };
    let document = build_manifest(
        &context,
        &plan,
        counts,
        &outputs,
        &replaced,
        neutralized,
        &manifest_path,
    );
    let mut manifest_file = staging.create(&manifest_path)?;
    serde_json::to_writer_pretty(&mut manifest_file, &document)?;
    manifest_file.put(b"\n")?;
    let manifest_output = manifest_file.finish()?;

    // The audit entry comes first: an export that cannot be recorded is not
    // written, while a recorded one whose final rename fails leaves a
    // second entry that says so.
    let detail = audit_detail(&document, &outputs, &manifest_output, request.interface);
    crate::audit::record(case, "export", detail).map_err(ExportError::Audit)?;
    if let Err(error) = staging.commit() {
        let failure = serde_json::json!({
            "outputs": outputs.iter().map(|file| absolute(&file.path)).collect::<Vec<_>>(),
            "error": error.to_string(),
        });
        if let Err(audit_error) = crate::audit::record(case, "export_failed", failure) {
            tracing::error!(error = %audit_error, "the failed export could not be recorded");
        }
        return Err(error);
    }

    tracing::info!(
        messages = plan.messages,
        files = outputs.len(),
        replaced_messages = replaced.count,
        seconds = started.elapsed().as_secs_f64(),
        "export finished"
    );
    Ok(ExportReport {
        outputs,
        manifest: manifest_output,
        counts,
        replaced_total: replaced.count,
        replaced: replaced.first,
        neutralized_cells: neutralized.unwrap_or(0),
    })
}

/// Builds the audit entry of an export: what was exported and the final
/// path, size and SHA-256 of every file.
fn audit_detail(
    document: &Manifest<'_>,
    outputs: &[OutputFile],
    manifest_file: &OutputFile,
    interface: &str,
) -> serde_json::Value {
    let file = |file: &OutputFile| {
        serde_json::json!({
            "path": absolute(&file.path),
            "bytes": file.bytes,
            "sha256": file.sha256,
        })
    };
    serde_json::json!({
        "format": document.format,
        "encoding": document.encoding,
        "history": document.history,
        "scope": document.scope,
        "counts": document.counts,
        "outputs": outputs.iter().map(file).collect::<Vec<_>>(),
        "manifest": file(manifest_file),
        "interface": interface,
    })
}

/// Rejects an output path inside any export folder the case was imported
/// from. The folders are recorded as canonical paths, and the output is
/// made absolute with symbolic links resolved as far as it exists.
fn check_outside_export_folders(reader: &CaseReader, out: &Path) -> Result<(), ExportError> {
    let out_absolute = crate::import::absolute_lenient(out);
    for export in reader.export_folders()? {
        let export = PathBuf::from(export);
        if out_absolute.starts_with(&export) {
            return Err(ExportError::InsideExportFolder {
                out: out.to_path_buf(),
                export,
            });
        }
    }
    Ok(())
}

/// Returns `path` made absolute against the current folder, for records
/// that must stay meaningful when read from elsewhere.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn build_manifest<'a>(
    context: &Context<'_>,
    plan: &Plan,
    counts: Counts,
    outputs: &[OutputFile],
    replaced: &'a ReplacementList,
    neutralized: Option<u64>,
    manifest_path: &Path,
) -> Manifest<'a> {
    let request = context.request;
    let base = manifest_path.parent().unwrap_or(Path::new(""));
    let csv = request.format == Format::Csv;
    Manifest {
        tool: "cwlens",
        tool_version: env!("CARGO_PKG_VERSION"),
        exported_at: time::iso(context.exported_at, request.zone),
        case: CaseRecord {
            folder: context.case_dir.display().to_string(),
            investigator: context.info.investigator.clone(),
            purpose: context.info.purpose.clone(),
            export_path: context.info.export_path.clone(),
        },
        format: request.format.as_str(),
        encoding: if csv {
            request.encoding.as_str()
        } else {
            "utf8"
        },
        lang: request.lang.pick("ja", "en"),
        time_zone: request.zone.name().to_string(),
        history: request.history,
        message_version: "latest: each message as the export last showed it; earlier versions are listed separately when history is included",
        scope: ScopeRecord {
            kind: request.scope.kind(),
            rooms: scope_rooms(context, plan),
            query: match &request.scope {
                Scope::Query { query, .. } => Some(query.clone()),
                _ => None,
            },
            account_id: match &request.scope {
                Scope::Person { account_id, .. } => Some(account_id.clone()),
                _ => None,
            },
        },
        counts,
        outputs: outputs
            .iter()
            .map(|file| OutputRecord::relative_to(file, base))
            .collect(),
        spreadsheet_safety: neutralized.map(|cells| SpreadsheetRecord {
            rule: manifest::SPREADSHEET_RULE,
            neutralized_cells: cells,
            ids_as_text_formulas: !request.plain_ids,
        }),
        replaced_characters: (csv && request.encoding == TextEncoding::Cp932).then_some(
            ReplacedRecord {
                policy: manifest::CP932_POLICY,
                message_count: replaced.count,
                messages: replaced,
            },
        ),
        source_files: context.source_files.clone(),
    }
}

/// Room IDs named by the scope: the requested rooms, or none for the
/// other scopes (their rooms are in the outputs).
fn scope_rooms(context: &Context<'_>, plan: &Plan) -> Vec<String> {
    match &context.request.scope {
        Scope::Rooms(_) => plan
            .rooms
            .iter()
            .map(|room| room.room.room_id.clone())
            .collect(),
        Scope::Query { rooms, .. } if !rooms.is_empty() => context
            .reader
            .rooms(crate::query::read::RoomSort::Name)
            .map(|all| {
                all.into_iter()
                    .filter(|room| rooms.contains(&room.room_key))
                    .map(|room| room.room_id)
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Describes the scope for a report header.
pub fn scope_description(context: &Context<'_>, plan: &Plan) -> String {
    let lang = context.request.lang;
    let room_names = || {
        plan.rooms
            .iter()
            .map(|room| room.room.display_name(lang))
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    match &context.request.scope {
        Scope::Organization => lang.pick("組織全体", "Whole organization").to_string(),
        Scope::Rooms(_) => format!("{}{}", lang.pick("ルーム: ", "Rooms: "), room_names()),
        Scope::Messages(keys) => match lang {
            Lang::Ja => format!("選択したメッセージ（{} 件を指定）", keys.len()),
            Lang::En => format!("Selected messages ({} requested)", keys.len()),
        },
        Scope::Person { account_id, keys } => {
            let name = context
                .names
                .get(account_id)
                .map_or_else(|| format!("ID:{account_id}"), |label| label.display(lang));
            match lang {
                Lang::Ja => format!("{name}（ID:{account_id}）の発言（{} 件）", keys.len()),
                Lang::En => format!(
                    "Messages of {name} (ID:{account_id}, {} messages)",
                    keys.len()
                ),
            }
        }
        Scope::Query { query, rooms } => {
            let mut text = format!("{}{query}", lang.pick("検索: ", "Search: "));
            if !rooms.is_empty() {
                text.push_str(&match lang {
                    Lang::Ja => format!("（ルーム {} 件に限定）", rooms.len()),
                    Lang::En => format!(" (limited to {} rooms)", rooms.len()),
                });
            }
            text
        }
    }
}
