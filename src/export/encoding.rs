//! Character encodings of CSV exports: UTF-8 with or without a byte order
//! mark, and Windows-31J (CP932) for older Japanese Excel.
//!
//! CP932 output goes through `encoding_rs`, whose Shift_JIS encoder is the
//! WHATWG one and therefore covers the NEC and IBM extensions that only
//! CP932 has (①, ㈱, 髙, 﨑). That encoder follows the Windows mapping, so
//! a few JIS-style characters (〜 U+301C, ‖, ¢, £, ¬, —, ¦) are first
//! folded to the Windows character of the same byte pair: both 〜 (U+301C)
//! and ～ (U+FF5E) become 0x8160, which reads back as ～.
//! A character that CP932 cannot hold at all (emoji, 𠮷, ¾) is written as
//! the visible text `[U+XXXX]` with its code point, and the message that
//! contained it is recorded; nothing is replaced silently.

use encoding_rs::{EncoderResult, SHIFT_JIS};
use serde::{Deserialize, Serialize};

/// The byte order mark of UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Character encoding of a CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum TextEncoding {
    /// UTF-8 starting with a byte order mark, which Excel needs to read UTF-8.
    #[default]
    #[value(name = "utf8-bom")]
    #[serde(rename = "utf8-bom")]
    Utf8Bom,
    /// UTF-8 without a byte order mark, for programs.
    #[value(name = "utf8")]
    #[serde(rename = "utf8")]
    Utf8,
    /// Windows-31J (CP932, Microsoft's Shift_JIS) with visible replacements.
    #[value(name = "cp932")]
    #[serde(rename = "cp932")]
    Cp932,
}

impl TextEncoding {
    /// The name used on the command line and in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8Bom => "utf8-bom",
            TextEncoding::Utf8 => "utf8",
            TextEncoding::Cp932 => "cp932",
        }
    }

    /// Bytes that open a file in this encoding.
    pub fn preamble(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf8Bom => UTF8_BOM,
            TextEncoding::Utf8 | TextEncoding::Cp932 => b"",
        }
    }
}

/// Formats the visible replacement of a character that CP932 cannot hold.
pub fn replacement_text(c: char) -> String {
    format!("[U+{:04X}]", c as u32)
}

/// Maps a JIS-style character to the Windows character that shares its
/// CP932 byte pair. Windows (and `encoding_rs`, which follows it) map
/// 0x8160 to ～ U+FF5E, while Mac and JIS-based converters produce 〜 U+301C
/// for the same character, so text from either side must end up at 0x8160.
fn jis_to_windows_variant(c: char) -> char {
    match c {
        '\u{301C}' => '\u{FF5E}', // 〜 WAVE DASH → ～ FULLWIDTH TILDE, 0x8160
        '\u{2016}' => '\u{2225}', // ‖ DOUBLE VERTICAL LINE → ∥ PARALLEL TO, 0x8161
        '\u{00A2}' => '\u{FFE0}', // ¢ → ￠, 0x8191
        '\u{00A3}' => '\u{FFE1}', // £ → ￡, 0x8192
        '\u{00AC}' => '\u{FFE2}', // ¬ → ￢, 0x81CA
        '\u{2014}' => '\u{2015}', // — EM DASH → ― HORIZONTAL BAR, 0x815C
        '\u{00A6}' => '\u{FFE4}', // ¦ → ￤, 0xFA55
        other => other,
    }
}

/// Encodes text into one encoding and collects what CP932 could not hold.
pub struct Encoder {
    encoding: TextEncoding,
    inner: encoding_rs::Encoder,
}

