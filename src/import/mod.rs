//! Import of a Chatwork export into a case.
//!
//! Two layouts are read: the admin console's CSV export (see
//! `csv_layout`) and backups of the Chatwork API v2 JSON (see `api_json`).
//! The export folder is only ever opened for reading.

pub mod api_json;
pub mod columns;
pub mod csv_layout;
pub mod doctor;
pub mod mapping;
mod names;
pub mod rows;
pub mod source;
pub mod values;

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono_tz::Tz;

use crate::i18n::Lang;
use crate::store::writer::{ImportCounts, Writer};
use crate::store::{Case, ImportLock};
use mapping::Mapping;
use rows::Importer;

/// Settings of one import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub mapping: Mapping,
    /// Zone of times written without an offset.
    pub source_tz: Tz,
    pub lang: Lang,
    pub batch_rows: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mapping: Mapping::default(),
            source_tz: chrono_tz::Asia::Tokyo,
            lang: Lang::Ja,
            batch_rows: crate::store::writer::DEFAULT_BATCH_ROWS,
        }
    }
}

/// The layouts cwlens reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    ChatworkCsv,
    ApiJson,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::ChatworkCsv => "chatwork_csv",
            Layout::ApiJson => "api_json",
        }
    }
}

/// Quarantined rows of one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuarantineSummary {
    pub path: String,
    pub rows: i64,
    /// The first record number and reason, as an example.
    pub first_record: Option<i64>,
    pub first_reason: String,
}

/// Summary of one import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub import_id: i64,
    pub layout: Layout,
    pub export: PathBuf,
    pub counts: ImportCounts,
    pub files_read: u64,
    pub files_unchanged: u64,
    pub names_recovered: u64,
    pub quarantine: Vec<QuarantineSummary>,
    /// Files that end inside a quoted field; their last record may be cut short.
    pub cut_files: Vec<rows::CutFile>,
    /// Files and folders the export lacks.
    pub missing: Vec<rows::MissingData>,
}

/// Finds which layout an export folder has.
pub fn detect_layout(export: &Path, mapping: &Mapping, lang: Lang) -> anyhow::Result<Layout> {
    if export.exists() && !export.is_dir() {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "{} はファイルです。エクスポートのフォルダ（Chatwork からダウンロードした ZIP を展開したフォルダ）を指定してください",
                    export.display()
                ),
                Lang::En => format!(
                    "{} is a file; name the export folder (the folder the downloaded Chatwork ZIP was extracted to)",
                    export.display()
                ),
            }
        );
    }
    if !export.is_dir() {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "エクスポートのフォルダ {} が見つかりません。Chatwork からダウンロードした ZIP を展開したフォルダを指定してください",
                    export.display()
                ),
                Lang::En => format!(
                    "export folder {} not found; name the folder the downloaded Chatwork ZIP was extracted to",
                    export.display()
                ),
            }
        );
    }
    if api_json::looks_like_api_backup(export) {
        return Ok(Layout::ApiJson);
    }
    if csv_layout::looks_like_csv_export(export, mapping) {
        return Ok(Layout::ChatworkCsv);
    }
    anyhow::bail!(
        "{}",
        match lang {
            Lang::Ja => format!(
                "{} は既知のエクスポート形式ではありません（{} も {} も rooms.json もありません）。`cwlens doctor {}` で中身を確認し、`--mapping` で対応表を指定してください",
                export.display(),
                mapping.files.members,
                mapping.files.rooms,
                export.display()
            ),
            Lang::En => format!(
                "{} is not an export layout cwlens knows (no {}, no {} folder and no rooms.json); run `cwlens doctor {}` and pass a mapping file with `--mapping`",
                export.display(),
                mapping.files.members,
                mapping.files.rooms,
                export.display()
            ),
        }
    )
}

/// Refuses a case folder inside the export: cwlens never writes there.
pub fn check_case_outside_export(export: &Path, case_dir: &Path, lang: Lang) -> anyhow::Result<()> {
    let export = export
        .canonicalize()
        .with_context(|| format!("cannot open {}", export.display()))?;
    let case = absolute_lenient(case_dir);
    if case.starts_with(&export) {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "ケースのフォルダ {} がエクスポートのフォルダの中にあります。cwlens はエクスポートに書き込みません。外のフォルダを `--case` で指定してください",
                    case_dir.display()
                ),
                Lang::En => format!(
                    "the case folder {} is inside the export folder, and cwlens never writes into an export; choose a folder outside it with `--case`",
                    case_dir.display()
                ),
            }
        );
    }
    Ok(())
}

