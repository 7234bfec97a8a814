//! Synthetic Chatwork exports for benchmarks and scale tests.
//!
//! `generate` writes an export in the reference layout:
//!
//! ```text
//! <out>/members/members.csv
//! <out>/rooms/<xx>/<room_id>/messages.csv
//! <out>/rooms/<xx>/<room_id>/message_logs.csv   (with Options::history)
//! <out>/rooms/<xx>/<room_id>/files.csv
//! <out>/rooms/<xx>/<room_id>/members.csv
//! ```
//!
//! Headers are Japanese, files are UTF-8 with a byte order mark and CRLF
//! line ends, and times are `YYYY-MM-DD HH:MM:SS` in Japan time. The same
//! options always produce byte-identical files. Rooms are written one after
//! the other, so memory grows with the number of rooms and accounts but
//! not with the number of messages.

mod history;
mod layout;
mod notation;
mod people;
mod plan;
mod room;
mod text;
mod vocabulary;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use self::notation::FileIds;
use self::room::{ExportWriter, MAX_MESSAGES, MessageIds};

/// Settings of one generated export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Number of rooms, at least 1.
    pub rooms: u32,
    /// Number of messages over all rooms, below 1,000,000,000.
    pub messages: u64,
    /// Seed of the random generator: the same options give the same export.
    pub seed: u64,
    /// Number of accounts, or 0 for `default_accounts(rooms)`.
    pub accounts: u32,
    /// Write message_logs.csv with the text before each edit and deletion.
    pub history: bool,
}

impl Options {
    /// Options with the default account count and edit history on.
    pub fn new(rooms: u32, messages: u64, seed: u64) -> Options {
        Options {
            rooms,
            messages,
            seed,
            accounts: default_accounts(rooms),
            history: true,
        }
    }
}

/// Returns about two accounts per room, at least 12 so that group chats
/// have several members and at most 50,000.
pub fn default_accounts(rooms: u32) -> u32 {
    rooms.saturating_mul(2).clamp(12, 50_000)
}

/// Counts of what `generate` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub rooms: u64,
    pub accounts: u64,
    pub messages: u64,
    /// Messages edited at least once, including some later deleted.
    pub edited: u64,
    /// Messages whose body is `[delete]`.
    pub deleted: u64,
    /// Rows of message_logs.csv, 0 when history is off.
    pub revisions: u64,
    /// Rows of files.csv, one per file link in a message body.
    pub files: u64,
    /// Size of all files written, in bytes.
    pub bytes_written: u64,
}

/// Writes a synthetic export into `out`, which must be missing or an empty
/// directory.
///
/// Every room gets at least one message when `messages >= rooms`. With
/// fewer messages, the rooms with the largest planned share get one message
/// each and the others get a messages.csv with only the header.
/// `progress` receives the number of messages written so far, every 8,192
/// messages and once at the end.
pub fn generate(out: &Path, options: &Options, progress: &mut dyn FnMut(u64)) -> Result<Summary> {
    validate(options)?;
    prepare_output(out)?;

    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let account_count = if options.accounts == 0 {
        default_accounts(options.rooms)
    } else {
        options.accounts
    };
    let accounts = people::generate_accounts(&mut rng, account_count);
    let slots = plan::plan_rooms(&mut rng, options.rooms, options.messages, accounts.len());

    let index_path = out.join(layout::MEMBERS_INDEX_PATH);
    let mut writer = ExportWriter {
        out,
        accounts: &accounts,
        history: options.history,
        message_ids: MessageIds::new(&mut rng),
        file_ids: FileIds::new(&mut rng),
        index: layout::CsvFile::create(&index_path, &layout::MEMBERS_INDEX_HEADER)?,
        summary: Summary {
            accounts: accounts.len() as u64,
            ..Summary::default()
        },
        progress,
    };
    for slot in &slots {
        writer.write_room(slot)?;
    }

    let mut summary = writer.summary;
    summary.bytes_written += writer.index.finish()?;
    (writer.progress)(summary.messages);
    Ok(summary)
}

fn validate(options: &Options) -> Result<()> {
    if options.rooms == 0 {
        bail!("invalid room count 0: an export needs at least 1 room");
    }
    if options.messages >= MAX_MESSAGES {
        bail!(
            "invalid message count {}: the generator keeps message IDs unique \
             only below {MAX_MESSAGES} messages",
            options.messages
        );
    }
    Ok(())
}

/// Creates `out` with its members and rooms folders. Rejects a directory
/// with content, because files of an earlier export would mix with the new
/// one.
fn prepare_output(out: &Path) -> Result<()> {
    if out.exists() {
        let mut entries = fs::read_dir(out)
            .with_context(|| format!("failed to read output directory {}", out.display()))?;
        if entries.next().is_some() {
            bail!(
                "output directory {} is not empty: choose a new directory or remove this one",
                out.display()
            );
        }
    }
    for folder in ["members", "rooms"] {
        let path = out.join(folder);
        fs::create_dir_all(&path)
            .with_context(|| format!("failed to create {}", path.display()))?;
    }
    Ok(())
}
