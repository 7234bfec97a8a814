//! `cwlens doctor`: reads an export without importing it and reports what
//! the importer would make of each file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::columns::{FileKind, HeaderMap};
use super::csv_layout::{self, FoundFile};
use super::mapping::Mapping;
use super::source;
use super::values::{parse_id, parse_time};
use super::{Layout, detect_layout};
use crate::i18n::Lang;

/// Findings about one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiagnosis {
    pub path: String,
    pub kind: Option<FileKind>,
    pub encoding: String,
    pub size: u64,
    /// Each header with the logical field it maps to.
    pub headers: Vec<(String, Option<String>)>,
    pub unknown_columns: Vec<String>,
    pub missing_columns: Vec<String>,
    pub rows: u64,
    /// Rows the importer would quarantine, with the first few reasons.
    pub bad_rows: u64,
    pub problems: Vec<String>,
}

/// Findings about a whole export.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub layout: Option<Layout>,
    pub files: Vec<FileDiagnosis>,
    pub problems: Vec<String>,
    /// A mapping file to edit, when something was not recognised.
    pub suggested_mapping: Option<String>,
    /// For an export of no known layout: the first CSV files below it,
    /// with their header rows, to fill the mapping file in.
    pub found_headers: Vec<(String, Vec<String>)>,
}

/// CSV files listed for an export of no known layout.
const MAX_FOUND_FILES: usize = 20;

/// How many problem lines are kept per file.
const MAX_PROBLEMS_PER_FILE: usize = 5;

/// Examines an export folder.
pub fn examine(export: &Path, mapping: &Mapping, lang: Lang) -> anyhow::Result<DoctorReport> {
    let layout = match detect_layout(export, mapping, lang) {
        Ok(layout) => layout,
        Err(error) => {
            let problem = match lang {
                _ if !export.is_dir() => format!("{error:#}"),
                Lang::Ja => format!(
                    "{} は既知のエクスポート形式ではありません（members/members.csv も rooms も rooms.json もありません）。下の見出しを対応表に書き、`cwlens import {} --mapping 対応表` で取り込んでください",
                    export.display(),
                    export.display()
                ),
                Lang::En => format!(
                    "{} is not an export layout cwlens knows (no members/members.csv, no rooms folder and no rooms.json); write the headers below into the mapping file and import with `cwlens import {} --mapping FILE`",
                    export.display(),
                    export.display()
                ),
            };
            return Ok(DoctorReport {
                layout: None,
                files: Vec::new(),
                problems: vec![problem],
                suggested_mapping: Some(suggest_mapping(&[])),
                found_headers: csv_headers(export, MAX_FOUND_FILES),
            });
        }
    };
    if layout == Layout::ApiJson {
        return Ok(DoctorReport {
            layout: Some(layout),
            files: Vec::new(),
            problems: Vec::new(),
            suggested_mapping: None,
            found_headers: Vec::new(),
        });
    }
    let found = csv_layout::scan(export, mapping)?;
    let mut files = Vec::new();
    for file in found.files() {
        files.push(examine_file(file, mapping, lang)?);
    }
    let needs_mapping = files
        .iter()
        .any(|file| file.kind.is_none() || !file.missing_columns.is_empty());
    let mut problems = Vec::new();
    if found.members.is_none() {
        problems.push(
            lang.pick(
                "members/members.csv がありません。ルーム名と種別はわかりません",
                "members/members.csv is missing, so room names and types are unknown",
            )
            .to_string(),
        );
    }
    Ok(DoctorReport {
        layout: Some(layout),
        suggested_mapping: needs_mapping.then(|| suggest_mapping(&files)),
        files,
        problems,
        found_headers: Vec::new(),
    })
}

