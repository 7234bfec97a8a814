//! The audit trail through the command line: `cwlens verify` notices every
//! change to the export or to the case's records of it, and what an
//! investigator does from the CLI reaches `cwlens audit`.

mod common;

use common::*;
use std::path::Path;

use rusqlite::Connection;
use serde_json::Value;

const MESSAGES_PATH: &str = "rooms/x1/55/messages.csv";

/// Imports a case with a few messages about checks (確認).
fn imported() -> Workspace {
    let ws = Workspace::new();
    ws.write_simple_room(&[
        row(&[
            "1001",
            "7",
            "試験 太郎",
            "2024-03-01 09:00:00",
            "",
            "見積書の確認をお願いします",
        ]),
        row(&[
            "1002",
            "8",
            "見本 花子",
            "2024-03-01 09:05:00",
            "",
            "確認済みです",
        ]),
        row(&[
            "1003",
            "7",
            "試験 太郎",
            "2024-03-01 09:10:00",
            "",
            "契約書も確認してください",
        ]),
        row(&[
            "1004",
            "8",
            "見本 花子",
            "2024-03-01 09:15:00",
            "",
            "承知しました",
        ]),
        row(&[
            "1005",
            "7",
            "試験 太郎",
            "2024-03-01 09:20:00",
            "",
            "カクニン済みの件は除きます",
        ]),
    ]);
    ws.import();
    ws
}

/// Runs `cwlens --lang en verify --case CASE` and returns its exit code and output.
fn verify(ws: &Workspace) -> (i32, String) {
    let output = cwlens()
        .args(["--lang", "en", "verify", "--case"])
        .arg(&ws.case)
        .output()
        .unwrap();
    (code(&output), stdout(&output))
}

/// Opens the case database for writing, as someone tampering with it would.
fn writable(ws: &Workspace) -> Connection {
    Connection::open(ws.case.join("case.sqlite")).unwrap()
}

/// Lists every audit entry through `cwlens audit --json`, with its `detail` parsed.
fn audit_entries(ws: &Workspace) -> Vec<Value> {
    let output = cwlens()
        .args(["audit", "--json", "--case"])
        .arg(&ws.case)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|line| {
            let mut entry: Value = serde_json::from_str(line).unwrap();
            let detail: Value = serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
            entry["detail"] = detail;
            entry
        })
        .collect()
}

#[test]
fn verify_passes_fresh_import() {
    let ws = imported();
    let (code, report) = verify(&ws);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("all clear"), "{report}");
}

#[test]
fn verify_reports_changed_source_file() {
    let ws = imported();
    let path = ws.export.join(MESSAGES_PATH);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice("1006,7,試験 太郎,2024-03-01 09:30:00,,後から足した行\r\n".as_bytes());
    std::fs::write(&path, bytes).unwrap();
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("changed: {MESSAGES_PATH}")),
        "{report}"
    );
}

#[test]
fn verify_reports_removed_source_file() {
    let ws = imported();
    std::fs::remove_file(ws.export.join(MESSAGES_PATH)).unwrap();
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("missing: {MESSAGES_PATH}")),
        "{report}"
    );
}

#[test]
fn verify_reports_unimported_file() {
    let ws = imported();
    ws.write_room_file(
        "66",
        "messages.csv",
        &MESSAGES_HEADER,
        &[row(&[
            "2001",
            "7",
            "試験 太郎",
            "2024-03-02 09:00:00",
            "",
            "後から来た部屋",
        ])],
    );
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("not imported: rooms/x1/66/messages.csv"),
        "{report}"
    );
}

/// After an import that stopped midway, verify names the export once
/// instead of listing every file the import had not read yet.
#[test]
fn verify_names_an_unfinished_import_once() {
    let ws = imported();
    for room in ["66", "77"] {
        ws.write_room_file(
            room,
            "messages.csv",
            &MESSAGES_HEADER,
            &[row(&[
                "2001",
                "7",
                "試験 太郎",
                "2024-03-02 09:00:00",
                "",
                "未読",
            ])],
        );
    }
    writable(&ws)
        .execute("UPDATE imports SET status = 'failed'", [])
        .unwrap();
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("export whose import did not finish"),
        "{report}"
    );
    assert!(!report.contains("not imported:"), "{report}");

    // The same import run again completes the case, and verify lists
    // nothing the new files do not explain. The log names the interrupted
    // import.
    ws.import();
    let (code, report) = verify(&ws);
    assert_eq!(code, 0, "{report}");
    let entries = audit_entries(&ws);
    let resumed: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["action"] == "import_resumed")
        .collect();
    assert_eq!(resumed.len(), 1, "{entries:#?}");
    assert_eq!(resumed[0]["detail"]["unfinished_status"], "failed");
    assert_eq!(resumed[0]["detail"]["unfinished_import_id"], 1);
}

