//! Parsing of single cell values: IDs, times and account names.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::model::Timestamp;

/// Reason an ID cell was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Missing,
    /// A spreadsheet rewrote the ID as a number (`1.57E+18`, `123.0`):
    /// the digits it dropped cannot be recovered.
    Damaged(String),
    Invalid(String),
}

impl IdError {
    /// Formats the reason for the quarantine, naming the column.
    pub fn reason(&self, column: &str) -> String {
        match self {
            IdError::Missing => format!("{column} is empty"),
            IdError::Damaged(raw) => format!(
                "{column} {raw:?} was rewritten as a number by a spreadsheet and its digits are lost; use the original export file"
            ),
            IdError::Invalid(raw) => format!("{column} {raw:?} is not an ID"),
        }
    }
}

/// Checks an ID cell and returns it trimmed. Chatwork IDs are digits; other
/// non-blank text without white space is accepted as an opaque ID.
pub fn parse_id(raw: &str) -> Result<String, IdError> {
    let mut trimmed = raw.trim().trim_start_matches('\'');
    // `="123"` is how spreadsheets and cwlens's own CSV keep a long ID as text.
    if let Some(inner) = trimmed
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        trimmed = inner;
    }
    if trimmed.is_empty() {
        return Err(IdError::Missing);
    }
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(trimmed.to_string());
    }
    if looks_numeric(trimmed) {
        return Err(IdError::Damaged(trimmed.to_string()));
    }
    if trimmed.chars().any(char::is_whitespace) || trimmed.len() > 64 {
        return Err(IdError::Invalid(trimmed.to_string()));
    }
    Ok(trimmed.to_string())
}

/// True for decimal or exponent forms such as `123.0`, `1.57E+18` or `1,234`.
fn looks_numeric(text: &str) -> bool {
    let mut digits = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' | ',' | 'e' | 'E' | '+' | '-' => {}
            _ => return false,
        }
    }
    digits > 0
}

/// Parses a time cell. A time without an offset is local time in `zone`.
///
/// Accepted: Unix seconds (or milliseconds, 13 digits), ISO 8601 with or
/// without offset, `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD HH:MM[:SS]` and
/// `YYYY年M月D日 H:MM[:SS]`, each optionally with fractional seconds.
pub fn parse_time(raw: &str, zone: Tz) -> Option<Timestamp> {
    let text = raw.trim();
    if text.is_empty() {
        return None;
    }
    let unix = parse_unix(text).or_else(|| parse_calendar(text, zone))?;
    Some(Timestamp {
        unix,
        raw: raw.to_string(),
    })
}

fn parse_unix(text: &str) -> Option<i64> {
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 13 {
        return None;
    }
    let value: i64 = text.parse().ok()?;
    Some(if text.len() == 13 {
        value / 1000
    } else {
        value
    })
}

fn parse_calendar(text: &str, zone: Tz) -> Option<i64> {
    if let Some(naive) = parse_plain_seconds(text) {
        return local_unix(&naive, zone);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.timestamp());
    }
    let unified = unify_separators(text);
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(time) = DateTime::parse_from_str(&unified, format) {
            return Some(time.timestamp());
        }
    }
    if let Some(rest) = unified.strip_suffix('Z') {
        let naive = parse_naive(rest)?;
        return Some(naive.and_utc().timestamp());
    }
    let naive = parse_naive(&unified)?;
    local_unix(&naive, zone)
}

fn local_unix(naive: &NaiveDateTime, zone: Tz) -> Option<i64> {
    zone.from_local_datetime(naive)
        .earliest()
        .map(|time| time.timestamp())
}

/// True when `raw` is exactly `YYYY-MM-DD HH:MM:SS` and is the local time of
/// `unix` in `zone`, so that the text can be written again from the number.
pub fn is_plain_local_time(raw: &str, unix: i64, zone: Tz) -> bool {
    if raw.as_bytes().get(4) != Some(&b'-') {
        return false;
    }
    let Some(naive) = parse_plain_seconds(raw) else {
        return false;
    };
    zone.timestamp_opt(unix, 0)
        .single()
        .is_some_and(|time| time.naive_local() == naive)
}

/// Writes `unix` as `YYYY-MM-DD HH:MM:SS` in `zone`: the text
/// [`is_plain_local_time`] accepts.
pub fn plain_local_time(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => unix.to_string(),
    }
}

