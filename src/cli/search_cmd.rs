//! `cwlens search`, `cwlens reindex` and `cwlens keywords`.

use std::io::Write;

use chrono::TimeZone;
use chrono_tz::Tz;

use super::args::{ReindexArgs, SearchArgs};
use crate::i18n::Lang;
use crate::query::Session;
use crate::query::search::{Hit, MatchedIn, SearchOptions, SortOrder};
use crate::store::Case;
use crate::text::normalize::Options;
use crate::text::sanitize::for_terminal;

/// Parses a `--tz` value.
pub fn parse_zone(name: &str, lang: Lang) -> anyhow::Result<Tz> {
    name.parse().map_err(|_| {
        anyhow::anyhow!(
            "{}",
            match lang {
                Lang::Ja => format!("--tz {name:?} はタイムゾーン名ではありません（例: Asia/Tokyo, UTC）"),
                Lang::En => format!("--tz {name:?} is not a time zone name (for example Asia/Tokyo or UTC)"),
            }
        )
    })
}

/// Rejects a query word that is one of this command's options, such as
/// `--limit` written after the words. Everything after the first word is
/// query text, so the option would silently become a word to search for and
/// the search would look like it found nothing.
fn check_no_options_in_query(words: &[String], lang: Lang) -> anyhow::Result<()> {
    use clap::Args;
    let command = super::args::SearchArgs::augment_args(clap::Command::new("search"));
    let options: Vec<String> = command
        .get_arguments()
        .filter_map(|argument| argument.get_long())
        .map(|long| format!("--{long}"))
        .collect();
    let misplaced = words.iter().find(|word| {
        let name = word.split('=').next().unwrap_or(word);
        options.iter().any(|option| option == name)
    });
    let Some(word) = misplaced else {
        return Ok(());
    };
    let word = crate::text::sanitize::for_terminal(word, false);
    anyhow::bail!(
        "{}",
        match lang {
            Lang::Ja => format!(
                "{word} は検索語の後ろにあるため、検索語として読まれます。オプションは検索語より前に書いてください（その文字列を探すときは \"{word}\" と引用符で囲んでください）"
            ),
            Lang::En => format!(
                "{word} comes after the query words, so it would be searched for as text; put options before the query (to search for that text, quote it: \"{word}\")"
            ),
        }
    )
}