#[test]
fn verify_passes_after_new_download() {
    let ws = imported();
    ws.write_messages(
        "55",
        &[row(&[
            "1001",
            "7",
            "試験 太郎",
            "2024-03-01 09:00:00",
            "2024-03-02 09:00:00",
            "見積書の確認は不要です",
        ])],
    );
    ws.import();
    let (code, report) = verify(&ws);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn verify_reports_changed_audit_entry() {
    let ws = imported();
    writable(&ws)
        .execute(
            "UPDATE audit_log SET investigator = '別人' WHERE seq = 1",
            [],
        )
        .unwrap();
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("audit entry 1: was changed"), "{report}");

    let japanese = cwlens()
        .args(["verify", "--case"])
        .arg(&ws.case)
        .output()
        .unwrap();
    let report = stdout(&japanese);
    assert!(
        report.contains("監査ログのエントリ 1: 書き込まれた後に変更されています"),
        "{report}"
    );
}

#[test]
fn verify_reports_deleted_audit_entry() {
    let ws = imported();
    let searched = run(["search", "--case", ws.case.to_str().unwrap(), "確認"]);
    assert_eq!(code(&searched), 0);
    let entries = audit_entries(&ws).len();
    assert!(entries >= 3, "{entries} entries");
    writable(&ws)
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap();
    let (code, report) = verify(&ws);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("audit entry 3: entries 2 to 2 are missing"),
        "{report}"
    );
}

/// Deleting the newest entries leaves a chain that links. The head hash
/// written down from `cwlens audit` catches it.
#[test]
fn verify_head_catches_deleted_last_entries() {
    let ws = imported();
    let listed = run(["audit", "--case", ws.case.to_str().unwrap()]);
    let listing = stdout(&listed);
    let head = listing
        .lines()
        .last()
        .and_then(|line| line.rsplit(": ").next())
        .unwrap()
        .to_string();
    assert_eq!(head.len(), 64, "{listing}");
    let case = ws.case.to_str().unwrap();
    let current = run(["verify", "--case", case, "--head", &head]);
    assert_eq!(code(&current), 0, "{}", stdout(&current));
    let invalid = run(["verify", "--case", case, "--head", "zzz"]);
    assert_eq!(code(&invalid), 1);
    assert!(
        stdout(&invalid).contains("最新エントリのハッシュではありません"),
        "{}",
        stdout(&invalid)
    );

    let searched = run(["search", "--case", case, "確認"]);
    assert_eq!(code(&searched), 0);
    let newest: i64 = writable(&ws)
        .query_row("SELECT max(seq) FROM audit_log", [], |row| row.get(0))
        .unwrap();
    // Everything from the written-down entry on is removed.
    writable(&ws)
        .execute(
            "DELETE FROM audit_log WHERE seq >= (SELECT seq FROM audit_log WHERE hash = ?1)",
            [&head],
        )
        .unwrap();
    assert!(newest > 2);
    let plain = run(["--lang", "en", "verify", "--case", case]);
    assert_eq!(code(&plain), 0, "without --head the shorter chain links");
    let checked = run(["verify", "--case", case, "--head", &head]);
    assert_eq!(code(&checked), 1, "{}", stdout(&checked));
    assert!(
        stdout(&checked).contains(&format!(
            "控えておいたハッシュ {head} のエントリがありません"
        )),
        "{}",
        stdout(&checked)
    );
}

#[test]
fn verify_reports_changed_source_files_row() {
    let tamperings = [
        (
            "size",
            "UPDATE source_files SET size = size + 1 WHERE path = ?1",
        ),
        (
            "path",
            "UPDATE source_files SET path = path || '.old' WHERE path = ?1",
        ),
        (
            "rows read",
            "UPDATE source_files SET rows_read = rows_read - 1 WHERE path = ?1",
        ),
        (
            "rows imported",
            "UPDATE source_files SET rows_imported = rows_imported - 1 WHERE path = ?1",
        ),
        (
            "rows quarantined",
            "UPDATE source_files SET rows_quarantined = rows_quarantined + 1 WHERE path = ?1",
        ),
        (
            "encoding",
            "UPDATE source_files SET encoding = 'cp932' WHERE path = ?1",
        ),
    ];
    for (label, sql) in tamperings {
        let ws = imported();
        let changed = writable(&ws).execute(sql, [MESSAGES_PATH]).unwrap();
        assert_eq!(changed, 1, "{label}");
        let (code, report) = verify(&ws);
        assert_eq!(code, 1, "{label}: {report}");
        assert!(
            report.contains("the source files recorded for import 1 were changed"),
            "{label}: {report}"
        );
    }
}

