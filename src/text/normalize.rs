//! The one text normalization used for indexing, querying and the
//! brute-force check of search results.
//!
//! Steps, in order, applied to each extended grapheme cluster on its own:
//! Unicode NFKC; lower case (with `İ` lowered to plain `i`); katakana
//! U+30A1–U+30F6 to hiragana U+3041–U+3096 (optional); the wave dash
//! U+301C, and `~` (what NFKC makes of the full-width tilde U+FF5E), to `~`;
//! variant kanji of names to their everyday form (`髙` to `高`).
//! Working per grapheme cluster keeps every output character traceable to
//! the original characters it came from, so highlights land on the
//! original text. Half-width kana with sound marks (`ﾊﾞ`) form one cluster,
//! so they still compose to `ば`.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Normalization settings for one search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Fold katakana to hiragana, so that `バカ` and `ばか` are equal.
    pub fold_kana: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { fold_kana: true }
    }
}

/// Normalizes `text` for search with the default options.
pub fn normalize(text: &str) -> String {
    normalize_with(text, Options::default())
}

/// Normalizes `text` for search.
pub fn normalize_with(text: &str, options: Options) -> String {
    let mut out = String::with_capacity(text.len());
    let mut scratch = String::new();
    for_each_cluster(
        text,
        options,
        &mut scratch,
        |_, _, normalized| match normalized {
            Piece::Char(c) => out.push(c),
            Piece::Text(text) => out.push_str(text),
        },
    );
    out
}

/// The normalized form of one cluster: a simple character folds to one
/// character, which is pushed without copying through a string.
enum Piece<'a> {
    Char(char),
    Text(&'a str),
}

/// True for characters that NFKC leaves alone and that never join a
/// grapheme cluster with their neighbours: printable ASCII, tab, line feed,
/// hiragana, katakana, the prolonged sound mark, common CJK punctuation and
/// the CJK Unified Ideographs block. Most Japanese chat text is made of
/// these, so they skip grapheme segmentation and NFKC.
fn is_simple(c: char) -> bool {
    matches!(c,
        ' '..='~' | '\t' | '\n'
        | '\u{3001}' | '\u{3002}' | '\u{3005}' | '\u{300C}'..='\u{300F}'
        | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}'
        | '\u{4E00}'..='\u{9FFF}')
}

/// Calls `visit(offset, cluster_len, normalized)` for each grapheme
/// cluster of `text` in order. A simple character followed by another
/// simple character (or the end) is a cluster of its own and is folded
/// without NFKC, which gives the same result as the general path.
fn for_each_cluster(
    text: &str,
    options: Options,
    scratch: &mut String,
    mut visit: impl FnMut(usize, usize, Piece<'_>),
) {
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let next_is_simple = chars.peek().is_none_or(|&(_, next)| is_simple(next));
        if is_simple(c) && next_is_simple {
            visit(
                offset,
                c.len_utf8(),
                Piece::Char(fold_char(c.to_ascii_lowercase(), options)),
            );
            continue;
        }
        let rest = &text[offset..];
        let cluster = rest.graphemes(true).next().unwrap_or(rest);
        normalize_cluster(cluster, options, scratch);
        visit(offset, cluster.len(), Piece::Text(scratch));
        let end = offset + cluster.len();
        while chars.next_if(|&(next, _)| next < end).is_some() {}
    }
}

/// Normalized text with a map back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// For each byte of `text` that starts a character, keyed by that byte
    /// offset in order: the byte range in the original text it came from.
    spans: Vec<(usize, std::ops::Range<usize>)>,
}

impl Mapped {
    /// Maps a byte range of the normalized text to the smallest byte range
    /// of the original text that covers it. Always returns char boundaries.
    pub fn original_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let first = self
            .spans
            .partition_point(|(offset, _)| *offset < range.start);
        let last = self
            .spans
            .partition_point(|(offset, _)| *offset < range.end);
        if first >= self.spans.len() || first >= last {
            let end = self.spans.last().map_or(0, |(_, span)| span.end);
            return end..end;
        }
        self.spans[first].1.start..self.spans[last - 1].1.end
    }
}

/// Normalizes `text` and records which original characters each output character came from.
pub fn normalize_mapped(text: &str, options: Options) -> Mapped {
    let mut out = String::with_capacity(text.len());
    let mut spans = Vec::with_capacity(text.len());
    let mut scratch = String::new();
    for_each_cluster(text, options, &mut scratch, |offset, length, normalized| {
        let source = offset..offset + length;
        match normalized {
            Piece::Char(c) => {
                spans.push((out.len(), source));
                out.push(c);
            }
            Piece::Text(text) => {
                for (index, _) in text.char_indices() {
                    spans.push((out.len() + index, source.clone()));
                }
                out.push_str(text);
            }
        }
    });
    Mapped { text: out, spans }
}

fn normalize_cluster(cluster: &str, options: Options, out: &mut String) {
    out.clear();
    for c in cluster.nfkc() {
        if c == '\u{130}' {
            // `İ` lowers to `i` plus a combining dot, which would hide it from a search for `i`.
            out.push('i');
            continue;
        }
        for lower in c.to_lowercase() {
            out.push(fold_char(lower, options));
        }
    }
}

