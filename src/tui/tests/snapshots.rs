//! Snapshots of every screen at 80x24 and 120x40, drawn through a
//! `TestBackend` from the real sample case. Each snapshot is the screen as
//! a terminal shows it, with the cursor position when a field has focus.
//! Every drawing is also checked for glyphs written over each other.

use super::*;
use crate::tui::export_dialog::{ExportDialog, ExportField, ExportRun, Finished, WrittenSummary};
use crate::tui::overlay::Overlay;
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

/// A case another process imports into: a warning in place of the counts.
#[test]
fn rooms_during_import() {
    let (_dir, case) = own_sample_case();
    let _lock = crate::store::lock_import(&case).unwrap();
    for (lang, name) in [
        (Lang::Ja, "rooms_importing"),
        (Lang::En, "rooms_importing_en"),
    ] {
        for (width, height) in SIZES {
            let app = open_app(&case, width, height, settings(lang, AmbiguousWidth::Narrow));
            snapshot(&format!("{name}_{width}x{height}"), &app);
        }
    }
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

/// Puts a fixed destination into the open export form, because the
/// default one names the test's temporary folder and the current time.
fn fixed_destination(app: &mut App, path: &str) {
    if let Overlay::Export(dialog) = &mut app.overlay
        && let ExportDialog::Form(form) = dialog.as_mut()
    {
        form.destination = crate::tui::widgets::input::TextInput::with_text(path);
    }
}

#[test]
fn export_form() {
    at_both_sizes("export_form", Lang::Ja, |app| {
        search_for(app, "給料泥棒");
        feed(app, [Action::Export]);
        fixed_destination(app, "/data/cases/sample-case-search-20240315-101500.csv");
    });
}

#[test]
fn export_form_english() {
    at_both_sizes("export_form_en", Lang::En, |app| {
        feed(app, [Action::Open, Action::Export]);
        fixed_destination(
            app,
            "/data/cases/sample-case-room-702034254-20240315-101500.csv",
        );
        feed(app, [Action::Down]);
    });
}

#[test]
fn export_form_path_error() {
    at_both_sizes("export_form_error", Lang::Ja, |app| {
        feed(
            app,
            [
                Action::Open,
                Action::Export,
                Action::Down,
                Action::OptionNext,
            ],
        );
        fixed_destination(app, "/data/export/rooms/report.html");
        if let Overlay::Export(dialog) = &mut app.overlay
            && let ExportDialog::Form(form) = dialog.as_mut()
        {
            form.focus = ExportField::Destination;
            form.error = Some(crate::tui::export_dialog::error_text(
                &crate::export::ExportError::InsideExportFolder {
                    out: "/data/export/rooms/report.html".into(),
                    export: "/data/export".into(),
                },
                Lang::Ja,
            ));
        }
    });
}

#[test]
fn long_export_error_shows_its_advice() {
    for (width, height) in SIZES {
        let mut app = open_app(
            sample_case(),
            width,
            height,
            settings(Lang::Ja, AmbiguousWidth::Narrow),
        );
        feed(&mut app, [Action::Open, Action::Export]);
        let export =
            "/home/investigator/cases/2024-03-harassment-report/chatwork-export-2024-03-15";
        if let Overlay::Export(dialog) = &mut app.overlay
            && let ExportDialog::Form(form) = dialog.as_mut()
        {
            form.error = Some(crate::tui::export_dialog::error_text(
                &crate::export::ExportError::InsideExportFolder {
                    out: format!("{export}/rooms/report.html").into(),
                    export: export.into(),
                },
                Lang::Ja,
            ));
        }
        let (buffer, _) = draw(&app);
        let text: String = screen_text(&buffer).split_whitespace().collect();
        assert!(
            text.contains("指定してください"),
            "{width}x{height}: the advice at the end of the message is cut off\n{}",
            screen_text(&buffer)
        );
    }
}

/// Shows the progress of an export of the whole organization that has
/// written `progress`, with no worker behind it.
fn show_progress(app: &mut App, progress: Option<(u64, u64)>) {
    feed(app, [Action::Export, Action::OptionPrevious]);
    fixed_destination(
        app,
        "/data/cases/sample-case-organization-20240315-101500.csv",
    );
    let Overlay::Export(dialog) = &app.overlay else {
        panic!("the export dialog is open");
    };
    let ExportDialog::Form(form) = dialog.as_ref() else {
        panic!("the export form is open");
    };
    let form = form.clone();
    let request = form.request(&app.settings).unwrap();
    let run = ExportRun::idle(form, request, progress);
    app.browser_mut().unwrap().export = Some(run);
    app.overlay = Overlay::Export(Box::new(ExportDialog::Progress));
}

#[test]
fn export_progress() {
    at_both_sizes("export_progress", Lang::Ja, |app| {
        show_progress(app, Some((1_000, 2_212)));
    });
}

#[test]
fn export_progress_in_status_bar() {
    at_both_sizes("export_progress_status", Lang::En, |app| {
        show_progress(app, Some((1_000, 2_212)));
        feed(app, [Action::Back, Action::Down]);
    });
}

fn written_summary() -> WrittenSummary {
    WrittenSummary {
        rooms: 3,
        messages: 3,
        earlier_versions: 4,
        paths: vec![
            PathBuf::from("/data/cases/sample-case-search-20240315-101500.csv"),
            PathBuf::from("/data/cases/sample-case-search-20240315-101500.revisions.csv"),
            PathBuf::from("/data/cases/sample-case-search-20240315-101500.csv.manifest.json"),
        ],
        folder_files: 0,
        replaced_messages: 0,
        neutralized_cells: 1,
    }
}

#[test]
fn export_done() {
    at_both_sizes("export_done", Lang::Ja, |app| {
        app.overlay = Overlay::Export(Box::new(ExportDialog::Finished(Finished::Written(
            written_summary(),
        ))));
    });
}

#[test]
fn export_done_english() {
    at_both_sizes("export_done_en", Lang::En, |app| {
        app.overlay = Overlay::Export(Box::new(ExportDialog::Finished(Finished::Written(
            written_summary(),
        ))));
    });
}

#[test]
fn export_cancelled() {
    at_both_sizes("export_cancelled", Lang::Ja, |app| {
        app.overlay = Overlay::Export(Box::new(ExportDialog::Finished(Finished::Cancelled)));
    });
}
