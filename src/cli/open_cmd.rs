//! `cwlens open` and its shortcut `cwlens PATH`: find or plan the case,
//! then hand the terminal to the console.

use std::path::Path;

use super::args::OpenArgs;
use crate::i18n::Lang;
use crate::import::mapping::Mapping;
use crate::store::{Case, DATABASE_FILE};
use crate::text::width::AmbiguousWidth;
use crate::tui::{OpenTarget, format::Settings};

pub fn run(args: &OpenArgs, lang: Lang) -> anyhow::Result<i32> {
    let zone: chrono_tz::Tz = args.options.tz.parse().map_err(|_| {
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "--tz {:?} はタイムゾーン名ではありません（例: Asia/Tokyo, UTC）",
                    args.options.tz
                ),
                Lang::En => format!(
                    "--tz {:?} is not a time zone name (for example Asia/Tokyo or UTC)",
                    args.options.tz
                ),
            }
        )
    })?;
    let settings = Settings {
        lang,
        zone,
        ambiguous: if args.options.ambiguous_width == 2 {
            AmbiguousWidth::Wide
        } else {
            AmbiguousWidth::Narrow
        },
    };
    let target = match (&args.path, &args.options.case) {
        (Some(path), case) => resolve_target(path, case.as_deref(), lang)?,
        // `cwlens open --case DIR` opens the case itself.
        (None, Some(case)) => resolve_target(case, None, lang)?,
        (None, None) => anyhow::bail!(
            "{}",
            lang.pick(
                "開くフォルダを指定してください（ケースかエクスポートのフォルダ）",
                "name the folder to open (a case or an export folder)"
            )
        ),
    };
    crate::tui::run(target, settings)
}

/// Decides what to open: a case folder as it is, the case of an export
/// that was imported before, or an export that needs importing first.
fn resolve_target(path: &Path, case: Option<&Path>, lang: Lang) -> anyhow::Result<OpenTarget> {
    if path.join(DATABASE_FILE).is_file() {
        if case.is_some() {
            anyhow::bail!(
                "{}",
                lang.pick(
                    "--case はエクスポートのフォルダを開くときだけ使えます。ケースのフォルダはそのまま指定してください",
                    "--case only applies to an export folder; name a case folder directly"
                )
            );
        }
        return Ok(OpenTarget::Case(path.to_path_buf()));
    }
    if !path.is_dir() {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "{} が見つかりません。ケースのフォルダ（case.sqlite があるフォルダ）かエクスポートのフォルダを指定してください",
                    path.display()
                ),
                Lang::En => format!(
                    "{} not found; name a case folder (the one with case.sqlite) or an export folder",
                    path.display()
                ),
            }
        );
    }
    crate::import::detect_layout(path, &Mapping::default(), lang)?;
    let case_dir = match case {
        Some(dir) => dir.to_path_buf(),
        None => super::import_cmd::default_case_dir(path)?,
    };
    crate::import::check_case_outside_export(path, &case_dir, lang)?;
    if case_dir.join(DATABASE_FILE).is_file() {
        let existing = Case::open(&case_dir)?;
        let finished = existing.incomplete_import()?.is_none();
        let indexed = case_dir.join(crate::store::INDEX_DIR).is_dir();
        if finished && indexed {
            return Ok(OpenTarget::Case(case_dir));
        }
    }
    Ok(OpenTarget::Import {
        export: path.to_path_buf(),
        case_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_an_error() {
        let error = resolve_target(Path::new("/nonexistent/cwlens"), None, Lang::En).unwrap_err();
        assert!(error.to_string().contains("not found"), "{error}");
    }

    #[test]
    fn export_without_case_is_imported() {
        let dir = tempfile::tempdir().unwrap();
        let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/chatwork-export");
        let case_dir = dir.path().join("case");
        let target = resolve_target(&export, Some(&case_dir), Lang::En).unwrap();
        assert_eq!(
            target,
            OpenTarget::Import {
                export: export.clone(),
                case_dir: case_dir.clone()
            }
        );
        assert!(!case_dir.exists(), "planning must not create the case");
    }

    #[test]
    fn folder_that_is_neither_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        assert!(resolve_target(dir.path(), None, Lang::En).is_err());
    }
}
