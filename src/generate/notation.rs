//! Message bodies in Chatwork notation: mentions, replies, quotes, info
//! boxes, tasks, file links, code blocks and system messages around the
//! prose from `text.rs`.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::layout::JST_OFFSET_SECONDS;
use super::people::Account;
use super::text;

/// How many recent messages a room keeps for replies and quotes.
pub const RECENT_CAPACITY: usize = 8;
/// Longest quoted excerpt, in characters.
const QUOTE_MAX_CHARS: usize = 120;
/// Most members a "group chat created" system message lists.
const CREATED_MAX_MEMBERS: usize = 20;

/// A file link written into a body, for the room's files.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_id: u64,
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
}

/// A message that a later message may reply to or quote.
#[derive(Debug, Clone, Default)]
struct RecentMessage {
    message_id: u64,
    account: usize,
    send_time: i64,
    /// The first `QUOTE_MAX_CHARS` characters of the plain-text body.
    excerpt: String,
}

/// The last few plain-text messages of a room, in a ring buffer.
#[derive(Debug, Default)]
pub struct RecentMessages {
    entries: Vec<RecentMessage>,
    next: usize,
}

impl RecentMessages {
    /// Remembers a message, unless its body contains notation: quoting
    /// only plain text keeps quotes from nesting without bound.
    pub fn remember(&mut self, message_id: u64, account: usize, send_time: i64, body: &str) {
        if body.contains('[') {
            return;
        }
        if self.entries.len() < RECENT_CAPACITY {
            self.entries.push(RecentMessage::default());
        }
        let entry = &mut self.entries[self.next];
        self.next = (self.next + 1) % RECENT_CAPACITY;
        entry.message_id = message_id;
        entry.account = account;
        entry.send_time = send_time;
        entry.excerpt.clear();
        entry.excerpt.extend(body.chars().take(QUOTE_MAX_CHARS));
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<&RecentMessage> {
        if self.entries.is_empty() {
            None
        } else {
            Some(&self.entries[rng.random_range(0..self.entries.len())])
        }
    }
}

/// What a composed body is, which decides whether its sender can later
/// edit or delete it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Written by the sender.
    User,
    /// A system message: room created, member changes, tasks, uploads.
    System,
}

/// Everything about the room and the message that a body can refer to.
pub struct Scene<'a> {
    pub room_id: u64,
    pub room_name: &'a str,
    pub direct: bool,
    pub accounts: &'a [Account],
    /// Indices into `accounts` of the room's members.
    pub members: &'a [usize],
    pub send_time: i64,
    pub recent: &'a RecentMessages,
}

/// Source of unique file IDs for the whole export.
pub struct FileIds {
    next: u64,
}

impl FileIds {
    /// Starts at a random 9-digit ID.
    pub fn new(rng: &mut ChaCha8Rng) -> FileIds {
        FileIds {
            next: rng.random_range(100_000_000..300_000_000),
        }
    }

    fn take(&mut self, rng: &mut ChaCha8Rng) -> u64 {
        self.next += rng.random_range(1..=40);
        self.next
    }
}

/// Appends the body of the room's first message: the "group chat created"
/// system message that lists the room name and the first members.
pub fn push_room_created(scene: &Scene, out: &mut String) {
    out.push_str("[info][title][dtext:chatroom_groupchat_created][/title]");
    out.push_str("[dtext:chatroom_chatname_is]");
    out.push_str(scene.room_name);
    out.push_str("[dtext:chatroom_set]\n\n[dtext:chatroom_member_is]");
    for &member in scene.members.iter().take(CREATED_MAX_MEMBERS) {
        push_tag_with_id(out, "[piconname:", scene.accounts[member].account_id);
    }
    out.push_str("[dtext:chatroom_added][/info]");
}

/// Appends a random body and records its file links in `attachments`.
pub fn push_body(
    rng: &mut ChaCha8Rng,
    scene: &Scene,
    file_ids: &mut FileIds,
    attachments: &mut Vec<Attachment>,
    out: &mut String,
) -> BodyKind {
    match rng.random_range(0..1000) {
        0..=219 => text::push_short_reply(rng, out),
        220..=739 => {
            push_mentions(rng, scene, out);
            text::push_message_text(rng, out);
        }
        740..=829 => push_reply(rng, scene, out),
        830..=859 => push_quote(rng, scene, out),
        860..=894 => push_info(rng, out),
        895..=924 => {
            push_task(rng, scene, out);
            return BodyKind::System;
        }
        925..=964 => return push_upload(rng, scene, file_ids, attachments, out),
        965..=974 if !scene.direct => {
            push_membership_change(rng, scene, out);
            return BodyKind::System;
        }
        965..=974 => text::push_message_text(rng, out),
        975..=989 => text::push_report(rng, out),
        _ => {
            text::push_message_text(rng, out);
            out.push_str("\n[code]");
            text::push_code_snippet(rng, out);
            out.push_str("[/code]");
        }
    }
    BodyKind::User
}

