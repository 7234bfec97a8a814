//! The mapping file: a TOML file a user edits when an export's file names
//! or headers differ from every layout cwlens reads.
//!
//! ```toml
//! [files]
//! members = "members/members.csv"   # relative to the export folder
//! rooms = "rooms"                   # folder that holds one folder per room
//! messages = "messages.csv"         # file names inside a room folder
//! message_logs = "message_logs.csv"
//! files = "files.csv"
//! room_members = "members.csv"
//!
//! [columns.messages]
//! message_id = "Msg No"
//! body = "Text"
//!
//! [options]
//! encoding = "cp932"               # skip detection
//! ```

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::columns::FileKind;
use super::source::TextEncoding;

/// A parsed mapping file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub files: FileNames,
    /// Header per logical field, per file kind (`messages`, `message_logs`, `files`, `members`, `room_members`).
    #[serde(default)]
    pub columns: HashMap<String, HashMap<String, String>>,
    #[serde(default)]
    pub options: MappingOptions,
}

/// File and folder names of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileNames {
    pub members: String,
    pub rooms: String,
    pub messages: String,
    pub message_logs: String,
    pub files: String,
    pub room_members: String,
}

impl Default for FileNames {
    fn default() -> Self {
        FileNames {
            members: "members/members.csv".into(),
            rooms: "rooms".into(),
            messages: "messages.csv".into(),
            message_logs: "message_logs.csv".into(),
            files: "files.csv".into(),
            room_members: "members.csv".into(),
        }
    }
}

/// Settings that skip detection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingOptions {
    pub encoding: Option<String>,
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> anyhow::Result<Mapping> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the mapping file {}", path.display()))?;
        let mapping: Mapping = toml::from_str(&text).with_context(|| {
            format!(
                "the mapping file {} is not valid; `cwlens doctor <EXPORT>` prints one to start from",
                path.display()
            )
        })?;
        for (kind, fields) in &mapping.columns {
            let file_kind = FileKind::parse(kind).with_context(|| {
                format!(
                    "{}: [columns.{kind}] is not a file kind; use one of members, room_members, messages, message_logs, files",
                    path.display()
                )
            })?;
            for field in fields.keys() {
                if !file_kind.fields().iter().any(|known| known.name == field) {
                    let names: Vec<&str> =
                        file_kind.fields().iter().map(|known| known.name).collect();
                    anyhow::bail!(
                        "{}: [columns.{kind}] names the unknown field {field:?}; known fields: {}",
                        path.display(),
                        names.join(", ")
                    );
                }
            }
        }
        if let Some(label) = &mapping.options.encoding
            && TextEncoding::from_label(label).is_none()
        {
            anyhow::bail!(
                "{}: encoding {label:?} is not supported; use utf-8, utf-8-bom, utf-16le, utf-16be or cp932",
                path.display()
            );
        }
        Ok(mapping)
    }

    /// Header overrides for one kind of file.
    pub fn overrides(&self, kind: FileKind) -> Option<&HashMap<String, String>> {
        self.columns.get(kind.as_str())
    }

    pub fn encoding(&self) -> Option<TextEncoding> {
        self.options
            .encoding
            .as_deref()
            .and_then(TextEncoding::from_label)
    }

    /// Returns the file name the mapping sets for a kind of room file.
    pub fn room_file_name(&self, kind: FileKind) -> &str {
        match kind {
            FileKind::Messages => &self.files.messages,
            FileKind::MessageLogs => &self.files.message_logs,
            FileKind::Files => &self.files.files,
            FileKind::RoomMembers => &self.files.room_members,
            FileKind::Members => &self.files.members,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_mapping_keeps_defaults() {
        let mapping: Mapping = toml::from_str("[columns.messages]\nbody = \"Text\"\n").unwrap();
        assert_eq!(mapping.files, FileNames::default());
        assert_eq!(
            mapping.overrides(FileKind::Messages).unwrap()["body"],
            "Text"
        );
    }

    #[test]
    fn unknown_field_is_rejected_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.toml");
        std::fs::write(&path, "[columns.messages]\nbodyy = \"Text\"\n").unwrap();
        let error = Mapping::load(&path).unwrap_err().to_string();
        assert!(error.contains("bodyy"), "{error}");
    }
}
