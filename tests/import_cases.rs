//! Imports of small hand-made exports with the faults real exports have,
//! checked through `cwlens stats --json`, `cwlens search --json` and
//! read-only SQL on the case database.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use cwlens::store::message_id_to_sql;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

/// 2023-04-01 09:00:00 in Japan.
const APRIL_FIRST_9_JST: i64 = 1_680_307_200;

/// A message as the case database stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    account_id: String,
    sender_raw_name: String,
    sent_at: i64,
    sent_at_raw: String,
    body: String,
}

/// Reads a message as the export wrote it. A sent time stored only as a
/// number was `YYYY-MM-DD HH:MM:SS` in the zone of its import, and is
/// written that way again here.
fn stored(conn: &Connection, message_id: &str) -> Option<Stored> {
    conn.query_row(
        "SELECT a.account_id, coalesce(n.raw_name, ''), m.sent_at, m.sent_at_raw, m.body, i.source_tz
         FROM messages m JOIN accounts a ON a.account_key = m.account_key
         LEFT JOIN sender_names n ON n.name_key = m.sender_name_key
         JOIN source_files s ON s.source_id = m.source_id
         JOIN imports i ON i.import_id = s.import_id
         WHERE m.message_id = ?1",
        [message_id_to_sql(message_id)],
        |row| {
            let sent_at: i64 = row.get(2)?;
            let raw: Option<String> = row.get(3)?;
            let zone: String = row.get(5)?;
            let zone: chrono_tz::Tz = zone.parse().expect("a zone name");
            let sent_at_raw = raw.unwrap_or_else(|| {
                chrono::DateTime::from_timestamp(sent_at, 0)
                    .expect("a time")
                    .with_timezone(&zone)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            });
            Ok(Stored {
                account_id: row.get(0)?,
                sender_raw_name: row.get(1)?,
                sent_at,
                sent_at_raw,
                body: row.get(4)?,
            })
        },
    )
    .optional()
    .expect("messages table reads")
}

fn body_of(conn: &Connection, message_id: &str) -> String {
    stored(conn, message_id)
        .unwrap_or_else(|| panic!("message {message_id} was not imported"))
        .body
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |row| row.get(0))
        .expect("count query")
}

fn msg_key(conn: &Connection, message_id: &str) -> i64 {
    conn.query_row(
        "SELECT msg_key FROM messages WHERE message_id = ?1",
        [message_id_to_sql(message_id)],
        |row| row.get(0),
    )
    .expect("message exists")
}

/// Returns `(name, raw_name, resigned)` of an account.
fn account(conn: &Connection, account_id: &str) -> (String, String, bool) {
    conn.query_row(
        "SELECT name, raw_name, resigned FROM accounts WHERE account_id = ?1",
        [account_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .unwrap_or_else(|_| panic!("account {account_id} exists"))
}

fn message_row(id: &str, account: &str, name: &str, sent: &str, body: &str) -> Vec<String> {
    row(&[id, account, name, sent, "", body])
}

const MESSAGES_PATH: &str = "rooms/x1/55/messages.csv";

// Byte order marks and required columns.

#[test]
fn bom_variants_import_alike() {
    let plain = csv(
        &MESSAGES_HEADER,
        &[message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "おはようございます",
        )],
    );
    let quoted_header: Vec<String> = MESSAGES_HEADER.iter().map(|h| format!("\"{h}\"")).collect();
    let quoted = plain.replacen(&MESSAGES_HEADER.join(","), &quoted_header.join(","), 1);
    assert_ne!(quoted, plain, "the quoted header was written");
    let expected = Stored {
        account_id: "7".into(),
        sender_raw_name: "試験 太郎".into(),
        sent_at: APRIL_FIRST_9_JST,
        sent_at_raw: "2023-04-01 09:00:00".into(),
        body: "おはようございます".into(),
    };
    for (label, bytes) in [
        ("UTF-8 with BOM", with_bom(&plain)),
        ("UTF-8 without BOM", plain.clone().into_bytes()),
        ("BOM and quoted header", with_bom(&quoted)),
    ] {
        let ws = Workspace::new();
        ws.write_simple_room(&[]);
        ws.write(MESSAGES_PATH, bytes);
        ws.import();
        assert_eq!(stored(&ws.db(), "1001"), Some(expected.clone()), "{label}");
        assert_eq!(ws.stats()["quarantined_rows"], 0, "{label}");
    }
}

#[test]
fn bom_inside_data_row_is_kept() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    // The body comes first, so the first cell of the data row starts with U+FEFF.
    let header = [
        "本文",
        "メッセージID",
        "アカウントID",
        "名前",
        "送信日時",
        "更新日時",
    ];
    let text = csv(
        &header,
        &[row(&[
            "\u{FEFF}先頭にBOM",
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "",
        ])],
    );
    ws.write(MESSAGES_PATH, with_bom(&text));
    ws.import();
    assert_eq!(body_of(&ws.db(), "1001"), "\u{FEFF}先頭にBOM");
}

#[test]
fn missing_column_fails_naming_it() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let header = ["メッセージID", "アカウントID", "名前", "更新日時", "本文"];
    ws.write_room_file(
        "55",
        "messages.csv",
        &header,
        &[row(&["1001", "7", "試験 太郎", "", "おはよう"])],
    );
    let output = ws.import_with(&[]);
    let error = stderr(&output);
    assert_eq!(code(&output), 2, "{error}");
    assert!(error.contains(MESSAGES_PATH), "names the file: {error}");
    assert!(error.contains("送信日時"), "names the header: {error}");
    assert!(error.contains("send_time"), "names the field: {error}");
    assert!(error.contains("cwlens doctor"), "points to doctor: {error}");
    assert_eq!(ws.stats()["messages"], 0, "no message without a send time");
    // The failed import left the case unfinished: searching it is refused.
    assert_eq!(ws.stats()["incomplete_imports"], 1);
    let search = run([
        "--lang",
        "en",
        "search",
        "--case",
        ws.case.to_str().unwrap(),
        "おはよう",
    ]);
    assert_eq!(code(&search), 2);
    assert!(
        stderr(&search).contains("did not finish"),
        "{}",
        stderr(&search)
    );
}

// Encodings, line ends, header languages and column order.

#[test]
fn cp932_file_imports_exactly() {
    let ws = Workspace::new();
    let members = csv(
        &MEMBERS_HEADER,
        &[
            row(&[
                "55",
                "営業部",
                "グループ",
                "rooms/x1/55",
                "21",
                "髙橋 試験",
                "メンバー",
            ]),
            row(&[
                "55",
                "営業部",
                "グループ",
                "rooms/x1/55",
                "22",
                "山﨑 仮名",
                "メンバー",
            ]),
        ],
    );
    ws.write("members/members.csv", cp932(&members));

    let messages = csv(
        &MESSAGES_HEADER,
        &[
            message_row(
                "1001",
                "21",
                "髙橋 試験",
                "2023-04-01 09:00:00",
                "①の件、㈱見本へ連絡済み",
            ),
            message_row(
                "1002",
                "22",
                "山﨑 仮名",
                "2023-04-01 09:01:00",
                "髙橋さん、山﨑です",
            ),
        ],
    );
    ws.write(MESSAGES_PATH, cp932(&messages));
    ws.import();

    let db = ws.db();
    assert_eq!(body_of(&db, "1001"), "①の件、㈱見本へ連絡済み");
    assert_eq!(body_of(&db, "1002"), "髙橋さん、山﨑です");
    assert_eq!(account(&db, "21").0, "髙橋 試験");
    assert_eq!(account(&db, "22").0, "山﨑 仮名");

    let encoding: String = db
        .query_row(
            "SELECT encoding FROM source_files WHERE path = ?1",
            [MESSAGES_PATH],
            |row| row.get(0),
        )
        .expect("source file recorded");
    assert_eq!(encoding, "cp932");
    assert_eq!(ws.search_ids(&["山﨑です"]), ["1002"]);
}

