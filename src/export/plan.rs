//! What an export contains: the scope resolved into rooms, each with the
//! messages to write, and the windows in which those messages are read.
//!
//! Every export writes rooms in the order of their names (then room keys)
//! and each room's messages oldest first, whatever the scope. A plan contains
//! room summaries and, for scopes narrower than whole rooms, the message
//! keys (8 bytes each). Message bodies are only ever read window by window.

use std::collections::{HashMap, HashSet};

use super::{ExportError, Scope};
use crate::query::parse::ParsedQuery;
use crate::query::read::{CaseReader, MessageView, RoomSort, RoomSummary};

/// Runs a search for a query scope: returns the parsed query and the keys
/// of the matching messages.
pub type KeySearch<'a> = dyn FnMut(&str) -> Result<(ParsedQuery, Vec<i64>), ExportError> + 'a;

/// Messages read from the database at a time.
pub const WINDOW: usize = 2_000;

/// The messages of a room that the export contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every message of the room.
    Whole,
    /// These messages, oldest first.
    Keys(Vec<i64>),
}

/// A room of the export.
#[derive(Debug, Clone)]
pub struct PlannedRoom {
    pub room: RoomSummary,
    pub selection: Selection,
    pub messages: u64,
    /// Earlier versions of the selected messages.
    pub revisions: u64,
}

/// The rooms of an export in output order, with totals.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub rooms: Vec<PlannedRoom>,
    pub messages: u64,
    pub revisions: u64,
    /// The parsed query of a query scope.
    pub query: Option<ParsedQuery>,
}

impl Plan {
    /// Resolves a scope. `matching_keys` runs a search and is called only
    /// for a query scope, so other scopes never open the search index.
    pub fn build(
        reader: &CaseReader,
        scope: &Scope,
        matching_keys: &mut KeySearch<'_>,
    ) -> Result<Plan, ExportError> {
        let rooms = reader.rooms(RoomSort::Name)?;
        match scope {
            Scope::Organization => Ok(Plan::whole_rooms(reader, rooms, None)?),
            Scope::Rooms(keys) => {
                let requested: HashSet<i64> = keys.iter().copied().collect();
                for key in &requested {
                    if !rooms.iter().any(|room| room.room_key == *key) {
                        return Err(ExportError::UnknownRoom(key.to_string()));
                    }
                }
                let rooms = rooms
                    .into_iter()
                    .filter(|room| requested.contains(&room.room_key))
                    .collect();
                Ok(Plan::whole_rooms(reader, rooms, None)?)
            }
            Scope::Messages(keys) | Scope::Person { keys, .. } => {
                Ok(Plan::from_keys(reader, rooms, keys, None)?)
            }
            Scope::Query { query, rooms: only } => {
                let (parsed, mut keys) = matching_keys(query)?;
                if !only.is_empty() {
                    let allowed: HashSet<i64> = only.iter().copied().collect();
                    let places = reader.message_places(&keys)?;
                    keys = places
                        .into_iter()
                        .filter(|place| allowed.contains(&place.room_key))
                        .map(|place| place.msg_key)
                        .collect();
                }
                Ok(Plan::from_keys(reader, rooms, &keys, Some(parsed))?)
            }
        }
    }

    fn whole_rooms(
        reader: &CaseReader,
        rooms: Vec<RoomSummary>,
        query: Option<ParsedQuery>,
    ) -> rusqlite::Result<Plan> {
        let revisions = reader.room_revision_counts()?;
        let mut plan = Plan {
            query,
            ..Plan::default()
        };
        for room in rooms {
            let room_revisions = revisions.get(&room.room_key).copied().unwrap_or(0) as u64;
            plan.messages += room.messages as u64;
            plan.revisions += room_revisions;
            plan.rooms.push(PlannedRoom {
                messages: room.messages as u64,
                revisions: room_revisions,
                room,
                selection: Selection::Whole,
            });
        }
        Ok(plan)
    }

    /// Groups message keys by room; unknown and repeated keys are dropped.
    fn from_keys(
        reader: &CaseReader,
        rooms: Vec<RoomSummary>,
        keys: &[i64],
        query: Option<ParsedQuery>,
    ) -> rusqlite::Result<Plan> {
        let mut seen = HashSet::with_capacity(keys.len());
        let unique: Vec<i64> = keys
            .iter()
            .copied()
            .filter(|key| seen.insert(*key))
            .collect();
        let mut by_room: HashMap<i64, (Vec<(i64, i64)>, u64)> = HashMap::new();
        for chunk in unique.chunks(WINDOW) {
            for place in reader.message_places(chunk)? {
                let entry = by_room.entry(place.room_key).or_default();
                entry.0.push((place.sent_at, place.msg_key));
                entry.1 += place.revisions as u64;
            }
        }
        let mut plan = Plan {
            query,
            ..Plan::default()
        };
        for room in rooms {
            let Some((mut places, revisions)) = by_room.remove(&room.room_key) else {
                continue;
            };
            places.sort_unstable();
            let keys: Vec<i64> = places.into_iter().map(|(_, key)| key).collect();
            plan.messages += keys.len() as u64;
            plan.revisions += revisions;
            plan.rooms.push(PlannedRoom {
                room,
                messages: keys.len() as u64,
                revisions,
                selection: Selection::Keys(keys),
            });
        }
        Ok(plan)
    }
}

/// Reads the messages of one planned room window by window, oldest first.
pub struct Windows<'a> {
    reader: &'a CaseReader,
    room_key: i64,
    selection: &'a Selection,
    /// Time and key of the last message read, for a whole room.
    after: Option<(i64, i64)>,
    /// Keys read so far, for a key selection.
    position: usize,
    done: bool,
}

impl<'a> Windows<'a> {
    pub fn new(reader: &'a CaseReader, room: &'a PlannedRoom) -> Windows<'a> {
        Windows {
            reader,
            room_key: room.room.room_key,
            selection: &room.selection,
            after: None,
            position: 0,
            done: false,
        }
    }

    /// Returns the next window, or `None` after the last message.
    pub fn next_window(&mut self) -> rusqlite::Result<Option<Vec<MessageView>>> {
        if self.done {
            return Ok(None);
        }
        let window = match self.selection {
            Selection::Whole => {
                let window =
                    self.reader
                        .room_messages_after(self.room_key, self.after, WINDOW as i64)?;
                if window.len() < WINDOW {
                    self.done = true;
                }
                self.after = window.last().map(|last| (last.sent_at, last.msg_key));
                window
            }
            Selection::Keys(keys) => {
                let mut window = Vec::new();
                // A window stays empty only when its messages vanished after planning.
                while window.is_empty() && self.position < keys.len() {
                    let end = (self.position + WINDOW).min(keys.len());
                    window = self.reader.messages_by_keys(&keys[self.position..end])?;
                    self.position = end;
                }
                if self.position == keys.len() {
                    self.done = true;
                }
                window
            }
        };
        if window.is_empty() {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(window))
    }
}