/// Appends `[To:id]名前さん` lines or `[toall]` in three of ten calls for a
/// group chat, and nothing for a direct chat.
fn push_mentions(rng: &mut ChaCha8Rng, scene: &Scene, out: &mut String) {
    if scene.direct || !rng.random_bool(0.3) {
        return;
    }
    if rng.random_bool(0.05) {
        out.push_str("[toall]\n");
        return;
    }
    let count = if rng.random_bool(0.8) {
        1
    } else {
        rng.random_range(2..=4)
    };
    for _ in 0..count {
        let member = scene.members[rng.random_range(0..scene.members.len())];
        let account = &scene.accounts[member];
        push_tag_with_id(out, "[To:", account.account_id);
        out.push_str(&account.name);
        out.push_str("さん\n");
    }
}

/// Appends `[rp aid=… to=room-message]名前さん` and a response. Without an
/// earlier message to reply to, appends only the response.
fn push_reply(rng: &mut ChaCha8Rng, scene: &Scene, out: &mut String) {
    if let Some(target) = scene.recent.pick(rng) {
        let account = &scene.accounts[target.account];
        out.push_str("[rp aid=");
        text::push_u64(out, account.account_id);
        out.push_str(" to=");
        text::push_u64(out, scene.room_id);
        out.push('-');
        text::push_u64(out, target.message_id);
        out.push(']');
        out.push_str(&account.name);
        out.push_str("さん\n");
    }
    if rng.random_bool(0.5) {
        text::push_short_reply(rng, out);
    } else {
        text::push_message_text(rng, out);
    }
}

/// Appends `[qt][qtmeta aid=… time=…]…[/qt]` and a comment. One quote in
/// ten nests a second one.
fn push_quote(rng: &mut ChaCha8Rng, scene: &Scene, out: &mut String) {
    let Some(target) = scene.recent.pick(rng) else {
        text::push_message_text(rng, out);
        return;
    };
    let nested = if rng.random_bool(0.1) {
        scene.recent.pick(rng)
    } else {
        None
    };

    push_quote_open(rng, scene, target, out);
    if let Some(inner) = nested {
        push_quote_open(rng, scene, inner, out);
        out.push_str(&inner.excerpt);
        out.push_str("[/qt]\n");
    }
    out.push_str(&target.excerpt);
    out.push_str("[/qt]\n");
    text::push_message_text(rng, out);
}

/// Appends `[qt][qtmeta aid=… time=…]`, leaving out `time` one time in twenty.
fn push_quote_open(rng: &mut ChaCha8Rng, scene: &Scene, target: &RecentMessage, out: &mut String) {
    out.push_str("[qt][qtmeta aid=");
    text::push_u64(out, scene.accounts[target.account].account_id);
    if rng.random_bool(0.95) {
        out.push_str(" time=");
        text::push_u64(out, target.send_time as u64);
    }
    out.push(']');
}

/// Appends `[info][title]…[/title]…[/info]`, sometimes with `[hr]`.
fn push_info(rng: &mut ChaCha8Rng, out: &mut String) {
    if rng.random_bool(0.3) {
        text::push_message_text(rng, out);
        out.push('\n');
    }
    out.push_str("[info][title]");
    text::push_info_title(rng, out);
    out.push_str("[/title]");
    for index in 0..rng.random_range(1..=4) {
        if index > 0 {
            out.push_str(if rng.random_bool(0.3) { "[hr]" } else { "\n" });
        }
        out.push('・');
        text::push_sentence(rng, out);
    }
    out.push_str("[/info]");
}

/// Appends a "task added" or "task done" system message with a task card.
/// One task in five has no deadline (`lt=0 ltype=none`).
fn push_task(rng: &mut ChaCha8Rng, scene: &Scene, out: &mut String) {
    let done = rng.random_bool(0.35);
    let assignee = scene.members[rng.random_range(0..scene.members.len())];
    out.push_str("[info][title]");
    out.push_str(if done {
        "[dtext:task_done]"
    } else {
        "[dtext:task_added]"
    });
    out.push_str("[/title][task aid=");
    text::push_u64(out, scene.accounts[assignee].account_id);
    out.push_str(if done { " st=done lt=" } else { " st=open lt=" });
    if rng.random_bool(0.8) {
        // Deadlines are midnight in Japan, a few days after the message.
        let day =
            (scene.send_time + JST_OFFSET_SECONDS).div_euclid(86_400) + rng.random_range(1..=14);
        text::push_u64(out, (day * 86_400 - JST_OFFSET_SECONDS) as u64);
        out.push_str(" ltype=date]");
    } else {
        out.push_str("0 ltype=none]");
    }
    text::push_task_text(rng, out);
    out.push_str("[/task][/info]");
}

