//! Logical fields of each export file and how CSV headers map onto them.
//!
//! Headers are compared after `fold_header` (NFKC, lower case, separators
//! removed), so `アカウントID`, `account_id` and `Account ID` are one
//! field. A mapping file can name any other header for a field.

use std::collections::HashMap;

use crate::text::normalize::fold_header;

/// The kinds of CSV file in an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `members/members.csv`: every room with its members.
    Members,
    /// A room's member list.
    RoomMembers,
    Messages,
    /// Edit and deletion history of a room.
    MessageLogs,
    Files,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [
        FileKind::Members,
        FileKind::RoomMembers,
        FileKind::Messages,
        FileKind::MessageLogs,
        FileKind::Files,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Members => "members",
            FileKind::RoomMembers => "room_members",
            FileKind::Messages => "messages",
            FileKind::MessageLogs => "message_logs",
            FileKind::Files => "files",
        }
    }

    pub fn parse(name: &str) -> Option<FileKind> {
        FileKind::ALL
            .into_iter()
            .find(|kind| fold_header(kind.as_str()) == fold_header(name))
    }

    /// Returns the fields of this kind of file, in the reference layout's order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            FileKind::Members => MEMBERS,
            FileKind::RoomMembers => ROOM_MEMBERS,
            FileKind::Messages => MESSAGES,
            FileKind::MessageLogs => MESSAGE_LOGS,
            FileKind::Files => FILES,
        }
    }
}

/// One logical field and the headers that name it.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub required: bool,
    /// Accepted headers, compared after `fold_header`.
    pub headers: &'static [&'static str],
}

