//! The search promise: for every query string q, the result set is the set
//! of messages for which some version's normalized plain text contains the
//! normalized q. Checked against a brute-force scan of every version read
//! from the case database, on generated data and on named cases.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use cwlens::query::Session;
use cwlens::query::parse::{Filter, ParsedQuery, Scope};
use cwlens::query::search::{SearchOptions, snippet_for};
use cwlens::text::normalize::{Options, normalize, normalize_with};
use proptest::prelude::*;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

/// Every version of one message, as the brute-force scan reads it.
struct Versions {
    msg_key: i64,
    message_id: String,
    room_id: String,
    /// Unix seconds.
    sent_at: i64,
    /// Plain text of the current body, then of each earlier version.
    plain: Vec<String>,
    /// `plain`, normalized.
    normalized: Vec<String>,
    /// `plain`, normalized without folding katakana to hiragana.
    unfolded: Vec<String>,
}

/// A case and the brute-force view of its messages.
struct Fixture {
    case: PathBuf,
    messages: Vec<Versions>,
}

impl Fixture {
    /// Reads every version of every message from the case database.
    fn load(case: &Path) -> Fixture {
        let conn = open_read_only(case);
        let names = cwlens::index::account_names(&conn).expect("account names");

        let mut messages: BTreeMap<i64, Versions> = BTreeMap::new();
        let mut statement = conn
            .prepare(
                "SELECT m.msg_key, CAST(m.message_id AS TEXT), m.body, r.room_id, m.sent_at
                 FROM messages m JOIN rooms r ON r.room_key = m.room_key",
            )
            .unwrap();
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get::<_, String>(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (msg_key, message_id, body, room_id, sent_at) = row.unwrap();
            messages.insert(
                msg_key,
                Versions {
                    msg_key,
                    message_id,
                    room_id,
                    sent_at,
                    plain: vec![cwlens::index::plain_text(&body, &names)],
                    normalized: Vec::new(),
                    unfolded: Vec::new(),
                },
            );
        }

        // Earlier versions, in any order: the scan only checks whether one matches.
        let mut statement = conn
            .prepare("SELECT msg_key, body_before FROM revisions")
            .unwrap();
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap();
        for row in rows {
            let (msg_key, body): (i64, String) = row.unwrap();
            let versions = messages.get_mut(&msg_key).expect("revision of a message");
            versions
                .plain
                .push(cwlens::index::plain_text(&body, &names));
        }

        let mut messages: Vec<Versions> = messages.into_values().collect();
        let unfolded = Options { fold_kana: false };
        for message in &mut messages {
            message.normalized = message.plain.iter().map(|text| normalize(text)).collect();
            message.unfolded = message
                .plain
                .iter()
                .map(|text| normalize_with(text, unfolded))
                .collect();
        }
        Fixture {
            case: case.to_path_buf(),
            messages,
        }
    }

    /// Keys of the messages some version of which contains `query`.
    fn expected_keys(&self, query: &str) -> BTreeSet<i64> {
        let parsed = ParsedQuery {
            include: vec![vec![query.to_string()]],
            ..ParsedQuery::default()
        };
        self.expected_for(&parsed, Options::default())
    }

    /// Keys of the messages that match `query` by its documented meaning:
    /// every group has a word that some version in scope contains, no
    /// version in scope contains an excluded word, and every filter holds.
    /// Only the room ID and `after:` filters are supported.
    fn expected_for(&self, query: &ParsedQuery, options: Options) -> BTreeSet<i64> {
        let contains = |message: &Versions, word: &str| {
            let needle = normalize_with(word, options);
            let texts = if options.fold_kana {
                &message.normalized
            } else {
                &message.unfolded
            };
            texts
                .iter()
                .enumerate()
                .filter(|(index, _)| match query.scope {
                    Scope::Any => true,
                    Scope::Current => *index == 0,
                    Scope::History => *index > 0,
                })
                .any(|(_, text)| text.contains(&needle))
        };
        let passes = |message: &Versions, filter: &Filter| match filter {
            Filter::Room(room_id) => message.room_id == *room_id,
            Filter::After(unix) => message.sent_at >= *unix,
            other => panic!("the brute-force scan has no rule for {other:?}"),
        };
        self.messages
            .iter()
            .filter(|message| {
                query
                    .include
                    .iter()
                    .all(|group| group.iter().any(|word| contains(message, word)))
            })
            .filter(|message| !query.exclude.iter().any(|word| contains(message, word)))
            .filter(|message| query.filters.iter().all(|filter| passes(message, filter)))
            .map(|message| message.msg_key)
            .collect()
    }

