//! Property tests: random Unicode in names, room names, bodies, notes,
//! tags, snippets and queries, drawn through every screen into a
//! `TestBackend` at random sizes under both width policies. Nothing may
//! panic, no raw control character may reach the buffer, and no glyph may
//! be written over another.

use std::collections::HashMap;

use proptest::prelude::*;
use ratatui::text::Line;

use super::*;
use crate::export::Scope;
use crate::model::{RevisionKind, Role, RoomType};
use crate::query::read::{
    AccountLabel, ChangeSort, FileView, MessageDetail, MessageView, Participant, Person,
    RevisionView, RoomSummary,
};
use crate::query::search::{Hit, MatchedIn, Snippet};
use crate::tui::app::Status;
use crate::tui::browse::CaseHeader;
use crate::tui::export_dialog::{
    DefaultName, ExportDialog, ExportField, ExportForm, Finished, ScopeChoice, WrittenSummary,
};
use crate::tui::keymap::Context;
use crate::tui::overlay::{Choice, Overlay, Prompt, PromptKind, TagOption, TagTarget};
use crate::tui::render::{BrowseView, draw_browse};
use crate::tui::screens::changes::ChangesState;
use crate::tui::screens::detail::DetailState;
use crate::tui::screens::participants::ParticipantsState;
use crate::tui::screens::people::PeopleState;
use crate::tui::screens::person::PersonMessagesState;
use crate::tui::screens::rooms::RoomsState;
use crate::tui::screens::search::{LiveCount, Results, SearchState};
use crate::tui::screens::timeline::TimelineState;
use crate::tui::screens::{Screen, Ui};
use crate::tui::theme::Glyphs;
use crate::tui::widgets::input::TextInput;

/// Text that stresses the console: any Unicode, or a mix of Japanese,
/// emoji, ambiguous characters, combining marks and controls.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 あ-んア-ン漢字①②■※○△☆ωЖ─│ｱｲｳﾊﾞﾟ\u{3099}\u{0301}\u{200b}\u{200d}\u{fe0f}👩‍💻👨‍👩‍👧🇯🇵\u{1b}\u{7}\u{9b}\u{85}\u{202e}\u{2066}\r\n\t]{0,60}",
    ]
}

/// Returns bodies made of Chatwork notation pieces and hostile text.
fn body() -> impl Strategy<Value = String> {
    let tag = prop::sample::select(vec![
        "[To:1]",
        "[toall]",
        "[rp aid=2 to=100-200]",
        "[qt]",
        "[/qt]",
        "[qtmeta aid=1 time=1709600000]",
        "[引用 aid=2 time=0]",
        "[/引用]",
        "[info]",
        "[/info]",
        "[title]",
        "[/title]",
        "[code]",
        "[/code]",
        "[hr]",
        "[piconname:1]",
        "[picon:9]",
        "[pname:2]",
        "[download:55]",
        "[/download]",
        "[preview id=5 ht=150]",
        "[task aid=1 st=open lt=1709600000 ltype=date]",
        "[task aid=3 st=done lt=0]",
        "[/task]",
        "[dtext:chatroom_member_is]",
        "[dtext:chatroom_added]",
        "[dtext:unknown_key]",
        "[delete]",
        "\n",
        "[",
        "]",
    ])
    .prop_map(str::to_string);
    prop::collection::vec(prop_oneof![tag, hostile_text()], 0..24)
        .prop_map(|pieces| pieces.concat())
}

fn label(name: String, id: i64, resigned: bool) -> AccountLabel {
    AccountLabel {
        account_key: id,
        account_id: id.to_string(),
        name,
        resigned,
        known: id % 3 != 0,
    }
}

fn message(
    id: i64,
    name: String,
    room: String,
    body: String,
    flags: u8,
    tag: String,
) -> MessageView {
    MessageView {
        msg_key: id,
        room_key: 1,
        room_id: "100".into(),
        room_name: room,
        message_id: id.to_string(),
        sender: label(name, id % 4, flags & 1 == 1),
        sent_at: 1_709_600_000 + id * 61,
        updated_at: (flags & 2 == 2).then_some(1_709_700_000),
        body,
        edited: flags & 2 == 2,
        deleted: flags & 4 == 4,
        has_file: flags & 8 == 8,
        revisions: i64::from(flags & 3),
        tags: if flags & 16 == 16 {
            vec![tag]
        } else {
            Vec::new()
        },
        starred: flags & 32 == 32,
        note: (flags & 64 == 64).then(|| "メモ\x1b[31m".to_string()),
    }
}

