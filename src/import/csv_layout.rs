//! Import of the admin console's CSV export:
//! `members/members.csv` and one folder per room under `rooms/`.
//!
//! The two-character bucket folder between `rooms/` and the room folder is
//! never derived from the room ID: the importer walks the folders and takes
//! the room ID from the members file's path column or the folder name.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::columns::{FileKind, HeaderMap, classify};
use super::rows::{FileSession, Importer, MissingData, MissingKind};
use super::source;

/// A CSV file found in the export, with its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    /// Path relative to the export folder, with `/` separators.
    pub relative: String,
    /// `None` when neither its name nor its header row identifies its contents.
    pub kind: Option<FileKind>,
    pub size: u64,
}

/// One room folder and the files in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomFolder {
    pub room_id: String,
    pub relative: String,
    pub files: Vec<FoundFile>,
}

/// Files found by the walk over a CSV export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvExport {
    pub members: Option<FoundFile>,
    pub rooms: Vec<RoomFolder>,
    /// CSV files outside the room folders that are not the members file.
    pub stray: Vec<FoundFile>,
}

impl CsvExport {
    pub fn total_bytes(&self) -> u64 {
        let members = self.members.as_ref().map_or(0, |file| file.size);
        let rooms: u64 = self
            .rooms
            .iter()
            .flat_map(|room| &room.files)
            .map(|file| file.size)
            .sum();
        members + rooms + self.stray.iter().map(|file| file.size).sum::<u64>()
    }

    pub fn files(&self) -> impl Iterator<Item = &FoundFile> {
        self.members
            .iter()
            .chain(self.rooms.iter().flat_map(|room| &room.files))
            .chain(&self.stray)
    }
}

/// Returns true when `dir` looks like a CSV export.
pub fn looks_like_csv_export(dir: &Path, mapping: &super::mapping::Mapping) -> bool {
    dir.join(&mapping.files.members).is_file() || dir.join(&mapping.files.rooms).is_dir()
}

/// Walks a CSV export and classifies its files without reading their rows.
pub fn scan(export: &Path, mapping: &super::mapping::Mapping) -> anyhow::Result<CsvExport> {
    let mut found = CsvExport::default();
    let members_path = export.join(&mapping.files.members);
    if members_path.is_file() {
        found.members = Some(found_file(export, &members_path, Some(FileKind::Members))?);
    }
    let rooms_root = export.join(&mapping.files.rooms);
    let mut folders: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    if rooms_root.is_dir() {
        collect_csv_files(&rooms_root, &mut folders)?;
        // The rooms folder itself is no room, even when it is empty.
        folders.remove(&rooms_root);
    }
    for (folder, files) in folders {
        let relative = relative_path(export, &folder);
        let room_id = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut room = RoomFolder {
            room_id,
            relative,
            files: Vec::new(),
        };
        for path in files {
            let kind = classify_room_file(&path, mapping)?;
            room.files.push(found_file(export, &path, kind)?);
        }
        room.files
            .sort_by_key(|file| (kind_order(file.kind), file.relative.clone()));
        found.rooms.push(room);
    }
    // CSV files at the top level or in other folders are reported, not silently skipped.
    for entry in sorted_entries(export)? {
        let path = entry;
        if path.is_file() && is_csv(&path) && Some(&path) != found.members.as_ref().map(|m| &m.path)
        {
            let kind = classify_by_header(&path)?;
            found.stray.push(found_file(export, &path, kind)?);
        }
    }
    Ok(found)
}

fn kind_order(kind: Option<FileKind>) -> u8 {
    match kind {
        Some(FileKind::Members) => 0,
        Some(FileKind::RoomMembers) => 1,
        Some(FileKind::Messages) => 2,
        Some(FileKind::MessageLogs) => 3,
        Some(FileKind::Files) => 4,
        None => 5,
    }
}

fn found_file(export: &Path, path: &Path, kind: Option<FileKind>) -> anyhow::Result<FoundFile> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    Ok(FoundFile {
        path: path.to_path_buf(),
        relative: relative_path(export, path),
        kind,
        size,
    })
}