    /// Cuts a piece out of one version's plain text, as `piece` chose it.
    fn pick(&self, piece: Piece) -> String {
        let (message, version, start, length) = piece;
        let versions = &self.messages[message.index(self.messages.len())];
        let text = &versions.plain[version.index(versions.plain.len())];
        substring(text, start, length)
    }

    /// Message IDs the brute-force scan finds for `query`, sorted.
    fn expected_ids(&self, query: &str) -> Vec<String> {
        let keys = self.expected_keys(query);
        let mut ids: Vec<String> = self
            .messages
            .iter()
            .filter(|message| keys.contains(&message.msg_key))
            .map(|message| message.message_id.clone())
            .collect();
        ids.sort();
        ids
    }

    fn session(&self) -> Session {
        Session::open(&self.case, chrono_tz::Asia::Tokyo, cwlens::i18n::Lang::Ja)
            .expect("case opens")
    }
}

/// Keys the in-process search finds for `query` taken as one literal word.
fn search_keys(session: &Session, query: &str) -> BTreeSet<i64> {
    let parsed = ParsedQuery {
        include: vec![vec![query.to_string()]],
        ..ParsedQuery::default()
    };
    session
        .matching_keys(&parsed, SearchOptions::default())
        .expect("search runs")
        .into_iter()
        .collect()
}

/// Creates an empty folder under cargo's temporary folder for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("search_exactness")
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("old scratch folder is removed");
    }
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Imports `export` into `case` with the real binary.
fn import(export: &Path, case: &Path) {
    let output = cwlens()
        .arg("import")
        .arg(export)
        .arg("--case")
        .arg(case)
        .args(["--quiet", "--purpose", "テスト"])
        .output()
        .expect("cwlens starts");
    assert_eq!(code(&output), 0, "import failed: {}", stderr(&output));
    assert_references_hold(case);
}

// Generated data.

/// Pieces bodies are made of: kanji, kana, half-width kana, ASCII, digits,
/// full-width forms, emoji (with ZWJ sequences and flags), combining marks,
/// wave dashes, characters NFKC rewrites, white space and Chatwork tags.
const PIECES: &[&str] = &[
    "見積書",
    "確認",
    "天気",
    "議事録",
    "共有",
    "雨",
    "件",
    "了解",
    "延期",
    "障害",
    "接続",
    "会議室",
    "出張",
    "商事",
    "発注",
    "髙橋",
    "山﨑",
    "𠮷田",
    "あ",
    "い",
    "う",
    "か",
    "が",
    "ぱ",
    "っ",
    "ゃ",
    "ー",
    "ア",
    "イ",
    "カ",
    "ガ",
    "サーバー",
    "ヴ",
    "ヶ",
    "ｱ",
    "ｶ",
    "ﾊﾞ",
    "ﾊﾟ",
    "ｰ",
    "ｻｰﾊﾞｰ",
    "a",
    "b",
    "c",
    "x",
    "A",
    "B",
    "Z",
    "0",
    "1",
    "2",
    "9",
    "10",
    "-",
    "_",
    ":",
    "(",
    ")",
    "'",
    "\"",
    ",",
    ".",
    "Ａ",
    "Ｂ",
    "ａ",
    "０",
    "１",
    "２",
    "（",
    "）",
    "－",
    "ＶＰＮ",
    "🙏",
    "👍",
    "🇯🇵",
    "👩\u{200D}💻",
    "👨\u{200D}👩\u{200D}👧",
    "e\u{301}",
    "カ\u{3099}",
    "は\u{309A}",
    "〜",
    "～",
    "~",
    "İ",
    "ß",
    "ﬁ",
    "㈱",
    "①",
    "㍻",
    "½",
    " ",
    "\u{3000}",
    "\n",
    "\r\n",
    "\t",
    "[To:7]",
    "[piconname:8]",
    "[info][title]件名[/title]内容[/info]",
    "[qt][qtmeta aid=7]引用[/qt]",
    "[code]x[/code]",
    "[hr]",
    "[dtext:task_added]",
    "[",
    "]",
];