const fn field(name: &'static str, required: bool, headers: &'static [&'static str]) -> Field {
    Field {
        name,
        required,
        headers,
    }
}

const ROOM_ID: &[&str] = &["ルームID", "room_id", "チャットID", "chat_id", "roomid"];
const ACCOUNT_ID: &[&str] = &[
    "アカウントID",
    "account_id",
    "識別ID",
    "accountID",
    "ユーザーID",
    "user_id",
    "sender_id",
    "送信者ID",
];
const ACCOUNT_NAME: &[&str] = &[
    "名前",
    "name",
    "account_name",
    "氏名",
    "表示名",
    "送信者",
    "送信者名",
    "sender_name",
    "ユーザー名",
    "user_name",
];
const ROLE: &[&str] = &["権限", "role", "メンバー権限"];
const MESSAGE_ID: &[&str] = &["メッセージID", "message_id", "messageID", "msg_id"];

static MEMBERS: &[Field] = &[
    field("room_id", true, ROOM_ID),
    field(
        "room_name",
        false,
        &[
            "ルーム名",
            "room_name",
            "チャット名",
            "chat_name",
            "グループチャット名",
        ],
    ),
    field(
        "room_type",
        false,
        &[
            "種別",
            "room_type",
            "type",
            "チャット種別",
            "ルーム種別",
            "chat_type",
        ],
    ),
    field(
        "file_path",
        false,
        &["ファイルパス", "file_path", "path", "パス", "フォルダ"],
    ),
    field("account_id", true, ACCOUNT_ID),
    field("name", false, ACCOUNT_NAME),
    field("role", false, ROLE),
    field(
        "organization_name",
        false,
        &[
            "組織名",
            "organization_name",
            "organization",
            "会社名",
            "所属組織",
        ],
    ),
    field(
        "department",
        false,
        &["部署", "department", "部署名", "所属"],
    ),
];

static ROOM_MEMBERS: &[Field] = &[
    field("account_id", true, ACCOUNT_ID),
    field("name", false, ACCOUNT_NAME),
    field("role", false, ROLE),
    field(
        "organization_name",
        false,
        &[
            "組織名",
            "organization_name",
            "organization",
            "会社名",
            "所属組織",
        ],
    ),
    field(
        "department",
        false,
        &["部署", "department", "部署名", "所属"],
    ),
];

static MESSAGES: &[Field] = &[
    field("message_id", true, MESSAGE_ID),
    field("account_id", true, ACCOUNT_ID),
    field("name", false, ACCOUNT_NAME),
    field(
        "send_time",
        true,
        &[
            "送信日時",
            "send_time",
            "sent_at",
            "送信時刻",
            "投稿日時",
            "日時",
            "date",
            "timestamp",
        ],
    ),
    field(
        "update_time",
        false,
        &[
            "更新日時",
            "update_time",
            "updated_at",
            "編集日時",
            "最終更新日時",
        ],
    ),
    field(
        "body",
        true,
        &[
            "本文",
            "body",
            "message",
            "メッセージ",
            "内容",
            "text",
            "メッセージ本文",
        ],
    ),
    // History written as extra rows of the messages file.
    field("action", false, &["操作", "action", "操作種別", "event"]),
    field(
        "action_time",
        false,
        &["操作日時", "action_time", "operated_at"],
    ),
    field(
        "body_before",
        false,
        &[
            "操作前の本文",
            "body_before",
            "変更前の本文",
            "previous_body",
            "変更前本文",
        ],
    ),
];

static MESSAGE_LOGS: &[Field] = &[
    field("message_id", true, MESSAGE_ID),
    field("action", true, &["操作", "action", "操作種別", "event"]),
    field(
        "action_time",
        true,
        &["操作日時", "action_time", "operated_at", "日時"],
    ),
    field(
        "body_before",
        true,
        &[
            "操作前の本文",
            "body_before",
            "変更前の本文",
            "previous_body",
            "変更前本文",
            "本文",
            "body",
        ],
    ),
];

static FILES: &[Field] = &[
    field("file_id", true, &["ファイルID", "file_id", "fileID"]),
    field("message_id", false, MESSAGE_ID),
    field("account_id", false, ACCOUNT_ID),
    field("name", false, ACCOUNT_NAME),
    field("filename", true, &["ファイル名", "filename", "file_name"]),
    field(
        "filesize",
        false,
        &["サイズ", "filesize", "size", "ファイルサイズ", "file_size"],
    ),
    field(
        "upload_time",
        false,
        &["アップロード日時", "upload_time", "uploaded_at", "登録日時"],
    ),
    field(
        "url",
        false,
        &["URL", "url", "リンク", "link", "download_url"],
    ),
];

/// Column positions of each field of a file, and the columns no field claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    pub kind: FileKind,
    /// Column index for each field name that was found.
    pub columns: HashMap<&'static str, usize>,
    /// Headers no field claimed, with their column index; kept as extras.
    pub unknown: Vec<(usize, String)>,
    /// Required fields with no column.
    pub missing: Vec<&'static str>,
}

impl HeaderMap {
    /// Maps a header row. `overrides` names headers per field, as a mapping file does.
    pub fn build(
        kind: FileKind,
        headers: &[String],
        overrides: Option<&HashMap<String, String>>,
    ) -> HeaderMap {
        let folded: Vec<String> = headers.iter().map(|header| fold_header(header)).collect();
        let mut columns = HashMap::new();
        let mut claimed = vec![false; headers.len()];
        for field in kind.fields() {
            let expected: Vec<String> = match overrides.and_then(|map| map.get(field.name)) {
                Some(header) => vec![fold_header(header)],
                None => field
                    .headers
                    .iter()
                    .map(|header| fold_header(header))
                    .collect(),
            };
            let found = expected.iter().find_map(|name| {
                folded
                    .iter()
                    .enumerate()
                    .position(|(index, header)| !claimed[index] && header == name)
            });
            if let Some(index) = found {
                claimed[index] = true;
                columns.insert(field.name, index);
            }
        }
        let unknown = headers
            .iter()
            .enumerate()
            .filter(|(index, header)| !claimed[*index] && !header.trim().is_empty())
            .map(|(index, header)| (index, header.trim_start_matches('\u{FEFF}').to_string()))
            .collect();
        let missing = kind
            .fields()
            .iter()
            .filter(|field| field.required && !columns.contains_key(field.name))
            .map(|field| field.name)
            .collect();
        HeaderMap {
            kind,
            columns,
            unknown,
            missing,
        }
    }

