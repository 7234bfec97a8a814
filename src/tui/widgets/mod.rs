//! Drawing pieces the screens share: width-aware text, tables, the text
//! field, Chatwork notation and the version diff.

pub mod diff;
pub mod input;
pub mod notation;
pub mod table;
pub mod text;
