//! `cwlens import`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::ImportArgs;
use super::group_digits;
use crate::i18n::Lang;
use crate::import::{self, ImportOptions, ImportReport, mapping::Mapping};
use crate::store::{Case, CaseInfo};

/// Returns the case folder used when `--case` is not given: a folder in the user's
/// data directory named after the export, with a hash of its full path.
pub fn default_case_dir(export: &Path) -> anyhow::Result<PathBuf> {
    let absolute = export
        .canonicalize()
        .with_context(|| format!("cannot open {}", export.display()))?;
    let name: String = absolute
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into())
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let digest = crate::import::source::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        absolute.to_string_lossy().as_bytes(),
    ));
    let base = dirs::data_local_dir()
        .context("no user data folder is known on this system; pass --case DIR")?;
    Ok(base
        .join("cwlens")
        .join("cases")
        .join(format!("{name}-{}", &digest[..8])))
}

pub fn run(args: &ImportArgs, lang: Lang) -> anyhow::Result<i32> {
    let source_tz: chrono_tz::Tz = args.source_tz.parse().map_err(|_| {
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "--source-tz {:?} はタイムゾーン名ではありません（例: Asia/Tokyo, UTC）",
                    args.source_tz
                ),
                Lang::En => format!(
                    "--source-tz {:?} is not a time zone name (for example Asia/Tokyo or UTC)",
                    args.source_tz
                ),
            }
        )
    })?;
    let mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    import::detect_layout(&args.export, &mapping, lang)?;
    let case_dir = match &args.case {
        Some(dir) => dir.clone(),
        None => default_case_dir(&args.export)?,
    };
    import::check_case_outside_export(&args.export, &case_dir, lang)?;
    let is_new = !case_dir.join(crate::store::DATABASE_FILE).exists();
    // The export is personal data: a new case records why it is read, as
    // the console's setup form requires too.
    if is_new
        && args
            .purpose
            .as_deref()
            .is_none_or(|purpose| purpose.trim().is_empty())
    {
        anyhow::bail!(
            "{}",
            lang.pick(
                "新しいケースには調査の目的が必要です。`--purpose` で目的を記録してください（例: --purpose \"2024年6月のハラスメント申告の調査\"）",
                "a new case needs the purpose of the investigation; record it with `--purpose` (for example --purpose \"harassment report of June 2024\")"
            )
        );
    }
    // Held until the index is synced, so a second import is refused at once.
    let lock = crate::store::lock_import(&case_dir)?;
    let case = Case::open_or_create(&case_dir)?;
    super::logging::init(&case.log_dir());
    if record_resumed_import(&case, None)? {
        eprintln!(
            "{}",
            lang.pick(
                "前回の取り込みは途中で終わっています。続きを取り込みます（重複はしません）。",
                "The previous import did not finish; continuing it (nothing is added twice)."
            )
        );
    }
    let investigator = args.investigator.clone().or_else(|| {
        let info = case.info().ok()?;
        info.investigator.is_empty().then(crate::audit::os_user)
    });
    let changed = record_people_and_purpose(
        &case,
        is_new,
        investigator.as_deref(),
        args.purpose.as_deref(),
        None,
    )?;
    if let Some((before, after)) = changed {
        eprintln!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "調査担当者と目的を更新しました（監査ログに記録）: 担当者 {} → {}、目的 {} → {}",
                    before.investigator, after.investigator, before.purpose, after.purpose
                ),
                Lang::En => format!(
                    "Updated the investigator and purpose (recorded in the audit log): investigator {} -> {}, purpose {} -> {}",
                    before.investigator, after.investigator, before.purpose, after.purpose
                ),
            }
        );
    }
    if case.info()?.purpose.is_empty() {
        eprintln!(
            "{}",
            lang.pick(
                "注意: 調査の目的が記録されていません。`--purpose` で目的を記録してください。",
                "Note: no purpose of the investigation is recorded; record one with `--purpose`."
            )
        );
    }

    let options = ImportOptions {
        mapping,
        source_tz,
        lang,
        batch_rows: args.batch_rows,
    };
    let bar = progress_bar(args.quiet);
    let started = std::time::Instant::now();
    let mut on_progress = |done: u64, total: u64| {
        if bar.length() != Some(total) {
            bar.set_length(total);
        }
        bar.set_position(done);
    };
    let indexer = crate::index::LiveIndexer::start(
        &case_dir.join(crate::store::DATABASE_FILE),
        &case.index_dir(),
    )?;
    let mut on_commit = |settled| {
        indexer.catch_up(settled);
        Ok(())
    };
    let result = import::run(
        &args.export,
        &case,
        &lock,
        &options,
        &mut on_progress,
        &mut on_commit,
    );
    bar.set_message(lang.pick("索引を確定中", "finishing the index"));
    let indexed = match &result {
        Ok(_) => Some(indexer.finish()),
        Err(_) => {
            drop(indexer);
            None
        }
    };
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(error) => {
            crate::audit::record(
                &case,
                "import_failed",
                serde_json::json!({ "export": args.export.to_string_lossy(), "error": format!("{error:#}") }),
            )?;
            return Err(error);
        }
    };
    let indexed = match indexed {
        Some(Ok(report)) => report,
        // An index that failed to build is rebuilt from the database.
        Some(Err(error)) => {
            tracing::warn!(error = %error, "indexing during import failed; rebuilding");
            index_case(&case, args.quiet, lang)?
        }
        None => unreachable!("the import succeeded"),
    };
    crate::audit::record(&case, "import", import_audit_detail(&case, &report)?)?;
    case.checkpoint()?;
    let elapsed = started.elapsed();
    tracing::info!(
        import_id = report.import_id,
        rows_read = report.counts.rows_read,
        rows_imported = report.counts.rows_imported,
        rows_quarantined = report.counts.rows_quarantined,
        messages_added = report.counts.messages_added,
        documents_indexed = indexed.added + indexed.replaced,
        seconds = elapsed.as_secs_f64(),
        "import finished"
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, &case_dir, elapsed, lang);
    }
    Ok(0)
}