/// Reads the form nearly every export uses, `YYYY-MM-DD HH:MM:SS` or
/// `YYYY/MM/DD HH:MM:SS`, without the general parser's format tables, which
/// cost about a tenth of an import. Anything else, including a value the
/// calendar rejects, returns `None` and goes the general way.
fn parse_plain_seconds(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 19 {
        return None;
    }
    let separator = bytes[4];
    if !matches!(separator, b'-' | b'/')
        || bytes[7] != separator
        || bytes[10] != b' '
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes[range].iter().try_fold(0u32, |value, byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)?;
    date.and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
}

/// Rewrites `/`, `T`, `年`, `月`, `日` so that every accepted form reads `Y-M-D H:M[:S]`.
fn unify_separators(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' | '年' | '月' => out.push('-'),
            '日' => {
                if chars.peek().is_some_and(|next| !next.is_whitespace()) {
                    out.push(' ');
                }
            }
            'T' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
        if let Ok(time) = NaiveDateTime::parse_from_str(text, format) {
            return Some(time);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
}

/// Resigned-account markers, written before or after the name.
const RESIGNED_MARKERS: &[&str] = &[
    "【解約済】",
    "【解約済み】",
    "(解約済)",
    "(解約済み)",
    "（解約済）",
    "（解約済み）",
    "(cancelled)",
    "(canceled)",
    "（cancelled）",
];

/// Returns `name` without a resigned marker at its end or, failing that,
/// at its start. Latin letters in a marker match in either case.
fn strip_marker(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    RESIGNED_MARKERS.iter().find_map(|marker| {
        let marker = marker.as_bytes();
        let cut = bytes.len().checked_sub(marker.len())?;
        if bytes[cut..].eq_ignore_ascii_case(marker) {
            return name.get(..cut);
        }
        if bytes[..marker.len()].eq_ignore_ascii_case(marker) {
            return name.get(marker.len()..);
        }
        None
    })
}

/// The name Chatwork shows for users deleted before 2016-03-09.
pub const RESIGNED_PLACEHOLDER: &str = "解約済みユーザー";

/// An account name with any resigned marker split off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedName {
    pub name: String,
    pub resigned: bool,
}