/// Returns up to `limit` CSV files below `export`, in path order, with the
/// fields of their first row. A file that cannot be read gets no fields.
fn csv_headers(export: &Path, limit: usize) -> Vec<(String, Vec<String>)> {
    let mut paths = Vec::new();
    let mut folders = vec![export.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"))
            {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .take(limit)
        .map(|path| {
            let fields = source::detect_encoding(&path)
                .and_then(|encoding| Ok((encoding, source::csv_reader(&path, encoding)?)))
                .ok()
                .and_then(|(encoding, mut reader)| {
                    let mut record = csv::ByteRecord::new();
                    reader.read_byte_record(&mut record).ok()?;
                    record
                        .iter()
                        .map(|field| encoding.decode_field(field))
                        .collect::<Option<Vec<String>>>()
                })
                .unwrap_or_default();
            (csv_layout::relative_path(export, &path), fields)
        })
        .collect()
}

fn examine_file(file: &FoundFile, mapping: &Mapping, lang: Lang) -> anyhow::Result<FileDiagnosis> {
    let encoding = match mapping.encoding() {
        Some(encoding) => encoding,
        None => source::detect_encoding(&file.path)?,
    };
    let headers = csv_layout::read_headers(&file.path, Some(encoding))?.unwrap_or_default();
    let mut diagnosis = FileDiagnosis {
        path: file.relative.clone(),
        kind: file.kind,
        encoding: encoding.label().to_string(),
        size: file.size,
        headers: Vec::new(),
        unknown_columns: Vec::new(),
        missing_columns: Vec::new(),
        rows: 0,
        bad_rows: 0,
        problems: Vec::new(),
    };
    let Some(kind) = file.kind else {
        diagnosis.headers = headers
            .iter()
            .map(|header| (header.clone(), None))
            .collect();
        diagnosis.problems.push(
            lang.pick(
                "ファイルの種類を見分けられません",
                "the kind of this file is not recognised",
            )
            .to_string(),
        );
        return Ok(diagnosis);
    };
    let map = HeaderMap::build(kind, &headers, mapping.overrides(kind));
    let by_column: BTreeMap<usize, &str> = map
        .columns
        .iter()
        .map(|(field, index)| (*index, *field))
        .collect();
    diagnosis.headers = headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            (
                header.clone(),
                by_column.get(&index).map(|field| field.to_string()),
            )
        })
        .collect();
    diagnosis.unknown_columns = map
        .unknown
        .iter()
        .map(|(_, header)| header.clone())
        .collect();
    diagnosis.missing_columns = map.missing.iter().map(|field| field.to_string()).collect();

    let mut reader = source::csv_reader(&file.path, encoding)?;
    let mut record = csv::ByteRecord::new();
    reader.read_byte_record(&mut record)?;
    while reader.read_byte_record(&mut record)? {
        diagnosis.rows += 1;
        let line = source::record_line(&mut reader, &record);
        if let Some(problem) = row_problem(&record, &map, &headers, encoding, lang) {
            diagnosis.bad_rows += 1;
            if diagnosis.problems.len() < MAX_PROBLEMS_PER_FILE {
                let at = match lang {
                    Lang::Ja => format!("レコード {} (行 {line})", diagnosis.rows),
                    Lang::En => format!("record {} (line {line})", diagnosis.rows),
                };
                diagnosis.problems.push(format!("{at}: {problem}"));
            }
        }
    }
    Ok(diagnosis)
}

fn row_problem(
    record: &csv::ByteRecord,
    map: &HeaderMap,
    headers: &[String],
    encoding: source::TextEncoding,
    lang: Lang,
) -> Option<String> {
    let fields: Option<Vec<String>> = record
        .iter()
        .map(|field| encoding.decode_field(field))
        .collect();
    let Some(fields) = fields else {
        return Some(match lang {
            Lang::Ja => format!("{} として読めない文字があります", encoding.label()),
            Lang::En => format!("contains bytes that are not valid {}", encoding.label()),
        });
    };
    let extra_ok =
        fields.len() > headers.len() && fields[headers.len()..].iter().all(String::is_empty);
    if fields.len() != headers.len() && !extra_ok {
        return Some(match lang {
            Lang::Ja => format!(
                "列の数が {} です（見出しは {} 列）",
                fields.len(),
                headers.len()
            ),
            Lang::En => format!(
                "row has {}, the header has {}",
                crate::i18n::count_en(fields.len() as u64, "field", "fields"),
                headers.len()
            ),
        });
    }
    for field in ["message_id", "account_id", "room_id", "file_id"] {
        if let Some(value) = map.get(&fields, field)
            && let Err(error) = parse_id(value)
        {
            return Some(error.reason(field));
        }
    }
    for field in ["send_time", "action_time"] {
        if let Some(value) = map.get(&fields, field)
            && parse_time(value, chrono_tz::Asia::Tokyo).is_none()
        {
            return Some(match lang {
                Lang::Ja => format!("{field} {value:?} を日時として読めません"),
                Lang::En => format!("{field} {value:?} is not a time cwlens can read"),
            });
        }
    }
    None
}

