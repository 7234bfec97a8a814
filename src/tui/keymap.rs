//! The key map: which key does what on which screen.
//!
//! This is the only place that turns terminal events into [`Action`]s. The
//! help overlay lists the same tables, so what `?` shows is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use super::action::Action;
use super::widgets::input::Edit;
use crate::i18n::Lang;

/// The place of the keyboard focus. Each context has its own bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The form for the investigator's name and the purpose.
    Setup,
    /// The progress screen of an import.
    Importing,
    Rooms,
    RoomsFilter,
    Timeline,
    Detail,
    Participants,
    People,
    PersonMessages,
    Changes,
    Search,
    SearchInput,
    /// A one-line prompt over the screen: free tag, note or date.
    Prompt,
    /// A short list over the screen: the tag picker.
    Choice,
    /// The export form with the focus on a choice (scope, format,
    /// encoding, history).
    ExportForm,
    /// The export form with the focus on the destination path.
    ExportPath,
    /// The progress of a running export.
    ExportRunning,
    /// The result of a finished or cancelled export.
    ExportDone,
    Help,
}

impl Context {
    /// True when typed characters go into a text field.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Setup
                | Context::RoomsFilter
                | Context::SearchInput
                | Context::Prompt
                | Context::ExportPath
        )
    }
}

/// A key as the tables write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

impl Key {
    fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match (self, event.code) {
            (Key::Char(wanted), KeyCode::Char(c)) => !ctrl && c == wanted,
            (Key::Ctrl(wanted), KeyCode::Char(c)) => ctrl && c.eq_ignore_ascii_case(&wanted),
            (Key::Code(wanted), code) => !ctrl && code == wanted,
            _ => false,
        }
    }

    /// Returns the key as the help overlay shows it.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Code(code) => match code {
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::Backspace => "Backspace".into(),
                KeyCode::Delete => "Del".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

/// One row of a key table.
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub ja: &'static str,
    pub en: &'static str,
}

impl Binding {
    /// Returns the keys joined for the help overlay, for example `j ↓`.
    pub fn key_labels(&self) -> String {
        self.keys
            .iter()
            .map(|key| key.label())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn description(&self, lang: Lang) -> &'static str {
        lang.pick(self.ja, self.en)
    }
}

const fn bind(keys: &'static [Key], action: Action, ja: &'static str, en: &'static str) -> Binding {
    Binding {
        keys,
        action,
        ja,
        en,
    }
}

use Key::{Char, Code, Ctrl};

/// Moving in a list or a timeline.
static MOVEMENT: &[Binding] = &[
    bind(
        &[Char('j'), Code(KeyCode::Down)],
        Action::Down,
        "下へ",
        "down",
    ),
    bind(&[Char('k'), Code(KeyCode::Up)], Action::Up, "上へ", "up"),
    bind(
        &[Code(KeyCode::PageDown), Ctrl('f'), Char(' ')],
        Action::PageDown,
        "1画面下へ",
        "page down",
    ),
    bind(
        &[Code(KeyCode::PageUp), Ctrl('b')],
        Action::PageUp,
        "1画面上へ",
        "page up",
    ),
    bind(
        &[Ctrl('d')],
        Action::HalfPageDown,
        "半画面下へ",
        "half page down",
    ),
    bind(
        &[Ctrl('u')],
        Action::HalfPageUp,
        "半画面上へ",
        "half page up",
    ),
    bind(
        &[Char('g'), Code(KeyCode::Home)],
        Action::Top,
        "先頭へ",
        "first row",
    ),
    bind(
        &[Char('G'), Code(KeyCode::End)],
        Action::Bottom,
        "末尾へ",
        "last row",
    ),
];

/// Keys that work on every browsing screen.
static GLOBAL: &[Binding] = &[
    bind(&[Char('?')], Action::ToggleHelp, "キー一覧", "list of keys"),
    bind(&[Code(KeyCode::Esc)], Action::Back, "戻る", "back"),
    bind(&[Char('/')], Action::ShowSearch, "検索", "search"),
    bind(
        &[Char('e')],
        Action::Export,
        "書き出し（CSV・HTML）",
        "export (CSV or HTML)",
    ),
    bind(&[Char('1')], Action::ShowRooms, "ルーム一覧", "rooms"),
    bind(&[Char('2')], Action::ShowPeople, "人の一覧", "people"),
    bind(
        &[Char('3')],
        Action::ShowChanges,
        "編集・削除の一覧",
        "edits and deletions",
    ),
    bind(
        &[Code(KeyCode::Tab)],
        Action::FocusNext,
        "フォーカス移動",
        "next focus",
    ),
    bind(
        &[Code(KeyCode::BackTab)],
        Action::FocusPrevious,
        "フォーカスを戻す",
        "previous focus",
    ),
    bind(&[Char('q'), Ctrl('c')], Action::Quit, "終了", "quit"),
];

