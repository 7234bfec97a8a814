//! Writing one room: its folder, members, messages, edit history and files.
//!
//! A room is written from start to end before the next one begins, and
//! keeps in memory only its member list and a few recent messages.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Summary;
use super::history::{self, Change};
use super::layout::{self, CsvFile};
use super::notation::{self, Attachment, BodyKind, FileIds, RecentMessages, Scene};
use super::people::Account;
use super::plan::RoomSlot;
use super::text;
use crate::model::{DELETED_EXPORT, Role};

/// Characters of the 2-character bucket folder above each room folder.
const BUCKET_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Most members of a group chat.
const MAX_GROUP_MEMBERS: usize = 200;
/// Rooms start between 2018-01-01 and 2024-01-01, Japan time (Unix seconds).
const FIRST_START: i64 = 1_514_732_400;
const LAST_START: i64 = 1_704_034_800;
/// Number of messages between two calls of the progress callback.
pub const PROGRESS_INTERVAL: u64 = 8192;

/// The state that the rooms of one export share.
pub struct ExportWriter<'a> {
    pub out: &'a Path,
    pub accounts: &'a [Account],
    pub history: bool,
    pub message_ids: MessageIds,
    pub file_ids: FileIds,
    /// members/members.csv, which lists every room with its members.
    pub index: CsvFile,
    pub summary: Summary,
    pub progress: &'a mut dyn FnMut(u64),
}

/// Source of unique 19-digit message IDs.
///
/// An ID is the send time in Unix seconds times 10^9 plus a permutation of
/// the export-wide message number below 10^9. The permutation is
/// `(number × MULTIPLIER + offset) mod 10^9`, a bijection because the
/// multiplier shares no factor with 10^9, so IDs never collide while fewer
/// than 10^9 messages are written, and IDs grow with send time like
/// Chatwork's.
pub struct MessageIds {
    offset: u64,
    number: u64,
}

/// Upper bound, exclusive, of the message count that `MessageIds` keeps unique.
pub const MAX_MESSAGES: u64 = 1_000_000_000;
const ID_MULTIPLIER: u64 = 738_219_847;

impl MessageIds {
    pub fn new(rng: &mut ChaCha8Rng) -> MessageIds {
        MessageIds {
            offset: rng.random_range(0..MAX_MESSAGES),
            number: 0,
        }
    }

    fn next(&mut self, send_time: i64) -> u64 {
        let low = (self.number * ID_MULTIPLIER + self.offset) % MAX_MESSAGES;
        self.number += 1;
        send_time as u64 * MAX_MESSAGES + low
    }
}

/// Send times of one room: strictly increasing, mostly in working hours.
struct Clock {
    time: i64,
    mean_gap: i64,
}

impl Clock {
    /// Spreads `messages` messages over 30 to 1,500 days from a random start.
    fn new(rng: &mut ChaCha8Rng, messages: u64) -> Clock {
        let start = rng.random_range(FIRST_START..LAST_START);
        let span = rng.random_range(30..=1500i64) * 86_400;
        let mean_gap = (span / messages.max(1) as i64).max(1);
        Clock {
            time: start,
            mean_gap,
        }
    }

    /// Advances by at least one second. A time between midnight and 7:00
    /// moves, nine times in ten, to the next morning between 7:00 and 9:00.
    fn advance(&mut self, rng: &mut ChaCha8Rng) -> i64 {
        self.time += 1 + rng.random_range(0..2 * self.mean_gap - 1);
        let hour = layout::jst_hour(self.time);
        if hour < 7 && rng.random_bool(0.9) {
            self.time += (7 - hour) * 3600 + rng.random_range(0..3600);
        }
        self.time
    }
}

/// Reused buffers for the fields of one message.
#[derive(Default)]
struct MessageBuffers {
    body: String,
    message_id: String,
    send_time: String,
    update_time: String,
    change_time: String,
    file_id: String,
    size: String,
    url: String,
    attachments: Vec<Attachment>,
    changes: Vec<Change>,
}

