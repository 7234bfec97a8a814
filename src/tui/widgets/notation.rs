//! Chatwork notation drawn as readable terminal rows.
//!
//! A body is parsed into the [`Node`] tree of `text::notation` and laid out
//! for one width. Quotes become indented blocks headed by author and time,
//! and info boxes carry their title. Tasks show assignee, state and
//! deadline. Mentions and replies are marked, file links show name and
//! size, and system messages read as sentences. Emoticons such as `(bow)`
//! are plain text in the body and stay as written.

use std::collections::HashMap;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::{clean, clean_multiline, line_width, prefixed, wrap_line};
use crate::query::read::AccountLabel;
use crate::text::notation::{self, Node, ReplyTarget};
use crate::text::{dtext, width::display_width};
use crate::tui::format::{self, Settings};
use crate::tui::theme::{Glyphs, style};

/// Bytes of a body laid out in a list or timeline. A longer body is cut
/// there and marked as cut; the message detail shows all of it.
pub const PREVIEW_BYTES: usize = 16 * 1024;

/// Names, settings and glyphs a renderer needs besides the body.
pub struct RenderContext<'a> {
    /// Accounts by account ID, for mentions, replies and person tags.
    pub names: &'a HashMap<String, AccountLabel>,
    pub settings: Settings,
    pub glyphs: Glyphs,
}

impl RenderContext<'_> {
    fn name(&self, account_id: &str) -> String {
        match self.names.get(account_id) {
            Some(label) => format::account(label, self.settings.lang),
            None => {
                let unknown = AccountLabel {
                    account_key: 0,
                    account_id: account_id.to_string(),
                    name: String::new(),
                    resigned: false,
                    known: false,
                };
                format::account(&unknown, self.settings.lang)
            }
        }
    }
}

/// A body laid out for one width.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedBody {
    pub lines: Vec<Line<'static>>,
    /// True when rows or bytes were left out to respect the limits.
    pub truncated: bool,
    /// Messages the body replies to, outside quotes.
    pub replies: Vec<ReplyTarget>,
    /// True for a system message (`[dtext:…]`), drawn in its own style.
    pub system: bool,
}

/// Lays out `body` into rows of at most `width` cells, at most `max_rows`
/// of them. Only the first [`PREVIEW_BYTES`] are read when `preview` is set.
pub fn render_body(
    body: &str,
    width: usize,
    max_rows: usize,
    preview: bool,
    context: &RenderContext<'_>,
) -> RenderedBody {
    let (body, cut_bytes) = if preview && body.len() > PREVIEW_BYTES {
        (cut_at_char_boundary(body, PREVIEW_BYTES), true)
    } else {
        (body, false)
    };
    let nodes = notation::parse(body);
    let system = nodes
        .iter()
        .any(|node| matches!(node, Node::SystemText { .. }));
    let mut layout = Layout {
        rows: Vec::new(),
        inline: Vec::new(),
        width: width.max(1),
        max_rows: max_rows.max(1),
        truncated: cut_bytes,
        after_block: false,
        context,
        base: if system {
            style::system()
        } else {
            Style::new()
        },
    };
    layout.nodes(&nodes, &[]);
    layout.flush(&[]);
    if layout.rows.is_empty() {
        layout.rows.push(Line::default());
    }
    RenderedBody {
        lines: layout.rows,
        truncated: layout.truncated,
        replies: notation::links(&nodes).replies,
        system,
    }
}

/// Returns the plain text of a body with names filled in, for one-row lists.
pub fn plain_text(body: &str, names: &HashMap<String, AccountLabel>) -> String {
    let body = cut_at_char_boundary(body, PREVIEW_BYTES);
    let nodes = notation::parse(body);
    if nodes == [Node::Deleted] {
        return crate::model::DELETED_EXPORT.to_string();
    }
    notation::plain_text(&nodes, &|id| names.get(id).map(|label| label.name.clone()))
}

fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

struct Layout<'a, 'b> {
    rows: Vec<Line<'static>>,
    /// Spans of the paragraph being collected.
    inline: Vec<Span<'static>>,
    width: usize,
    max_rows: usize,
    truncated: bool,
    /// True right after a block, so the line break that follows it in the
    /// body does not add an empty row.
    after_block: bool,
    context: &'a RenderContext<'b>,
    base: Style,
}

impl Layout<'_, '_> {
    fn full(&self) -> bool {
        self.rows.len() >= self.max_rows
    }

    fn push_row(&mut self, row: Line<'static>) {
        if self.full() {
            self.truncated = true;
            return;
        }
        self.rows.push(row);
    }

