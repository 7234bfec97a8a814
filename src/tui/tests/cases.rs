//! Known failure kinds of terminal chat viewers, as tests on a hand-made
//! export: ZWJ emoji and decomposed kana, ambiguous-width characters,
//! byte offsets in Japanese text, escape sequences in data, and the caret
//! of text fields under an IME.

use ratatui::TerminalOptions;
use ratatui::Viewport;
use ratatui::backend::CrosstermBackend;
use ratatui::style::Color;

use super::*;
use crate::tui::screens::Screen;
use crate::tui::theme::style;

/// One message row: message ID, account ID, sender name, sent time, body.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// One room: room ID, room name, members as (account ID, name), messages.
type RoomRows<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [Row<'a>]);

/// Writes an export in the reference layout: UTF-8 with BOM, CRLF.
fn write_export(dir: &Path, rooms: &[RoomRows<'_>]) {
    let write = |path: &Path, header: &[&str], rows: Vec<Vec<String>>| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        {
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut bytes);
            writer.write_record(header).unwrap();
            for row in rows {
                writer.write_record(row).unwrap();
            }
            writer.flush().unwrap();
        }
        std::fs::write(path, bytes).unwrap();
    };
    let mut members = Vec::new();
    for (room_id, room_name, accounts, messages) in rooms {
        let folder = format!("rooms/aa/{room_id}");
        for (account_id, name) in *accounts {
            members.push(vec![
                room_id.to_string(),
                room_name.to_string(),
                "グループ".into(),
                folder.clone(),
                account_id.to_string(),
                name.to_string(),
                "メンバー".into(),
            ]);
        }
        write(
            &dir.join(&folder).join("members.csv"),
            &["アカウントID", "名前", "権限", "組織名", "部署"],
            accounts
                .iter()
                .map(|(id, name)| {
                    vec![
                        id.to_string(),
                        name.to_string(),
                        "メンバー".into(),
                        "株式会社見本商事".into(),
                        "営業部".into(),
                    ]
                })
                .collect(),
        );
        write(
            &dir.join(&folder).join("messages.csv"),
            &[
                "メッセージID",
                "アカウントID",
                "名前",
                "送信日時",
                "更新日時",
                "本文",
            ],
            messages
                .iter()
                .map(|(id, account, name, time, body)| {
                    vec![
                        id.to_string(),
                        account.to_string(),
                        name.to_string(),
                        time.to_string(),
                        String::new(),
                        body.to_string(),
                    ]
                })
                .collect(),
        );
    }
    write(
        &dir.join("members/members.csv"),
        &[
            "ルームID",
            "ルーム名",
            "種別",
            "ファイルパス",
            "アカウントID",
            "名前",
            "権限",
        ],
        members,
    );
}

/// Imports a hand-made export and opens it.
fn open_export(
    rooms: &[RoomRows<'_>],
    width: u16,
    height: u16,
    policy: AmbiguousWidth,
) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    write_export(&export, rooms);
    let case = dir.path().join("case");
    import_case(&export, &case);
    let app = open_app(&case, width, height, settings(Lang::Ja, policy));
    (dir, app)
}

fn check_screen(app: &App, screen_name: &str) -> Buffer {
    let (buffer, _) = draw(app);
    let problems = overlaps(&buffer, app.settings.ambiguous);
    assert!(
        problems.is_empty(),
        "{screen_name}: {problems:#?}\n{}",
        screen_text(&buffer)
    );
    let border = if app.settings.ambiguous == AmbiguousWidth::Wide {
        "|"
    } else {
        "│"
    };
    assert_borders_in_place(&buffer, border);
    buffer
}

const EMOJI_ROOM: &[Row<'_>] = &[
    (
        "9000000000000000001",
        "7",
        "試験 太郎",
        "2024-03-01 09:00:00",
        "了解👩‍💻です",
    ),
    (
        "9000000000000000002",
        "7",
        "試験 太郎",
        "2024-03-01 09:01:00",
        "👨‍👩‍👧 共有",
    ),
    (
        "9000000000000000003",
        "8",
        "カ\u{3099}イト\u{3099} 次郎",
        "2024-03-01 09:02:00",
        "🇯🇵",
    ),
    (
        "9000000000000000004",
        "8",
        "カ\u{3099}イト\u{3099} 次郎",
        "2024-03-01 09:03:00",
        "カ\u{3099}イト\u{3099}を読んでください",
    ),
    (
        "9000000000000000005",
        "7",
        "試験 太郎",
        "2024-03-01 09:04:00",
        "cafe\u{0301} で e\u{0301}",
    ),
];

