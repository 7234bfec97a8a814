use std::path::Path;

use super::*;

/// 2024-03-15 10:15:00 in Japan.
const OPENED_AT: i64 = 1_710_465_300;

fn naming() -> DefaultName {
    DefaultName::new(
        Path::new("/data/cases/sample-case"),
        OPENED_AT,
        chrono_tz::Asia::Tokyo,
    )
}

fn choice(scope: Scope, name_part: &str) -> ScopeChoice {
    ScopeChoice {
        scope,
        label: name_part.to_string(),
        name_part: name_part.to_string(),
    }
}

fn form() -> ExportForm {
    ExportForm::new(
        vec![
            choice(Scope::Rooms(vec![7]), "room-12345"),
            choice(Scope::Organization, "organization"),
        ],
        naming(),
    )
}

#[test]
fn default_name_uses_case_scope_and_time() {
    let naming = naming();
    assert_eq!(naming.folder, Path::new("/data/cases"));
    assert_eq!(naming.case_name, "sample-case");
    assert_eq!(naming.stamp, "20240315-101500");
    assert_eq!(
        naming.path(&choice(Scope::Rooms(vec![7]), "room-12345"), Format::Csv),
        Path::new("/data/cases/sample-case-room-12345-20240315-101500.csv")
    );
    assert_eq!(
        naming.path(&choice(Scope::Rooms(vec![7]), "room-12345"), Format::Html),
        Path::new("/data/cases/sample-case-room-12345-20240315-101500.html")
    );
}

#[test]
fn organization_html_default_is_folder() {
    let path = naming().path(&choice(Scope::Organization, "organization"), Format::Html);
    assert_eq!(
        path,
        Path::new("/data/cases/sample-case-organization-20240315-101500")
    );
}

#[test]
fn taken_default_name_gets_number() {
    let dir = tempfile::tempdir().unwrap();
    let naming = DefaultName::new(&dir.path().join("case"), OPENED_AT, chrono_tz::Asia::Tokyo);
    let scope = choice(Scope::Organization, "organization");
    let first = naming.path(&scope, Format::Csv);
    std::fs::write(&first, "taken").unwrap();
    let second = naming.path(&scope, Format::Csv);
    assert_eq!(
        second.file_name().unwrap(),
        "case-organization-20240315-101500-2.csv"
    );
}

#[test]
fn form_starts_with_command_line_defaults() {
    let form = form();
    assert_eq!(form.scope, 0);
    assert_eq!(form.format, Format::Csv);
    assert_eq!(form.encoding, TextEncoding::Utf8Bom);
    assert!(form.history);
    assert_eq!(form.focus, ExportField::Scope);
    assert_eq!(
        form.destination.text(),
        "/data/cases/sample-case-room-12345-20240315-101500.csv"
    );
}

#[test]
fn focus_skips_encoding_for_html() {
    let mut form = form();
    assert_eq!(
        form.fields(),
        [
            ExportField::Scope,
            ExportField::Format,
            ExportField::Encoding,
            ExportField::History,
            ExportField::Destination
        ]
    );
    form.move_focus(1);
    form.change(1);
    assert_eq!(form.format, Format::Html);
    form.move_focus(1);
    assert_eq!(form.focus, ExportField::History);
    form.move_focus(-2);
    assert_eq!(form.focus, ExportField::Scope);
    form.move_focus(-1);
    assert_eq!(form.focus, ExportField::Destination);
}

#[test]
fn choices_wrap_both_ways() {
    let mut form = form();
    form.change(-1);
    assert_eq!(form.scope, 1);
    form.change(1);
    assert_eq!(form.scope, 0);

    form.focus = ExportField::Encoding;
    form.change(1);
    assert_eq!(form.encoding, TextEncoding::Utf8);
    form.change(1);
    assert_eq!(form.encoding, TextEncoding::Cp932);
    form.change(1);
    assert_eq!(form.encoding, TextEncoding::Utf8Bom);
    form.change(-1);
    assert_eq!(form.encoding, TextEncoding::Cp932);

    form.focus = ExportField::History;
    form.change(1);
    assert!(!form.history);
    form.change(-1);
    assert!(form.history);
}

