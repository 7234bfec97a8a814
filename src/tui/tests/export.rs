//! State tests of the export dialog on the real sample case: actions open
//! and change the dialog, the export runs on its worker thread, and the
//! written files, the manifest and the audit log are read back.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::state::{audit_actions, open_room_named};
use super::*;
use crate::export::{ExportRequest, Format, Scope, TextEncoding};
use crate::tui::export_dialog::{ExportDialog, ExportField, ExportForm, Finished, WrittenSummary};
use crate::tui::jobs::{ExportJob, run_export};
use crate::tui::keymap::Context;
use crate::tui::overlay::Overlay;
use crate::tui::screens::Screen;
use crate::tui::widgets::input::Edit;

fn app_on(case: &Path, lang: Lang) -> App {
    open_app(case, 120, 40, settings(lang, AmbiguousWidth::Narrow))
}

fn dialog(app: &App) -> &ExportDialog {
    match &app.overlay {
        Overlay::Export(dialog) => dialog,
        other => panic!("expected the export dialog, found {other:?}"),
    }
}

fn form(app: &App) -> &ExportForm {
    match dialog(app) {
        ExportDialog::Form(form) => form,
        other => panic!("expected the export form, found {other:?}"),
    }
}

fn scopes(app: &App) -> Vec<Scope> {
    form(app)
        .scopes
        .iter()
        .map(|choice| choice.scope.clone())
        .collect()
}

/// Moves the focus to `field` with ↓, as a user does.
fn focus(app: &mut App, field: ExportField) {
    for _ in 0..5 {
        if form(app).focus == field {
            return;
        }
        feed(app, [Action::Down]);
    }
    panic!("{field:?} never got the focus");
}

/// Replaces the destination with `path`, pasted as a user would.
fn set_destination(app: &mut App, path: &Path) {
    focus(app, ExportField::Destination);
    assert_eq!(app.context(), Context::ExportPath);
    feed(
        app,
        [
            Action::Edit(Edit::End),
            Action::Edit(Edit::ClearToStart),
            Action::Paste(path.display().to_string()),
        ],
    );
    assert_eq!(form(app).destination.text(), path.display().to_string());
}

/// Polls the app until the running export has ended.
fn wait_for_export(app: &mut App) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.browser().unwrap().export.is_some() {
        assert!(Instant::now() < deadline, "the export did not finish");
        std::thread::sleep(Duration::from_millis(10));
        app.tick();
    }
}

fn written(app: &App) -> &WrittenSummary {
    match dialog(app) {
        ExportDialog::Finished(Finished::Written(summary)) => summary,
        other => panic!("expected a written export, found {other:?}"),
    }
}

/// Reads a CSV file as the export writes it: a BOM (if any), then quoted
/// records. Returns every record, the header first.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Returns the ID in a cell written as a text formula, `="123"`.
fn id_value(cell: &str) -> &str {
    cell.strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(cell)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|cell| cell == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Returns the `export` entries of the audit log with their details.
fn export_entries(case: &Path) -> Vec<(crate::audit::Entry, serde_json::Value)> {
    audit_entries(case, "export")
}

fn audit_entries(case: &Path, action: &str) -> Vec<(crate::audit::Entry, serde_json::Value)> {
    let case = Case::open(case).unwrap();
    crate::audit::entries(case.conn())
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == action)
        .map(|entry| {
            let detail = serde_json::from_str(&entry.detail).unwrap();
            (entry, detail)
        })
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(std::fs::read(path).unwrap());
    crate::export::output::hex(&digest)
}

