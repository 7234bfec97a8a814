//! State tests: actions fed to the app on the real sample case, with no
//! terminal, and checks on the state that results.

use std::time::{Duration, Instant};

use super::*;
use crate::query::read::RoomSort;
use crate::tui::app::Stage;
use crate::tui::keymap::Context;
use crate::tui::overlay::Overlay;
use crate::tui::screens::Screen;
use crate::tui::screens::search::LiveCount;
use crate::tui::widgets::input::Edit;

fn app() -> App {
    open_app(
        sample_case(),
        120,
        40,
        settings(Lang::Ja, AmbiguousWidth::Narrow),
    )
}

fn top(app: &App) -> &Screen {
    app.browser().unwrap().screens.last().unwrap()
}

fn timeline(app: &App) -> &crate::tui::screens::timeline::TimelineState {
    match top(app) {
        Screen::Timeline(state) => state,
        other => panic!("expected a timeline, found {other:?}"),
    }
}

fn search(app: &App) -> &crate::tui::screens::search::SearchState {
    match top(app) {
        Screen::Search(state) => state,
        other => panic!("expected the search screen, found {other:?}"),
    }
}

pub fn audit_actions(case: &Path) -> Vec<String> {
    let case = Case::open(case).unwrap();
    crate::audit::entries(case.conn())
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

/// Opens the room whose name is `name` from the room list.
pub fn open_room_named(app: &mut App, name: &str) {
    feed(app, [Action::ShowRooms, Action::FocusFilter]);
    type_text(app, name);
    feed(app, [Action::Submit, Action::Open]);
    assert_eq!(timeline(app).room.name, name);
}

#[test]
fn room_list_holds_every_room() {
    let app = app();
    let browser = app.browser().unwrap();
    let expected = browser
        .session
        .reader
        .rooms(RoomSort::LastActivity)
        .unwrap();
    let Screen::Rooms(state) = top(&app) else {
        panic!("the console starts on the room list");
    };
    assert_eq!(state.shown_len(), expected.len());
    assert_eq!(
        state.selected_room().unwrap().room_key,
        expected[0].room_key
    );
    assert_eq!(app.context(), Context::Rooms);
}

#[test]
fn enter_opens_room_at_newest_message() {
    let mut app = app();
    feed(&mut app, [Action::Down, Action::Open]);
    let state = timeline(&app);
    assert_eq!(state.selected, state.total - 1);
    assert_eq!(state.total, state.room.messages);
    assert_eq!(app.context(), Context::Timeline);
}

#[test]
fn timeline_moves_pages_and_jumps() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    let total = timeline(&app).total;
    feed(&mut app, [Action::Top]);
    assert_eq!(timeline(&app).selected, 0);
    feed(&mut app, [Action::Down, Action::Down]);
    assert_eq!(timeline(&app).selected, 2);
    feed(&mut app, [Action::PageDown]);
    let after_page = timeline(&app).selected;
    assert!(
        after_page > 3,
        "a page moves by the messages in view, got {after_page}"
    );
    // Messages differ in height, so a page up need not land where the page
    // down started.
    feed(&mut app, [Action::PageUp]);
    let back = timeline(&app).selected;
    assert!(back < after_page, "page up stayed at {back}");
    feed(&mut app, [Action::Bottom]);
    assert_eq!(timeline(&app).selected, total - 1);
    feed(&mut app, [Action::ScrollUp]);
    let state = timeline(&app);
    assert!(state.selected < total - 1 || state.top < total - 1);
    assert!(state.selected_message().is_some());
}

#[test]
fn timeline_steps_through_every_message() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::Top]);
    let total = timeline(&app).total;
    let mut previous = (i64::MIN, i64::MIN);
    for position in 0..total {
        let state = timeline(&app);
        assert_eq!(state.selected, position);
        let message = state
            .selected_message()
            .expect("selected message is loaded");
        let order = (message.sent_at, message.msg_key);
        assert!(order > previous, "timeline order at {position}");
        previous = order;
        assert!(state.top <= state.selected);
        app.update(Action::Down);
    }
    assert_eq!(timeline(&app).selected, total - 1);
}