impl ExportWriter<'_> {
    /// Writes the room's folder and its rows in members/members.csv.
    pub fn write_room(&mut self, slot: &RoomSlot) -> Result<()> {
        let mut rng = ChaCha8Rng::seed_from_u64(slot.seed);
        let bucket: String = (0..2)
            .map(|_| char::from(BUCKET_CHARS[rng.random_range(0..BUCKET_CHARS.len())]))
            .collect();
        let (members, roles) = choose_members(&mut rng, slot, self.accounts.len());
        let room_name = self.room_name(&mut rng, slot, &members);

        let folder = layout::room_folder(&bucket, slot.room_id);
        let directory = self.out.join(&folder);
        fs::create_dir_all(&directory)
            .with_context(|| format!("failed to create {}", directory.display()))?;

        self.write_members(slot, &room_name, &folder, &directory, &members, &roles)?;
        self.write_messages(&mut rng, slot, &room_name, &directory, &members, &roles)?;
        self.summary.rooms += 1;
        Ok(())
    }

    /// Group chats get a name from the templates. A direct chat's name in a
    /// real export is not documented, so it gets both members' names.
    fn room_name(&self, rng: &mut ChaCha8Rng, slot: &RoomSlot, members: &[usize]) -> String {
        let mut name = String::new();
        if slot.direct {
            name.push_str(&self.accounts[members[0]].name);
            name.push('、');
            name.push_str(&self.accounts[members[1]].name);
        } else {
            text::push_room_name(rng, &mut name);
        }
        name
    }

    fn write_members(
        &mut self,
        slot: &RoomSlot,
        room_name: &str,
        folder: &str,
        directory: &Path,
        members: &[usize],
        roles: &[Role],
    ) -> Result<()> {
        let room_id = slot.room_id.to_string();
        let room_type = if slot.direct {
            "ダイレクト"
        } else {
            "グループ"
        };
        let mut room_members = CsvFile::create(
            &directory.join(layout::ROOM_MEMBERS_FILE),
            &layout::ROOM_MEMBERS_HEADER,
        )?;
        for (&member, &role) in members.iter().zip(roles) {
            let account = &self.accounts[member];
            let account_id = account.account_id.to_string();
            let role = role_label(role);
            self.index.write_row([
                room_id.as_str(),
                room_name,
                room_type,
                folder,
                &account_id,
                &account.export_name,
                role,
            ])?;
            room_members.write_row([
                account_id.as_str(),
                &account.export_name,
                role,
                account.organization,
                account.department,
            ])?;
        }
        self.summary.bytes_written += room_members.finish()?;
        Ok(())
    }

    fn write_messages(
        &mut self,
        rng: &mut ChaCha8Rng,
        slot: &RoomSlot,
        room_name: &str,
        directory: &Path,
        members: &[usize],
        roles: &[Role],
    ) -> Result<()> {
        let mut messages = CsvFile::create(
            &directory.join(layout::MESSAGES_FILE),
            &layout::MESSAGES_HEADER,
        )?;
        let mut files =
            CsvFile::create(&directory.join(layout::FILES_FILE), &layout::FILES_HEADER)?;
        let mut logs = if self.history {
            Some(CsvFile::create(
                &directory.join(layout::MESSAGE_LOGS_FILE),
                &layout::MESSAGE_LOGS_HEADER,
            )?)
        } else {
            None
        };

        // Readonly members read but do not post. The first member is always
        // an admin, so the list is never empty.
        let senders: Vec<usize> = members
            .iter()
            .zip(roles)
            .filter(|(_, role)| **role != Role::Readonly)
            .map(|(&member, _)| member)
            .collect();
        let mut clock = Clock::new(rng, slot.messages);
        let mut recent = RecentMessages::default();
        let mut buffers = MessageBuffers::default();

        for index in 0..slot.messages {
            let send_time = clock.advance(rng);
            // Squaring a uniform draw makes the first senders the most active.
            let draw: f64 = rng.random();
            let sender = senders[((draw * draw) * senders.len() as f64) as usize];
            let account = &self.accounts[sender];

            buffers.body.clear();
            buffers.attachments.clear();
            buffers.changes.clear();
            let scene = Scene {
                room_id: slot.room_id,
                room_name,
                direct: slot.direct,
                accounts: self.accounts,
                members,
                send_time,
                recent: &recent,
            };
            let kind = if index == 0 && !slot.direct {
                notation::push_room_created(&scene, &mut buffers.body);
                BodyKind::System
            } else {
                notation::push_body(
                    rng,
                    &scene,
                    &mut self.file_ids,
                    &mut buffers.attachments,
                    &mut buffers.body,
                )
            };
            if kind == BodyKind::User {
                history::push_changes(rng, &buffers.body, send_time, &mut buffers.changes);
            }

            let message_id = self.message_ids.next(send_time);
            buffers.message_id.clear();
            text::push_u64(&mut buffers.message_id, message_id);
            buffers.send_time.clear();
            layout::push_jst(&mut buffers.send_time, send_time);
            buffers.update_time.clear();
            if let Some(last) = buffers.changes.last() {
                layout::push_jst(&mut buffers.update_time, last.time);
            }

            let deleted = buffers
                .changes
                .last()
                .is_some_and(|change| change.kind == history::ChangeKind::Delete);
            let edited = buffers
                .changes
                .iter()
                .any(|change| change.kind == history::ChangeKind::Edit);
            let body = if deleted {
                DELETED_EXPORT
            } else {
                buffers.body.as_str()
            };
            let account_id = account.account_id.to_string();
            messages.write_row([
                buffers.message_id.as_str(),
                &account_id,
                &account.export_name,
                &buffers.send_time,
                &buffers.update_time,
                body,
            ])?;

            for attachment in &buffers.attachments {
                buffers.file_id.clear();
                text::push_u64(&mut buffers.file_id, attachment.file_id);
                buffers.size.clear();
                text::push_u64(&mut buffers.size, attachment.size);
                buffers.url.clear();
                push_file_url(&mut buffers.url, attachment.file_id);
                files.write_row([
                    buffers.file_id.as_str(),
                    &buffers.message_id,
                    &account_id,
                    &account.export_name,
                    &attachment.filename,
                    &buffers.size,
                    &buffers.send_time,
                    &buffers.url,
                ])?;
            }

            if let Some(logs) = logs.as_mut() {
                for change in &buffers.changes {
                    buffers.change_time.clear();
                    layout::push_jst(&mut buffers.change_time, change.time);
                    logs.write_row([
                        buffers.message_id.as_str(),
                        change.kind.label(),
                        &buffers.change_time,
                        &change.body_before,
                    ])?;
                }
                self.summary.revisions += buffers.changes.len() as u64;
            }

            recent.remember(message_id, sender, send_time, body);
            self.summary.messages += 1;
            self.summary.edited += u64::from(edited);
            self.summary.deleted += u64::from(deleted);
            self.summary.files += buffers.attachments.len() as u64;
            if self.summary.messages.is_multiple_of(PROGRESS_INTERVAL) {
                (self.progress)(self.summary.messages);
            }
        }

        self.summary.bytes_written += messages.finish()?;
        self.summary.bytes_written += files.finish()?;
        if let Some(logs) = logs {
            self.summary.bytes_written += logs.finish()?;
        }
        Ok(())
    }
}