#[derive(Debug, Clone)]
struct Sample {
    names: Vec<String>,
    room_name: String,
    bodies: Vec<String>,
    flags: Vec<u8>,
    query: String,
    highlight: (usize, usize),
    width: u16,
    height: u16,
    wide: bool,
    english: bool,
    moves: u8,
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        prop::collection::vec(hostile_text(), 1..5),
        hostile_text(),
        prop::collection::vec(body(), 1..8),
        prop::collection::vec(any::<u8>(), 8),
        hostile_text(),
        (0usize..80, 0usize..80),
        (1u16..140, 1u16..50),
        any::<bool>(),
        any::<bool>(),
        0u8..12,
    )
        .prop_map(
            |(
                names,
                room_name,
                bodies,
                flags,
                query,
                highlight,
                (width, height),
                wide,
                english,
                moves,
            )| Sample {
                names,
                room_name,
                bodies,
                flags,
                query,
                highlight,
                width,
                height,
                wide,
                english,
                moves,
            },
        )
}

/// Builds one of every screen from the sample, as the app would hold them.
fn screens_of(sample: &Sample, area: Rect, ui: &Ui<'_>) -> Vec<(Screen, Overlay)> {
    let name = |index: usize| sample.names[index % sample.names.len()].clone();
    let messages: Vec<MessageView> = sample
        .bodies
        .iter()
        .enumerate()
        .map(|(index, body)| {
            message(
                index as i64 + 1,
                name(index),
                sample.room_name.clone(),
                body.clone(),
                sample.flags[index % sample.flags.len()],
                name(index + 1),
            )
        })
        .collect();
    let room = RoomSummary {
        room_key: 1,
        room_id: "100".into(),
        name: sample.room_name.clone(),
        room_type: RoomType::Group,
        members: 3,
        messages: messages.len() as i64,
        last_activity: Some(1_709_600_000),
        edited: 1,
        deleted: 1,
        resigned_messages: 1,
    };
    let mut rooms = RoomsState::new(vec![
        room.clone(),
        RoomSummary {
            room_key: 2,
            name: name(1),
            room_type: RoomType::Direct,
            last_activity: None,
            ..room.clone()
        },
    ]);
    rooms.filter = TextInput::with_text(&sample.query);
    rooms.filter_focused = sample.flags[0] & 1 == 1;

    let mut timeline = TimelineState::from_messages(room.clone(), messages.clone(), area, ui);
    timeline.hit = Some(2);

    let revisions: Vec<RevisionView> = sample
        .bodies
        .iter()
        .enumerate()
        .map(|(index, body)| RevisionView {
            kind: if index % 2 == 0 {
                RevisionKind::Edit
            } else {
                RevisionKind::Delete
            },
            at: 1_709_650_000 + index as i64,
            at_raw: name(index),
            body_before: body.clone(),
        })
        .collect();
    let detail = DetailState::new(
        MessageDetail {
            message: messages[0].clone(),
            revisions,
            files: vec![FileView {
                file_id: "5".into(),
                filename: name(2),
                filesize: Some(253_542),
                uploaded_at: Some(1_709_600_000),
                url: None,
            }],
            sent_at_raw: name(3),
        },
        area,
        ui,
    );

    let participants = ParticipantsState::new(
        room.clone(),
        sample
            .names
            .iter()
            .enumerate()
            .map(|(index, n)| Participant {
                account: label(n.clone(), index as i64, index % 2 == 0),
                role: Role::Admin,
                organization: Some(name(index + 1)),
                department: None,
                messages: index as i64,
                listed: index % 3 != 0,
            })
            .collect(),
    );
    let people = PeopleState::new(
        sample
            .names
            .iter()
            .enumerate()
            .map(|(index, n)| Person {
                account: label(n.clone(), index as i64, index % 2 == 1),
                organization: Some(name(index + 1)),
                department: Some(name(index + 2)),
                rooms: 2,
                messages: 9,
                last_activity: Some(1_709_600_000),
            })
            .collect(),
        true,
    );
    let person = PersonMessagesState::from_messages(label(name(0), 1, true), messages.clone());
    let changes = ChangesState::from_messages(messages.clone(), ChangeSort::Time);

    let mut search = SearchState::new();
    search.input = TextInput::with_text(&sample.query);
    search.live = LiveCount::Count(12_345);
    search.errors = vec![name(0)];
    search.input_focused = sample.flags[1] & 1 == 1;
    let (start, end) = sample.highlight;
    search.results = Some(Results {
        query: sample.query.clone(),
        total: messages.len() as u64,
        hits: messages
            .iter()
            .map(|message| Hit {
                message: message.clone(),
                matched_in: if message.msg_key % 2 == 0 {
                    MatchedIn::History
                } else {
                    MatchedIn::Current
                },
                snippet: Snippet {
                    text: message.body.clone(),
                    highlights: vec![start..end, end..start.max(end) + 3],
                },
            })
            .collect(),
        loading: false,
        error: Some(name(1)).filter(|_| sample.flags[2] & 1 == 1),
    });

    let tag_prompt = Overlay::Prompt(Prompt {
        kind: PromptKind::Tag(TagTarget::All {
            keys: vec![1, 2, 3],
            query: sample.query.clone(),
        }),
        input: TextInput::with_text(&sample.query),
        error: Some(name(0)),
    });
    let mut form = ExportForm::new(
        vec![
            ScopeChoice {
                scope: Scope::Organization,
                label: sample.room_name.clone(),
                name_part: "organization".into(),
            },
            ScopeChoice {
                scope: Scope::Rooms(vec![1]),
                label: name(1),
                name_part: "room-1".into(),
            },
        ],
        DefaultName::new(Path::new(&name(2)), 1_709_600_000, chrono_tz::Asia::Tokyo),
    );
    form.destination = TextInput::with_text(&sample.query);
    form.error = Some(name(0));
    form.focus = if sample.flags[3] & 1 == 1 {
        ExportField::Destination
    } else {
        ExportField::Scope
    };
    let export_form = Overlay::Export(Box::new(ExportDialog::Form(form)));
    let export_done = Overlay::Export(Box::new(ExportDialog::Finished(Finished::Written(
        WrittenSummary {
            rooms: 2,
            messages: 7,
            earlier_versions: 1,
            paths: vec![PathBuf::from(name(0)), PathBuf::from(name(1))],
            folder_files: 0,
            replaced_messages: 3,
            neutralized_cells: 4,
        },
    ))));
    let choice = Overlay::Choice(Choice {
        target: TagTarget::One {
            msg_key: 1,
            tags: vec![name(0)],
        },
        options: vec![
            TagOption {
                tag: Some(name(0)),
                present: true,
            },
            TagOption {
                tag: Some(name(1)),
                present: false,
            },
            TagOption {
                tag: None,
                present: false,
            },
        ],
        selected: 1,
    });
    vec![
        (Screen::Rooms(rooms), Overlay::None),
        (Screen::Timeline(Box::new(timeline)), Overlay::date_prompt()),
        (Screen::Detail(Box::new(detail)), choice),
        (Screen::Participants(participants), Overlay::None),
        (
            Screen::People(people),
            Overlay::Help {
                context: Context::People,
                scroll: 3,
                under: None,
            },
        ),
        (Screen::PersonMessages(person), export_done),
        (Screen::Changes(changes), export_form),
        (Screen::Search(Box::new(search)), tag_prompt),
    ]
}