#[test]
fn cp932_quarantined_row_lists_readably() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let messages = csv(
        &MESSAGES_HEADER,
        &[message_row(
            "1.57E+18",
            "21",
            "髙橋 試験",
            "2023-04-01 09:00:00",
            "①の件です",
        )],
    );
    ws.write(MESSAGES_PATH, cp932(&messages));
    ws.import();
    let listed = run(["quarantine", "--json", "--case", ws.case.to_str().unwrap()]);
    let entry: Value = serde_json::from_str(stdout(&listed).trim()).expect("one JSON line");
    let raw = entry["raw"].as_str().unwrap();
    assert!(
        raw.contains("髙橋 試験,2023-04-01 09:00:00,,①の件です"),
        "{raw}"
    );
    let stored: Vec<u8> = ws
        .db()
        .query_row("SELECT raw FROM quarantine", [], |row| row.get(0))
        .unwrap();
    assert!(stored.starts_with(b"1.57E+18,21,"), "kept as read");
    assert!(std::str::from_utf8(&stored).is_err(), "kept in CP932");
}

#[test]
fn one_bad_byte_quarantines_one_row() {
    let ws = Workspace::new();
    let rows: Vec<Vec<String>> = (1..=10)
        .map(|n| {
            message_row(
                &n.to_string(),
                "7",
                "試験 太郎",
                "2023-04-01 09:00:00",
                &format!("本文その{n}です"),
            )
        })
        .collect();
    ws.write_simple_room(&[]);
    let mut bytes = csv(&MESSAGES_HEADER, &rows).into_bytes();
    let fifth = "本文その5".as_bytes();
    let at = bytes
        .windows(fifth.len())
        .position(|window| window == fifth)
        .unwrap()
        + fifth.len();
    bytes.insert(at, 0xFF);
    ws.write(MESSAGES_PATH, bytes);
    ws.import();

    let db = ws.db();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 9);
    assert_eq!(body_of(&db, "4"), "本文その4です");
    assert_eq!(account(&db, "7").0, "試験 太郎");
    let (record, reason): (i64, String) = db
        .query_row("SELECT record, reason FROM quarantine", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(record, 5);
    assert!(reason.contains("utf-8"), "{reason}");
}

#[test]
fn utf16le_with_bom_imports() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let messages = csv(
        &MESSAGES_HEADER,
        &[message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "UTF-16 の本文🙏\n二行目",
        )],
    );
    ws.write(MESSAGES_PATH, utf16le_bom(&messages));
    ws.import();
    assert_eq!(body_of(&ws.db(), "1001"), "UTF-16 の本文🙏\n二行目");
    assert_eq!(ws.search_ids(&["本文🙏"]), ["1001"]);
}

#[test]
fn crlf_and_lf_import_alike() {
    let rows = [
        message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "一行目\n二行目",
        ),
        message_row("1002", "8", "見本 花子", "2023-04-01 09:01:00", "次"),
    ];
    let mut bodies = Vec::new();
    for terminator in ["\r\n", "\n"] {
        let ws = Workspace::new();
        ws.write_simple_room(&[]);
        ws.write(
            MESSAGES_PATH,
            with_bom(&csv_with(&MESSAGES_HEADER, &rows, terminator)),
        );
        ws.import();
        let db = ws.db();
        assert_eq!(
            count(&db, "SELECT count(*) FROM messages"),
            2,
            "{terminator:?}"
        );
        bodies.push((body_of(&db, "1001"), body_of(&db, "1002")));
    }
    assert_eq!(bodies[0], ("一行目\n二行目".to_string(), "次".to_string()));
    assert_eq!(bodies[0], bodies[1]);
}

#[test]
fn english_headers_import() {
    let ws = Workspace::new();
    let members = csv(
        &[
            "room_id",
            "room_name",
            "room_type",
            "file_path",
            "account_id",
            "name",
            "role",
        ],
        &[row(&[
            "55",
            "Sales",
            "group",
            "rooms/x1/55",
            "7",
            "Taro Shiken",
            "admin",
        ])],
    );
    ws.write("members/members.csv", members);

    let messages = csv(
        &[
            "message_id",
            "account_id",
            "name",
            "send_time",
            "update_time",
            "body",
        ],
        &[row(&[
            "1001",
            "7",
            "Taro Shiken",
            "2023-04-01 09:00:00",
            "2023-04-01 09:05:00",
            "edited text",
        ])],
    );
    ws.write(MESSAGES_PATH, messages);

    let logs = csv(
        &["message_id", "action", "action_time", "body_before"],
        &[row(&["1001", "edit", "2023-04-01 09:05:00", "first text"])],
    );
    ws.write("rooms/x1/55/message_logs.csv", logs);
    ws.import();

    let stats = ws.stats();
    assert_eq!(stats["messages"], 1);
    assert_eq!(stats["revisions"], 1);
    assert_eq!(stats["quarantined_rows"], 0);
    let hits = ws.search(&["first"]);
    assert_eq!(ids_of(&hits), ["1001"]);
    assert_eq!(hits[0]["room_name"], "Sales");
    assert_eq!(hits[0]["matched_in"], "history");
}

#[test]
fn shuffled_columns_import() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let header = [
        "本文",
        "送信日時",
        "名前",
        "更新日時",
        "アカウントID",
        "メッセージID",
    ];
    ws.write_room_file(
        "55",
        "messages.csv",
        &header,
        &[row(&[
            "並べ替えた列",
            "2023-04-01 09:00:00",
            "見本 花子",
            "",
            "8",
            "1001",
        ])],
    );
    ws.import();
    let expected = Stored {
        account_id: "8".into(),
        sender_raw_name: "見本 花子".into(),
        sent_at: APRIL_FIRST_9_JST,
        sent_at_raw: "2023-04-01 09:00:00".into(),
        body: "並べ替えた列".into(),
    };
    assert_eq!(stored(&ws.db(), "1001"), Some(expected));
}

#[test]
fn unknown_column_is_kept() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let mut header = MESSAGES_HEADER.to_vec();
    header.insert(3, "既読数");
    ws.write_room_file(
        "55",
        "messages.csv",
        &header,
        &[row(&[
            "1001",
            "7",
            "試験 太郎",
            "3",
            "2023-04-01 09:00:00",
            "",
            "本文",
        ])],
    );
    ws.import();
    let extra: Option<String> = ws
        .db()
        .query_row(
            "SELECT extra FROM messages WHERE message_id = 1001",
            [],
            |row| row.get(0),
        )
        .expect("message exists");
    let extra: Value = serde_json::from_str(&extra.expect("extra is stored")).expect("JSON");
    assert_eq!(extra, serde_json::json!([["既読数", "3"]]));
    assert_eq!(body_of(&ws.db(), "1001"), "本文");
}

#[test]
fn trailing_empty_column_is_accepted() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    // Room 55's header and row both end in a comma. Only the row does in room 66.
    let text = format!(
        "{},\r\n1001,7,試験 太郎,2023-04-01 09:00:00,,末尾に空の列,\r\n",
        MESSAGES_HEADER.join(",")
    );
    ws.write(MESSAGES_PATH, with_bom(&text));
    let other = format!(
        "{}\r\n2001,8,見本 花子,2023-04-01 09:00:00,,行だけ末尾に空の列,\r\n",
        MESSAGES_HEADER.join(",")
    );
    ws.write("rooms/x1/66/messages.csv", with_bom(&other));
    ws.import();
    let db = ws.db();
    assert_eq!(body_of(&db, "1001"), "末尾に空の列");
    assert_eq!(body_of(&db, "2001"), "行だけ末尾に空の列");
    assert_eq!(ws.stats()["quarantined_rows"], 0);
    let extras = count(&db, "SELECT count(*) FROM messages WHERE extra IS NOT NULL");
    assert_eq!(extras, 0, "a blank header is no extra column");
}

// Quoted bodies over several lines.

