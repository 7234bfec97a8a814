//! `cwlens tag`, `cwlens audit` and `cwlens verify`.

use super::args::{AuditArgs, TagArgs, VerifyArgs};
use crate::audit::{self, verify::FileProblemKind};
use crate::i18n::Lang;
use crate::query::Session;
use crate::query::search::SearchOptions;
use crate::store::{Case, annotations, message_id_to_sql};
use crate::text::sanitize::for_terminal;

pub fn tag(args: &TagArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    super::logging::init(&case.log_dir());
    let tag = args
        .add
        .as_deref()
        .or(args.remove.as_deref())
        .unwrap_or_default();
    // Removing a tag that could never have been added is a mistake too.
    if annotations::clean_tag(tag).is_err() {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja =>
                    format!("タグ {tag:?} は使えません。改行を含まない 1〜64 文字にしてください"),
                Lang::En =>
                    format!("tag {tag:?} is not valid: use 1 to 64 characters without line breaks"),
            }
        );
    }
    let keys: Vec<i64> = match (&args.message, &args.query) {
        (Some(message_id), _) => {
            let mut statement = case
                .conn()
                .prepare("SELECT msg_key FROM messages WHERE message_id = ?1")?;
            let keys = statement
                .query_map([message_id_to_sql(message_id.trim())], |row| row.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            if keys.is_empty() {
                anyhow::bail!(
                    "{}",
                    match lang {
                        Lang::Ja => format!("メッセージ {message_id} はこのケースにありません"),
                        Lang::En => format!("message {message_id} is not in this case"),
                    }
                );
            }
            keys
        }
        (None, Some(text)) => {
            let zone = super::search_cmd::parse_zone(&args.tz, lang)?;
            let session = Session::open(&args.case.case, zone, lang)?;
            let query = session.parse(text);
            if !query.errors.is_empty() {
                // Tagging a wider set than the user wrote cannot be undone cleanly.
                anyhow::bail!("{}", for_terminal(&query.errors.join("; "), false));
            }
            if query.is_empty() {
                anyhow::bail!("{}", lang.pick("検索語がありません", "no query"));
            }
            session.matching_keys(&query, SearchOptions::default())?
        }
        (None, None) => unreachable!("clap requires --message or --query"),
    };
    let reason = args.query.as_deref();
    let (verb_ja, verb_en, changed) = match (&args.add, &args.remove) {
        (Some(tag), _) => (
            "に付けました",
            "added to",
            annotations::add_tag(&case, &keys, tag, reason)?,
        ),
        (None, Some(tag)) => (
            "から外しました",
            "removed from",
            annotations::remove_tag(&case, &keys, tag, reason)?,
        ),
        (None, None) => unreachable!("clap requires --add or --remove"),
    };
    match lang {
        Lang::Ja => println!(
            "タグ「{}」を {changed} 件{verb_ja}（対象 {} 件）",
            for_terminal(tag, false),
            keys.len()
        ),
        Lang::En => println!(
            "Tag {:?} {verb_en} {changed} messages ({} matched)",
            tag,
            keys.len()
        ),
    }
    Ok(0)
}

pub fn audit(args: &AuditArgs, lang: Lang) -> anyhow::Result<i32> {
    let zone = super::search_cmd::parse_zone(&args.tz, lang)?;
    let case = Case::open(&args.case.case)?;
    let entries = audit::entries(case.conn())?;
    for entry in &entries {
        if args.json {
            println!("{}", serde_json::to_string(entry)?);
        } else {
            // The hash covers the recorded UTC time; only the listing converts it.
            let at = chrono::DateTime::parse_from_rfc3339(&entry.at).map_or_else(
                |_| entry.at.clone(),
                |at| {
                    at.with_timezone(&zone)
                        .format("%Y-%m-%d %H:%M:%S%:z")
                        .to_string()
                },
            );
            println!(
                "{:>5}  {}  {}  {}  {}  {}",
                entry.seq,
                at,
                for_terminal(&entry.os_user, false),
                for_terminal(&entry.investigator, false),
                entry.action,
                for_terminal(&entry.detail, false)
            );
        }
    }
    if !args.json {
        println!(
            "{}: {}",
            lang.pick(
                "最新エントリのハッシュ（別の場所に控え、後で `cwlens verify --head` に渡してください）",
                "head hash (write it down elsewhere, and pass it to `cwlens verify --head` later)"
            ),
            audit::head_hash(case.conn())?
        );
    }
    Ok(0)
}