/// Returns the buffer with each cell's symbol, and `*` after a cell that
/// carries a diff option, to show what went wrong.
fn marked_screen(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            out.push_str(cell.symbol());
            if cell.diff_option != CellDiffOption::None {
                out.push('*');
            }
        }
        out.push('\n');
    }
    out
}

fn check_drawing(sample: &Sample) {
    let policy = if sample.wide {
        AmbiguousWidth::Wide
    } else {
        AmbiguousWidth::Narrow
    };
    let settings = settings(if sample.english { Lang::En } else { Lang::Ja }, policy);
    let names: HashMap<String, AccountLabel> = sample
        .names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            (
                index.to_string(),
                label(name.clone(), index as i64, index == 2),
            )
        })
        .collect();
    let ui = Ui {
        settings,
        glyphs: Glyphs::for_policy(policy),
        names: &names,
    };
    let size = Rect::new(0, 0, sample.width, sample.height);
    let area = crate::tui::app::areas(size).main;
    let header = CaseHeader {
        case_name: sample.names[0].clone(),
        investigator: sample.room_name.clone(),
        purpose: sample.query.clone(),
        rooms: 2,
        messages: 7,
        people: 3,
        pending_import: None,
    };
    let status = Status::error(sample.room_name.clone());
    let mut frames = Vec::new();
    for (screen, overlay) in screens_of(sample, area, &ui) {
        let mut screens = vec![screen];
        // Move around a little so scrolled states get drawn too.
        if let Screen::Timeline(timeline) = &mut screens[0] {
            for _ in 0..sample.moves {
                timeline.click(area.y + 2, &ui);
                timeline.resize(area, &ui);
            }
        }
        for with_overlay in [false, true] {
            let no_overlay = Overlay::None;
            let view = BrowseView {
                ui: Ui {
                    settings,
                    glyphs: Glyphs::for_policy(policy),
                    names: &names,
                },
                header: &header,
                screens: &screens,
                overlay: if with_overlay { &overlay } else { &no_overlay },
                status: with_overlay.then_some(&status),
                export: None,
            };
            let mut terminal =
                Terminal::new(TestBackend::new(sample.width, sample.height)).unwrap();
            let mut cursor = None;
            let buffer = terminal
                .draw(|frame| {
                    let area = frame.area();
                    cursor = draw_browse(frame.buffer_mut(), area, &view);
                })
                .unwrap()
                .buffer
                .clone();
            let buffer = &buffer;
            for c in all_symbols(buffer).chars() {
                assert!(
                    !(c.is_control() || crate::text::sanitize::is_bidi_control(c)),
                    "raw {c:?} on {:?}",
                    screens[0].context()
                );
            }
            let problems = overlaps(buffer, policy);
            assert!(
                problems.is_empty(),
                "{:?}: {problems:#?}\n{}",
                screens[0].context(),
                marked_screen(buffer)
            );
            if let Some(cursor) = cursor {
                assert!(
                    buffer.area.contains(cursor),
                    "cursor {cursor:?} outside {:?}",
                    buffer.area
                );
            }
            frames.push(buffer.clone());
        }
    }
    // One screen after the other, as a user moves between them.
    assert_no_fragments(&frames, policy);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_text_draws_on_every_screen(sample in sample()) {
        check_drawing(&sample);
    }

    #[test]
    fn any_body_lays_out_within_width(body in body(), width in 1usize..100, wide in any::<bool>()) {
        let policy = if wide { AmbiguousWidth::Wide } else { AmbiguousWidth::Narrow };
        let names = HashMap::new();
        let context = crate::tui::widgets::notation::RenderContext {
            names: &names,
            settings: settings(Lang::Ja, policy),
            glyphs: Glyphs::for_policy(policy),
        };
        let rendered = crate::tui::widgets::notation::render_body(&body, width, 200, true, &context);
        for line in &rendered.lines {
            let used = crate::tui::widgets::text::line_width(line, policy);
            let text = line.to_string();
            let widest = unicode_segmentation::UnicodeSegmentation::graphemes(text.as_str(), true)
                .map(|g| crate::text::width::grapheme_width(g, policy))
                .max()
                .unwrap_or(0);
            // A cluster wider than the room left after the indent gets a
            // row of its own. That row is the one allowed to overflow, by at
            // most the indent, which is at most half the width.
            prop_assert!(used <= width.max(widest + width / 2), "{used} > {width}: {line:?}");
        }
        let _ = crate::tui::widgets::notation::plain_text(&body, &names);
    }

    #[test]
    fn any_snippet_highlight_is_safe(text in hostile_text(), start in 0usize..100, end in 0usize..100) {
        let highlight = start..end;
        let spans = crate::tui::screens::search::highlighted(&text, std::slice::from_ref(&highlight), ratatui::style::Style::new());
        let line = Line::from(spans);
        prop_assert!(!line.to_string().chars().any(char::is_control));
    }
}

/// Random queries typed into the real search screen of the sample case:
/// parsing, counting, searching and drawing never panic.
#[test]
fn any_query_runs_on_sample_case() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    });
    runner
        .run(&hostile_text(), |query| {
            let mut app = open_app(
                sample_case(),
                80,
                24,
                settings(Lang::Ja, AmbiguousWidth::Narrow),
            );
            feed(&mut app, [Action::ShowSearch, Action::Paste(query.clone())]);
            draw(&app);
            feed(&mut app, [Action::Submit, Action::Down, Action::Open]);
            let (buffer, _) = draw(&app);
            prop_assert!(overlaps(&buffer, AmbiguousWidth::Narrow).is_empty());
            Ok(())
        })
        .unwrap();
}
