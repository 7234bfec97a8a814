//! Display texts for Chatwork system messages (`[dtext:KEY]`).
//!
//! A system message body puts these fragments around person tags, for
//! example `[dtext:chatroom_member_is][piconname:1][dtext:chatroom_added]`
//! or `[dtext:chatroom_chatname_is]営業部[dtext:chatroom_set]`. Each text is
//! written so that the fragments, joined with the names between them, read
//! as one sentence. The keys are the ones Chatwork writes into bodies; the
//! wording is this project's own.

use crate::i18n::Lang;

/// Known keys with their Japanese and English texts, sorted by key.
const TEXTS: &[(&str, &str, &str)] = &[
    ("chatroom_added", "を追加しました", " was added"),
    ("chatroom_changed", "に変更しました", "\""),
    (
        "chatroom_chat_edited",
        "チャット情報を変更しました",
        "Changed the chat details",
    ),
    (
        "chatroom_chatname_is",
        "チャット名を",
        "Changed the chat name to \"",
    ),
    (
        "chatroom_contact_added",
        "コンタクトを追加しました",
        "Added a contact",
    ),
    ("chatroom_deleted", "を削除しました", " was removed"),
    (
        "chatroom_description_is",
        "概要を",
        "Changed the description to \"",
    ),
    (
        "chatroom_groupchat_created",
        "グループチャットを新しく作成しました",
        "Created a new group chat",
    ),
    (
        "chatroom_icon_updated",
        "チャットのアイコンを変更しました",
        "Changed the chat icon",
    ),
    ("chatroom_leaved", "が退席しました", " left the chat"),
    ("chatroom_member_is", "メンバー", "Member "),
    (
        "chatroom_mychat_created",
        "マイチャットを作成しました",
        "Created My Chat",
    ),
    (
        "chatroom_over_groupchatnum",
        "はグループチャット数の上限に達しているため追加できませんでした",
        " could not be added because of the limit on group chats",
    ),
    (
        "chatroom_priv_changed",
        "の権限を変更しました",
        " had the role changed",
    ),
    ("chatroom_set", "に変更しました", "\""),
    ("file_edited", "ファイルを編集しました", "Edited a file"),
    (
        "file_uploaded",
        "ファイルをアップロードしました",
        "Uploaded a file",
    ),
    ("task_added", "タスクを追加しました", "Added a task"),
    ("task_done", "タスクを完了しました", "Completed a task"),
    ("task_edited", "タスクを編集しました", "Edited a task"),
];

/// Returns the display text of a system message key, or `None` for a key
/// this table does not contain. Callers show an unknown key as the key itself.
pub fn text(key: &str, lang: Lang) -> Option<&'static str> {
    let index = TEXTS
        .binary_search_by(|(known, _, _)| known.cmp(&key))
        .ok()?;
    let (_, ja, en) = TEXTS[index];
    Some(lang.pick(ja, en))
}

/// Returns every key in the table of [`text`], sorted.
pub fn keys() -> impl Iterator<Item = &'static str> {
    TEXTS.iter().map(|(key, _, _)| *key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(parts: &[&str], lang: Lang) -> String {
        parts
            .iter()
            .map(|part| match part.strip_prefix("dtext:") {
                Some(key) => text(key, lang).unwrap(),
                None => part,
            })
            .collect()
    }

    #[test]
    fn table_is_sorted_without_duplicates() {
        let keys: Vec<&str> = keys().collect();
        for pair in keys.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{} must sort before {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in keys() {
            assert!(text(key, Lang::Ja).is_some_and(|t| !t.is_empty()), "{key}");
            assert!(text(key, Lang::En).is_some_and(|t| !t.is_empty()), "{key}");
        }
    }

    #[test]
    fn required_keys_are_known() {
        for key in [
            "chatroom_groupchat_created",
            "chatroom_chat_edited",
            "chatroom_member_is",
            "chatroom_added",
            "chatroom_deleted",
            "chatroom_leaved",
            "chatroom_chatname_is",
            "chatroom_set",
            "chatroom_icon_updated",
            "chatroom_description_is",
            "chatroom_mychat_created",
            "chatroom_contact_added",
            "task_added",
            "task_done",
            "task_edited",
            "file_uploaded",
        ] {
            assert!(text(key, Lang::Ja).is_some(), "{key}");
        }
    }

    #[test]
    fn member_fragments_read_as_sentence() {
        let parts = ["dtext:chatroom_member_is", "山田", "dtext:chatroom_added"];
        assert_eq!(sentence(&parts, Lang::Ja), "メンバー山田を追加しました");
        assert_eq!(sentence(&parts, Lang::En), "Member 山田 was added");

        let parts = ["dtext:chatroom_member_is", "山田", "dtext:chatroom_leaved"];
        assert_eq!(sentence(&parts, Lang::Ja), "メンバー山田が退席しました");
    }

    #[test]
    fn chat_name_fragments_read_as_sentence() {
        let parts = ["dtext:chatroom_chatname_is", "営業部", "dtext:chatroom_set"];
        assert_eq!(
            sentence(&parts, Lang::Ja),
            "チャット名を営業部に変更しました"
        );
        assert_eq!(
            sentence(&parts, Lang::En),
            "Changed the chat name to \"営業部\""
        );
    }

    #[test]
    fn unknown_and_near_keys_are_none() {
        assert_eq!(text("chatroom_unknown", Lang::Ja), None);
        assert_eq!(text("", Lang::Ja), None);
        assert_eq!(text("CHATROOM_ADDED", Lang::Ja), None);
    }
}