#[test]
fn date_jump_selects_first_message_of_that_day() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::JumpToDate]);
    assert_eq!(app.context(), Context::Prompt);
    type_text(&mut app, "2024-03-13");
    feed(&mut app, [Action::Submit]);
    assert_eq!(app.overlay, Overlay::None);
    let state = timeline(&app);
    let message = state.selected_message().unwrap();
    let day_start =
        crate::tui::format::parse_date_time("2024-03-13", chrono_tz::Asia::Tokyo).unwrap();
    assert!(message.sent_at >= day_start);
    if state.selected > 0 {
        let before = state.message_at(state.selected - 1).unwrap();
        assert!(before.sent_at < day_start);
    }
}

#[test]
fn bad_date_keeps_prompt_open() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::JumpToDate]);
    type_text(&mut app, "来週");
    feed(&mut app, [Action::Submit]);
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt stays open");
    };
    assert!(prompt.error.is_some());
    feed(&mut app, [Action::Cancel]);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn reply_jump_selects_replied_message() {
    let mut app = app();
    let env = app.env();
    let browser = app.browser_mut().unwrap();
    let reader = &browser.session.reader;

    // Find a reply whose target is in the case.
    let mut found = None;
    'rooms: for room in reader.rooms(RoomSort::Name).unwrap() {
        for message in reader
            .room_messages(room.room_key, 0, room.messages)
            .unwrap()
        {
            let nodes = crate::text::notation::parse(&message.body);
            for reply in crate::text::notation::links(&nodes).replies {
                let room_id = reply.room_id.clone().unwrap_or(room.room_id.clone());
                if let Some(message_id) = &reply.message_id
                    && let Some(target) = reader.find_message(&room_id, message_id).unwrap()
                {
                    found = Some((message.msg_key, target));
                    break 'rooms;
                }
            }
        }
    }
    let (reply_key, target_key) = found.expect("the sample holds a reply to a message in the case");

    browser.open_message_in_room(reply_key, &env).unwrap();
    assert_eq!(
        timeline(&app).selected_message().unwrap().msg_key,
        reply_key
    );
    feed(&mut app, [Action::JumpToReply]);
    assert_eq!(
        timeline(&app).selected_message().unwrap().msg_key,
        target_key
    );
    assert_eq!(timeline(&app).hit, Some(target_key));
}

#[test]
fn room_filter_narrows_as_you_type() {
    let mut app = app();
    feed(&mut app, [Action::FocusFilter]);
    assert_eq!(app.context(), Context::RoomsFilter);
    type_text(&mut app, "営業");
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(state.shown_len(), 1);
    assert_eq!(state.selected_room().unwrap().name, "営業部");
    feed(&mut app, [Action::Edit(Edit::ClearToStart)]);
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(state.shown_len(), 16);
    feed(&mut app, [Action::Cancel]);
    assert_eq!(app.context(), Context::Rooms);
}

#[test]
fn room_sort_cycles_and_reverses() {
    let mut app = app();
    feed(&mut app, [Action::CycleSort]);
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(state.sort, crate::tui::screens::rooms::RoomColumn::Name);
    assert!(!state.descending);
    feed(
        &mut app,
        [
            Action::CycleSort,
            Action::CycleSort,
            Action::CycleSort,
            Action::Top,
        ],
    );
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(state.sort, crate::tui::screens::rooms::RoomColumn::Messages);
    assert_eq!(state.selected_room().unwrap().name, "営業部");
    feed(&mut app, [Action::ReverseSort, Action::Top]);
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(
        state.selected_room().unwrap().name,
        "髙橋 真理子 / 小野寺 湊"
    );
}

#[test]
fn search_counts_while_typing_and_opens_hits() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    assert_eq!(app.context(), Context::SearchInput);
    type_text(&mut app, "給料");
    assert!(matches!(search(&app).live, LiveCount::Count(count) if count >= 3));
    type_text(&mut app, "泥棒");
    assert_eq!(search(&app).live, LiveCount::Count(3));
    feed(&mut app, [Action::Submit]);
    assert_eq!(app.context(), Context::Search);
    let results = search(&app).results.as_ref().unwrap();
    assert_eq!(results.total, 3);
    assert_eq!(results.hits.len(), 3);
    let first = results.hits[0].message.msg_key;
    let second = results.hits[1].message.msg_key;

    feed(&mut app, [Action::Open]);
    let state = timeline(&app);
    assert_eq!(state.selected_message().unwrap().msg_key, first);
    assert_eq!(state.hit, Some(first));

    feed(&mut app, [Action::NextHit]);
    assert_eq!(timeline(&app).selected_message().unwrap().msg_key, second);
    feed(&mut app, [Action::PreviousHit]);
    assert_eq!(timeline(&app).selected_message().unwrap().msg_key, first);

    feed(&mut app, [Action::Back]);
    assert_eq!(app.context(), Context::Search);
    assert_eq!(search(&app).cursor.selected, 0);
}

