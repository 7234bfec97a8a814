//! User interface language. Japanese is the default; English is chosen with `--lang en`.

use serde::{Deserialize, Serialize};

/// Language of screens, messages and report headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// Picks the Japanese or the English form of a string.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// Returns `count` with an English noun in the singular or the plural:
/// `1 row`, `2 rows`.
pub fn count_en(count: impl Into<u64>, singular: &str, plural: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("{count} {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_counts_agree_in_number() {
        assert_eq!(super::count_en(1u64, "row", "rows"), "1 row");
        assert_eq!(super::count_en(0u64, "row", "rows"), "0 rows");
        assert_eq!(super::count_en(3u64, "field", "fields"), "3 fields");
    }
}
