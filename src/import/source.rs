//! Reading one source file: hashing, encoding detection and CSV records.
//!
//! Files are opened read-only and streamed, so an export of any size is
//! read in bounded memory. CSV is parsed as bytes: UTF-8 and CP932 share
//! the ASCII delimiters, so only UTF-16 needs transcoding before parsing.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// How many bytes encoding detection looks at.
const SNIFF_BYTES: usize = 1 << 20;

/// Text encoding of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Cp932,
}

impl TextEncoding {
    /// True for the UTF-16 forms, in which a `"` byte can be half of
    /// another character.
    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Cp932 => "cp932",
        }
    }

    /// Returns where the stream [`open_text`] reads starts in the file: after
    /// the byte order mark. `None` for UTF-16, whose stream is transcoded.
    pub fn stream_offset(self) -> Option<u64> {
        match self {
            TextEncoding::Utf8 | TextEncoding::Cp932 => Some(0),
            TextEncoding::Utf8Bom => Some(3),
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => None,
        }
    }

    /// Parses an encoding name as a user writes it in a mapping file.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        match crate::text::normalize::fold_header(label).as_str() {
            "utf8" => Some(TextEncoding::Utf8),
            "utf8bom" | "utf8sig" => Some(TextEncoding::Utf8Bom),
            "utf16le" | "utf16" => Some(TextEncoding::Utf16Le),
            "utf16be" => Some(TextEncoding::Utf16Be),
            "cp932" | "shiftjis" | "sjis" | "windows31j" | "ms932" => Some(TextEncoding::Cp932),
            _ => None,
        }
    }

    /// Decodes one field read from a file in this encoding. UTF-16 files
    /// are transcoded to UTF-8 before parsing, so their fields are UTF-8.
    pub fn decode_field(self, bytes: &[u8]) -> Option<String> {
        match self {
            TextEncoding::Cp932 => encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| text.into_owned()),
            _ => std::str::from_utf8(bytes).ok().map(str::to_owned),
        }
    }
}

/// Detects the encoding from a byte order mark, or else from the first
/// megabyte: valid UTF-8 is UTF-8, and text that is not is CP932 (the
/// encoding Japanese Windows writes) when it has fewer malformed sequences
/// as CP932 than as UTF-8.
pub fn detect_encoding(path: &Path) -> io::Result<TextEncoding> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(detect_from_head(&head, head.len() < SNIFF_BYTES))
}

fn detect_from_head(head: &[u8], whole_file: bool) -> TextEncoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8Bom;
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return TextEncoding::Utf16Le;
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    // Look only up to the last line feed of a cut window: a line feed is never
    // part of a multi-byte character in either encoding.
    let head = if whole_file {
        head
    } else {
        up_to_last_line_feed(head)
    };
    let utf8_errors = utf8_errors(head, whole_file);
    if utf8_errors == 0 {
        return TextEncoding::Utf8;
    }
    // A tie goes to UTF-8: UTF-8 read as CP932 can pass as valid text and be
    // imported garbled, while CP932 read as UTF-8 only sends rows to the quarantine.
    if cp932_errors(head) < utf8_errors {
        TextEncoding::Cp932
    } else {
        TextEncoding::Utf8
    }
}

fn up_to_last_line_feed(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|byte| *byte == b'\n') {
        Some(index) => &bytes[..=index],
        None => bytes,
    }
}

/// Counts the malformed sequences of `bytes` read as UTF-8. A character
/// cut off at the end counts only when the end is the end of the file.
fn utf8_errors(mut bytes: &[u8], end_of_file: bool) -> usize {
    let mut errors = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(_) => return errors,
            Err(error) => match error.error_len() {
                Some(length) => {
                    errors += 1;
                    bytes = &bytes[error.valid_up_to() + length..];
                }
                None => return errors + usize::from(end_of_file),
            },
        }
    }
}

/// Counts the malformed sequences of `bytes` read as CP932.
fn cp932_errors(bytes: &[u8]) -> usize {
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut output = String::with_capacity(bytes.len() * 2 + 16);
    let mut errors = 0;
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut output, true);
        rest = &rest[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => return errors,
            encoding_rs::DecoderResult::Malformed(_, _) => errors += 1,
            encoding_rs::DecoderResult::OutputFull => output.reserve(rest.len() * 2 + 16),
        }
    }
}

/// Returns the SHA-256 (lower-case hex) and the size of a file.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let (sha256, size, _, _) = hash_file_with_quotes(path)?;
    Ok((sha256, size))
}

