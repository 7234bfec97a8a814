//! Messages for failed exports in the user's language, for the command line
//! and the console.

use super::ExportError;
use crate::i18n::Lang;
use crate::query::search::SearchError;
use crate::store::StoreError;

/// Where an export was started, which decides whether a message may name a
/// command-line option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    CommandLine,
    Console,
}

/// Returns the message for a failed export in `lang`.
pub fn error_message(error: &ExportError, lang: Lang, interface: Interface) -> String {
    let console = interface == Interface::Console;
    if let ExportError::Search(SearchError::Unreadable(text)) = error {
        // The parser's messages are already in the user's language.
        return text.clone();
    }
    if lang == Lang::En {
        return match error {
            ExportError::OutputExists(path) if console => {
                format!(
                    "{} already exists; choose another destination",
                    path.display()
                )
            }
            other => other.to_string(),
        };
    }
    match error {
        ExportError::Cancelled => "書き出しを中止しました。何も書き出していません".into(),
        ExportError::OutputExists(path) if console => format!(
            "{} は既にあります。別の書き出し先を指定してください",
            path.display()
        ),
        ExportError::OutputExists(path) => format!(
            "{} は既にあります。別の書き出し先を指定するか、--force で置き換えてください",
            path.display()
        ),
        ExportError::NotAnExport(path) => format!(
            "{} は既にあり、cwlens の書き出したフォルダではありません（manifest.json がありません）。別のフォルダを指定してください",
            path.display()
        ),
        ExportError::OutputIsFolder(path) => format!(
            "{} はフォルダです。ファイルのパスを指定してください（フォルダに書き出すのは組織全体の HTML だけです）",
            path.display()
        ),
        ExportError::InsideExportFolder { out, export } => format!(
            "{} はエクスポートのフォルダ {} の中です。cwlens はエクスポートに書き込みません。外の場所を指定してください",
            out.display(),
            export.display()
        ),
        ExportError::UnknownRoom(key) => {
            format!("ルーム（キー {key}）がこのケースにありません")
        }
        ExportError::EmptyQuery => "検索語が空です。語か絞り込み条件を入力してください".into(),
        ExportError::Write { path, source } => {
            format!("{} に書き込めませんでした: {source}", path.display())
        }
        ExportError::Manifest(source) => format!("マニフェストを書けませんでした: {source}"),
        ExportError::Audit(source) => {
            format!("監査ログに記録できなかったため、何も書き出していません: {source:#}")
        }
        ExportError::Store(StoreError::ImportRunning(_)) => {
            "別の cwlens がこのケースに取り込み中のため、書き出せません。取り込みが終わってから書き出してください".into()
        }
        ExportError::Store(StoreError::ImportUnfinished(_)) => {
            "最後の取り込みが途中で終わっているため、書き出せません。同じ取り込みをもう一度実行して完了させてから書き出してください".into()
        }
        ExportError::Sqlite(_)
        | ExportError::Store(_)
        | ExportError::Search(_)
        | ExportError::Index(_) => format!("ケースを読めませんでした: {error}"),
    }
}