/// Splits a resigned marker off an account name. The bare placeholder
/// `解約済みユーザー` becomes an empty name with the resigned flag.
pub fn parse_name(raw: &str) -> ParsedName {
    let mut name = raw.trim();
    let mut resigned = false;
    if name == RESIGNED_PLACEHOLDER {
        return ParsedName {
            name: String::new(),
            resigned: true,
        };
    }
    while let Some(rest) = strip_marker(name) {
        resigned = true;
        name = rest.trim();
    }
    ParsedName {
        name: name.to_string(),
        resigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokyo_unix(text: &str) -> i64 {
        parse_time(text, chrono_tz::Asia::Tokyo).unwrap().unix
    }

    proptest::proptest! {
        /// The shortcut for `YYYY-MM-DD HH:MM:SS` agrees with the general
        /// parser on every value it accepts, including ones the calendar
        /// rejects (month 13, 30 February, hour 24, second 60).
        #[test]
        fn plain_seconds_agree_with_the_general_parser(
            year in 0u32..10000, month in 0u32..14, day in 0u32..33,
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
            slash in proptest::bool::ANY,
        ) {
            let sep = if slash { '/' } else { '-' };
            let text = format!("{year:04}{sep}{month:02}{sep}{day:02} {hour:02}:{minute:02}:{second:02}");
            let general = parse_naive(&unify_separators(&text));
            match parse_plain_seconds(&text) {
                Some(fast) => proptest::prop_assert_eq!(Some(fast), general, "{}", text),
                None => proptest::prop_assert!(
                    general.is_none() || second == 60,
                    "{} was refused but the general parser reads {:?}", text, general
                ),
            }
        }
    }

    proptest::proptest! {
        /// A time stored only as a number is written back as the same text.
        #[test]
        fn plain_local_times_are_written_back_exactly(
            unix in -2_000_000_000i64..4_000_000_000,
            zone in proptest::sample::select(vec![
                chrono_tz::Asia::Tokyo, chrono_tz::UTC, chrono_tz::America::New_York,
                chrono_tz::Europe::London, chrono_tz::Australia::Lord_Howe,
            ]),
        ) {
            let text = plain_local_time(unix, zone);
            let parsed = parse_time(&text, zone).unwrap();
            if is_plain_local_time(&text, parsed.unix, zone) {
                proptest::prop_assert_eq!(plain_local_time(parsed.unix, zone), text.clone());
            }
            // Outside a daylight-saving overlap the text names one instant.
            if parsed.unix == unix {
                proptest::prop_assert!(is_plain_local_time(&text, unix, zone));
            }
        }
    }

    #[test]
    fn plain_time_needs_form_and_zone() {
        let tokyo = chrono_tz::Asia::Tokyo;
        let unix = tokyo_unix("2024-03-01 09:00:00");
        assert!(is_plain_local_time("2024-03-01 09:00:00", unix, tokyo));
        for other in [
            "2024/03/01 09:00:00",
            " 2024-03-01 09:00:00",
            "2024-03-01T09:00:00",
            "2024-03-01 09:00",
        ] {
            assert!(!is_plain_local_time(other, unix, tokyo), "{other}");
        }
        assert!(!is_plain_local_time(
            "2024-03-01 09:00:00",
            unix,
            chrono_tz::UTC
        ));
    }

    #[test]
    fn plain_seconds_reject_other_forms() {
        for text in [
            "2024-3-01 09:00:00",
            "2024-03-01T09:00:00",
            "2024-03-01 09:00:00Z",
            "２０２４-03-01 09:00:00",
        ] {
            assert_eq!(parse_plain_seconds(text), None, "{text}");
        }
        assert_eq!(
            tokyo_unix("2024/03/01 09:00:00"),
            tokyo_unix("2024-03-01 09:00:00")
        );
    }

    #[test]
    fn every_time_form_gives_the_same_instant() {
        let expected = 1_680_307_200; // 2023-04-01 09:00:00 +09:00
        for text in [
            "1680307200",
            "1680307200000",
            "2023-04-01T09:00:00+09:00",
            "2023-04-01T00:00:00Z",
            "2023-04-01T09:00:00",
            "2023-04-01 09:00:00",
            "2023-04-01 09:00",
            "2023/04/01 09:00:00",
            "2023/4/1 9:00",
            "2023年4月1日 9:00",
            "2023年4月1日 9:00:00",
            "2023-04-01 09:00:00.000",
            "2023-04-01 09:00:00+09:00",
        ] {
            assert_eq!(tokyo_unix(text), expected, "{text}");
        }
    }

    #[test]
    fn zone_applies_to_times_without_offset() {
        let utc = parse_time("2023-04-01 09:00:00", chrono_tz::UTC).unwrap();
        assert_eq!(utc.unix, 1_680_339_600);
    }

    #[test]
    fn raw_time_text_is_kept() {
        assert_eq!(
            parse_time(" 2023/4/1 9:00 ", chrono_tz::Asia::Tokyo)
                .unwrap()
                .raw,
            " 2023/4/1 9:00 "
        );
    }

    #[test]
    fn bad_times_are_rejected() {
        for text in ["", "昨日", "2023-13-01 09:00", "12:00"] {
            assert!(parse_time(text, chrono_tz::Asia::Tokyo).is_none(), "{text}");
        }
    }

    #[test]
    fn nineteen_digit_ids_stay_exact() {
        assert_eq!(
            parse_id("1570000000000000123").unwrap(),
            "1570000000000000123"
        );
    }

    #[test]
    fn text_forced_ids_are_unwrapped() {
        assert_eq!(
            parse_id("=\"1702270965204723950\"").unwrap(),
            "1702270965204723950"
        );
    }

    #[test]
    fn spreadsheet_damaged_ids_are_flagged() {
        assert!(matches!(parse_id("1.57E+18"), Err(IdError::Damaged(_))));
        assert!(matches!(parse_id("123.0"), Err(IdError::Damaged(_))));
        assert_eq!(parse_id(" "), Err(IdError::Missing));
    }

    #[test]
    fn resigned_markers_are_stripped() {
        for raw in [
            "見本 次郎(解約済)",
            "見本 次郎【解約済】",
            "見本 次郎（解約済）",
            "見本 次郎 (Cancelled)",
            "【解約済】見本 次郎",
            "(CANCELED) 見本 次郎",
            "見本 次郎（Cancelled）(解約済)",
        ] {
            assert_eq!(
                parse_name(raw),
                ParsedName {
                    name: "見本 次郎".into(),
                    resigned: true
                },
                "{raw}"
            );
        }
        assert_eq!(
            parse_name("試験 太郎"),
            ParsedName {
                name: "試験 太郎".into(),
                resigned: false
            }
        );
        assert_eq!(
            parse_name("解約済みユーザー"),
            ParsedName {
                name: String::new(),
                resigned: true
            }
        );
    }
}
