//! Domain types shared by the importer, the case store and the readers.
//!
//! IDs are kept as strings of digits exactly as the export wrote them:
//! recent Chatwork message IDs have 19 digits and lose precision as floats.

use serde::{Deserialize, Serialize};

/// Kind of a chat room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomType {
    Group,
    Direct,
    My,
    Unknown,
}

impl RoomType {
    /// Parses the room type column of the members file or the API `type` field.
    pub fn parse(raw: &str) -> RoomType {
        match crate::text::normalize::fold_header(raw).as_str() {
            "グループ" | "group" | "グループチャット" => RoomType::Group,
            "ダイレクト" | "direct" | "ダイレクトチャット" | "dm" => RoomType::Direct,
            "マイチャット" | "my" => RoomType::My,
            _ => RoomType::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RoomType::Group => "group",
            RoomType::Direct => "direct",
            RoomType::My => "my",
            RoomType::Unknown => "unknown",
        }
    }

    pub fn from_db(raw: &str) -> RoomType {
        match raw {
            "group" => RoomType::Group,
            "direct" => RoomType::Direct,
            "my" => RoomType::My,
            _ => RoomType::Unknown,
        }
    }
}

/// Permission of a member in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
    Readonly,
    Unknown,
}

impl Role {
    pub fn parse(raw: &str) -> Role {
        match crate::text::normalize::fold_header(raw).as_str() {
            "管理者" | "admin" | "administrator" => Role::Admin,
            "メンバー" | "member" => Role::Member,
            "閲覧のみ" | "readonly" | "read only" | "read-only" | "閲覧" => Role::Readonly,
            _ => Role::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Readonly => "readonly",
            Role::Unknown => "unknown",
        }
    }

    pub fn from_db(raw: &str) -> Role {
        match raw {
            "admin" => Role::Admin,
            "member" => Role::Member,
            "readonly" => Role::Readonly,
            _ => Role::Unknown,
        }
    }
}

/// What happened to a message at one point of its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RevisionKind {
    Edit,
    Delete,
}

impl RevisionKind {
    pub fn parse(raw: &str) -> Option<RevisionKind> {
        match crate::text::normalize::fold_header(raw).as_str() {
            "編集" | "edit" | "edited" | "update" | "updated" | "変更" => {
                Some(RevisionKind::Edit)
            }
            "削除" | "delete" | "deleted" | "remove" | "removed" => Some(RevisionKind::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::Edit => "edit",
            RevisionKind::Delete => "delete",
        }
    }

    pub fn from_db(raw: &str) -> RevisionKind {
        if raw == "delete" {
            RevisionKind::Delete
        } else {
            RevisionKind::Edit
        }
    }
}

/// A point in time read from the export: the instant in UTC plus the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    /// Unix seconds, UTC.
    pub unix: i64,
    pub raw: String,
}

/// A room as read from the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub room_id: String,
    pub name: String,
    pub room_type: RoomType,
    /// Path of the room's folder as the members file names it, if it does.
    pub file_path: Option<String>,
}

/// An account as read from a members file or a message row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Account {
    pub account_id: String,
    /// Display name with any resigned marker removed.
    pub name: String,
    /// Name exactly as the export wrote it.
    pub raw_name: String,
    pub resigned: bool,
    pub organization: Option<String>,
    pub department: Option<String>,
}

/// One membership row: an account in a room with a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room_id: String,
    pub account_id: String,
    pub role: Role,
}

/// A message in its latest form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub room_id: String,
    pub message_id: String,
    pub account_id: String,
    /// Sender name as the message row wrote it, marker included.
    pub sender_raw_name: String,
    pub sent_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub body: String,
    /// Columns the importer did not recognise, as `(header, value)` pairs.
    pub extra: Vec<(String, String)>,
}

/// The text of a message before one edit or deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub room_id: String,
    pub message_id: String,
    pub kind: RevisionKind,
    pub at: Timestamp,
    pub body_before: String,
}

/// A shared file, kept as a reference: the export holds links, not file bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub room_id: String,
    pub file_id: String,
    pub message_id: Option<String>,
    pub account_id: Option<String>,
    pub filename: String,
    pub filesize: Option<i64>,
    pub uploaded_at: Option<Timestamp>,
    pub url: Option<String>,
}

/// The placeholder body of a deleted message in the admin export.
pub const DELETED_EXPORT: &str = "[delete]";
/// The placeholder body of a deleted message in API v2 JSON.
pub const DELETED_API: &str = "[deleted]";

/// Returns true when a body is one of the deleted-message placeholders.
pub fn is_deleted_body(body: &str) -> bool {
    let trimmed = body.trim();
    trimmed == DELETED_EXPORT || trimmed == DELETED_API
}
