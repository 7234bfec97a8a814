//! Snapshots of every screen at 80x24 and 120x40, drawn through a
//! `TestBackend` from the real sample case. Each snapshot is the screen as
//! a terminal shows it, with the cursor position when a field has focus.
//! Every drawing is also checked for glyphs written over each other.

use super::*;
use crate::tui::setup::Importing;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snapshot(name: &str, app: &App) {
    let (buffer, cursor) = draw(app);
    let problems = overlaps(&buffer, app.settings.ambiguous);
    assert!(problems.is_empty(), "{name}: {problems:#?}");
    let mut text = screen_text(&buffer);
    if let Some(cursor) = cursor {
        text.push_str(&format!("cursor: {}, {}\n", cursor.x, cursor.y));
    }
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// Snapshots the screen that `steps` leads to, at both sizes.
fn at_both_sizes(name: &str, lang: Lang, steps: impl Fn(&mut App)) {
    for (width, height) in SIZES {
        let mut app = open_app(
            sample_case(),
            width,
            height,
            settings(lang, AmbiguousWidth::Narrow),
        );
        steps(&mut app);
        snapshot(&format!("{name}_{width}x{height}"), &app);
    }
}

fn search_for(app: &mut App, query: &str) {
    feed(app, [Action::ShowSearch]);
    type_text(app, query);
    feed(app, [Action::Submit]);
}

#[test]
fn rooms() {
    at_both_sizes("rooms", Lang::Ja, |_| {});
}

#[test]
fn rooms_english() {
    at_both_sizes("rooms_en", Lang::En, |_| {});
}

#[test]
fn rooms_filter() {
    at_both_sizes("rooms_filter", Lang::Ja, |app| {
        feed(app, [Action::FocusFilter]);
        type_text(app, "部");
    });
}

#[test]
fn timeline() {
    at_both_sizes("timeline", Lang::Ja, |app| {
        feed(
            app,
            [
                Action::CycleSort,
                Action::CycleSort,
                Action::CycleSort,
                Action::CycleSort,
                Action::Top,
                Action::Open,
            ],
        );
    });
}

#[test]
fn timeline_search_hit() {
    at_both_sizes("timeline_hit", Lang::Ja, |app| {
        search_for(app, "給料泥棒");
        feed(app, [Action::Open]);
    });
}

#[test]
fn timeline_english() {
    at_both_sizes("timeline_en", Lang::En, |app| {
        search_for(app, "給料泥棒");
        feed(app, [Action::Down, Action::Open]);
    });
}

#[test]
fn detail() {
    at_both_sizes("detail", Lang::Ja, |app| {
        feed(app, [Action::ShowChanges, Action::Open]);
    });
}

#[test]
fn detail_deleted() {
    at_both_sizes("detail_deleted", Lang::Ja, |app| {
        search_for(app, "給料泥棒");
        feed(app, [Action::Bottom, Action::Open, Action::Open]);
    });
}

#[test]
fn participants() {
    at_both_sizes("participants", Lang::Ja, |app| {
        search_for(app, "給料泥棒");
        feed(
            app,
            [Action::Bottom, Action::Open, Action::ShowParticipants],
        );
    });
}

#[test]
fn people() {
    at_both_sizes("people", Lang::Ja, |app| {
        feed(
            app,
            [Action::ShowPeople, Action::ToggleResignedFirst, Action::Top],
        );
    });
}

#[test]
fn person_messages() {
    at_both_sizes("person", Lang::Ja, |app| {
        feed(
            app,
            [
                Action::ShowPeople,
                Action::ToggleResignedFirst,
                Action::Open,
            ],
        );
    });
}

#[test]
fn changes() {
    at_both_sizes("changes", Lang::Ja, |app| {
        feed(app, [Action::ShowChanges]);
    });
}

#[test]
fn search_typing() {
    at_both_sizes("search_typing", Lang::Ja, |app| {
        feed(app, [Action::ShowSearch]);
        type_text(app, "給料 OR 使えない");
    });
}

#[test]
fn search_results() {
    at_both_sizes("search_results", Lang::Ja, |app| {
        search_for(app, "給料泥棒");
    });
}

#[test]
fn search_error() {
    at_both_sizes("search_error", Lang::Ja, |app| {
        feed(app, [Action::ShowSearch]);
        type_text(app, "is:nothing after:2024-99-01");
    });
}

#[test]
fn help() {
    at_both_sizes("help", Lang::Ja, |app| {
        feed(app, [Action::Open, Action::ToggleHelp]);
    });
}

#[test]
fn date_prompt() {
    at_both_sizes("date_prompt", Lang::Ja, |app| {
        feed(app, [Action::Open, Action::JumpToDate]);
        type_text(app, "2024-03-13 10:00");
    });
}

#[test]
fn tag_picker() {
    at_both_sizes("tag_picker", Lang::Ja, |app| {
        feed(app, [Action::Open, Action::Tag]);
    });
}

#[test]
fn setup_form() {
    for (width, height) in SIZES {
        let mut app = App::setup(
            PathBuf::from("/data/chatwork-export"),
            PathBuf::from("/data/cases/chatwork-export-1234abcd"),
            settings(Lang::Ja, AmbiguousWidth::Narrow),
            Rect::new(0, 0, width, height),
            SearchMode::Inline,
        );
        if let crate::tui::app::Stage::Setup(form) = &mut app.stage {
            form.investigator = crate::tui::widgets::input::TextInput::with_text("調査 太郎");
        }
        type_text(&mut app, "ハラスメント申告の調査");
        snapshot(&format!("setup_{width}x{height}"), &app);
    }
}

#[test]
fn import_progress_and_failure() {
    for (width, height) in SIZES {
        let mut app = App::setup(
            PathBuf::from("/data/export"),
            PathBuf::from("/data/case"),
            settings(Lang::Ja, AmbiguousWidth::Narrow),
            Rect::new(0, 0, width, height),
            SearchMode::Inline,
        );
        let mut importing = Importing::idle(PathBuf::from("/data/case"));
        importing.phase = crate::tui::jobs::Phase::Indexing;
        importing.done = 1_106;
        importing.total = 2_212;
        app.stage = crate::tui::app::Stage::Importing(importing);
        snapshot(&format!("importing_{width}x{height}"), &app);

        app.stage = crate::tui::app::Stage::Failed(
            "/data/export is not an export layout cwlens knows (no members/members.csv); run `cwlens doctor /data/export`".into(),
        );
        snapshot(&format!("import_failed_{width}x{height}"), &app);
    }
}