/// Hashes a file like [`hash_file`] and also returns whether it ends inside
/// a quoted CSV field: an odd number of `"` bytes, as in a file cut short in
/// the middle of a record. Meaningful for UTF-8 and CP932, where the byte
/// `"` is never part of another character, and not for UTF-16.
/// Also returns the file's last byte, `None` for an empty file.
pub fn hash_file_with_quotes(path: &Path) -> io::Result<(String, u64, bool, Option<u8>)> {
    // Reads straight into one buffer. A file of an export averages tens of
    // kilobytes, so a larger buffer would mostly be memory to clear.
    let mut reader = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    let mut quotes = 0u64;
    let mut last_byte = None;
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        size += read as u64;
        hasher.update(&buffer[..read]);
        quotes += memchr::memchr_iter(b'"', &buffer[..read]).count() as u64;
        last_byte = Some(buffer[read - 1]);
    }
    Ok((hex(&hasher.finalize()), size, quotes % 2 == 1, last_byte))
}

/// Formats bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Opens a file as a stream of UTF-8 or CP932 bytes with any BOM removed.
pub fn open_text(path: &Path, encoding: TextEncoding) -> io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    let reader: Box<dyn Read + Send> = match encoding {
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
            let label = if encoding == TextEncoding::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(label))
                    .bom_override(true)
                    .build(file),
            )
        }
        TextEncoding::Utf8Bom => {
            let mut reader = BufReader::with_capacity(1 << 16, file);
            let mut bom = [0u8; 3];
            reader.read_exact(&mut bom)?;
            Box::new(reader)
        }
        TextEncoding::Utf8 | TextEncoding::Cp932 => {
            Box::new(BufReader::with_capacity(1 << 16, file))
        }
    };
    Ok(reader)
}

/// A CSV reader over a source file, as `csv_reader` opens it.
pub type CsvReader = csv::Reader<LineTrackedText>;

/// A CSV reader over a source file that tolerates ragged rows.
pub fn csv_reader(path: &Path, encoding: TextEncoding) -> io::Result<CsvReader> {
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(LineTrackedText {
            inner: open_text(path, encoding)?,
            breaks: LineBreaks::default(),
        }))
}

/// Returns the 1-based line on which `record`, just read from `reader`, starts.
///
/// csv 1.4 reports the position where it began looking for a record: before
/// the LF of the CRLF that ended the previous record and before any blank
/// lines it skipped. So the line it reports is one short in CRLF files and
/// after blank lines. The line is counted here from the bytes read instead:
/// CRLF, a lone CR and a lone LF each end one line, also inside quoted fields.
pub fn record_line(reader: &mut CsvReader, record: &csv::ByteRecord) -> u64 {
    let start = record.position().map_or(0, csv::Position::byte);
    reader.get_mut().breaks.line_at(start)
}

/// A text stream that notes where its line breaks are.
pub struct LineTrackedText {
    inner: Box<dyn Read + Send>,
    breaks: LineBreaks,
}

impl Read for LineTrackedText {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.breaks.scan(&buffer[..read]);
        Ok(read)
    }
}

/// Line breaks read from a stream but not yet passed by a record.
///
/// Records are asked about in stream order, so breaks before a record are
/// only counted, and the breaks kept are those in the reader's read-ahead.
#[derive(Debug, Default)]
struct LineBreaks {
    /// Byte ranges of the breaks at or after the last record asked about.
    pending: std::collections::VecDeque<(u64, u64)>,
    /// Breaks that end before the last record asked about.
    passed: u64,
    /// Stream offset of the next byte to scan.
    offset: u64,
    /// The last byte scanned was a CR, so an LF next to it joins its break.
    after_cr: bool,
}

impl LineBreaks {
    fn scan(&mut self, bytes: &[u8]) {
        // `after_cr` only matters for the byte right after a CR, so it is
        // enough to look at the breaks and the byte before each.
        for index in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let at = self.offset + index as u64;
            let after_cr = match index {
                0 => self.after_cr,
                _ => bytes[index - 1] == b'\r',
            };
            if bytes[index] == b'\n' && after_cr {
                // A CR whose break was already passed needs nothing more.
                if let Some(last) = self.pending.back_mut().filter(|last| last.1 == at) {
                    last.1 = at + 1;
                }
            } else {
                self.pending.push_back((at, at + 1));
            }
        }
        if let Some(last) = bytes.last() {
            self.after_cr = *last == b'\r';
        }
        self.offset += bytes.len() as u64;
    }

    /// Returns the line of the first byte at or after `position` that is not part of a line break.
    fn line_at(&mut self, position: u64) -> u64 {
        while self
            .pending
            .front()
            .is_some_and(|(_, end)| *end <= position)
        {
            self.pending.pop_front();
            self.passed += 1;
        }
        let mut cursor = position;
        let mut skipped = 0;
        for (start, end) in &self.pending {
            if *start > cursor {
                break;
            }
            cursor = *end;
            skipped += 1;
        }
        1 + self.passed + skipped
    }
}