fn random_text(rng: &mut ChaCha8Rng, max_pieces: usize) -> String {
    let pieces = rng.random_range(1..=max_pieces);
    (0..pieces)
        .map(|_| *PIECES.choose(rng).expect("pieces"))
        .collect()
}

/// Rooms of the generated export; their IDs are 300 and up.
const ROOMS: u64 = 60;
/// Unix seconds of 2024-01-01 09:00 +09:00, the earliest send time generated.
const START: i64 = 1_704_067_200;

/// Writes a seeded export of many small rooms with edits and deletions.
fn write_generated_export(export: &Path) {
    let mut rng = ChaCha8Rng::seed_from_u64(20240301);
    let accounts = [
        ("7", "試験 太郎"),
        ("8", "見本 花子"),
        ("9", "見本 次郎(解約済)"),
        ("10", "ｻﾝﾌﾟﾙ ｼﾞﾛｰ"),
    ];
    let mut members = Vec::new();
    for room in 0..ROOMS {
        let room_id = (300 + room).to_string();
        for (account_id, name) in accounts {
            members.push(row(&[
                &room_id,
                &format!("ルーム{room}"),
                "グループ",
                &format!("rooms/{BUCKET}/{room_id}"),
                account_id,
                name,
                "メンバー",
            ]));
        }
    }
    write_file(
        &export.join("members/members.csv"),
        &with_bom(&csv(&MEMBERS_HEADER, &members)),
    );

    let mut next_id = 1_700_000_000_000_000_000u64;
    for room in 0..ROOMS {
        let room_id = (300 + room).to_string();
        let mut messages = Vec::new();
        let mut logs = Vec::new();
        for _ in 0..rng.random_range(5..=25) {
            next_id += 1;
            let message_id = next_id.to_string();
            let (account_id, name) = *accounts.choose(&mut rng).expect("accounts");
            let sent = START + (next_id % 100_000) as i64 * 60;
            let mut body = random_text(&mut rng, 12);
            let mut updated = String::new();
            let roll: f64 = rng.random();
            if roll < 0.25 {
                // Edited once or twice; the log keeps each earlier text.
                for edit in 0..rng.random_range(1..=2) {
                    let at = sent + 60 * (edit + 1);
                    logs.push(row(&[
                        &message_id,
                        "編集",
                        &unix_text(at),
                        &random_text(&mut rng, 10),
                    ]));
                    updated = unix_text(at);
                }
            } else if roll < 0.33 {
                let at = sent + 600;
                logs.push(row(&[&message_id, "削除", &unix_text(at), &body]));
                body = "[delete]".to_string();
                updated = unix_text(at);
            }
            messages.push(row(&[
                &message_id,
                account_id,
                name,
                &unix_text(sent),
                &updated,
                &body,
            ]));
        }
        let folder = export.join(format!("rooms/{BUCKET}/{room_id}"));
        write_file(
            &folder.join("messages.csv"),
            &with_bom(&csv(&MESSAGES_HEADER, &messages)),
        );
        write_file(
            &folder.join("message_logs.csv"),
            &with_bom(&csv(&LOGS_HEADER, &logs)),
        );
    }
}

fn unix_text(unix: i64) -> String {
    unix.to_string()
}

/// Returns the generated case, writing and importing it on first use.
fn generated() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = scratch("generated");
        let export = dir.join("export");
        let case = dir.join("case");
        write_generated_export(&export);
        import(&export, &case);
        let fixture = Fixture::load(&case);
        assert!(fixture.messages.len() > 400, "{}", fixture.messages.len());
        let with_history = fixture
            .messages
            .iter()
            .filter(|message| message.plain.len() > 1)
            .count();
        assert!(with_history > 50, "{with_history} messages with history");
        fixture
    })
}

thread_local! {
    /// A session on the generated case for each test thread, because a
    /// `Session` cannot be shared between threads.
    static GENERATED_SESSION: Session = generated().session();
}

/// A message, one of its versions, a start character and a length in characters.
type Piece = (
    prop::sample::Index,
    prop::sample::Index,
    prop::sample::Index,
    usize,
);

/// Chooses a piece of 1 to 5 characters of the generated data.
fn piece() -> impl Strategy<Value = Piece> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        1usize..=5,
    )
}

