//! Readable plain text of a message body for the CSV "plain body" column.
//!
//! The search text (`notation::plain_text`) drops every tag. This text
//! keeps what a reader needs to follow the message: who was mentioned or
//! replied to, where a quote starts and ends, task state and deadline,
//! file names, and system messages as sentences. Labels follow the export
//! language. The raw body stays in its own column, so nothing is lost.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::time::{deadline, local_minutes};
use crate::i18n::Lang;
use crate::query::read::AccountLabel;
use crate::text::dtext;
use crate::text::notation::{self, Node};

/// Renders bodies to readable plain text.
pub struct PlainRenderer<'a> {
    pub names: &'a HashMap<String, AccountLabel>,
    pub lang: Lang,
    pub zone: Tz,
}

impl PlainRenderer<'_> {
    /// Returns the readable text of a raw body.
    pub fn render(&self, body: &str) -> String {
        let nodes = notation::parse(body);
        let mut out = String::with_capacity(body.len());
        self.append(&nodes, &mut out);
        // Boxes and quotes end their last line; keep only the line breaks the body had.
        if !body.ends_with('\n') {
            let kept = out.trim_end_matches('\n').len();
            out.truncate(kept);
        }
        out
    }

    /// Returns the display name of an account ID, or `不明 (ID:…)` when the
    /// case has no such account.
    pub fn name(&self, account_id: &str) -> String {
        match self.names.get(account_id) {
            Some(label) => label.display(self.lang),
            None => match self.lang {
                Lang::Ja => format!("不明 (ID:{account_id})"),
                Lang::En => format!("Unknown (ID:{account_id})"),
            },
        }
    }

    fn append(&self, nodes: &[Node], out: &mut String) {
        let lang = self.lang;
        let mut previous_was_person = false;
        for node in nodes {
            let is_person = matches!(node, Node::Person { .. });
            match node {
                Node::Text(text) | Node::Code(text) => out.push_str(text),
                Node::To { account_id } => {
                    out.push_str(&format!("[To:{}]", self.name(account_id)));
                }
                Node::ToAll => out.push_str(lang.pick("[To:全員]", "[To:all]")),
                Node::Reply { account_id, .. } => {
                    let label = lang.pick("返信", "Re");
                    out.push_str(&format!("[{label}:{}]", self.name(account_id)));
                }
                Node::Quote {
                    account_id,
                    time,
                    children,
                } => self.append_quote(account_id.as_deref(), *time, children, out),
                Node::Info { title, children } => {
                    start_line(out);
                    if let Some(title) = title {
                        out.push('【');
                        self.append(title, out);
                        out.push_str("】\n");
                    }
                    self.append(children, out);
                    start_line(out);
                }
                Node::Hr => {
                    start_line(out);
                    out.push_str("──────────\n");
                }
                Node::Person { account_id, .. } => {
                    if previous_was_person {
                        out.push_str(lang.pick("、", ", "));
                    }
                    out.push_str(&self.name(account_id));
                }
                Node::Download { children, .. } => {
                    out.push_str(lang.pick("[ファイル:", "[File:"));
                    self.append(children, out);
                    out.push(']');
                }
                Node::Preview { .. } => out.push_str(lang.pick("[画像プレビュー]", "[Preview]")),
                Node::Task {
                    account_id,
                    done,
                    limit,
                    limit_type,
                    children,
                } => {
                    let state = match (done, lang) {
                        (true, Lang::Ja) => "完了",
                        (false, Lang::Ja) => "未完了",
                        (true, Lang::En) => "done",
                        (false, Lang::En) => "open",
                    };
                    out.push_str(&format!("[{}({state})", lang.pick("タスク", "Task")));
                    if let Some(id) = account_id {
                        out.push_str(&format!(" {}:{}", lang.pick("担当", "to"), self.name(id)));
                    }
                    if let Some(limit) = limit {
                        out.push_str(&format!(
                            " {}:{}",
                            lang.pick("期限", "due"),
                            deadline(*limit, limit_type.as_deref(), self.zone)
                        ));
                    }
                    out.push_str("] ");
                    self.append(children, out);
                }
                Node::SystemText { key } => out.push_str(dtext::text(key, lang).unwrap_or(key)),
                Node::Deleted => out.push_str(lang.pick("[削除されたメッセージ]", "[deleted]")),
            }
            previous_was_person = is_person;
        }
    }

    fn append_quote(
        &self,
        account_id: Option<&str>,
        time: Option<i64>,
        children: &[Node],
        out: &mut String,
    ) {
        start_line(out);
        out.push_str(self.lang.pick("[引用", "[Quote"));
        if let Some(id) = account_id {
            out.push(' ');
            out.push_str(&self.name(id));
        }
        if let Some(time) = time {
            out.push(' ');
            out.push_str(&local_minutes(time, self.zone));
        }
        out.push_str("]\n");
        self.append(children, out);
        start_line(out);
        out.push_str(self.lang.pick("[引用ここまで]\n", "[End of quote]\n"));
    }
}

