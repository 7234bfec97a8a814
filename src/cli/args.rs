//! Argument definitions for every command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "cwlens",
    version,
    about = "Investigation console for Chatwork chat log exports / Chatwork チャットログの調査コンソール",
    after_help = "Examples:\n  cwlens sample-data/chatwork-export          (import if needed, then open the console)\n  cwlens open /tmp/case --lang en\n  cwlens import sample-data/chatwork-export --case /tmp/case --investigator '調査 太郎' --purpose 'ハラスメント申告の調査'\n  cwlens stats --case /tmp/case --json\n  cwlens doctor path/to/export",
    arg_required_else_help = true,
    override_usage = "cwlens [OPTIONS] <EXPORT|CASE_DIR>\n       cwlens [OPTIONS] <COMMAND>"
)]
pub struct Cli {
    /// Language of messages: ja (default) or en.
    #[arg(long, global = true, value_enum, default_value_t = Lang::Ja, env = "CWLENS_LANG")]
    pub lang: Lang,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// Case folder or export folder to open in the console; short for `cwlens open PATH`.
    #[arg(value_name = "EXPORT|CASE_DIR")]
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub open: OpenOptions,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console on a case folder, or on an export folder (imported first when it has no case yet).
    Open(OpenArgs),
    /// Import a Chatwork export (CSV, or API JSON backup) into a case folder.
    Import(ImportArgs),
    /// Print counts of what a case holds.
    Stats(StatsArgs),
    /// Read an export without importing it and report how each file would be read.
    Doctor(DoctorArgs),
    /// List the rows an import could not read, with file, record and reason.
    Quarantine(QuarantineArgs),
    /// Write a synthetic export in the reference layout, for tests and benchmarks.
    Generate(GenerateArgs),
    /// Search every version of every message; prints one line (or JSON object) per match.
    Search(SearchArgs),
    /// Rebuild the search index of a case from its database.
    Reindex(ReindexArgs),
    /// Merge the search index's segments and free the database's unused pages.
    Compact(CompactArgs),
    /// Run a keyword list as a batch and report hits per term, room and person.
    Keywords(KeywordsArgs),
    /// Add or remove a tag on one message or on every result of a query.
    Tag(TagArgs),
    /// List the audit log of a case.
    Audit(AuditArgs),
    /// Check the audit chain, the case database and the export's files against their recorded hashes.
    Verify(VerifyArgs),
    /// Write messages to CSV for spreadsheets or to an HTML report, with a manifest of hashes.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct CaseArg {
    /// Case folder (created by `cwlens import`).
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export folder: the extracted Chatwork download, or an API backup folder.
    #[arg(value_name = "EXPORT")]
    pub export: PathBuf,
    /// Case folder to create or update; defaults to a folder in the user's data directory named after the export.
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// Name of the investigator, recorded in the case and every export.
    #[arg(long, value_name = "NAME")]
    pub investigator: Option<String>,
    /// Purpose of the investigation, recorded in the case and every export.
    #[arg(long, value_name = "TEXT")]
    pub purpose: Option<String>,
    /// TOML file naming other file names and headers per field (see `cwlens doctor`).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Time zone of export times written without an offset (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub source_tz: String,
    /// Rows written per database transaction.
    #[arg(long, value_name = "ROWS", default_value_t = crate::store::writer::DEFAULT_BATCH_ROWS)]
    pub batch_rows: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Export folder to examine.
    #[arg(value_name = "EXPORT")]
    pub export: PathBuf,
    /// Mapping file to apply while examining.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QuarantineArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Print JSON Lines, one quarantined row per line: `raw` decoded for reading, `raw_hex` with the bytes as they are in the file.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Folder to write the export into; must be empty or absent.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of rooms.
    #[arg(long, default_value_t = 20)]
    pub rooms: u32,
    /// Exact number of messages in total.
    #[arg(long, default_value_t = 10_000)]
    pub messages: u64,
    /// Seed of the random generator: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Query language:\n  words separated by spaces must all match (substring, width/case/kana folded)\n  a OR b      either word\n  -word       exclude\n  \"a b\"       a string with a space\n  room:NAME|ID  from:NAME|ID  to:NAME|ID  after:2024-03-01  before:2024-04-01 (before the start of that day)\n  is:edited  is:deleted  is:resigned  is:starred  has:file  in:current  in:history  tag:NAME\nExit codes: 0 matches, 1 no match, 2 error."
)]
pub struct SearchArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Print one JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Print at most this many matches (default: all).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print only the number of matching messages.
    #[arg(long)]
    pub count: bool,
    /// Zone for shown times and for dates in after:/before: (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
    /// Oldest first instead of newest first.
    #[arg(long, conflicts_with = "relevance")]
    pub oldest: bool,
    /// Order by relevance instead of time.
    #[arg(long)]
    pub relevance: bool,
    /// Tell katakana from hiragana (folded by default).
    #[arg(long)]
    pub no_kana_fold: bool,
    /// The query; several arguments are joined with spaces.
    /// Options go before the query: everything after its first word,
    /// `-word` exclusions included, is part of the query.
    #[arg(
        required = true,
        value_name = "QUERY",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Do not print what is being done.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["message", "query"])))]