/// Cuts up to `length` characters out of `text`, from the character `start` picks.
fn substring(text: &str, start: prop::sample::Index, length: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let first = start.index(chars.len());
    chars[first..(first + length).min(chars.len())]
        .iter()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn substrings_find_exact_set(
        message in any::<prop::sample::Index>(),
        version in any::<prop::sample::Index>(),
        start in any::<prop::sample::Index>(),
        length in 1usize..=8,
    ) {
        let fixture = generated();
        let query = fixture.pick((message, version, start, length));
        prop_assume!(!query.is_empty());
        let found = GENERATED_SESSION.with(|session| search_keys(session, &query));
        let expected = fixture.expected_keys(&query);
        prop_assert_eq!(found, expected, "query {:?}, normalized {:?}", query, normalize(&query));
    }

    #[test]
    fn random_strings_find_exact_set(
        pieces in prop::collection::vec(prop::sample::select(PIECES), 1..=3),
        cut in 1usize..=8,
        other in "\\PC{1,8}",
    ) {
        let fixture = generated();
        let joined: String = pieces.concat().chars().take(cut).collect();
        for query in [joined, other] {
            let found = GENERATED_SESSION.with(|session| search_keys(session, &query));
            let expected = fixture.expected_keys(&query);
            prop_assert_eq!(found, expected, "query {:?}, normalized {:?}", query, normalize(&query));
        }
    }

    #[test]
    fn snippet_never_panics(
        text in "(\\PC|[あ-んア-ンｱ-ﾝ〜～ﾞﾟ\u{3099}\u{301}İ])*",
        query in "(\\PC|[あ-んア-ンｱ-ﾝ〜～ﾞﾟ\u{3099}\u{301}İ]){1,6}",
    ) {
        let words = [normalize(&query)];
        let snippet = snippet_for(&text, &words, Options::default());
        if normalize(&text).contains(&words[0]) {
            let snippet = snippet.expect("a snippet when the text contains the query");
            prop_assert!(!snippet.highlights.is_empty());
            for range in &snippet.highlights {
                let marked = snippet.text.get(range.clone());
                prop_assert!(marked.is_some(), "{range:?} is not on char boundaries");
                prop_assert!(normalize(marked.unwrap_or_default()).contains(&words[0]));
            }
        } else {
            prop_assert!(snippet.is_none());
        }
    }
}

proptest! {
    // Each case may read stored texts (the kana-sensitive path), so fewer cases.
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn combined_queries_find_exact_set(
        words in prop::collection::vec(piece(), 1..=3),
        alternative in prop::option::of(piece()),
        excluded in prop::collection::vec(piece(), 0..=2),
        scope in prop_oneof![Just(Scope::Any), Just(Scope::Current), Just(Scope::History)],
        fold_kana in any::<bool>(),
        room in prop::option::of(0..ROOMS),
        after in prop::option::of(0..100_000i64),
    ) {
        let fixture = generated();
        let mut include: Vec<Vec<String>> =
            words.into_iter().map(|word| vec![fixture.pick(word)]).collect();
        if let Some(word) = alternative {
            include[0].push(fixture.pick(word));
        }
        let exclude: Vec<String> = excluded.into_iter().map(|word| fixture.pick(word)).collect();
        prop_assume!(include.iter().flatten().chain(&exclude).all(|word| !word.is_empty()));
        let mut filters = Vec::new();
        if let Some(room) = room {
            filters.push(Filter::Room((300 + room).to_string()));
        }
        if let Some(minutes) = after {
            filters.push(Filter::After(START + minutes * 60));
        }
        let parsed = ParsedQuery { include, exclude, filters, scope, ..ParsedQuery::default() };
        let options = SearchOptions {
            normalization: Options { fold_kana },
            ..SearchOptions::default()
        };

        let found: BTreeSet<i64> = GENERATED_SESSION
            .with(|session| session.matching_keys(&parsed, options))
            .expect("search runs")
            .into_iter()
            .collect();
        let expected = fixture.expected_for(&parsed, options.normalization);
        prop_assert_eq!(found, expected, "{:?} with {:?}", parsed, options);
    }
}