#[test]
fn scopes_follow_the_screen() {
    let mut app = app_on(sample_case(), Lang::Ja);
    let reader = &app.browser().unwrap().session.reader;
    let rooms = reader.rooms(crate::query::read::RoomSort::Name).unwrap();
    let room_key = |name: &str| {
        rooms
            .iter()
            .find(|room| room.name == name)
            .unwrap()
            .room_key
    };
    let sales = room_key("営業部");

    // The room list: the selected room and the organization.
    let Screen::Rooms(state) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("the console starts on the room list");
    };
    let selected = state.selected_room().unwrap().room_key;
    feed(&mut app, [Action::Export]);
    assert_eq!(app.context(), Context::ExportForm);
    assert_eq!(
        scopes(&app),
        [Scope::Rooms(vec![selected]), Scope::Organization]
    );
    feed(&mut app, [Action::Cancel]);
    assert_eq!(app.overlay, Overlay::None);

    // A filtered room list adds the rooms it shows.
    feed(&mut app, [Action::FocusFilter]);
    type_text(&mut app, "部");
    feed(&mut app, [Action::Submit, Action::Export]);
    let Scope::Rooms(shown) = &scopes(&app)[0] else {
        panic!("the first scope is the filtered rooms");
    };
    let Screen::Rooms(state) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("rooms");
    };
    assert_eq!(shown.len(), state.shown_len());
    assert!(shown.len() > 1, "{shown:?}");
    assert!(shown.len() < rooms.len(), "{shown:?}");
    assert_eq!(scopes(&app).len(), 3);
    feed(
        &mut app,
        [
            Action::Cancel,
            Action::FocusFilter,
            Action::Edit(Edit::ClearToStart),
            Action::Submit,
        ],
    );

    // A timeline: its room.
    open_room_named(&mut app, "営業部");
    feed(&mut app, [Action::Export]);
    assert_eq!(
        scopes(&app),
        [Scope::Rooms(vec![sales]), Scope::Organization]
    );
    feed(&mut app, [Action::Cancel]);

    // A message's detail: the message, its room.
    feed(&mut app, [Action::Open]);
    let Screen::Detail(detail) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("detail");
    };
    let msg_key = detail.detail.message.msg_key;
    feed(&mut app, [Action::Export]);
    assert_eq!(
        scopes(&app),
        [
            Scope::Messages(vec![msg_key]),
            Scope::Rooms(vec![sales]),
            Scope::Organization
        ]
    );
    feed(&mut app, [Action::Cancel]);

    // People: the selected person's messages. A person's messages: also
    // the room of the selected message.
    feed(&mut app, [Action::ShowPeople, Action::Export]);
    let Scope::Person { keys, .. } = &scopes(&app)[0] else {
        panic!("the first scope is the person's messages");
    };
    let Screen::People(people) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("people");
    };
    assert_eq!(keys.len() as i64, people.selected().unwrap().messages);
    assert_eq!(scopes(&app).len(), 2);
    feed(&mut app, [Action::Cancel, Action::Open, Action::Export]);
    let Screen::PersonMessages(person) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("person");
    };
    let person_room = person.selected().unwrap().room_key;
    let Scope::Person { keys, .. } = &scopes(&app)[0] else {
        panic!("the first scope is the person's messages");
    };
    assert_eq!(keys.len() as i64, person.total);
    assert_eq!(scopes(&app)[1], Scope::Rooms(vec![person_room]));
    feed(&mut app, [Action::Cancel]);

    // Edits and deletions: the whole list.
    feed(&mut app, [Action::ShowChanges, Action::Export]);
    let Screen::Changes(changes) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("changes");
    };
    let expected = changes.keys().to_vec();
    assert_eq!(scopes(&app)[0], Scope::Messages(expected));
    assert_eq!(scopes(&app).len(), 3);
    feed(&mut app, [Action::Cancel]);

    // Search results: the query, as `cwlens export --query` takes it.
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "給料泥棒");
    feed(&mut app, [Action::Submit, Action::Export]);
    assert_eq!(
        scopes(&app)[0],
        Scope::Query {
            query: "給料泥棒".into(),
            rooms: Vec::new()
        }
    );
    assert_eq!(scopes(&app).len(), 3);
    assert!(form(&app).scopes[0].label.contains("3 件"));
}