/// Builds the audit record of an import: what was read, with a digest over the
/// `source_files` row of every source file (see `audit::SOURCE_FILES_FORMAT`).
pub(crate) fn import_audit_detail(
    case: &Case,
    report: &ImportReport,
) -> anyhow::Result<serde_json::Value> {
    let files = crate::audit::import_files(case.conn(), report.import_id)?;
    Ok(serde_json::json!({
        "import_id": report.import_id,
        "export": report.export.to_string_lossy(),
        "layout": report.layout.as_str(),
        "counts": report.counts,
        "source_files": files.count,
        "source_files_format": crate::audit::SOURCE_FILES_FORMAT,
        "source_files_sha256": files.digest,
        "cut_files": report.cut_files,
        "missing": report.missing,
    }))
}

/// Writes an `import_resumed` audit entry when the last import into the
/// case did not finish, naming it, so the log shows the interruption.
/// Returns true when it did.
pub(crate) fn record_resumed_import(case: &Case, interface: Option<&str>) -> anyhow::Result<bool> {
    let Some(started_at) = case.incomplete_import()? else {
        return Ok(false);
    };
    let (import_id, status): (i64, String) = case.conn().query_row(
        "SELECT import_id, status FROM imports ORDER BY import_id DESC LIMIT 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let mut detail = serde_json::json!({
        "unfinished_import_id": import_id,
        "unfinished_status": status,
        "unfinished_started_at": started_at,
    });
    if let Some(interface) = interface {
        detail["interface"] = interface.into();
    }
    crate::audit::record(case, "import_resumed", detail)?;
    Ok(true)
}