static ROOMS: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "ルームを開く",
        "open the room",
    ),
    bind(
        &[Char('f')],
        Action::FocusFilter,
        "名前で絞り込む",
        "filter by name",
    ),
    bind(
        &[Char('o')],
        Action::CycleSort,
        "並べ替える列を変える",
        "sort by next column",
    ),
    bind(
        &[Char('O')],
        Action::ReverseSort,
        "並び順を逆にする",
        "reverse the order",
    ),
];

static TIMELINE: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "メッセージの詳細と履歴",
        "message details and history",
    ),
    bind(
        &[Char('r')],
        Action::JumpToReply,
        "返信先へ移動",
        "go to the replied message",
    ),
    bind(
        &[Char('d')],
        Action::JumpToDate,
        "日付へ移動",
        "go to a date",
    ),
    bind(
        &[Char('p')],
        Action::ShowParticipants,
        "参加者",
        "participants",
    ),
    bind(
        &[Char('n')],
        Action::NextHit,
        "次の検索結果",
        "next search hit",
    ),
    bind(
        &[Char('N')],
        Action::PreviousHit,
        "前の検索結果",
        "previous search hit",
    ),
    bind(
        &[Char('t')],
        Action::Tag,
        "タグを付ける・外す",
        "add or remove a tag",
    ),
    bind(
        &[Char('s')],
        Action::ToggleStar,
        "スターを付ける・外す",
        "star or unstar",
    ),
    bind(&[Char('m')], Action::Note, "メモを書く", "write a note"),
];

static DETAIL: &[Binding] = &[
    bind(
        &[Char('t')],
        Action::Tag,
        "タグを付ける・外す",
        "add or remove a tag",
    ),
    bind(
        &[Char('s')],
        Action::ToggleStar,
        "スターを付ける・外す",
        "star or unstar",
    ),
    bind(&[Char('m')], Action::Note, "メモを書く", "write a note"),
];

static PARTICIPANTS: &[Binding] = &[bind(
    &[Code(KeyCode::Enter)],
    Action::Open,
    "この人の発言",
    "messages of this person",
)];

static PEOPLE: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "この人の発言",
        "messages of this person",
    ),
    bind(
        &[Char('r')],
        Action::ToggleResignedFirst,
        "解約済みを先頭に・名前順",
        "resigned first, or by name",
    ),
];

static PERSON_MESSAGES: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "ルームの中で開く",
        "open in its room",
    ),
    bind(
        &[Char('t')],
        Action::Tag,
        "タグを付ける・外す",
        "add or remove a tag",
    ),
    bind(
        &[Char('s')],
        Action::ToggleStar,
        "スターを付ける・外す",
        "star or unstar",
    ),
    bind(&[Char('m')], Action::Note, "メモを書く", "write a note"),
];

static CHANGES: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "詳細と履歴",
        "details and history",
    ),
    bind(
        &[Char('o')],
        Action::CycleSort,
        "時刻・人・ルームで並べ替え",
        "sort by time, person or room",
    ),
    bind(
        &[Char('t')],
        Action::Tag,
        "タグを付ける・外す",
        "add or remove a tag",
    ),
    bind(
        &[Char('s')],
        Action::ToggleStar,
        "スターを付ける・外す",
        "star or unstar",
    ),
    bind(&[Char('m')], Action::Note, "メモを書く", "write a note"),
];

static SEARCH: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter)],
        Action::Open,
        "ルームの中で開く",
        "open in its room",
    ),
    bind(
        &[Char('i')],
        Action::FocusFilter,
        "検索語を編集",
        "edit the query",
    ),
    bind(
        &[Char('o')],
        Action::CycleSearchOrder,
        "新しい順・古い順・関連度順",
        "newest, oldest or relevance",
    ),
    bind(
        &[Char('T')],
        Action::BulkTag,
        "全件にタグを付ける",
        "tag every result",
    ),
    bind(
        &[Char('t')],
        Action::Tag,
        "タグを付ける・外す",
        "add or remove a tag",
    ),
    bind(
        &[Char('s')],
        Action::ToggleStar,
        "スターを付ける・外す",
        "star or unstar",
    ),
    bind(&[Char('m')], Action::Note, "メモを書く", "write a note"),
];

