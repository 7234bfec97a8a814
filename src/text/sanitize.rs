//! Terminal-safe display of text that comes from an export.
//!
//! Message bodies, names and room names are untrusted: an escape sequence
//! in them could clear the screen, move the cursor, set the window title or
//! write the clipboard (OSC 52), and a bidi control could reorder what the
//! investigator reads. ratatui draws text as given, so everything printed to
//! a terminal from export data goes through [`for_terminal`] first.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Replaces control characters with visible placeholders.
///
/// - C0 controls U+0000–U+001F become the matching control picture
///   U+2400–U+241F, so ESC shows as `␛`, CR as `␍` and TAB as `␉`. A tab is
///   not expanded to spaces, because the column it starts at is unknown
///   here and a visible `␉` keeps the text one-to-one with the evidence.
/// - With `keep_newlines`, LF stays a line break and a CR directly before an
///   LF is dropped: the pair only ends the line, so it cannot overwrite
///   text. Without it, LF shows as `␊`.
/// - DEL becomes `␡`.
/// - C1 controls U+0080–U+009F and the bidi controls U+061C, U+200E,
///   U+200F, U+202A–U+202E and U+2066–U+2069 become a code such as
///   `<U+009B>`, since they have no control picture.
///
/// Returns the input borrowed when it contains none of these.
pub fn for_terminal(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let Some(first) = text
        .char_indices()
        .find(|&(_, c)| needs_replacement(c, keep_newlines))
        .map(|(index, _)| index)
    else {
        return Cow::Borrowed(text);
    };

    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut chars = text[first..].chars().peekable();
    while let Some(c) = chars.next() {
        if !needs_replacement(c, keep_newlines) {
            out.push(c);
        } else if c == '\r' && keep_newlines && chars.peek() == Some(&'\n') {
            // Dropped: the LF that follows ends the line.
        } else {
            push_placeholder(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Returns true for a bidi control: the embeddings, overrides and isolates
/// and the three directional marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

fn needs_replacement(c: char, keep_newlines: bool) -> bool {
    if c == '\n' {
        return !keep_newlines;
    }
    c.is_control() || is_bidi_control(c)
}

fn push_placeholder(out: &mut String, c: char) {
    match c {
        '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
        '\u{7F}' => out.push('\u{2421}'),
        _ => {
            // Writing to a String cannot fail.
            let _ = write!(out, "<U+{:04X}>", c as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_terminal_safe(output: &str, keep_newlines: bool) {
        assert!(!output.as_bytes().contains(&0x1B), "ESC byte in {output:?}");
        for c in output.chars() {
            assert!(
                !('\u{80}'..='\u{9F}').contains(&c),
                "C1 control {c:?} in {output:?}"
            );
            assert!(!is_bidi_control(c), "bidi control {c:?} in {output:?}");
            if c.is_control() {
                assert_eq!(c, '\n', "control in {output:?}");
                assert!(keep_newlines, "line break in {output:?}");
            }
        }
    }

    #[test]
    fn plain_japanese_is_borrowed() {
        let text = "確認しました。\n明日の定例で共有します";
        assert!(matches!(for_terminal(text, true), Cow::Borrowed(_)));
        assert!(matches!(
            for_terminal("了解👩‍💻です", false),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn screen_clear_and_colour_escapes_are_visible() {
        let body = "確認済み\x1b[2J\x1b[H\x1b[31m【重要】再ログインしてください\x1b[0m";
        assert_eq!(
            for_terminal(body, true),
            "確認済み␛[2J␛[H␛[31m【重要】再ログインしてください␛[0m"
        );
    }

    #[test]
    fn title_escape_in_name_is_visible() {
        assert_eq!(
            for_terminal("試験\x1b]0;PWNED\x07太郎", false),
            "試験␛]0;PWNED␇太郎"
        );
    }

    #[test]
    fn clipboard_escape_is_visible() {
        assert_eq!(
            for_terminal("\x1b]52;c;ZXZpbA==\x07", true),
            "␛]52;c;ZXZpbA==␇"
        );
    }

    #[test]
    fn c1_csi_becomes_code() {
        assert_eq!(for_terminal("\u{9b}31m", true), "<U+009B>31m");
        assert_eq!(for_terminal("a\u{85}b", true), "a<U+0085>b");
    }

    #[test]
    fn lone_carriage_return_is_visible() {
        assert_eq!(
            for_terminal("承認しました\r却下", true),
            "承認しました␍却下"
        );
        assert_eq!(
            for_terminal("承認しました\r却下", false),
            "承認しました␍却下"
        );
    }

    #[test]
    fn bidi_override_becomes_code() {
        assert_eq!(for_terminal("\u{202E}abc", true), "<U+202E>abc");
        assert_eq!(
            for_terminal("a\u{2066}b\u{2069}\u{200F}\u{61C}", true),
            "a<U+2066>b<U+2069><U+200F><U+061C>"
        );
    }

    #[test]
    fn newlines_follow_setting() {
        assert_eq!(for_terminal("1行目\n2行目", true), "1行目\n2行目");
        assert_eq!(for_terminal("1行目\n2行目", false), "1行目␊2行目");
    }

    #[test]
    fn crlf_becomes_lf_when_keeping_newlines() {
        assert_eq!(for_terminal("1行目\r\n2行目\r\n", true), "1行目\n2行目\n");
        assert_eq!(for_terminal("1行目\r\n2行目", false), "1行目␍␊2行目");
        assert_eq!(for_terminal("a\r\r\nb", true), "a␍\nb");
    }

    #[test]
    fn tab_nul_and_del_become_pictures() {
        assert_eq!(for_terminal("氏名\t部署", true), "氏名␉部署");
        assert_eq!(for_terminal("a\0b\x7fc", true), "a␀b␡c");
        assert_eq!(for_terminal("\x1f", true), "␟");
    }

    #[test]
    fn b16_inputs_are_terminal_safe() {
        let inputs = [
            "確認済み\x1b[2J\x1b[H\x1b[31m【重要】再ログインしてください\x1b[0m",
            "試験\x1b]0;PWNED\x07太郎",
            "\x1b]52;c;ZXZpbA==\x07",
            "\u{009b}31m",
            "承認しました\r却下",
            "\u{202E}abc",
        ];
        for input in inputs {
            assert_terminal_safe(&for_terminal(input, true), true);
            assert_terminal_safe(&for_terminal(input, false), false);
        }
    }

    proptest! {
        #[test]
        fn output_is_terminal_safe(text in any::<String>(), keep_newlines in any::<bool>()) {
            let output = for_terminal(&text, keep_newlines);
            assert_terminal_safe(&output, keep_newlines);
        }

        #[test]
        fn control_heavy_output_is_terminal_safe(
            text in "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a日]{0,40}",
            keep_newlines in any::<bool>(),
        ) {
            let output = for_terminal(&text, keep_newlines);
            assert_terminal_safe(&output, keep_newlines);
        }

        #[test]
        fn safe_text_is_unchanged(text in "[a-zA-Z0-9 あ-ん漢字①※👩‍💻]{0,40}") {
            let output = for_terminal(&text, false);
            prop_assert!(matches!(output, Cow::Borrowed(_)));
            prop_assert_eq!(output.as_ref(), text.as_str());
        }
    }
}