/// Writes a mapping file that names, for every field, the header found for
/// it, with the unrecognised fields left for the user to fill in.
fn suggest_mapping(files: &[FileDiagnosis]) -> String {
    let mut out = String::from(
        "# cwlens mapping file: fill in the header of each field your export names differently,\n\
         # then run `cwlens import <EXPORT> --mapping THIS_FILE`.\n\n[files]\n",
    );
    let names = super::mapping::FileNames::default();
    for (key, value) in [
        ("members", &names.members),
        ("rooms", &names.rooms),
        ("messages", &names.messages),
        ("message_logs", &names.message_logs),
        ("files", &names.files),
        ("room_members", &names.room_members),
    ] {
        out.push_str(&format!("{key} = {value:?}\n"));
    }
    for kind in FileKind::ALL {
        let seen = files.iter().find(|file| file.kind == Some(kind));
        out.push_str(&format!("\n[columns.{}]\n", kind.as_str()));
        for field in kind.fields() {
            let header = seen.and_then(|file| {
                file.headers
                    .iter()
                    .find(|(_, mapped)| mapped.as_deref() == Some(field.name))
                    .map(|(header, _)| header.clone())
            });
            match header {
                Some(header) => out.push_str(&format!("{} = {header:?}\n", field.name)),
                None => {
                    let need = if field.required {
                        "required"
                    } else {
                        "optional"
                    };
                    out.push_str(&format!("# {} = \"\"   # {need}\n", field.name));
                }
            }
        }
    }
    out
}

/// Formats a report for people.
pub fn render(report: &DoctorReport, lang: Lang) -> String {
    let mut out = String::new();
    let layout = report.layout.map_or_else(
        || lang.pick("不明", "unknown").to_string(),
        |layout| layout.as_str().to_string(),
    );
    out.push_str(&format!("{}: {layout}\n", lang.pick("形式", "layout")));
    for file in &report.files {
        let kind = file.kind.map_or("?", FileKind::as_str);
        out.push_str(&format!(
            "\n{}  [{kind}, {}, {} {}]\n",
            file.path,
            file.encoding,
            file.rows,
            lang.pick("行", "rows")
        ));
        for (header, field) in &file.headers {
            let target = field
                .as_deref()
                .unwrap_or(lang.pick("(未知の列: 保存します)", "(unknown column: kept)"));
            out.push_str(&format!("  {header} -> {target}\n"));
        }
        for missing in &file.missing_columns {
            out.push_str(&format!(
                "  {}: {missing}\n",
                lang.pick("必須の列がありません", "missing required column")
            ));
        }
        if file.bad_rows > 0 {
            out.push_str(&format!(
                "  {}: {}\n",
                lang.pick("隔離される行", "rows that would be quarantined"),
                file.bad_rows
            ));
        }
        for problem in &file.problems {
            out.push_str(&format!("  ! {problem}\n"));
        }
    }
    for problem in &report.problems {
        out.push_str(&format!("! {problem}\n"));
    }
    if !report.found_headers.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            lang.pick(
                "見つかった CSV ファイルと見出し（最初の 20 件まで）:",
                "CSV files found, with their headers (the first 20 at most):"
            )
        ));
        for (path, fields) in &report.found_headers {
            out.push_str(&format!("  {path}: {}\n", fields.join(", ")));
        }
    }
    if let Some(mapping) = &report.suggested_mapping {
        out.push_str(&format!(
            "\n{}\n\n{mapping}",
            lang.pick(
                "認識できない部分があります。次の対応表を保存して編集し、`--mapping` で指定してください:",
                "Some parts were not recognised. Save this mapping file, edit it and pass it with `--mapping`:"
            )
        ));
    }
    out
}