/// Makes a path absolute even when its last parts do not exist yet,
/// resolving symbolic links in the part that exists.
pub fn absolute_lenient(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = if parent.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    parent.to_path_buf()
                };
            }
            _ => break,
        }
    }
    let mut absolute = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        absolute.push(part);
    }
    absolute
}

/// Imports an export into a case.
///
/// The caller holds the case's import lock (see [`crate::store::lock_import`])
/// from before it opens the case until it has indexed what was imported.
/// `progress` receives the bytes of source files read so far out of the
/// total it receives first, and `on_commit` runs after each committed batch
/// with the largest message key that can gain no more versions in this
/// import (`i64::MAX` once everything is).
pub fn run(
    export: &Path,
    case: &Case,
    _lock: &ImportLock,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64, u64),
    on_commit: &mut dyn FnMut(i64) -> anyhow::Result<()>,
) -> anyhow::Result<ImportReport> {
    check_case_outside_export(export, case.dir(), options.lang)?;
    let layout = detect_layout(export, &options.mapping, options.lang)?;
    let export_abs = export.canonicalize()?;
    let export_text = export_abs.to_string_lossy().into_owned();
    case.set_export(&export_text, options.source_tz.name())?;

    let mut writer = Writer::begin(
        case.conn(),
        &export_text,
        layout.as_str(),
        options.source_tz,
    )?;
    writer.set_batch_rows(options.batch_rows);
    let import_id = writer.import_id();

    let (total, files_read) = match layout {
        Layout::ChatworkCsv => {
            let found = csv_layout::scan(export, &options.mapping)?;
            (found.total_bytes(), found.files().count() as u64)
        }
        Layout::ApiJson => api_json::total_bytes(export)?,
    };
    progress(0, total);
    let mut report_progress = |done: u64| progress(done, total);
    let mut importer = Importer::new(writer, options, &mut report_progress, on_commit);
    let outcome = match layout {
        Layout::ChatworkCsv => csv_layout::scan(export, &options.mapping)
            .and_then(|found| csv_layout::import(&mut importer, &found)),
        Layout::ApiJson => api_json::import(&mut importer, export),
    };
    let files_unchanged = importer.files_skipped;
    let cut_files = std::mem::take(&mut importer.cut_files);
    let missing = std::mem::take(&mut importer.missing);
    let (mut writer, hints) = importer.into_parts();
    if let Err(error) = outcome {
        let message = format!("{error:#}");
        writer.finish(Some(&message))?;
        return Err(error);
    }
    let mut names_recovered = 0;
    for account_id in writer.nameless_accounts() {
        if let Some(name) = hints.best(&account_id)
            && writer.recover_account_name(&account_id, name)?
        {
            names_recovered += 1;
        }
    }
    // The last batch is committed and handed to the indexer before the
    // per-person index and the statistics are built, so that both run
    // while the index takes in the last rows.
    writer.commit()?;
    on_commit(i64::MAX)?;
    let counts = writer.finish(None)?;
    Ok(ImportReport {
        import_id,
        layout,
        export: export_abs,
        counts,
        files_read,
        files_unchanged,
        names_recovered,
        quarantine: quarantine_summary(case, import_id)?,
        cut_files,
        missing,
    })
}

/// Imports `export` with default options into a new case at `case_dir`,
/// and returns the case with its import lock still held.
#[cfg(test)]
pub(crate) fn import_for_tests(export: &Path, case_dir: &Path) -> (ImportLock, Case) {
    let lock = crate::store::lock_import(case_dir).unwrap();
    let case = Case::open_or_create(case_dir).unwrap();
    run(
        export,
        &case,
        &lock,
        &ImportOptions::default(),
        &mut |_, _| {},
        &mut |_| Ok(()),
    )
    .unwrap();
    (lock, case)
}

fn quarantine_summary(case: &Case, import_id: i64) -> anyhow::Result<Vec<QuarantineSummary>> {
    let mut statement = case.conn().prepare(
        "SELECT path, count(*), min(record),
            (SELECT reason FROM quarantine AS first WHERE first.path = q.path AND first.import_id = ?1
             ORDER BY record LIMIT 1)
         FROM quarantine AS q WHERE import_id = ?1 GROUP BY path ORDER BY path",
    )?;
    let rows = statement.query_map([import_id], |row| {
        Ok(QuarantineSummary {
            path: row.get(0)?,
            rows: row.get(1)?,
            first_record: row.get(2)?,
            first_reason: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
