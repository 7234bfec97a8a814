//! Import of backups made through the Chatwork API v2: `rooms.json` and
//! `rooms/<room_id>/{members,messages,files}.json`.
//!
//! Messages may be split over several `messages*.json` files or written as
//! JSON Lines (`*.jsonl`). All times are Unix seconds. IDs arrive as
//! numbers or strings and are kept as strings.
//!
//! NOTE: each JSON array file is parsed whole, so its size bounds memory;
//! JSON Lines files are streamed line by line.

use std::io::BufRead;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use super::csv_layout::{FoundFile, relative_path};
use super::rows::{Importer, RowCounts, account_from, unix_timestamp};
use crate::i18n::Lang;
use crate::model::{FileRef, Message, Role, Room, RoomType};

/// Returns true when `dir` contains an API backup.
pub fn looks_like_api_backup(dir: &Path) -> bool {
    dir.join("rooms.json").is_file()
}

/// Sizes of the JSON files of a backup and how many there are.
pub fn total_bytes(export: &Path) -> anyhow::Result<(u64, u64)> {
    let mut total = 0;
    let mut count = 0;
    for file in json_files(export)? {
        total += file.size;
        count += 1;
    }
    Ok((total, count))
}

fn json_files(export: &Path) -> anyhow::Result<Vec<FoundFile>> {
    let mut files = vec![found(export, &export.join("rooms.json"))?];
    let rooms = export.join("rooms");
    if rooms.is_dir() {
        for room in sorted(&rooms)? {
            if room.is_dir() {
                for path in sorted(&room)? {
                    if is_json(&path) {
                        files.push(found(export, &path)?);
                    }
                }
            }
        }
    }
    Ok(files)
}

fn sorted(dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
    {
        paths.push(entry?.path());
    }
    paths.sort();
    Ok(paths)
}

fn is_json(path: &Path) -> bool {
    path.is_file()
        && path.extension().is_some_and(|ext| {
            ext.eq_ignore_ascii_case("json") || ext.eq_ignore_ascii_case("jsonl")
        })
}

fn found(export: &Path, path: &Path) -> anyhow::Result<FoundFile> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    Ok(FoundFile {
        path: path.to_path_buf(),
        relative: relative_path(export, path),
        kind: None,
        size,
    })
}

/// Contents of a JSON file in a room folder, judged from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonKind {
    Members,
    Messages,
    Files,
    Other,
}

fn json_kind(path: &Path) -> JsonKind {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if stem == "members" {
        JsonKind::Members
    } else if stem.starts_with("messages") {
        JsonKind::Messages
    } else if stem.starts_with("files") {
        JsonKind::Files
    } else {
        JsonKind::Other
    }
}