#[test]
fn cli_search_and_tag_reach_audit() {
    let ws = imported();
    let case = ws.case.to_str().unwrap().to_string();
    assert_eq!(code(&run(["search", "--case", &case, "確認", "-済み"])), 0);
    assert_eq!(
        code(&run(["search", "--case", &case, "--count", "承知"])),
        0
    );
    let tagged = run(["tag", "--case", &case, "--message", "1004", "--add", "証拠"]);
    assert_eq!(code(&tagged), 0, "{}", stderr(&tagged));

    let entries = audit_entries(&ws);
    let searches: Vec<&Value> = entries.iter().filter(|e| e["action"] == "search").collect();
    let queries: Vec<&str> = searches
        .iter()
        .map(|entry| entry["detail"]["query"].as_str().unwrap())
        .collect();
    assert_eq!(queries, ["確認 -済み", "承知"]);
    assert_eq!(searches[1]["detail"]["count"], 1);
    let tag = entries
        .iter()
        .find(|entry| entry["action"] == "tag_add")
        .expect("a tag_add entry");
    assert_eq!(tag["detail"]["tag"], "証拠");
    assert_eq!(tag["detail"]["message_ids"], serde_json::json!(["1004"]));
    let (code, report) = verify(&ws);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn bulk_tag_matches_query_results() {
    let ws = imported();
    let case = ws.case.to_str().unwrap().to_string();
    let query = "確認 -済み";
    let expected = ws.search_ids(&["確認", "-済み"]);
    assert_eq!(expected, ["1001", "1003"]);

    let output = run(["tag", "--case", &case, "--query", query, "--add", "要確認"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("2 件"), "{}", stdout(&output));
    assert_eq!(ws.search_ids(&["tag:要確認"]), expected);

    let entries = audit_entries(&ws);
    let tag = entries
        .iter()
        .find(|entry| entry["action"] == "tag_add")
        .expect("a tag_add entry");
    assert_eq!(tag["detail"]["query"], query);
    let mut tagged: Vec<String> = tag["detail"]["message_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect();
    tagged.sort();
    assert_eq!(tagged, expected);

    let removed = run([
        "tag",
        "--case",
        &case,
        "--query",
        query,
        "--remove",
        "要確認",
    ]);
    assert_eq!(code(&removed), 0);
    assert!(ws.search_ids(&["tag:要確認"]).is_empty());
}

/// A case imported from two export folders checks each file in the folder
/// it was read from, and names that folder when a file is missing.
#[test]
fn verify_checks_each_export_folder() {
    let ws = imported();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
    let output = cwlens()
        .args(["import", "--quiet", "--case"])
        .arg(&ws.case)
        .arg(&sample)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let (code_after, report) = verify(&ws);
    assert_eq!(code_after, 0, "{report}");
    assert!(report.contains("all clear"), "{report}");

    std::fs::remove_file(ws.export.join(MESSAGES_PATH)).unwrap();
    let (code_missing, report) = verify(&ws);
    assert_eq!(code_missing, 1, "{report}");
    let folder = ws.export.canonicalize().unwrap();
    let expected = format!("missing: {MESSAGES_PATH} ({})", folder.display());
    assert!(report.contains(&expected), "{report}");
    assert_eq!(report.matches("missing:").count(), 1, "{report}");
}

/// An invalid tag stops `tag` with a Japanese message, for adding and for
/// removing alike, and nothing reaches the audit log.
#[test]
fn invalid_tag_is_rejected_in_japanese() {
    let ws = imported();
    let before = audit_entries(&ws).len();
    for change in ["--add", "--remove"] {
        let output = cwlens()
            .args(["tag", "--case"])
            .arg(&ws.case)
            .args(["--query", "確認", change, "改行\nあり"])
            .output()
            .unwrap();
        assert_eq!(code(&output), 2, "{change}");
        assert!(
            stderr(&output).contains("使えません"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(audit_entries(&ws).len(), before);
}

/// A later import that names another investigator or purpose changes the
/// case's record, reports it, and leaves the old and new values in the log.
#[test]
fn changed_purpose_reaches_audit() {
    let ws = imported();
    let output = ws.import_with(&["--investigator", "監査 次郎", "--purpose", "再調査"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("調査担当者と目的を更新しました"),
        "{}",
        stderr(&output)
    );
    let entries = audit_entries(&ws);
    let changes: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["action"] == "case_info_changed")
        .collect();
    assert_eq!(changes.len(), 1, "{entries:#?}");
    let detail = &changes[0]["detail"];
    assert_eq!(detail["investigator"]["after"], "監査 次郎");
    assert_eq!(detail["purpose"]["after"], "再調査");
    assert_ne!(detail["purpose"]["before"], "再調査");

    // The same values again change nothing and log nothing.
    let again = ws.import_with(&["--investigator", "監査 次郎", "--purpose", "再調査"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("更新しました"),
        "{}",
        stderr(&again)
    );
    let count = audit_entries(&ws)
        .iter()
        .filter(|entry| entry["action"] == "case_info_changed")
        .count();
    assert_eq!(count, 1);
}

/// The listing shows times in the investigator's zone; JSON keeps the
/// recorded UTC time, which the hash covers.
#[test]
fn audit_listing_shows_local_times() {
    let ws = imported();
    let case = ws.case.to_str().unwrap();
    let listed = stdout(&run(["audit", "--case", case]));
    let first = listed.lines().next().unwrap();
    assert!(first.contains("+09:00"), "{first}");
    let utc = stdout(&run(["audit", "--case", case, "--tz", "UTC"]));
    assert!(utc.lines().next().unwrap().contains("+00:00"), "{utc}");
    let entries = audit_entries(&ws);
    assert!(
        entries[0]["at"].as_str().unwrap().ends_with('Z'),
        "{entries:#?}"
    );
}
