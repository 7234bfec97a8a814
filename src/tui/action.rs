//! Everything a user can do in the console, as one enum.
//!
//! Keys, mouse events and pastes become actions in `keymap`, and
//! `App::update` is the only place that acts on them. A test can therefore
//! drive the whole console by feeding actions, without a terminal.

use super::widgets::input::Edit;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Leave the console.
    Quit,
    /// Close the top screen or overlay.
    Back,
    /// Show or hide the list of keys of the current screen.
    ToggleHelp,

    Up,
    Down,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    Top,
    Bottom,
    /// Mouse wheel, by a few rows.
    ScrollUp,
    ScrollDown,
    /// Left click at a terminal cell.
    Click {
        column: u16,
        row: u16,
    },
    /// Open the selected row.
    Open,
    /// Move the focus to the next or previous part of the screen.
    FocusNext,
    FocusPrevious,
    /// Put the focus on the screen's filter field.
    FocusFilter,

    ShowRooms,
    ShowPeople,
    ShowChanges,
    ShowSearch,
    /// Members of the open room.
    ShowParticipants,

    /// Order a list by the next column.
    CycleSort,
    ReverseSort,
    /// People: list resigned accounts first, or not.
    ToggleResignedFirst,
    /// Search: order results by the next of newest, oldest and relevance.
    CycleSearchOrder,

    /// Timeline: go to the message the selected message replies to.
    JumpToReply,
    /// Timeline: ask for a date and go to the first message sent then.
    JumpToDate,
    /// Go to the next or previous search hit in its room.
    NextHit,
    PreviousHit,

    /// Add or remove a tag on the selected message.
    Tag,
    /// Star or unstar the selected message.
    ToggleStar,
    /// Write the note of the selected message.
    Note,
    /// Tag every result of the current search.
    BulkTag,

    /// Open the export dialog, or show the progress of the running export.
    Export,
    /// Choose the next or previous option of the focused choice field.
    OptionNext,
    OptionPrevious,
    /// Stop the running export; it removes what it wrote.
    CancelExport,

    /// Edit the focused text field.
    Edit(Edit),
    /// Text pasted with bracketed paste; goes into the focused text field.
    Paste(String),
    /// Enter in a text field.
    Submit,
    /// Esc in a text field.
    Cancel,
    /// The terminal has a new size.
    Resize {
        width: u16,
        height: u16,
    },
}