/// Ends the current line unless `out` is empty or already at a line start.
fn start_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> HashMap<String, AccountLabel> {
        let label = |key: i64, id: &str, name: &str, resigned: bool| AccountLabel {
            account_key: key,
            account_id: id.into(),
            name: name.into(),
            resigned,
            known: true,
        };
        HashMap::from([
            ("1".to_string(), label(1, "1", "山田 太郎", false)),
            ("2".to_string(), label(2, "2", "見本 次郎", true)),
        ])
    }

    fn render(body: &str, lang: Lang) -> String {
        let names = names();
        PlainRenderer {
            names: &names,
            lang,
            zone: chrono_tz::Asia::Tokyo,
        }
        .render(body)
    }

    #[test]
    fn mentions_and_replies_show_names() {
        assert_eq!(
            render("[To:1]山田さん\n確認お願いします", Lang::Ja),
            "[To:山田 太郎]山田さん\n確認お願いします"
        );
        assert_eq!(
            render("[rp aid=2 to=5-6]見本さん", Lang::Ja),
            "[返信:見本 次郎【解約済】]見本さん"
        );
        assert_eq!(render("[To:9]", Lang::En), "[To:Unknown (ID:9)]");
        assert_eq!(render("[toall]全員へ", Lang::Ja), "[To:全員]全員へ");
    }

    #[test]
    fn quote_is_marked_with_author_and_time() {
        assert_eq!(
            render(
                "[qt][qtmeta aid=1 time=1700000000]明日は休みます[/qt]了解です",
                Lang::Ja
            ),
            "[引用 山田 太郎 2023-11-15 07:13]\n明日は休みます\n[引用ここまで]\n了解です"
        );
    }

    #[test]
    fn system_message_is_a_sentence() {
        assert_eq!(
            render(
                "[info][dtext:chatroom_member_is][piconname:1][piconname:2][dtext:chatroom_added][/info]",
                Lang::Ja
            ),
            "メンバー山田 太郎、見本 次郎【解約済】を追加しました"
        );
    }

    #[test]
    fn info_task_and_file() {
        assert_eq!(
            render("[info][title]定例[/title]10時[hr]会議室[/info]", Lang::Ja),
            "【定例】\n10時\n──────────\n会議室"
        );
        assert_eq!(
            render("[task aid=1 st=done lt=0]資料[/task]", Lang::En),
            "[Task(done) to:山田 太郎] 資料"
        );
        assert_eq!(
            render("[download:5]議事録.pdf (1.00 KB)[/download]", Lang::Ja),
            "[ファイル:議事録.pdf (1.00 KB)]"
        );
    }

    #[test]
    fn deleted_and_code() {
        assert_eq!(render("[delete]", Lang::Ja), "[削除されたメッセージ]");
        assert_eq!(render("[code][To:1][/code]", Lang::Ja), "[To:1]");
    }
}
