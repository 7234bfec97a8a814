//! The manifest: a JSON record written beside every export that lists what
//! it contains, how it was written and the SHA-256 of each output file, so
//! a recipient can check that the files are the ones cwlens wrote.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::OutputFile;
use super::replacements::ReplacementList;
use crate::query::read::SourceFile;

/// File name of the manifest inside a folder export.
pub const FOLDER_MANIFEST: &str = "manifest.json";

/// Path of the manifest of a single-file export: `<out>.manifest.json`.
pub fn beside(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".manifest.json");
    PathBuf::from(name)
}

/// The manifest document.
#[derive(Serialize)]
pub struct Manifest<'a> {
    pub tool: &'static str,
    pub tool_version: &'static str,
    /// ISO 8601 in the export's zone.
    pub exported_at: String,
    pub case: CaseRecord,
    pub format: &'static str,
    /// Character encoding of the CSV files; HTML is always UTF-8.
    pub encoding: &'static str,
    pub lang: &'static str,
    pub time_zone: String,
    /// Whether earlier versions of edited and deleted messages are included.
    pub history: bool,
    /// The version of each message that the main output contains.
    pub message_version: &'static str,
    pub scope: ScopeRecord,
    pub counts: Counts,
    /// Output files with their SHA-256; paths relative to the manifest.
    pub outputs: Vec<OutputRecord>,
    pub spreadsheet_safety: Option<SpreadsheetRecord>,
    pub replaced_characters: Option<ReplacedRecord<'a>>,
    pub source_files: Vec<SourceFile>,
}

/// The case an export came from.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    pub folder: String,
    pub investigator: String,
    pub purpose: String,
    pub export_path: Option<String>,
}

/// The scope as requested, with room IDs instead of internal keys.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeRecord {
    /// `organization`, `rooms`, `messages`, `person` or `query`.
    pub kind: &'static str,
    pub rooms: Vec<String>,
    pub query: Option<String>,
    /// The account ID of a `person` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

/// Counts of what an export contains.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub rooms: u64,
    pub messages: u64,
    pub earlier_versions: u64,
}

/// One output file.
#[derive(Debug, Clone, Serialize)]
pub struct OutputRecord {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl OutputRecord {
    /// Describes `file` with its path relative to `base` where possible.
    pub fn relative_to(file: &OutputFile, base: &Path) -> OutputRecord {
        let relative = file.path.strip_prefix(base).unwrap_or(&file.path);
        OutputRecord {
            path: relative.to_string_lossy().replace('\\', "/"),
            bytes: file.bytes,
            sha256: file.sha256.clone(),
        }
    }
}

/// The protection of CSV cells from spreadsheet evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct SpreadsheetRecord {
    pub rule: &'static str,
    pub neutralized_cells: u64,
    pub ids_as_text_formulas: bool,
}

/// Characters the target encoding could not hold.
#[derive(Serialize)]
pub struct ReplacedRecord<'a> {
    pub policy: &'static str,
    pub message_count: u64,
    pub messages: &'a ReplacementList,
}

/// Text of the spreadsheet rule, repeated in every CSV manifest.
pub const SPREADSHEET_RULE: &str = "A text cell from the data that starts with = + - @ TAB CR or full-width ＝ ＋ － ＠ \
(after any leading apostrophes) gets one leading apostrophe. IDs, times and counts written by cwlens are not changed.";

/// Text of the CP932 replacement policy.
pub const CP932_POLICY: &str = "Characters that Windows-31J (CP932) cannot hold are written as [U+XXXX] with their code point. \
U+301C, U+2016, U+00A2, U+00A3, U+00AC, U+2014 and U+00A6 are written as the CP932 byte pairs that Windows uses for \
U+FF5E, U+2225, U+FFE0, U+FFE1, U+FFE2, U+2015 and U+FFE4, so both wave dashes become 0x8160.";