#[test]
fn multiline_quoted_body_is_exact() {
    let ws = Workspace::new();
    let body = "1行目\n2行目, カンマ\r\n\"引用\"付き\r4行目";
    ws.write_simple_room(&[
        message_row("2001", "7", "試験 太郎", "2023-04-01 09:00:00", body),
        message_row("2002", "8", "見本 花子", "2023-04-01 09:01:00", "次"),
    ]);
    let written = std::fs::read_to_string(ws.export.join(MESSAGES_PATH)).expect("reads");
    assert!(
        written.contains("\"\"引用\"\""),
        "quotes are doubled in the file"
    );
    ws.import();
    let db = ws.db();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 2);
    assert_eq!(body_of(&db, "2001"), body);
    assert_eq!(body_of(&db, "2002"), "次");
}

// Times.

#[test]
fn time_formats_give_utc_instants() {
    let cases: &[(&str, &str, i64)] = &[
        ("3001", "1680307200", APRIL_FIRST_9_JST),
        ("3002", "2023-04-01T09:00:00+09:00", APRIL_FIRST_9_JST),
        ("3003", "2023-04-01T00:00:00Z", APRIL_FIRST_9_JST),
        ("3004", "2023-04-01T02:00:00+02:00", APRIL_FIRST_9_JST),
        ("3005", "2023-04-01T09:00:00", APRIL_FIRST_9_JST),
        ("3006", "2023-04-01 09:00:00", APRIL_FIRST_9_JST),
        ("3007", "2023-04-01 09:00", APRIL_FIRST_9_JST),
        ("3008", "2023/04/01 09:00", APRIL_FIRST_9_JST),
        ("3009", "2023/4/1 9:00:00", APRIL_FIRST_9_JST),
        ("3010", "2023年4月1日 9:00", APRIL_FIRST_9_JST),
        ("3011", "2023年12月31日 23:59", 1_704_034_740),
    ];
    let ws = Workspace::new();
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|(id, time, _)| message_row(id, "7", "試験 太郎", time, "時刻"))
        .collect();
    ws.write_simple_room(&rows);
    ws.import();
    let db = ws.db();
    for (id, raw, expected) in cases {
        let message = stored(&db, id).unwrap_or_else(|| panic!("{raw} was not imported"));
        assert_eq!(message.sent_at, *expected, "{raw}");
        assert_eq!(message.sent_at_raw, *raw, "raw text of {raw}");
    }
    // Only the plain form in the import's zone is left to the number.
    let kept: Vec<String> = db
        .prepare("SELECT CAST(message_id AS TEXT) FROM messages WHERE sent_at_raw IS NULL")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept, ["3006"]);
    let hits = ws.search(&["from:7", "時刻"]);
    let iso: Vec<&str> = hits
        .iter()
        .map(|hit| hit["sent_at"].as_str().unwrap())
        .collect();
    assert!(iso.contains(&"2023-04-01T09:00:00+09:00"), "{iso:?}");
}

#[test]
fn source_tz_applies_to_zoneless_times() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        message_row("1", "7", "試験 太郎", "2023-04-01 09:00:00", "ゾーンなし"),
        message_row(
            "2",
            "7",
            "試験 太郎",
            "2023-04-01T09:00:00+09:00",
            "ゾーンあり",
        ),
        message_row("3", "7", "試験 太郎", "1680307200", "Unix 秒"),
    ]);
    let output = ws.import_with(&["--source-tz", "UTC"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let db = ws.db();
    assert_eq!(
        stored(&db, "1").unwrap().sent_at,
        APRIL_FIRST_9_JST + 9 * 3600
    );
    assert_eq!(stored(&db, "2").unwrap().sent_at, APRIL_FIRST_9_JST);
    assert_eq!(stored(&db, "3").unwrap().sent_at, APRIL_FIRST_9_JST);
}

// IDs, quarantine and row accounting.

#[test]
fn nineteen_digit_id_is_exact() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "1570000000000000123",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "長いID",
    )]);
    ws.import();
    assert!(stored(&ws.db(), "1570000000000000123").is_some());
    assert_eq!(ws.search_ids(&["長いID"]), ["1570000000000000123"]);
}

#[test]
fn damaged_ids_are_quarantined_with_location() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "一行目\n二行目",
        ),
        message_row(
            "1.57E+18",
            "7",
            "試験 太郎",
            "2023-04-01 09:01:00",
            "指数表記",
        ),
        message_row("123.0", "8", "見本 花子", "2023-04-01 09:02:00", "小数表記"),
        message_row(
            "1570000000000000123",
            "8",
            "見本 花子",
            "2023-04-01 09:03:00",
            "正常",
        ),
    ]);
    let output = ws.import();
    let summary = stdout(&output);
    assert!(
        summary.contains(MESSAGES_PATH),
        "summary names the file: {summary}"
    );
    assert!(
        summary.contains("cwlens quarantine --case"),
        "summary: {summary}"
    );

    let db = ws.db();
    let mut statement = db
        .prepare("SELECT record, line, reason, raw FROM quarantine WHERE path = ?1 ORDER BY record")
        .unwrap();
    let rows: Vec<(i64, i64, String, Vec<u8>)> = statement
        .query_map([MESSAGES_PATH], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Record 1 spans lines 2 and 3, so record 2 starts on line 4.
    let expected = [(2, 4, "1.57E+18", "指数表記"), (3, 5, "123.0", "小数表記")];
    for ((record, line, reason, raw), (want_record, want_line, id, body)) in
        rows.iter().zip(expected)
    {
        let raw = String::from_utf8_lossy(raw);
        assert_eq!(*record, want_record, "{id}");
        assert_eq!(*line, want_line, "{id}");
        assert!(reason.contains(id), "reason names the value: {reason}");
        assert!(raw.contains(id), "raw record keeps the ID: {raw}");
        assert!(raw.contains(body), "raw record keeps the body: {raw}");
    }

    let listed = run(["quarantine", "--json", "--case", ws.case.to_str().unwrap()]);
    assert_eq!(code(&listed), 0);
    let entries: Vec<Value> = stdout(&listed)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let records: Vec<(&str, i64)> = entries
        .iter()
        .map(|entry| {
            (
                entry["path"].as_str().unwrap(),
                entry["record"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(records, [(MESSAGES_PATH, 2), (MESSAGES_PATH, 3)]);
    assert_rows_add_up(&db);
    let counts: (i64, i64, i64) = db
        .query_row(
            "SELECT rows_read, rows_imported, rows_quarantined FROM source_files WHERE path = ?1",
            [MESSAGES_PATH],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(counts, (4, 2, 2));
}

#[test]
fn later_download_keeps_new_damaged_row() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "最初の本文",
        ),
        message_row(
            "1.57E+18",
            "7",
            "試験 太郎",
            "2023-04-01 09:01:00",
            "壊れた行",
        ),
    ]);
    ws.import();
    ws.write_messages(
        "55",
        &[
            message_row(
                "1001",
                "7",
                "試験 太郎",
                "2023-04-01 09:00:00",
                "直した本文",
            ),
            message_row(
                "1.57E+18",
                "7",
                "試験 太郎",
                "2023-04-01 09:01:00",
                "壊れた行の続き",
            ),
        ],
    );
    let output = ws.import();
    let summary = stdout(&output);
    assert!(
        summary.contains(MESSAGES_PATH),
        "summary lists the file: {summary}"
    );

    let raws: Vec<String> = ws
        .db()
        .prepare("SELECT raw FROM quarantine ORDER BY quarantine_id")
        .unwrap()
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|raw| String::from_utf8(raw.unwrap()).unwrap())
        .collect();
    assert_eq!(raws.len(), 2, "{raws:?}");
    assert!(raws[0].contains("壊れた行\r\n"), "{raws:?}");
    assert!(raws[1].contains("壊れた行の続き"), "{raws:?}");

    // The same damaged row read once more is kept once, and listed again.
    ws.write_messages(
        "55",
        &[
            message_row(
                "1001",
                "7",
                "試験 太郎",
                "2023-04-01 09:00:00",
                "三度目の本文",
            ),
            message_row(
                "1.57E+18",
                "7",
                "試験 太郎",
                "2023-04-01 09:01:00",
                "壊れた行の続き",
            ),
        ],
    );
    let output = ws.import();
    assert!(
        stdout(&output).contains(MESSAGES_PATH),
        "{}",
        stdout(&output)
    );
    assert_eq!(ws.stats()["quarantined_rows"], 2);
}