/// Keys of every text field; typed characters go into the field.
static TEXT_FIELD: &[Binding] = &[
    bind(&[Code(KeyCode::Enter)], Action::Submit, "確定", "confirm"),
    bind(
        &[Code(KeyCode::Esc)],
        Action::Cancel,
        "入力を離れる",
        "leave the field",
    ),
    bind(
        &[Code(KeyCode::Tab)],
        Action::FocusNext,
        "フォーカス移動",
        "next focus",
    ),
    bind(
        &[Code(KeyCode::BackTab)],
        Action::FocusPrevious,
        "フォーカスを戻す",
        "previous focus",
    ),
    bind(
        &[Code(KeyCode::Backspace)],
        Action::Edit(Edit::Backspace),
        "前の文字を消す",
        "delete before the caret",
    ),
    bind(
        &[Code(KeyCode::Delete)],
        Action::Edit(Edit::Delete),
        "次の文字を消す",
        "delete after the caret",
    ),
    bind(
        &[Code(KeyCode::Left)],
        Action::Edit(Edit::Left),
        "左へ",
        "caret left",
    ),
    bind(
        &[Code(KeyCode::Right)],
        Action::Edit(Edit::Right),
        "右へ",
        "caret right",
    ),
    bind(
        &[Code(KeyCode::Home), Ctrl('a')],
        Action::Edit(Edit::Home),
        "行頭へ",
        "start of the field",
    ),
    bind(
        &[Code(KeyCode::End), Ctrl('e')],
        Action::Edit(Edit::End),
        "行末へ",
        "end of the field",
    ),
    bind(
        &[Ctrl('u')],
        Action::Edit(Edit::ClearToStart),
        "行頭まで消す",
        "delete to the start",
    ),
    bind(
        &[Ctrl('k')],
        Action::Edit(Edit::ClearToEnd),
        "行末まで消す",
        "delete to the end",
    ),
    bind(
        &[Ctrl('w')],
        Action::Edit(Edit::DeleteWord),
        "前の単語を消す",
        "delete the word before",
    ),
    bind(
        &[Code(KeyCode::Down)],
        Action::Down,
        "結果へ",
        "to the results",
    ),
    bind(&[Code(KeyCode::Up)], Action::Up, "上へ", "up"),
    bind(&[Ctrl('c')], Action::Quit, "終了", "quit"),
];

static CHOICE: &[Binding] = &[
    bind(
        &[Char('j'), Code(KeyCode::Down)],
        Action::Down,
        "下へ",
        "down",
    ),
    bind(&[Char('k'), Code(KeyCode::Up)], Action::Up, "上へ", "up"),
    bind(&[Code(KeyCode::Enter)], Action::Submit, "選ぶ", "choose"),
    bind(
        &[Code(KeyCode::Esc), Char('q')],
        Action::Cancel,
        "やめる",
        "cancel",
    ),
];

/// The export form while a choice has the focus.
static EXPORT_FORM: &[Binding] = &[
    bind(
        &[Code(KeyCode::Tab)],
        Action::FocusNext,
        "次の項目",
        "next field",
    ),
    bind(
        &[Code(KeyCode::BackTab)],
        Action::FocusPrevious,
        "前の項目",
        "previous field",
    ),
    bind(
        &[Char('j'), Code(KeyCode::Down)],
        Action::Down,
        "次の項目",
        "next field",
    ),
    bind(
        &[Char('k'), Code(KeyCode::Up)],
        Action::Up,
        "前の項目",
        "previous field",
    ),
    bind(
        &[Code(KeyCode::Right), Char(' ')],
        Action::OptionNext,
        "次の選択肢",
        "next option",
    ),
    bind(
        &[Code(KeyCode::Left)],
        Action::OptionPrevious,
        "前の選択肢",
        "previous option",
    ),
    bind(
        &[Code(KeyCode::Enter)],
        Action::Submit,
        "書き出しを始める",
        "start the export",
    ),
    bind(&[Code(KeyCode::Esc)], Action::Cancel, "やめる", "cancel"),
    bind(&[Char('?')], Action::ToggleHelp, "キー一覧", "list of keys"),
    bind(&[Ctrl('c')], Action::Quit, "終了", "quit"),
];

