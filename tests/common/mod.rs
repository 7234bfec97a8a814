//! Helpers shared by the integration tests: hand-made exports in the
//! reference layout of the Chatwork admin export, runs of the real `cwlens`
//! binary, and read-only access to the case database it writes.
//!
//! Every test gets its own temporary folder with an `export` and a `case`
//! folder side by side, so the case is never inside the export.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;
use tempfile::TempDir;

/// Headers of `members/members.csv`.
pub const MEMBERS_HEADER: [&str; 7] = [
    "ルームID",
    "ルーム名",
    "種別",
    "ファイルパス",
    "アカウントID",
    "名前",
    "権限",
];
/// Headers of a room's `messages.csv`.
pub const MESSAGES_HEADER: [&str; 6] = [
    "メッセージID",
    "アカウントID",
    "名前",
    "送信日時",
    "更新日時",
    "本文",
];
/// Headers of a room's `message_logs.csv`.
pub const LOGS_HEADER: [&str; 4] = ["メッセージID", "操作", "操作日時", "操作前の本文"];
/// Headers of a room's `files.csv`.
pub const FILES_HEADER: [&str; 8] = [
    "ファイルID",
    "メッセージID",
    "アカウントID",
    "名前",
    "ファイル名",
    "サイズ",
    "アップロード日時",
    "URL",
];
/// Headers of a room's `members.csv`.
pub const ROOM_MEMBERS_HEADER: [&str; 5] = ["アカウントID", "名前", "権限", "組織名", "部署"];

/// The two-character bucket folder every hand-made room lives in.
pub const BUCKET: &str = "x1";

/// Path of the `cwlens` binary cargo built for these tests.
pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_cwlens"))
}

/// Returns a `cwlens` command that takes no language from the environment.
pub fn cwlens() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(binary());
    command.env_remove("CWLENS_LANG");
    command
}

/// Runs `cwlens` with `args` and returns its output, whatever the exit code.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    cwlens().args(args).output().expect("cwlens starts")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns the exit code. Panics when a signal ended the process.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("cwlens exited with a code")
}

/// Formats a CSV file: fields quoted when they hold a comma, a quote, CR
/// or LF (quotes doubled), records ended by CRLF.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    csv_with(header, rows, "\r\n")
}