#[test]
fn deleted_hit_shows_text_before_deletion() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "from:権藤 is:deleted");
    feed(&mut app, [Action::Submit]);
    let results = search(&app).results.as_ref().unwrap();
    assert_eq!(results.total, 3);
    let harassment = results
        .hits
        .iter()
        .find(|hit| hit.snippet.text.contains("給料泥棒"))
        .expect("the deleted message shows the text it had");
    assert!(harassment.message.deleted);
    assert!(harassment.snippet.text.starts_with('✗'));
}

#[test]
fn search_parse_errors_are_shown() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "is:nothing 給料");
    assert!(!search(&app).errors.is_empty());
}

#[test]
fn unreadable_filter_runs_no_search() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "before:2024-13-01 給料");
    feed(&mut app, [Action::Submit]);
    let state = search(&app);
    assert!(!state.errors.is_empty());
    let results = state.results.as_ref().expect("a results block");
    assert!(
        results.hits.is_empty(),
        "no hits under a filter that was not read"
    );
    assert!(
        results.error.is_some(),
        "the results say why they are empty"
    );
    assert_eq!(
        app.browser()
            .unwrap()
            .all_result_keys()
            .err()
            .map(|error| error.to_string()),
        Some(state.errors.join("; ")),
        "tagging every result refuses the query too"
    );
}

#[test]
fn search_order_cycles_and_reruns() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "給料泥棒");
    feed(&mut app, [Action::Submit]);
    let newest = search(&app).results.as_ref().unwrap().hits[0]
        .message
        .sent_at;
    feed(&mut app, [Action::CycleSearchOrder]);
    let state = search(&app);
    assert_eq!(state.order, crate::query::search::SortOrder::Oldest);
    let oldest = state.results.as_ref().unwrap().hits[0].message.sent_at;
    assert!(oldest < newest);
}

#[test]
fn search_results_page_in_as_selection_moves() {
    let mut app = app();
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "の");
    feed(&mut app, [Action::Submit]);
    let total = search(&app).results.as_ref().unwrap().total;
    assert!(
        total > screens_page() as u64,
        "the query must match more than a page, found {total}"
    );
    feed(&mut app, [Action::Bottom]);
    for _ in 0..20 {
        feed(&mut app, [Action::Bottom]);
    }
    let state = search(&app);
    assert_eq!(state.results.as_ref().unwrap().hits.len() as u64, total);
    assert_eq!(state.cursor.selected as u64, total - 1);
}

fn screens_page() -> usize {
    crate::tui::screens::search::PAGE
}

#[test]
fn changes_open_detail_with_diff() {
    let mut app = app();
    feed(&mut app, [Action::ShowChanges]);
    let Screen::Changes(state) = top(&app) else {
        panic!("changes");
    };
    let reader = &app.browser().unwrap().session.reader;
    let index = reader
        .messages_by_keys(state.keys())
        .unwrap()
        .iter()
        .position(|message| message.edited && message.revisions > 0)
        .expect("the sample has an edited message with its earlier version");
    feed(&mut app, [Action::Top]);
    for _ in 0..index {
        feed(&mut app, [Action::Down]);
    }
    feed(&mut app, [Action::Open]);
    let Screen::Detail(detail) = top(&app) else {
        panic!("detail");
    };
    assert!(!detail.detail.revisions.is_empty());
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(text.contains("版 2"), "{text}");
    assert!(text.contains("{+") || text.contains("[-"), "{text}");
    feed(&mut app, [Action::Bottom, Action::Top]);
}

#[test]
fn changes_sort_cycles() {
    let mut app = app();
    feed(&mut app, [Action::ShowChanges, Action::CycleSort]);
    let Screen::Changes(state) = top(&app) else {
        panic!("changes");
    };
    assert_eq!(state.sort, crate::query::read::ChangeSort::Person);
}

fn changes(app: &App) -> &crate::tui::screens::changes::ChangesState {
    match top(app) {
        Screen::Changes(state) => state,
        other => panic!("expected the edits and deletions list, found {other:?}"),
    }
}

