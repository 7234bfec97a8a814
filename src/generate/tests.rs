//! Tests of whole generated exports, read back with the csv crate.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::layout::{
    FILES_HEADER, MEMBERS_INDEX_HEADER, MESSAGE_LOGS_HEADER, MESSAGES_HEADER, ROOM_MEMBERS_HEADER,
};
use super::{Options, Summary, generate};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// A CSV file read back: its header and its records.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Reads a generated CSV file, checking the byte order mark, CRLF record
/// ends and that every record has as many fields as the header.
fn read_table(path: &Path) -> Table {
    let bytes = fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(bytes.starts_with(BOM), "{} has no BOM", path.display());
    assert!(
        bytes.ends_with(b"\r\n"),
        "{} does not end with CRLF",
        path.display()
    );

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&bytes[BOM.len()..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header parses")
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert_eq!(record.len(), header.len(), "{}", path.display());
        rows.push(record.iter().map(str::to_string).collect());
    }
    Table { header, rows }
}

/// Folders of all rooms under `out/rooms/<bucket>/`, sorted.
fn room_folders(out: &Path) -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for bucket in fs::read_dir(out.join("rooms")).expect("rooms folder exists") {
        let bucket = bucket.expect("bucket entry").path();
        let name = bucket.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name.len(), 2, "bucket {name}");
        assert!(
            name.bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()),
            "bucket {name}"
        );
        for room in fs::read_dir(&bucket).expect("bucket is a folder") {
            folders.push(room.expect("room entry").path());
        }
    }
    folders.sort();
    folders
}

/// Reads every file under `root`, keyed by its path relative to `root`.
fn read_tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("folder is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().to_path_buf();
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    files
}

fn generate_into(out: &Path, options: &Options) -> Summary {
    generate(out, options, &mut |_| {}).expect("generate succeeds")
}

fn parse_time(raw: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|error| panic!("time {raw:?}: {error}"))
}

/// File IDs named by `[download:ID]` tags in `body`.
fn download_ids(body: &str) -> Vec<String> {
    body.split("[download:")
        .skip(1)
        .map(|rest| rest.split(']').next().unwrap().to_string())
        .collect()
}

#[test]
fn same_options_give_identical_files() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let options = Options::new(12, 3000, 42);
    let first_summary = generate_into(first.path(), &options);
    let second_summary = generate_into(second.path(), &options);

    assert_eq!(first_summary, second_summary);
    let first_tree = read_tree(first.path());
    let second_tree = read_tree(second.path());
    assert_eq!(
        first_tree.keys().collect::<Vec<_>>(),
        second_tree.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first_tree {
        assert!(bytes == &second_tree[path], "{} differs", path.display());
    }
}

#[test]
fn different_seeds_give_different_files() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    generate_into(first.path(), &Options::new(3, 100, 1));
    generate_into(second.path(), &Options::new(3, 100, 2));
    assert_ne!(read_tree(first.path()), read_tree(second.path()));
}

#[test]
fn message_count_is_exact() {
    for (rooms, messages) in [
        (1, 0),
        (1, 1),
        (1, 250),
        (5, 3),
        (10, 10),
        (7, 200),
        (40, 39),
        (40, 1000),
    ] {
        let out = tempfile::tempdir().unwrap();
        let summary = generate_into(out.path(), &Options::new(rooms, messages, 9));
        assert_eq!(summary.messages, messages, "R={rooms} N={messages}");
        assert_eq!(summary.rooms, u64::from(rooms), "R={rooms} N={messages}");

        let folders = room_folders(out.path());
        assert_eq!(folders.len(), rooms as usize, "R={rooms} N={messages}");
        let mut total = 0;
        for folder in &folders {
            let count = read_table(&folder.join("messages.csv")).rows.len() as u64;
            if messages >= u64::from(rooms) {
                assert!(count >= 1, "empty room with R={rooms} N={messages}");
            } else {
                assert!(count <= 1, "room of {count} with R={rooms} N={messages}");
            }
            total += count;
        }
        assert_eq!(total, messages, "R={rooms} N={messages}");
    }
}

#[test]
fn every_file_parses_with_its_header() {
    let out = tempfile::tempdir().unwrap();
    let summary = generate_into(out.path(), &Options::new(8, 4000, 5));

    let index = read_table(&out.path().join("members/members.csv"));
    assert_eq!(index.header, MEMBERS_INDEX_HEADER);
    let mut files_rows = 0;
    let mut log_rows = 0;
    for folder in room_folders(out.path()) {
        let messages = read_table(&folder.join("messages.csv"));
        assert_eq!(messages.header, MESSAGES_HEADER);
        let logs = read_table(&folder.join("message_logs.csv"));
        assert_eq!(logs.header, MESSAGE_LOGS_HEADER);
        let files = read_table(&folder.join("files.csv"));
        assert_eq!(files.header, FILES_HEADER);
        let members = read_table(&folder.join("members.csv"));
        assert_eq!(members.header, ROOM_MEMBERS_HEADER);
        assert!(
            !members.rows.is_empty(),
            "{} has no members",
            folder.display()
        );
        files_rows += files.rows.len() as u64;
        log_rows += logs.rows.len() as u64;
    }
    assert_eq!(files_rows, summary.files);
    assert_eq!(log_rows, summary.revisions);
}