#[test]
fn b12_emoji_and_nfd_keep_borders() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎"), ("8", "カ\u{3099}イト\u{3099} 次郎")];
    for (width, height) in [(80, 24), (120, 40), (33, 12)] {
        let (_dir, mut app) = open_export(
            &[(
                "100000001",
                "絵文字👩‍🔬とカ\u{3099}イト\u{3099}の部屋",
                accounts,
                EMOJI_ROOM,
            )],
            width,
            height,
            AmbiguousWidth::Narrow,
        );
        check_screen(&app, "rooms");
        feed(&mut app, [Action::Open]);
        check_screen(&app, "timeline");
        for _ in 0..5 {
            feed(&mut app, [Action::Up]);
            check_screen(&app, "timeline after scrolling");
        }
        feed(&mut app, [Action::ShowPeople]);
        check_screen(&app, "people");
        feed(&mut app, [Action::Open]);
        check_screen(&app, "person");
    }
}

#[test]
fn b12_nfc_search_finds_nfd_message() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎"), ("8", "カ\u{3099}イト\u{3099} 次郎")];
    let (_dir, mut app) = open_export(
        &[("100000001", "部屋", accounts, EMOJI_ROOM)],
        80,
        24,
        AmbiguousWidth::Narrow,
    );
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "ガイド");
    feed(&mut app, [Action::Submit]);
    let Some(Screen::Search(state)) = app.browser().unwrap().screens.last() else {
        panic!("search screen");
    };
    let results = state.results.as_ref().unwrap();
    assert_eq!(results.total, 1);
    assert!(
        results.hits[0]
            .message
            .body
            .contains("カ\u{3099}イト\u{3099}"),
        "the original text is kept"
    );
    check_screen(&app, "search results");
    feed(&mut app, [Action::Open]);
    check_screen(&app, "hit in its room");
}

const AMBIGUOUS_ROOM: &[Row<'_>] = &[
    (
        "9000000000000000011",
        "7",
        "試験 太郎",
        "2024-03-01 09:00:00",
        "■議題 ○進捗 △課題 ①②③ ☆",
    ),
    (
        "9000000000000000012",
        "7",
        "試験 太郎",
        "2024-03-01 09:01:00",
        "※要確認：①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳ ■■■■■■■■■■■■■■■■■■■■",
    ),
];

#[test]
fn b13_ambiguous_width_under_both_policies() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎")];
    for policy in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
        for (width, height) in [(30, 12), (80, 24)] {
            let (_dir, mut app) = open_export(
                &[("100000002", "①定例※要確認", accounts, AMBIGUOUS_ROOM)],
                width,
                height,
                policy,
            );
            let rooms = check_screen(&app, "rooms");
            feed(&mut app, [Action::Open]);
            let timeline = check_screen(&app, "timeline");
            feed(&mut app, [Action::Open]);
            let detail = check_screen(&app, "detail");
            let name = format!(
                "b13_{}_{width}x{height}",
                if policy == AmbiguousWidth::Wide {
                    "wide"
                } else {
                    "narrow"
                }
            );
            let text = format!(
                "{}\n{}\n{}",
                screen_text(&rooms),
                screen_text(&timeline),
                screen_text(&detail)
            );
            insta::with_settings!({
                snapshot_path => "../snapshots",
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, text);
            });
        }
    }
}

#[test]
fn b13_wide_policy_covers_second_cell() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎")];
    let (_dir, app) = open_export(
        &[("100000002", "①定例※要確認", accounts, AMBIGUOUS_ROOM)],
        80,
        24,
        AmbiguousWidth::Wide,
    );
    let (buffer, _) = draw(&app);
    let row = (0..buffer.area.height)
        .find(|&y| (0..buffer.area.width).any(|x| buffer[(x, y)].symbol() == "①"))
        .expect("the room name is on screen");
    let x = (0..buffer.area.width)
        .find(|&x| buffer[(x, row)].symbol() == "①")
        .unwrap();
    assert_eq!(buffer[(x + 1, row)].diff_option, CellDiffOption::Skip);
    assert_eq!(buffer[(x + 2, row)].symbol(), "定");
}

fn highlighted_text(buffer: &Buffer) -> Vec<String> {
    let mut runs = Vec::new();
    for y in 0..buffer.area.height {
        let mut run = String::new();
        let mut covered = 0;
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if covered > 0 {
                covered -= 1;
                continue;
            }
            covered = usize::from(cell.cell_width()).saturating_sub(1);
            if cell.bg == Color::Yellow && cell.fg == Color::Black {
                run.push_str(cell.symbol());
            } else if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }
    runs
}

