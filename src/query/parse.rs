//! The search language.
//!
//! - Words separated by spaces must all match; each word matches as a
//!   substring of a message's normalized plain text (any version of it).
//! - `a OR b` matches either; `OR` binds tighter than the space.
//! - `-word` excludes messages that contain the word.
//! - `"…"` contains a string with spaces, matched as one substring.
//! - Filters: `room:`, `from:`, `to:`, `after:`, `before:`, `is:`, `has:`,
//!   `in:`, `tag:`. A word whose prefix before `:` is not a filter name
//!   (`10:00`, `https://…`) is plain text.
//!
//! Parsing never fails: what is not valid syntax is searched as text, and
//! real mistakes (an unknown `is:` value, a bad date) come back in `errors`.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::i18n::Lang;

/// Flags `is:` can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsFlag {
    Edited,
    Deleted,
    Resigned,
    Starred,
}

/// Versions of a message that words are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Any,
    Current,
    History,
}

/// One filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Room name (substring) or room ID.
    Room(String),
    /// Sender name (substring) or account ID.
    From(String),
    /// Mentioned account: name (substring) or account ID.
    To(String),
    /// Sent at or after this Unix second.
    After(i64),
    /// Sent before this Unix second.
    Before(i64),
    Is(IsFlag),
    HasFile,
    Tag(String),
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Every group must match; within a group any word may match.
    pub include: Vec<Vec<String>>,
    pub exclude: Vec<String>,
    pub filters: Vec<Filter>,
    pub scope: Scope,
    /// Mistakes to show the user; the rest of the query still runs.
    pub errors: Vec<String>,
}

impl ParsedQuery {
    /// True when there is nothing to search for: no words and no filters.
    /// `in:history` alone selects every message that has earlier versions.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty()
            && self.exclude.is_empty()
            && self.filters.is_empty()
            && self.scope != Scope::History
    }

    /// Returns every word the user searches for, for highlighting.
    pub fn positive_words(&self) -> impl Iterator<Item = &str> {
        self.include.iter().flatten().map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    /// The word was written in quotes, so it is never syntax.
    quoted: bool,
    negated: bool,
}

fn tokenize(input: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut text = String::new();
        let mut quoted = false;
        let mut negated = false;
        if chars.peek() == Some(&'-') {
            let mut lookahead = chars.clone();
            lookahead.next();
            if lookahead.peek().is_some_and(|c| !c.is_whitespace()) {
                negated = true;
                chars.next();
            }
        }
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '"' {
                let rest: String = chars.clone().collect();
                if let Some(end) = rest.find('"') {
                    let opens_word = text.is_empty();
                    text.push_str(&rest[..end]);
                    for _ in rest[..end].chars() {
                        chars.next();
                    }
                    chars.next();
                    // Only a word that opens with a quote is literal; `room:"a b"` stays a filter.
                    quoted |= opens_word;
                    continue;
                }
            }
            text.push(c);
        }
        tokens.push(Token {
            text,
            quoted,
            negated,
        });
    }
    tokens
}

/// Parses a query. `zone` is the zone of dates in `after:` and `before:`.
pub fn parse(input: &str, zone: Tz, lang: Lang) -> ParsedQuery {
    let mut query = ParsedQuery::default();
    let tokens = tokenize(input);
    let mut index = 0;
    let mut pending_or = false;
    while index < tokens.len() {
        let token = &tokens[index];
        index += 1;
        if !token.quoted && !token.negated && token.text == "OR" {
            pending_or = !query.include.is_empty();
            continue;
        }
        if !token.quoted
            && let Some((key, value)) = token.text.split_once(':')
            && let Some(result) = parse_filter(key, value, zone, lang)
        {
            match result {
                Ok(FilterOrScope::Filter(filter)) if !token.negated => query.filters.push(filter),
                Ok(FilterOrScope::Scope(scope)) if !token.negated => query.scope = scope,
                Ok(_) => query.errors.push(
                    lang.pick(
                        "絞り込み条件の前の - には対応していません",
                        "a - before a filter is not supported",
                    )
                    .to_string(),
                ),
                Err(message) => query.errors.push(message),
            }
            pending_or = false;
            continue;
        }
        if token.text.is_empty() {
            continue;
        }
        if token.negated {
            query.exclude.push(token.text.clone());
            pending_or = false;
        } else if pending_or {
            if let Some(group) = query.include.last_mut() {
                group.push(token.text.clone());
            }
            pending_or = false;
        } else {
            query.include.push(vec![token.text.clone()]);
        }
    }
    query
}

enum FilterOrScope {
    Filter(Filter),
    Scope(Scope),
}