#[test]
fn members_index_points_to_room_folders() {
    let out = tempfile::tempdir().unwrap();
    generate_into(out.path(), &Options::new(15, 300, 6));

    let index = read_table(&out.path().join("members/members.csv"));
    let mut rows_per_room: BTreeMap<String, usize> = BTreeMap::new();
    for row in &index.rows {
        let (room_id, room_type, path) = (&row[0], &row[2], &row[3]);
        assert!(["グループ", "ダイレクト"].contains(&room_type.as_str()));
        assert!(["管理者", "メンバー", "閲覧のみ"].contains(&row[6].as_str()));
        assert!(path.ends_with(&format!("/{room_id}")), "path {path}");
        assert!(out.path().join(path).is_dir(), "path {path}");
        *rows_per_room.entry(path.clone()).or_default() += 1;
    }
    assert_eq!(rows_per_room.len(), 15);
    for (path, count) in rows_per_room {
        let members = read_table(&out.path().join(&path).join("members.csv"));
        assert_eq!(members.rows.len(), count, "{path}");
    }
}

#[test]
fn message_ids_are_unique_with_19_digits() {
    let out = tempfile::tempdir().unwrap();
    generate_into(out.path(), &Options::new(20, 5000, 7));

    let mut seen = HashSet::new();
    for folder in room_folders(out.path()) {
        for row in read_table(&folder.join("messages.csv")).rows {
            let id = &row[0];
            assert_eq!(id.len(), 19, "message ID {id}");
            assert!(
                id.bytes().all(|byte| byte.is_ascii_digit()),
                "message ID {id}"
            );
            assert!(seen.insert(id.clone()), "duplicate message ID {id}");
        }
    }
    assert_eq!(seen.len(), 5000);
}

#[test]
fn send_times_increase_within_a_room() {
    let out = tempfile::tempdir().unwrap();
    generate_into(out.path(), &Options::new(6, 3000, 8));

    for folder in room_folders(out.path()) {
        let messages = read_table(&folder.join("messages.csv"));
        let times: Vec<NaiveDateTime> = messages
            .rows
            .iter()
            .map(|row| parse_time(&row[3]))
            .collect();
        assert!(
            times.windows(2).all(|pair| pair[0] < pair[1]),
            "{}",
            folder.display()
        );
        for row in &messages.rows {
            if !row[4].is_empty() {
                assert!(parse_time(&row[4]) > parse_time(&row[3]), "{row:?}");
            }
        }
    }
}

#[test]
fn every_download_tag_has_a_files_row() {
    let out = tempfile::tempdir().unwrap();
    let summary = generate_into(out.path(), &Options::new(10, 6000, 10));
    assert!(summary.files > 0);

    let mut tags = 0;
    for folder in room_folders(out.path()) {
        let files = read_table(&folder.join("files.csv"));
        let file_messages: BTreeMap<&str, &str> = files
            .rows
            .iter()
            .map(|row| (row[0].as_str(), row[1].as_str()))
            .collect();
        assert_eq!(file_messages.len(), files.rows.len(), "duplicate file ID");
        let messages = read_table(&folder.join("messages.csv"));
        let message_ids: HashSet<&str> = messages.rows.iter().map(|row| row[0].as_str()).collect();
        for &message_id in file_messages.values() {
            assert!(
                message_ids.contains(message_id),
                "file of unknown message {message_id}"
            );
        }

        let logs = read_table(&folder.join("message_logs.csv"));
        let bodies = messages
            .rows
            .iter()
            .map(|row| (&row[0], &row[5]))
            .chain(logs.rows.iter().map(|row| (&row[0], &row[3])));
        for (message_id, body) in bodies {
            for file_id in download_ids(body) {
                tags += 1;
                assert_eq!(
                    file_messages.get(file_id.as_str()).copied(),
                    Some(message_id.as_str()),
                    "file {file_id} in {}",
                    folder.display()
                );
            }
        }
    }
    assert!(tags as u64 >= summary.files);
}