#[test]
fn destination_follows_choices_until_edited() {
    let mut form = form();
    form.change(1);
    assert_eq!(
        form.destination.text(),
        "/data/cases/sample-case-organization-20240315-101500.csv"
    );
    form.focus = ExportField::Format;
    form.change(1);
    assert_eq!(
        form.destination.text(),
        "/data/cases/sample-case-organization-20240315-101500"
    );

    form.focus = ExportField::Destination;
    form.edit(&Edit::ClearToStart);
    form.edit(&Edit::Insert("/tmp/mine.html".into()));
    assert!(form.destination_edited);
    form.focus = ExportField::Scope;
    form.change(1);
    assert_eq!(form.destination.text(), "/tmp/mine.html");
}

#[test]
fn request_carries_form_choices() {
    let mut form = form();
    form.focus = ExportField::Encoding;
    form.change(1);
    form.focus = ExportField::History;
    form.change(1);
    let settings = Settings {
        lang: Lang::En,
        ..Settings::default()
    };
    let request = form.request(&settings).unwrap();
    assert_eq!(request.scope, Scope::Rooms(vec![7]));
    assert_eq!(request.format, Format::Csv);
    assert_eq!(request.encoding, TextEncoding::Utf8);
    assert!(!request.history);
    assert_eq!(request.lang, Lang::En);
    assert_eq!(request.interface, "tui");
    assert!(!request.force);
    assert_eq!(
        request.out,
        Path::new("/data/cases/sample-case-room-12345-20240315-101500.csv")
    );
}

#[test]
fn empty_destination_is_rejected() {
    let mut form = form();
    form.focus = ExportField::Destination;
    form.edit(&Edit::ClearToStart);
    form.edit(&Edit::Insert("   ".into()));
    let error = form.request(&Settings::default()).unwrap_err();
    assert!(error.contains("書き出し先"), "{error}");
}

#[test]
fn relative_destination_becomes_absolute() {
    let mut form = form();
    form.focus = ExportField::Destination;
    form.edit(&Edit::ClearToStart);
    form.edit(&Edit::Insert("evidence.csv".into()));
    let request = form.request(&Settings::default()).unwrap();
    assert!(request.out.is_absolute(), "{}", request.out.display());
    assert!(request.out.ends_with("evidence.csv"));
}

#[test]
fn tilde_is_home_folder() {
    let Some(home) = std::env::var_os("HOME").filter(|home| !home.is_empty()) else {
        return;
    };
    assert_eq!(
        expand_home("~/cases/x.csv"),
        Path::new(&home).join("cases/x.csv")
    );
    assert_eq!(expand_home("~"), Path::new(&home));
    assert_eq!(expand_home("~other/x.csv"), Path::new("~other/x.csv"));
    assert_eq!(expand_home("/abs/x.csv"), Path::new("/abs/x.csv"));
}

#[test]
fn error_texts_name_no_option() {
    let errors = [
        ExportError::OutputExists("/data/out.csv".into()),
        ExportError::InsideExportFolder {
            out: "/data/export/out.csv".into(),
            export: "/data/export".into(),
        },
        ExportError::NotAnExport("/data/folder".into()),
        ExportError::OutputIsFolder("/data/folder".into()),
    ];
    for error in &errors {
        for lang in [Lang::Ja, Lang::En] {
            let text = error_text(error, lang);
            assert!(!text.contains("--"), "{text}");
            assert!(text.contains("/data/"), "{text}");
        }
    }
    let japanese = error_text(&errors[0], Lang::Ja);
    assert!(japanese.contains("既にあります"), "{japanese}");
    let english = error_text(&errors[1], Lang::En);
    assert!(english.contains("inside the export folder"), "{english}");
}