#[test]
fn search_results_export_to_csv() {
    let (dir, case) = own_sample_case();
    let mut app = app_on(&case, Lang::Ja);
    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "給料泥棒");
    feed(&mut app, [Action::Submit]);
    let Screen::Search(search) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("search");
    };
    let hit_ids: BTreeSet<String> = search
        .results
        .as_ref()
        .unwrap()
        .hits
        .iter()
        .map(|hit| hit.message.message_id.clone())
        .collect();
    assert_eq!(hit_ids.len(), 3);

    feed(&mut app, [Action::Export]);
    let form = form(&app);
    assert_eq!(form.format, Format::Csv);
    assert_eq!(form.encoding, TextEncoding::Utf8Bom);
    assert!(form.history);
    let default = PathBuf::from(form.destination.text());
    assert_eq!(default.parent().unwrap(), dir.path());
    let name = default.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("sample-case-search-") && name.ends_with(".csv"),
        "{name}"
    );

    let out = dir.path().join("hits.csv");
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    assert_eq!(app.context(), Context::ExportRunning);
    wait_for_export(&mut app);

    let summary = written(&app);
    assert_eq!(summary.messages, 3);
    let revisions = dir.path().join("hits.revisions.csv");
    let manifest = dir.path().join("hits.csv.manifest.json");
    assert_eq!(
        summary.paths,
        [out.clone(), revisions.clone(), manifest.clone()]
    );
    let status = app.status.as_ref().unwrap();
    assert!(!status.error);
    assert!(status.text.contains("hits.csv"), "{}", status.text);

    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with BOM");
    let rows = read_csv(&String::from_utf8(bytes).unwrap());
    assert_eq!(rows.len(), 4, "a header and three messages");
    let id = column(&rows[0], "メッセージID");
    let written_ids: BTreeSet<String> = rows[1..]
        .iter()
        .map(|row| id_value(&row[id]).to_string())
        .collect();
    assert_eq!(written_ids, hit_ids);
    let revision_rows = read_csv(&std::fs::read_to_string(&revisions).unwrap());
    assert!(revision_rows.len() > 1, "the hits have earlier versions");

    let manifest = read_json(&manifest);
    assert_eq!(manifest["scope"]["kind"], "query");
    assert_eq!(manifest["scope"]["query"], "給料泥棒");
    assert_eq!(manifest["format"], "csv");
    assert_eq!(manifest["encoding"], "utf8-bom");
    assert_eq!(manifest["case"]["investigator"], "調査 太郎");
    assert_eq!(manifest["case"]["purpose"], "テスト用の調査");

    let entries = export_entries(&case);
    assert_eq!(entries.len(), 1);
    let (entry, detail) = &entries[0];
    assert_eq!(entry.investigator, "調査 太郎");
    assert_eq!(detail["interface"], "tui");
    assert_eq!(detail["scope"]["kind"], "query");
    assert_eq!(detail["counts"]["messages"], 3);
    assert_eq!(detail["outputs"][0]["path"], out.display().to_string());
    assert_eq!(detail["outputs"][0]["sha256"], sha256_hex(&out));

    feed(&mut app, [Action::Back]);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn room_export_to_html_without_history() {
    let (dir, case) = own_sample_case();
    let mut app = app_on(&case, Lang::Ja);
    open_room_named(&mut app, "営業部");
    let room = match app.browser().unwrap().screens.last().unwrap() {
        Screen::Timeline(state) => state.room.clone(),
        other => panic!("timeline expected, found {other:?}"),
    };
    feed(&mut app, [Action::Export, Action::Down, Action::OptionNext]);
    assert_eq!(form(&app).format, Format::Html);
    feed(&mut app, [Action::Down]);
    assert_eq!(
        form(&app).focus,
        ExportField::History,
        "HTML has no encoding to choose"
    );
    feed(&mut app, [Action::OptionNext]);
    assert!(!form(&app).history);
    let out = dir.path().join("営業部.html");
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    wait_for_export(&mut app);

    let manifest_path = dir.path().join("営業部.html.manifest.json");
    assert_eq!(written(&app).paths, [out.clone(), manifest_path.clone()]);
    let html = std::fs::read_to_string(&out).unwrap();
    let articles = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("article.message").unwrap())
        .count();
    assert_eq!(articles as i64, room.messages);
    let manifest = read_json(&manifest_path);
    assert_eq!(manifest["format"], "html");
    assert_eq!(manifest["history"], false);
    assert_eq!(manifest["scope"]["kind"], "rooms");
    assert_eq!(
        manifest["scope"]["rooms"],
        serde_json::json!([room.room_id])
    );
    assert_eq!(
        files_in(dir.path()),
        ["sample-case", "営業部.html", "営業部.html.manifest.json"]
    );
    assert_eq!(export_entries(&case).len(), 1);
}