/// The destination field of the export form. These rows come before the
/// editing keys of [`TEXT_FIELD`] and take their place in the key list.
static EXPORT_PATH: &[Binding] = &[
    bind(
        &[Code(KeyCode::Tab)],
        Action::FocusNext,
        "次の項目",
        "next field",
    ),
    bind(
        &[Code(KeyCode::BackTab)],
        Action::FocusPrevious,
        "前の項目",
        "previous field",
    ),
    bind(
        &[Code(KeyCode::Down)],
        Action::Down,
        "次の項目",
        "next field",
    ),
    bind(
        &[Code(KeyCode::Up)],
        Action::Up,
        "前の項目",
        "previous field",
    ),
    bind(
        &[Code(KeyCode::Enter)],
        Action::Submit,
        "書き出しを始める",
        "start the export",
    ),
    bind(&[Code(KeyCode::Esc)], Action::Cancel, "やめる", "cancel"),
];

static EXPORT_RUNNING: &[Binding] = &[
    bind(
        &[Char('c'), Code(KeyCode::Esc)],
        Action::CancelExport,
        "書き出しを中止（何も残しません）",
        "cancel the export (nothing is left)",
    ),
    bind(
        &[Code(KeyCode::Enter)],
        Action::Back,
        "閉じて閲覧を続ける（書き出しは続きます）",
        "close and keep browsing (the export goes on)",
    ),
    bind(&[Char('?')], Action::ToggleHelp, "キー一覧", "list of keys"),
    bind(
        &[Char('q'), Ctrl('c')],
        Action::Quit,
        "書き出しを中止して終了",
        "cancel the export and quit",
    ),
];

static EXPORT_DONE: &[Binding] = &[
    bind(
        &[Code(KeyCode::Enter), Code(KeyCode::Esc)],
        Action::Back,
        "閉じる",
        "close",
    ),
    bind(&[Char('?')], Action::ToggleHelp, "キー一覧", "list of keys"),
    bind(&[Char('q'), Ctrl('c')], Action::Quit, "終了", "quit"),
];

static HELP: &[Binding] = &[
    bind(
        &[Char('?'), Code(KeyCode::Esc)],
        Action::ToggleHelp,
        "閉じる",
        "close",
    ),
    bind(
        &[Char('j'), Code(KeyCode::Down)],
        Action::Down,
        "下へ",
        "down",
    ),
    bind(&[Char('k'), Code(KeyCode::Up)], Action::Up, "上へ", "up"),
    bind(&[Char('q'), Ctrl('c')], Action::Quit, "終了", "quit"),
];

static IMPORTING: &[Binding] = &[bind(
    &[Char('q'), Ctrl('c')],
    Action::Quit,
    "中断して終了（次回続きから取り込みます）",
    "stop and quit (the next run continues the import)",
)];

/// Returns the tables that apply in `context`, most specific first.
pub fn tables(context: Context) -> Vec<&'static [Binding]> {
    match context {
        Context::Setup | Context::RoomsFilter | Context::SearchInput | Context::Prompt => {
            vec![TEXT_FIELD]
        }
        Context::Choice => vec![CHOICE],
        Context::ExportForm => vec![EXPORT_FORM],
        Context::ExportPath => vec![EXPORT_PATH, TEXT_FIELD],
        Context::ExportRunning => vec![EXPORT_RUNNING],
        Context::ExportDone => vec![EXPORT_DONE],
        Context::Help => vec![HELP],
        Context::Importing => vec![IMPORTING],
        Context::Rooms => vec![ROOMS, MOVEMENT, GLOBAL],
        Context::Timeline => vec![TIMELINE, MOVEMENT, GLOBAL],
        Context::Detail => vec![DETAIL, MOVEMENT, GLOBAL],
        Context::Participants => vec![PARTICIPANTS, MOVEMENT, GLOBAL],
        Context::People => vec![PEOPLE, MOVEMENT, GLOBAL],
        Context::PersonMessages => vec![PERSON_MESSAGES, MOVEMENT, GLOBAL],
        Context::Changes => vec![CHANGES, MOVEMENT, GLOBAL],
        Context::Search => vec![SEARCH, MOVEMENT, GLOBAL],
    }
}

/// Maps a key press to an action, or `None` when the key does nothing here.
pub fn key_action(context: Context, event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    for table in tables(context) {
        if let Some(binding) = table
            .iter()
            .find(|binding| binding.keys.iter().any(|key| key.matches(event)))
        {
            return Some(binding.action.clone());
        }
    }
    // In the tag picker, typing starts a new tag with the typed text.
    if (context.takes_text() || context == Context::Choice)
        && let KeyCode::Char(c) = event.code
    {
        let command = event.modifiers.contains(KeyModifiers::CONTROL)
            || event.modifiers.contains(KeyModifiers::ALT);
        if !command && !c.is_control() {
            return Some(Action::Edit(Edit::Insert(c.to_string())));
        }
    }
    None
}