/// Checks that every source file's rows read equal its rows imported plus quarantined.
fn assert_rows_add_up(db: &Connection) {
    let mut statement = db
        .prepare("SELECT path, rows_read, rows_imported, rows_quarantined FROM source_files")
        .unwrap();
    let rows: Vec<(String, i64, i64, i64)> = statement
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!rows.is_empty());
    for (path, read, imported, quarantined) in rows {
        assert_eq!(read, imported + quarantined, "{path}");
    }
}

#[test]
fn ragged_rows_are_quarantined() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        row(&[
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "",
            "多すぎる列",
            "余分",
        ]),
        row(&["1002", "7", "試験 太郎"]),
        message_row("1003", "8", "見本 花子", "2023-04-01 09:02:00", "正常"),
    ]);
    ws.import();
    let db = ws.db();
    let reasons: Vec<(i64, String)> = db
        .prepare("SELECT record, reason FROM quarantine ORDER BY record")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        reasons
            .iter()
            .map(|(record, _)| *record)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(reasons[0].1, "列の数が 7 です（見出しは 6 列）");
    assert_eq!(reasons[1].1, "列の数が 3 です（見出しは 6 列）");
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 1);
    assert_rows_add_up(&db);
}

// Resigned and unknown accounts.

#[test]
fn resigned_and_unknown_senders_get_labels() {
    let ws = Workspace::new();
    ws.write_members(&[
        ("55", "営業部", "7", "試験 太郎"),
        ("55", "営業部", "9", "見本 次郎(解約済)"),
    ]);
    ws.write_messages(
        "55",
        &[
            message_row(
                "1001",
                "7",
                "試験 太郎",
                "2023-04-01 09:00:00",
                "おはようございます",
            ),
            message_row(
                "1002",
                "9",
                "見本 次郎(解約済)",
                "2023-04-01 09:01:00",
                "退職前の連絡です",
            ),
            message_row(
                "1003",
                "12",
                "",
                "2023-04-01 09:02:00",
                "名簿にない送信者です",
            ),
            message_row("1004", "7", "", "2023-04-01 09:03:00", "名前が空の行です"),
        ],
    );
    ws.import();
    let db = ws.db();
    assert_eq!(
        account(&db, "9"),
        (
            "見本 次郎".to_string(),
            "見本 次郎(解約済)".to_string(),
            true
        )
    );

    let resigned = ws.search(&["from:9"]);
    assert_eq!(ids_of(&resigned), ["1002"]);
    assert_eq!(resigned[0]["account_label"], "見本 次郎【解約済】");
    assert_eq!(resigned[0]["account_name"], "見本 次郎");
    assert_eq!(resigned[0]["resigned"], true);

    let unknown = ws.search(&["from:12"]);
    assert_eq!(ids_of(&unknown), ["1003"]);
    assert_eq!(unknown[0]["account_label"], "不明 (ID:12)");

    let active = ws.search(&["from:7"]);
    assert_eq!(ids_of(&active), ["1001", "1004"]);
    for hit in &active {
        assert_eq!(hit["account_label"], "試験 太郎", "{}", hit["message_id"]);
    }

    let everyone = ws.search(&["room:55"]);
    assert_eq!(everyone.len(), 4);
    for hit in &everyone {
        let label = hit["account_label"].as_str().unwrap();
        assert!(!label.contains("(解約済)"), "marker twice: {label}");
    }

    let case = cwlens::store::Case::open(&ws.case).unwrap();
    let reader = cwlens::query::read::CaseReader::open(&case).unwrap();
    let room = reader
        .rooms(cwlens::query::read::RoomSort::Name)
        .unwrap()
        .into_iter()
        .find(|room| room.room_id == "55")
        .expect("room 55");
    let participants = reader.participants(room.room_key).unwrap();
    let unlisted = participants
        .iter()
        .find(|p| p.account.account_id == "12")
        .expect("sender 12 is a participant");
    assert!(!unlisted.listed);
}

#[test]
fn every_resigned_marker_flags_account() {
    let names = [
        ("31", "甲 一郎【解約済】", "甲 一郎"),
        ("32", "乙 二郎(解約済)", "乙 二郎"),
        ("33", "丙 三郎（解約済）", "丙 三郎"),
        ("34", "Taro Tei (Cancelled)", "Taro Tei"),
        ("35", "解約済みユーザー", ""),
    ];
    let ws = Workspace::new();
    let mut members: Vec<(&str, &str, &str, &str)> = names
        .iter()
        .map(|(id, raw, _)| ("55", "営業部", *id, *raw))
        .collect();
    members.push(("55", "営業部", "36", "戊 五郎"));
    ws.write_members(&members);
    ws.write_messages(
        "55",
        &[message_row(
            "1",
            "36",
            "戊 五郎",
            "2023-04-01 09:00:00",
            "在籍者",
        )],
    );
    ws.import();
    let db = ws.db();
    for (id, raw, clean) in names {
        assert_eq!(
            account(&db, id),
            (clean.to_string(), raw.to_string(), true),
            "{raw}"
        );
    }
    assert!(!account(&db, "36").2);
    assert_eq!(ws.stats()["resigned_accounts"], 5);
}

// Edit and deletion history.

fn write_history_export(ws: &Workspace) {
    ws.write_simple_room(&[
        row(&[
            "3001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "2023-04-01 09:07:00",
            "[delete]",
        ]),
        row(&[
            "3002",
            "8",
            "見本 花子",
            "2023-04-01 10:00:00",
            "2023-04-01 10:00:00",
            "確認します",
        ]),
        row(&[
            "3003",
            "8",
            "見本 花子",
            "2023-04-01 11:00:00",
            "2023-04-01 11:30:00",
            "版C",
        ]),
    ]);
    // Rows out of time order; 3002 was edited in the second it was sent;
    // 3003 has two edits in one second, kept in file order.
    ws.write_logs(
        "55",
        &[
            row(&["3001", "削除", "2023-04-01 09:07:00", "100万円で発注します"]),
            row(&["3003", "編集", "2023-04-01 11:30:00", "版A"]),
            row(&["3001", "編集", "2023-04-01 09:05:00", "10万円で発注します"]),
            row(&["3002", "編集", "2023-04-01 10:00:00", "確認しません"]),
            row(&["3003", "編集", "2023-04-01 11:30:00", "版B"]),
        ],
    );
}

fn revisions(case: &Path, message_id: &str) -> Vec<(String, i64, String)> {
    let key = msg_key(&open_read_only(case), message_id);
    let case = cwlens::store::Case::open(case).unwrap();
    let reader = cwlens::query::read::CaseReader::open(&case).unwrap();
    reader
        .revisions(key)
        .unwrap()
        .into_iter()
        .map(|revision| {
            (
                revision.kind.as_str().to_string(),
                revision.at,
                revision.body_before,
            )
        })
        .collect()
}

#[test]
fn history_is_kept_in_time_order() {
    let ws = Workspace::new();
    write_history_export(&ws);
    ws.import();

    let nine = APRIL_FIRST_9_JST;
    assert_eq!(
        revisions(&ws.case, "3001"),
        [
            (
                "edit".to_string(),
                nine + 5 * 60,
                "10万円で発注します".to_string()
            ),
            (
                "delete".to_string(),
                nine + 7 * 60,
                "100万円で発注します".to_string()
            ),
        ]
    );
    assert_eq!(
        revisions(&ws.case, "3002"),
        [("edit".to_string(), nine + 3600, "確認しません".to_string())]
    );
    let ties: Vec<String> = revisions(&ws.case, "3003")
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(ties, ["版A", "版B"]);

    let stats = ws.stats();
    assert_eq!(stats["revisions"], 5);
    assert_eq!(stats["deleted_messages"], 1);
    assert_eq!(stats["edited_messages"], 3);
}