#[test]
fn person_messages_export_to_cp932() {
    let (dir, case) = own_sample_case();
    let mut app = app_on(&case, Lang::Ja);
    feed(
        &mut app,
        [
            Action::ShowPeople,
            Action::ToggleResignedFirst,
            Action::Top,
            Action::Open,
        ],
    );
    let Screen::PersonMessages(person) = app.browser().unwrap().screens.last().unwrap() else {
        panic!("person");
    };
    let (account_id, total) = (person.person.account_id.clone(), person.total);
    assert!(total > 0);

    feed(&mut app, [Action::Export]);
    focus(&mut app, ExportField::Encoding);
    feed(&mut app, [Action::OptionPrevious]);
    assert_eq!(form(&app).encoding, TextEncoding::Cp932);
    let out = dir.path().join("person.csv");
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    wait_for_export(&mut app);

    assert_eq!(written(&app).messages as i64, total);
    let bytes = std::fs::read(&out).unwrap();
    let (text, _, malformed) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!malformed, "the file is valid CP932");
    let rows = read_csv(&text);
    assert_eq!(rows[0][column(&rows[0], "ルーム名")], "ルーム名");
    assert_eq!(rows.len() as i64, total + 1);
    let sender = column(&rows[0], "送信者ID");
    for row in &rows[1..] {
        assert_eq!(id_value(&row[sender]), account_id);
    }
    let manifest = read_json(&dir.path().join("person.csv.manifest.json"));
    assert_eq!(manifest["encoding"], "cp932");
    assert_eq!(manifest["scope"]["kind"], "person");
    assert_eq!(manifest["scope"]["account_id"], account_id.as_str());
}

#[test]
fn existing_destination_is_reported_in_english() {
    let (dir, case) = own_sample_case();
    let mut app = app_on(&case, Lang::En);
    let out = dir.path().join("taken.csv");
    std::fs::write(&out, "earlier work").unwrap();
    feed(&mut app, [Action::Export]);
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    wait_for_export(&mut app);

    let form = form(&app);
    let error = form.error.as_deref().unwrap();
    assert!(error.contains("already exists"), "{error}");
    assert!(!error.contains("--force"), "{error}");
    assert_eq!(form.focus, ExportField::Destination);
    assert!(app.status.as_ref().unwrap().error);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier work");
    assert!(export_entries(&case).is_empty());

    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    assert!(text.contains("already exists"), "{text}");
}

#[test]
fn destination_inside_export_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export"),
        &export,
    );
    let case = dir.path().join("case");
    import_case(&export, &case);
    let before = files_in(&export);

    let mut app = app_on(&case, Lang::Ja);
    feed(&mut app, [Action::Export]);
    let out = export.join("rooms/report.csv");
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    wait_for_export(&mut app);

    let error = form(&app).error.as_deref().unwrap();
    assert!(error.contains("エクスポートのフォルダ"), "{error}");
    assert!(!out.exists());
    assert_eq!(files_in(&export), before);
    assert!(
        files_in(&export.join("rooms"))
            .iter()
            .all(|name| !name.starts_with("report"))
    );
    assert!(export_entries(&case).is_empty());
}