/// Parses `key:value`; `None` when `key` is not a filter name.
fn parse_filter(
    key: &str,
    value: &str,
    zone: Tz,
    lang: Lang,
) -> Option<Result<FilterOrScope, String>> {
    let key = key.to_lowercase();
    let known = [
        "room", "from", "to", "after", "before", "is", "has", "in", "tag",
    ];
    if !known.contains(&key.as_str()) {
        return None;
    }
    let value = value.trim();
    if value.is_empty() {
        return Some(Err(match lang {
            Lang::Ja => format!("{key}: の後に値を書いてください"),
            Lang::En => format!("{key}: needs a value"),
        }));
    }
    let unknown = |options: &str| match lang {
        Lang::Ja => format!("{key}:{value} は使えません（使える値: {options}）"),
        Lang::En => format!("{key}:{value} is not valid (use one of: {options})"),
    };
    let filter = match key.as_str() {
        "room" => Filter::Room(value.to_string()),
        "from" => Filter::From(value.to_string()),
        "to" => Filter::To(value.to_string()),
        "tag" => Filter::Tag(value.to_string()),
        "after" | "before" => {
            let Some(start) = parse_date(value, zone) else {
                return Some(Err(match lang {
                    Lang::Ja => format!("{key}:{value} の日付が読めません（例: 2024-03-01）"),
                    Lang::En => format!("{key}:{value} is not a date (for example 2024-03-01)"),
                }));
            };
            if key == "after" {
                Filter::After(start)
            } else {
                Filter::Before(start)
            }
        }
        "is" => match value.to_lowercase().as_str() {
            "edited" => Filter::Is(IsFlag::Edited),
            "deleted" => Filter::Is(IsFlag::Deleted),
            "resigned" => Filter::Is(IsFlag::Resigned),
            "starred" => Filter::Is(IsFlag::Starred),
            _ => return Some(Err(unknown("edited, deleted, resigned, starred"))),
        },
        "has" => match value.to_lowercase().as_str() {
            "file" => Filter::HasFile,
            _ => return Some(Err(unknown("file"))),
        },
        "in" => {
            return Some(match value.to_lowercase().as_str() {
                "current" => Ok(FilterOrScope::Scope(Scope::Current)),
                "history" => Ok(FilterOrScope::Scope(Scope::History)),
                _ => Err(unknown("current, history")),
            });
        }
        _ => return None,
    };
    Some(Ok(FilterOrScope::Filter(filter)))
}

/// Parses a date or date and time in `zone` into Unix seconds.
pub fn parse_date(value: &str, zone: Tz) -> Option<i64> {
    let unified = value.replace('/', "-");
    let naive = NaiveDate::parse_from_str(&unified, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .or_else(|| {
            NaiveDate::parse_from_str(&unified, "%Y%m%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .or_else(|| NaiveDateTime::parse_from_str(&unified, "%Y-%m-%dT%H:%M").ok())
        .or_else(|| NaiveDateTime::parse_from_str(&unified, "%Y-%m-%dT%H:%M:%S").ok())?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|time| time.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ja(input: &str) -> ParsedQuery {
        parse(input, chrono_tz::Asia::Tokyo, Lang::Ja)
    }

    #[test]
    fn history_scope_alone_is_a_query() {
        assert!(!parse_ja("in:history").is_empty());
        assert!(parse_ja("in:current").is_empty());
        assert!(parse_ja("").is_empty());
    }

    #[test]
    fn spaces_mean_and() {
        let query = parse_ja("議事録 共有");
        assert_eq!(
            query.include,
            vec![vec!["議事録".to_string()], vec!["共有".to_string()]]
        );
    }

    #[test]
    fn or_joins_neighbours() {
        let query = parse_ja("a b OR c");
        assert_eq!(
            query.include,
            vec![
                vec!["a".to_string()],
                vec!["b".to_string(), "c".to_string()]
            ]
        );
    }

    #[test]
    fn quotes_keep_spaces() {
        let query = parse_ja("\"議事録 を\" x");
        assert_eq!(query.include[0], vec!["議事録 を".to_string()]);
    }

    #[test]
    fn minus_excludes() {
        let query = parse_ja("確認 -済み");
        assert_eq!(query.exclude, vec!["済み".to_string()]);
    }

    #[test]
    fn syntax_characters_are_text() {
        for input in [
            "10:00",
            "(株)見本",
            "A-1",
            "https://example.invalid/a",
            "\"",
            "-",
            "a\"b",
            "OR",
        ] {
            let query = parse_ja(input);
            assert!(query.errors.is_empty(), "{input}: {:?}", query.errors);
        }
        assert_eq!(parse_ja("10:00").include, vec![vec!["10:00".to_string()]]);
        assert_eq!(parse_ja("A-1").include, vec![vec!["A-1".to_string()]]);
        assert_eq!(parse_ja("-").include, vec![vec!["-".to_string()]]);
    }

    #[test]
    fn filters_parse() {
        let query =
            parse_ja("from:123 room:\"営業 定例\" is:deleted has:file in:history after:2024-03-01");
        assert!(query.include.is_empty());
        assert_eq!(query.scope, Scope::History);
        assert!(query.filters.contains(&Filter::From("123".into())));
        assert!(query.filters.contains(&Filter::Room("営業 定例".into())));
        assert!(query.filters.contains(&Filter::Is(IsFlag::Deleted)));
        assert!(query.filters.contains(&Filter::HasFile));
        assert!(query.filters.contains(&Filter::After(1_709_218_800)));
    }

    #[test]
    fn mistakes_are_reported_not_fatal() {
        let query = parse_ja("is:happy after:yesterday 確認");
        assert_eq!(query.errors.len(), 2);
        assert_eq!(query.include, vec![vec!["確認".to_string()]]);
    }

    #[test]
    fn empty_and_blank_queries_are_empty() {
        assert!(parse_ja("").is_empty());
        assert!(parse_ja("　 ").is_empty());
    }
}
