//! Measures the synthetic export generator.
//!
//! Run with `cargo run --release --example generate_speed [MESSAGES] [ROOMS] [OUT]`
//! (defaults: 1,000,000 messages in 1,000 rooms). Without OUT the export
//! goes to a temporary directory that is removed afterwards. OUT must be
//! missing or empty.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use cwlens::generate::{Options, generate};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let messages: u64 = match args.next() {
        Some(raw) => raw
            .parse()
            .with_context(|| format!("invalid message count {raw:?}"))?,
        None => 1_000_000,
    };
    let rooms: u32 = match args.next() {
        Some(raw) => raw
            .parse()
            .with_context(|| format!("invalid room count {raw:?}"))?,
        None => 1_000,
    };

    let temporary = tempfile::tempdir().context("failed to create a temporary directory")?;
    let out = match args.next() {
        Some(path) => PathBuf::from(path),
        None => temporary.path().join("export"),
    };
    let options = Options::new(rooms, messages, 1);
    let started = Instant::now();
    let summary = generate(&out, &options, &mut |_| {})?;
    let seconds = started.elapsed().as_secs_f64();

    println!("{summary:?}");
    println!(
        "{} messages in {} rooms: {seconds:.2} s, {:.0} messages/s, {:.1} MB written, {:.1} MB/s",
        summary.messages,
        summary.rooms,
        summary.messages as f64 / seconds,
        summary.bytes_written as f64 / 1e6,
        summary.bytes_written as f64 / 1e6 / seconds,
    );
    Ok(())
}