/// Formats a CSV file with the given record terminator.
pub fn csv_with(header: &[&str], rows: &[Vec<String>], terminator: &str) -> String {
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for record in std::iter::once(&header).chain(rows) {
        let fields: Vec<String> = record.iter().map(|field| quote(field)).collect();
        out.push_str(&fields.join(","));
        out.push_str(terminator);
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Builds one CSV record from string slices.
pub fn row(fields: &[&str]) -> Vec<String> {
    fields.iter().map(|field| field.to_string()).collect()
}

/// UTF-8 bytes with a byte order mark, as Excel saves "CSV UTF-8".
pub fn with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// CP932 (Windows-31J) bytes. Panics when a character has no CP932 form,
/// so a test never writes a silently substituted file.
pub fn cp932(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable, "{text:?} has characters outside CP932");
    bytes.into_owned()
}

/// UTF-16LE bytes with a byte order mark.
pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// A temporary folder holding an export and a case folder next to it.
pub struct Workspace {
    dir: TempDir,
    pub export: PathBuf,
    pub case: PathBuf,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().expect("temporary folder");
        let export = dir.path().join("export");
        let case = dir.path().join("case");
        std::fs::create_dir_all(&export).expect("export folder");
        Workspace { dir, export, case }
    }

    /// Returns the temporary folder that contains `export` and `case`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file below the export folder, creating its folders.
    pub fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) {
        write_file(&self.export.join(relative), bytes.as_ref());
    }

    /// Returns the folder of a room, relative to the export.
    pub fn room_dir(room_id: &str) -> String {
        format!("rooms/{BUCKET}/{room_id}")
    }

    /// Writes `members/members.csv` (UTF-8 with BOM, CRLF). Each member is
    /// `(room_id, room_name, account_id, name)`. Every room is a group chat
    /// and every member a plain member.
    pub fn write_members(&self, members: &[(&str, &str, &str, &str)]) {
        let rows: Vec<Vec<String>> = members
            .iter()
            .map(|(room_id, room_name, account_id, name)| {
                row(&[
                    room_id,
                    room_name,
                    "グループ",
                    &Workspace::room_dir(room_id),
                    account_id,
                    name,
                    "メンバー",
                ])
            })
            .collect();
        self.write(
            "members/members.csv",
            with_bom(&csv(&MEMBERS_HEADER, &rows)),
        );
    }

    /// Writes a room's `messages.csv` with the reference headers (UTF-8 with BOM, CRLF).
    /// Each row is `[message_id, account_id, name, send_time, update_time, body]`.
    pub fn write_messages(&self, room_id: &str, rows: &[Vec<String>]) {
        self.write_room_file(room_id, "messages.csv", &MESSAGES_HEADER, rows);
    }

    /// Writes a room's `message_logs.csv` (UTF-8 with BOM, CRLF).
    /// Each row is `[message_id, action, action_time, body_before]`.
    pub fn write_logs(&self, room_id: &str, rows: &[Vec<String>]) {
        self.write_room_file(room_id, "message_logs.csv", &LOGS_HEADER, rows);
    }

    pub fn write_room_file(
        &self,
        room_id: &str,
        name: &str,
        header: &[&str],
        rows: &[Vec<String>],
    ) {
        let relative = format!("{}/{name}", Workspace::room_dir(room_id));
        self.write(&relative, with_bom(&csv(header, rows)));
    }

    /// Writes the room 55 「営業部」 with members 7 試験 太郎 and 8 見本 花子,
    /// and the given messages.
    pub fn write_simple_room(&self, messages: &[Vec<String>]) {
        self.write_members(&[
            ("55", "営業部", "7", "試験 太郎"),
            ("55", "営業部", "8", "見本 花子"),
        ]);
        self.write_messages("55", messages);
    }

    /// Runs `cwlens import EXPORT --case CASE --quiet` with extra arguments.
    pub fn import_with(&self, extra: &[&str]) -> Output {
        let mut command = cwlens();
        command
            .arg("import")
            .arg(&self.export)
            .arg("--case")
            .arg(&self.case)
            .arg("--quiet")
            .args(extra);
        // A new case needs a purpose; a test may give its own.
        if !extra.contains(&"--purpose") {
            command.args(["--purpose", "テスト"]);
        }
        let output = command.output().expect("cwlens starts");
        if output.status.success() {
            assert_references_hold(&self.case);
        }
        output
    }

    /// Imports and fails the test unless the import succeeded.
    pub fn import(&self) -> Output {
        let output = self.import_with(&[]);
        assert_eq!(
            code(&output),
            0,
            "import failed: {}{}",
            stdout(&output),
            stderr(&output)
        );
        output
    }

    /// Runs `cwlens stats --json` and parses its output.
    pub fn stats(&self) -> Value {
        stats(&self.case)
    }

    /// Runs `cwlens search --json` with the query words and returns one object per hit.
    pub fn search(&self, query: &[&str]) -> Vec<Value> {
        search_json(&self.case, query, &[])
    }

    /// Returns the sorted message IDs that `cwlens search --json` finds.
    pub fn search_ids(&self, query: &[&str]) -> Vec<String> {
        ids_of(&self.search(query))
    }

    /// Opens a read-only connection to the case database.
    pub fn db(&self) -> Connection {
        open_read_only(&self.case)
    }

    /// Returns the SHA-256 and modification time of every file below the export.
    pub fn export_fingerprint(&self) -> Vec<(String, String, std::time::SystemTime)> {
        fingerprint(&self.export)
    }
}

pub fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    let mut file = std::fs::File::create(path).expect("file");
    file.write_all(bytes).expect("write");
}