#[test]
fn history_search_finds_old_amount() {
    let ws = Workspace::new();
    write_history_export(&ws);
    ws.import();
    let hits = ws.search(&["in:history", "10万円"]);
    assert_eq!(ids_of(&hits), ["3001"]);
    assert_eq!(hits[0]["matched_in"], "history");
    assert_eq!(hits[0]["deleted"], true);
    assert!(ws.search(&["in:current", "10万円"]).is_empty());
    assert_eq!(ws.search_ids(&["100万円"]), ["3001"]);
}

#[test]
fn second_import_adds_nothing() {
    let ws = Workspace::new();
    write_history_export(&ws);
    ws.import();
    let before = ws.stats();
    let output = ws.import();
    let after = ws.stats();
    for key in [
        "rooms",
        "accounts",
        "messages",
        "revisions",
        "files",
        "quarantined_rows",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(after["incomplete_imports"], 0);
    let summary = stdout(&output);
    assert!(
        summary.contains("前回から変わらず読み飛ばし 3 件"),
        "{summary}"
    );
    assert!(summary.contains("メッセージ 0 件"), "{summary}");
}

#[test]
fn redownloaded_export_keeps_old_body() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "4001",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "明日の会議は10時からです",
    )]);
    ws.import();

    // A later download of the same chat, after the message was edited.
    ws.write_messages(
        "55",
        &[row(&[
            "4001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "2023-04-02 08:00:00",
            "明日の会議は11時からです",
        ])],
    );
    ws.import();

    assert_eq!(body_of(&ws.db(), "4001"), "明日の会議は11時からです");
    let history: Vec<String> = revisions(&ws.case, "4001")
        .into_iter()
        .map(|r| r.2)
        .collect();
    assert_eq!(history, ["明日の会議は10時からです"]);
    let hits = ws.search(&["10時から"]);
    assert_eq!(ids_of(&hits), ["4001"]);
    assert_eq!(hits[0]["matched_in"], "history");
    assert_eq!(ws.stats()["messages"], 1);
}