#[test]
fn cli_search_matches_brute_force() {
    let fixture = generated();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut checked = 0;
    while checked < 20 {
        let message = fixture.messages.choose(&mut rng).expect("messages");
        let text = message.plain.choose(&mut rng).expect("versions");
        let chars: Vec<char> = text.chars().collect();
        if chars.is_empty() {
            continue;
        }
        let start = rng.random_range(0..chars.len());
        let length = rng.random_range(1..=8).min(chars.len() - start);
        let query: String = chars[start..start + length].iter().collect();
        // A quote inside the query cannot be written in a quoted word.
        if query.contains('"') {
            continue;
        }
        let quoted = format!("\"{query}\"");
        let expected = fixture.expected_ids(&query);
        let hits = search_json(&fixture.case, &[&quoted], &[]);
        assert_eq!(ids_of(&hits), expected, "query {query:?}");
        let counted = cwlens()
            .arg("search")
            .arg("--case")
            .arg(&fixture.case)
            .args(["--count", "--", &quoted])
            .output()
            .unwrap();
        assert_eq!(
            stdout(&counted).trim(),
            expected.len().to_string(),
            "count of {query:?}"
        );
        checked += 1;
    }
}

// Named cases, in one small case shared by the tests below.

/// Messages of the named case: `(room, message_id, account, sent, updated, body)`.
const NAMED: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "55",
        "101",
        "7",
        "2024-03-01 09:00:00",
        "",
        "先方の見積書を確認済みです。",
    ),
    (
        "55",
        "102",
        "8",
        "2024-03-01 09:10:00",
        "",
        "今日はいい天気です",
    ),
    (
        "55",
        "103",
        "7",
        "2024-03-01 10:00:00",
        "",
        "議事録を共有します",
    ),
    ("55", "104", "8", "2024-03-02 09:00:00", "", "雨のため延期"),
    ("55", "105", "7", "2024-03-02 09:05:00", "", "例の件"),
    ("55", "106", "8", "2024-03-02 09:06:00", "", "了解"),
    ("66", "107", "7", "2024-03-03 09:00:00", "", "ｻｰﾊﾞｰ障害"),
    ("66", "108", "7", "2024-03-03 09:01:00", "", "ＶＰＮ接続"),
    ("66", "109", "8", "2024-03-03 09:02:00", "", "１０〜１２時"),
    ("66", "110", "8", "2024-03-03 09:03:00", "", "第２会議室"),
    (
        "66",
        "111",
        "7",
        "2024-03-04 08:00:00",
        "",
        "カ\u{3099}イト\u{3099}",
    ),
    (
        "55",
        "112",
        "8",
        "2024-03-04 09:00:00",
        "",
        "見本 花子（試験）- 深夜対応",
    ),
    ("55", "113", "7", "2024-03-04 09:01:00", "", "İstanbul出張"),
    ("55", "114", "8", "2024-03-04 09:02:00", "", "ＡＢＣ商事"),
    ("55", "115", "7", "2024-03-05 09:00:00", "", "バカ"),
    ("55", "116", "8", "2024-03-05 09:01:00", "", "ばか"),
    (
        "55",
        "117",
        "7",
        "2024-03-05 09:02:00",
        "",
        "10:00 に (株)見本 の A-1 会議室",
    ),
    (
        "55",
        "118",
        "8",
        "2024-03-05 09:03:00",
        "",
        "Ｂ案で進めます",
    ),
    (
        "55",
        "119",
        "9",
        "2024-03-06 08:00:00",
        "",
        "[To:8]見本 花子さん\n資料を送ります[download:777]資料.pdf (1.00 KB)[/download]",
    ),
    (
        "55",
        "120",
        "7",
        "2024-03-06 09:00:00",
        "2024-03-06 10:00:00",
        "cdyy",
    ),
    (
        "55",
        "121",
        "8",
        "2024-03-07 09:00:00",
        "2024-03-07 10:00:00",
        "[delete]",
    ),
    (
        "55",
        "122",
        "7",
        "2024-03-07 11:00:00",
        "2024-03-07 12:00:00",
        "修正後の文面",
    ),
];

