//! Character n-gram tokenizers for the full-text index.
//!
//! Text reaches them already normalized (see `text::normalize`), so they
//! only cut: `CharUnigrams` emits every character, `CharBigrams` every pair
//! of neighbouring characters at the position of its first character.
//! Nothing is dropped or folded here: kanji, kana, Latin, digits, symbols,
//! emoji and white space all become terms, which is what makes every
//! substring findable.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which `CharUnigrams` is registered.
pub const UNIGRAM: &str = "cw_unigram";
/// Name under which `CharBigrams` is registered.
pub const BIGRAM: &str = "cw_bigram";

/// Emits each character as a token.
#[derive(Debug, Clone, Default)]
pub struct CharUnigrams;

/// Emits each pair of neighbouring characters as a token.
///
/// Every bigram claims two positions (`position_length` 2), so tantivy
/// leaves a gap of at least three positions between two values of one
/// field. A phrase of bigrams whose offsets differ by at most two can then
/// never match across the end of one version and the start of the next.
#[derive(Debug, Clone, Default)]
pub struct CharBigrams;

pub struct NgramStream<'a> {
    text: &'a str,
    /// Byte offsets of the characters still to cut, plus the end of the text.
    cursor: usize,
    width: usize,
    position: usize,
    token: Token,
}

impl<'a> NgramStream<'a> {
    fn new(text: &'a str, width: usize) -> Self {
        NgramStream {
            text,
            cursor: 0,
            width,
            position: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for NgramStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.cursor..];
        let mut chars = rest.char_indices();
        let Some((_, first)) = chars.next() else {
            return false;
        };
        let end = if self.width == 1 {
            first.len_utf8()
        } else {
            match chars.next() {
                Some((offset, second)) => offset + second.len_utf8(),
                None => return false,
            }
        };
        self.token.offset_from = self.cursor;
        self.token.offset_to = self.cursor + end;
        self.token.position = self.position;
        self.token.position_length = self.width;
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

impl Tokenizer for CharUnigrams {
    type TokenStream<'a> = NgramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        NgramStream::new(text, 1)
    }
}

impl Tokenizer for CharBigrams {
    type TokenStream<'a> = NgramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> NgramStream<'a> {
        NgramStream::new(text, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut tokenizer: impl Tokenizer, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn bigrams_of_japanese_keep_every_character() {
        let text = crate::text::normalize::normalize("見積書を確認");
        let got: Vec<String> = tokens(CharBigrams, &text)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(got, ["見積", "積書", "書を", "を確", "確認"]);
    }

    #[test]
    fn unigrams_include_emoji_and_space() {
        let got: Vec<String> = tokens(CharUnigrams, "a 🙏")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(got, ["a", " ", "🙏"]);
    }

    #[test]
    fn positions_count_characters() {
        let got = tokens(CharBigrams, "abc");
        assert_eq!(got, [("ab".to_string(), 0), ("bc".to_string(), 1)]);
    }

    #[test]
    fn single_character_has_no_bigram() {
        assert!(tokens(CharBigrams, "雨").is_empty());
        assert!(tokens(CharBigrams, "").is_empty());
    }
}
