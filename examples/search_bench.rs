//! In-process search latency: the path the TUI's live count uses, with the
//! index already open. For each query of a list it times the count plus
//! the newest 50 hits, and prints p50, p95 and the worst query.
//!
//! Usage: cargo run --release --example search_bench -- CASE_DIR QUERY_FILE [ROUNDS]
//! It also writes `query<TAB>count` lines to stdout's end for comparison
//! with other tools.

use std::time::{Duration, Instant};

use cwlens::i18n::Lang;
use cwlens::query::Session;
use cwlens::query::search::SearchOptions;

// The same allocator as the `cwlens` binary, so that the figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        anyhow::bail!("usage: search_bench CASE_DIR QUERY_FILE [ROUNDS]");
    }
    let rounds: usize = args.get(3).map_or(Ok(3), |text| text.parse())?;
    let queries: Vec<String> = std::fs::read_to_string(&args[2])?
        .lines()
        .map(str::to_string)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();

    let opened = Instant::now();
    let session = Session::open(
        std::path::Path::new(&args[1]),
        chrono_tz::Asia::Tokyo,
        Lang::Ja,
    )?;
    eprintln!("open: {:.1} ms", opened.elapsed().as_secs_f64() * 1000.0);

    let mut timings = Vec::new();
    let mut per_query: Vec<(Duration, String)> = Vec::new();
    let mut worst: (Duration, String) = (Duration::ZERO, String::new());
    let mut counts = Vec::new();
    for round in 0..rounds {
        for query_text in &queries {
            let started = Instant::now();
            let query = session.parse(&format!("\"{query_text}\""));
            let page = session.search(&query, SearchOptions::default(), 0, 50)?;
            let elapsed = started.elapsed();
            // The first round warms the caches; only later rounds are measured.
            if round > 0 || rounds == 1 {
                timings.push(elapsed);
                per_query.push((elapsed, query_text.clone()));
                if elapsed > worst.0 {
                    worst = (elapsed, query_text.clone());
                }
            }
            if round == 0 {
                counts.push((query_text.clone(), page.total));
            }
        }
    }
    timings.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "queries {} rounds {} p50 {:.2} ms p95 {:.2} ms max {:.2} ms ({})",
        queries.len(),
        rounds,
        ms(percentile(&timings, 0.50)),
        ms(percentile(&timings, 0.95)),
        ms(worst.0),
        worst.1
    );
    // The slowest measured runs go to stderr, to see which queries cost most.
    per_query.sort();
    for (elapsed, query) in per_query.iter().rev().take(
        std::env::var("SLOW")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(15),
    ) {
        eprintln!("slow: {:8.2} ms  {query}", ms(*elapsed));
    }
    for (query, count) in counts {
        println!("{query}\t{count}");
    }
    Ok(())
}
