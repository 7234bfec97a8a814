//! Command-line interface: argument definitions and one function per command.
//!
//! Exit codes: 0 success, 1 a search or check found nothing or found a
//! difference, 2 an error.

mod args;
mod audit_cmds;
mod case_cmds;
mod compact_cmd;
mod export_cmd;
pub(crate) mod import_cmd;
mod keywords_cmd;
pub mod logging;
mod open_cmd;
mod search_cmd;

pub use args::{Cli, Command, OpenArgs, OpenOptions};

use crate::i18n::Lang;

/// Exit code for a search without matches or a failed verification.
pub const EXIT_NOT_FOUND: i32 = 1;
/// Exit code for errors.
pub const EXIT_ERROR: i32 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let lang = cli.lang;
    if cli.command.is_some() && cli.path.is_some() {
        anyhow::bail!(
            "{}",
            lang.pick(
                "フォルダとコマンドは同時に指定できません。コンソールを開くには `cwlens open <フォルダ>` を使ってください",
                "give either a folder or a command, not both; open the console with `cwlens open <FOLDER>`"
            )
        );
    }
    let Some(command) = cli.command else {
        let Some(path) = cli.path else {
            anyhow::bail!("no command and no folder given; run `cwlens --help`");
        };
        return open_cmd::run(
            &OpenArgs {
                path: Some(path),
                options: cli.open,
            },
            lang,
        );
    };
    match command {
        Command::Open(args) => open_cmd::run(&args, lang),
        Command::Import(args) => import_cmd::run(&args, lang),
        Command::Stats(args) => case_cmds::stats(&args, lang),
        Command::Doctor(args) => case_cmds::doctor(&args, lang),
        Command::Quarantine(args) => case_cmds::quarantine(&args, lang),
        Command::Generate(args) => case_cmds::generate(&args, lang),
        Command::Search(args) => search_cmd::search(&args, lang),
        Command::Reindex(args) => search_cmd::reindex(&args, lang),
        Command::Compact(args) => compact_cmd::run(&args, lang),
        Command::Keywords(args) => keywords_cmd::run(&args, lang),
        Command::Tag(args) => audit_cmds::tag(&args, lang),
        Command::Audit(args) => audit_cmds::audit(&args, lang),
        Command::Verify(args) => audit_cmds::verify(&args, lang),
        Command::Export(args) => export_cmd::run(&args, lang),
    }
}

/// Formats a count with thousands separators, as both languages write them.
pub fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Prints an error chain the way the command line shows every error.
pub fn print_error(error: &anyhow::Error, lang: Lang) {
    let label = lang.pick("エラー", "error");
    let store_error = error.downcast_ref::<crate::store::StoreError>();
    let message = match (lang, store_error) {
        (_, Some(crate::store::StoreError::NoCase(dir))) if is_export_folder(dir) => {
            Some(export_given_as_case(dir, lang))
        }
        (Lang::Ja, Some(store_error)) => japanese_store_error(store_error),
        (Lang::Ja, None) => match error.downcast_ref::<crate::index::IndexError>() {
            Some(crate::index::IndexError::Outdated(dir)) => Some(format!(
                "{} の検索索引は古い cwlens で作られ、本文の正規化が異なります。`cwlens reindex --case <ケースのフォルダ>` で作り直してください",
                dir.display()
            )),
            _ => None,
        },
        _ => None,
    }
    .unwrap_or_else(|| format!("{error:#}"));
    let text = crate::text::sanitize::for_terminal(&message, true).into_owned();
    eprintln!("cwlens: {label}: {text}");
}

/// True for a folder that contains an export rather than a case.
fn is_export_folder(dir: &std::path::Path) -> bool {
    let mapping = crate::import::mapping::Mapping::default();
    dir.is_dir() && crate::import::detect_layout(dir, &mapping, Lang::En).is_ok()
}

/// Explains that `--case` named an export folder, and how to make a case of it.
fn export_given_as_case(dir: &std::path::Path, lang: Lang) -> String {
    let dir = dir.display();
    match lang {
        Lang::Ja => format!(
            "{dir} はエクスポートのフォルダで、ケースではありません。`cwlens import {dir} --case 新しいフォルダ` で取り込み、そのフォルダを --case に指定してください（ケースはエクスポートの外に作ります）"
        ),
        Lang::En => format!(
            "{dir} is an export folder, not a case; import it with `cwlens import {dir} --case NEW_FOLDER` and give that folder to --case (the case goes outside the export)"
        ),
    }
}

/// Translates the case store errors a user meets most into Japanese.
fn japanese_store_error(error: &crate::store::StoreError) -> Option<String> {
    use crate::store::StoreError;
    Some(match error {
        StoreError::NoCase(dir) => format!(
            "{} にケースがありません。`cwlens import <EXPORT> --case {}` で作成してください",
            dir.display(),
            dir.display()
        ),
        StoreError::ImportRunning(dir) => format!(
            "別の cwlens が {} に取り込み中です。終わるのを待ってから、もう一度実行してください",
            dir.display()
        ),
        StoreError::ImportUnfinished(dir) => format!(
            "{} への最後の取り込みが途中で終わっているため、検索や一覧に出ないメッセージがあります。同じ `cwlens import` をもう一度実行して完了させてください（失敗した取り込みのエラーは `cwlens stats` に表示されます。先に原因を直してください）",
            dir.display()
        ),
        StoreError::Damaged { path, source } => format!(
            "ケースのデータベース {} が壊れています（{source}）。記録のため残したまま、新しいケースのフォルダにエクスポートを取り込み直してください",
            path.display()
        ),
        StoreError::Truncated { path, size } => format!(
            "ケースのデータベース {} は {size} バイトしかなく、途中で切れています。記録のため残したまま、新しいケースのフォルダにエクスポートを取り込み直してください",
            path.display()
        ),
        StoreError::NewerSchema { found, supported } => format!(
            "このケースは新しい cwlens で作られています（スキーマ {found}、この版は {supported} まで）。新しい cwlens を使ってください"
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn global_language_comes_before_command() {
        let cli =
            Cli::try_parse_from(["cwlens", "--lang", "en", "stats", "--case", "/tmp/c"]).unwrap();
        assert_eq!(cli.lang, Lang::En);
        assert!(matches!(cli.command, Some(Command::Stats(_))));
        assert_eq!(cli.path, None);
    }

    #[test]
    fn folder_alone_opens_console() {
        let cli = Cli::try_parse_from([
            "cwlens",
            "--lang",
            "en",
            "/data/export",
            "--ambiguous-width",
            "2",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert_eq!(
            cli.path.as_deref(),
            Some(std::path::Path::new("/data/export"))
        );
        assert_eq!(cli.open.ambiguous_width, 2);
    }

    #[test]
    fn open_command_takes_console_options() {
        let cli = Cli::try_parse_from(["cwlens", "open", "/data/case", "--tz", "UTC"]).unwrap();
        let Some(Command::Open(args)) = cli.command else {
            panic!("expected the open command");
        };
        assert_eq!(
            args.path.as_deref(),
            Some(std::path::Path::new("/data/case"))
        );
        assert_eq!(args.options.tz, "UTC");
        assert_eq!(args.options.ambiguous_width, 1);
    }

    #[test]
    fn ambiguous_width_is_one_or_two() {
        assert!(Cli::try_parse_from(["cwlens", "open", "/c", "--ambiguous-width", "3"]).is_err());
    }

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(10_000_000), "10,000,000");
    }
}