/// Returns a path relative to the export folder, with `/` separators.
pub fn relative_path(export: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(export).unwrap_or(path);
    relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.to_string_lossy().eq_ignore_ascii_case("csv"))
}

fn sorted_entries(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?
    {
        entries.push(entry?.path());
    }
    entries.sort();
    Ok(entries)
}

fn collect_csv_files(
    dir: &Path,
    folders: &mut BTreeMap<PathBuf, Vec<PathBuf>>,
) -> anyhow::Result<()> {
    let mut has_folders = false;
    for path in sorted_entries(dir)? {
        let kind = std::fs::symlink_metadata(&path)?.file_type();
        if kind.is_dir() {
            has_folders = true;
            collect_csv_files(&path, folders)?;
        } else if kind.is_file() && is_csv(&path) {
            folders.entry(dir.to_path_buf()).or_default().push(path);
        }
    }
    // A room folder whose files are all missing is still a room folder.
    if !has_folders {
        folders.entry(dir.to_path_buf()).or_default();
    }
    Ok(())
}

fn classify_room_file(
    path: &Path,
    mapping: &super::mapping::Mapping,
) -> anyhow::Result<Option<FileKind>> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    for kind in [
        FileKind::Messages,
        FileKind::MessageLogs,
        FileKind::Files,
        FileKind::RoomMembers,
    ] {
        if name == mapping.room_file_name(kind).to_lowercase() {
            return Ok(Some(kind));
        }
    }
    classify_by_header(path)
}

fn classify_by_header(path: &Path) -> anyhow::Result<Option<FileKind>> {
    let headers = read_headers(path, None)?;
    Ok(headers.as_deref().and_then(classify))
}

