//! Measures the console on a large case: time to the first frame, and the
//! time per frame while scrolling the biggest room, drawn into a ratatui
//! `TestBackend` of 120x40.
//!
//! ```sh
//! cargo run --release --example tui_frames -- --case /tmp/big-case
//! cargo run --release --example tui_frames -- --case /tmp/big-case --messages 1000000
//! ```
//!
//! With `--messages N` and a case folder that does not exist yet, the
//! example writes a synthetic export (one room of N messages and a few
//! small rooms) next to the case, imports and indexes it, then measures.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use cwlens::i18n::Lang;
use cwlens::text::width::AmbiguousWidth;
use cwlens::tui::action::Action;
use cwlens::tui::app::{App, SearchMode};
use cwlens::tui::format::Settings;
use cwlens::tui::render;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

// The same allocator as the `cwlens` binary, so that the figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn main() -> anyhow::Result<()> {
    let mut case: Option<PathBuf> = None;
    let mut messages: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--case" => case = args.next().map(PathBuf::from),
            "--messages" => messages = args.next().map(|n| n.parse()).transpose()?,
            other => anyhow::bail!(
                "unknown argument {other:?}; usage: tui_frames --case DIR [--messages N]"
            ),
        }
    }
    let case = case.context("missing --case DIR")?;
    if !case.join("case.sqlite").is_file() {
        let count = messages.context("the case does not exist; pass --messages N to create it")?;
        create_case(&case, count)?;
    }
    measure(&case)
}

