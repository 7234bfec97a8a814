//! Commands that read a case or an export without changing it:
//! `stats`, `doctor`, `quarantine`; and `generate`, which writes a new export.

use super::args::{DoctorArgs, GenerateArgs, QuarantineArgs, StatsArgs};
use super::group_digits;
use crate::i18n::Lang;
use crate::import::source::TextEncoding;
use crate::import::{doctor, mapping::Mapping};
use crate::store::{Case, stats};
use crate::text::sanitize::for_terminal;

pub fn stats(args: &StatsArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    let counts = stats::collect(case.conn())?;
    if args.json {
        println!("{}", serde_json::to_string(&counts)?);
        return Ok(0);
    }
    let info = case.info()?;
    let rows: [(&str, &str, i64); 9] = [
        ("ルーム", "rooms", counts.rooms),
        ("アカウント", "accounts", counts.accounts),
        (
            "解約済みアカウント",
            "resigned accounts",
            counts.resigned_accounts,
        ),
        ("メッセージ", "messages", counts.messages),
        (
            "編集されたメッセージ",
            "edited messages",
            counts.edited_messages,
        ),
        (
            "削除されたメッセージ",
            "deleted messages",
            counts.deleted_messages,
        ),
        ("編集・削除前の版", "earlier versions", counts.revisions),
        ("ファイル", "files", counts.files),
        ("隔離した行", "quarantined rows", counts.quarantined_rows),
    ];
    println!(
        "{}: {}",
        lang.pick("調査担当者", "investigator"),
        for_terminal(&info.investigator, false)
    );
    println!(
        "{}: {}",
        lang.pick("調査目的", "purpose"),
        for_terminal(&info.purpose, false)
    );
    for (ja, en, value) in rows {
        let label = crate::text::width::pad_right(
            lang.pick(ja, en),
            20,
            crate::text::width::AmbiguousWidth::Narrow,
        );
        println!("{label} {:>12}", group_digits(value.max(0) as u64));
    }
    if crate::store::import_running(case.dir()) {
        println!(
            "{}",
            lang.pick(
                "注意: 別の cwlens が取り込み中です。この数は取り込みの途中のものです。",
                "Note: another cwlens process is importing into this case; these counts are from the middle of it."
            )
        );
    } else if let Some(error) = case.last_import_error()? {
        let error = crate::text::sanitize::for_terminal(&error, false);
        match lang {
            Lang::Ja => println!(
                "注意: 最後の取り込みは次のエラーで失敗しました。原因を直してから、もう一度取り込んでください: {error}"
            ),
            Lang::En => println!(
                "Note: the last import failed with this error; fix its cause, then import again: {error}"
            ),
        }
    } else if counts.incomplete_imports > 0 {
        println!(
            "{}",
            lang.pick(
                "注意: 最後の取り込みは途中で終わっています。同じコマンドでもう一度取り込んでください。",
                "Note: the last import did not finish; run the same import again to complete it."
            )
        );
    }
    Ok(0)
}

pub fn doctor(args: &DoctorArgs, lang: Lang) -> anyhow::Result<i32> {
    let mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let report = doctor::examine(&args.export, &mapping, lang)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", for_terminal(&doctor::render(&report, lang), true));
    }
    let healthy = report.layout.is_some() && report.suggested_mapping.is_none();
    Ok(if healthy { 0 } else { super::EXIT_NOT_FOUND })
}

pub fn quarantine(args: &QuarantineArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    // The raw record is kept in its file's encoding; UTF-16 files were
    // read as UTF-8, so only CP932 records need decoding for display.
    let mut statement = case.conn().prepare(
        "SELECT q.path, q.record, q.line, q.reason, q.raw,
            (SELECT s.encoding FROM source_files s WHERE s.import_id = q.import_id AND s.path = q.path)
         FROM quarantine q ORDER BY q.path, q.record",
    )?;
    let mut rows = statement.query([])?;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        count += 1;
        let path: String = row.get(0)?;
        let record: Option<i64> = row.get(1)?;
        let line: Option<i64> = row.get(2)?;
        let reason: String = row.get(3)?;
        let raw: Option<Vec<u8>> = row.get(4)?;
        let encoding: Option<String> = row.get(5)?;
        let raw = raw.unwrap_or_default();
        let raw_text = match encoding.as_deref().and_then(TextEncoding::from_label) {
            Some(TextEncoding::Cp932) => encoding_rs::SHIFT_JIS
                .decode_without_bom_handling(&raw)
                .0
                .into_owned(),
            _ => String::from_utf8_lossy(&raw).into_owned(),
        };
        if args.json {
            // `raw` is the record decoded for reading; `raw_hex` is every
            // byte as it is in the file.
            let value = serde_json::json!({
                "path": path, "record": record, "line": line, "reason": reason, "raw": raw_text,
                "raw_hex": crate::import::source::hex(&raw),
            });
            println!("{value}");
        } else {
            let at = match lang {
                Lang::Ja => format!(
                    "レコード {} / 行 {}",
                    record.unwrap_or(0),
                    line.unwrap_or(0)
                ),
                Lang::En => format!(
                    "record {} / line {}",
                    record.unwrap_or(0),
                    line.unwrap_or(0)
                ),
            };
            println!("{path} ({at}): {}", for_terminal(&reason, false));
        }
    }
    if count == 0 && !args.json {
        println!(
            "{}",
            lang.pick("隔離した行はありません。", "No quarantined rows.")
        );
    }
    Ok(0)
}

pub fn generate(args: &GenerateArgs, lang: Lang) -> anyhow::Result<i32> {
    if args.out.exists() && std::fs::read_dir(&args.out)?.next().is_some() {
        anyhow::bail!(
            "{}",
            match lang {
                Lang::Ja => format!(
                    "{} は空ではありません。新しいフォルダを指定してください",
                    args.out.display()
                ),
                Lang::En => format!("{} is not empty; name a new folder", args.out.display()),
            }
        );
    }
    let options = crate::generate::Options::new(args.rooms, args.messages, args.seed);
    let summary = crate::generate::generate(&args.out, &options, &mut |_| {})?;
    match lang {
        Lang::Ja => println!(
            "{} に書き出しました: ルーム {}、アカウント {}、メッセージ {}（編集 {}、削除 {}、履歴 {}）、ファイル {}、{} バイト",
            args.out.display(),
            summary.rooms,
            summary.accounts,
            group_digits(summary.messages),
            summary.edited,
            summary.deleted,
            summary.revisions,
            summary.files,
            group_digits(summary.bytes_written)
        ),
        Lang::En => println!(
            "Wrote {}: {} rooms, {} accounts, {} messages ({} edited, {} deleted, {} revisions), {} files, {} bytes",
            args.out.display(),
            summary.rooms,
            summary.accounts,
            group_digits(summary.messages),
            summary.edited,
            summary.deleted,
            summary.revisions,
            summary.files,
            group_digits(summary.bytes_written)
        ),
    }
    Ok(0)
}