/// Reads the bytes `start..end` of a file: a record exactly as the file
/// contains it, for the quarantine.
pub fn read_range(path: &Path, start: u64, end: u64) -> io::Result<Vec<u8>> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::with_capacity(end.saturating_sub(start) as usize);
    file.take(end.saturating_sub(start))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Re-encodes a record as one CSV line in its source encoding, for the
/// quarantine of a record whose bytes cannot be read back (UTF-16).
pub fn record_bytes(record: &csv::ByteRecord) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = writer.write_byte_record(record);
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_byte_order_marks() {
        assert_eq!(
            detect_from_head(b"\xEF\xBB\xBFid", true),
            TextEncoding::Utf8Bom
        );
        assert_eq!(
            detect_from_head(b"\xFF\xFEi\0", true),
            TextEncoding::Utf16Le
        );
        assert_eq!(
            detect_from_head(b"\xFE\xFF\0i", true),
            TextEncoding::Utf16Be
        );
    }

    #[test]
    fn tells_utf8_from_cp932() {
        assert_eq!(
            detect_from_head("本文".as_bytes(), true),
            TextEncoding::Utf8
        );
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode("本文");
        assert_eq!(detect_from_head(&cp932, true), TextEncoding::Cp932);
    }

    #[test]
    fn cut_character_at_window_end_is_utf8() {
        let bytes = "本文".as_bytes();
        assert_eq!(detect_from_head(&bytes[..4], false), TextEncoding::Utf8);
        let text = "本文,確認\n本文".as_bytes();
        assert_eq!(
            detect_from_head(&text[..text.len() - 1], false),
            TextEncoding::Utf8
        );
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut bytes = "メッセージID,名前,本文\r\n1,試験 太郎,本文です\r\n"
            .repeat(20)
            .into_bytes();
        bytes.insert(30, 0xFF);
        assert_eq!(detect_from_head(&bytes, true), TextEncoding::Utf8);
    }

    #[test]
    fn damaged_cp932_stays_cp932() {
        let text = "1,髙橋 試験,①の件です\r\n".repeat(20);
        let mut bytes = encoding_rs::SHIFT_JIS.encode(&text).0.into_owned();
        bytes.insert(10, 0xFF);
        assert_eq!(detect_from_head(&bytes, true), TextEncoding::Cp932);
    }

    /// Reads the start line of every record of `text` with `record_line`.
    fn record_lines(text: &str) -> Vec<u64> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.csv");
        std::fs::write(&path, text).unwrap();
        let mut reader = csv_reader(&path, TextEncoding::Utf8).unwrap();
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            lines.push(record_line(&mut reader, &record));
        }
        lines
    }

    #[test]
    fn record_lines_count_every_break_style() {
        for (ends, text) in [
            ("CRLF", "h,b\r\na,\"x\r\ny\"\r\nb,c\r\n\r\nd,e\r\n"),
            ("LF", "h,b\na,\"x\ny\"\nb,c\n\nd,e\n"),
            ("CR", "h,b\ra,\"x\ry\"\rb,c\r\rd,e\r"),
        ] {
            assert_eq!(record_lines(text), [1, 2, 4, 6], "{ends}");
        }
    }

    #[test]
    fn record_lines_survive_long_files() {
        let text: String = (0..20_000).map(|n| format!("{n},\"a\nb\"\r\n")).collect();
        let lines = record_lines(&text);
        assert_eq!(lines[0], 1);
        assert_eq!(lines[19_999], 1 + 2 * 19_999);
    }

    proptest::proptest! {
        /// Breaks are found the same however the stream is cut into reads,
        /// a CR at the end of one read and an LF at the start of the next
        /// included.
        #[test]
        fn line_breaks_do_not_depend_on_read_sizes(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'\r', b'\n']), 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let mut whole = LineBreaks::default();
            whole.scan(&bytes);
            let mut pieces = LineBreaks::default();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut start = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                pieces.scan(&bytes[start..cut]);
                start = cut;
            }
            proptest::prop_assert_eq!(&whole.pending, &pieces.pending);
            let expected = bytes.iter().enumerate().filter(|(at, byte)| {
                **byte == b'\r' || (**byte == b'\n' && (*at == 0 || bytes[at - 1] != b'\r'))
            }).count();
            proptest::prop_assert_eq!(whole.pending.len(), expected);
        }
    }

    #[test]
    fn cp932_vendor_characters_decode() {
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode("髙﨑①㈱");
        assert!(!unmappable);
        assert_eq!(
            TextEncoding::Cp932.decode_field(&bytes).as_deref(),
            Some("髙﨑①㈱")
        );
    }
}