/// Appends a file link, either as the "file uploaded" system message or
/// after some text; images also get a `[preview]` thumbnail.
fn push_upload(
    rng: &mut ChaCha8Rng,
    scene: &Scene,
    file_ids: &mut FileIds,
    attachments: &mut Vec<Attachment>,
    out: &mut String,
) -> BodyKind {
    let system = rng.random_bool(0.5);
    if system {
        out.push_str("[info][title][dtext:file_uploaded][/title]");
    } else {
        push_mentions(rng, scene, out);
        text::push_message_text(rng, out);
        out.push('\n');
    }

    let files = if !system && rng.random_bool(0.15) {
        2
    } else {
        1
    };
    for index in 0..files {
        if index > 0 {
            out.push('\n');
        }
        let file_id = file_ids.take(rng);
        let mut filename = String::new();
        let image = text::push_file_name(rng, &mut filename);
        let size = file_size(rng);
        push_tag_with_id(out, "[download:", file_id);
        out.push_str(&filename);
        out.push_str(" (");
        push_size(out, size);
        out.push_str(")[/download]");
        if image {
            out.push_str("[preview id=");
            text::push_u64(out, file_id);
            out.push_str(" ht=150]");
        }
        attachments.push(Attachment {
            file_id,
            filename,
            size,
        });
    }

    if system {
        out.push_str("[/info]");
        BodyKind::System
    } else {
        BodyKind::User
    }
}

/// Appends a member added, removed or left message, or a room renamed one.
fn push_membership_change(rng: &mut ChaCha8Rng, scene: &Scene, out: &mut String) {
    out.push_str("[info]");
    let change = rng.random_range(0..4);
    if change == 3 {
        out.push_str("[dtext:chatroom_chatname_is]");
        out.push_str(scene.room_name);
        out.push_str("[dtext:chatroom_set]");
    } else {
        let member = scene.members[rng.random_range(0..scene.members.len())];
        out.push_str("[dtext:chatroom_member_is]");
        push_tag_with_id(out, "[piconname:", scene.accounts[member].account_id);
        out.push_str(match change {
            0 => "[dtext:chatroom_added]",
            1 => "[dtext:chatroom_deleted]",
            _ => "[dtext:chatroom_leaved]",
        });
    }
    out.push_str("[/info]");
}

/// Draws a file size in bytes between 100 B and about 51 MB, eight in ten
/// of them between 10 KB and 5.1 MB.
fn file_size(rng: &mut ChaCha8Rng) -> u64 {
    let scale = match rng.random_range(0..10) {
        0 => 100,
        1..=4 => 10_000,
        5..=8 => 100_000,
        _ => 1_000_000,
    };
    scale * rng.random_range(1..=50) + rng.random_range(0..scale)
}

/// Appends a size the way Chatwork shows it in a file link, rounded to
/// hundredths: `247.60 KB`.
fn push_size(out: &mut String, bytes: u64) {
    let (divisor, unit) = if bytes < 1024 * 1024 {
        (1024, " KB")
    } else {
        (1024 * 1024, " MB")
    };
    let hundredths = (bytes * 100 + divisor / 2) / divisor;
    text::push_u64(out, hundredths / 100);
    out.push('.');
    let fraction = hundredths % 100;
    if fraction < 10 {
        out.push('0');
    }
    text::push_u64(out, fraction);
    out.push_str(unit);
}

/// Appends `prefix`, the ID and `]`, as in `[To:123]`.
fn push_tag_with_id(out: &mut String, prefix: &str, id: u64) {
    out.push_str(prefix);
    text::push_u64(out, id);
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_size_uses_two_decimals() {
        for (bytes, expected) in [
            (512, "0.50 KB"),
            (253_542, "247.60 KB"),
            (1024 * 1024, "1.00 MB"),
            (5 * 1024 * 1024 + 1024 * 1024 / 10, "5.10 MB"),
        ] {
            let mut out = String::new();
            push_size(&mut out, bytes);
            assert_eq!(out, expected, "{bytes} bytes");
        }
    }

    #[test]
    fn recent_messages_skip_notation() {
        let mut recent = RecentMessages::default();
        recent.remember(1, 0, 10, "[info]x[/info]");
        assert!(recent.entries.is_empty());
        for id in 0..20 {
            recent.remember(id, 0, 10, "了解です");
        }
        assert_eq!(recent.entries.len(), RECENT_CAPACITY);
    }
}
