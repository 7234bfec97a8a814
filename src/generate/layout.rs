//! Files of the reference layout: paths, headers, CSV settings and the
//! time format.
//!
//! Every file is UTF-8 with a byte order mark, ends records with CRLF and
//! quotes fields only where RFC 4180 needs it (comma, quote or line break).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub const MEMBERS_INDEX_HEADER: [&str; 7] = [
    "ルームID",
    "ルーム名",
    "種別",
    "ファイルパス",
    "アカウントID",
    "名前",
    "権限",
];
pub const MESSAGES_HEADER: [&str; 6] = [
    "メッセージID",
    "アカウントID",
    "名前",
    "送信日時",
    "更新日時",
    "本文",
];
pub const MESSAGE_LOGS_HEADER: [&str; 4] = ["メッセージID", "操作", "操作日時", "操作前の本文"];
pub const FILES_HEADER: [&str; 8] = [
    "ファイルID",
    "メッセージID",
    "アカウントID",
    "名前",
    "ファイル名",
    "サイズ",
    "アップロード日時",
    "URL",
];
pub const ROOM_MEMBERS_HEADER: [&str; 5] = ["アカウントID", "名前", "権限", "組織名", "部署"];

pub const MEMBERS_INDEX_PATH: &str = "members/members.csv";
pub const MESSAGES_FILE: &str = "messages.csv";
pub const MESSAGE_LOGS_FILE: &str = "message_logs.csv";
pub const FILES_FILE: &str = "files.csv";
pub const ROOM_MEMBERS_FILE: &str = "members.csv";

const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();
const CSV_BUFFER_BYTES: usize = 64 * 1024;

/// Path of a room's folder relative to the export root, with `/` separators
/// as the members file writes it: `rooms/<bucket>/<room_id>`.
pub fn room_folder(bucket: &str, room_id: u64) -> String {
    format!("rooms/{bucket}/{room_id}")
}

/// A CSV file being written, with a count of the bytes written so far.
pub struct CsvFile {
    writer: csv::Writer<CountingFile>,
    path: PathBuf,
}

impl CsvFile {
    /// Creates the file and writes the byte order mark and the header row.
    pub fn create(path: &Path, header: &[&str]) -> Result<CsvFile> {
        let file =
            File::create(path).with_context(|| format!("failed to create {}", path.display()))?;
        let mut counting = CountingFile { file, bytes: 0 };
        counting
            .write_all(UTF8_BOM)
            .with_context(|| format!("failed to write {}", path.display()))?;
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(CSV_BUFFER_BYTES)
            .from_writer(counting);
        let mut csv_file = CsvFile {
            writer,
            path: path.to_path_buf(),
        };
        csv_file.write_row(header)?;
        Ok(csv_file)
    }

    pub fn write_row<I>(&mut self, fields: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        self.writer
            .write_record(fields)
            .with_context(|| format!("failed to write {}", self.path.display()))
    }

    /// Flushes and closes the file. Returns the number of bytes in it.
    pub fn finish(mut self) -> Result<u64> {
        self.writer
            .flush()
            .with_context(|| format!("failed to write {}", self.path.display()))?;
        let counting = self
            .writer
            .into_inner()
            .map_err(|error| error.into_error())
            .with_context(|| format!("failed to write {}", self.path.display()))?;
        Ok(counting.bytes)
    }
}

/// A file that counts the bytes written to it. The CSV writer buffers in
/// front of it, so writes arrive here in large blocks.
struct CountingFile {
    file: File,
    bytes: u64,
}

impl Write for CountingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.file.write(buf)?;
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Offset of Japan time from UTC. Japan has not used daylight saving time
/// since 1951, so a fixed offset is exact for every generated time.
pub const JST_OFFSET_SECONDS: i64 = 9 * 3600;

/// Appends Unix seconds as `YYYY-MM-DD HH:MM:SS` in Japan time.
pub fn push_jst(out: &mut String, unix: i64) {
    use chrono::{Datelike, Timelike};

    let local = chrono::DateTime::from_timestamp(unix + JST_OFFSET_SECONDS, 0)
        .expect("generated times are far inside the range of chrono")
        .naive_utc();
    push_padded(out, local.year() as u32, 4);
    out.push('-');
    push_padded(out, local.month(), 2);
    out.push('-');
    push_padded(out, local.day(), 2);
    out.push(' ');
    push_padded(out, local.hour(), 2);
    out.push(':');
    push_padded(out, local.minute(), 2);
    out.push(':');
    push_padded(out, local.second(), 2);
}

/// Returns the hour of the day (0–23) in Japan time.
pub fn jst_hour(unix: i64) -> i64 {
    (unix + JST_OFFSET_SECONDS).rem_euclid(86_400) / 3600
}

/// Appends `value` in decimal, padded with leading zeros to `width` digits.
fn push_padded(out: &mut String, value: u32, width: u32) {
    let mut divisor = 10u32.pow(width - 1);
    while divisor > 0 {
        out.push(char::from(b'0' + (value / divisor % 10) as u8));
        divisor /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_jst_formats_japan_time() {
        let mut out = String::new();
        // 2024-03-15 01:02:03 UTC is 10:02:03 in Japan.
        push_jst(&mut out, 1_710_464_523);
        assert_eq!(out, "2024-03-15 10:02:03");
    }

    #[test]
    fn push_jst_crosses_midnight() {
        let mut out = String::new();
        // 2023-12-31 15:00:00 UTC is midnight of New Year's Day in Japan.
        push_jst(&mut out, 1_704_034_800);
        assert_eq!(out, "2024-01-01 00:00:00");
        assert_eq!(jst_hour(1_704_034_800), 0);
    }
}
