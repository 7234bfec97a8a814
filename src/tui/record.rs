//! The console's accountability hooks: every place where an investigator's
//! action is written to the case goes through here.
//!
//! Opening a room or a person and running a search are recorded in the
//! audit log. Tags, stars and notes are changed through
//! `store::annotations`, which records each change in the audit log
//! itself. The entries name rooms, accounts and messages by their IDs.

use std::path::Path;

use crate::query::read::{AccountLabel, RoomSummary};
use crate::store::{Case, annotations};

/// Writes the investigator's actions into one case.
pub struct Recorder {
    case: Case,
}

impl Recorder {
    /// Opens the case for writing.
    pub fn open(case_dir: &Path) -> anyhow::Result<Recorder> {
        Ok(Recorder {
            case: Case::open(case_dir)?,
        })
    }

    pub fn case(&self) -> &Case {
        &self.case
    }

    pub fn opened_room(&self, room: &RoomSummary) -> anyhow::Result<()> {
        crate::audit::record(
            &self.case,
            "open_room",
            serde_json::json!({ "room_id": room.room_id, "interface": "tui" }),
        )
    }

    pub fn opened_person(&self, account: &AccountLabel) -> anyhow::Result<()> {
        crate::audit::record(
            &self.case,
            "open_person",
            serde_json::json!({ "account_id": account.account_id, "interface": "tui" }),
        )
    }

    pub fn searched(&self, query: &str, count: u64) -> anyhow::Result<()> {
        crate::audit::record(
            &self.case,
            "search",
            serde_json::json!({ "query": query, "interface": "tui", "count": count }),
        )
    }

    /// Adds `tag` to messages; returns how many did not have it yet.
    /// `query` is the search a bulk tag applies to.
    pub fn add_tag(
        &self,
        msg_keys: &[i64],
        tag: &str,
        query: Option<&str>,
    ) -> anyhow::Result<usize> {
        annotations::add_tag(&self.case, msg_keys, tag, query)
    }

    /// Removes `tag` from messages; returns how many had it.
    pub fn remove_tag(&self, msg_keys: &[i64], tag: &str) -> anyhow::Result<usize> {
        annotations::remove_tag(&self.case, msg_keys, tag, None)
    }

    pub fn set_star(&self, msg_key: i64, starred: bool) -> anyhow::Result<()> {
        annotations::set_star(&self.case, msg_key, starred)
    }

    /// Sets the note of a message; blank text removes it.
    pub fn set_note(&self, msg_key: i64, note: &str) -> anyhow::Result<()> {
        annotations::set_note(&self.case, msg_key, Some(note))
    }
}

/// Tags offered in the tag picker before the tags in use and free text,
/// in the language of the screens.
pub fn default_tags(lang: crate::i18n::Lang) -> &'static [&'static str] {
    match lang {
        crate::i18n::Lang::Ja => &annotations::DEFAULT_TAGS,
        crate::i18n::Lang::En => &annotations::DEFAULT_TAGS_EN,
    }
}