/// Records the investigator and the purpose of an import in the case and
/// in the audit log: `case_created` for a new case, and
/// `case_info_changed` with the values before and after when an import
/// changes either. Returns those values when they changed.
pub(crate) fn record_people_and_purpose(
    case: &Case,
    is_new: bool,
    investigator: Option<&str>,
    purpose: Option<&str>,
    interface: Option<&str>,
) -> anyhow::Result<Option<(CaseInfo, CaseInfo)>> {
    let before = case.info()?;
    case.set_people_and_purpose(investigator, purpose)?;
    let after = case.info()?;
    let mut detail = if is_new {
        serde_json::json!({ "investigator": after.investigator, "purpose": after.purpose })
    } else if before.investigator != after.investigator || before.purpose != after.purpose {
        serde_json::json!({
            "investigator": { "before": before.investigator, "after": after.investigator },
            "purpose": { "before": before.purpose, "after": after.purpose },
        })
    } else {
        return Ok(None);
    };
    if let Some(interface) = interface {
        detail["interface"] = interface.into();
    }
    let action = if is_new {
        "case_created"
    } else {
        "case_info_changed"
    };
    crate::audit::record(case, action, detail)?;
    Ok((!is_new).then_some((before, after)))
}

/// Brings the case's search index up to date, with a progress bar.
pub fn index_case(
    case: &Case,
    quiet: bool,
    lang: Lang,
) -> anyhow::Result<crate::index::SyncReport> {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    };
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {bar:40} {pos}/{len}")
    {
        bar.set_style(style);
    }
    bar.set_message(lang.pick("索引を作成中", "indexing"));
    let report = sync_index(case, &mut |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    });
    bar.finish_and_clear();
    report
}

