//! `cwlens search` on the bundled sample: mistakes in filters stop the
//! search instead of widening it.

use assert_cmd::Command;
use std::path::Path;

fn sample_case(dir: &Path) -> std::path::PathBuf {
    let case = dir.join("case");
    Command::cargo_bin("cwlens")
        .unwrap()
        .args(["import", "sample-data/chatwork-export", "--quiet"])
        .args(["--purpose", "テスト", "--case"])
        .arg(&case)
        .assert()
        .success();
    case
}

fn search(case: &Path, query: &str) -> std::process::Output {
    Command::cargo_bin("cwlens")
        .unwrap()
        .args(["--lang", "en", "search", "--case"])
        .arg(case)
        .arg(query)
        .output()
        .unwrap()
}

#[test]
fn bad_filters_stop_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    for query in [
        "after:2024-13-01 給料泥棒",
        "is:delted",
        "has:video 給料泥棒",
    ] {
        let output = search(&case, query);
        assert_eq!(output.status.code(), Some(2), "{query}");
        assert!(output.stdout.is_empty(), "{query}: printed results");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("not"), "{query}: {stderr}");
    }
}

#[test]
fn mistyped_filter_name_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let output = search(&case, "form:権藤 給料泥棒");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("form: is not a filter"), "{stderr}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn valid_query_prints_hits() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let output = search(&case, "給料泥棒");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 3);
}

#[test]
fn option_after_query_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    for trailing in [&["--limit", "1"][..], &["--json"], &["--tz=UTC"]] {
        let output = Command::cargo_bin("cwlens")
            .unwrap()
            .args(["--lang", "en", "search", "--case"])
            .arg(&case)
            .arg("ばか")
            .args(trailing)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{trailing:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("put options before the query"), "{stderr}");
        assert!(output.stdout.is_empty(), "{trailing:?}");
    }
    // Quoted, the same text is an ordinary word.
    let quoted = search(&case, "\"--limit\"");
    assert_eq!(quoted.status.code(), Some(1));
}

#[test]
fn missing_keyword_list_is_named_in_japanese() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let list = dir.path().join("no-such-list.txt");
    let output = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["keywords", "--case"])
        .arg(&case)
        .arg("--list")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains(&format!("キーワードの一覧 {} を読めません", list.display())),
        "{message}"
    );
}

#[test]
fn keyword_line_with_bad_filter_counts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let list = dir.path().join("list.txt");
    std::fs::write(&list, "ばか\nbefore:2024-13-01 ばか\n").unwrap();
    let output = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["keywords", "--json", "--case"])
        .arg(&case)
        .arg("--list")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let reports: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["hits"], 3);
    assert_eq!(reports[1]["hits"], 0, "the rest of the line is not run");
    assert!(
        reports[1]["errors"][0]
            .as_str()
            .unwrap()
            .contains("2024-13-01")
    );
}

fn index_segments(case: &Path) -> usize {
    let meta = std::fs::read_to_string(case.join("index/meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["segments"].as_array().unwrap().len()
}

/// Two small imports leave small segments. `compact` merges them into one,
/// and every search returns the same hits as before.
#[test]
fn compact_merges_segments_and_keeps_answers() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let export = dir.path().join("generated");
    Command::cargo_bin("cwlens")
        .unwrap()
        .args([
            "generate",
            "--rooms",
            "3",
            "--messages",
            "3000",
            "--seed",
            "5",
        ])
        .arg("--out")
        .arg(&export)
        .assert()
        .success();
    Command::cargo_bin("cwlens")
        .unwrap()
        .args(["import", "--quiet", "--purpose", "テスト", "--case"])
        .arg(&case)
        .arg(&export)
        .assert()
        .success();
    let queries = ["給料泥棒", "お疲れ様です", "会議", "in:history 見積", "の"];
    let answers = |case: &Path| -> Vec<Vec<u8>> {
        queries
            .iter()
            .map(|query| {
                let output = search(case, query);
                assert_eq!(output.status.code(), Some(0), "{query}");
                output.stdout
            })
            .collect()
    };
    let before = answers(&case);
    let segments = index_segments(&case);
    assert!(segments >= 2, "{segments} segments, nothing to merge");

    let output = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["--lang", "en", "compact", "--case"])
        .arg(&case)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("segments: {segments} → 1")),
        "{stdout}"
    );
    assert!(stdout.contains("left as it is"), "{stdout}");
    assert_eq!(index_segments(&case), 1);
    let files = std::fs::read_dir(case.join("index"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "idx")
        })
        .count();
    assert_eq!(files, 1, "the merged segments' files are deleted");
    assert_eq!(answers(&case), before);

    let audit = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["audit", "--case"])
        .arg(&case)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&audit.stdout).contains("compact"));
}

/// A filter-only search lists deleted messages with the text they had
/// before the deletion, marked as an earlier version, not as empty lines.
#[test]
fn deleted_messages_show_their_earlier_text() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let output = search(&case, "from:権藤 is:deleted");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.lines().count() >= 1, "{stdout}");
    for line in stdout.lines() {
        let text = line.split_once(": ").map_or("", |(_, text)| text);
        assert!(text.ends_with(" [earlier version]"), "{line}");
        assert!(text.len() > " [earlier version]".len(), "{line}");
    }
    assert!(stdout.contains("給料泥棒"), "{stdout}");
}

/// Naming the export folder where a case belongs explains the difference
/// and writes nothing into the export.
#[test]
fn export_folder_as_case_is_explained() {
    for command in ["stats", "search", "compact"] {
        let mut args = vec![
            "--lang",
            "en",
            command,
            "--case",
            "sample-data/chatwork-export",
        ];
        if command == "search" {
            args.push("会議");
        }
        let output = Command::cargo_bin("cwlens")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is an export folder, not a case"),
            "{stderr}"
        );
    }
    assert!(!Path::new("sample-data/chatwork-export/case.sqlite").exists());
}

/// A limit that cuts the results prints the number left out on stderr.
#[test]
fn limit_reports_the_hits_left() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let output = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["--lang", "en", "search", "--limit", "1", "--case"])
        .arg(&case)
        .arg("給料泥棒")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("2 more of 3 not shown"), "{stderr}");

    let all = search(&case, "給料泥棒");
    assert!(
        all.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
}

/// A name written with a variant kanji (髙橋) is found by its everyday
/// form, as a sender filter and as a word, and the other way round.
#[test]
fn variant_kanji_of_names_match() {
    let dir = tempfile::tempdir().unwrap();
    let case = sample_case(dir.path());
    let count = |query: &str| -> u64 {
        let output = Command::cargo_bin("cwlens")
            .unwrap()
            .args(["search", "--count", "--case"])
            .arg(&case)
            .arg(query)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{query}: {output:?}"))
    };
    let by_variant = count("from:髙橋");
    assert!(by_variant > 0);
    assert_eq!(count("from:高橋"), by_variant);
    assert_eq!(count("髙橋"), count("高橋"));
}

/// `cwlens open --case DIR` names the case to open without a path.
#[test]
fn open_accepts_a_case_without_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-case");
    let output = Command::cargo_bin("cwlens")
        .unwrap()
        .args(["open", "--case"])
        .arg(&missing)
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains(&format!("{} が見つかりません", missing.display())),
        "{message}"
    );
}