#[test]
fn b15_highlights_cover_original_characters() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎")];
    let messages: &[Row<'_>] = &[
        (
            "9000000000000000021",
            "7",
            "試験 太郎",
            "2024-03-01 09:00:00",
            "見本 花子（試験）- 深夜対応",
        ),
        (
            "9000000000000000022",
            "7",
            "試験 太郎",
            "2024-03-01 09:01:00",
            "İstanbul出張",
        ),
        (
            "9000000000000000023",
            "7",
            "試験 太郎",
            "2024-03-01 09:02:00",
            "ＡＢＣ商事",
        ),
        (
            "9000000000000000024",
            "7",
            "試験 太郎",
            "2024-03-01 09:03:00",
            "あいうえおかきくけこさ",
        ),
    ];
    assert_eq!(style::hit().bg, Some(Color::Yellow));
    let (_dir, mut app) = open_export(
        &[("100000003", "部屋", accounts, messages)],
        80,
        24,
        AmbiguousWidth::Narrow,
    );
    for (query, expected) in [("-", "-"), ("istanbul", "İstanbul"), ("abc", "ＡＢＣ")] {
        feed(
            &mut app,
            [
                Action::ShowSearch,
                Action::Edit(crate::tui::widgets::input::Edit::Home),
                Action::Edit(crate::tui::widgets::input::Edit::ClearToEnd),
            ],
        );
        type_text(&mut app, query);
        feed(&mut app, [Action::Submit]);
        let buffer = check_screen(&app, query);
        assert_eq!(highlighted_text(&buffer), [expected], "query {query:?}");
    }
    // Ten columns cut at a character boundary with an ellipsis.
    let cut = crate::tui::widgets::text::truncate_line(
        &ratatui::text::Line::raw("あいうえおかきくけこさ"),
        10,
        AmbiguousWidth::Narrow,
    );
    assert_eq!(cut.to_string(), "あいうえ…");
}

const HOSTILE_ROOM: &[Row<'_>] = &[
    (
        "9000000000000000031",
        "9",
        "試験\x1b]0;PWNED\x07太郎",
        "2024-03-01 09:00:00",
        "確認済み\x1b[2J\x1b[H\x1b[31m【重要】再ログインしてください\x1b[0m",
    ),
    (
        "9000000000000000032",
        "9",
        "試験\x1b]0;PWNED\x07太郎",
        "2024-03-01 09:01:00",
        "\x1b]52;c;ZXZpbA==\x07",
    ),
    (
        "9000000000000000033",
        "9",
        "試験\x1b]0;PWNED\x07太郎",
        "2024-03-01 09:02:00",
        "\u{009b}31m",
    ),
    (
        "9000000000000000034",
        "9",
        "試験\x1b]0;PWNED\x07太郎",
        "2024-03-01 09:03:00",
        "承認しました\r却下",
    ),
    (
        "9000000000000000035",
        "9",
        "試験\x1b]0;PWNED\x07太郎",
        "2024-03-01 09:04:00",
        "\u{202E}abc",
    ),
];

fn assert_no_raw_controls(buffer: &Buffer, screen_name: &str) {
    let symbols = all_symbols(buffer);
    for c in symbols.chars() {
        assert!(
            !(c.is_control() || crate::text::sanitize::is_bidi_control(c)),
            "{screen_name}: raw {c:?} in the buffer"
        );
    }
}

#[test]
fn b16_controls_never_reach_the_buffer() {
    let accounts: &[(&str, &str)] = &[("9", "試験\x1b]0;PWNED\x07太郎")];
    let (_dir, mut app) = open_export(
        &[("100000004", "部屋\x1b[2J\u{9b}", accounts, HOSTILE_ROOM)],
        120,
        40,
        AmbiguousWidth::Narrow,
    );
    let buffer = check_screen(&app, "rooms");
    assert_no_raw_controls(&buffer, "rooms");
    assert!(screen_text(&buffer).contains("部屋␛[2J<U+009B>"));
    feed(&mut app, [Action::Open, Action::Top]);
    let buffer = check_screen(&app, "timeline");
    assert_no_raw_controls(&buffer, "timeline");
    let text = screen_text(&buffer);
    assert!(text.contains("試験␛]0;PWNED␇太郎"), "{text}");
    assert!(text.contains("確認済み␛[2J␛[H␛[31m【重要】"), "{text}");
    assert!(text.contains("承認しました␍却下"), "{text}");
    assert!(text.contains("<U+202E>abc"), "{text}");

    for action in [
        Action::Open,
        Action::Back,
        Action::ShowParticipants,
        Action::Back,
        Action::ShowPeople,
        Action::Open,
        Action::ShowChanges,
    ] {
        feed(&mut app, [action]);
        let buffer = check_screen(&app, "other screens");
        assert_no_raw_controls(&buffer, "other screens");
    }

    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "PWNED");
    feed(&mut app, [Action::Submit]);
    let buffer = check_screen(&app, "search");
    assert_no_raw_controls(&buffer, "search");
}