/// Writes a synthetic export beside `case` and imports it.
fn create_case(case: &Path, count: u64) -> anyhow::Result<()> {
    let export = case.with_extension("export");
    let started = Instant::now();
    write_export(&export, count)?;
    println!(
        "wrote the export: {count} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let lock = cwlens::store::lock_import(case)?;
    let store = cwlens::store::Case::open_or_create(case)?;
    store.set_people_and_purpose(Some("benchmark"), Some("console frame times"))?;
    cwlens::import::run(
        &export,
        &store,
        &lock,
        &cwlens::import::ImportOptions::default(),
        &mut |_, _| {},
        &mut |_| Ok(()),
    )?;
    println!("imported in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let index = cwlens::index::SearchIndex::open_or_create(&store.index_dir())?;
    cwlens::index::sync(store.conn(), &index, &mut |_, _| {})?;
    println!("indexed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

const BODIES: [&str; 6] = [
    "[To:1001]山田 太郎さん\n見積書を送付しました。ご確認をお願いします。",
    "承知しました。明日の定例で共有します (bow)",
    "[info][title]議事録[/title]1. 予算の確認\n2. 来期の体制\n3. その他[/info]",
    "[qt][qtmeta aid=1002 time=1709600000]先方への連絡は済んでいますか？[/qt]はい、昨日メールしました。",
    "資料を共有フォルダに置きました。差し替え版は夕方までに上げます。",
    "[task aid=1001 st=open lt=1712000000]四半期報告の下書きを作成[/task]",
];

fn write_export(export: &Path, count: u64) -> anyhow::Result<()> {
    let members = export.join("members");
    std::fs::create_dir_all(&members)?;
    let mut rows =
        String::from("\u{feff}ルームID,ルーム名,種別,ファイルパス,アカウントID,名前,権限\r\n");
    let rooms = [
        ("500000001", "大きな部屋", count),
        ("500000002", "総務部", 50),
        ("500000003", "営業部", 80),
    ];
    for (room_id, name, _) in rooms {
        for (account, person) in [
            ("1001", "山田 太郎"),
            ("1002", "佐藤 花子"),
            ("1003", "鈴木 一郎"),
        ] {
            rows.push_str(&format!(
                "{room_id},{name},グループ,rooms/aa/{room_id},{account},{person},メンバー\r\n"
            ));
        }
    }
    std::fs::write(members.join("members.csv"), rows)?;

    let start = 1_600_000_000i64;
    for (room_id, _, messages) in rooms {
        let folder = export.join("rooms/aa").join(room_id);
        std::fs::create_dir_all(&folder)?;
        let file = std::fs::File::create(folder.join("messages.csv"))?;
        let mut out = std::io::BufWriter::new(file);
        out.write_all(
            "\u{feff}メッセージID,アカウントID,名前,送信日時,更新日時,本文\r\n".as_bytes(),
        )?;
        for n in 0..messages {
            let (account, person) = match n % 3 {
                0 => ("1001", "山田 太郎"),
                1 => ("1002", "佐藤 花子"),
                _ => ("1003", "鈴木 一郎"),
            };
            let sent = chrono::DateTime::from_timestamp(start + n as i64 * 37, 0)
                .context("time out of range")?
                .with_timezone(&chrono_tz::Asia::Tokyo)
                .format("%Y-%m-%d %H:%M:%S");
            let body = BODIES[(n % BODIES.len() as u64) as usize].replace('"', "\"\"");
            writeln!(
                out,
                "{}{:012},{account},{person},{sent},,\"{body} #{n}\"\r",
                room_id, n
            )?;
        }
        out.flush()?;
    }
    Ok(())
}

/// Summary of frame times: median, 99th percentile and maximum.
fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{label:<34} frames {:>5}  median {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        times.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

fn measure(case: &Path) -> anyhow::Result<()> {
    let settings = Settings {
        lang: Lang::Ja,
        zone: chrono_tz::Asia::Tokyo,
        ambiguous: AmbiguousWidth::Narrow,
    };
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;

    let started = Instant::now();
    let mut app = App::browse(
        case,
        settings,
        Rect::new(0, 0, WIDTH, HEIGHT),
        SearchMode::Inline,
    )?;
    terminal.draw(|frame| render::draw(frame, &app))?;
    println!(
        "time to first frame (open case, room list): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // Sort the room list by message count and open the biggest room.
    for _ in 0..4 {
        app.update(Action::CycleSort);
    }
    app.update(Action::Top);
    let started = Instant::now();
    app.update(Action::Open);
    terminal.draw(|frame| render::draw(frame, &app))?;
    let opened = started.elapsed();
    let total = match app.browser().and_then(|browser| browser.screens.last()) {
        Some(cwlens::tui::screens::Screen::Timeline(timeline)) => timeline.total,
        _ => anyhow::bail!("the biggest room did not open"),
    };
    println!(
        "open the biggest room ({total} messages) at its end: {:.1} ms",
        opened.as_secs_f64() * 1e3
    );

    let mut step = |action: Action, repeat: usize| -> anyhow::Result<Vec<Duration>> {
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let started = Instant::now();
            app.update(action.clone());
            app.tick();
            terminal.draw(|frame| render::draw(frame, &app))?;
            times.push(started.elapsed());
        }
        Ok(times)
    };
    summary("scroll up one message", step(Action::Up, 2000)?);
    summary("page up", step(Action::PageUp, 300)?);
    summary("mouse wheel down", step(Action::ScrollDown, 300)?);
    summary("jump to the first message", step(Action::Top, 5)?);
    summary("scroll down one message", step(Action::Down, 2000)?);
    summary("page down", step(Action::PageDown, 300)?);
    summary("jump to the last message", step(Action::Bottom, 5)?);

    // A date in the middle of the room, typed into the date prompt.
    let mut times = Vec::new();
    for date in ["2001-06-01", "2010-01-15", "2019-12-31"] {
        app.update(Action::JumpToDate);
        app.update(Action::Paste(date.to_string()));
        let started = Instant::now();
        app.update(Action::Submit);
        terminal.draw(|frame| render::draw(frame, &app))?;
        times.push(started.elapsed());
    }
    summary("jump to a date", times);

    // Searches run inline here, so each key press includes the live count.
    app.update(Action::ShowSearch);
    let mut times = Vec::new();
    for c in "確認しました".chars() {
        let started = Instant::now();
        app.update(Action::Paste(c.to_string()));
        app.tick();
        terminal.draw(|frame| render::draw(frame, &app))?;
        times.push(started.elapsed());
    }
    summary("type a query (live count per key)", times);
    let started = Instant::now();
    app.update(Action::Submit);
    app.tick();
    terminal.draw(|frame| render::draw(frame, &app))?;
    println!(
        "run the query, first page of hits: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    app.update(Action::Open);
    terminal.draw(|frame| render::draw(frame, &app))?;
    println!(
        "open a hit in its room: {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    for (label, action) in [
        ("open the people list", Action::ShowPeople),
        ("open the edits and deletions list", Action::ShowChanges),
    ] {
        let started = Instant::now();
        app.update(action);
        terminal.draw(|frame| render::draw(frame, &app))?;
        println!("{label}: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    }
    Ok(())
}