#[test]
fn older_export_read_later_stays_history() {
    let ws = Workspace::new();
    let newer = [row(&[
        "4001",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "2023-04-02 08:00:00",
        "明日の会議は11時からです",
    ])];
    let older = [message_row(
        "4001",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "明日の会議は10時からです",
    )];
    ws.write_simple_room(&newer);
    ws.import();
    ws.write_messages("55", &older);
    ws.import();

    assert_eq!(body_of(&ws.db(), "4001"), "明日の会議は11時からです");
    assert_eq!(
        revisions(&ws.case, "4001"),
        [(
            "edit".to_string(),
            APRIL_FIRST_9_JST + 23 * 3600,
            "明日の会議は10時からです".to_string()
        )]
    );
    let hits = ws.search(&["10時から"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["matched_in"], "history");
    assert_eq!(ws.search(&["in:current", "11時から"]).len(), 1);

    // Reading both exports again changes nothing.
    ws.import();
    ws.write_messages("55", &newer);
    ws.import();
    assert_eq!(body_of(&ws.db(), "4001"), "明日の会議は11時からです");
    assert_eq!(ws.stats()["revisions"], 1);
}

#[test]
fn inline_history_rows_become_revisions() {
    let ws = Workspace::new();
    ws.write_members(&[
        ("55", "営業部", "7", "試験 太郎"),
        ("55", "営業部", "8", "見本 花子"),
    ]);
    // Each history row repeats the message ID and leaves the message columns empty.
    let header = [
        "メッセージID",
        "アカウントID",
        "名前",
        "送信日時",
        "更新日時",
        "本文",
        "操作",
        "操作日時",
        "操作前の本文",
    ];
    ws.write_room_file(
        "55",
        "messages.csv",
        &header,
        &[
            row(&[
                "5001",
                "7",
                "試験 太郎",
                "2023-04-01 09:00:00",
                "2023-04-01 09:10:00",
                "修正後の本文です",
                "",
                "",
                "",
            ]),
            row(&[
                "5001",
                "",
                "",
                "",
                "",
                "",
                "編集",
                "2023-04-01 09:10:00",
                "修正前の本文です",
            ]),
            row(&[
                "5002",
                "8",
                "見本 花子",
                "2023-04-01 09:20:00",
                "2023-04-01 09:30:00",
                "[delete]",
                "",
                "",
                "",
            ]),
            row(&[
                "5002",
                "",
                "",
                "",
                "",
                "",
                "削除",
                "2023-04-01 09:30:00",
                "消した本文です",
            ]),
        ],
    );
    ws.import();

    let stats = ws.stats();
    assert_eq!(stats["messages"], 2);
    assert_eq!(stats["revisions"], 2);
    assert_eq!(stats["deleted_messages"], 1);
    assert_eq!(stats["quarantined_rows"], 0);
    assert_eq!(ws.search_ids(&["in:history", "修正前"]), ["5001"]);
    assert_eq!(ws.search_ids(&["in:history", "消した"]), ["5002"]);
    assert_eq!(body_of(&ws.db(), "5001"), "修正後の本文です");
    assert_rows_add_up(&ws.db());
}

// API v2 JSON backups.

fn sample(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(path)
}

#[test]
fn api_backup_imports() {
    let ws = Workspace::new();
    let output = run([
        "import",
        sample("api-backup").to_str().unwrap(),
        "--case",
        ws.case.to_str().unwrap(),
        "--quiet",
        "--json",
        "--purpose",
        "テスト",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON summary");
    assert_eq!(report["layout"], "api_json");
    assert!(report["names_recovered"].as_u64().unwrap() >= 1);

    let raw = std::fs::read_to_string(sample("api-backup/rooms/253094622/messages.json")).unwrap();
    let messages: Vec<Value> = serde_json::from_str(&raw).unwrap();
    let first_id = messages[0]["message_id"]
        .as_str()
        .expect("message_id is a string");
    assert_eq!(first_id.len(), 19);
    assert!(
        stored(&ws.db(), first_id).is_some(),
        "{first_id} kept as written"
    );

    let mut deleted_in_backup = 0;
    for entry in walk(&sample("api-backup/rooms")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        deleted_in_backup += text.matches("\"body\": \"[deleted]\"").count();
    }
    assert!(deleted_in_backup > 0);
    let stats = ws.stats();
    assert_eq!(stats["deleted_messages"], deleted_in_backup as i64);
    assert_eq!(stats["rooms"], 3);
    assert_eq!(stats["quarantined_rows"], 0);
    assert_eq!(account(&ws.db(), "2361808").0, "前田 翔太");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

// Mapping files.

fn write_renamed_headers(ws: &Workspace) {
    ws.write_members(&[("55", "営業部", "7", "試験 太郎")]);
    ws.write_room_file(
        "55",
        "messages.csv",
        &["Msg No", "User", "Who", "Sent", "Edited", "Text"],
        &[message_row(
            "1001",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "対応表で読めた本文",
        )],
    );
}

#[test]
fn mapping_file_makes_export_readable() {
    let ws = Workspace::new();
    write_renamed_headers(&ws);
    let rejected = ws.import_with(&[]);
    assert_eq!(code(&rejected), 2, "{}", stderr(&rejected));

    let mapping = ws.root().join("mapping.toml");
    std::fs::write(
        &mapping,
        "[columns.messages]\nmessage_id = \"Msg No\"\naccount_id = \"User\"\nname = \"Who\"\n\
         send_time = \"Sent\"\nupdate_time = \"Edited\"\nbody = \"Text\"\n",
    )
    .unwrap();
    let output = ws.import_with(&["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(ws.search_ids(&["対応表で読めた"]), ["1001"]);
    assert_eq!(stored(&ws.db(), "1001").unwrap().sent_at, APRIL_FIRST_9_JST);
}

#[test]
fn mapping_with_unknown_field_is_rejected() {
    let ws = Workspace::new();
    write_renamed_headers(&ws);
    let mapping = ws.root().join("mapping.toml");
    std::fs::write(&mapping, "[columns.messages]\nbodyy = \"Text\"\n").unwrap();
    let output = ws.import_with(&["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    let error = stderr(&output);
    assert!(error.contains("bodyy"), "{error}");
    assert!(!ws.case.join("case.sqlite").exists(), "no case was created");
}

// Guards around the export and the case folder.

#[test]
fn case_inside_export_is_refused() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "1",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    let before = ws.export_fingerprint();
    let inside = ws.export.join("case");
    let output = run([
        "import",
        ws.export.to_str().unwrap(),
        "--case",
        inside.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("--case"), "{}", stderr(&output));
    assert!(!inside.exists());
    assert_eq!(ws.export_fingerprint(), before);
}

#[test]
fn import_leaves_export_untouched() {
    let ws = Workspace::new();
    write_history_export(&ws);
    let before = ws.export_fingerprint();
    assert_eq!(before.len(), 3);
    ws.import();
    ws.import();
    assert_eq!(ws.export_fingerprint(), before);
}

#[cfg(unix)]
#[test]
fn case_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "1",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    ws.import();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&ws.case), 0o700);
    assert_eq!(mode(&ws.case.join("case.sqlite")), 0o600);
    assert_eq!(mode(&ws.case.join("index")), 0o700);
}

#[test]
fn empty_folder_points_to_doctor() {
    let ws = Workspace::new();
    let output = ws.import_with(&[]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("cwlens doctor"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn doctor_prints_mapping_for_broken_export() {
    let ws = Workspace::new();
    write_renamed_headers(&ws);
    let output = run(["doctor", ws.export.to_str().unwrap()]);
    assert_ne!(code(&output), 0);
    let report = stdout(&output);
    assert!(report.contains("[columns.messages]"), "{report}");
    assert!(report.contains("--mapping"), "{report}");
}

/// On an export of no known layout, doctor lists the CSV files it found
/// with their headers, instead of pointing to itself.
#[test]
fn doctor_lists_headers_of_unknown_export() {
    let ws = Workspace::new();
    ws.write("logs/2024/log.csv", "ID,発言者,日時,内容\r\n1,a,b,c\r\n");
    ws.write("logs/other.CSV", with_bom("番号,本文\r\n"));
    let output = run(["doctor", ws.export.to_str().unwrap()]);
    assert_ne!(code(&output), 0);
    let report = stdout(&output);
    assert!(
        report.contains("logs/2024/log.csv: ID, 発言者, 日時, 内容"),
        "{report}"
    );
    assert!(report.contains("logs/other.CSV: 番号, 本文"), "{report}");
    assert!(!report.contains("cwlens doctor"), "{report}");
    assert!(report.contains("--mapping"), "{report}");
}

// Locks, crashes and damaged databases.

#[test]
fn held_lock_refuses_second_import() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "1",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    ws.import();
    let imports = ws.stats()["imports"].clone();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(ws.case.join("import.lock"))
        .unwrap();
    lock.try_lock().expect("the test takes the import lock");
    let output = ws.import_with(&["--lang", "en"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("another cwlens process is importing"),
        "{}",
        stderr(&output)
    );
    assert_eq!(ws.stats()["imports"], imports, "no import was started");
    drop(lock);
    ws.import();
}

/// Waits until the case database contains at least one committed message.
fn wait_for_first_commit(case: &Path, child: &mut std::process::Child) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before a commit was seen; write a larger export");
        }
        if case.join("case.sqlite").exists() {
            let committed = Connection::open_with_flags(
                case.join("case.sqlite"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .and_then(|conn| conn.query_row("SELECT count(*) FROM messages", [], |row| row.get(0)));
            if let Ok(count) = committed
                && count > 0
            {
                return count;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no commit within two minutes");
}

/// Writes a bulk export of `rooms` × `per_room` messages, starts importing
/// it in the background with a commit every 1,000 rows, and returns once
/// the first commit is visible.
fn start_bulk_import(ws: &Workspace, rooms: usize, per_room: usize) -> std::process::Child {
    write_bulk_export(&ws.export, rooms, per_room);
    let mut child = Command::new(binary())
        .arg("import")
        .arg(&ws.export)
        .arg("--case")
        .arg(&ws.case)
        .args(["--quiet", "--batch-rows", "1000", "--purpose", "テスト"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_first_commit(&ws.case, &mut child);
    child
}

#[cfg(unix)]
#[test]
fn running_import_rejects_other_writers() {
    let ws = Workspace::new();
    // Large enough that reading it outlasts the checks below by far: the
    // test stops the import before it ends.
    let mut child = start_bulk_import(&ws, 4, 125_000);
    let case = ws.case.to_str().unwrap();

    let stats = run(["stats", "--json", "--case", case]);
    assert_eq!(code(&stats), 0, "stats reads during the import");
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["incomplete_imports"], 1);
    // The first import builds the index only after its last row.
    let search = run(["--lang", "en", "search", "--case", case, "件"]);
    assert_eq!(code(&search), 2, "search");
    assert!(
        stderr(&search).contains("another cwlens process is importing"),
        "{}",
        stderr(&search)
    );
    let second = ws.import_with(&["--lang", "en"]);
    assert_eq!(code(&second), 2, "a second import");
    assert!(
        stderr(&second).contains("another cwlens process is importing"),
        "{}",
        stderr(&second)
    );
    let reindex = run(["--lang", "en", "reindex", "--case", case, "--quiet"]);
    assert_eq!(code(&reindex), 2, "reindex");
    assert!(
        stderr(&reindex).contains("another cwlens process is importing"),
        "{}",
        stderr(&reindex)
    );
    let out = ws.root().join("during-import.csv");
    let out = out.to_str().unwrap();
    for (label, args) in [
        ("compact", vec!["compact", "--case", case]),
        (
            "export",
            vec!["export", "--case", case, "--format", "csv", "--out", out],
        ),
    ] {
        let output = run([&["--lang", "en"][..], &args].concat());
        assert_eq!(code(&output), 2, "{label}");
        assert!(
            stderr(&output).contains("another cwlens process is importing"),
            "{label}: {}",
            stderr(&output)
        );
    }
    assert!(!Path::new(out).exists(), "an export was written");

    let still_importing = count(
        &ws.db(),
        "SELECT count(*) FROM imports WHERE status = 'running'",
    );
    assert_eq!(still_importing, 1, "the checks ran while rows were read");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[cfg(unix)]
#[test]
fn killed_import_resumes_cleanly() {
    const ROOMS: usize = 4;
    const PER_ROOM: usize = 25_000;
    let total = (ROOMS * PER_ROOM) as i64;
    let ws = Workspace::new();
    let mut child = start_bulk_import(&ws, ROOMS, PER_ROOM);

    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = count(&ws.db(), "SELECT count(*) FROM messages");
    assert!(
        at_kill < total,
        "the kill came after the last message ({at_kill})"
    );
    assert_eq!(ws.stats()["incomplete_imports"], 1);
    let check: String = ws
        .db()
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Until the import completes, the index and the room counts lag the
    // messages: a search or an export would report too little.
    let case = ws.case.to_str().unwrap();
    let out = ws.root().join("unfinished.csv");
    for args in [
        vec!["search", "--case", case, "件"],
        vec![
            "export",
            "--case",
            case,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    ] {
        let output = run([&["--lang", "en"][..], &args].concat());
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(
            stderr(&output).contains("the last import into"),
            "{}",
            stderr(&output)
        );
    }

    let resumed = ws.import();
    assert!(
        stderr(&resumed).contains("途中で終わっています"),
        "{}",
        stderr(&resumed)
    );
    let db = ws.db();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), total);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT DISTINCT room_key, message_id FROM messages)"
        ),
        total
    );
    let mut resumed_stats = ws.stats();

    let clean = Workspace::new();
    let output = run([
        "import",
        ws.export.to_str().unwrap(),
        "--case",
        clean.case.to_str().unwrap(),
        "--quiet",
        "--purpose",
        "テスト",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let mut clean_stats = clean.stats();
    assert_eq!(resumed_stats["imports"], 2);
    assert_eq!(resumed_stats["incomplete_imports"], 0);
    for stats in [&mut resumed_stats, &mut clean_stats] {
        stats.as_object_mut().unwrap().remove("imports");
    }
    assert_eq!(resumed_stats, clean_stats);

    let indexed = run([
        "search",
        "--case",
        ws.case.to_str().unwrap(),
        "--count",
        "件",
    ]);
    assert_eq!(stdout(&indexed).trim(), total.to_string());
}

#[test]
fn production_pragmas_are_wal_and_normal() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "1",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    ws.import();
    let journal: String = ws
        .db()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let case = cwlens::store::Case::open(&ws.case).unwrap();
    let synchronous: i64 = case
        .conn()
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap();
    assert_eq!(synchronous, 1, "synchronous = NORMAL");
    let journal: String = case
        .conn()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn truncated_database_is_reported_damaged() {
    let ws = Workspace::new();
    write_history_export(&ws);
    ws.import();
    let path = ws.case.join("case.sqlite");
    // Move every page into case.sqlite, so the cut below loses data.
    let conn = Connection::open(&path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let intact = std::fs::read(&path).unwrap();
    for length in [intact.len() / 2, 1, 0] {
        std::fs::write(&path, &intact[..length]).unwrap();
        for args in [["stats", "--json"], ["search", "本文"]] {
            let output = cwlens()
                .args(["--lang", "en", args[0], "--case"])
                .arg(&ws.case)
                .arg(args[1])
                .output()
                .unwrap();
            let error = stderr(&output);
            assert_eq!(code(&output), 2, "{length} bytes, {args:?}: {error}");
            assert!(
                error.contains("damaged"),
                "{length} bytes, {args:?}: {error}"
            );
            assert!(
                !error.contains("panicked"),
                "{length} bytes, {args:?}: {error}"
            );
        }
        let reimport = ws.import_with(&["--lang", "en"]);
        assert_eq!(
            code(&reimport),
            2,
            "{length} bytes: import into the damaged case"
        );
        assert!(
            stderr(&reimport).contains("damaged"),
            "{}",
            stderr(&reimport)
        );
    }
}

// Size.

#[test]
fn ten_thousand_rooms_import() {
    const ROOMS: usize = 10_000;
    let ws = Workspace::new();
    write_bulk_export(&ws.export, ROOMS, 1);
    let started = Instant::now();
    ws.import();
    eprintln!(
        "10,000 rooms imported in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let stats = ws.stats();
    assert_eq!(stats["rooms"], ROOMS as i64);
    assert_eq!(stats["messages"], ROOMS as i64);
    let indexed = run([
        "search",
        "--case",
        ws.case.to_str().unwrap(),
        "--count",
        "件",
    ]);
    assert_eq!(stdout(&indexed).trim(), ROOMS.to_string());
}

#[test]
fn five_megabyte_body_is_searchable() {
    let ws = Workspace::new();
    let mut body = String::with_capacity(5 << 20);
    while body.len() < 5 << 20 {
        body.push_str("長い本文の一部です。abc 123 ");
    }
    body.push_str("終端の目印");
    ws.write_simple_room(&[
        message_row("9001", "7", "試験 太郎", "2023-04-01 09:00:00", &body),
        message_row("9002", "8", "見本 花子", "2023-04-01 09:01:00", "短い本文"),
    ]);
    ws.import();
    assert_eq!(body_of(&ws.db(), "9001").len(), body.len());
    let hits = ws.search(&["終端の目印"]);
    assert_eq!(ids_of(&hits), ["9001"]);
    assert!(hits[0]["snippet"].as_str().unwrap().contains("終端の目印"));
}

/// Returns the `replaced` count of the last index build in the case log.
fn last_replaced(ws: &Workspace) -> u64 {
    let log = std::fs::read_to_string(ws.case.join("logs/cwlens.log")).expect("case log");
    let line = log
        .lines()
        .rev()
        .find(|line| line.contains("index built during import"))
        .expect("an index build in the log");
    let value = line.split("replaced=").nth(1).expect("replaced count");
    value
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .expect("a number")
}

#[test]
fn messages_are_indexed_once_with_their_change_log() {
    let ws = Workspace::new();
    write_history_export(&ws);
    // One row per batch: the indexer is asked to catch up after every row,
    // before the room's change log has been read.
    let output = ws.import_with(&["--batch-rows", "1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(last_replaced(&ws), 0, "no message was indexed twice");
    assert_eq!(ws.search_ids(&["10万円"]), ["3001"]);
    assert_eq!(ws.search_ids(&["版A"]), ["3003"]);
    assert_eq!(ws.search_ids(&["確認しません"]), ["3002"]);

    // A later export changed 3002: the message indexed by the first import
    // gains its old body as a version and is indexed again.
    ws.write_simple_room(&[row(&[
        "3002",
        "8",
        "見本 花子",
        "2023-04-01 10:00:00",
        "2023-04-02 10:00:00",
        "確認済みです",
    ])]);
    let output = ws.import_with(&["--batch-rows", "1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(last_replaced(&ws), 1);
    assert_eq!(ws.search_ids(&["確認済み"]), ["3002"]);
    assert_eq!(ws.search_ids(&["確認します"]), ["3002"]);
}

#[test]
fn file_cut_inside_quotes_is_reported() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        message_row("4001", "7", "試験 太郎", "2023-04-01 09:00:00", "一つ目"),
        message_row(
            "4002",
            "8",
            "見本 花子",
            "2023-04-01 10:00:00",
            "二行の\n本文はここで切れずに続きます",
        ),
    ]);
    let path = ws.export.join(MESSAGES_PATH);
    let intact = std::fs::read(&path).unwrap();
    let balanced = ws.import();
    assert!(
        !stdout(&balanced).contains("引用符の途中"),
        "{}",
        stdout(&balanced)
    );

    // Cut the file inside the quoted body of the last record.
    let text = String::from_utf8(intact).unwrap();
    let cut = text.find("切れずに").unwrap();
    std::fs::write(&path, &text.as_bytes()[..cut]).unwrap();
    let output = ws.import_with(&["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        report["cut_files"],
        serde_json::json!([{ "path": MESSAGES_PATH, "record": 2, "line": 3, "inside_quote": true }])
    );
    let summary = ws.import_with(&["--lang", "en"]);
    assert!(
        !stdout(&summary).contains("quoted field"),
        "an unchanged file is skipped, so it is not read again"
    );
}

/// A file cut right after a field separator ends outside any quote. Its
/// last record is imported as read, and the summary warns that the file
/// may be cut short.
#[test]
fn file_cut_without_line_break_is_reported() {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        message_row("4101", "7", "試験 太郎", "2023-04-01 09:00:00", "一つ目"),
        message_row("4102", "8", "見本 花子", "2023-04-01 10:00:00", "二つ目"),
    ]);
    let path = ws.export.join(MESSAGES_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.rfind("二つ目").unwrap();
    assert!(text[..cut].ends_with(','), "{text}");
    std::fs::write(&path, &text.as_bytes()[..cut]).unwrap();
    let output = ws.import_with(&["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        report["cut_files"],
        serde_json::json!([{ "path": MESSAGES_PATH, "record": 2, "line": 3, "inside_quote": false }])
    );
}

/// A missing members file, a room folder without its messages file and an
/// empty messages file each get a note naming the path.
#[test]
fn missing_and_empty_files_are_reported() {
    let ws = Workspace::new();
    ws.write_messages(
        "55",
        &[message_row(
            "4201",
            "7",
            "試験 太郎",
            "2023-04-01 09:00:00",
            "本文",
        )],
    );
    write_file(
        &ws.export
            .join(Workspace::room_dir("66"))
            .join("messages.csv"),
        b"",
    );
    std::fs::create_dir_all(ws.export.join(Workspace::room_dir("77"))).unwrap();
    // The members file is written with the room folders and removed before
    // the import, which then finds a rooms folder only.
    ws.write_members(&[("55", "営業部", "7", "試験 太郎")]);
    std::fs::remove_file(ws.export.join("members/members.csv")).unwrap();

    let output = ws.import_with(&["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let missing: Vec<(String, String)> = report["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["path"].as_str().unwrap().to_string(),
                item["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let room = |id: &str| Workspace::room_dir(id);
    assert_eq!(
        missing,
        [
            (
                "members/members.csv".to_string(),
                "no_members_file".to_string()
            ),
            (room("77"), "no_messages_file".to_string()),
            (
                format!("{}/messages.csv", room("66")),
                "empty_file".to_string()
            ),
        ]
    );

    // Without the members file the room has no name; search shows its ID.
    let found = run(["search", "--case", ws.case.to_str().unwrap(), "本文"]);
    assert!(
        stdout(&found).contains("[名前なし ID:55]"),
        "{}",
        stdout(&found)
    );

    let summary = ws.import_with(&["--lang", "ja"]);
    let text = stdout(&summary);
    assert!(text.contains("members/members.csv がありません"), "{text}");
    assert!(
        text.contains(&format!(
            "ルームのフォルダ {} にメッセージのファイルがありません",
            room("77")
        )),
        "{text}"
    );
}

#[test]
fn reimport_of_integer_ids_adds_nothing() {
    // `7` and `1570000000000000001` are stored as SQLite INTEGERs, the
    // others as TEXT.
    let ids = [
        "7",
        "007",
        "1570000000000000001",
        "9223372036854775808",
        "12a",
    ];
    let rows = |changed: &[&str]| -> Vec<Vec<String>> {
        ids.iter()
            .enumerate()
            .map(|(minute, id)| {
                let sent = format!("2023-04-01 09:{minute:02}:00");
                let body = if changed.contains(id) {
                    "直した本文"
                } else {
                    "本文"
                };
                message_row(id, "7", "試験 太郎", &sent, body)
            })
            .collect()
    };
    let ws = Workspace::new();
    ws.write_simple_room(&rows(&[]));
    ws.import();
    let last_import = |db: &Connection| -> (i64, i64, i64) {
        db.query_row(
            "SELECT rows_read, messages_added, revisions_added FROM imports
             ORDER BY import_id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap()
    };
    // Two rows of members.csv and five messages.
    assert_eq!(last_import(&ws.db()), (7, 5, 0));

    // The same rows in reverse order: the file's hash changes, so the
    // importer reads every row again instead of skipping the file.
    let mut reversed = rows(&[]);
    reversed.reverse();
    ws.write_messages("55", &reversed);
    ws.import();
    assert_eq!(last_import(&ws.db()), (5, 0, 0));

    // Later downloads that change one body of each storage class: the
    // stored row is found, and its old body becomes a revision.
    ws.write_messages("55", &rows(&["007"]));
    ws.import();
    assert_eq!(last_import(&ws.db()), (5, 0, 1));
    ws.write_messages("55", &rows(&["007", "1570000000000000001"]));
    ws.import();
    assert_eq!(last_import(&ws.db()), (5, 0, 1));

    let db = ws.db();
    assert_eq!(count(&db, "SELECT count(*) FROM messages"), 5);
    assert_eq!(body_of(&db, "007"), "直した本文");
    assert_eq!(body_of(&db, "7"), "本文");
    assert_eq!(body_of(&db, "1570000000000000001"), "直した本文");
    assert_eq!(revisions(&ws.case, "007").len(), 1);
    assert_eq!(revisions(&ws.case, "7").len(), 0);
    assert_eq!(revisions(&ws.case, "1570000000000000001").len(), 1);
}

/// A file in an encoding cwlens does not read fails the import with a
/// message about the encoding, not about column names, and `stats` shows
/// that error afterwards.
#[test]
fn unreadable_encoding_is_named() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "4301",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    let path = ws.export.join(MESSAGES_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let (euc, _, _) = encoding_rs::EUC_JP.encode(text.trim_start_matches('\u{FEFF}'));
    std::fs::write(&path, &euc).unwrap();

    let output = ws.import_with(&[]);
    assert_eq!(code(&output), 2, "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("{MESSAGES_PATH}: 見出し行を")),
        "{message}"
    );
    assert!(!message.contains("--mapping"), "{message}");

    let stats = cwlens()
        .args(["stats", "--case"])
        .arg(&ws.case)
        .output()
        .unwrap();
    assert!(
        stdout(&stats).contains("最後の取り込みは次のエラーで失敗しました"),
        "{}",
        stdout(&stats)
    );
}

/// Lists `cwlens quarantine --json` as parsed objects.
fn quarantined(ws: &Workspace) -> Vec<Value> {
    let listed = run(["quarantine", "--json", "--case", ws.case.to_str().unwrap()]);
    assert_eq!(code(&listed), 0, "{}", stderr(&listed));
    stdout(&listed)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The quarantine keeps a record's bytes as they are in the file, with the
/// file's own line break.
#[test]
fn quarantined_record_keeps_its_bytes() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let text = "メッセージID,アカウントID,名前,送信日時,更新日時,本文\n\
                4401,7,試験 太郎,2023-04-01 09:00:00,,一つ目\n\
                4402,7,列が足りない行\n\
                4403,8,見本 花子,2023-04-01 09:10:00,,三つ目\n";
    write_file(&ws.export.join(MESSAGES_PATH), text.as_bytes());
    ws.import();
    let rows = quarantined(&ws);
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["raw"], "4402,7,列が足りない行\n");
    let hex: String = "4402,7,列が足りない行\n"
        .bytes()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(rows[0]["raw_hex"], hex);
    assert_eq!(ws.search_ids(&["三つ目"]), ["4403"]);
}

/// A body whose opening quote is never closed swallows the records after
/// it. The record goes to the quarantine with the line it starts on, and
/// keeps the swallowed text, so nothing is lost.
#[test]
fn unclosed_quote_is_quarantined_with_its_line() {
    let ws = Workspace::new();
    ws.write_simple_room(&[]);
    let text = "メッセージID,アカウントID,名前,送信日時,更新日時,本文\r\n\
                4501,7,試験 太郎,2023-04-01 09:00:00,,一つ目\r\n\
                4500,7,試験 太郎,2023-04-01 09:01:00,,\"差異の件\n8,105,000円,1,531,000円,2社, 3社\"\r\n\
                4502,7,試験 太郎,2023-04-01 09:05:00,,\"閉じていない本文\r\n\
                4503,8,見本 花子,2023-04-01 09:10:00,,飲み込まれる本文\r\n\
                4504,8,見本 花子,2023-04-01 09:20:00,,\"引用符のある本文\"\r\n";
    write_file(&ws.export.join(MESSAGES_PATH), text.as_bytes());

    let output = ws.import_with(&["--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // The unclosed quote explains the odd number of quotes: no cut file.
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["cut_files"], serde_json::json!([]));

    let rows = quarantined(&ws);
    let swallowing = rows
        .iter()
        .find(|row| row["record"] == 3)
        .unwrap_or_else(|| panic!("{rows:#?}"));
    assert_eq!(swallowing["line"], 5);
    let reason = swallowing["reason"].as_str().unwrap();
    assert!(reason.contains("引用符が閉じていない"), "{reason}");
    assert!(
        swallowing["raw"]
            .as_str()
            .unwrap()
            .contains("4503,8,見本 花子"),
        "{swallowing}"
    );

    assert_eq!(ws.search_ids(&["一つ目"]), ["4501"]);
    // Numbers with thousands separators in a body are no record.
    assert_eq!(ws.search_ids(&["差異の件"]), ["4500"]);
}

/// A new case records why the export is read: without `--purpose` nothing
/// is created. A later import into the case may leave it out.
#[test]
fn new_case_needs_a_purpose() {
    let ws = Workspace::new();
    ws.write_simple_room(&[message_row(
        "4601",
        "7",
        "試験 太郎",
        "2023-04-01 09:00:00",
        "本文",
    )]);
    let case = ws.case.to_str().unwrap();
    let export = ws.export.to_str().unwrap();
    let output = run(["import", export, "--case", case, "--quiet"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--purpose"), "{}", stderr(&output));
    assert!(!ws.case.exists());

    ws.import();
    let again = run(["import", export, "--case", case, "--quiet"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
}