/// Brings the case's search index up to date. `progress` receives the
/// messages indexed so far and the number to index.
pub(crate) fn sync_index(
    case: &Case,
    progress: &mut dyn FnMut(u64, u64),
) -> anyhow::Result<crate::index::SyncReport> {
    let index = crate::index::SearchIndex::open_or_create(&case.index_dir())?;
    Ok(crate::index::sync(case.conn(), &index, progress)?)
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {bytes}/{total_bytes} ({eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

fn print_summary(report: &ImportReport, case_dir: &Path, elapsed: std::time::Duration, lang: Lang) {
    let counts = &report.counts;
    let seconds = elapsed.as_secs_f64().max(0.001);
    match lang {
        Lang::Ja => {
            println!("取り込みが完了しました: {}", case_dir.display());
            println!(
                "  ファイル {} 件（前回から変わらず読み飛ばし {} 件）、行 {} 件を読み込み、{} 件を取り込み、{} 件を隔離",
                group_digits(report.files_read),
                group_digits(report.files_unchanged),
                group_digits(counts.rows_read),
                group_digits(counts.rows_imported),
                group_digits(counts.rows_quarantined)
            );
            println!(
                "  追加: メッセージ {} 件、更新 {} 件、編集・削除の履歴 {} 件、ファイル {} 件（{:.1} 秒）",
                group_digits(counts.messages_added),
                group_digits(counts.messages_updated),
                group_digits(counts.revisions_added),
                group_digits(counts.files_added),
                seconds
            );
            if report.names_recovered > 0 {
                println!(
                    "  名前のないアカウント {} 件の名前を宛先表記から補いました",
                    report.names_recovered
                );
            }
        }
        Lang::En => {
            println!("Import finished: {}", case_dir.display());
            println!(
                "  {} files ({} unchanged since the last import and skipped), {} rows read, {} imported, {} quarantined",
                group_digits(report.files_read),
                group_digits(report.files_unchanged),
                group_digits(counts.rows_read),
                group_digits(counts.rows_imported),
                group_digits(counts.rows_quarantined)
            );
            println!(
                "  added: {} messages, {} updated, {} edit/delete revisions, {} files ({:.1} s)",
                group_digits(counts.messages_added),
                group_digits(counts.messages_updated),
                group_digits(counts.revisions_added),
                group_digits(counts.files_added),
                seconds
            );
            if report.names_recovered > 0 {
                println!(
                    "  recovered the names of {} from mentions",
                    crate::i18n::count_en(
                        report.names_recovered,
                        "nameless account",
                        "nameless accounts"
                    )
                );
            }
        }
    }
    if !report.quarantine.is_empty() {
        println!(
            "{}",
            lang.pick(
                "隔離した行（ケースに原文のまま保存しています）:",
                "Quarantined rows (kept in the case as they were read):"
            )
        );
        for file in &report.quarantine {
            let first = file.first_record.map(|r| r.to_string()).unwrap_or_default();
            let reason = crate::text::sanitize::for_terminal(&file.first_reason, false);
            match lang {
                Lang::Ja => println!(
                    "  {}: {} 行（最初はレコード {first}: {reason}）",
                    file.path, file.rows
                ),
                Lang::En => println!(
                    "  {}: {} (first: record {first}: {reason})",
                    file.path,
                    crate::i18n::count_en(file.rows as u64, "row", "rows")
                ),
            }
        }
        println!(
            "{} cwlens quarantine --case {}",
            lang.pick("一覧:", "List them with:"),
            case_dir.display()
        );
    }
    for file in &report.cut_files {
        println!("{}", cut_file_note(file, lang));
    }
    for missing in &report.missing {
        println!("{}", missing_note(missing, lang));
    }
}

/// Describes a file whose last record may be cut short.
pub fn cut_file_note(file: &import::rows::CutFile, lang: Lang) -> String {
    match (lang, file.inside_quote) {
        (Lang::Ja, true) => format!(
            "注意: {} は引用符の途中で終わっています。最後のレコード {}（{} 行目）はファイルが途中で切れて欠けている可能性があります。エクスポートをダウンロードし直して確かめてください",
            file.path, file.record, file.line
        ),
        (Lang::Ja, false) => format!(
            "注意: {} は改行で終わっていません。最後のレコード {}（{} 行目）と、その後のメッセージはファイルが途中で切れて欠けている可能性があります。エクスポートをダウンロードし直して確かめてください",
            file.path, file.record, file.line
        ),
        (Lang::En, true) => format!(
            "Note: {} ends inside a quoted field. Its last record, {} (line {}), may be cut short; download the export again and compare",
            file.path, file.record, file.line
        ),
        (Lang::En, false) => format!(
            "Note: {} does not end with a line break. Its last record, {} (line {}), and any messages after it may be missing because the file was cut short; download the export again and compare",
            file.path, file.record, file.line
        ),
    }
}

/// Describes a file or folder the export lacks.
pub fn missing_note(missing: &import::rows::MissingData, lang: Lang) -> String {
    use import::rows::MissingKind;
    let path = &missing.path;
    match (lang, missing.kind) {
        (Lang::Ja, MissingKind::EmptyFile) => format!(
            "注意: {path} は空です（見出し行もありません）。このファイルからは何も取り込んでいません。エクスポートをダウンロードし直して確かめてください"
        ),
        (Lang::Ja, MissingKind::NoMessagesFile) => format!(
            "注意: ルームのフォルダ {path} にメッセージのファイルがありません。このルームのメッセージは取り込んでいません。エクスポートをダウンロードし直して確かめてください"
        ),
        (Lang::Ja, MissingKind::NoMembersFile) => format!(
            "注意: {path} がありません。ルーム名と参加者は空のままです。エクスポートをダウンロードし直すか、`--mapping` でファイル名を指定してください"
        ),
        (Lang::En, MissingKind::EmptyFile) => format!(
            "Note: {path} is empty (it has no header row), so nothing was imported from it; download the export again and compare"
        ),
        (Lang::En, MissingKind::NoMessagesFile) => format!(
            "Note: the room folder {path} has no messages file, so no messages of this room were imported; download the export again and compare"
        ),
        (Lang::En, MissingKind::NoMembersFile) => format!(
            "Note: {path} is missing, so room names and members stay empty; download the export again, or name the file in a `--mapping` file"
        ),
    }
}
