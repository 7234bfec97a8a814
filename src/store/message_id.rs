//! Storage class of `messages.message_id`.
//!
//! Chatwork message IDs are decimal numbers of up to 19 digits. Stored as
//! an SQLite INTEGER such an ID takes at most 8 bytes of the record instead
//! of one byte per digit, in the table and again in the unique index on
//! `(room_key, message_id)`. The column has no type affinity, so SQLite keeps
//! each value in the storage class it was bound with and never converts it.
//! Selects read the column as `CAST(message_id AS TEXT)`, which gives back
//! the exact text of the export for both storage classes.

use rusqlite::types::{ToSqlOutput, Value, ValueRef};

/// Converts a message ID to the value that is stored and looked up in
/// `messages.message_id`. Every statement that binds a message ID to that
/// column must bind it through this function, because the integer 7 and
/// the text `'7'` are different values to SQLite.
///
/// An ID that is the canonical decimal form of an `i64` (no sign other than
/// a leading `-`, no leading zeros, no white space, `-0` excluded) becomes
/// an INTEGER, and `CAST(… AS TEXT)` turns it back into the same text. Any
/// other ID, such as `007`, `+7`, `12a`, an empty string or a number above
/// `i64::MAX`, stays TEXT. Migration 8 applies the same rule in SQL to the
/// rows it converts.
pub fn message_id_to_sql(id: &str) -> ToSqlOutput<'_> {
    match id.parse::<i64>() {
        Ok(number) if number.to_string() == id => ToSqlOutput::Owned(Value::Integer(number)),
        _ => ToSqlOutput::Borrowed(ValueRef::Text(id.as_bytes())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_integer(id: &str) -> bool {
        matches!(message_id_to_sql(id), ToSqlOutput::Owned(Value::Integer(_)))
    }

    #[test]
    fn canonical_decimals_become_integers() {
        for id in [
            "0",
            "7",
            "-5",
            "1570000000000000001",
            "9223372036854775807",
            "-9223372036854775808",
        ] {
            assert!(is_integer(id), "{id:?} should be stored as an integer");
        }
    }

    #[test]
    fn other_ids_stay_text() {
        for id in [
            "",
            "007",
            "00",
            "-0",
            "+7",
            " 7",
            "7 ",
            "12a",
            "1e3",
            "12.0",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "１２",
        ] {
            assert!(!is_integer(id), "{id:?} should be stored as text");
            assert!(
                matches!(message_id_to_sql(id), ToSqlOutput::Borrowed(ValueRef::Text(text)) if text == id.as_bytes()),
                "{id:?} is bound unchanged"
            );
        }
    }
}