#[command(group(clap::ArgGroup::new("change").required(true).args(["add", "remove"])))]
pub struct TagArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Chatwork message ID of the message to tag.
    #[arg(long, value_name = "ID")]
    pub message: Option<String>,
    /// Tag every message this query finds.
    #[arg(long, value_name = "QUERY", allow_hyphen_values = true)]
    pub query: Option<String>,

    /// Tag to add.
    #[arg(long, value_name = "TAG")]
    pub add: Option<String>,
    /// Tag to remove.
    #[arg(long, value_name = "TAG")]
    pub remove: Option<String>,
    /// Zone for dates in the query's after:/before: (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Print JSON Lines, one entry per line, with times in UTC as recorded.
    #[arg(long)]
    pub json: bool,
    /// Zone in which the listing shows times (IANA name); the log records UTC.
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Export folder to check in place of the last import's folder, when it has moved since.
    #[arg(long, value_name = "DIR")]
    pub export: Option<PathBuf>,
    /// Head hash written down from an earlier `cwlens audit`; verify fails unless the log still contains that entry.
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KeywordsArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Keyword list: one term or query per line, `#` starts a comment (see assets/keywords/harassment-ja.txt).
    #[arg(long, value_name = "FILE")]
    pub list: PathBuf,
    /// Print one JSON object per term.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (UTF-8 with BOM, for spreadsheets).
    #[arg(long)]
    pub csv: bool,
    /// Zone for dates in after:/before: (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  cwlens export --case /tmp/case --format csv --out report.csv
  cwlens export --case /tmp/case --format csv --encoding cp932 --room 354986966 --out room.csv
  cwlens export --case /tmp/case --format html --query '給料泥棒' --out hits.html
  cwlens export --case /tmp/case --format html --out report/     (whole organization: a folder)
Without --room and --query the whole organization is exported. Each export writes a manifest
(<out>.manifest.json, or manifest.json in the folder) with the SHA-256 of every file.
CSV text cells starting with = + - @ TAB CR (or full-width ＝＋－＠) get a leading '.
Exit codes: 0 written, 2 error.")]
pub struct ExportArgs {
    #[command(flatten)]
    pub case: CaseArg,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: crate::export::Format,
    /// Export only this room (room ID as in the export); repeat for several rooms.
    #[arg(long = "room", value_name = "ID")]
    pub rooms: Vec<String>,
    /// Export only the messages this search finds (the language of `cwlens search`).
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Character encoding of CSV files [default: utf8-bom]. HTML is always UTF-8.
    #[arg(long, value_enum)]
    pub encoding: Option<crate::export::TextEncoding>,
    /// Leave out earlier versions of edited and deleted messages.
    #[arg(long)]
    pub no_history: bool,
    /// Zone in which times are written (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
    /// Write IDs in CSV as bare digits, for programs. Spreadsheets then round 19-digit IDs.
    #[arg(long)]
    pub plain_ids: bool,
    /// Replace existing output. A folder is replaced only when it holds an earlier export.
    #[arg(long)]
    pub force: bool,
    /// File to write; for an HTML export of the whole organization, a folder.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Do not draw a progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Case folder (contains case.sqlite), or an export folder to import first; may be left out when `--case` names a case.
    #[arg(value_name = "EXPORT|CASE_DIR", required_unless_present = "case")]
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub options: OpenOptions,
}

/// Settings of the console, shared by `cwlens open` and `cwlens PATH`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Console")]
pub struct OpenOptions {
    /// Case folder for an export; defaults to a folder in the user's data directory named after the export.
    #[arg(long, value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// Zone for shown times and for dates in searches and date jumps (IANA name).
    #[arg(long, value_name = "TZ", default_value = "Asia/Tokyo")]
    pub tz: String,
    /// Cells an East Asian Ambiguous character such as ①, ■ or ※ takes: 1, or 2 for terminals set to draw them wide.
    #[arg(long, value_name = "CELLS", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub ambiguous_width: u8,
}
