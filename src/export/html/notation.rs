//! Chatwork notation as fixed HTML: every tag becomes markup chosen here,
//! never markup taken from the body, and all text goes through
//! [`escape::push_text`].

use std::collections::HashMap;
use std::ops::Range;

use chrono_tz::Tz;

use super::escape::{self, push_text};
use crate::export::time::{deadline, local_minutes};
use crate::i18n::Lang;
use crate::query::read::AccountLabel;
use crate::text::dtext;
use crate::text::normalize::{self, Options};
use crate::text::notation::{self, Node};

/// Finds the search words of a query scope in text, for `<mark>`.
pub struct Highlighter {
    /// Normalized words, never empty.
    words: Vec<String>,
}

impl Highlighter {
    /// Builds a highlighter for the positive words of a query; `None`
    /// when there is nothing to mark.
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Option<Highlighter> {
        let words: Vec<String> = words
            .into_iter()
            .map(normalize::normalize)
            .filter(|word| !word.trim().is_empty())
            .collect();
        (!words.is_empty()).then_some(Highlighter { words })
    }

    /// Byte ranges of `text` that match a word, sorted and merged. The
    /// search normalization (width, case, kana) applies, and each range
    /// covers the original characters.
    pub fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mapped = normalize::normalize_mapped(text, Options::default());
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for word in &self.words {
            for (start, found) in mapped.text.match_indices(word.as_str()) {
                ranges.push(mapped.original_range(start..start + found.len()));
            }
        }
        ranges.sort_by_key(|range| (range.start, range.end));
        let mut merged: Vec<Range<usize>> = Vec::new();
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        merged
    }
}

/// Renders message bodies of one room.
pub struct BodyRenderer<'a> {
    pub names: &'a HashMap<String, AccountLabel>,
    pub lang: Lang,
    pub zone: Tz,
    /// Room of the messages, so replies within it link to their target.
    pub room_id: &'a str,
    pub highlighter: Option<&'a Highlighter>,
}

