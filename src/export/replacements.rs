//! The list of messages whose text lost characters to the CSV encoding.
//!
//! The list can have an entry for every message (emoji are common), so it
//! goes to a scratch file as JSON lines while the export runs and is read
//! back one line at a time when the manifest is written. Memory holds only
//! the first [`REPORTED`] entries, which the caller gets for display.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};

use super::ExportError;

/// Entries of the list that the export report carries in memory.
pub const REPORTED: usize = 1_000;

/// A message whose text lost characters to the target encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacedMessage {
    pub room_id: String,
    pub message_id: String,
    /// Each replaced character once, as `U+XXXX`, in order of first occurrence.
    pub characters: Vec<String>,
}

impl ReplacedMessage {
    /// Describes the characters `replaced` in a message.
    pub fn new(room_id: &str, message_id: &str, replaced: &[char]) -> ReplacedMessage {
        let mut characters: Vec<String> = Vec::new();
        for c in replaced {
            let code = format!("U+{:04X}", *c as u32);
            if !characters.contains(&code) {
                characters.push(code);
            }
        }
        ReplacedMessage {
            room_id: room_id.to_string(),
            message_id: message_id.to_string(),
            characters,
        }
    }
}

/// Collects replaced messages into a scratch file.
pub struct ReplacementLog {
    path: PathBuf,
    writer: BufWriter<File>,
    count: u64,
    first: Vec<ReplacedMessage>,
}

impl ReplacementLog {
    /// Creates the scratch file at `path`; the caller removes it.
    pub fn create(path: &Path) -> Result<ReplacementLog, ExportError> {
        let file = File::create(path).map_err(|source| ExportError::Write {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(ReplacementLog {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
            count: 0,
            first: Vec::new(),
        })
    }

    pub fn push(&mut self, message: ReplacedMessage) -> Result<(), ExportError> {
        let mut line = serde_json::to_vec(&message)?;
        line.push(b'\n');
        self.writer
            .write_all(&line)
            .map_err(|source| ExportError::Write {
                path: self.path.clone(),
                source,
            })?;
        self.count += 1;
        if self.first.len() < REPORTED {
            self.first.push(message);
        }
        Ok(())
    }

    /// Flushes the scratch file and returns the finished list.
    pub fn finish(mut self) -> Result<ReplacementList, ExportError> {
        self.writer.flush().map_err(|source| ExportError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(ReplacementList {
            path: Some(self.path),
            count: self.count,
            first: self.first,
        })
    }
}

/// Every replaced message of an export: serializes as a JSON array read
/// from the scratch file.
#[derive(Debug, Default)]
pub struct ReplacementList {
    /// The scratch file, or `None` when nothing could be replaced.
    path: Option<PathBuf>,
    pub count: u64,
    /// The first [`REPORTED`] entries.
    pub first: Vec<ReplacedMessage>,
}

impl Serialize for ReplacementList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;

        let Some(path) = &self.path else {
            return serializer.collect_seq(std::iter::empty::<ReplacedMessage>());
        };
        let file = File::open(path).map_err(S::Error::custom)?;
        let mut failure = None;
        let entries = BufReader::new(file).lines().map_while(|line| {
            let parsed = line.map_err(|error| error.to_string()).and_then(|line| {
                serde_json::from_str::<ReplacedMessage>(&line).map_err(|e| e.to_string())
            });
            match parsed {
                Ok(message) => Some(message),
                Err(error) => {
                    failure = Some(error);
                    None
                }
            }
        });
        let result = serializer.collect_seq(entries);
        match failure {
            Some(error) => Err(S::Error::custom(format!(
                "cannot read back {}: {error}",
                path.display()
            ))),
            None => result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_listed_once_in_order() {
        let message = ReplacedMessage::new("1", "2", &['🙏', '𠮷', '🙏']);
        assert_eq!(message.characters, ["U+1F64F", "U+20BB7"]);
    }

    #[test]
    fn list_serializes_from_scratch_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("replaced.partial");
        let mut log = ReplacementLog::create(&path).unwrap();
        for id in 0..(REPORTED + 5) {
            log.push(ReplacedMessage::new("1", &id.to_string(), &['🙏']))
                .unwrap();
        }
        let list = log.finish().unwrap();
        assert_eq!(list.count, REPORTED as u64 + 5);
        assert_eq!(list.first.len(), REPORTED);

        let json: Vec<ReplacedMessage> =
            serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(json.len(), REPORTED + 5);
        assert_eq!(json[REPORTED + 4].message_id, (REPORTED + 4).to_string());
    }

    #[test]
    fn empty_list_is_empty_array() {
        let list = ReplacementList::default();
        assert_eq!(serde_json::to_string(&list).unwrap(), "[]");
    }
}