#[test]
fn edits_and_deletions_have_log_rows() {
    let out = tempfile::tempdir().unwrap();
    let summary = generate_into(out.path(), &Options::new(10, 20_000, 11));
    assert!(
        (300..=900).contains(&summary.edited),
        "{} edited",
        summary.edited
    );
    assert!(
        (100..=350).contains(&summary.deleted),
        "{} deleted",
        summary.deleted
    );

    let mut deleted_bodies = 0;
    let mut edited_messages = HashSet::new();
    for folder in room_folders(out.path()) {
        let messages = read_table(&folder.join("messages.csv"));
        let logs = read_table(&folder.join("message_logs.csv"));
        let mut logs_by_message: BTreeMap<&str, Vec<&Vec<String>>> = BTreeMap::new();
        for row in &logs.rows {
            assert!(["編集", "削除"].contains(&row[1].as_str()), "{row:?}");
            assert!(!row[3].is_empty(), "{row:?}");
            logs_by_message
                .entry(row[0].as_str())
                .or_default()
                .push(row);
        }
        for row in &messages.rows {
            let rows = logs_by_message.get(row[0].as_str());
            if row[5] == "[delete]" {
                deleted_bodies += 1;
                let rows = rows.expect("deleted message has log rows");
                let last = rows.last().unwrap();
                assert_eq!(last[1], "削除");
                assert_ne!(last[3], "[delete]");
                assert_eq!(last[2], row[4], "update time is the deletion time");
            }
            if let Some(rows) = rows {
                assert!(!row[4].is_empty(), "changed message has an update time");
                if rows.iter().any(|log| log[1] == "編集") {
                    edited_messages.insert(row[0].clone());
                }
                for log in rows {
                    assert!(parse_time(&log[2]) > parse_time(&row[3]), "{log:?}");
                }
            } else {
                assert!(row[4].is_empty(), "unchanged message has an update time");
            }
        }
    }
    assert_eq!(deleted_bodies, summary.deleted);
    assert_eq!(edited_messages.len() as u64, summary.edited);
}

#[test]
fn history_off_writes_no_logs() {
    let out = tempfile::tempdir().unwrap();
    let options = Options {
        history: false,
        ..Options::new(4, 2000, 12)
    };
    let summary = generate_into(out.path(), &options);
    assert_eq!(summary.revisions, 0);
    assert!(summary.deleted > 0);
    for folder in room_folders(out.path()) {
        assert!(!folder.join("message_logs.csv").exists());
        assert!(folder.join("messages.csv").exists());
    }
}

#[test]
fn bodies_use_chatwork_notation() {
    let out = tempfile::tempdir().unwrap();
    let options = Options {
        accounts: 30,
        ..Options::new(5, 20_000, 13)
    };
    generate_into(out.path(), &options);

    let mut bodies = String::new();
    for folder in room_folders(out.path()) {
        for row in read_table(&folder.join("messages.csv")).rows {
            bodies.push_str(&row[5]);
            bodies.push('\n');
        }
    }
    for needle in [
        "[To:",
        "[toall]",
        "[rp aid=",
        "[qt][qtmeta aid=",
        "[info][title]",
        "[download:",
        "[preview id=",
        "[task aid=",
        "ltype=date]",
        "[dtext:chatroom_groupchat_created]",
        "[dtext:task_added]",
        "[code]",
        "[hr]",
        "[delete]",
        "〜",
        "～",
        "\"",
        ",",
    ] {
        assert!(bodies.contains(needle), "no body contains {needle:?}");
    }
    assert!(
        bodies
            .chars()
            .any(|c| ('\u{ff61}'..='\u{ff9f}').contains(&c)),
        "no half-width kana"
    );
    assert!(bodies.chars().any(|c| c >= '\u{1f300}'), "no emoji");
}

#[test]
fn some_accounts_are_resigned() {
    let out = tempfile::tempdir().unwrap();
    let options = Options {
        accounts: 400,
        ..Options::new(60, 500, 14)
    };
    let summary = generate_into(out.path(), &options);
    assert_eq!(summary.accounts, 400);

    let index = read_table(&out.path().join("members/members.csv"));
    let names: HashSet<&str> = index.rows.iter().map(|row| row[5].as_str()).collect();
    assert!(names.iter().any(|name| name.ends_with("(解約済)")));
    assert!(names.iter().any(|name| name.ends_with("【解約済】")));
}

#[test]
fn rejects_non_empty_output() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("old.csv"), "x").unwrap();
    let error = generate(out.path(), &Options::new(1, 1, 1), &mut |_| {}).unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
}

#[test]
fn rejects_zero_rooms() {
    let out = tempfile::tempdir().unwrap();
    let error = generate(out.path(), &Options::new(0, 1, 1), &mut |_| {}).unwrap_err();
    assert!(error.to_string().contains("room count"), "{error}");
}

#[test]
fn progress_ends_at_message_count() {
    let out = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    generate(out.path(), &Options::new(3, 20_000, 15), &mut |written| {
        reports.push(written)
    })
    .unwrap();
    assert_eq!(reports.last(), Some(&20_000));
    assert!(reports.windows(2).all(|pair| pair[0] <= pair[1]));
    assert!(reports.len() >= 3);
}