/// Runs `cwlens stats --case DIR --json` and parses its output.
pub fn stats(case: &Path) -> Value {
    let output = cwlens()
        .args(["stats", "--json", "--case"])
        .arg(case)
        .output()
        .expect("cwlens starts");
    assert_eq!(code(&output), 0, "stats failed: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("stats prints JSON")
}

/// Runs `cwlens search --case DIR --json EXTRA… -- QUERY…` and returns one
/// object per hit. Exit code 1 (no match) gives an empty list, and any other
/// failure panics.
pub fn search_json(case: &Path, query: &[&str], extra: &[&str]) -> Vec<Value> {
    let output = cwlens()
        .arg("search")
        .arg("--case")
        .arg(case)
        .arg("--json")
        .args(extra)
        .arg("--")
        .args(query)
        .output()
        .expect("cwlens starts");
    match code(&output) {
        0 | 1 => stdout(&output)
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
            .collect(),
        other => panic!("search {query:?} exited with {other}: {}", stderr(&output)),
    }
}

/// Returns the sorted `message_id` values of search hits.
pub fn ids_of(hits: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = hits
        .iter()
        .map(|hit| {
            hit["message_id"]
                .as_str()
                .expect("message_id is a string")
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

/// Opens a read-only connection to a case database.
pub fn open_read_only(case: &Path) -> Connection {
    Connection::open_with_flags(
        case.join("case.sqlite"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("case database opens")
}

/// Fails the test when a row of the case database points at a row that does
/// not exist. The importer writes with foreign keys off, so this is where
/// they are checked.
pub fn assert_references_hold(case: &Path) {
    let conn = open_read_only(case);
    let mut statement = conn.prepare("PRAGMA foreign_key_check").unwrap();
    let broken: Vec<(String, Option<i64>, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(broken.is_empty(), "rows point at missing rows: {broken:?}");
}

/// Returns the SHA-256 and modification time of every file below `root`, by relative path.
pub fn fingerprint(root: &Path) -> Vec<(String, String, std::time::SystemTime)> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder lists") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("file reads");
            let mut digest = String::new();
            for byte in Sha256::digest(&bytes) {
                let _ = write!(digest, "{byte:02x}");
            }
            let relative = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .into_owned();
            out.push((relative, digest, meta.modified().expect("mtime")));
        }
    }
    out.sort();
    out
}

/// Writes a large export in the reference layout without building it in
/// memory: `rooms` rooms of `per_room` messages each, every body holding
/// the character 件. Message IDs are unique across the export.
pub fn write_bulk_export(export: &Path, rooms: usize, per_room: usize) {
    let mut members = String::new();
    members.push_str(&MEMBERS_HEADER.join(","));
    members.push_str("\r\n");
    for room in 0..rooms {
        let room_id = 100_000 + room;
        for account in [7, 8] {
            let _ = write!(
                members,
                "{room_id},ルーム{room},グループ,rooms/{BUCKET}/{room_id},{account},アカウント{account},メンバー\r\n"
            );
        }
    }
    write_file(&export.join("members/members.csv"), &with_bom(&members));
    for room in 0..rooms {
        let room_id = 100_000 + room;
        let path = export.join(format!("rooms/{BUCKET}/{room_id}/messages.csv"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("room folder");
        let file = std::fs::File::create(&path).expect("messages file");
        let mut out = std::io::BufWriter::new(file);
        out.write_all(&[0xEF, 0xBB, 0xBF]).expect("write");
        writeln!(out, "{}\r", MESSAGES_HEADER.join(",")).expect("write");
        for index in 0..per_room {
            let message_id = 5_000_000_000_000_000_000u64 + (room * per_room + index) as u64;
            let account = 7 + index % 2;
            let minute = index % 60;
            let hour = (index / 60) % 24;
            let day = 1 + (index / 1440) % 28;
            writeln!(
                out,
                "{message_id},{account},アカウント{account},2024-03-{day:02} {hour:02}:{minute:02}:00,,案件{index}の確認をお願いします\r"
            )
            .expect("write");
        }
        out.flush().expect("flush");
    }
}