fn fold_char(c: char, options: Options) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' if options.fold_kana => {
            char::from_u32(c as u32 - 0x60).unwrap_or(c)
        }
        '\u{301C}' | '~' => '~',
        '\u{5000}'.. => fold_variant(c),
        _ => c,
    }
}

/// Folds the variant forms of kanji common in Japanese names (異体字) to
/// their everyday form, so that `高橋` also finds `髙橋` and `渡辺` finds
/// `渡邊`. NFKC leaves these alone: most are characters of their own, not
/// compatibility forms. Different names (`斉藤` and `斎藤`) stay apart.
fn fold_variant(c: char) -> char {
    match c {
        '髙' => '高',
        '﨑' | '嵜' | '碕' => '崎',
        '邊' | '邉' => '辺',
        '齋' => '斎',
        '齊' => '斉',
        '濱' => '浜',
        '澤' => '沢',
        '嶋' | '嶌' => '島',
        '𠮷' => '吉',
        '德' => '徳',
        '廣' => '広',
        '國' => '国',
        '櫻' => '桜',
        '瀨' => '瀬',
        '槇' => '槙',
        '冨' => '富',
        '惠' => '恵',
        '榮' => '栄',
        '舘' => '館',
        '峯' => '峰',
        '眞' => '真',
        '實' => '実',
        '淺' => '浅',
        '曾' => '曽',
        '增' => '増',
        '龍' => '竜',
        _ => c,
    }
}

/// Folds a CSV header or an enumerated value for lenient matching: NFKC,
/// lower case, with white space, `_`, `-`, `.` and a leading BOM removed.
pub fn fold_header(raw: &str) -> String {
    raw.trim_start_matches('\u{FEFF}')
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_and_kana_fold() {
        assert_eq!(normalize("ｻｰﾊﾞｰ障害"), "さーばー障害");
        assert_eq!(normalize("ＶＰＮ接続"), "vpn接続");
        assert_eq!(normalize("第２会議室"), "第2会議室");
    }

    #[test]
    fn wave_dash_and_tilde_unify() {
        assert_eq!(normalize("１０〜１２時"), "10~12時");
        assert_eq!(normalize("10～12"), "10~12");
    }

    #[test]
    fn decomposed_kana_composes() {
        assert_eq!(normalize("カ\u{3099}イト\u{3099}"), normalize("ガイド"));
    }

    #[test]
    fn dotted_capital_i_lowers_to_i() {
        assert_eq!(normalize("İstanbul出張"), "istanbul出張");
    }

    #[test]
    fn name_variants_fold() {
        assert_eq!(normalize("髙橋 真理子"), normalize("高橋 真理子"));
        assert_eq!(normalize("山﨑"), "山崎");
        assert_eq!(normalize("渡邊"), "渡辺");
        assert_eq!(normalize("𠮷田"), "吉田");
        assert_ne!(normalize("斉藤"), normalize("斎藤"));
        assert_eq!(normalize("齋藤"), normalize("斎藤"));
    }

    #[test]
    fn kana_fold_can_be_off() {
        let options = Options { fold_kana: false };
        assert_eq!(normalize_with("バカ", options), "バカ");
    }

    #[test]
    fn mapped_range_points_at_original() {
        let original = "ＡＢＣ商事";
        let mapped = normalize_mapped(original, Options::default());
        let start = mapped.text.find("abc").unwrap();
        let range = mapped.original_range(start..start + 3);
        assert_eq!(&original[range], "ＡＢＣ");
    }

    #[test]
    fn mapped_range_covers_half_width_cluster() {
        let original = "ｻｰﾊﾞｰ障害";
        let mapped = normalize_mapped(original, Options::default());
        let start = mapped.text.find("ば").unwrap();
        let range = mapped.original_range(start..start + "ば".len());
        assert_eq!(&original[range], "ﾊﾞ");
    }

    /// The general path alone: every cluster through NFKC.
    fn normalize_slowly(text: &str, options: Options) -> String {
        let mut out = String::new();
        let mut scratch = String::new();
        for cluster in text.graphemes(true) {
            normalize_cluster(cluster, options, &mut scratch);
            out.push_str(&scratch);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn fast_path_equals_general_path(text in "[a-zA-Z0-9 ~\t\r\n、。あ-んア-ヺー亜-熙ｱ-ﾝﾞﾟ\u{3099}\u{309A}\u{301C}\u{FF5E}İＡ-Ｚ０-９①👩\u{200D}💻🇯🇵e\u{0301}]{0,40}") {
            for fold_kana in [true, false] {
                let options = Options { fold_kana };
                proptest::prop_assert_eq!(normalize_with(&text, options), normalize_slowly(&text, options));
                proptest::prop_assert_eq!(normalize_mapped(&text, options).text, normalize_slowly(&text, options));
            }
        }
    }

    #[test]
    fn header_fold_ignores_case_width_and_separators() {
        assert_eq!(fold_header("\u{FEFF}Account_ID"), "accountid");
        assert_eq!(fold_header("ａｃｃｏｕｎｔ ｉｄ"), "accountid");
        assert_eq!(fold_header("メッセージID"), "メッセージid");
    }
}