pub fn verify(args: &VerifyArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    super::logging::init(&case.log_dir());
    let mut result = audit::verify::verify(&case, args.export.as_deref())?;
    if let Some(head) = &args.head
        && let Some(problem) = audit::ChainProblem::check_head(case.conn(), head)?
    {
        result.chain.push(problem);
    }
    audit::record(
        &case,
        "verify",
        serde_json::json!({
            "clean": result.is_clean(), "files_checked": result.files_checked,
            "file_problems": result.files.len(), "chain_problems": result.chain.len(),
            "database": result.database,
        }),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let several = result.export_paths.len() > 1;
        for problem in &result.files {
            let mut path = for_terminal(&problem.path, false);
            if several {
                let folder = problem.export.to_string_lossy();
                path = format!("{path} ({})", for_terminal(&folder, false)).into();
            }
            match (&problem.problem, lang) {
                (FileProblemKind::Missing, Lang::Ja) => println!("見つかりません: {path}"),
                (FileProblemKind::Missing, Lang::En) => println!("missing: {path}"),
                (FileProblemKind::Changed { recorded, found }, Lang::Ja) => {
                    println!("変更されています: {path}（記録 {recorded}、現在 {found}）")
                }
                (FileProblemKind::Changed { recorded, found }, Lang::En) => {
                    println!("changed: {path} (recorded {recorded}, now {found})")
                }
                (FileProblemKind::Unrecorded, Lang::Ja) => {
                    println!("取り込まれていないファイル: {path}")
                }
                (FileProblemKind::Unrecorded, Lang::En) => println!("not imported: {path}"),
                (FileProblemKind::ImportUnfinished, Lang::Ja) => println!(
                    "取り込みが完了していないエクスポート: {}（読まれていないファイルは一覧しません。同じ取り込みをもう一度実行してください）",
                    for_terminal(&problem.export.to_string_lossy(), false)
                ),
                (FileProblemKind::ImportUnfinished, Lang::En) => println!(
                    "export whose import did not finish: {} (its unread files are not listed; run the same import again)",
                    for_terminal(&problem.export.to_string_lossy(), false)
                ),
            }
        }
        for problem in &result.chain {
            if matches!(
                problem.kind,
                audit::ChainIssue::HeadNotFound { .. } | audit::ChainIssue::InvalidHead { .. }
            ) {
                println!(
                    "{}: {}",
                    lang.pick("監査ログ", "audit log"),
                    problem.kind.describe(lang)
                );
                continue;
            }
            match lang {
                Lang::Ja => println!(
                    "監査ログのエントリ {}: {}",
                    problem.seq,
                    problem.kind.describe(lang)
                ),
                Lang::En => println!(
                    "audit entry {}: {}",
                    problem.seq,
                    problem.kind.describe(lang)
                ),
            }
        }
        if result.database != "ok" {
            println!(
                "{}: {}",
                lang.pick("ケースのデータベース", "case database"),
                result.database
            );
        }
        if result.export_path.is_none() {
            println!(
                "{}",
                lang.pick(
                    "エクスポートの場所が記録されていません。--export で指定してください",
                    "no export folder is recorded; pass --export"
                )
            );
        }
        let summary = match (result.is_clean(), lang) {
            (true, Lang::Ja) => format!(
                "問題はありません（ファイル {} 件、監査ログ {} 件）",
                result.files_checked, result.audit_entries
            ),
            (true, Lang::En) => format!(
                "all clear ({} files, {} audit entries)",
                result.files_checked, result.audit_entries
            ),
            (false, Lang::Ja) => "相違があります".to_string(),
            (false, Lang::En) => "differences found".to_string(),
        };
        println!("{summary}");
    }
    Ok(if result.is_clean() {
        0
    } else {
        super::EXIT_NOT_FOUND
    })
}
