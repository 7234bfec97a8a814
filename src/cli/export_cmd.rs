//! `cwlens export`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::ExportArgs;
use super::group_digits;
use crate::export::{self, ExportReport, ExportRequest, Format, Scope};
use crate::i18n::Lang;
use crate::query::read::{CaseReader, RoomSort};
use crate::store::Case;

pub fn run(args: &ExportArgs, lang: Lang) -> anyhow::Result<i32> {
    let zone = super::search_cmd::parse_zone(&args.tz, lang)?;
    if args.format == Format::Html && args.encoding.is_some() {
        anyhow::bail!(
            "{}",
            lang.pick(
                "--encoding は CSV だけに使えます。HTML は常に UTF-8 で書き出します",
                "--encoding applies to CSV only; HTML is always written as UTF-8"
            )
        );
    }
    let case = Case::open(&args.case.case)?;
    // An export during an import would not match the manifest it writes.
    case.check_complete()?;
    super::logging::init(&case.log_dir());
    let rooms = room_keys(&case, &args.rooms, lang)?;
    let scope = match &args.query {
        Some(query) => Scope::Query {
            query: query.clone(),
            rooms,
        },
        None if !rooms.is_empty() => Scope::Rooms(rooms),
        None => Scope::Organization,
    };
    let request = ExportRequest {
        scope,
        format: args.format,
        encoding: args.encoding.unwrap_or_default(),
        history: !args.no_history,
        out: args.out.clone(),
        lang,
        zone,
        plain_ids: args.plain_ids,
        force: args.force,
        interface: "cli",
    };

    let bar = progress_bar(args.quiet, lang);
    let started = std::time::Instant::now();
    let result = export::run(&case, &request, &mut |done, total| {
        if bar.length() != Some(total) {
            bar.set_length(total);
        }
        bar.set_position(done);
        true
    });
    bar.finish_and_clear();
    let report = result.map_err(|error| {
        anyhow::anyhow!(export::error_message(
            &error,
            lang,
            export::Interface::CommandLine
        ))
    })?;

    print_replaced(&report, lang);
    if report.counts.messages == 0 {
        eprintln!(
            "cwlens: {}",
            lang.pick(
                "注意: 範囲に該当するメッセージがないため、空の出力を書き出しました",
                "note: no messages are in the scope, so the output is empty"
            )
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report, started.elapsed(), lang);
    }
    Ok(0)
}

/// Looks up the `room_key` of each room ID given with `--room`.
fn room_keys(case: &Case, room_ids: &[String], lang: Lang) -> anyhow::Result<Vec<i64>> {
    if room_ids.is_empty() {
        return Ok(Vec::new());
    }
    let reader = CaseReader::open(case)?;
    let rooms = reader.rooms(RoomSort::Name)?;
    let mut keys = Vec::with_capacity(room_ids.len());
    for id in room_ids {
        let id = id.trim();
        match rooms.iter().find(|room| room.room_id == id) {
            Some(room) => keys.push(room.room_key),
            None => anyhow::bail!(
                "{}",
                match lang {
                    Lang::Ja => format!(
                        "ルームID {id:?} のルームはこの案件にありません（--room にはエクスポートのルームIDを指定します）"
                    ),
                    Lang::En => format!(
                        "no room with ID {id:?} in the case (--room takes the room ID of the export)"
                    ),
                }
            ),
        }
    }
    Ok(keys)
}

fn progress_bar(quiet: bool, lang: Lang) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {bar:40} {pos}/{len} ({eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(lang.pick("書き出し中", "exporting"));
    bar
}

/// Lists on stderr the messages whose text lost characters to CP932: the
/// first ones the report carries, and the count of the rest, which the
/// manifest lists.
fn print_replaced(report: &ExportReport, lang: Lang) {
    if report.replaced_total == 0 {
        return;
    }
    eprintln!(
        "cwlens: {}",
        match lang {
            Lang::Ja => format!(
                "注意: CP932 で表せない文字を [U+XXXX] の形に置き換えました（メッセージ {} 件、一覧はマニフェストにもあります）:",
                group_digits(report.replaced_total)
            ),
            Lang::En => format!(
                "note: characters that CP932 cannot hold were written as [U+XXXX] in {} messages (also listed in the manifest):",
                group_digits(report.replaced_total)
            ),
        }
    );
    for message in &report.replaced {
        eprintln!(
            "  {} {} {} {}: {}",
            lang.pick("ルーム", "room"),
            message.room_id,
            lang.pick("メッセージ", "message"),
            message.message_id,
            message.characters.join(" ")
        );
    }
    let rest = report.replaced_total - report.replaced.len() as u64;
    if rest > 0 {
        eprintln!(
            "  {}",
            match lang {
                Lang::Ja => format!(
                    "ほか {} 件はマニフェストを参照してください",
                    group_digits(rest)
                ),
                Lang::En => format!("and {} more, listed in the manifest", group_digits(rest)),
            }
        );
    }
}

fn print_summary(report: &ExportReport, elapsed: std::time::Duration, lang: Lang) {
    let counts = &report.counts;
    match lang {
        Lang::Ja => {
            println!(
                "書き出しました: ルーム {} 件、メッセージ {} 件、以前の版 {} 件（{:.1} 秒）",
                group_digits(counts.rooms),
                group_digits(counts.messages),
                group_digits(counts.earlier_versions),
                elapsed.as_secs_f64()
            );
            if report.neutralized_cells > 0 {
                println!(
                    "  表計算ソフトが数式として読まないよう、先頭に ' を付けたセル: {} 件",
                    group_digits(report.neutralized_cells)
                );
            }
        }
        Lang::En => {
            let rooms_word = if counts.rooms == 1 { "room" } else { "rooms" };
            println!(
                "Exported {} {rooms_word}, {} messages, {} earlier versions ({:.1} s)",
                group_digits(counts.rooms),
                group_digits(counts.messages),
                group_digits(counts.earlier_versions),
                elapsed.as_secs_f64()
            );
            if report.neutralized_cells > 0 {
                println!(
                    "  cells prefixed with ' so that spreadsheets do not read them as formulas: {}",
                    group_digits(report.neutralized_cells)
                );
            }
        }
    }
    const LISTED: usize = 10;
    let written: Vec<_> = report
        .outputs
        .iter()
        .chain(std::iter::once(&report.manifest))
        .collect();
    for file in written.iter().take(LISTED) {
        println!("  {}  sha256:{}", file.path.display(), file.sha256);
    }
    if written.len() > LISTED {
        println!(
            "  {}",
            match lang {
                Lang::Ja => format!(
                    "ほか {} 件（すべてのハッシュはマニフェストにあります）",
                    written.len() - LISTED
                ),
                Lang::En => format!(
                    "and {} more (the manifest lists every hash)",
                    written.len() - LISTED
                ),
            }
        );
        println!(
            "  {}  sha256:{}",
            report.manifest.path.display(),
            report.manifest.sha256
        );
    }
}
