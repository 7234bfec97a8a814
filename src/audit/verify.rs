//! `cwlens verify`: checks that the audit chain is whole, that the case
//! database is not damaged, and that every source file of the export still
//! has the SHA-256 recorded when it was imported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ChainProblem;
use crate::store::Case;

/// One source file whose bytes differ from the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The export folder the file belongs to.
    pub export: PathBuf,
    pub path: String,
    pub problem: FileProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileProblemKind {
    Missing,
    Changed {
        recorded: String,
        found: String,
    },
    /// A file in the export that no import read.
    Unrecorded,
    /// No import from this export folder finished, so its unread files are
    /// not listed one by one.
    ImportUnfinished,
}

/// Result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The export folder of the last import, or the one `--export` named.
    pub export_path: Option<PathBuf>,
    /// Every export folder checked: one per folder the case was imported from.
    pub export_paths: Vec<PathBuf>,
    pub files_checked: usize,
    pub files: Vec<FileProblem>,
    pub chain: Vec<ChainProblem>,
    pub audit_entries: usize,
    pub head_hash: String,
    /// Result of SQLite's `PRAGMA quick_check`; "ok" when sound.
    pub database: String,
}

impl Verification {
    pub fn is_clean(&self) -> bool {
        self.files.is_empty() && self.chain.is_empty() && self.database == "ok"
    }
}

/// Verifies a case. `export` replaces the folder of the last import, which
/// the case records; the other imports' folders are checked where they were.
pub fn verify(case: &Case, export: Option<&Path>) -> anyhow::Result<Verification> {
    let conn = case.conn();
    let database: String = conn.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    let mut chain = super::check_chain(conn)?;
    // The source file list each import recorded must still hash to what its audit entry says.
    for entry in super::entries(conn)? {
        if entry.action != "import" {
            continue;
        }
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap_or_default();
        let (Some(import_id), Some(digest)) = (
            detail["import_id"].as_i64(),
            detail["source_files_sha256"].as_str(),
        ) else {
            continue;
        };
        // Entries written before the format was recorded used format 1.
        let format = detail["source_files_format"].as_i64().unwrap_or(1);
        if super::import_files_in_format(conn, import_id, format)?.digest != digest {
            chain.push(ChainProblem::new(
                entry.seq,
                super::ChainIssue::SourceFilesChanged { import_id },
            ));
        }
    }
    let audit_entries = super::entries(conn)?.len();
    let last_export = case.info().ok().and_then(|info| info.export_path);
    let export_path = export
        .map(Path::to_path_buf)
        .or_else(|| last_export.clone().map(PathBuf::from));

    // The newest hash recorded for each path, by the export folder it was
    // read from. A case may contain several exports, and `export` replaces
    // the folder of the last one.
    let mut recorded: BTreeMap<PathBuf, BTreeMap<String, String>> = BTreeMap::new();
    let mut statement = conn.prepare(
        "SELECT i.export_path, f.path, f.sha256 FROM source_files f
         JOIN imports i ON i.import_id = f.import_id
         WHERE f.status IN ('complete', 'skipped') ORDER BY f.source_id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (folder, path, sha256) = row?;
        let root = match (export, &last_export) {
            (Some(given), Some(last)) if *last == folder => given.to_path_buf(),
            (Some(given), None) => given.to_path_buf(),
            _ => PathBuf::from(folder),
        };
        recorded.entry(root).or_default().insert(path, sha256);
    }
    if recorded.is_empty()
        && let Some(root) = &export_path
    {
        recorded.insert(root.clone(), BTreeMap::new());
    }

    // Folders an import read to the end; the others were read in part.
    let mut finished = BTreeSet::new();
    let mut statement =
        conn.prepare("SELECT DISTINCT export_path FROM imports WHERE status = 'complete'")?;
    for folder in statement.query_map([], |row| row.get::<_, String>(0))? {
        let folder = folder?;
        finished.insert(match (export, &last_export) {
            (Some(given), Some(last)) if *last == folder => given.to_path_buf(),
            _ => PathBuf::from(folder),
        });
    }
    let mut files = Vec::new();
    for (root, hashes) in &recorded {
        let complete = finished.contains(root) || (export.is_some() && last_export.is_none());
        files.extend(check_folder(root, hashes, complete)?);
    }
    let export_paths: Vec<PathBuf> = recorded.keys().cloned().collect();
    let files_checked = recorded.values().map(BTreeMap::len).sum();
    Ok(Verification {
        export_path,
        export_paths,
        files_checked,
        files,
        chain,
        audit_entries,
        head_hash: super::head_hash(conn)?,
        database,
    })
}

/// Compares the files recorded for one export folder with the folder:
/// changed and missing files, and data files that no import read.
fn check_folder(
    root: &Path,
    recorded: &BTreeMap<String, String>,
    complete: bool,
) -> anyhow::Result<Vec<FileProblem>> {
    let problem = |path: &str, problem| FileProblem {
        export: root.to_path_buf(),
        path: path.to_string(),
        problem,
    };
    let mut files = Vec::new();
    for (path, sha256) in recorded {
        let full = root.join(path);
        if !full.is_file() {
            files.push(problem(path, FileProblemKind::Missing));
            continue;
        }
        let (found, _) = crate::import::source::hash_file(&full)?;
        if &found != sha256 {
            let changed = FileProblemKind::Changed {
                recorded: sha256.clone(),
                found,
            };
            files.push(problem(path, changed));
        }
    }
    if !complete {
        files.push(problem("", FileProblemKind::ImportUnfinished));
        return Ok(files);
    }
    let known: BTreeSet<&String> = recorded.keys().collect();
    for path in data_files(root)? {
        let relative = crate::import::csv_layout::relative_path(root, &path);
        if !known.contains(&relative) {
            files.push(problem(&relative, FileProblemKind::Unrecorded));
        }
    }
    Ok(files)
}

/// CSV and JSON files below the export folder.
fn data_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            let kind = std::fs::symlink_metadata(&path)?.file_type();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file()
                && path.extension().is_some_and(|ext| {
                    let ext = ext.to_string_lossy().to_lowercase();
                    ext == "csv" || ext == "json" || ext == "jsonl"
                })
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