/// A terminal output that keeps screen_name was written to it.
#[derive(Clone, Default)]
struct Capture(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn b16_terminal_output_carries_no_data_escapes() {
    let accounts: &[(&str, &str)] = &[("9", "試験\x1b]0;PWNED\x07太郎")];
    let (_dir, mut app) = open_export(
        &[("100000004", "部屋\x1b[2J", accounts, HOSTILE_ROOM)],
        100,
        30,
        AmbiguousWidth::Narrow,
    );
    feed(&mut app, [Action::Open, Action::Top]);

    let captured = Capture::default();
    let backend = CrosstermBackend::new(captured.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 100, 30)),
        },
    )
    .unwrap();
    terminal.draw(|frame| render::draw(frame, &app)).unwrap();

    let bytes = captured.0.borrow().clone();
    let output = String::from_utf8_lossy(&bytes);
    for forbidden in [
        "\x1b[2J",
        "\x1b]0;PWNED",
        "\x1b]52",
        "\u{9b}",
        "\r却下",
        "\u{202E}",
    ] {
        assert!(
            !output.contains(forbidden),
            "{forbidden:?} reached the terminal"
        );
    }
    assert!(output.contains("PWNED"), "the name is still shown");
}

#[test]
fn b17_caret_and_paste() {
    let mut app = open_app(
        sample_case(),
        80,
        24,
        settings(Lang::Ja, AmbiguousWidth::Narrow),
    );
    feed(&mut app, [Action::ShowSearch]);
    let (_, empty) = draw(&app);
    let start = empty.expect("the search box has the cursor");

    type_text(&mut app, "検索");
    let (_, cursor) = draw(&app);
    assert_eq!(cursor, Some(Position::new(start.x + 4, start.y)));

    feed(&mut app, [Action::Paste("議事録\n共有".into())]);
    let Some(Screen::Search(state)) = app.browser().unwrap().screens.last() else {
        panic!("search screen");
    };
    assert_eq!(state.input.text(), "検索議事録 共有");
    assert!(
        state.results.is_none(),
        "a pasted line break must not run the search"
    );
    assert!(state.input_focused);

    type_text(&mut app, "ｱｲｳ");
    let (_, cursor) = draw(&app);
    let typed = "検索議事録 共有ｱｲｳ";
    let width = crate::text::width::display_width(typed, AmbiguousWidth::Narrow) as u16;
    assert_eq!(cursor, Some(Position::new(start.x + width, start.y)));

    feed(
        &mut app,
        [Action::Edit(crate::tui::widgets::input::Edit::Left)],
    );
    let (_, cursor) = draw(&app);
    assert_eq!(cursor, Some(Position::new(start.x + width - 1, start.y)));

    feed(
        &mut app,
        [Action::Resize {
            width: 100,
            height: 30,
        }],
    );
    let (_, cursor) = draw(&app);
    assert_eq!(
        cursor.map(|c| c.x),
        Some(start.x + width - 1),
        "resizing keeps the caret"
    );

    // The keys of a pasted text are never looked up as bindings.
    assert_eq!(
        crate::tui::keymap::paste_action(app.context(), "q\n".into()),
        Some(Action::Paste("q\n".into()))
    );
    feed(&mut app, [Action::Paste("q\n".into())]);
    assert!(!app.quit);
}

#[test]
fn b17_cursor_hidden_without_text_field() {
    let app = open_app(
        sample_case(),
        80,
        24,
        settings(Lang::Ja, AmbiguousWidth::Narrow),
    );
    let (_, cursor) = draw(&app);
    assert_eq!(cursor, None);
}

#[test]
fn b22_large_body_cut_then_whole() {
    let accounts: &[(&str, &str)] = &[("7", "試験 太郎")];
    let big = "長い本文です。".repeat(200_000);
    let messages: &[Row<'_>] = &[(
        "9000000000000000041",
        "7",
        "試験 太郎",
        "2024-03-01 09:00:00",
        &big,
    )];
    let (_dir, mut app) = open_export(
        &[("100000005", "部屋", accounts, messages)],
        80,
        24,
        AmbiguousWidth::Narrow,
    );
    feed(&mut app, [Action::Open]);
    let buffer = check_screen(&app, "timeline");
    assert!(screen_text(&buffer).contains("続きは Enter"));
    feed(&mut app, [Action::Open, Action::Bottom]);
    let Some(Screen::Detail(detail)) = app.browser().unwrap().screens.last() else {
        panic!("detail");
    };
    assert!(detail.line_count() > 1000);
    check_screen(&app, "detail end");
}