/// Returns the named case, writing and importing it on first use.
fn named() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = scratch("named");
        let export = dir.join("export");
        let case = dir.join("case");
        let mut members = Vec::new();
        for (room_id, room_name) in [("55", "営業部 定例"), ("66", "開発部")] {
            for (account_id, name) in [
                ("7", "試験 太郎"),
                ("8", "見本 花子"),
                ("9", "見本 次郎(解約済)"),
            ] {
                members.push(row(&[
                    room_id,
                    room_name,
                    "グループ",
                    &format!("rooms/{BUCKET}/{room_id}"),
                    account_id,
                    name,
                    "メンバー",
                ]));
            }
        }
        write_file(
            &export.join("members/members.csv"),
            &with_bom(&csv(&MEMBERS_HEADER, &members)),
        );
        let names = [
            ("7", "試験 太郎"),
            ("8", "見本 花子"),
            ("9", "見本 次郎(解約済)"),
        ];
        for room_id in ["55", "66"] {
            let rows: Vec<Vec<String>> = NAMED
                .iter()
                .filter(|message| message.0 == room_id)
                .map(|(_, id, account, sent, updated, body)| {
                    let name = names.iter().find(|(a, _)| a == account).expect("name").1;
                    row(&[id, account, name, sent, updated, body])
                })
                .collect();
            write_file(
                &export.join(format!("rooms/{BUCKET}/{room_id}/messages.csv")),
                &with_bom(&csv(&MESSAGES_HEADER, &rows)),
            );
        }
        let logs = [
            row(&["120", "編集", "2024-03-06 10:00:00", "xxab"]),
            row(&["121", "削除", "2024-03-07 10:00:00", "削除された発言"]),
            row(&["122", "編集", "2024-03-07 12:00:00", "修正前の文面"]),
        ];
        write_file(
            &export.join(format!("rooms/{BUCKET}/55/message_logs.csv")),
            &with_bom(&csv(&LOGS_HEADER, &logs)),
        );
        let files = [row(&[
            "777",
            "119",
            "9",
            "見本 次郎(解約済)",
            "資料.pdf",
            "1024",
            "2024-03-06 08:00:00",
            "https://example.invalid/777",
        ])];
        write_file(
            &export.join(format!("rooms/{BUCKET}/55/files.csv")),
            &with_bom(&csv(&FILES_HEADER, &files)),
        );
        import(&export, &case);
        Fixture::load(&case)
    })
}

/// Runs `cwlens search --json` on the named case.
fn named_search(query: &[&str]) -> Vec<Value> {
    search_json(&named().case, query, &[])
}

/// Checks that the CLI finds exactly what the brute-force scan finds for a
/// one-word query, and that `expected_id` is among the hits.
fn assert_finds(query: &str, expected_id: &str) {
    let found = ids_of(&named_search(&[query]));
    assert!(
        found.contains(&expected_id.to_string()),
        "{query:?} found {found:?}"
    );
    assert_eq!(found, named().expected_ids(query), "{query:?}");
}

