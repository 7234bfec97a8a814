//! Recovery of names for accounts the export left nameless.
//!
//! API backups often return resigned accounts with an empty name, while
//! other messages still address them as `[To:123]山田さん`. The text after
//! a mention or reply tag, up to the line end and without an honorific, is
//! a good guess, and the most frequent guess wins.

use std::collections::HashMap;

use crate::text::notation::Node;

/// Most distinct guesses kept per account; later ones are ignored.
const MAX_GUESSES_PER_ACCOUNT: usize = 32;
const MAX_NAME_CHARS: usize = 40;
const HONORIFICS: &[&str] = &["さん", "様", "さま", "くん", "君", "ちゃん", "殿", "氏"];

/// Name guesses per account ID.
#[derive(Debug, Default)]
pub struct NameHints {
    guesses: HashMap<String, HashMap<String, u32>>,
}

impl NameHints {
    /// Collects guesses from the mention and reply tags of one body.
    pub fn collect(&mut self, nodes: &[Node]) {
        for pair in nodes.windows(2) {
            let account_id = match &pair[0] {
                Node::To { account_id } | Node::Reply { account_id, .. } => account_id,
                _ => continue,
            };
            let Node::Text(text) = &pair[1] else { continue };
            let Some(name) = guess_name(text) else {
                continue;
            };
            let guesses = self.guesses.entry(account_id.clone()).or_default();
            if guesses.len() < MAX_GUESSES_PER_ACCOUNT || guesses.contains_key(&name) {
                *guesses.entry(name).or_default() += 1;
            }
        }
    }

    /// Returns the most frequent guess for an account. A tie goes to the alphabetically first.
    pub fn best(&self, account_id: &str) -> Option<&str> {
        self.guesses
            .get(account_id)?
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(name, _)| name.as_str())
    }
}

/// Returns the text up to the line end when it ends with an honorific,
/// because the honorific tells a name from the start of a sentence.
fn guess_name(text: &str) -> Option<String> {
    let line = text.lines().next()?.trim();
    let name = HONORIFICS
        .iter()
        .find_map(|honorific| line.strip_suffix(honorific))?
        .trim_end();
    let length = name.chars().count();
    (length > 0 && length <= MAX_NAME_CHARS).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(account: &str, text: &str) -> Vec<Node> {
        vec![
            Node::To {
                account_id: account.into(),
            },
            Node::Text(text.into()),
        ]
    }

    #[test]
    fn name_after_mention_without_honorific() {
        let mut hints = NameHints::default();
        hints.collect(&mention("9", "見本 次郎さん\n明日の件です"));
        hints.collect(&mention("9", "見本 次郎さん\nありがとうございます"));
        hints.collect(&mention("9", "見本さん\nどうも"));
        assert_eq!(hints.best("9"), Some("見本 次郎"));
    }

    #[test]
    fn long_sentence_is_no_name() {
        let mut hints = NameHints::default();
        hints.collect(&mention(
            "9",
            " 明日の会議の資料を共有しますので確認してください",
        ));
        assert_eq!(hints.best("9"), None);
    }
}
