//! Times as exports write them: converted from UTC to the export's zone at
//! the edge, with the offset spelled out.

use chrono::{Datelike, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// Formats Unix seconds as ISO 8601 with the zone's offset, for example
/// `2024-01-09T08:45:00+09:00`. A time outside chrono's range is written
/// as its Unix seconds.
pub fn iso(unix: i64, zone: Tz) -> String {
    // Written field by field, because parsing a format string for every
    // cell showed up in profiles of million-row exports.
    let Some(time) = zone.timestamp_opt(unix, 0).single() else {
        return unix.to_string();
    };
    let offset = time.offset().fix().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let offset = offset.unsigned_abs();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
        offset / 3600,
        offset / 60 % 60
    )
}

/// Formats Unix seconds as `2024-01-09 08:45` in the zone, for labels
/// inside message text.
pub fn local_minutes(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => unix.to_string(),
    }
}

/// Formats Unix seconds as `2024-01-09` in the zone, for task deadlines
/// that carry a date only.
pub fn local_date(unix: i64, zone: Tz) -> String {
    match zone.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%Y-%m-%d").to_string(),
        None => unix.to_string(),
    }
}

/// Formats a task deadline: a date when the task's limit type is `date`,
/// otherwise date and time.
pub fn deadline(unix: i64, limit_type: Option<&str>, zone: Tz) -> String {
    if limit_type.is_some_and(|kind| kind.eq_ignore_ascii_case("date")) {
        local_date(unix, zone)
    } else {
        local_minutes(unix, zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_has_offset_of_zone() {
        assert_eq!(
            iso(1_704_757_500, chrono_tz::Asia::Tokyo),
            "2024-01-09T08:45:00+09:00"
        );
        assert_eq!(
            iso(1_704_757_500, chrono_tz::UTC),
            "2024-01-08T23:45:00+00:00"
        );
    }

    #[test]
    fn iso_has_negative_and_partial_hour_offsets() {
        assert_eq!(
            iso(1_704_757_500, chrono_tz::America::New_York),
            "2024-01-08T18:45:00-05:00"
        );
        assert_eq!(
            iso(1_704_757_500, chrono_tz::Asia::Kolkata),
            "2024-01-09T05:15:00+05:30"
        );
    }

    #[test]
    fn out_of_range_time_is_unix_seconds() {
        assert_eq!(iso(i64::MAX, chrono_tz::UTC), i64::MAX.to_string());
    }
}
