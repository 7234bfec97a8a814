//! Text handling shared by every module: search normalization, the Chatwork
//! notation parser, system message texts, terminal-safe display and display width.

pub mod dtext;
pub mod normalize;
pub mod notation;
pub mod sanitize;
pub mod width;