impl BodyRenderer<'_> {
    /// Appends the HTML of a raw body.
    pub fn render(&self, body: &str, out: &mut String) {
        let nodes = notation::parse(body);
        self.nodes(&nodes, out);
    }

    /// Appends an account's name, with the resigned marker in its own span.
    pub fn person(&self, account_id: &str, out: &mut String) {
        match self.names.get(account_id) {
            Some(label) => push_account(out, label, self.lang),
            None => push_text(
                out,
                &match self.lang {
                    Lang::Ja => format!("不明 (ID:{account_id})"),
                    Lang::En => format!("Unknown (ID:{account_id})"),
                },
            ),
        }
    }

    fn text(&self, text: &str, out: &mut String) {
        let marks = match self.highlighter {
            Some(highlighter) => highlighter.ranges(text),
            None => Vec::new(),
        };
        escape::push_linked_text(out, text, &marks);
    }

    fn nodes(&self, nodes: &[Node], out: &mut String) {
        let lang = self.lang;
        let mut previous_was_person = false;
        for (index, node) in nodes.iter().enumerate() {
            let is_person = matches!(node, Node::Person { .. });
            match node {
                Node::Text(text) => {
                    let after_block = index > 0 && is_block(&nodes[index - 1]);
                    let before_block = nodes.get(index + 1).is_some_and(is_block);
                    self.text(trim_around_blocks(text, after_block, before_block), out);
                }
                Node::To { account_id } => {
                    out.push_str("<span class=\"mention\">To: ");
                    self.person(account_id, out);
                    out.push_str("</span>");
                }
                Node::ToAll => {
                    out.push_str("<span class=\"mention\">");
                    out.push_str(lang.pick("To: 全員", "To: all"));
                    out.push_str("</span>");
                }
                Node::Reply {
                    account_id,
                    room_id,
                    message_id,
                } => self.reply(account_id, room_id.as_deref(), message_id.as_deref(), out),
                Node::Quote {
                    account_id,
                    time,
                    children,
                } => {
                    out.push_str("<blockquote class=\"quote\"><div class=\"quote-meta\">");
                    out.push_str(lang.pick("引用", "Quote"));
                    if let Some(id) = account_id {
                        out.push_str(": ");
                        self.person(id, out);
                    }
                    if let Some(time) = time {
                        out.push(' ');
                        push_text(out, &local_minutes(*time, self.zone));
                    }
                    out.push_str("</div>");
                    self.nodes(children, out);
                    out.push_str("</blockquote>");
                }
                Node::Info { title, children } => {
                    out.push_str("<div class=\"info\">");
                    if let Some(title) = title {
                        out.push_str("<div class=\"info-title\">");
                        self.nodes(title, out);
                        out.push_str("</div>");
                    }
                    self.nodes(children, out);
                    out.push_str("</div>");
                }
                Node::Hr => out.push_str("<hr>"),
                Node::Code(code) => {
                    out.push_str("<pre class=\"code\">");
                    push_text(out, code);
                    out.push_str("</pre>");
                }
                Node::Person { account_id, .. } => {
                    if previous_was_person {
                        out.push_str(lang.pick("、", ", "));
                    }
                    out.push_str("<span class=\"person\">");
                    self.person(account_id, out);
                    out.push_str("</span>");
                }
                Node::Download { children, .. } => {
                    out.push_str("<span class=\"file\">");
                    out.push_str(lang.pick("ファイル: ", "File: "));
                    self.nodes(children, out);
                    out.push_str("</span>");
                }
                Node::Preview { .. } => {
                    out.push_str("<span class=\"file\">");
                    out.push_str(lang.pick("画像プレビュー", "Image preview"));
                    out.push_str("</span>");
                }
                Node::Task {
                    account_id,
                    done,
                    limit,
                    limit_type,
                    children,
                } => {
                    out.push_str(if *done {
                        "<div class=\"task done\"><span class=\"task-head\">"
                    } else {
                        "<div class=\"task\"><span class=\"task-head\">"
                    });
                    out.push_str(match (done, lang) {
                        (true, Lang::Ja) => "タスク（完了）",
                        (false, Lang::Ja) => "タスク（未完了）",
                        (true, Lang::En) => "Task (done)",
                        (false, Lang::En) => "Task (open)",
                    });
                    if let Some(id) = account_id {
                        out.push(' ');
                        out.push_str(lang.pick("担当: ", "assignee: "));
                        self.person(id, out);
                    }
                    if let Some(limit) = limit {
                        out.push(' ');
                        out.push_str(lang.pick("期限: ", "due: "));
                        push_text(out, &deadline(*limit, limit_type.as_deref(), self.zone));
                    }
                    out.push_str("</span> ");
                    self.nodes(children, out);
                    out.push_str("</div>");
                }
                Node::SystemText { key } => {
                    out.push_str("<span class=\"system\">");
                    push_text(out, dtext::text(key, lang).unwrap_or(key));
                    out.push_str("</span>");
                }
                Node::Deleted => {
                    out.push_str("<span class=\"deleted-body\">");
                    out.push_str(lang.pick("（削除されたメッセージ）", "(deleted message)"));
                    out.push_str("</span>");
                }
            }
            previous_was_person = is_person;
        }
    }

    fn reply(
        &self,
        account_id: &str,
        room_id: Option<&str>,
        message_id: Option<&str>,
        out: &mut String,
    ) {
        let label = self.lang.pick("返信", "Reply");
        let target = message_id.filter(|id| is_digits(id) && room_id == Some(self.room_id));
        match target {
            // Only a fragment inside this page, never a URL built from the body.
            Some(id) => {
                out.push_str("<a class=\"reply\" href=\"#m-");
                out.push_str(id);
                out.push_str("\">");
            }
            None => out.push_str("<span class=\"reply\">"),
        }
        out.push_str(label);
        out.push_str(": ");
        self.person(account_id, out);
        out.push_str(if target.is_some() { "</a>" } else { "</span>" });
    }
}