    fn push_inline(&mut self, text: String, style: Style) {
        let text = if self.after_block {
            text.strip_prefix('\n').map(str::to_string).unwrap_or(text)
        } else {
            text
        };
        self.after_block = false;
        if !text.is_empty() {
            self.inline.push(Span::styled(text, style));
        }
    }

    /// Wraps the collected paragraph under `prefix` and adds its rows.
    fn flush(&mut self, prefix: &[Span<'static>]) {
        if self.inline.is_empty() {
            return;
        }
        let mut spans = std::mem::take(&mut self.inline);
        // Line breaks at the end of a paragraph, before a closing tag or
        // the end of the body, add no empty rows.
        if let Some(last) = spans.last_mut()
            && last.content.ends_with('\n')
        {
            let trimmed = last.content.trim_end_matches('\n').to_string();
            last.content = trimmed.into();
        }

        let prefix_width = line_width(
            &Line::from(prefix.to_vec()),
            self.context.settings.ambiguous,
        );
        let available = self.width.saturating_sub(prefix_width).max(1);
        let remaining = self.max_rows.saturating_sub(self.rows.len());
        if remaining == 0 {
            self.truncated = true;
            return;
        }

        let (rows, cut) = wrap_line(
            &Line::from(spans),
            available,
            remaining,
            self.context.settings.ambiguous,
        );
        for row in rows {
            self.push_row(prefixed(prefix.to_vec(), row));
        }
        if cut {
            self.truncated = true;
        }
    }

    /// Returns `prefix` extended by one level of `bar`, unless the prefix
    /// already takes half the width: deep nesting then stops indenting.
    fn deeper(
        &self,
        prefix: &[Span<'static>],
        bar: &'static str,
        bar_style: Style,
    ) -> Vec<Span<'static>> {
        let mut next = prefix.to_vec();
        let used = line_width(
            &Line::from(prefix.to_vec()),
            self.context.settings.ambiguous,
        );
        if used + display_width(bar, self.context.settings.ambiguous) <= self.width / 2 {
            next.push(Span::styled(bar, bar_style));
        }
        next
    }

    fn nodes(&mut self, nodes: &[Node], prefix: &[Span<'static>]) {
        for (index, node) in nodes.iter().enumerate() {
            if self.full() {
                self.truncated = true;
                return;
            }
            // The members a system message lists are person tags in a row,
            // whose names would otherwise run together.
            let after_person = index > 0 && matches!(nodes[index - 1], Node::Person { .. });
            if after_person && matches!(node, Node::Person { .. }) {
                let separator = self.context.settings.lang.pick("、", ", ");
                self.push_inline(separator.into(), self.base);
            }
            self.node(node, prefix);
        }
    }

    fn node(&mut self, node: &Node, prefix: &[Span<'static>]) {
        let lang = self.context.settings.lang;
        match node {
            Node::Text(text) => self.push_inline(clean_multiline(text), self.base),
            Node::To { account_id } => {
                let name = self.context.name(account_id);
                self.push_inline(format!("[To:{name}]"), style::mention());
            }
            Node::ToAll => {
                self.push_inline(lang.pick("[To:全員]", "[To:all]").into(), style::mention());
            }
            Node::Reply { account_id, .. } => {
                let name = self.context.name(account_id);
                let label = match lang {
                    crate::i18n::Lang::Ja => format!("[返信 {name}]"),
                    crate::i18n::Lang::En => format!("[Reply to {name}]"),
                };
                self.push_inline(label, style::reply());
            }
            Node::Person { account_id, .. } => {
                let name = self.context.name(account_id);
                self.push_inline(name, style::sender());
            }
            Node::Download { children, .. } => {
                let names = self.context.names;
                let text = notation::plain_text(children, &|id| {
                    names.get(id).map(|label| label.name.clone())
                });
                let label = match lang {
                    crate::i18n::Lang::Ja => format!("[ファイル: {}]", clean(text.trim())),
                    crate::i18n::Lang::En => format!("[File: {}]", clean(text.trim())),
                };
                self.push_inline(label, style::file());
            }
            Node::Preview { .. } => {
                self.push_inline(
                    lang.pick("[画像プレビュー]", "[image preview]").into(),
                    style::dim(),
                );
            }
            Node::SystemText { key } => {
                let text = dtext::text(key, lang).map_or_else(|| clean(key), str::to_string);
                self.push_inline(text, style::system());
            }
            Node::Deleted => {
                self.push_inline(
                    lang.pick(
                        "（このメッセージは削除されました）",
                        "(this message was deleted)",
                    )
                    .into(),
                    style::deleted(),
                );
            }
            Node::Quote {
                account_id,
                time,
                children,
            } => self.quote(account_id.as_deref(), *time, children, prefix),
            Node::Info { title, children } => self.info(title.as_deref(), children, prefix),
            Node::Hr => {
                self.flush(prefix);
                let prefix_width = line_width(
                    &Line::from(prefix.to_vec()),
                    self.context.settings.ambiguous,
                );
                let rule_width =
                    display_width(self.context.glyphs.rule, self.context.settings.ambiguous).max(1);
                let count = self.width.saturating_sub(prefix_width) / rule_width;
                let rule = Span::styled(self.context.glyphs.rule.repeat(count), style::dim());
                self.push_row(prefixed(prefix.to_vec(), Line::from(rule)));
                self.after_block = true;
            }
            Node::Code(text) => {
                self.flush(prefix);
                let inner = self.deeper(prefix, "  ", Style::new());
                self.inline.push(Span::styled(
                    clean_multiline(text.trim_matches('\n')),
                    style::code(),
                ));
                self.flush(&inner);
                self.after_block = true;
            }
            Node::Task {
                account_id,
                done,
                limit,
                children,
                ..
            } => self.task(account_id.as_deref(), *done, *limit, children, prefix),
        }
    }

    fn quote(
        &mut self,
        account_id: Option<&str>,
        time: Option<i64>,
        children: &[Node],
        prefix: &[Span<'static>],
    ) {
        self.flush(prefix);
        let lang = self.context.settings.lang;
        let inner = self.deeper(prefix, self.context.glyphs.quote_bar, style::dim());
        let mut header = vec![Span::styled(
            lang.pick("引用", "Quote").to_string(),
            style::dim(),
        )];
        if let Some(account_id) = account_id {
            header.push(Span::raw(" "));
            header.push(Span::styled(self.context.name(account_id), style::sender()));
        }
        if let Some(time) = time {
            header.push(Span::raw(" "));
            header.push(Span::styled(
                format::time_with_offset(time, self.context.settings.zone),
                style::time(),
            ));
        }
        self.inline = header;
        self.flush(&inner);
        self.after_block = true;
        self.nodes(children, &inner);
        self.flush(&inner);
        self.after_block = true;
    }

    fn info(&mut self, title: Option<&[Node]>, children: &[Node], prefix: &[Span<'static>]) {
        self.flush(prefix);
        let inner = self.deeper(prefix, self.context.glyphs.info_bar, style::header());
        if let Some(title) = title {
            let saved_base = self.base;
            self.base = style::title();
            self.after_block = true;
            self.nodes(title, &inner);
            self.flush(&inner);
            self.base = saved_base;
        }
        self.after_block = true;
        self.nodes(children, &inner);
        self.flush(&inner);
        self.after_block = true;
    }

    fn task(
        &mut self,
        account_id: Option<&str>,
        done: bool,
        limit: Option<i64>,
        children: &[Node],
        prefix: &[Span<'static>],
    ) {
        self.flush(prefix);
        let lang = self.context.settings.lang;
        let inner = self.deeper(prefix, "  ", Style::new());
        let assignee = account_id.map_or_else(
            || lang.pick("なし", "none").to_string(),
            |id| self.context.name(id),
        );
        let state = if done {
            lang.pick("完了", "done")
        } else {
            lang.pick("未完了", "open")
        };
        let deadline = limit.map_or_else(
            || lang.pick("なし", "none").to_string(),
            |unix| format::date(unix, self.context.settings.zone),
        );

        self.inline = vec![
            Span::styled(lang.pick("[タスク] ", "[Task] ").to_string(), style::task()),
            Span::styled(format!("{}: ", lang.pick("担当", "assignee")), style::dim()),
            Span::styled(assignee, style::sender()),
            Span::styled(format!(" / {}: ", lang.pick("状態", "state")), style::dim()),
            Span::styled(state.to_string(), style::task()),
            Span::styled(
                format!(" / {}: ", lang.pick("期限", "deadline")),
                style::dim(),
            ),
            Span::styled(deadline, style::time()),
        ];
        self.flush(prefix);
        self.after_block = true;
        self.nodes(children, &inner);
        self.flush(&inner);
        self.after_block = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::width::AmbiguousWidth;

    fn names() -> HashMap<String, AccountLabel> {
        let mut names = HashMap::new();
        for (id, name, resigned) in [("1", "佐藤 恵子", false), ("2", "前田 翔太", true)] {
            names.insert(
                id.to_string(),
                AccountLabel {
                    account_key: id.parse().unwrap(),
                    account_id: id.to_string(),
                    name: name.to_string(),
                    resigned,
                    known: true,
                },
            );
        }
        names
    }

    fn rows(body: &str, width: usize) -> Vec<String> {
        let names = names();
        let context = RenderContext {
            names: &names,
            settings: Settings::default(),
            glyphs: Glyphs::for_policy(AmbiguousWidth::Narrow),
        };
        render_body(body, width, 50, true, &context)
            .lines
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn mention_and_reply_are_labelled() {
        let lines = rows("[To:1]佐藤さん\n[rp aid=2 to=10-20]了解です", 60);
        assert_eq!(lines[0], "[To:佐藤 恵子]佐藤さん");
        assert_eq!(lines[1], "[返信 前田 翔太【解約済】]了解です");
    }

    #[test]
    fn listed_members_are_separated() {
        let lines = rows(
            "[dtext:chatroom_member_is][piconname:1][piconname:2][dtext:chatroom_added]",
            80,
        );
        assert_eq!(
            lines[0],
            "メンバー佐藤 恵子、前田 翔太【解約済】を追加しました"
        );
        let lines = rows("[piconname:1]さんと[piconname:2]さん", 80);
        assert_eq!(lines[0], "佐藤 恵子さんと前田 翔太【解約済】さん");
    }

    #[test]
    fn quote_is_indented_with_author_and_time() {
        let lines = rows("[qt][qtmeta aid=1 time=1709600000]元の発言[/qt]\n返事", 60);
        assert_eq!(lines[0], "│ 引用 佐藤 恵子 2024-03-05 09:53:20 +09:00");
        assert_eq!(lines[1], "│ 元の発言");
        assert_eq!(lines[2], "返事");
    }

    #[test]
    fn info_box_shows_title() {
        let lines = rows("[info][title]議事録[/title]1. 予算\n2. 人事[/info]", 40);
        assert_eq!(lines, ["┃ 議事録", "┃ 1. 予算", "┃ 2. 人事"]);
    }

    #[test]
    fn task_shows_assignee_state_and_deadline() {
        let lines = rows("[task aid=1 st=open lt=1709600000]資料を作る[/task]", 80);
        assert_eq!(
            lines[0],
            "[タスク] 担当: 佐藤 恵子 / 状態: 未完了 / 期限: 2024-03-05"
        );
        assert_eq!(lines[1], "  資料を作る");
    }

    #[test]
    fn file_link_shows_name_and_size() {
        let lines = rows("[download:123]報告書.pdf (247.60 KB)[/download]", 60);
        assert_eq!(lines[0], "[ファイル: 報告書.pdf (247.60 KB)]");
    }

    #[test]
    fn system_message_reads_as_sentence() {
        let lines = rows(
            "[dtext:chatroom_member_is][piconname:1][dtext:chatroom_added]",
            60,
        );
        assert_eq!(lines[0], "メンバー佐藤 恵子を追加しました");
    }

    #[test]
    fn unknown_account_shows_id() {
        let lines = rows("[To:99]さん", 60);
        assert_eq!(lines[0], "[To:不明 (ID:99)]さん");
    }

    #[test]
    fn deleted_body_is_marked() {
        let lines = rows("[delete]", 60);
        assert_eq!(lines[0], "（このメッセージは削除されました）");
    }

    #[test]
    fn code_keeps_tags_literal() {
        let lines = rows("[code][To:1] x[/code]", 60);
        assert_eq!(lines[0], "  [To:1] x");
    }

    #[test]
    fn rows_are_capped() {
        let names = names();
        let context = RenderContext {
            names: &names,
            settings: Settings::default(),
            glyphs: Glyphs::for_policy(AmbiguousWidth::Narrow),
        };
        let body = "行\n".repeat(100);
        let rendered = render_body(&body, 20, 5, true, &context);
        assert_eq!(rendered.lines.len(), 5);
        assert!(rendered.truncated);
    }

    #[test]
    fn huge_body_is_cut_for_preview() {
        let names = names();
        let context = RenderContext {
            names: &names,
            settings: Settings::default(),
            glyphs: Glyphs::for_policy(AmbiguousWidth::Narrow),
        };
        let body = "あ".repeat(2_000_000);
        let rendered = render_body(&body, 80, 10, true, &context);
        assert!(rendered.truncated);
        assert_eq!(rendered.lines.len(), 10);
    }

    #[test]
    fn deep_nesting_stops_indenting() {
        let body = format!("{}x{}", "[qt]".repeat(60), "[/qt]".repeat(60));
        let lines = rows(&body, 20);
        for line in &lines {
            assert!(
                display_width(line, AmbiguousWidth::Narrow) <= 20,
                "{line:?}"
            );
        }
    }
}
