//! The scopes the export dialog offers on each screen: what the screen
//! shows, the room of the selection, and the whole organization.

use crate::export::Scope;
use crate::i18n::Lang;
use crate::query::read::{AccountLabel, RoomSummary};
use crate::tui::browse::Browser;
use crate::tui::format;
use crate::tui::screens::Screen;
use crate::tui::widgets::text::clean;

/// One scope the dialog offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeChoice {
    pub scope: Scope,
    /// Description of the scope as the dialog shows it, with names
    /// already cleaned of control characters.
    pub label: String,
    /// The part of the default file name that names the scope, for
    /// example `room-12345`. It contains IDs only, never names.
    pub name_part: String,
}

/// Returns the scopes valid on the top screen of `browser`, in this order:
/// the current view, the room of the selection, the whole organization.
/// The current view is the filtered rooms, the search results, a person's
/// messages, the edits and deletions, or the message of the detail.
pub fn choices(browser: &Browser, lang: Lang) -> anyhow::Result<Vec<ScopeChoice>> {
    let mut choices = Vec::new();
    let mut room_key = None;
    match browser.screens.last() {
        Some(Screen::Rooms(state)) => {
            let filtered = state.shown_rooms();
            if !state.filter.text().trim().is_empty() && !filtered.is_empty() {
                choices.push(filtered_rooms(&filtered, lang));
            }
            room_key = state.selected_room().map(|room| room.room_key);
        }
        Some(Screen::Timeline(state)) => room_key = Some(state.room.room_key),
        Some(Screen::Participants(state)) => room_key = Some(state.room.room_key),
        Some(Screen::Detail(state)) => {
            let message = &state.detail.message;
            choices.push(ScopeChoice {
                scope: Scope::Messages(vec![message.msg_key]),
                label: lang
                    .pick(
                        "このメッセージ（すべての版）",
                        "This message (every version)",
                    )
                    .into(),
                name_part: format!("message-{}", file_name_id(&message.message_id)),
            });
            room_key = Some(message.room_key);
        }
        Some(Screen::People(state)) => {
            if let Some(person) = state.selected() {
                let keys = browser
                    .session
                    .reader
                    .person_message_keys(person.account.account_key)?;
                choices.push(person_messages(&person.account, keys, lang));
            }
        }
        Some(Screen::PersonMessages(state)) => {
            let keys = browser
                .session
                .reader
                .person_message_keys(state.person.account_key)?;
            choices.push(person_messages(&state.person, keys, lang));
            room_key = state.selected().map(|message| message.room_key);
        }
        Some(Screen::Changes(state)) => {
            if !state.is_empty() {
                choices.push(ScopeChoice {
                    scope: Scope::Messages(state.keys().to_vec()),
                    label: match lang {
                        Lang::Ja => format!(
                            "編集・削除の一覧（{} 件）",
                            format::count(state.len() as i64)
                        ),
                        Lang::En => format!(
                            "Edits and deletions ({} messages)",
                            format::count(state.len() as i64)
                        ),
                    },
                    name_part: "changes".into(),
                });
            }
            room_key = state.selected().map(|message| message.room_key);
        }
        Some(Screen::Search(state)) => {
            if let Some(results) = &state.results {
                let query = clean(&results.query);
                choices.push(ScopeChoice {
                    scope: Scope::Query {
                        query: results.query.clone(),
                        rooms: Vec::new(),
                    },
                    label: match lang {
                        Lang::Ja => format!(
                            "検索結果「{query}」（{} 件）",
                            format::count(results.total as i64)
                        ),
                        Lang::En => format!(
                            "Search results \"{query}\" ({} messages)",
                            format::count(results.total as i64)
                        ),
                    },
                    name_part: "search".into(),
                });
            }
            room_key = state.selected_hit().map(|hit| hit.message.room_key);
        }
        None => {}
    }
    if let Some(room) =
        room_key.and_then(|key| browser.rooms.iter().find(|room| room.room_key == key))
    {
        choices.push(one_room(room, lang));
    }
    choices.push(ScopeChoice {
        scope: Scope::Organization,
        label: match lang {
            Lang::Ja => format!(
                "組織全体（{} ルーム、{} 件）",
                format::count(browser.header.rooms as i64),
                format::count(browser.header.messages)
            ),
            Lang::En => format!(
                "Whole organization ({} rooms, {} messages)",
                format::count(browser.header.rooms as i64),
                format::count(browser.header.messages)
            ),
        },
        name_part: "organization".into(),
    });
    Ok(choices)
}

fn filtered_rooms(rooms: &[&RoomSummary], lang: Lang) -> ScopeChoice {
    let messages: i64 = rooms.iter().map(|room| room.messages).sum();
    ScopeChoice {
        scope: Scope::Rooms(rooms.iter().map(|room| room.room_key).collect()),
        label: match lang {
            Lang::Ja => format!(
                "絞り込んだルーム（{} ルーム、{} 件）",
                format::count(rooms.len() as i64),
                format::count(messages)
            ),
            Lang::En => format!(
                "Filtered rooms ({} rooms, {} messages)",
                format::count(rooms.len() as i64),
                format::count(messages)
            ),
        },
        name_part: "rooms".into(),
    }
}

fn one_room(room: &RoomSummary, lang: Lang) -> ScopeChoice {
    let name = clean(&room.display_name(lang));
    ScopeChoice {
        scope: Scope::Rooms(vec![room.room_key]),
        label: match lang {
            Lang::Ja => format!("ルーム「{name}」（{} 件）", format::count(room.messages)),
            Lang::En => format!(
                "Room \"{name}\" ({} messages)",
                format::count(room.messages)
            ),
        },
        name_part: format!("room-{}", file_name_id(&room.room_id)),
    }
}

fn person_messages(person: &AccountLabel, keys: Vec<i64>, lang: Lang) -> ScopeChoice {
    let name = format::account(person, lang);
    let count = format::count(keys.len() as i64);
    ScopeChoice {
        scope: Scope::Person {
            account_id: person.account_id.clone(),
            keys,
        },
        label: match lang {
            Lang::Ja => format!("{name} の発言（{count} 件）"),
            Lang::En => format!("Messages of {name} ({count})"),
        },
        name_part: format!("person-{}", file_name_id(&person.account_id)),
    }
}

/// Keeps the characters of an ID that are safe in a file name. IDs from
/// an export are digits, so this changes nothing for them.
fn file_name_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
