//! Measures whole-organization exports of a case: messages per second and
//! peak resident memory for CSV and for the HTML folder.
//!
//! Usage: `cargo run --release --example export_speed -- CASE_DIR [csv|html|both] [utf8-bom|utf8|cp932]`
//! (defaults: both, utf8-bom). Output goes to a temporary folder that is removed
//! afterwards. Each run adds an `export` entry to the case's audit log, as
//! every export does.
//!
//! Peak memory is VmHWM from /proc/self/status (Linux). Before each format
//! the peak is reset through /proc/self/clear_refs, so the second number
//! does not include the first run. Where the reset is not allowed, the
//! printed peak covers every run so far, and the output marks it.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use cwlens::export::{ExportRequest, Format, Scope, TextEncoding, run};
use cwlens::store::Case;

// The same allocator as the `cwlens` binary, so that the figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let case_dir = args
        .next()
        .context("usage: export_speed CASE_DIR [csv|html|both] [utf8-bom|utf8|cp932]")?;
    let formats = match args.next().as_deref() {
        None | Some("both") => vec![Format::Csv, Format::Html],
        Some("csv") => vec![Format::Csv],
        Some("html") => vec![Format::Html],
        Some(other) => bail!("invalid format {other:?}: use csv, html or both"),
    };
    let encoding = match args.next().as_deref() {
        None | Some("utf8-bom") => TextEncoding::Utf8Bom,
        Some("utf8") => TextEncoding::Utf8,
        Some("cp932") => TextEncoding::Cp932,
        Some(other) => bail!("invalid encoding {other:?}: use utf8-bom, utf8 or cp932"),
    };
    let case = Case::open(Path::new(&case_dir))?;
    let temporary = tempfile::tempdir().context("failed to create a temporary folder")?;

    for format in formats {
        let reset = reset_peak_memory();
        let out = match format {
            Format::Csv => temporary.path().join("org.csv"),
            Format::Html => temporary.path().join("org-html"),
        };
        let mut request = ExportRequest::new(Scope::Organization, format, out);
        request.encoding = encoding;
        let started = Instant::now();
        let report = run(&case, &request, &mut |_, _| true)?;
        let seconds = started.elapsed().as_secs_f64();

        let bytes: u64 = report.outputs.iter().map(|file| file.bytes).sum();
        let messages = report.counts.messages;
        println!(
            "{} ({}): {messages} messages in {} rooms, {seconds:.2} s, {:.0} messages/s, {:.1} MB written, peak RSS {:.1} MB{}",
            format.as_str(),
            if format == Format::Csv {
                encoding.as_str()
            } else {
                "utf8"
            },
            report.counts.rooms,
            messages as f64 / seconds,
            bytes as f64 / 1e6,
            peak_memory_kb()? as f64 / 1024.0,
            if reset {
                ""
            } else {
                " (peak not reset: includes earlier runs)"
            },
        );
    }
    Ok(())
}

/// Resets the peak resident set size of this process; returns false when
/// the kernel does not allow it.
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Reads VmHWM, the peak resident set size in KiB.
fn peak_memory_kb() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("failed to read /proc/self/status (Linux only)")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .context("no VmHWM line in /proc/self/status")?;
    let value = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim();
    value
        .parse()
        .with_context(|| format!("invalid VmHWM value {value:?}"))
}
