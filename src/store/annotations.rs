//! Tags, stars and notes an investigator puts on messages. They live in
//! the case, never in the export, and every change goes to the audit log.

use rusqlite::params;

use super::Case;

/// Tags offered before any are in use, in Japanese: needs review,
/// evidence, not relevant.
pub const DEFAULT_TAGS: [&str; 3] = ["要確認", "証拠", "無関係"];
/// The same tags for an investigator working in English.
pub const DEFAULT_TAGS_EN: [&str; 3] = ["review", "evidence", "irrelevant"];

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn message_ids(case: &Case, msg_keys: &[i64]) -> rusqlite::Result<Vec<String>> {
    let mut statement = case
        .conn()
        .prepare_cached("SELECT CAST(message_id AS TEXT) FROM messages WHERE msg_key = ?1")?;
    let mut ids = Vec::with_capacity(msg_keys.len());
    for key in msg_keys {
        let id: String = statement.query_row([key], |row| row.get(0))?;
        ids.push(id);
    }
    Ok(ids)
}

/// Checks a tag: trimmed, not empty, no line breaks, at most 64 characters.
pub fn clean_tag(tag: &str) -> anyhow::Result<String> {
    let tag = tag.trim();
    if tag.is_empty() || tag.chars().count() > 64 || tag.chars().any(char::is_control) {
        anyhow::bail!("tag {tag:?} is not valid: use 1 to 64 characters without line breaks");
    }
    Ok(tag.to_string())
}

/// Adds a tag to messages; returns how many did not have it yet.
/// `reason` (for example the query of a bulk tag) goes to the audit log.
pub fn add_tag(
    case: &Case,
    msg_keys: &[i64],
    tag: &str,
    reason: Option<&str>,
) -> anyhow::Result<usize> {
    let tag = clean_tag(tag)?;
    let mut added = 0;
    case.conn().execute_batch("BEGIN IMMEDIATE")?;
    {
        let mut statement = case.conn().prepare_cached(
            "INSERT OR IGNORE INTO tags (msg_key, tag, added_at) VALUES (?1, ?2, ?3)",
        )?;
        for key in msg_keys {
            added += statement.execute(params![key, tag, now()])?;
        }
    }
    case.conn().execute_batch("COMMIT")?;
    crate::audit::record(
        case,
        "tag_add",
        serde_json::json!({
            "tag": tag, "messages": msg_keys.len(), "added": added,
            "message_ids": message_ids(case, &msg_keys[..msg_keys.len().min(1000)])?,
            "query": reason,
        }),
    )?;
    Ok(added)
}

/// Removes a tag from messages; returns how many had it.
pub fn remove_tag(
    case: &Case,
    msg_keys: &[i64],
    tag: &str,
    reason: Option<&str>,
) -> anyhow::Result<usize> {
    let tag = tag.trim().to_string();
    let mut removed = 0;
    case.conn().execute_batch("BEGIN IMMEDIATE")?;
    {
        let mut statement = case
            .conn()
            .prepare_cached("DELETE FROM tags WHERE msg_key = ?1 AND tag = ?2")?;
        for key in msg_keys {
            removed += statement.execute(params![key, tag])?;
        }
    }
    case.conn().execute_batch("COMMIT")?;
    crate::audit::record(
        case,
        "tag_remove",
        serde_json::json!({
            "tag": tag, "messages": msg_keys.len(), "removed": removed,
            "message_ids": message_ids(case, &msg_keys[..msg_keys.len().min(1000)])?,
            "query": reason,
        }),
    )?;
    Ok(removed)
}

/// Stars or unstars a message.
pub fn set_star(case: &Case, msg_key: i64, starred: bool) -> anyhow::Result<()> {
    if starred {
        case.conn().execute(
            "INSERT OR IGNORE INTO stars (msg_key, added_at) VALUES (?1, ?2)",
            params![msg_key, now()],
        )?;
    } else {
        case.conn()
            .execute("DELETE FROM stars WHERE msg_key = ?1", [msg_key])?;
    }
    crate::audit::record(
        case,
        if starred { "star_add" } else { "star_remove" },
        serde_json::json!({ "message_ids": message_ids(case, &[msg_key])? }),
    )
}

/// Sets or clears (with `None` or blank text) the note of a message.
/// The audit log records the note's length and SHA-256, not its text.
pub fn set_note(case: &Case, msg_key: i64, note: Option<&str>) -> anyhow::Result<()> {
    let note = note.map(str::trim).filter(|text| !text.is_empty());
    match note {
        Some(text) => case.conn().execute(
            "INSERT INTO notes (msg_key, body, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (msg_key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![msg_key, text, now()],
        )?,
        None => case.conn().execute("DELETE FROM notes WHERE msg_key = ?1", [msg_key])?,
    };
    crate::audit::record(
        case,
        if note.is_some() {
            "note_set"
        } else {
            "note_clear"
        },
        serde_json::json!({
            "message_ids": message_ids(case, &[msg_key])?,
            "characters": note.map_or(0, |text| text.chars().count()),
            "sha256": note.map(|text| crate::import::source::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))),
        }),
    )
}