/// Checks that every visible row of the list is loaded with the message
/// of its key, and that no more than the view and its margins are loaded.
fn assert_view_loaded(app: &App, height: usize) {
    let state = changes(app);
    let keys = state.keys();
    let first = state.cursor.offset;
    for (index, key) in keys.iter().enumerate().skip(first).take(height) {
        let message = state
            .message(index)
            .unwrap_or_else(|| panic!("row {index} is visible but not loaded"));
        assert_eq!(message.msg_key, *key, "row {index}");
    }
    let selected = state.selected().expect("the selected row is loaded");
    assert_eq!(selected.msg_key, keys[state.cursor.selected]);
    let max_loaded = height + 2 * crate::tui::screens::changes::MARGIN;
    assert!(
        state.loaded_len() <= max_loaded,
        "{} messages loaded, more than {max_loaded}",
        state.loaded_len()
    );
}

#[test]
fn changes_page_to_the_end_and_back() {
    let mut app = open_app(
        generated_case(),
        120,
        40,
        settings(Lang::Ja, AmbiguousWidth::Narrow),
    );
    feed(&mut app, [Action::ShowChanges]);
    let height = crate::tui::screens::changes::visible_rows(app.env().area);
    let keys = changes(&app).keys().to_vec();
    let max_loaded = height + 2 * crate::tui::screens::changes::MARGIN;
    assert!(keys.len() > 2 * max_loaded, "only {} changes", keys.len());
    assert_view_loaded(&app, height);

    let mut pages_down = 0;
    while changes(&app).cursor.selected + 1 < keys.len() {
        feed(&mut app, [Action::PageDown]);
        assert_view_loaded(&app, height);
        pages_down += 1;
    }
    assert_eq!(pages_down, (keys.len() - 1).div_ceil(height));
    assert_eq!(changes(&app).cursor.offset, keys.len() - height);

    let mut pages_up = 0;
    while changes(&app).cursor.selected > 0 {
        feed(&mut app, [Action::PageUp]);
        assert_view_loaded(&app, height);
        pages_up += 1;
    }
    assert_eq!(pages_up, pages_down);
    assert_eq!(changes(&app).cursor.offset, 0);

    // Jumps, the mouse wheel and single rows across the loaded edge.
    feed(&mut app, [Action::Bottom]);
    assert_view_loaded(&app, height);
    assert_eq!(changes(&app).cursor.selected, keys.len() - 1);
    feed(&mut app, [Action::Top]);
    assert_view_loaded(&app, height);
    for _ in 0..(max_loaded / 3 + 1) {
        feed(&mut app, [Action::ScrollDown]);
    }
    assert_view_loaded(&app, height);
    assert!(changes(&app).cursor.offset > max_loaded - height);
    for _ in 0..max_loaded {
        feed(&mut app, [Action::Down]);
    }
    assert_view_loaded(&app, height);

    // The last row opens its own message.
    feed(&mut app, [Action::Bottom]);
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(
        text.contains(&format!(
            "編集・削除 {}",
            crate::tui::format::count(keys.len() as i64)
        )),
        "{text}"
    );
    feed(&mut app, [Action::Open]);
    let Screen::Detail(detail) = top(&app) else {
        panic!("detail");
    };
    assert_eq!(detail.msg_key(), *keys.last().unwrap());
}

#[test]
fn people_resigned_first_and_person_messages() {
    let mut app = app();
    feed(&mut app, [Action::ShowPeople]);
    let Screen::People(state) = top(&app) else {
        panic!("people");
    };
    assert!(!state.resigned_first);
    feed(&mut app, [Action::ToggleResignedFirst, Action::Top]);
    let Screen::People(state) = top(&app) else {
        panic!("people");
    };
    assert!(state.resigned_first);
    let first = state.selected().unwrap().clone();
    assert!(first.account.resigned);
    feed(&mut app, [Action::Open]);
    let Screen::PersonMessages(person) = top(&app) else {
        panic!("person");
    };
    assert_eq!(person.total, first.messages);
    let newest = person.selected().unwrap().clone();
    assert_eq!(newest.sender.account_key, first.account.account_key);
    feed(&mut app, [Action::Open]);
    assert_eq!(
        timeline(&app).selected_message().unwrap().msg_key,
        newest.msg_key
    );
}

#[test]
fn participants_of_room_open_person() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::ShowParticipants]);
    let Screen::Participants(state) = top(&app) else {
        panic!("participants");
    };
    assert!(state.len() >= 10);
    assert!(
        state.participants[0].account.resigned,
        "resigned members come first"
    );
    feed(&mut app, [Action::Open]);
    assert!(matches!(top(&app), Screen::PersonMessages(_)));
}