/// Returns true for nodes drawn as boxes of their own.
fn is_block(node: &Node) -> bool {
    matches!(
        node,
        Node::Quote { .. } | Node::Info { .. } | Node::Code(_) | Node::Task { .. } | Node::Hr
    )
}

/// Drops the one line break that separates text from a box before or after
/// it: a box starts and ends its own line, so the break would show as an
/// empty line. Only the display changes; the raw body stays in the CSV.
fn trim_around_blocks(text: &str, after_block: bool, before_block: bool) -> &str {
    let mut text = text;
    if after_block {
        text = text
            .strip_prefix("\r\n")
            .or_else(|| text.strip_prefix('\n'))
            .unwrap_or(text);
    }
    if before_block {
        text = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
    }
    text
}

/// Appends an account label: the name, then the resigned marker in a span.
pub fn push_account(out: &mut String, label: &AccountLabel, lang: Lang) {
    let plain = AccountLabel {
        resigned: false,
        ..label.clone()
    };
    push_text(out, &plain.display(lang));
    if label.resigned {
        out.push_str("<span class=\"resigned\">");
        push_text(out, crate::query::read::resigned_marker(lang));
        out.push_str("</span>");
    }
}

/// Returns true for a non-empty string of ASCII digits, which is safe in an
/// `id` or fragment without escaping.
pub fn is_digits(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(body: &str) -> String {
        let names = HashMap::from([(
            "9".to_string(),
            AccountLabel {
                account_key: 1,
                account_id: "9".into(),
                name: "見本 次郎".into(),
                resigned: true,
                known: true,
            },
        )]);
        let renderer = BodyRenderer {
            names: &names,
            lang: Lang::Ja,
            zone: chrono_tz::Asia::Tokyo,
            room_id: "55",
            highlighter: None,
        };
        let mut out = String::new();
        renderer.render(body, &mut out);
        out
    }

    #[test]
    fn info_title_markup_is_text() {
        assert_eq!(
            render("[info][title]<b>注意</b>[/title]詳細は javascript:alert(3)[/info]"),
            "<div class=\"info\"><div class=\"info-title\">&lt;b&gt;注意&lt;/b&gt;</div>\
             詳細は javascript:alert(3)</div>"
        );
    }

    #[test]
    fn resigned_marker_is_separate() {
        assert_eq!(
            render("[To:9]見本さん"),
            "<span class=\"mention\">To: 見本 次郎<span class=\"resigned\">【解約済】</span></span>見本さん"
        );
    }

    #[test]
    fn line_breaks_beside_boxes_are_dropped() {
        assert_eq!(
            render("前\n[qt]引用[/qt]\n後\n\n次"),
            "前<blockquote class=\"quote\"><div class=\"quote-meta\">引用</div>引用</blockquote>後\n\n次"
        );
    }

    #[test]
    fn reply_links_only_within_room() {
        assert!(render("[rp aid=9 to=55-123]").contains("href=\"#m-123\""));
        assert!(!render("[rp aid=9 to=56-123]").contains("href"));
    }

    #[test]
    fn system_message_in_japanese() {
        assert_eq!(
            render("[dtext:task_added]"),
            "<span class=\"system\">タスクを追加しました</span>"
        );
        assert_eq!(
            render("[dtext:no_such_key]"),
            "<span class=\"system\">no_such_key</span>"
        );
    }

    #[test]
    fn highlighter_marks_original_characters() {
        let highlighter = Highlighter::new(["abc", "確認"]).unwrap();
        let text = "ＡＢＣ商事を確認";
        let ranges = highlighter.ranges(text);
        assert_eq!(&text[ranges[0].clone()], "ＡＢＣ");
        assert_eq!(&text[ranges[1].clone()], "確認");
        assert!(Highlighter::new([" "]).is_none());
    }
}
