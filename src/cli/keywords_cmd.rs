//! `cwlens keywords`: a keyword list run as a batch of searches.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::Context;
use serde::Serialize;

use super::args::KeywordsArgs;
use crate::i18n::Lang;
use crate::query::Session;
use crate::query::search::SearchOptions;
use crate::store::Case;
use crate::text::sanitize::for_terminal;

/// Results of one term of the list.
#[derive(Debug, Clone, Serialize)]
pub struct TermReport {
    pub term: String,
    pub line: usize,
    pub hits: usize,
    /// Messages no other term of the list found.
    pub unique_hits: usize,
    pub per_room: BTreeMap<String, usize>,
    pub per_person: BTreeMap<String, usize>,
    pub errors: Vec<String>,
}

/// Reads the terms of a keyword list with their line numbers.
pub fn read_list(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| {
            (
                index + 1,
                line.trim().trim_start_matches('\u{FEFF}').to_string(),
            )
        })
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

pub fn run(args: &KeywordsArgs, lang: Lang) -> anyhow::Result<i32> {
    let zone = super::search_cmd::parse_zone(&args.tz, lang)?;
    let text = std::fs::read_to_string(&args.list).with_context(|| match lang {
        Lang::Ja => format!(
            "キーワードの一覧 {} を読めません。パスを確かめてください",
            args.list.display()
        ),
        Lang::En => format!(
            "cannot read the keyword list {}; check the path",
            args.list.display()
        ),
    })?;
    let terms = read_list(&text);
    let session = Session::open(&args.case.case, zone, lang)?;
    let case = Case::open(&args.case.case)?;
    crate::audit::record(
        &case,
        "keywords",
        serde_json::json!({ "list": args.list.to_string_lossy(), "terms": terms.len() }),
    )?;

    let mut results: Vec<(usize, String, Vec<i64>, Vec<String>)> = Vec::new();
    let mut seen_by: HashMap<i64, usize> = HashMap::new();
    for (line, term) in &terms {
        let query = session.parse(term);
        // A line with a part the parser could not read is not run, because
        // the rest alone would count more than the line asks for; its
        // report carries the reason.
        let keys = if query.is_empty() || !query.errors.is_empty() {
            Vec::new()
        } else {
            session.matching_keys(&query, SearchOptions::default())?
        };
        for key in &keys {
            *seen_by.entry(*key).or_default() += 1;
        }
        results.push((*line, term.clone(), keys, query.errors));
    }

    let mut reports = Vec::with_capacity(results.len());
    for (line, term, keys, errors) in results {
        let mut per_room = BTreeMap::new();
        let mut per_person = BTreeMap::new();
        for (room, sender) in session.reader.message_origins(&keys)? {
            *per_room.entry(room).or_insert(0) += 1;
            *per_person.entry(sender.display(lang)).or_insert(0) += 1;
        }
        let unique_hits = keys
            .iter()
            .filter(|key| seen_by.get(key) == Some(&1))
            .count();
        reports.push(TermReport {
            term,
            line,
            hits: keys.len(),
            unique_hits,
            per_room,
            per_person,
            errors,
        });
    }

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        for report in &reports {
            writeln!(out, "{}", serde_json::to_string(report)?)?;
        }
    } else if args.csv {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record([
            lang.pick("語", "term"),
            lang.pick("件数", "hits"),
            lang.pick("この語だけの件数", "unique_hits"),
            lang.pick("ルーム別", "per_room"),
            lang.pick("送信者別", "per_person"),
        ])?;
        for report in &reports {
            writer.write_record([
                spreadsheet_safe(&report.term),
                report.hits.to_string(),
                report.unique_hits.to_string(),
                spreadsheet_safe(&joined(&report.per_room)),
                spreadsheet_safe(&joined(&report.per_person)),
            ])?;
        }
        writer.flush()?;
        return Ok(0);
    } else {
        writeln!(
            out,
            "{}",
            lang.pick(
                "語\t件数\tこの語だけの件数\tルーム別\t送信者別",
                "term\thits\tunique hits\tper room\tper person"
            )
        )?;
        for report in &reports {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                for_terminal(&report.term, false),
                report.hits,
                report.unique_hits,
                for_terminal(&joined(&report.per_room), false),
                for_terminal(&joined(&report.per_person), false)
            )?;
            for error in &report.errors {
                writeln!(out, "  ! {}: {}", report.line, for_terminal(error, false))?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}

/// Prefixes `'` to a cell a spreadsheet would read as a formula.
// NOTE: the exports have the full rule; this copy covers the same leading characters.
fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            format!("'{cell}")
        }
        _ => cell.to_string(),
    }
}

/// `name (count)` pairs, most frequent first.
fn joined(counts: &BTreeMap<String, usize>) -> String {
    let mut pairs: Vec<(&String, &usize)> = counts.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    pairs
        .iter()
        .map(|(name, count)| format!("{name} ({count})"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_skips_comments_and_blank_lines() {
        let terms = read_list("# comment\n\nばか\n  無能  \n#x\n");
        assert_eq!(
            terms,
            vec![(3, "ばか".to_string()), (4, "無能".to_string())]
        );
    }
}