#[test]
fn escape_goes_back_and_q_quits() {
    let mut app = app();
    feed(&mut app, [Action::Open, Action::Open]);
    assert!(matches!(top(&app), Screen::Detail(_)));
    feed(&mut app, [Action::Back]);
    assert!(matches!(top(&app), Screen::Timeline(_)));
    feed(&mut app, [Action::Back]);
    assert!(matches!(top(&app), Screen::Rooms(_)));
    feed(&mut app, [Action::Back]);
    assert!(matches!(top(&app), Screen::Rooms(_)));
    assert!(app.status.is_some());
    feed(&mut app, [Action::Quit]);
    assert!(app.quit);
    assert_eq!(app.exit_code, 0);
}

#[test]
fn help_lists_keys_of_current_screen() {
    let mut app = app();
    feed(&mut app, [Action::Open, Action::ToggleHelp]);
    assert_eq!(
        app.overlay,
        Overlay::Help {
            context: Context::Timeline,
            scroll: 0,
            under: None,
        }
    );
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(text.contains("返信先へ移動"), "{text}");
    feed(&mut app, [Action::ToggleHelp]);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn click_selects_then_opens() {
    let mut app = app();
    // Row 0 is the top bar, row 1 the frame, row 2 the filter, row 3 the heading.
    feed(&mut app, [Action::Click { column: 10, row: 5 }]);
    let Screen::Rooms(state) = top(&app) else {
        panic!("rooms");
    };
    assert_eq!(state.cursor.selected, 1);
    feed(&mut app, [Action::Click { column: 10, row: 5 }]);
    assert!(matches!(top(&app), Screen::Timeline(_)));
    feed(&mut app, [Action::ScrollUp, Action::ScrollDown]);
}

#[test]
fn resize_keeps_selection_in_view() {
    let mut app = app();
    open_room_named(&mut app, "営業部");
    feed(
        &mut app,
        [Action::Resize {
            width: 80,
            height: 24,
        }],
    );
    let state = timeline(&app);
    assert!(state.top <= state.selected);
    let (buffer, _) = draw(&app);
    assert_eq!(buffer.area.width, 80);
    feed(
        &mut app,
        [
            Action::Resize {
                width: 20,
                height: 5,
            },
            Action::Down,
            Action::Up,
        ],
    );
    draw(&app);
}

/// The tag picker offers its first tags in the language of the screens,
/// and the tags already in the case after them.
#[test]
fn tag_picker_offers_tags_in_the_screen_language() {
    let (_dir, case) = own_sample_case();
    let mut app = open_app(&case, 120, 40, settings(Lang::En, AmbiguousWidth::Narrow));
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::Tag, Action::Submit]);
    assert_eq!(timeline(&app).selected_message().unwrap().tags, ["review"]);

    let mut app = open_app(&case, 120, 40, settings(Lang::Ja, AmbiguousWidth::Narrow));
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::Tag]);
    let Overlay::Choice(choice) = &app.overlay else {
        panic!("tag picker");
    };
    let offered: Vec<Option<&str>> = choice
        .options
        .iter()
        .map(|option| option.tag.as_deref())
        .collect();
    assert_eq!(
        offered,
        [
            Some("要確認"),
            Some("証拠"),
            Some("無関係"),
            Some("review"),
            None
        ]
    );

    // Typing in the picker starts a new tag with the typed text; Enter
    // then applies that text, not the highlighted tag.
    type_text(&mut app, "上司の発言");
    assert_eq!(app.context(), Context::Prompt);
    feed(&mut app, [Action::Submit]);
    let tags = &timeline(&app).selected_message().unwrap().tags;
    assert!(tags.contains(&"上司の発言".to_string()), "{tags:?}");
    assert!(!tags.contains(&"要確認".to_string()), "{tags:?}");
}