impl Encoder {
    pub fn new(encoding: TextEncoding) -> Encoder {
        Encoder {
            encoding,
            inner: SHIFT_JIS.new_encoder(),
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Appends `text` in the target encoding to `out` and pushes each
    /// character that had to be replaced onto `replaced`.
    pub fn encode(&mut self, text: &str, out: &mut Vec<u8>, replaced: &mut Vec<char>) {
        match self.encoding {
            TextEncoding::Utf8Bom | TextEncoding::Utf8 => out.extend_from_slice(text.as_bytes()),
            TextEncoding::Cp932 => self.encode_cp932(text, out, replaced),
        }
    }

    fn encode_cp932(&mut self, text: &str, out: &mut Vec<u8>, replaced: &mut Vec<char>) {
        let folded: String;
        let mut rest = if text.chars().any(|c| jis_to_windows_variant(c) != c) {
            folded = text.chars().map(jis_to_windows_variant).collect();
            folded.as_str()
        } else {
            text
        };
        loop {
            let needed = self
                .inner
                .max_buffer_length_from_utf8_without_replacement(rest.len())
                .unwrap_or(rest.len() * 2 + 16);
            let start = out.len();
            out.resize(start + needed, 0);
            let (result, read, written) =
                self.inner
                    .encode_from_utf8_without_replacement(rest, &mut out[start..], true);
            out.truncate(start + written);
            rest = &rest[read..];
            match result {
                EncoderResult::InputEmpty => break,
                EncoderResult::OutputFull => continue,
                EncoderResult::Unmappable(c) => {
                    replaced.push(c);
                    out.extend_from_slice(replacement_text(c).as_bytes());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp932(text: &str) -> (Vec<u8>, Vec<char>) {
        let mut encoder = Encoder::new(TextEncoding::Cp932);
        let mut out = Vec::new();
        let mut replaced = Vec::new();
        encoder.encode(text, &mut out, &mut replaced);
        (out, replaced)
    }

    #[test]
    fn cp932_vendor_characters_survive() {
        for (text, bytes) in [
            ("①", &[0x87, 0x40][..]),
            ("㈱", &[0x87, 0x8A][..]),
            ("髙", &[0xFB, 0xFC][..]),
            ("﨑", &[0xFA, 0xB1][..]),
            ("あ", &[0x82, 0xA0][..]),
        ] {
            let (out, replaced) = cp932(text);
            assert_eq!(out, bytes, "{text}");
            assert!(replaced.is_empty(), "{text}");
        }
    }

    #[test]
    fn cp932_both_wave_dashes_are_8160() {
        assert_eq!(cp932("\u{301C}").0, [0x81, 0x60]);
        assert_eq!(cp932("\u{FF5E}").0, [0x81, 0x60]);
    }

    #[test]
    fn cp932_jis_variants_share_windows_byte_pairs() {
        for (jis, windows, bytes) in [
            ('\u{2016}', '\u{2225}', [0x81, 0x61]),
            ('\u{2212}', '\u{FF0D}', [0x81, 0x7C]),
            ('\u{00A2}', '\u{FFE0}', [0x81, 0x91]),
            ('\u{00A3}', '\u{FFE1}', [0x81, 0x92]),
            ('\u{00AC}', '\u{FFE2}', [0x81, 0xCA]),
            ('\u{2014}', '\u{2015}', [0x81, 0x5C]),
            ('\u{00A6}', '\u{FFE4}', [0xFA, 0x55]),
        ] {
            for c in [jis, windows] {
                let (out, replaced) = cp932(&c.to_string());
                assert_eq!(out, bytes, "U+{:04X}", c as u32);
                assert!(replaced.is_empty(), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn cp932_unmappable_becomes_code_point_text() {
        let (out, replaced) = cp932("¾ 𠮷田 🙇");
        let (decoded, _, had_errors) = SHIFT_JIS.decode(&out);
        assert!(!had_errors);
        assert_eq!(decoded, "[U+00BE] [U+20BB7]田 [U+1F647]");
        assert_eq!(replaced, vec!['¾', '𠮷', '🙇']);
    }

    #[test]
    fn cp932_output_decodes_back() {
        let text = "お疲れ様です。①の件、髙橋さんへ🙏";
        let (out, replaced) = cp932(text);
        let (decoded, _, had_errors) = SHIFT_JIS.decode(&out);
        assert!(!had_errors);
        assert_eq!(decoded, "お疲れ様です。①の件、髙橋さんへ[U+1F64F]");
        assert_eq!(replaced, vec!['🙏']);
    }

    #[test]
    fn utf8_is_unchanged() {
        let mut encoder = Encoder::new(TextEncoding::Utf8Bom);
        let mut out = Vec::new();
        let mut replaced = Vec::new();
        encoder.encode("𠮷🙇¾～", &mut out, &mut replaced);
        assert_eq!(out, "𠮷🙇¾～".as_bytes());
        assert!(replaced.is_empty());
    }
}