    /// Counts the required fields of `kind` that a header row names, to classify files.
    pub fn score(kind: FileKind, headers: &[String]) -> usize {
        let map = HeaderMap::build(kind, headers, None);
        kind.fields()
            .iter()
            .filter(|field| field.required && map.columns.contains_key(field.name))
            .count()
    }

    pub fn get<'r>(&self, record: &'r [String], field: &str) -> Option<&'r str> {
        self.columns
            .get(field)
            .and_then(|index| record.get(*index))
            .map(String::as_str)
    }

    /// Returns the column index of `field`, when the header row names it.
    pub fn index(&self, field: &str) -> Option<usize> {
        self.columns.get(field).copied()
    }

    pub fn has(&self, field: &str) -> bool {
        self.columns.contains_key(field)
    }
}

/// Picks the kind of a room-folder CSV file from its header row.
///
/// Returns the first kind, in a fixed order of preference, whose required
/// fields are all present; `None` when no kind fits. Messages come before
/// message logs because a messages file may carry history columns too.
pub fn classify(headers: &[String]) -> Option<FileKind> {
    let order = [
        FileKind::Files,
        FileKind::Messages,
        FileKind::MessageLogs,
        FileKind::Members,
        FileKind::RoomMembers,
    ];
    order.into_iter().find(|kind| {
        let required = kind.fields().iter().filter(|field| field.required).count();
        HeaderMap::score(*kind, headers) == required
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn japanese_and_english_headers_map_alike() {
        let ja = HeaderMap::build(
            FileKind::Messages,
            &headers(&[
                "メッセージID",
                "アカウントID",
                "名前",
                "送信日時",
                "更新日時",
                "本文",
            ]),
            None,
        );
        let en = HeaderMap::build(
            FileKind::Messages,
            &headers(&[
                "body",
                "Message ID",
                "account_id",
                "name",
                "send_time",
                "update_time",
            ]),
            None,
        );
        assert!(ja.missing.is_empty());
        assert!(en.missing.is_empty());
        assert_eq!(ja.columns["body"], 5);
        assert_eq!(en.columns["body"], 0);
    }

    #[test]
    fn bom_on_first_header_is_ignored() {
        let map = HeaderMap::build(
            FileKind::Messages,
            &headers(&["\u{FEFF}message_id", "account_id", "send_time", "body"]),
            None,
        );
        assert_eq!(map.columns.get("message_id"), Some(&0));
    }

    #[test]
    fn unknown_columns_are_kept() {
        let map = HeaderMap::build(
            FileKind::Messages,
            &headers(&[
                "message_id",
                "account_id",
                "send_time",
                "body",
                "既読数",
                "",
            ]),
            None,
        );
        assert_eq!(map.unknown, vec![(4, "既読数".to_string())]);
    }

    #[test]
    fn missing_required_column_is_named() {
        let map = HeaderMap::build(
            FileKind::Messages,
            &headers(&["message_id", "account_id", "body"]),
            None,
        );
        assert_eq!(map.missing, vec!["send_time"]);
    }

    #[test]
    fn override_names_another_header() {
        let overrides = HashMap::from([("body".to_string(), "Text".to_string())]);
        let map = HeaderMap::build(
            FileKind::Messages,
            &headers(&["message_id", "account_id", "send_time", "Text"]),
            Some(&overrides),
        );
        assert_eq!(map.columns.get("body"), Some(&3));
    }

    #[test]
    fn classifies_room_files() {
        assert_eq!(
            classify(&headers(&[
                "メッセージID",
                "操作",
                "操作日時",
                "操作前の本文"
            ])),
            Some(FileKind::MessageLogs)
        );
        assert_eq!(
            classify(&headers(&["ファイルID", "メッセージID", "ファイル名"])),
            Some(FileKind::Files)
        );
        assert_eq!(
            classify(&headers(&[
                "メッセージID",
                "アカウントID",
                "送信日時",
                "本文"
            ])),
            Some(FileKind::Messages)
        );
        assert_eq!(
            classify(&headers(&["アカウントID", "名前", "権限"])),
            Some(FileKind::RoomMembers)
        );
        assert_eq!(classify(&headers(&["foo", "bar"])), None);
    }
}
