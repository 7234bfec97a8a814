//! Formatting of times, counts, sizes, names and labels for the console.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::i18n::Lang;
use crate::model::{RevisionKind, Role, RoomType};
use crate::query::read::AccountLabel;

/// Settings every screen draws with.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub lang: Lang,
    /// Zone in which times are shown and dates are read.
    pub zone: Tz,
    pub ambiguous: crate::text::width::AmbiguousWidth,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Ja,
            zone: chrono_tz::Asia::Tokyo,
            ambiguous: crate::text::width::AmbiguousWidth::Narrow,
        }
    }
}

/// Writes Unix seconds as `2024-03-05 10:12:33 +09:00` in `zone`.
pub fn time_with_offset(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        None => format!("@{unix}"),
    }
}

/// Writes Unix seconds as `2024-03-05 10:12` in `zone`, for narrow columns.
pub fn short_time(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => format!("@{unix}"),
    }
}

/// Writes Unix seconds as `2024-03-05` in `zone`.
pub fn date(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d").to_string(),
        None => format!("@{unix}"),
    }
}

/// Reads a date the user typed for a date jump: `2024-03-05`,
/// `2024/3/5`, optionally followed by `10:30` or `10:30:15`, in `zone`.
/// Returns Unix seconds, or `None` when the text is no such date.
pub fn parse_date_time(text: &str, zone: Tz) -> Option<i64> {
    let text = text.trim().replace('/', "-");
    let mut parts = text.split_whitespace();
    let date = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
    let time = match parts.next() {
        None => NaiveTime::MIN,
        Some(clock) => NaiveTime::parse_from_str(clock, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M"))
            .ok()?,
    };
    if parts.next().is_some() {
        return None;
    }
    let local = NaiveDateTime::new(date, time);
    // A time skipped by a daylight-saving change has no instant; the
    // earliest instant of an ambiguous time is the first message sent then.
    zone.from_local_datetime(&local)
        .earliest()
        .map(|time| time.timestamp())
}

/// Writes a count with thousands separators.
pub fn count(value: i64) -> String {
    crate::cli::group_digits(value.max(0).unsigned_abs())
}

/// Writes a file size in bytes as `247.6 KB`.
pub fn file_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub fn room_type(room_type: RoomType, lang: Lang) -> &'static str {
    match room_type {
        RoomType::Group => lang.pick("グループ", "group"),
        RoomType::Direct => lang.pick("ダイレクト", "direct"),
        RoomType::My => lang.pick("マイチャット", "my chat"),
        RoomType::Unknown => lang.pick("不明", "unknown"),
    }
}

pub fn role(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Admin => lang.pick("管理者", "admin"),
        Role::Member => lang.pick("メンバー", "member"),
        Role::Readonly => lang.pick("閲覧のみ", "read-only"),
        Role::Unknown => lang.pick("不明", "unknown"),
    }
}

pub fn revision_kind(kind: RevisionKind, lang: Lang) -> &'static str {
    match kind {
        RevisionKind::Edit => lang.pick("編集", "edited"),
        RevisionKind::Delete => lang.pick("削除", "deleted"),
    }
}

/// Returns the name of an account as every screen shows it, safe for the terminal.
pub fn account(label: &AccountLabel, lang: Lang) -> String {
    super::widgets::text::clean(&label.display(lang))
}

/// Returns plain text on one line, for one-row lists: line breaks and
/// runs of white space become one space.
pub fn one_line(plain: &str) -> String {
    let joined = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    super::widgets::text::clean(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_shows_offset() {
        assert_eq!(
            time_with_offset(1_709_600_000, chrono_tz::Asia::Tokyo),
            "2024-03-05 09:53:20 +09:00"
        );
        assert_eq!(
            time_with_offset(1_709_600_000, chrono_tz::UTC),
            "2024-03-05 00:53:20 +00:00"
        );
    }

    #[test]
    fn date_jump_reads_common_forms() {
        let tokyo = chrono_tz::Asia::Tokyo;
        let midnight = parse_date_time("2024-03-05", tokyo).unwrap();
        assert_eq!(
            time_with_offset(midnight, tokyo),
            "2024-03-05 00:00:00 +09:00"
        );
        assert_eq!(parse_date_time("2024/3/5", tokyo), Some(midnight));
        assert_eq!(
            parse_date_time("2024-03-05 10:30", tokyo),
            Some(midnight + 10 * 3600 + 30 * 60)
        );
        assert_eq!(parse_date_time("昨日", tokyo), None);
        assert_eq!(parse_date_time("2024-13-01", tokyo), None);
        assert_eq!(parse_date_time("2024-03-05 10:30 x", tokyo), None);
    }

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(
            one_line("吉田 拓海さん\n  見積もりを\r\n送ります"),
            "吉田 拓海さん 見積もりを 送ります"
        );
        assert_eq!(one_line("a\x1bb"), "a␛b");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(file_size(0), "0 B");
        assert_eq!(file_size(1023), "1023 B");
        assert_eq!(file_size(253_542), "247.6 KB");
        assert_eq!(file_size(5 * 1024 * 1024), "5.0 MB");
    }
}