fn ids(list: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = list.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn japanese_words_inside_clauses_hit() {
    for query in ["見積書", "確認", "見積"] {
        assert_finds(query, "101");
    }
    assert_finds("天気", "102");
}

#[test]
fn spaced_and_quoted_words_hit() {
    assert_eq!(ids_of(&named_search(&["議事録", "共有"])), ["103"]);
    assert_eq!(ids_of(&named_search(&["議事録を共有"])), ["103"]);
    assert_eq!(ids_of(&named_search(&["\"議事録を共有\""])), ["103"]);
}

#[test]
fn syntax_characters_are_text() {
    for query in ["10:00", "(株)見本", "A-1"] {
        let output = cwlens()
            .arg("search")
            .arg("--case")
            .arg(&named().case)
            .arg("--json")
            .arg("--")
            .arg(query)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{query}: {}", stderr(&output));
        assert_eq!(stderr(&output), "", "{query}");
        assert_finds(query, "117");
    }
}

#[test]
fn one_character_queries_hit() {
    assert_finds("雨", "104");
    assert_finds("件", "105");
    assert_finds("了", "106");
    assert_finds("延期", "104");
    assert_finds("Ｂ", "118");
}

#[test]
fn empty_query_is_an_error() {
    for query in ["", "\u{3000}", "  "] {
        let output = cwlens()
            .arg("search")
            .arg("--case")
            .arg(&named().case)
            .arg("--")
            .arg(query)
            .output()
            .unwrap();
        let error = stderr(&output);
        assert_eq!(code(&output), 2, "{query:?}");
        assert!(error.contains("検索語がありません"), "{query:?}: {error}");
        assert!(!error.contains("panicked"), "{query:?}: {error}");
    }
}

#[test]
fn width_kana_and_dash_forms_hit() {
    for query in ["サーバー", "サーバ", "さーばー", "ｻｰﾊﾞ"] {
        assert_finds(query, "107");
    }
    assert_finds("vpn", "108");
    assert_finds("10～12", "109");
    assert_finds("10~12", "109");
    assert_finds("第2会議室", "110");
}

#[test]
fn composed_query_finds_decomposed_body() {
    assert_finds("ガイド", "111");
}

/// Returns the snippet text that each highlight of `message_id`'s hit covers.
fn highlighted(query: &str, message_id: &str) -> Vec<String> {
    let hits = named_search(&[query]);
    let hit = hits
        .iter()
        .find(|hit| hit["message_id"] == message_id)
        .unwrap_or_else(|| panic!("{query:?} does not find {message_id}"));
    let snippet = hit["snippet"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|range| {
            let start = range[0].as_u64().unwrap() as usize;
            let end = range[1].as_u64().unwrap() as usize;
            snippet
                .get(start..end)
                .unwrap_or_else(|| panic!("{start}..{end} is not a char range of {snippet:?}"))
                .to_string()
        })
        .collect()
}

#[test]
fn highlights_cover_original_characters() {
    assert_eq!(highlighted("-", "112"), ["-"]);
    assert_eq!(highlighted("istanbul", "113"), ["İstanbul"]);
    assert_eq!(highlighted("abc", "114"), ["ＡＢＣ"]);
    assert_eq!(highlighted("サーバー", "107"), ["ｻｰﾊﾞｰ"]);
}

#[test]
fn versions_do_not_join_across_boundary() {
    assert!(named_search(&["abcd"]).is_empty());
    assert!(named().expected_ids("abcd").is_empty());
    let old = named_search(&["xxab"]);
    assert_eq!(ids_of(&old), ["120"]);
    assert_eq!(old[0]["matched_in"], "history");
    let new = named_search(&["cdyy"]);
    assert_eq!(ids_of(&new), ["120"]);
    assert_eq!(new[0]["matched_in"], "current");
}

#[test]
fn kana_fold_can_be_turned_off() {
    assert_eq!(ids_of(&named_search(&["バカ"])), ["115", "116"]);
    let case = &named().case;
    assert_eq!(
        ids_of(&search_json(case, &["バカ"], &["--no-kana-fold"])),
        ["115"]
    );
    assert_eq!(
        ids_of(&search_json(case, &["ばか"], &["--no-kana-fold"])),
        ["116"]
    );
}

#[test]
fn filters_select_messages() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["room:66"], &["107", "108", "109", "110", "111"]),
        (&["room:開発部"], &["107", "108", "109", "110", "111"]),
        (&["room:55", "会議室"], &["117"]),
        (&["from:9"], &["119"]),
        (&["from:花子", "room:66"], &["109", "110"]),
        (&["to:8"], &["119"]),
        (&["to:花子"], &["119"]),
        (&["after:2024-03-07"], &["121", "122"]),
        (&["before:2024-03-02"], &["101", "102", "103"]),
        (
            &["after:2024-03-02", "before:2024-03-03"],
            &["104", "105", "106"],
        ),
        (&["is:edited"], &["120", "122"]),
        (&["is:deleted"], &["121"]),
        (&["is:resigned"], &["119"]),
        (&["has:file"], &["119"]),
        (&["in:current", "修正"], &["122"]),
        (&["in:history", "修正前"], &["122"]),
        (&["in:current", "修正前"], &[]),
        (&["in:history", "修正後"], &[]),
        (&["in:history"], &["120", "121", "122"]),
        (&["in:history", "-修正前"], &["120", "121"]),
        (&["削除された"], &["121"]),
    ];
    for (query, expected) in cases {
        assert_eq!(ids_of(&named_search(query)), ids(expected), "{query:?}");
    }
}

/// `in:history` without a word lists the messages that have earlier
/// versions, each shown with its latest earlier text.
#[test]
fn history_scope_alone_shows_the_earlier_text() {
    let hits = named_search(&["in:history", "room:55"]);
    let edited = hits
        .iter()
        .find(|hit| hit["message_id"] == "122")
        .expect("message 122 has an earlier version");
    assert_eq!(edited["matched_in"], "history");
    assert_eq!(edited["snippet"], "修正前の文面");
}

