//! `cwlens compact`: merges the index's small segments and frees the
//! database's unused pages. Neither changes what a search finds or what a screen shows.

use super::args::CompactArgs;
use super::group_digits;
use crate::i18n::Lang;
use crate::index::{SEGMENT_DOCS, SearchIndex, merge_small_segments};
use crate::store::Case;

pub fn run(args: &CompactArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    // An import writes both the index and the database.
    let _lock = case.lock_for_import()?;
    super::logging::init(&case.log_dir());
    let say = |line: String| {
        if !args.quiet {
            println!("{line}");
        }
    };

    let started = std::time::Instant::now();
    let index = SearchIndex::open(&case.index_dir())?;
    let merged = merge_small_segments(&index, SEGMENT_DOCS)?;
    tracing::info!(
        segments_before = merged.segments_before,
        segments_after = merged.segments_after,
        seconds = started.elapsed().as_secs_f64(),
        "merged the index"
    );
    let documents = group_digits(merged.documents);
    let (before, after) = (merged.segments_before, merged.segments_after);
    say(match (before == after, lang) {
        (false, Lang::Ja) => format!(
            "索引の小さなセグメントを統合しました: {before} → {after}（メッセージ {documents} 件）"
        ),
        (false, Lang::En) => {
            format!("Merged the index's small segments: {before} → {after} ({documents} messages)")
        }
        (true, Lang::Ja) => format!(
            "索引に統合する小さなセグメントはありません（セグメント {before}、メッセージ {documents} 件）"
        ),
        (true, Lang::En) => {
            let segments = if before == 1 { "segment" } else { "segments" };
            format!(
                "The index has no small segments to merge ({before} {segments}, {documents} messages)"
            )
        }
    });

    let vacuumed = case.vacuum_if_sparse()?;
    say(match (vacuumed, lang) {
        (Some((before, after)), Lang::Ja) => format!(
            "データベースの空き領域を解放しました: {} MB → {} MB",
            megabytes(before),
            megabytes(after)
        ),
        (Some((before, after)), Lang::En) => format!(
            "Freed the database's unused space: {} MB → {} MB",
            megabytes(before),
            megabytes(after)
        ),
        (None, Lang::Ja) => "データベースの空き領域は 1 割未満のため、そのままにしました".into(),
        (None, Lang::En) => {
            "Less than a tenth of the database is unused space, so it was left as it is".into()
        }
    });

    crate::audit::record(
        &case,
        "compact",
        serde_json::json!({
            "segments_before": merged.segments_before,
            "segments_after": merged.segments_after,
            "documents": merged.documents,
            "database_bytes": vacuumed.map(|(before, after)| [before, after]),
        }),
    )?;
    Ok(0)
}

fn megabytes(bytes: u64) -> String {
    group_digits(bytes.div_ceil(1_000_000))
}