#[test]
fn annotations_are_saved_and_audited() {
    let (_dir, case) = own_sample_case();
    let mut app = open_app(&case, 120, 40, settings(Lang::Ja, AmbiguousWidth::Narrow));
    open_room_named(&mut app, "営業部");
    let key = timeline(&app).selected_message().unwrap().msg_key;

    feed(&mut app, [Action::ToggleStar]);
    assert!(timeline(&app).selected_message().unwrap().starred);

    feed(&mut app, [Action::Tag]);
    assert_eq!(app.context(), Context::Choice);
    feed(&mut app, [Action::Submit]);
    assert_eq!(timeline(&app).selected_message().unwrap().tags, ["要確認"]);

    feed(&mut app, [Action::Tag]);
    let Overlay::Choice(choice) = &app.overlay else {
        panic!("tag picker");
    };
    assert!(choice.options[0].present);
    let free = choice.options.len() - 1;
    for _ in 0..free {
        feed(&mut app, [Action::Down]);
    }
    feed(&mut app, [Action::Submit]);
    assert_eq!(app.context(), Context::Prompt);
    type_text(&mut app, "上司の発言");
    feed(&mut app, [Action::Submit]);
    let tags = &timeline(&app).selected_message().unwrap().tags;
    assert!(tags.contains(&"上司の発言".to_string()), "{tags:?}");

    feed(&mut app, [Action::Note]);
    type_text(&mut app, "本人に確認済み");
    feed(&mut app, [Action::Submit]);
    assert_eq!(
        timeline(&app).selected_message().unwrap().note.as_deref(),
        Some("本人に確認済み")
    );

    feed(&mut app, [Action::Open]);
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(text.contains("#要確認"), "{text}");
    assert!(text.contains("本人に確認済み"), "{text}");

    let actions = audit_actions(&case);
    for action in ["open_room", "star_add", "tag_add", "note_set"] {
        assert!(
            actions.iter().any(|action| action == action),
            "{action} missing from {actions:?}"
        );
    }
    let reader = &app.browser().unwrap().session.reader;
    let message = reader.messages_by_keys(&[key]).unwrap().remove(0);
    assert!(message.starred);
}

#[test]
fn search_and_person_are_audited() {
    let (_dir, case) = own_sample_case();
    let mut app = open_app(&case, 120, 40, settings(Lang::Ja, AmbiguousWidth::Narrow));
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "給料泥棒");
    feed(&mut app, [Action::Submit]);
    feed(&mut app, [Action::ShowPeople, Action::Open]);
    let actions = audit_actions(&case);
    assert!(actions.contains(&"search".to_string()), "{actions:?}");
    assert!(actions.contains(&"open_person".to_string()), "{actions:?}");
}

#[test]
fn bulk_tag_tags_every_result() {
    let (_dir, case) = own_sample_case();
    let mut app = open_app(&case, 120, 40, settings(Lang::Ja, AmbiguousWidth::Narrow));
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "給料泥棒");
    feed(&mut app, [Action::Submit, Action::BulkTag]);
    let Overlay::Choice(choice) = &app.overlay else {
        panic!("tag picker");
    };
    assert!(
        matches!(&choice.target, crate::tui::overlay::TagTarget::All { keys, .. } if keys.len() == 3)
    );
    feed(&mut app, [Action::Down, Action::Submit]);
    let reader = &app.browser().unwrap().session.reader;
    assert_eq!(reader.tag_counts().unwrap(), [("証拠".to_string(), 3)]);
    let state = search(&app);
    for hit in &state.results.as_ref().unwrap().hits {
        assert!(hit.message.tags.contains(&"証拠".to_string()));
    }
    assert!(audit_actions(&case).contains(&"tag_add".to_string()));
}

#[test]
fn english_labels_with_lang_en() {
    let mut app = open_app(
        sample_case(),
        120,
        40,
        settings(Lang::En, AmbiguousWidth::Narrow),
    );
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(text.contains("Rooms"), "{text}");
    feed(&mut app, [Action::ShowPeople]);
    let (buffer, _) = draw(&app);
    assert!(screen_text(&buffer).contains(" (resigned)"));
}