#[test]
fn tag_filter_follows_cli_tag() {
    let case = &named().case;
    let output = cwlens()
        .arg("tag")
        .arg("--case")
        .arg(case)
        .args(["--message", "105", "--add", "絞り込み確認"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let hits = named_search(&["tag:絞り込み確認"]);
    assert_eq!(ids_of(&hits), ["105"]);
    assert_eq!(hits[0]["tags"], serde_json::json!(["絞り込み確認"]));
}

#[test]
fn or_and_exclusion_combine() {
    assert_eq!(ids_of(&named_search(&["雨", "OR", "了解"])), ["104", "106"]);
    assert_eq!(ids_of(&named_search(&["会議室", "-第2"])), ["117"]);
    // A phrase (three characters or more) as the excluded word.
    assert_eq!(ids_of(&named_search(&["会議室", "-第2会議"])), ["117"]);
    assert_eq!(ids_of(&named_search(&["見本", "-花子"])), ["117"]);
}

#[test]
fn exit_codes_tell_outcome() {
    let case = named().case.to_str().unwrap().to_string();
    let found = run(["search", "--case", &case, "見積書"]);
    assert_eq!(code(&found), 0);
    let none = run(["search", "--case", &case, "存在しない語"]);
    assert_eq!(code(&none), 1);
    assert_eq!(stdout(&none), "");
    let counted = run(["search", "--case", &case, "--count", "存在しない語"]);
    assert_eq!(code(&counted), 1);
    assert_eq!(stdout(&counted).trim(), "0");
    let bad_zone = run(["search", "--case", &case, "--tz", "Mars/Base", "見積書"]);
    assert_eq!(code(&bad_zone), 2);
    let missing = run(["search", "--case", "/nonexistent/cwlens-case", "見積書"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("cwlens import"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn json_hit_has_documented_fields() {
    let hits = named_search(&["見積書"]);
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit["message_id"], "101");
    assert_eq!(hit["room_id"], "55");
    assert_eq!(hit["room_name"], "営業部 定例");
    assert_eq!(hit["account_id"], "7");
    assert_eq!(hit["account_name"], "試験 太郎");
    assert_eq!(hit["resigned"], false);
    assert_eq!(hit["sent_at"], "2024-03-01T09:00:00+09:00");
    assert_eq!(hit["matched_in"], "current");
    assert_eq!(hit["snippet"], "先方の見積書を確認済みです。");

    let resigned = named_search(&["from:9"]);
    assert_eq!(resigned[0]["resigned"], true);
    assert_eq!(resigned[0]["account_label"], "見本 次郎【解約済】");
}

#[test]
fn renamed_account_is_found_by_new_name() {
    let ws = Workspace::new();
    let members = |name: &str| {
        ws.write_members(&[
            ("55", "営業部", "7", "試験 太郎"),
            ("55", "営業部", "8", name),
        ]);
    };
    members("見本 花子");
    ws.write_messages(
        "55",
        &[
            row(&[
                "1001",
                "7",
                "試験 太郎",
                "2024-03-01 09:00:00",
                "",
                "[piconname:8] さんに送ります",
            ]),
            row(&[
                "1002",
                "7",
                "試験 太郎",
                "2024-03-01 09:10:00",
                "2024-03-01 09:20:00",
                "宛先を直しました",
            ]),
        ],
    );
    ws.write_logs(
        "55",
        &[row(&[
            "1002",
            "編集",
            "2024-03-01 09:20:00",
            "[pname:8] さん宛てです",
        ])],
    );
    ws.import();
    assert_eq!(ws.search_ids(&["花子"]), ["1001", "1002"]);

    // A later export after the account was renamed.
    members("見本 華子");
    ws.import();
    let fixture = Fixture::load(&ws.case);
    for (query, expected) in [("華子", vec!["1001", "1002"]), ("花子", vec![])] {
        assert_eq!(ws.search_ids(&[query]), expected, "{query}");
        assert_eq!(
            fixture.expected_ids(query),
            expected,
            "brute force, {query}"
        );
    }
}

#[test]
fn named_case_matches_brute_force() {
    let fixture = named();
    let session = fixture.session();
    for (_, _, _, _, _, body) in NAMED {
        for query in body.split_whitespace() {
            assert_eq!(
                search_keys(&session, query),
                fixture.expected_keys(query),
                "{query:?}"
            );
        }
    }
}
