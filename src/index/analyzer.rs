//! The character n-gram tokenizer of the full-text index.
//!
//! Text reaches it already normalized (see `text::normalize`), so it only
//! cuts: `CharBigrams` emits every pair of neighbouring characters at the
//! position of its first character, then the last character of the text on
//! its own. Every character therefore begins at least one term, and the
//! terms that begin with a character `c` are exactly the documents holding
//! `c`: a one-character query is a prefix range over the same field, and no
//! separate unigram field is needed. Nothing is dropped or folded here:
//! kanji, kana, Latin, digits, symbols, emoji and white space all become
//! terms, which is what makes every substring findable.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which `CharBigrams` is registered.
pub const BIGRAM: &str = "cw_bigram";

/// Emits each pair of neighbouring characters as a token, and the last
/// character alone.
///
/// Every pair claims two positions (`position_length` 2), so tantivy
/// leaves a gap of at least three positions between two values of one
/// field. A phrase of bigrams whose offsets differ by at most two can then
/// never match across the end of one version and the start of the next.
/// The closing one-character token never takes part in a phrase: phrases
/// are built from two-character terms only.
#[derive(Debug, Clone, Default)]
pub struct CharBigrams;

pub struct BigramStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to start a token at.
    cursor: usize,
    position: usize,
    token: Token,
}

impl TokenStream for BigramStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.cursor..];
        let mut chars = rest.char_indices();
        let Some((_, first)) = chars.next() else {
            return false;
        };
        let (end, width) = match chars.next() {
            Some((offset, second)) => (offset + second.len_utf8(), 2),
            None => (first.len_utf8(), 1),
        };
        self.token.offset_from = self.cursor;
        self.token.offset_to = self.cursor + end;
        self.token.position = self.position;
        self.token.position_length = width;
        self.token.text.clear();
        self.token.text.push_str(&rest[..end]);
        self.cursor += first.len_utf8();
        self.position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for CharBigrams {
    type TokenStream<'a> = BigramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream<'a> {
        BigramStream {
            text,
            cursor: 0,
            position: 0,
            token: Token::default(),
        }
    }
}

/// Returns the smallest and largest term that begin with `c`, inclusive. Every term
/// is one or two characters, so `c` followed by the last code point bounds
/// them from above in byte order.
pub fn prefix_bounds(c: char) -> (String, String) {
    (c.to_string(), format!("{c}{}", char::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize)> {
        let mut tokenizer = CharBigrams;
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            out.push((token.text.clone(), token.position, token.position_length));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|(t, _, _)| t).collect()
    }

    #[test]
    fn bigrams_of_japanese_keep_every_character() {
        let text = crate::text::normalize::normalize("見積書を確認");
        assert_eq!(texts(&text), ["見積", "積書", "書を", "を確", "確認", "認"]);
    }

    #[test]
    fn emoji_and_space_are_terms() {
        assert_eq!(texts("a 🙏"), ["a ", " 🙏", "🙏"]);
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(
            tokens("abc"),
            [
                ("ab".to_string(), 0, 2),
                ("bc".to_string(), 1, 2),
                ("c".to_string(), 2, 1)
            ]
        );
    }

    #[test]
    fn single_character_is_its_own_term() {
        assert_eq!(texts("雨"), ["雨"]);
        assert!(texts("").is_empty());
    }

    #[test]
    fn every_character_begins_a_term() {
        let text = "第2会議室🙏 ｱ";
        let starts: Vec<char> = texts(text)
            .iter()
            .map(|t| t.chars().next().unwrap())
            .collect();
        assert_eq!(starts, text.chars().collect::<Vec<_>>());
    }

    #[test]
    fn prefix_bounds_hold_every_term_of_the_character() {
        for c in ['a', 'の', '\u{7f}', '🙏', char::MAX] {
            let (low, high) = prefix_bounds(c);
            for term in [c.to_string(), format!("{c}a"), format!("{c}{}", char::MAX)] {
                assert!(low.as_bytes() <= term.as_bytes(), "{term:?}");
                assert!(term.as_bytes() <= high.as_bytes(), "{term:?}");
            }
            let next = char::from_u32(c as u32 + 1).filter(|_| c != char::MAX);
            if let Some(next) = next {
                assert!(next.to_string().as_bytes() > high.as_bytes(), "{c:?}");
            }
        }
    }
}