#[test]
fn new_case_is_imported_with_investigator_and_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
    let case_dir = dir.path().join("new-case");
    let mut app = App::setup(
        export,
        case_dir.clone(),
        settings(Lang::Ja, AmbiguousWidth::Narrow),
        Rect::new(0, 0, 80, 24),
        SearchMode::Inline,
    );
    assert_eq!(app.context(), Context::Setup);
    let (_, cursor) = draw(&app);
    assert!(cursor.is_some(), "the form puts the cursor in the field");
    feed(
        &mut app,
        [Action::FocusPrevious, Action::Edit(Edit::ClearToStart)],
    );
    type_text(&mut app, "調査 花子");
    feed(&mut app, [Action::Submit]);
    type_text(&mut app, "ハラスメント申告の調査");
    feed(&mut app, [Action::Submit]);
    assert!(matches!(app.stage, Stage::Importing(_)));
    draw(&app);

    let deadline = Instant::now() + Duration::from_secs(300);
    while matches!(app.stage, Stage::Importing(_)) {
        assert!(Instant::now() < deadline, "the import did not finish");
        std::thread::sleep(Duration::from_millis(20));
        app.tick();
    }
    let Stage::Browse(browser) = &app.stage else {
        panic!("expected the room list, found {:?}", app.stage);
    };
    assert_eq!(browser.header.rooms, 16);
    assert_eq!(browser.header.purpose, "ハラスメント申告の調査");
    assert_eq!(browser.header.investigator, "調査 花子");
    let actions = audit_actions(&case_dir);
    assert!(actions.contains(&"case_created".to_string()), "{actions:?}");
    assert!(actions.contains(&"import".to_string()), "{actions:?}");
}

/// In a narrow terminal the people list keeps the names with their
/// resigned marker, and the columns on the right give way.
#[test]
fn narrow_people_list_keeps_resigned_names() {
    for width in [60, 70] {
        let mut app = open_app(
            sample_case(),
            width,
            24,
            settings(Lang::Ja, AmbiguousWidth::Narrow),
        );
        feed(&mut app, [Action::ShowPeople]);
        let text = screen_text(&draw(&app).0);
        assert!(text.contains("【解約済】"), "{width}:\n{text}");
        assert!(text.contains("名前"), "{width}:\n{text}");
    }
}

/// A console opened during an import notices when the import ends, and
/// reads the finished case's counts.
#[test]
fn console_notices_the_end_of_an_import() {
    let (_dir, case) = own_sample_case();
    let lock = crate::store::lock_import(&case).unwrap();
    // The counts of a first import appear only at its end.
    let conn = rusqlite::Connection::open(case.join("case.sqlite")).unwrap();
    conn.execute("DELETE FROM room_stats", []).unwrap();
    let mut app = open_app(&case, 120, 40, settings(Lang::Ja, AmbiguousWidth::Narrow));
    assert_eq!(app.browser().unwrap().header.messages, 0);

    crate::store::rebuild_stats(&conn).unwrap();
    drop(lock);
    std::thread::sleep(Duration::from_millis(1100));
    app.tick();
    let browser = app.browser().unwrap();
    assert_eq!(browser.header.pending_import, None);
    assert_eq!(browser.header.messages, 2212);
    let status = app.status.clone().unwrap();
    assert!(
        status.text.contains("取り込みが終わりました"),
        "{}",
        status.text
    );
    let text = screen_text(&draw(&app).0);
    assert!(!text.contains("取り込み中"), "{text}");
}

/// An import from the console that leaves files aside names them, as the
/// command line's summary does.
#[test]
fn console_import_reports_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export"),
        &export,
    );
    std::fs::remove_file(export.join("members/members.csv")).unwrap();

    let case_dir = dir.path().join("case");
    let mut app = App::setup(
        export,
        case_dir.clone(),
        settings(Lang::Ja, AmbiguousWidth::Narrow),
        Rect::new(0, 0, 120, 40),
        SearchMode::Inline,
    );
    type_text(&mut app, "欠けたファイルの確認");
    feed(&mut app, [Action::Submit]);

    let deadline = Instant::now() + Duration::from_secs(300);
    while matches!(app.stage, Stage::Importing(_)) {
        assert!(Instant::now() < deadline, "the import did not finish");
        std::thread::sleep(Duration::from_millis(20));
        app.tick();
    }
    assert!(matches!(app.stage, Stage::Browse(_)), "{:?}", app.stage);
    let status = app.status.clone().expect("a note about the missing file");
    assert!(status.error);
    assert!(
        status.text.contains("members/members.csv がありません"),
        "{}",
        status.text
    );
}

#[test]
fn esc_on_setup_quits_without_creating_case() {
    let dir = tempfile::tempdir().unwrap();
    let case_dir = dir.path().join("never");
    let mut app = App::setup(
        PathBuf::from("/export"),
        case_dir.clone(),
        settings(Lang::Ja, AmbiguousWidth::Narrow),
        Rect::new(0, 0, 80, 24),
        SearchMode::Inline,
    );
    feed(&mut app, [Action::Cancel]);
    assert!(app.quit);
    assert_eq!(app.exit_code, 0);
    assert!(!case_dir.exists());
}