#[test]
fn cancelled_export_leaves_nothing() {
    let (dir, case) = own_sample_case();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let mut app = app_on(&case, Lang::Ja);
    feed(&mut app, [Action::Export, Action::OptionPrevious]);
    assert_eq!(form(&app).selected_scope().scope, Scope::Organization);
    set_destination(&mut app, &out_dir.join("organization.csv"));

    // A write transaction held here makes the worker wait while it opens
    // the case, so the cancel below comes before its first window.
    let blocker = rusqlite::Connection::open(case.join(crate::store::DATABASE_FILE)).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    feed(&mut app, [Action::Submit, Action::Back]);
    assert_eq!(app.overlay, Overlay::None);
    let status = &app.status.as_ref().unwrap().text;
    assert!(status.contains("e で"), "{status}");
    feed(&mut app, [Action::Down]);
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    let status_bar = text.lines().last().unwrap();
    assert!(
        status_bar.contains("書き出しの範囲を調べています"),
        "the status bar shows the progress: {status_bar}"
    );
    feed(&mut app, [Action::Export]);
    assert_eq!(app.context(), Context::ExportRunning);
    feed(&mut app, [Action::CancelExport]);
    blocker.execute_batch("ROLLBACK").unwrap();
    wait_for_export(&mut app);

    assert_eq!(dialog(&app), &ExportDialog::Finished(Finished::Cancelled));
    assert!(app.status.as_ref().unwrap().text.contains("中止"));
    assert!(files_in(&out_dir).is_empty(), "{:?}", files_in(&out_dir));
    assert!(export_entries(&case).is_empty());
    assert!(!audit_actions(&case).contains(&"export_failed".to_string()));
}

#[test]
fn progress_callback_cancel_removes_files() {
    let (dir, case) = own_sample_case();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut request = ExportRequest::new(Scope::Organization, Format::Csv, out.join("all.csv"));
    request.interface = "tui";
    let mut calls = Vec::new();
    let result = run_export(&case, &request, &mut |done, total| {
        calls.push((done, total));
        // Cancel after the first window was written.
        done == 0
    });
    assert!(matches!(result, Err(crate::export::ExportError::Cancelled)));
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], (0, 2_212));
    assert!(calls[1].0 > 0, "{calls:?}");
    assert!(calls[1].0 < 2_212, "{calls:?}");
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
    assert!(export_entries(&case).is_empty());
    let cancelled = audit_entries(&case, "export_cancelled");
    assert_eq!(
        cancelled.len(),
        1,
        "the cancelled export is in the audit log"
    );
    let detail = &cancelled[0].1;
    assert_eq!(detail["interface"], "tui");
    assert_eq!(detail["scope"], "organization");
    assert_eq!(detail["messages_total"], 2_212);
    assert_eq!(detail["messages_done"], calls[1].0);
}

#[test]
fn dropped_job_cancels_its_export() {
    let (dir, case) = own_sample_case();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let request = ExportRequest::new(Scope::Organization, Format::Html, out.join("report"));

    let blocker = rusqlite::Connection::open(case.join(crate::store::DATABASE_FILE)).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let job = ExportJob::start(case.clone(), request);
    let flag = job.cancel_flag();
    std::thread::scope(|scope| {
        // Quitting the console drops the job: it cancels, then waits.
        let dropper = scope.spawn(move || drop(job));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            assert!(Instant::now() < deadline, "the drop never cancelled");
            std::thread::sleep(Duration::from_millis(5));
        }
        blocker.execute_batch("ROLLBACK").unwrap();
        dropper.join().unwrap();
    });
    assert!(files_in(&out).is_empty(), "{:?}", files_in(&out));
    assert!(export_entries(&case).is_empty());
}