/// Reads the header row of a CSV file; `None` for an empty file.
pub fn read_headers(
    path: &Path,
    forced: Option<source::TextEncoding>,
) -> anyhow::Result<Option<Vec<String>>> {
    let encoding = match forced {
        Some(encoding) => encoding,
        None => source::detect_encoding(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
    };
    let mut reader = source::csv_reader(path, encoding)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .with_context(|| format!("cannot parse the header row of {}", path.display()))?
    {
        return Ok(None);
    }
    Ok(Some(
        record
            .iter()
            .map(|field| {
                encoding
                    .decode_field(field)
                    .unwrap_or_else(|| String::from_utf8_lossy(field).into_owned())
            })
            .collect(),
    ))
}

/// Imports every file of a scanned CSV export.
pub fn import(importer: &mut Importer<'_, '_>, export: &CsvExport) -> anyhow::Result<()> {
    let mut path_to_room: HashMap<String, String> = HashMap::new();
    if export.members.is_none() {
        importer.missing.push(MissingData {
            path: importer.options().mapping.files.members.clone(),
            kind: MissingKind::NoMembersFile,
        });
    }
    for room in &export.rooms {
        if !room
            .files
            .iter()
            .any(|file| file.kind == Some(FileKind::Messages))
        {
            importer.missing.push(MissingData {
                path: room.relative.clone(),
                kind: MissingKind::NoMessagesFile,
            });
        }
    }
    if let Some(members) = &export.members {
        let mut session = importer.open_file(members, FileKind::Members)?;
        if let Some(session) = session.as_mut() {
            importer.import_members(session, &mut path_to_room)?;
        }
        importer.close_file(session)?;
    }
    for room in &export.rooms {
        let room_id = path_to_room
            .get(&room.relative)
            .cloned()
            .unwrap_or_else(|| room.room_id.clone());
        // The change log comes after the messages it adds versions to.
        let has_log = room
            .files
            .iter()
            .any(|file| file.kind == Some(FileKind::MessageLogs));
        let held = has_log && importer.hold()?;
        for file in &room.files {
            import_room_file(importer, &room_id, file)?;
        }
        if held {
            importer.release();
        }
    }
    for file in &export.stray {
        let mut session = importer.open_file(file, FileKind::Messages)?;
        if let Some(session) = session.as_mut() {
            importer.quarantine_whole_file(
                session,
                importer.lang().pick(
                    "ルームのフォルダの外にある CSV ファイルです。`--mapping` でファイル名を指定してください",
                    "CSV file outside the room folders; name it in a `--mapping` file",
                ),
            )?;
        }
        importer.close_file(session)?;
    }
    Ok(())
}

fn import_room_file(
    importer: &mut Importer<'_, '_>,
    room_id: &str,
    file: &FoundFile,
) -> anyhow::Result<()> {
    let Some(kind) = file.kind else {
        let mut session = importer.open_file(file, FileKind::Messages)?;
        if let Some(session) = session.as_mut() {
            importer.quarantine_whole_file(
                session,
                importer.lang().pick(
                    "ファイルの種類を見分けられません。`cwlens doctor` で確認し、`--mapping` で指定してください",
                    "the kind of this file is not recognised; check it with `cwlens doctor` and name it in a `--mapping` file",
                ),
            )?;
        }
        return importer.close_file(session);
    };
    let mut session = importer.open_file(file, kind)?;
    if let Some(session) = session.as_mut() {
        let room_key = importer.room_key(room_id)?;
        match kind {
            FileKind::RoomMembers => importer.import_room_members(session, room_key)?,
            FileKind::Messages => importer.import_messages(session, room_id, room_key)?,
            FileKind::MessageLogs => importer.import_message_logs(session, room_key)?,
            FileKind::Files => importer.import_files(session, room_key)?,
            FileKind::Members => {
                let mut ignored = HashMap::new();
                importer.import_members(session, &mut ignored)?;
            }
        }
    }
    importer.close_file(session)
}

/// Header map of a file session, checked for required columns.
pub fn require_columns(session: &FileSession, lang: crate::i18n::Lang) -> anyhow::Result<()> {
    let map: &HeaderMap = &session.headers;
    if map.missing.is_empty() {
        return Ok(());
    }
    // A header row that did not decode points at the encoding, which no
    // mapping of column names can fix.
    if session
        .header_names
        .iter()
        .any(|name| name.contains(char::REPLACEMENT_CHARACTER))
    {
        let encoding = session.encoding.label();
        anyhow::bail!(
            "{}",
            match lang {
                crate::i18n::Lang::Ja => format!(
                    "{}: 見出し行を {encoding} として読めません。文字コードが UTF-8、UTF-16、CP932（Shift_JIS）のどれでもない可能性があります。UTF-8 か CP932 で保存し直したコピーを取り込んでください（元のエクスポートはそのまま残してください）",
                    session.file.relative
                ),
                crate::i18n::Lang::En => format!(
                    "{}: the header row is not valid {encoding}; the file may be in an encoding other than UTF-8, UTF-16 or CP932 (Shift_JIS). Import a copy saved as UTF-8 or CP932, and keep the original export as it is",
                    session.file.relative
                ),
            }
        );
    }
    let found = session.header_names.join(", ");
    // Name each field by the header the reference layout gives it, too:
    // the user compares the message with the header row of the file.
    let reference = |name: &str| {
        map.kind
            .fields()
            .iter()
            .find(|field| field.name == name)
            .map_or("", |field| field.headers[0])
    };
    let missing: Vec<String> = map
        .missing
        .iter()
        .map(|name| match lang {
            crate::i18n::Lang::Ja => format!("{} ({name})", reference(name)),
            crate::i18n::Lang::En => format!("{name} ({})", reference(name)),
        })
        .collect();
    anyhow::bail!(
        "{}",
        match lang {
            crate::i18n::Lang::Ja => format!(
                "{}: 必須の列 {} がありません（見つかった列: {found}）。`cwlens doctor <EXPORT>` で対応表を作り、`--mapping` で指定してください",
                session.file.relative,
                missing.join(", ")
            ),
            crate::i18n::Lang::En => format!(
                "{}: required column {} is missing (columns found: {found}); run `cwlens doctor <EXPORT>` to write a mapping file and pass it with `--mapping`",
                session.file.relative,
                missing.join(", ")
            ),
        }
    )
}