/// Maps a mouse event to an action.
pub fn mouse_action(event: &MouseEvent) -> Option<Action> {
    match event.kind {
        MouseEventKind::ScrollDown => Some(Action::ScrollDown),
        MouseEventKind::ScrollUp => Some(Action::ScrollUp),
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => Some(Action::Click {
            column: event.column,
            row: event.row,
        }),
        _ => None,
    }
}

/// Maps pasted text to an action. A paste only ever inserts text, so a
/// pasted line break can neither submit a field nor trigger a key.
pub fn paste_action(context: Context, text: String) -> Option<Action> {
    (context.takes_text() || context == Context::Choice).then_some(Action::Paste(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn vim_and_arrow_keys_move() {
        for context in [Context::Rooms, Context::Timeline, Context::People] {
            assert_eq!(
                key_action(context, &key(KeyCode::Char('j'))),
                Some(Action::Down)
            );
            assert_eq!(key_action(context, &key(KeyCode::Down)), Some(Action::Down));
            assert_eq!(key_action(context, &key(KeyCode::Home)), Some(Action::Top));
            assert_eq!(key_action(context, &ctrl('f')), Some(Action::PageDown));
        }
    }

    #[test]
    fn tag_picker_takes_typed_text() {
        assert_eq!(
            key_action(Context::Choice, &key(KeyCode::Char('証'))),
            Some(Action::Edit(Edit::Insert("証".into())))
        );
        assert_eq!(
            key_action(Context::Choice, &key(KeyCode::Char('j'))),
            Some(Action::Down)
        );
        assert_eq!(
            paste_action(Context::Choice, "証拠".into()),
            Some(Action::Paste("証拠".into()))
        );
    }

    #[test]
    fn q_quits_outside_text_fields_only() {
        assert_eq!(
            key_action(Context::Rooms, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            key_action(Context::SearchInput, &key(KeyCode::Char('q'))),
            Some(Action::Edit(Edit::Insert("q".into())))
        );
        assert_eq!(
            key_action(Context::SearchInput, &ctrl('c')),
            Some(Action::Quit)
        );
    }

    #[test]
    fn enter_submits_in_field_and_opens_in_list() {
        assert_eq!(
            key_action(Context::SearchInput, &key(KeyCode::Enter)),
            Some(Action::Submit)
        );
        assert_eq!(
            key_action(Context::Search, &key(KeyCode::Enter)),
            Some(Action::Open)
        );
    }

    #[test]
    fn screen_keys_shadow_global_keys() {
        assert_eq!(
            key_action(Context::Timeline, &key(KeyCode::Char('r'))),
            Some(Action::JumpToReply)
        );
        assert_eq!(
            key_action(Context::People, &key(KeyCode::Char('r'))),
            Some(Action::ToggleResignedFirst)
        );
        assert_eq!(key_action(Context::Rooms, &key(KeyCode::Char('r'))), None);
    }

    #[test]
    fn paste_goes_to_fields_only() {
        assert_eq!(
            paste_action(Context::SearchInput, "議事録\n共有".into()),
            Some(Action::Paste("議事録\n共有".into()))
        );
        assert_eq!(paste_action(Context::Rooms, "q".into()), None);
    }

    #[test]
    fn key_release_does_nothing() {
        let mut event = key(KeyCode::Char('q'));
        event.kind = KeyEventKind::Release;
        assert_eq!(key_action(Context::Rooms, &event), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let contexts = [
            Context::Setup,
            Context::Importing,
            Context::Rooms,
            Context::RoomsFilter,
            Context::Timeline,
            Context::Detail,
            Context::Participants,
            Context::People,
            Context::PersonMessages,
            Context::Changes,
            Context::Search,
            Context::SearchInput,
            Context::Prompt,
            Context::Choice,
            Context::ExportForm,
            Context::ExportPath,
            Context::ExportRunning,
            Context::ExportDone,
            Context::Help,
        ];
        for context in contexts {
            for table in tables(context) {
                let mut seen: Vec<Key> = Vec::new();
                for binding in table {
                    for key in binding.keys {
                        assert!(!seen.contains(key), "{key:?} twice in {context:?}");
                        seen.push(*key);
                    }
                }
            }
        }
    }
}