/// Formats Unix seconds as ISO 8601 with the zone's offset.
pub fn iso_time(unix: i64, zone: Tz) -> String {
    zone.timestamp_opt(unix, 0)
        .single()
        .map(|time| time.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
        .unwrap_or_else(|| unix.to_string())
}

pub fn search(args: &SearchArgs, lang: Lang) -> anyhow::Result<i32> {
    let zone = parse_zone(&args.tz, lang)?;
    let case = Case::open(&args.case.case)?;
    let session = Session::for_case(&case, zone, lang)?;
    check_no_options_in_query(&args.query, lang)?;
    let text = args.query.join(" ");
    let query = session.parse(&text);
    for warning in unknown_prefix_warnings(&text, lang) {
        eprintln!("cwlens: {}", for_terminal(&warning, false));
    }
    if !query.errors.is_empty() {
        // A filter that could not be read would widen the results silently.
        anyhow::bail!(
            "{}",
            query
                .errors
                .iter()
                .map(|error| for_terminal(error, false).into_owned())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    if query.is_empty() {
        anyhow::bail!(
            "{}",
            lang.pick(
                "検索語がありません。語か絞り込み条件（例: from:123 is:deleted）を指定してください",
                "no query: give a word or a filter (for example from:123 is:deleted)"
            )
        );
    }
    let options = SearchOptions {
        normalization: Options {
            fold_kana: !args.no_kana_fold,
        },
        order: if args.oldest {
            SortOrder::Oldest
        } else if args.relevance {
            SortOrder::Relevance
        } else {
            SortOrder::Newest
        },
    };
    if args.count {
        let count = session.count(&query, options)?;
        crate::audit::record(
            &case,
            "search",
            serde_json::json!({ "query": text, "interface": "cli", "count": count }),
        )?;
        println!("{count}");
        return Ok(if count > 0 { 0 } else { super::EXIT_NOT_FOUND });
    }
    let case = Case::open(&args.case.case)?;
    crate::audit::record(
        &case,
        "search",
        serde_json::json!({ "query": text, "interface": "cli" }),
    )?;
    let limit = args.limit.unwrap_or(usize::MAX);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut printed = 0usize;
    let mut total = 0;
    let page_size = 1_000;
    let mut offset = 0;
    while printed < limit {
        let take = page_size.min(limit - printed);
        let page = session.search(&query, options, offset, take)?;
        total = page.total;
        if page.hits.is_empty() {
            break;
        }
        for hit in &page.hits {
            if args.json {
                writeln!(out, "{}", hit_json(hit, zone, lang))?;
            } else {
                writeln!(out, "{}", hit_line(hit, zone, lang))?;
            }
        }
        printed += page.hits.len();
        offset += page.hits.len();
        if page.hits.len() < take {
            break;
        }
    }
    out.flush()?;
    let left = total.saturating_sub(printed as u64);
    if left > 0 {
        // On stderr, so that piped results stay one hit per line.
        eprintln!(
            "cwlens: {}",
            match lang {
                Lang::Ja => format!(
                    "ほかに {} 件あります（全 {} 件）。--limit で増やせます",
                    super::group_digits(left),
                    super::group_digits(total)
                ),
                Lang::En => format!(
                    "{} more of {} not shown; raise --limit to see them",
                    super::group_digits(left),
                    super::group_digits(total)
                ),
            }
        );
    }
    tracing::info!(results = printed, "search finished");
    Ok(if printed > 0 {
        0
    } else {
        super::EXIT_NOT_FOUND
    })
}

/// Warns about words such as `form:権藤` whose prefix looks like a
/// mistyped filter name; they are searched as text.
pub fn unknown_prefix_warnings(text: &str, lang: Lang) -> Vec<String> {
    const FILTERS: &str = "room, from, to, after, before, is, has, in, tag";
    let mut warnings = Vec::new();
    for word in text.split_whitespace() {
        let word = word.trim_start_matches('-');
        let Some((prefix, _)) = word.split_once(':') else {
            continue;
        };
        let lower = prefix.to_lowercase();
        let looks_like_filter = (2..=8).contains(&lower.len())
            && lower.bytes().all(|b| b.is_ascii_lowercase())
            && ![
                "http", "https", "ftp", "mailto", "room", "from", "to", "after", "before", "is",
                "has", "in", "tag",
            ]
            .contains(&lower.as_str());
        if looks_like_filter {
            warnings.push(match lang {
                Lang::Ja => format!("{prefix}: は絞り込み条件ではないため、文字列として検索します（条件: {FILTERS}）"),
                Lang::En => format!("{prefix}: is not a filter, so it is searched as text (filters: {FILTERS})"),
            });
        }
    }
    warnings
}

fn hit_json(hit: &Hit, zone: Tz, lang: Lang) -> serde_json::Value {
    let message = &hit.message;
    serde_json::json!({
        "message_id": message.message_id,
        "room_id": message.room_id,
        "room_name": message.room_name,
        "account_id": message.sender.account_id,
        "account_name": message.sender.name,
        "account_label": message.sender.display(lang),
        "resigned": message.sender.resigned,
        "sent_at": iso_time(message.sent_at, zone),
        "edited": message.edited,
        "deleted": message.deleted,
        "matched_in": match hit.matched_in {
            MatchedIn::Current => "current",
            MatchedIn::History => "history",
            MatchedIn::None => "current",
        },
        "snippet": hit.snippet.text,
        "highlights": hit.snippet.highlights.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
        "tags": message.tags,
    })
}

fn hit_line(hit: &Hit, zone: Tz, lang: Lang) -> String {
    let message = &hit.message;
    let when = zone
        .timestamp_opt(message.sent_at, 0)
        .single()
        .map(|time| time.format("%Y-%m-%d %H:%M %:z").to_string())
        .unwrap_or_default();
    let marker = if hit.matched_in == MatchedIn::History {
        lang.pick(" [編集・削除前]", " [earlier version]")
    } else {
        ""
    };
    let snippet: String = hit.snippet.text.replace(['\n', '\r'], " ");
    // A room without a name (a members file was missing) shows its ID.
    let room = if message.room_name.is_empty() {
        match lang {
            Lang::Ja => format!("名前なし ID:{}", message.room_id),
            Lang::En => format!("no name, ID:{}", message.room_id),
        }
    } else {
        message.room_name.clone()
    };
    format!(
        "{when}  [{}]  {}: {}{marker}",
        for_terminal(&room, false),
        for_terminal(&message.sender.display(lang), false),
        for_terminal(&snippet, false)
    )
}

pub fn reindex(args: &ReindexArgs, lang: Lang) -> anyhow::Result<i32> {
    let case = Case::open(&args.case.case)?;
    // A running import builds the index when it ends: deleting the index
    // under it would make that import fail.
    let _lock = case.lock_for_import()?;
    super::logging::init(&case.log_dir());
    let index_dir = case.index_dir();
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir)?;
    }
    let report = super::import_cmd::index_case(&case, args.quiet, lang)?;
    println!(
        "{}",
        match lang {
            Lang::Ja => format!(
                "索引を作り直しました: メッセージ {} 件",
                super::group_digits(report.added)
            ),
            Lang::En => format!(
                "Rebuilt the index: {} messages",
                super::group_digits(report.added)
            ),
        }
    );
    Ok(0)
}