/// Chooses the room's members as indices into the accounts, with their
/// roles. A direct chat has two admins. A group chat has more members the
/// more messages it has. Its first member is an admin, and the others are
/// mostly plain members with a few admins and a few readonly members.
fn choose_members(
    rng: &mut ChaCha8Rng,
    slot: &RoomSlot,
    accounts: usize,
) -> (Vec<usize>, Vec<Role>) {
    if slot.direct {
        let pair = rand::seq::index::sample(rng, accounts, 2).into_vec();
        return (pair, vec![Role::Admin, Role::Admin]);
    }

    let size_bits = 64 - slot.messages.leading_zeros() as usize;
    let target_size = 2 + rng.random_range(1..=6) + size_bits * rng.random_range(1..=3);
    let count = target_size.min(MAX_GROUP_MEMBERS).min(accounts);
    let members = rand::seq::index::sample(rng, accounts, count).into_vec();
    let roles = (0..count)
        .map(|index| {
            if index == 0 {
                return Role::Admin;
            }
            match rng.random_range(0..100) {
                0..=9 => Role::Admin,
                10..=16 => Role::Readonly,
                _ => Role::Member,
            }
        })
        .collect();
    (members, roles)
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "管理者",
        Role::Readonly => "閲覧のみ",
        Role::Member | Role::Unknown => "メンバー",
    }
}

/// Appends a download link for a file.
// NOTE: the URL form of a real export is not documented; this one follows
// the Chatwork web client's download links and is never fetched.
fn push_file_url(out: &mut String, file_id: u64) {
    out.push_str("https://www.chatwork.com/gateway/download_file.php?bin=1&file_id=");
    text::push_u64(out, file_id);
}