/// Reads the elements of a JSON array file, or the lines of a JSON Lines file.
fn for_each_element(
    path: &Path,
    mut visit: impl FnMut(u64, Result<Value, String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let is_lines = path
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"));
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    if is_lines {
        let reader = std::io::BufReader::new(file);
        let mut number = 0;
        for line in reader.lines() {
            let line = line.with_context(|| format!("cannot read {}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            number += 1;
            let parsed =
                serde_json::from_str::<Value>(&line).map_err(|error| format!("{error}: {line}"));
            visit(number, parsed)?;
        }
        return Ok(());
    }
    let value: Value =
        serde_json::from_reader(std::io::BufReader::new(file)).with_context(|| {
            format!(
                "{} is not valid JSON; check the file or remove it from the backup folder",
                path.display()
            )
        })?;
    let elements = match value {
        Value::Array(elements) => elements,
        other => vec![other],
    };
    for (index, element) in elements.into_iter().enumerate() {
        visit(index as u64 + 1, Ok(element))?;
    }
    Ok(())
}

/// Reads an ID field that may be a number or a string.
fn id(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(text) => super::values::parse_id(text).ok(),
        Value::Number(number) => number.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn unix(value: &Value, key: &str) -> Option<i64> {
    match value.get(key)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Imports a whole API backup.
pub fn import(importer: &mut Importer<'_, '_>, export: &Path) -> anyhow::Result<()> {
    let files = json_files(export)?;
    let rooms_file = &files[0];
    import_rooms(importer, rooms_file)?;
    for file in &files[1..] {
        let room_id = file
            .path
            .parent()
            .and_then(Path::file_name)
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kind = json_kind(&file.path);
        let label = match kind {
            JsonKind::Members => "room_members",
            JsonKind::Messages => "messages",
            JsonKind::Files => "files",
            JsonKind::Other => "unknown",
        };
        let Some(source_id) = importer.open_other(file, label, "utf-8")? else {
            continue;
        };
        let room_key = importer.room_key(&room_id)?;
        let mut counts = RowCounts::default();
        let lang = importer.lang();
        for_each_element(&file.path, |number, element| {
            counts.read += 1;
            let outcome = match element {
                Err(problem) => Err((problem.clone().into_bytes(), json_reason(lang, &problem))),
                Ok(value) => {
                    let result = match kind {
                        JsonKind::Members => member(importer, room_key, &value),
                        JsonKind::Messages => {
                            message(importer, source_id, number, &room_id, room_key, &value)
                        }
                        JsonKind::Files => file_row(importer, room_key, &value),
                        JsonKind::Other => Ok(Err(lang
                            .pick(
                                "ファイルの種類を見分けられません",
                                "the kind of this file is not recognised",
                            )
                            .to_string())),
                    }?;
                    result.map_err(|reason| (value.to_string().into_bytes(), reason))
                }
            };
            match outcome {
                Ok(()) => counts.imported += 1,
                Err((raw, reason)) => {
                    importer.writer.quarantine(
                        &file.relative,
                        Some(number),
                        None,
                        &reason,
                        &raw,
                    )?;
                    counts.quarantined += 1;
                }
            }
            Ok(())
        })?;
        importer.close_other(file, source_id, counts)?;
    }
    Ok(())
}

fn json_reason(lang: Lang, problem: &str) -> String {
    match lang {
        Lang::Ja => format!("JSON として読めません: {problem}"),
        Lang::En => format!("not valid JSON: {problem}"),
    }
}

fn missing(lang: Lang, key: &str) -> String {
    match lang {
        Lang::Ja => format!("{key} がないか、読めません"),
        Lang::En => format!("{key} is missing or unreadable"),
    }
}

fn import_rooms(importer: &mut Importer<'_, '_>, file: &FoundFile) -> anyhow::Result<()> {
    let Some(source_id) = importer.open_other(file, "rooms", "utf-8")? else {
        return Ok(());
    };
    let mut counts = RowCounts::default();
    let lang = importer.lang();
    for_each_element(&file.path, |number, element| {
        counts.read += 1;
        let result = match element {
            Err(problem) => Err((problem.clone().into_bytes(), json_reason(lang, &problem))),
            Ok(value) => match id(&value, "room_id") {
                None => Err((value.to_string().into_bytes(), missing(lang, "room_id"))),
                Some(room_id) => {
                    importer.writer.room(&Room {
                        room_id,
                        name: text(&value, "name"),
                        room_type: RoomType::parse(&text(&value, "type")),
                        file_path: None,
                    })?;
                    Ok(())
                }
            },
        };
        match result {
            Ok(()) => counts.imported += 1,
            Err((raw, reason)) => {
                importer
                    .writer
                    .quarantine(&file.relative, Some(number), None, &reason, &raw)?;
                counts.quarantined += 1;
            }
        }
        Ok(())
    })?;
    importer.close_other(file, source_id, counts)
}

type RowResult = anyhow::Result<Result<(), String>>;

fn member(importer: &mut Importer<'_, '_>, room_key: i64, value: &Value) -> RowResult {
    let lang = importer.lang();
    let Some(account_id) = id(value, "account_id") else {
        return Ok(Err(missing(lang, "account_id")));
    };
    let organization = text(value, "organization_name");
    let department = text(value, "department");
    let account = account_from(
        &account_id,
        &text(value, "name"),
        Some(&organization),
        Some(&department),
    );
    let account_key = importer.writer.account(&account, true)?;
    importer
        .writer
        .membership(room_key, account_key, Role::parse(&text(value, "role")))?;
    Ok(Ok(()))
}

fn message(
    importer: &mut Importer<'_, '_>,
    source_id: i64,
    number: u64,
    room_id: &str,
    room_key: i64,
    value: &Value,
) -> RowResult {
    let lang = importer.lang();
    let Some(message_id) = id(value, "message_id") else {
        return Ok(Err(missing(lang, "message_id")));
    };
    let sender = value.get("account").cloned().unwrap_or(Value::Null);
    let Some(account_id) = id(&sender, "account_id") else {
        return Ok(Err(missing(lang, "account.account_id")));
    };
    let Some(send_time) = unix(value, "send_time") else {
        return Ok(Err(missing(lang, "send_time")));
    };
    let raw_name = text(&sender, "name");
    let updated_at = unix(value, "update_time")
        .filter(|time| *time > 0)
        .map(unix_timestamp);
    let message = Message {
        room_id: room_id.to_string(),
        message_id,
        account_id: account_id.clone(),
        sender_raw_name: raw_name.clone(),
        sent_at: unix_timestamp(send_time),
        updated_at,
        body: text(value, "body"),
        extra: Vec::new(),
    };
    let account = account_from(&account_id, &raw_name, None, None);
    importer.write_message_parts(source_id, number, room_key, &account, &message)?;
    Ok(Ok(()))
}

fn file_row(importer: &mut Importer<'_, '_>, room_key: i64, value: &Value) -> RowResult {
    let lang = importer.lang();
    let Some(file_id) = id(value, "file_id") else {
        return Ok(Err(missing(lang, "file_id")));
    };
    let sender = value.get("account").cloned().unwrap_or(Value::Null);
    let account_id = id(&sender, "account_id");
    let account_key = match &account_id {
        Some(account_id) => {
            let account = account_from(account_id, &text(&sender, "name"), None, None);
            Some(importer.writer.account(&account, false)?)
        }
        None => None,
    };
    let file = FileRef {
        room_id: String::new(),
        file_id,
        message_id: id(value, "message_id"),
        account_id,
        filename: text(value, "filename"),
        filesize: unix(value, "filesize"),
        uploaded_at: unix(value, "upload_time").map(unix_timestamp),
        url: None,
    };
    importer.writer.file(room_key, account_key, &file)?;
    Ok(Ok(()))
}