#[test]
fn help_over_dialog_returns_to_it() {
    let mut app = app_on(sample_case(), Lang::Ja);
    feed(&mut app, [Action::Export, Action::Down, Action::OptionNext]);
    feed(&mut app, [Action::ToggleHelp]);
    assert_eq!(app.context(), Context::Help);
    let (buffer, _) = draw(&app);
    let text = screen_text(&buffer);
    for description in ["書き出しを始める", "次の選択肢", "前の項目", "やめる"]
    {
        assert!(text.contains(description), "{description} missing:\n{text}");
    }
    feed(&mut app, [Action::ToggleHelp]);
    assert_eq!(app.context(), Context::ExportForm);
    assert_eq!(form(&app).format, Format::Html);
    assert_eq!(form(&app).focus, ExportField::Format);
}

#[test]
fn escape_closes_form_without_export() {
    let (dir, case) = own_sample_case();
    let mut app = app_on(&case, Lang::Ja);
    feed(&mut app, [Action::Export]);
    let default = PathBuf::from(form(&app).destination.text());
    feed(&mut app, [Action::Cancel]);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.browser().unwrap().export.is_none());
    assert!(!default.exists());
    assert_eq!(files_in(dir.path()), ["sample-case"]);
    assert!(export_entries(&case).is_empty());
}

/// The console reads a case while another process imports into it, warns
/// that its counts and results are incomplete, and writes no export,
/// whose manifest would not match the messages.
#[test]
fn export_rejected_during_import() {
    let (dir, case) = own_sample_case();
    let lock = crate::store::lock_import(&case).unwrap();
    let mut app = app_on(&case, Lang::Ja);
    let status = app.status.clone().expect("a warning on opening");
    assert!(status.error);
    assert!(status.text.contains("取り込み中"), "{}", status.text);
    let text = screen_text(&draw(&app).0);
    assert!(
        text.contains("取り込み中: 件数と検索結果は不完全です"),
        "{text}"
    );

    feed(&mut app, [Action::ShowSearch]);
    type_text(&mut app, "見積");
    feed(&mut app, [Action::Submit]);
    let Some(Screen::Search(search)) = app.browser().unwrap().screens.last() else {
        panic!("the search screen");
    };
    assert!(
        search
            .results
            .as_ref()
            .is_some_and(|results| results.total > 0)
    );

    feed(&mut app, [Action::Export]);
    let out = dir.path().join("during-import.csv");
    set_destination(&mut app, &out);
    feed(&mut app, [Action::Submit]);
    wait_for_export(&mut app);
    let error = form(&app).error.as_deref().unwrap();
    assert!(
        error.contains("取り込み中のため、書き出せません"),
        "{error}"
    );
    assert!(!out.exists());
    assert!(export_entries(&case).is_empty());

    drop(lock);
    let app = app_on(&case, Lang::Ja);
    assert!(app.status.is_none());
    let text = screen_text(&draw(&app).0);
    assert!(!text.contains("取り込み中"), "{text}");
}

/// After an import that stopped midway, the console opens the case with
/// a warning, in English too.
#[test]
fn console_warns_about_an_unfinished_import() {
    let (_dir, case) = own_sample_case();
    let conn = rusqlite::Connection::open(case.join("case.sqlite")).unwrap();
    conn.execute(
        "UPDATE imports SET status = 'running', finished_at = NULL
         WHERE import_id = (SELECT max(import_id) FROM imports)",
        [],
    )
    .unwrap();
    drop(conn);
    let app = app_on(&case, Lang::En);
    let status = app.status.clone().expect("a warning on opening");
    assert!(status.text.contains("did not finish"), "{}", status.text);
    let text = screen_text(&draw(&app).0);
    assert!(text.contains("import unfinished"), "{text}");
}
